# rt-int's block-internet sends 0.0.0.0/0 to next hop None; with route-all kv1's public address enters the VNet and
# that UDR beats the system default route (§4.4): the packet is dropped (§9 step 3, timeout), denied, decided by the
# route.
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate --format json
