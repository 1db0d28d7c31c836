//! What clients see when a service refuses them, in the service's own words (azure-semantics §5).
//! One place, so a correction reaches every trace.

/// §5.2, S-SQLCONN: login while `publicNetworkAccess` is `Disabled`.
pub const SQL_PUBLIC_ACCESS_DISABLED: &str = "Error 47073: An instance-specific error occurred while establishing a connection to SQL Server. The public network interface on this server is not accessible. To connect to this server, use the Private Endpoint from inside your virtual network.";
/// §5.2: public access enabled, client address in no firewall rule. `{server}` and `{ip}` are filled in.
pub const SQL_FIREWALL: &str = "Error 40615: Cannot open server '{server}' requested by the login. Client with IP address '{ip}' is not allowed to access the server. To enable access, use the Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range.";
/// §5.2, Learn "Use virtual network service endpoints and rules for servers in Azure SQL Database"
/// (errors 40914 and 40615): the client's subnet has the `Microsoft.Sql` service endpoint but no
/// virtual network rule of the server names it. `{server}` is filled in.
pub const SQL_VIRTUAL_NETWORK_RULE: &str =
    "Error 40914: Cannot open server '{server}' requested by the login. Client is not allowed to access the server.";
/// §5.1, S-ADO: public request while `publicNetworkAccess` is `Disabled`.
pub const KEY_VAULT_PUBLIC_ACCESS_DISABLED: &str = "403 Forbidden (ForbiddenByConnection): Public network access is disabled and request is not from a trusted service nor via an approved private link.";
/// §5.1: firewall `Deny`, client address not listed.
pub const KEY_VAULT_FIREWALL: &str =
    "403 Forbidden (ForbiddenByFirewall): Client address is not authorized and caller is not a trusted service.";
/// §5.4 [OBS].
pub const COGNITIVE_PUBLIC_ACCESS_DISABLED: &str = "403: Public access is disabled. Please configure private endpoint.";
/// §5.4 [OBS].
pub const COGNITIVE_FIREWALL: &str = "403: Access denied due to Virtual Network/Firewall rules.";
/// §5.3: UNVERIFIED exact signature.
pub const REDIS_PUBLIC_ACCESS_DISABLED: &str =
    "connection reset (UNVERIFIED: Azure Cache for Redis refuses public connections at the TCP/TLS level)";
/// §5.3: UNVERIFIED — the plain-text port is closed unless `enableNonSslPort` is true.
pub const REDIS_NON_TLS_PORT_DISABLED: &str =
    "connection reset (UNVERIFIED: port 6379 is closed because enableNonSslPort is false; use TLS on 6380)";
/// §5.5: UNVERIFIED.
pub const STORAGE_DENIED: &str =
    "403 AuthorizationFailure: This request is not authorized to perform this operation. (UNVERIFIED)";
/// §3.5 (S-WEBPE): a request to the public address of an app whose public access is disabled.
pub const APP_SERVICE_PUBLIC_ACCESS_DISABLED: &str =
    "HTTP 403 Forbidden: the web app has blocked access from the public network (exact page text UNVERIFIED)";
/// A service with public access disabled whose refusal text is not documented here.
pub const GENERIC_PUBLIC_ACCESS_DISABLED: &str =
    "the service refuses the connection: public network access is disabled (exact error UNVERIFIED)";
/// §2.4 UNVERIFIED: a private endpoint answers only its service's ports.
pub const PORT_NOT_SERVED: &str = "no answer on this port (UNVERIFIED: timeout or reset)";
/// A dropped packet: nothing answers.
pub const TIMEOUT: &str = "connection timed out";
