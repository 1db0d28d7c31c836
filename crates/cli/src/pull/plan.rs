//! The plan of reads: which ARM list and get calls give the model everything it types, including
//! the children a subscription-scope list does not return (record sets and VNet links per zone,
//! zone groups per endpoint, app settings and `config/web` per app and slot, VNet connections,
//! subnets and peerings, resolver endpoints, ruleset rules and links, backends' connections).

use privlink_engine::catalog;
use privlink_model::{arm_type, ResourceId};
use serde_json::Value;

/// What to do with a read's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `…/resources`: which top-level types the scope holds, to list each.
    Discovery { scope: String },
    /// A provider's metadata: api-versions for `types` (listed at `scope`) outside the catalog.
    Provider { scope: String, types: Vec<String> },
    /// A `{"value": [...]}` list of documents, each kept and its children read.
    Documents,
    /// One document, kept.
    Document,
    /// App settings or connection strings (`POST …/list`): redacted, then kept.
    Settings,
    /// A bare array of documents (`sites/{n}/virtualNetworkConnections`).
    BareArray,
}

/// One ARM call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub method: &'static str,
    /// The path below the endpoint, without the api-version.
    pub path: String,
    pub api_version: String,
    pub answer: Answer,
    /// The RBAC action the call needs, named when it is refused.
    pub permission: String,
    /// A 404 or 400 means the resource has no such children (or its provider offers no such
    /// list), not a failed read.
    pub optional: bool,
}

