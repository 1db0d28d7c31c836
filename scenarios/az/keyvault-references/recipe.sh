# Seed 002's Key Vault reference step: after the vault is closed to public traffic the tutorial sets
# the app settings again, so that App Service refetches every reference ("az webapp config appsettings
# set" is a configuration change: azure-semantics §7.3). The app is the seed's Linux app (identity,
# VNet integration, route-all, kv-privlink-seed behind pe-kv); the vault uses RBAC and the app's
# identity holds no role on it yet (prereqs/).
groupName=rg-privlink-seed
appName=app-flask-privlink
csResourceKVUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key
csKeyKVUri=https://kv-privlink-seed.vault.azure.net/secrets/cskey1
az webapp config appsettings set --resource-group $groupName --name $appName --settings CS_ACCOUNT_NAME="@Microsoft.KeyVault(SecretUri=$csResourceKVUri)" CS_ACCOUNT_KEY="@Microsoft.KeyVault(SecretUri=$csKeyKVUri)"
