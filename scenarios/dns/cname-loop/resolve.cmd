# a -> b -> a inside the linked zone corp.contoso.com: the walk meets a name twice and gives up with SERVFAIL, naming the loop.
privlink resolve a.corp.contoso.com --from vnet-app --estate estate --format json
