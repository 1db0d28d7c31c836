# SEC403/negative with app-api's VNet integration removed: kv-legacy admits only its virtual network
# rule's subnet (denied), kv-rules has an approved private endpoint and a firewall that denies by
# default with one IP rule — whether it holds the app's outbound address is not in the estate
# (unknown). One error names both; integrating the app into snet-integration fixes both (§3.3, §5.1).
privlink check --estate estate --select APP308
