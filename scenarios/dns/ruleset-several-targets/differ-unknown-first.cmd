# vnet-spoke-c's rule lists 192.168.10.53 (an on-premises server the estate does not describe) before 10.0.4.4: the first
# answers ([SIM]), and what it answers cannot be said: indeterminate.
privlink resolve kv1.vault.azure.net --from vnet-spoke-c --estate estate --format json
