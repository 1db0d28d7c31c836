# The built-in estate: OPENAI_API_KEY is a SecretUri reference to kv-privlink-seed/openai-key. The app has a
# system-assigned identity (§7.2 default); the vault refuses public traffic (publicNetworkAccess Disabled, firewall
# Deny), so App Service retries through the VNet integration (§7.4), where the name resolves to pe-kv (10.20.2.6)
# and route-all is on; the role assignment gives the identity Key Vault Secrets User; the secret exists: Resolved
# (§7.3). Every other app setting is a secret value: redacted. Platform variables per §14.2.
privlink env --from app-flask-privlink
