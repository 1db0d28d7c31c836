# Seed 001 "VNet Integration". Steps 1–3 and 6–8 are the seed's commands verbatim apart from
# variable values; steps 4 and 5 give no commands in the seed, so the az commands for them are
# ours (marked "not verbatim").
RG=rg-flask-vi
APP_NAME=app-flask-vi
SUB=00000000-0000-0000-0000-000000000001
VNET_ID="/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Network/virtualNetworks/vnet-appservice"

# 1) Create delegated subnet for App Service integration
az network vnet subnet create \
--resource-group "$RG" \
--vnet-name "vnet-appservice" \
--name "snet-appservice-integration" \
--address-prefixes "10.10.1.0/24" \
--delegations "Microsoft.Web/serverFarms" \
--output json

# 2) Connect web app to the integration subnet
az webapp vnet-integration add \
--resource-group "$RG" \
--name "$APP_NAME" \
--vnet "vnet-appservice" \
--subnet "snet-appservice-integration" \
--output json

# 3) Route all outbound traffic through VNet (optional)
az webapp config appsettings set \
--resource-group "$RG" \
--name "$APP_NAME" \
--settings WEBSITE_VNET_ROUTE_ALL=1 \
--output json

# 4) Apply NSG baseline for least-privilege egress (not verbatim: the seed describes it in prose)
az network nsg create --resource-group "$RG" --name nsg-appservice-integration --output none
az network nsg rule create --resource-group "$RG" --nsg-name nsg-appservice-integration --name allow-sql-outbound \
  --priority 100 --direction Outbound --access Allow --protocol Tcp --destination-address-prefixes VirtualNetwork \
  --destination-port-ranges 1433 --output none
az network nsg rule create --resource-group "$RG" --nsg-name nsg-appservice-integration --name allow-redis-outbound \
  --priority 110 --direction Outbound --access Allow --protocol Tcp --destination-address-prefixes VirtualNetwork \
  --destination-port-ranges 6380 --output none
az network nsg rule create --resource-group "$RG" --nsg-name nsg-appservice-integration --name allow-https-outbound \
  --priority 120 --direction Outbound --access Allow --protocol Tcp --destination-address-prefixes VirtualNetwork \
  --destination-port-ranges 443 --output none
az network nsg rule create --resource-group "$RG" --nsg-name nsg-appservice-integration --name deny-internet-outbound \
  --priority 4000 --direction Outbound --access Deny --protocol '*' --destination-address-prefixes Internet \
  --destination-port-ranges '*' --output none
az network vnet subnet update --resource-group "$RG" --vnet-name vnet-appservice --name snet-appservice-integration \
  --network-security-group nsg-appservice-integration --output none

# 5) Configure private endpoints and private DNS zones (not verbatim: the seed lists only the zones)
az network vnet subnet create --resource-group "$RG" --vnet-name vnet-appservice --name snet-private-endpoints \
  --address-prefixes 10.10.2.0/24 --output none
for target in "Microsoft.Sql/servers/sql-flask-vi sqlServer privatelink.database.windows.net pe-sql" \
              "Microsoft.KeyVault/vaults/kv-flask-vi vault privatelink.vaultcore.azure.net pe-kv" \
              "Microsoft.Cache/Redis/redis-flask-vi redisCache privatelink.redis.cache.windows.net pe-redis"; do
  set -- $target
  az network private-endpoint create --resource-group "$RG" --name "$4" --vnet-name vnet-appservice \
    --subnet snet-private-endpoints --private-connection-resource-id "/subscriptions/$SUB/resourceGroups/$RG/providers/$1" \
    --group-id "$2" --connection-name "$4-conn" --output none
  az network private-dns zone create --resource-group "$RG" --name "$3" --output none
  az network private-dns link vnet create --resource-group "$RG" --zone-name "$3" --name link-vnet-appservice \
    --virtual-network "$VNET_ID" --registration-enabled false --output none
  az network private-endpoint dns-zone-group create --resource-group "$RG" --endpoint-name "$4" --name default \
    --private-dns-zone "$3" --zone-name "$3" --output none
done

# 6) Set Flask environment-based config on App Service
az webapp config appsettings set \
--resource-group "$RG" \
--name "$APP_NAME" \
--settings \
SQL_SERVER_FQDN="sql-flask-vi.database.windows.net" \
SQL_DATABASE_NAME="db-flask" \
REDIS_HOST="redis-flask-vi.redis.cache.windows.net" \
REDIS_PORT="6380" \
KEY_VAULT_URI="https://kv-flask-vi.vault.azure.net/" \
--output json

# 8) Validate DNS and endpoint state in CI
az webapp vnet-integration list \
--resource-group "$RG" \
--name "$APP_NAME" \
--output table > "${TMPDIR:-/tmp}/vi-table.txt"
az network private-endpoint list \
--resource-group "$RG" \
--output table > "${TMPDIR:-/tmp}/pe-table.txt"
cat "${TMPDIR:-/tmp}/vi-table.txt" "${TMPDIR:-/tmp}/pe-table.txt"
