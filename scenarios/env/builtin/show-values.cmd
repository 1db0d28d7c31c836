# --show-values prints the app settings' values (the user asked); the resolved reference stays a placeholder,
# since privlink holds no secret values.
privlink env --from app-flask-privlink --show-values
