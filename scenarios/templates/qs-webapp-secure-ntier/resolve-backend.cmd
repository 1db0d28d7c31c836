# The n-tier quickstart: the frontend is integrated into ntier-vnet, the backend and its 'stage' slot each
# have a private endpoint whose zone group writes into the linked privatelink.azurewebsites.net. The
# frontend reaches the backend and the slot privately (§1.3, §3.5: slot group id sites-stage, name {app}-stage).
privlink resolve backend-quo42kakcmf7i.azurewebsites.net --from frontend-quo42kakcmf7i --estate ../../../../shared/reference/arm/templates/qs-webapp-secure-ntier/azuredeploy.json --parameters ../../../../shared/reference/arm/templates/qs-webapp-secure-ntier/azuredeploy.parameters.json --resource-group rg-privlink
