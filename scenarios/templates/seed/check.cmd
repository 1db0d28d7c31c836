# The same template has no finding, like the built-in estate it describes.
privlink check --estate azuredeploy.json --resource-group rg-privlink-seed
