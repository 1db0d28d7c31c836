# Seed 002's outcome: "Public traffic to the back-end services is blocked. Outbound traffic from App
# Service is routed to the VNet and can reach the back-end services. App Service is able to perform
# DNS resolution to the back-end services through the private DNS zones."
groupName=myKVResourceGroup
appName=app-langdetect
az appservice plan show --name $appName --resource-group $groupName --query sku.name --output tsv | grep -qx S1
az webapp show --resource-group $groupName --name $appName --query httpsOnly --output tsv | grep -qx true
# DNS through the private zones, from the app.
privlink resolve --from $appName --all --format json \
  | check 'sorted(r["query"]["name"] for r in data if r["verdict"] == "private") == ["cs-langdetect.cognitiveservices.azure.com", "kv-langdetect.vault.azure.net"]'
# Public traffic is blocked: from the internet the Cognitive Services name resolves publicly and
# the service refuses (publicNetworkAccess Disabled).
privlink resolve cs-langdetect.cognitiveservices.azure.com --from internet --format json | check 'data["verdict"] == "public"'
# The app reaches both back ends through the VNet (RFC 1918 destinations enter the VNet).
privlink trace --from $appName --all --format json | check 'all(t["verdict"] == "allowed" for t in data)'
# privlink's findings on the result, for the log (the tutorial's Linux app reads Key Vault
# references through a private endpoint without route-all, which Learn lists as a limitation).
privlink check || true
