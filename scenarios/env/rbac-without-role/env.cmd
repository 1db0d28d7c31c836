# The vault uses RBAC; its only role assignment is a user's Key Vault Administrator, none gives the app's identity
# secrets/getSecret/action (§13.3): AccessToKeyVaultDenied (§7.3), next: the Key Vault Secrets User assignment.
privlink env --from app-flask-privlink --estate estate --format json
