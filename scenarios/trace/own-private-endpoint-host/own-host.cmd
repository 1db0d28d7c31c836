# app-api has an approved private endpoint (inbound) and publicNetworkAccess Disabled, and no VNet
# integration: a call to its own host name resolves public and leaves from the platform, so the app's
# own front end answers 403 (§3.5). Its own endpoint is not one of its dependencies (trace --all lists none).
privlink trace --estate estate --from app-api --to app-api.azurewebsites.net:443
