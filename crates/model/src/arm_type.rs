//! The ARM resource types privlink names in code, spelt as Azure's documentation spells them.
//!
//! A type name is an Azure fact: it is written here once, and code names it through these
//! constants (`id.is_type(arm_type::SITES)`). The only other places that write type names are the
//! engine's service catalog (`engine::catalog`, whose table is keyed by type) and the loader's
//! typing (`load::typed`), whose dispatch by lower-cased type is the table mapping each type to
//! its family. [`KNOWN`] is the spelling privlink shows for each type it types, whatever casing a
//! document used.

// Virtual networks and what hangs off them.
pub const VIRTUAL_NETWORKS: &str = "Microsoft.Network/virtualNetworks";
pub const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";
pub const VIRTUAL_NETWORK_PEERINGS: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
pub const NETWORK_SECURITY_GROUPS: &str = "Microsoft.Network/networkSecurityGroups";
pub const SECURITY_RULES: &str = "Microsoft.Network/networkSecurityGroups/securityRules";
pub const ROUTE_TABLES: &str = "Microsoft.Network/routeTables";
pub const ROUTES: &str = "Microsoft.Network/routeTables/routes";
pub const NETWORK_INTERFACES: &str = "Microsoft.Network/networkInterfaces";
pub const PRIVATE_ENDPOINTS: &str = "Microsoft.Network/privateEndpoints";
pub const PRIVATE_DNS_ZONE_GROUPS: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
pub const AZURE_FIREWALLS: &str = "Microsoft.Network/azureFirewalls";
pub const FIREWALL_POLICIES: &str = "Microsoft.Network/firewallPolicies";

// Private DNS and the DNS private resolver.
pub const PRIVATE_DNS_ZONES: &str = "Microsoft.Network/privateDnsZones";
pub const PRIVATE_DNS_A_RECORDS: &str = "Microsoft.Network/privateDnsZones/A";
pub const PRIVATE_DNS_AAAA_RECORDS: &str = "Microsoft.Network/privateDnsZones/AAAA";
pub const PRIVATE_DNS_CNAME_RECORDS: &str = "Microsoft.Network/privateDnsZones/CNAME";
pub const PRIVATE_DNS_ZONE_LINKS: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
pub const DNS_RESOLVERS: &str = "Microsoft.Network/dnsResolvers";
pub const DNS_RESOLVER_INBOUND_ENDPOINTS: &str = "Microsoft.Network/dnsResolvers/inboundEndpoints";
pub const DNS_RESOLVER_OUTBOUND_ENDPOINTS: &str = "Microsoft.Network/dnsResolvers/outboundEndpoints";
pub const DNS_FORWARDING_RULESETS: &str = "Microsoft.Network/dnsForwardingRulesets";
pub const FORWARDING_RULES: &str = "Microsoft.Network/dnsForwardingRulesets/forwardingRules";
pub const FORWARDING_RULESET_LINKS: &str = "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks";

// App Service. The plan type is `serverfarms` in the template reference; a subnet delegation's
// service name (`Microsoft.Web/serverFarms`) is another fact, in `engine::catalog`.
pub const SERVER_FARMS: &str = "Microsoft.Web/serverfarms";
pub const SITES: &str = "Microsoft.Web/sites";
pub const SITE_CONFIG: &str = "Microsoft.Web/sites/config";
pub const SITE_VIRTUAL_NETWORK_CONNECTIONS: &str = "Microsoft.Web/sites/virtualNetworkConnections";
pub const SITE_NETWORK_CONFIG: &str = "Microsoft.Web/sites/networkConfig";
pub const SITE_SLOTS: &str = "Microsoft.Web/sites/slots";
pub const SLOT_CONFIG: &str = "Microsoft.Web/sites/slots/config";

// Backends behind private endpoints.
pub const SQL_SERVERS: &str = "Microsoft.Sql/servers";
pub const SQL_DATABASES: &str = "Microsoft.Sql/servers/databases";
pub const SQL_ADMINISTRATORS: &str = "Microsoft.Sql/servers/administrators";
pub const SQL_AD_ONLY_AUTHENTICATIONS: &str = "Microsoft.Sql/servers/azureADOnlyAuthentications";
pub const REDIS: &str = "Microsoft.Cache/Redis";
pub const KEY_VAULTS: &str = "Microsoft.KeyVault/vaults";
pub const KEY_VAULT_SECRETS: &str = "Microsoft.KeyVault/vaults/secrets";
pub const COGNITIVE_SERVICES_ACCOUNTS: &str = "Microsoft.CognitiveServices/accounts";
pub const STORAGE_ACCOUNTS: &str = "Microsoft.Storage/storageAccounts";

// Scopes and deployments.
pub const SUBSCRIPTIONS: &str = "Microsoft.Resources/subscriptions";
pub const RESOURCE_GROUPS: &str = "Microsoft.Resources/resourceGroups";
pub const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";
pub const MANAGEMENT_GROUPS: &str = "Microsoft.Management/managementGroups";

