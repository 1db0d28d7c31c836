//! The data path's modelling choices: where Azure's documentation leaves the behaviour of routes,
//! NSGs, the app's egress or a service's gate open, privlink chooses, and every such choice is
//! written down here (azure-semantics marks them [SIM]). The code that applies one cites it by its
//! number; output that depends on one says so.
//!
//! | # | choice | where | azure-semantics |
//! |---|---|---|---|
//! | A1 | An integrated app's traffic carries the integration subnet's first assignable address (Azure reserves the first four); the instance's real address (`WEBSITE_PRIVATE_IP`) changes | `path::egress::representative_app_address` | §3.3 |
//! | A2 | `WEBSITE_VNET_ROUTE_ALL` = `true` routes all traffic as the documented `1` does | `path::egress` | §3.3 |
//! | A3 | SQL connection policy `Default` means Redirect for clients inside Azure (App Service is); through a private endpoint it behaves as Proxy | `path::service` | §5.2 (S-SQLCONN) |
//! | A4 | The `VirtualNetwork` service tag does not include the prefixes of the subnet's UDRs unless `TagOptions::virtual_network_includes_udr_prefixes` is set (S-TAGS says it "may") | `nsg::TagOptions` | §4.3 |
//! | A5 | A flow whose ephemeral source port is unknown is not checked against rules' source ports, as Azure does for private-endpoint traffic | `nsg::Flow::source_port` | §2.4 |
//! | A6 | An address of unknown region matches every regional variant of its service tag (`Sql.WestEurope`) | `nsg::service_tag_matches` | §4.3 |
//! | A7 | A reserved system route identical to a VNet range is replaced by the VNet route; otherwise the `None` route stays and the longer VNet prefix wins by longest match | `routes::SYSTEM_ROUTES` | §4.4 |
//! | A8 | A service endpoint's routes (next hop `VirtualNetworkServiceEndpoint`, the service's prefixes) are not in the model; for the backend's public address they are taken to be as specific as a host route, so they beat every broader route, user routes included, and lose only to a user route for the address itself (`/32`) | `path::TraceFlow::service_endpoint_route` | §4.4 |
//! | A9 | A service endpoint covers its service in every region: the endpoint's `locations` and the backend's region are not compared (SQL and Key Vault rules are regional, S-KVSE, Learn "Use virtual network service endpoints and rules for servers in Azure SQL Database") | `path::service_endpoint_on` | §5.1, §5.2 |
//! | A10 | An app reached on its public endpoint with public access not `Disabled` accepts the request: access restrictions (`ipSecurityRestrictions`) are not modelled | `path::service::site_public_gate` | §3.5 |
//! | A11 | Under SQL's `Redirect` policy the redirected connection goes to the same address as the login (the private endpoint's, or the public front end's: the node's own address is not in the estate) on port 11000, the first of the Redirect range; Azure names the node's port at login | `path::redirect` | §5.2, §15 |
