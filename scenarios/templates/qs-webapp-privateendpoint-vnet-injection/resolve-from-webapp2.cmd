# webapp2 is VNet-integrated into vnet1 (Subnet2); vnet1 has Azure DNS and privatelink.azurewebsites.net is
# linked to it with webapp1's record (the zone group wrote it at the endpoint NIC's address): private (§1.3, §3.4).
privlink resolve webapp1-quo42kakcmf7i.azurewebsites.net --from webapp2-quo42kakcmf7i --format json --estate ../../../../shared/reference/arm/templates/qs-webapp-privateendpoint-vnet-injection/azuredeploy.json --resource-group rg-privlink