// Kept as opaque documents, but named where other inputs are mapped to ARM (Terraform plans).
pub const PUBLIC_IP_ADDRESSES: &str = "Microsoft.Network/publicIPAddresses";
pub const APPLICATION_GATEWAYS: &str = "Microsoft.Network/applicationGateways";
pub const PRIVATE_LINK_SERVICES: &str = "Microsoft.Network/privateLinkServices";
pub const USER_ASSIGNED_IDENTITIES: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

// Access. A role assignment is an extension resource: its id extends the id of its scope.
pub const ROLE_ASSIGNMENTS: &str = "Microsoft.Authorization/roleAssignments";
pub const ROLE_DEFINITIONS: &str = "Microsoft.Authorization/roleDefinitions";
pub const REDIS_ACCESS_POLICY_ASSIGNMENTS: &str = "Microsoft.Cache/redis/accessPolicyAssignments";
/// privlink's own declaration of what ARM cannot show: a database's contained users. Its id
/// extends the database's id: `{database}/providers/Privlink.Declarations/sqlContainedUsers/{name}`.
pub const SQL_CONTAINED_USERS: &str = "Privlink.Declarations/sqlContainedUsers";
/// The namespace of role assignments and definitions (extension resources at any scope).
pub const AUTHORIZATION_NAMESPACE: &str = "Microsoft.Authorization";

/// The resource provider namespace of networking resources (every type above that starts with it).
pub const NETWORK_NAMESPACE: &str = "Microsoft.Network";

/// [`SUBSCRIPTIONS`] and [`RESOURCE_GROUPS`] lower-cased, as type keys, for ids whose type has no
/// `/providers/` segment to take it from.
pub(crate) const SUBSCRIPTIONS_KEY: &str = "microsoft.resources/subscriptions";
pub(crate) const RESOURCE_GROUPS_KEY: &str = "microsoft.resources/resourcegroups";

/// The types privlink types, in the spelling it shows (see [`crate::canonical_type`]).
pub const KNOWN: &[&str] = &[
    VIRTUAL_NETWORKS,
    SUBNETS,
    VIRTUAL_NETWORK_PEERINGS,
    NETWORK_SECURITY_GROUPS,
    SECURITY_RULES,
    ROUTE_TABLES,
    ROUTES,
    NETWORK_INTERFACES,
    PRIVATE_ENDPOINTS,
    PRIVATE_DNS_ZONE_GROUPS,
    AZURE_FIREWALLS,
    FIREWALL_POLICIES,
    PRIVATE_DNS_ZONES,
    PRIVATE_DNS_A_RECORDS,
    PRIVATE_DNS_AAAA_RECORDS,
    PRIVATE_DNS_CNAME_RECORDS,
    PRIVATE_DNS_ZONE_LINKS,
    DNS_RESOLVERS,
    DNS_RESOLVER_INBOUND_ENDPOINTS,
    DNS_RESOLVER_OUTBOUND_ENDPOINTS,
    DNS_FORWARDING_RULESETS,
    FORWARDING_RULES,
    FORWARDING_RULESET_LINKS,
    SERVER_FARMS,
    SITES,
    SITE_CONFIG,
    SITE_VIRTUAL_NETWORK_CONNECTIONS,
    SQL_SERVERS,
    SQL_DATABASES,
    REDIS,
    KEY_VAULTS,
    COGNITIVE_SERVICES_ACCOUNTS,
    STORAGE_ACCOUNTS,
    ROLE_ASSIGNMENTS,
    USER_ASSIGNED_IDENTITIES,
    KEY_VAULT_SECRETS,
    REDIS_ACCESS_POLICY_ASSIGNMENTS,
    SQL_CONTAINED_USERS,
];

/// Whether `ty` lies under `prefix`, a namespace or a type, i.e. starts with `prefix` and `/`
/// (case-insensitive): `Microsoft.Network/privateDnsZones/A` lies under
/// [`PRIVATE_DNS_ZONES`] and under [`NETWORK_NAMESPACE`].
pub fn is_under(ty: &str, prefix: &str) -> bool {
    ty.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix)) && ty[prefix.len()..].starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_keys_are_the_types_lower_cased() {
        assert_eq!(SUBSCRIPTIONS_KEY, SUBSCRIPTIONS.to_ascii_lowercase());
        assert_eq!(RESOURCE_GROUPS_KEY, RESOURCE_GROUPS.to_ascii_lowercase());
    }

    #[test]
    fn a_type_lies_under_its_namespace_and_parents_only() {
        assert!(is_under("microsoft.network/privatednszones/a", PRIVATE_DNS_ZONES));
        assert!(is_under(PRIVATE_DNS_ZONE_LINKS, NETWORK_NAMESPACE));
        assert!(!is_under(PRIVATE_DNS_ZONES, PRIVATE_DNS_ZONES));
        assert!(!is_under("Microsoft.NetworkFunction/x", NETWORK_NAMESPACE));
        assert!(!is_under(SITES, NETWORK_NAMESPACE));
    }
}
