# The site has no identity block: App Service has no identity to fetch the secret with, so the status is
# MSINotEnabled (§7.3) and the app receives the literal reference; no IDENTITY_ENDPOINT is set (§6.1).
privlink env --from app-flask-privlink --estate estate
