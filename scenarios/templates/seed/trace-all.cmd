# The seed estate written as one ARM template (copy loop over the four backends): evaluated and
# deployed by privlink, the app reaches every backend privately, exactly as on the built-in estate.
privlink trace --from app-flask-privlink --all --estate azuredeploy.json --resource-group rg-privlink-seed
