# The vault is in access-policy mode (enableRbacAuthorization false) and a policy gives the app's identity secrets
# get (§7.2, §13.3): Resolved, decided by the access policy.
privlink env --from app-flask-privlink --estate estate --format json
