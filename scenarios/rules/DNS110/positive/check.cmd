# vnet-spoke sends DNS queries to 10.0.1.4, Azure Firewall fw-hub, whose policy fwp-hub sets dnsSettings.enableProxy false:
# nothing listens there (azure-semantics §12.5 FW-DNS-1), so app1 resolves nothing. The fix turns the proxy on in the policy.
privlink check --estate estate --select DNS110
