# vnet-app sends DNS queries to 10.1.3.10, a server the estate does not describe (azure-semantics §1.8): app1's names
# resolve indeterminate. The estate has resolver dnspr-app in vnet-app, whose inbound endpoint 10.1.4.4 answers from
# Azure DNS of vnet-app, where the zones are linked (§1.4): the fix points the VNet's DNS at it.
privlink check --estate estate --select DNS109
