# app1's WEBSITE_DNS_SERVER names 10.1.3.10, a server the estate does not describe, over vnet-app's Azure DNS
# (azure-semantics §1.8): the warning is on the app, and the fix points the setting at resolver inbound endpoint 10.1.4.4.
privlink check --estate estate --select DNS109
