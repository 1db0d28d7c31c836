# The template as the CI gate sees it: the app reaches its storage account privately through the firewall's DNS proxy.
privlink check --estate azuredeploy.json --parameters parameters.json
