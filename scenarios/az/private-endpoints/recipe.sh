# Seed 000 "Private Endpoints" (Flask app → SQL, Redis, Key Vault), steps 2–5 and 8, verbatim apart
# from variable values. Step 1's subnets and the backends exist already (prereqs/), as the seed's
# Prerequisites say.
RG=rg-flask-pe
APP_NAME=app-flask-pe
VNET_NAME=vnet-flask-pe
SUB=00000000-0000-0000-0000-000000000001

# 2) Enable VNet integration for the Flask app
az webapp vnet-integration add \
--resource-group "$RG" \
--name "$APP_NAME" \
--vnet "$VNET_NAME" \
--subnet "snet-appservice-integration" \
--output json

# 3) Create private endpoint for Azure SQL
az network private-endpoint create \
--resource-group "$RG" \
--name "pe-sql-python" \
--vnet-name "$VNET_NAME" \
--subnet "snet-private-endpoints" \
--private-connection-resource-id "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Sql/servers/sql-flask-pe" \
--group-id sqlServer \
--connection-name "pe-sql-python-conn" \
--output json

# 4) Create private endpoint for Redis and Key Vault
az network private-endpoint create \
--resource-group "$RG" \
--name "pe-redis-python" \
--vnet-name "$VNET_NAME" \
--subnet "snet-private-endpoints" \
--private-connection-resource-id "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Cache/Redis/redis-flask-pe" \
--group-id redisCache \
--connection-name "pe-redis-python-conn" \
--output json
az network private-endpoint create \
--resource-group "$RG" \
--name "pe-kv-python" \
--vnet-name "$VNET_NAME" \
--subnet "snet-private-endpoints" \
--private-connection-resource-id "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.KeyVault/vaults/kv-flask-pe" \
--group-id vault \
--connection-name "pe-kv-python-conn" \
--output json

# 5) Configure app settings as Flask environment variables
az webapp config appsettings set \
--resource-group "$RG" \
--name "$APP_NAME" \
--settings \
SQL_SERVER_FQDN="sql-flask-pe.database.windows.net" \
SQL_DATABASE_NAME="db-flask" \
REDIS_HOST="redis-flask-pe.redis.cache.windows.net" \
REDIS_PORT="6380" \
KEY_VAULT_URI="https://kv-flask-pe.vault.azure.net/" \
--output json

# 8) Add CI validation for private endpoint readiness
az network private-endpoint list \
--resource-group "$RG" \
--output table > "${TMPDIR:-/tmp}/pe-table.txt"
cat "${TMPDIR:-/tmp}/pe-table.txt"
