# The references' statuses as App Service reports them (GET …/config/configreferences/appsettings,
# azure-semantics §7.3): denied until the app's identity holds Key Vault Secrets User on the vault,
# resolved once it does and the app settings are set again.
groupName=rg-privlink-seed
appName=app-flask-privlink
csKeyKVUri=https://kv-privlink-seed.vault.azure.net/secrets/cskey1
siteId=$(az webapp show --resource-group $groupName --name $appName --query id --output tsv)
vaultId=$(az keyvault show --name kv-privlink-seed --query id --output tsv)
principalId=$(az webapp identity show --resource-group $groupName --name $appName --query principalId --output tsv)
references="$siteId/config/configreferences/appsettings?api-version=2022-03-01"
status_of='{r["name"]: r["properties"]["status"] for r in data["value"]}'

az rest --method get --url "$references" \
  | check "$status_of.get('CS_ACCOUNT_KEY') == 'AccessToKeyVaultDenied' and 'Key Vault Secrets User' in [r for r in data['value'] if r['name'] == 'CS_ACCOUNT_KEY'][0]['properties']['details']"
# privlink env on the live twin agrees, exits 1, and hands the app its own token endpoint on the twin.
code=0; privlink env --from $appName --format json >"$PRIVLINK_STATE/env.json" || code=$?
[ "$code" = 1 ] || { echo "FAILED: privlink env exited $code, expected 1" >&2; exit 1; }
endpoint=$(python3 -c "import json; print(json.load(open('$PRIVLINK_STATE/twin.json'))['identity_endpoint'].removesuffix('/msi/token'))")/sites/${siteId#/subscriptions/}
endpoint=${endpoint/\/resourceGroups\//\/}; endpoint=${endpoint/\/providers\/Microsoft.Web\/sites\//\/}/msi/token
check "[s['reference']['status'] for s in data['settings'] if s['name'] == 'CS_ACCOUNT_KEY'] == ['AccessToKeyVaultDenied'] and [s['value'] for s in data['settings'] if s['name'] == 'IDENTITY_ENDPOINT'] == ['$endpoint']" <"$PRIVLINK_STATE/env.json"

# The role, as the tutorial's predecessor grants it.
az role assignment create --assignee-object-id $principalId --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope $vaultId --output none
az webapp config appsettings set --resource-group $groupName --name $appName --settings CS_ACCOUNT_KEY="@Microsoft.KeyVault(SecretUri=$csKeyKVUri)"
az rest --method get --url "$references" \
  | check "$status_of.get('CS_ACCOUNT_KEY') == 'Resolved' and $status_of.get('CS_ACCOUNT_NAME') == 'Resolved'"
az rest --method post --url "$siteId/config/configreferences/appsettings/refresh?api-version=2022-03-01" \
  | check "$status_of.get('CS_ACCOUNT_KEY') == 'Resolved'"
privlink env --from $appName --format json | check "all(s['reference']['status'] == 'Resolved' for s in data['settings'] if s['reference'])"
