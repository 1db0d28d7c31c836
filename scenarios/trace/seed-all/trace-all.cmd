privlink trace --from app-flask-privlink --all
