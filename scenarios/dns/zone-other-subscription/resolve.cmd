# The zone lives in another subscription and resource group but is linked to vnet-app: links cross
# subscriptions, so it answers: private (§1.3).
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
