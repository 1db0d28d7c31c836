# webapp2 -> webapp1:443: RFC 1918 address, so it enters the VNet; the endpoint's /32 route; no NSG on the
# integration subnet; the connection is Approved; the app admits private endpoint traffic (§9).
privlink trace --from webapp2-quo42kakcmf7i --to webapp1-quo42kakcmf7i.azurewebsites.net:443 --format json --estate ../../../../shared/reference/arm/templates/qs-webapp-privateendpoint-vnet-injection/azuredeploy.json --resource-group rg-privlink
