//! The ARM REST api-versions privlink reads each resource type with (`privlink pull`), each a
//! stable (non-preview) version whose response carries every property the loader types. Source:
//! the Azure REST API reference on Learn (https://learn.microsoft.com/rest/api/azure/), one page
//! per type: Virtual Networks, Private DNS, DNS Resolver, App Service, SQL, Key Vault, Redis,
//! Cognitive Services, Storage, Authorization, Resources.

use privlink_model::arm_type;

/// Resource Manager's own collections (`/subscriptions/{s}/resources`, `resourcegroups`,
/// provider metadata).
pub const RESOURCE_MANAGER_API_VERSION: &str = "2021-04-01";

/// Networking (`Microsoft.Network`) types other than private DNS and the DNS resolver.
const NETWORK_API_VERSION: &str = "2023-11-01";

/// Types with an api-version of their own; a type's children are read with its version.
static API_VERSIONS: &[(&str, &str)] = &[
    (arm_type::PRIVATE_DNS_ZONES, "2020-06-01"),
    (arm_type::DNS_RESOLVERS, "2022-07-01"),
    (arm_type::DNS_FORWARDING_RULESETS, "2022-07-01"),
    (arm_type::SERVER_FARMS, "2023-12-01"),
    (arm_type::SITES, "2023-12-01"),
    (arm_type::SQL_SERVERS, "2021-11-01"),
    (arm_type::REDIS, "2023-08-01"),
    (arm_type::KEY_VAULTS, "2023-07-01"),
    (arm_type::COGNITIVE_SERVICES_ACCOUNTS, "2023-05-01"),
    (arm_type::STORAGE_ACCOUNTS, "2023-05-01"),
    (arm_type::ROLE_ASSIGNMENTS, "2022-04-01"),
    (arm_type::RESOURCE_GROUPS, RESOURCE_MANAGER_API_VERSION),
];

/// The api-version to read `resource_type` (a top-level type, or a child read with its
/// top-level type's version) with; `None` for a type outside the table, whose version a client
/// takes from the provider's metadata.
pub fn api_version(resource_type: &str) -> Option<&'static str> {
    let top_level = top_level_type(resource_type);
    if let Some((_, version)) = API_VERSIONS.iter().find(|(t, _)| t.eq_ignore_ascii_case(top_level)) {
        return Some(version);
    }
    let namespace = top_level.split('/').next().unwrap_or_default();
    namespace.eq_ignore_ascii_case(arm_type::NETWORK_NAMESPACE).then_some(NETWORK_API_VERSION)
}

/// `Namespace/type` of a possibly nested type (`Microsoft.Web/sites/config` → `Microsoft.Web/sites`).
fn top_level_type(resource_type: &str) -> &str {
    match resource_type.match_indices('/').nth(1) {
        Some((at, _)) => &resource_type[..at],
        None => resource_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_read_with_their_top_level_types_version() {
        assert_eq!(api_version(arm_type::SITE_CONFIG), api_version(arm_type::SITES));
        assert_eq!(api_version(arm_type::PRIVATE_DNS_ZONE_LINKS), Some("2020-06-01"));
        assert_eq!(api_version(arm_type::SUBNETS), Some(NETWORK_API_VERSION));
        assert_eq!(api_version("Contoso.Widgets/widgets"), None);
    }
}
