# Seed 004 "Azure SQL with Managed Identity": its prerequisite (App Service with a system-assigned
# managed identity) and step 1 (a Microsoft Entra admin on the SQL server), with the role grants
# the seed estate's Key Vault and Azure OpenAI need. The seed gives the identity and grant steps
# in prose and SQL; the az commands are the documented ones for them (not verbatim), with the
# seed estate's names. `--assignee-object-id` with `--assignee-principal-type` keeps az from
# asking Microsoft Graph, which the twin does not serve.
RG=rg-privlink-seed
APP_NAME=app-flask-privlink
SUB=00000000-0000-0000-0000-000000000001
vault_id="/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.KeyVault/vaults/kv-privlink-seed"
openai_id="/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.CognitiveServices/accounts/oai-privlink-seed"

# Prerequisite: App Service with system-assigned managed identity enabled
az webapp identity assign --resource-group "$RG" --name "$APP_NAME" --output json
principal=$(az webapp identity show --resource-group "$RG" --name "$APP_NAME" --query principalId --output tsv)

# Step 1: assign a Microsoft Entra admin to SQL Server (the DBA group), then create a contained
# user for the app identity. The T-SQL runs inside the database, where ARM cannot see it; privlink
# takes its outcome as a declaration beside the estate (docs/access.md), written here with az rest.
az sql server ad-admin create --resource-group "$RG" --server sql-privlink-seed \
  --display-name sql-admins-privlink --object-id 22222222-3333-4444-5555-666666666666 --output json
az sql server ad-only-auth enable --resource-group "$RG" --name sql-privlink-seed --output none
#   -- Run in the target database as Entra admin
#   CREATE USER [app-flask-privlink] FROM EXTERNAL PROVIDER;
#   ALTER ROLE db_datareader ADD MEMBER [app-flask-privlink];
#   ALTER ROLE db_datawriter ADD MEMBER [app-flask-privlink];
az rest --method put \
  --url "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Sql/servers/sql-privlink-seed/databases/db-flask/providers/Privlink.Declarations/sqlContainedUsers/default?api-version=2024-01-01" \
  --body '{"properties": {"users": [{"name": "'"$APP_NAME"'", "objectId": "'"$principal"'", "roles": ["db_datareader", "db_datawriter"]}]}}' \
  --output none

# The app reads Key Vault references and calls Azure OpenAI with its identity
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Key Vault Secrets User" --scope "$vault_id" --output json
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Cognitive Services OpenAI User" --scope "$openai_id" --output json

# A vault on the access-policy model: the identity gets secret get/list through a policy
az keyvault set-policy --name kv-policy-seed --object-id "$principal" --secret-permissions get list --output none
# ... and the RBAC vault stays on the RBAC model (the update is a read-modify-write of the vault)
az keyvault update --name kv-privlink-seed --enable-rbac-authorization true --output none
