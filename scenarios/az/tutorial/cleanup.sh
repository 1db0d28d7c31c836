# Seed 002 "Clean up resources": deleting the group removes everything in it, as Azure does.
groupName=myKVResourceGroup
az group delete --name $groupName --yes
privlink inventory --format json | check 'not any(k.startswith("Microsoft.Network") for k in data["counts"])'
