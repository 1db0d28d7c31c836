# A forwarder pointing at 10.0.5.4, the NIC of a DNS VM in vnet-hub: privlink does not model its DNS software, so the answer
# is indeterminate and says what the VM must do (§1.3-5).
privlink resolve kv1.vault.azure.net --from dns:10.0.5.4 --estate estate
