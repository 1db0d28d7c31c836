# What the recipe promises, read back with az: the identity, the grants, the SQL admin, the policy.
RG=rg-privlink-seed
APP_NAME=app-flask-privlink
SUB=00000000-0000-0000-0000-000000000001
vault_id="/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.KeyVault/vaults/kv-privlink-seed"

# - The app has a system-assigned identity with a principal in the twin's tenant.
az webapp identity show --resource-group "$RG" --name "$APP_NAME" --output json \
  | check 'data["type"] == "SystemAssigned" and len(data["principalId"]) == 36 and data["tenantId"] == "00000000-0000-0000-0000-0000000000aa"'
principal=$(az webapp identity show --resource-group "$RG" --name "$APP_NAME" --query principalId --output tsv)

# - The identity holds both roles, each at its resource (`--fill-principal-name false`: no Graph).
az role assignment list --assignee-object-id "$principal" --all --fill-principal-name false --output json \
  | check 'sorted(a["roleDefinitionName"] for a in data) == ["Cognitive Services OpenAI User", "Key Vault Secrets User"]
           and all(a["scope"].endswith(("/vaults/kv-privlink-seed", "/accounts/oai-privlink-seed")) for a in data)'
az role assignment list --scope "$vault_id" --fill-principal-name false --output json \
  | check 'len(data) == 1 and data[0]["principalId"] == "'"$principal"'"'

# - Granting the same role twice is refused, as Azure refuses it.
if az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
     --role "Key Vault Secrets User" --scope "$vault_id" --output none 2>"${TMPDIR:-/tmp}/dup.txt"; then
  echo "FAILED: a second identical role assignment was accepted" >&2; exit 1
fi

# - The SQL server's Entra admin is the DBA group, Entra-only on; the server's own GET shows it.
az sql server ad-admin list --resource-group "$RG" --server sql-privlink-seed --output json \
  | check 'len(data) == 1 and data[0]["sid"] == "22222222-3333-4444-5555-666666666666" and data[0]["login"] == "sql-admins-privlink"'
az sql server show --resource-group "$RG" --name sql-privlink-seed --output json \
  | check 'data["administrators"]["sid"] == "22222222-3333-4444-5555-666666666666" and data["administrators"]["azureAdOnlyAuthentication"] is True'

# - The access-policy vault lists the identity's secret permissions.
az keyvault show --name kv-policy-seed --output json \
  | check 'any(p["objectId"] == "'"$principal"'" and sorted(p["permissions"]["secrets"]) == ["get", "list"] for p in data["properties"]["accessPolicies"])'

# - privlink, reading the live twin, decides the app's sign-ins from those writes: Key Vault by the
#   role assignment, SQL as the contained user of db-flask.
privlink trace --from "$APP_NAME" --all --format json \
  | check '{t["query"]["to"].split(".")[0]: (t["access"]["verdict"], t["access"]["decided_by"]["kind"]) for t in data if t["access"]["verdict"] != "none"}
           == {"kv-privlink-seed": ("granted", "role-assignment"), "sql-privlink-seed": ("granted", "sql-contained-users")}'

# - Removing a grant (by id: no Graph) and then the identity: the principal goes with it.
az role assignment delete --ids "$(az role assignment list --scope "$vault_id" --fill-principal-name false --query '[0].id' --output tsv)"
az role assignment list --scope "$vault_id" --fill-principal-name false --output json | check 'data == []'
az webapp identity remove --resource-group "$RG" --name "$APP_NAME" --output none
az webapp show --resource-group "$RG" --name "$APP_NAME" --output json | check '(data.get("identity") or {}).get("principalId") is None'
# - ... and privlink now says the platform issues the app no token: denied at the site.
privlink trace --from "$APP_NAME" --all --format json \
  | check 'all(t["access"]["verdict"] == "denied" and t["access"]["decided_by"]["kind"] == "site" for t in data if t["query"]["to"].startswith(("kv-", "sql-")))'
