# app1 sets WEBSITE_DNS_SERVER=10.0.1.4 (azure-semantics §1.8), the private address of fw-hub, whose policy leaves the DNS
# proxy off: nothing answers the app's queries (§12.5). An error on the app; the fix turns the proxy on in fwp-hub.
privlink check --estate estate --select DNS110
