# vnet-spoke-b's rule targets 10.0.4.4 (the hub's inbound endpoint) and 8.8.8.8 (public DNS), which answer differently:
# Learn says only that the targets "will be used", so [SIM] the first, 10.0.4.4, answers: private, and the output says so.
privlink resolve kv1.vault.azure.net --from vnet-spoke-b --estate estate
