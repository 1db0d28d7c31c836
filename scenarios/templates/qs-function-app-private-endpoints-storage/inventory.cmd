# The documents this public template deploys, as privlink evaluates them (expressions, copy loops,
# nested deployments) and as Azure fills them in (private endpoint NICs and addresses, zone-group records).
privlink inventory --estate ../../../../shared/reference/arm/templates/qs-function-app-private-endpoints-storage/azuredeploy.json --resource-group rg-privlink --parameters ../../../../shared/reference/arm/templates/qs-function-app-private-endpoints-storage/azuredeploy.parameters.json
