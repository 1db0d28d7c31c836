# The same forced tunnel, but nsg-int also has deny-internet-outbound (4000). The integration subnet's NSG outbound
# rules apply to VNet-routed traffic whatever the next hop (§3.3, §4.2) and match the original public destination
# (Internet tag, §4.3): the packet never reaches the firewall. Denied, decided by that rule, although the route alone
# says unknown.
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate-nsg-denies-internet
