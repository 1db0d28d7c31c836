# From the internet the name resolves publicly, with the privatelink hop Azure inserts once the app has an
# approved private endpoint (§1.2); public DNS never reveals the private address.
privlink resolve webapp1-quo42kakcmf7i.azurewebsites.net --from internet --format json --estate ../../../../shared/reference/arm/templates/qs-webapp-privateendpoint-vnet-injection/azuredeploy.json --resource-group rg-privlink
