# As resolve-all, as JSON.
privlink resolve --from app-flask-privlink --all --format json