impl Read {
    fn get(path: String, api_version: &str, answer: Answer, permission: String) -> Read {
        Read { method: "GET", path, api_version: api_version.to_string(), answer, permission, optional: false }
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The reads that start a pull of `subscription`: its resource groups (or the named ones), the
/// resources in it (discovery), and its role assignments.
pub fn initial_reads(subscription: &str, groups: &[String]) -> Vec<Read> {
    let sub = format!("/subscriptions/{subscription}");
    let rm = catalog::RESOURCE_MANAGER_API_VERSION;
    let read = |ty: &str| format!("{ty}/read");
    let roles = catalog::api_version(arm_type::ROLE_ASSIGNMENTS).unwrap_or(rm);
    let mut reads = Vec::new();
    if groups.is_empty() {
        reads.push(Read::get(format!("{sub}/resourcegroups"), rm, Answer::Documents, read(arm_type::RESOURCE_GROUPS)));
        reads.push(Read::get(
            format!("{sub}/resources"),
            rm,
            Answer::Discovery { scope: sub.clone() },
            format!("{}/resources/read", arm_type::SUBSCRIPTIONS),
        ));
        reads.push(Read::get(
            format!("{sub}/providers/{}", arm_type::ROLE_ASSIGNMENTS),
            roles,
            Answer::Documents,
            read(arm_type::ROLE_ASSIGNMENTS),
        ));
    }
    for group in groups {
        let scope = format!("{sub}/resourceGroups/{group}");
        reads.push(Read::get(scope.clone(), rm, Answer::Document, read(arm_type::RESOURCE_GROUPS)));
        reads.push(Read::get(
            format!("{scope}/resources"),
            rm,
            Answer::Discovery { scope: scope.clone() },
            format!("{}/resources/read", arm_type::RESOURCE_GROUPS),
        ));
        reads.push(Read::get(
            format!("{scope}/providers/{}", arm_type::ROLE_ASSIGNMENTS),
            roles,
            Answer::Documents,
            read(arm_type::ROLE_ASSIGNMENTS),
        ));
    }
    reads
}

/// The list of every resource of `resource_type` at `scope` (a subscription or a group).
pub fn type_list(scope: &str, resource_type: &str, api_version: &str) -> Read {
    Read::get(
        format!("{scope}/providers/{resource_type}"),
        api_version,
        Answer::Documents,
        format!("{resource_type}/read"),
    )
}

/// The metadata read giving api-versions for `types` of `namespace`, listed at `scope`.
pub fn provider_read(scope: &str, namespace: &str, types: Vec<String>) -> Read {
    let subscription = scope.split('/').nth(2).unwrap_or_default();
    Read::get(
        format!("/subscriptions/{subscription}/providers/{namespace}"),
        catalog::RESOURCE_MANAGER_API_VERSION,
        Answer::Provider { scope: scope.to_string(), types },
        format!("{}/providers/read", arm_type::SUBSCRIPTIONS),
    )
}

/// The api-version a provider's metadata offers for `resource_type`: its newest stable one.
pub fn api_version_from_metadata(metadata: &Value, resource_type: &str) -> Option<String> {
    let short = resource_type.split_once('/').map_or(resource_type, |(_, t)| t);
    let entry = metadata["resourceTypes"]
        .as_array()?
        .iter()
        .find(|t| t["resourceType"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(short)))?;
    let versions: Vec<&str> = entry["apiVersions"].as_array()?.iter().filter_map(Value::as_str).collect();
    let stable = versions.iter().filter(|v| !v.contains("preview")).max();
    stable.or(versions.iter().max()).map(|v| v.to_string())
}

/// The child reads for a document a list returned: what its type has below it that the model
/// reads. Top-level resources and App Service slots have children; other children do not. A type
/// outside the catalog's api-versions is read with `list_version`, the version it was listed with.
pub fn children_of(doc: &Value, list_version: &str) -> Vec<Read> {
    let Some(id) = doc.get("id").and_then(Value::as_str).and_then(|t| ResourceId::parse(t).ok()) else {
        return Vec::new();
    };
    let ty = id.resource_type();
    let is_slot = id.is_type(arm_type::SITE_SLOTS);
    if id.names().count() != 1 && !is_slot {
        return Vec::new();
    }
    let Some(version) = catalog::api_version(&ty) else {
        return backend_children(&id, &ty, doc, list_version);
    };
    let list = |segment: &str| {
        Read::get(format!("{id}/{segment}"), version, Answer::Documents, format!("{ty}/{segment}/read"))
    };
    let mut reads = Vec::new();
    if id.is_type(arm_type::VIRTUAL_NETWORKS) {
        reads.extend([list("subnets"), list("virtualNetworkPeerings")]);
    } else if id.is_type(arm_type::PRIVATE_DNS_ZONES) {
        let mut records = list("ALL");
        records.permission = format!("{ty}/ALL/read");
        reads.extend([records, list("virtualNetworkLinks")]);
    } else if id.is_type(arm_type::PRIVATE_ENDPOINTS) {
        reads.push(list("privateDnsZoneGroups"));
    } else if id.is_type(arm_type::DNS_RESOLVERS) {
        reads.extend([list("inboundEndpoints"), list("outboundEndpoints")]);
    } else if id.is_type(arm_type::DNS_FORWARDING_RULESETS) {
        reads.extend([list("forwardingRules"), list("virtualNetworkLinks")]);
    } else if id.is_type(arm_type::SITES) || is_slot {
        let config = format!("{ty}/config");
        for settings in ["appsettings", "connectionstrings"] {
            reads.push(Read {
                method: "POST",
                path: format!("{id}/config/{settings}/list"),
                api_version: version.to_string(),
                answer: Answer::Settings,
                permission: format!("{config}/list/action"),
                optional: false,
            });
        }
        reads.push(Read::get(format!("{id}/config/web"), version, Answer::Document, format!("{config}/read")));
        let mut connections = list("virtualNetworkConnections");
        connections.answer = Answer::BareArray;
        reads.push(connections);
        if !is_slot {
            reads.push(list("slots"));
        }
    } else if id.is_type(arm_type::SQL_SERVERS) {
        for segment in
            ["databases", "firewallRules", "virtualNetworkRules", "administrators", "azureADOnlyAuthentications"]
        {
            let mut read = list(segment);
            read.optional = true;
            reads.push(read);
        }
    } else if id.is_type(arm_type::KEY_VAULTS) {
        // Names, versions and enabled flags only: ARM never returns a secret's value.
        let mut read = list("secrets");
        read.optional = true;
        reads.push(read);
    } else if id.is_type(arm_type::REDIS) {
        let mut read = list("accessPolicyAssignments");
        read.optional = true;
        reads.push(read);
    }
    reads.extend(backend_children(&id, &ty, doc, version));
    reads
}

/// A backend's `privateEndpointConnections`, listed at their own URL (some services return
/// connections there that their document does not embed).
fn backend_children(id: &ResourceId, ty: &str, doc: &Value, version: &str) -> Vec<Read> {
    let is_backend = catalog::backend_kind(ty).is_some()
        || catalog::is_private_link_type(ty)
        || doc.pointer("/properties/privateEndpointConnections").is_some();
    if !is_backend {
        return Vec::new();
    }
    vec![Read {
        method: "GET",
        path: format!("{id}/privateEndpointConnections"),
        api_version: version.to_string(),
        answer: Answer::Documents,
        permission: format!("{ty}/privateEndpointConnections/read"),
        optional: true,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(doc: Value) -> Vec<String> {
        children_of(&doc, "2020-01-01").iter().map(Read::describe).collect()
    }

    #[test]
    fn an_app_reads_its_settings_config_connections_and_slots() {
        let site = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app";
        let reads = paths(json!({"id": site}));
        assert!(reads.contains(&format!("POST {site}/config/appsettings/list")), "{reads:?}");
        assert!(reads.contains(&format!("GET {site}/config/web")));
        assert!(reads.contains(&format!("GET {site}/virtualNetworkConnections")));
        assert!(reads.contains(&format!("GET {site}/slots")));
        let slot = paths(json!({"id": format!("{site}/slots/staging")}));
        assert!(slot.contains(&format!("POST {site}/slots/staging/config/appsettings/list")));
        assert!(!slot.iter().any(|r| r.ends_with("/slots")));
    }

    #[test]
    fn zones_endpoints_and_backends_read_their_children() {
        let zone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net";
        assert_eq!(paths(json!({"id": zone})), [format!("GET {zone}/ALL"), format!("GET {zone}/virtualNetworkLinks")]);
        let vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
        assert_eq!(
            paths(json!({"id": vault})),
            [format!("GET {vault}/secrets"), format!("GET {vault}/privateEndpointConnections")]
        );
        assert!(paths(json!({"id": format!("{zone}/A/x")})).is_empty());
    }

    #[test]
    fn metadata_gives_the_newest_stable_version() {
        let metadata = json!({"resourceTypes": [{"resourceType": "widgets", "apiVersions": ["2024-01-01-preview", "2023-05-01", "2022-01-01"]}]});
        assert_eq!(api_version_from_metadata(&metadata, "Contoso.Widgets/widgets").as_deref(), Some("2023-05-01"));
    }
}
