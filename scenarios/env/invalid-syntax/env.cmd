# VaultName=…;Secret=… is not the reference grammar (§7.1: SecretName): InvalidSyntax, and the app receives the
# literal string.
privlink env --from app-flask-privlink --estate estate
