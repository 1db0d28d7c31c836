# The same as JSON: {"app", "settings": [{"name", "source", "value", "reference"}]}; the reference carries App
# Service's status, the vault, the secret, the identity and what decided.
privlink env --from app-flask-privlink --format json
