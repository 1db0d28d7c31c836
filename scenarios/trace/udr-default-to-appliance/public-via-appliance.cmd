# kv1 has no private endpoint and resolves public; route-all puts it in the VNet, where 0.0.0.0/0 -> VirtualAppliance
# is the longest match over the system default route (UDR over system, §4.4). nsg-int still applies on the way out
# (§3.3, §4.2) and admits it (AllowInternetOutBound); what the appliance does is not modelled: unknown, decided by the
# route (issue 5: appliances leave the model, not guessed).
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate --format json
