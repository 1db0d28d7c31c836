//! Real public ARM documents (../shared/reference/arm) through the loader.

use privlink_load::{load, Input, Options};
use privlink_model::*;
use privlink_testkit::skip_or_fail;
use std::path::{Path, PathBuf};

fn reference_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/arm/rest-examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip_or_fail(&format!("{} is missing (shared/ is not beside the repository)", dir.display()));
        None
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    privlink_testkit::json_files_under(dir)
}

fn load_file(path: &Path) -> Model {
    let input = Input::new(path.display().to_string(), std::fs::read(path).unwrap());
    load(vec![input], &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn load_example(rel: &str) -> Option<Model> {
    Some(load_file(&reference_dir()?.join(rel)))
}

#[test]
fn every_rest_example_loads_without_error() {
    let Some(dir) = reference_dir() else { return };
    let files = files_under(&dir);
    assert!(files.len() > 50, "expected the reference set, found {} files", files.len());
    let total = files.len();
    let mut without_resources = Vec::new();
    for f in files {
        let model = load_file(&f);
        if model.documents.is_empty() {
            without_resources.push(f.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    // Only responses that are not resources (effective route lists) may yield nothing.
    assert_eq!(without_resources, vec!["NetworkInterfaceEffectiveRouteTableList.json".to_string()], "of {total} files");
}

#[test]
fn private_endpoint_example_has_its_group_id_and_connection_state() {
    let Some(m) = load_example("Microsoft.Network/2026-01-01/PrivateEndpointGet.json") else { return };
    let raw: serde_json::Value = serde_json::from_slice(
        &std::fs::read(reference_dir().unwrap().join("Microsoft.Network/2026-01-01/PrivateEndpointGet.json")).unwrap(),
    )
    .unwrap();
    let conn = &raw["responses"]["200"]["body"]["properties"]["privateLinkServiceConnections"][0]["properties"];
    let pe = m.resources.private_endpoints.values().next().expect("one private endpoint");
    let c = pe.primary_connection().unwrap();
    assert_eq!(c.group_ids, vec![conn["groupIds"][0].as_str().unwrap().to_string()]);
    assert_eq!(c.status.as_str(), conn["privateLinkServiceConnectionState"]["status"].as_str().unwrap());
    assert_eq!(c.target.as_ref().unwrap().as_str(), conn["privateLinkServiceId"].as_str().unwrap());
    assert!(!c.manual);
}

#[test]
fn manual_approval_example_is_pending_and_manual() {
    let Some(m) = load_example("Microsoft.Network/2026-01-01/PrivateEndpointGetForManualApproval.json") else { return };
    let pe = m.resources.private_endpoints.values().next().unwrap();
    let c = pe.primary_connection().unwrap();
    assert!(c.manual);
}

#[test]
fn subnet_delegation_example_reads_the_service_name() {
    let Some(m) = load_example("Microsoft.Network/2026-01-01/SubnetGetWithDelegation.json") else { return };
    let raw: serde_json::Value = serde_json::from_slice(
        &std::fs::read(reference_dir().unwrap().join("Microsoft.Network/2026-01-01/SubnetGetWithDelegation.json"))
            .unwrap(),
    )
    .unwrap();
    let expected =
        raw["responses"]["200"]["body"]["properties"]["delegations"][0]["properties"]["serviceName"].as_str().unwrap();
    let subnet = m.resources.subnets.values().next().unwrap();
    assert_eq!(subnet.delegations, vec![expected.to_string()]);
}

#[test]
fn zone_group_example_points_at_its_zone() {
    let path = "Microsoft.Network/2026-01-01/PrivateEndpointDnsZoneGroupGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let zone = raw["responses"]["200"]["body"]["properties"]["privateDnsZoneConfigs"][0]["properties"]
        ["privateDnsZoneId"]
        .as_str()
        .unwrap();
    let zg = m.resources.zone_groups.values().next().unwrap();
    assert_eq!(zg.configs[0].zone.as_ref().unwrap().as_str(), zone);
}

#[test]
fn vnet_link_example_reads_vnet_and_registration() {
    let path = "Microsoft.Network/2024-06-01/VirtualNetworkLinkGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let body = &raw["responses"]["200"]["body"]["properties"];
    let link = m.resources.virtual_network_links.values().next().unwrap();
    assert_eq!(link.vnet.as_ref().unwrap().as_str(), body["virtualNetwork"]["id"].as_str().unwrap());
    assert_eq!(link.registration_enabled, body["registrationEnabled"].as_bool().unwrap());
}

#[test]
fn record_set_example_reads_addresses_and_ttl() {
    let path = "Microsoft.Network/2024-06-01/RecordSetAGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let body = &raw["responses"]["200"]["body"]["properties"];
    let rs = m.resources.record_sets.values().next().unwrap();
    assert_eq!(rs.ttl as u64, body["ttl"].as_u64().unwrap());
    assert_eq!(rs.addresses()[0].to_string(), body["aRecords"][0]["ipv4Address"].as_str().unwrap());
}

#[test]
fn nsg_example_has_custom_and_default_rules() {
    let path = "Microsoft.Network/2026-01-01/NetworkSecurityGroupGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let body = &raw["responses"]["200"]["body"]["properties"];
    let nsg = m.resources.network_security_groups.values().next().unwrap();
    assert_eq!(nsg.default_rules.len(), body["defaultSecurityRules"].as_array().unwrap().len());
    assert_eq!(nsg.rules.len(), body["securityRules"].as_array().map(Vec::len).unwrap_or(0));
}

#[test]
fn route_table_example_reads_next_hops() {
    let path = "Microsoft.Network/2026-01-01/RouteTableGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let route = &raw["responses"]["200"]["body"]["properties"]["routes"][0];
    let table = m.resources.route_tables.values().next().unwrap();
    let r = table.routes.iter().find(|r| r.name == route["name"].as_str().unwrap()).unwrap();
    assert_eq!(r.next_hop_type.as_arm(), route["properties"]["nextHopType"].as_str().unwrap());
    assert_eq!(r.address_prefix, route["properties"]["addressPrefix"].as_str().unwrap());
}

#[test]
fn key_vault_example_reads_network_acls() {
    let path = "Microsoft.KeyVault/2025-05-01/createVaultWithNetworkAcls.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let acls = &raw["responses"]["200"]["body"]["properties"]["networkAcls"];
    let kv = m.resources.backends.values().find(|b| b.kind == BackendKind::KeyVault).unwrap();
    let got = kv.network_acls.as_ref().unwrap();
    assert_eq!(got.default_action.as_deref(), acls["defaultAction"].as_str());
    assert_eq!(got.ip_rules.len(), acls["ipRules"].as_array().unwrap().len());
}

#[test]
fn web_app_example_reads_plan_and_kind() {
    let path = "Microsoft.Web/2025-05-01/GetWebApp.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let body = &raw["responses"]["200"]["body"];
    let site = m.resources.sites.values().next().unwrap();
    assert_eq!(site.plan.as_ref().unwrap().as_str(), body["properties"]["serverFarmId"].as_str().unwrap());
    assert_eq!(site.kind.as_deref(), body["kind"].as_str());
}

#[test]
fn redis_example_reads_ports() {
    let path = "Microsoft.Cache/2024-11-01/RedisCacheGet.json";
    let Some(m) = load_example(path) else { return };
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_dir().unwrap().join(path)).unwrap()).unwrap();
    let body = &raw["responses"]["200"]["body"]["properties"];
    let redis = m.resources.backends.values().find(|b| b.kind == BackendKind::Redis).unwrap();
    assert_eq!(redis.redis_ssl_port.map(u64::from), body["sslPort"].as_u64());
    assert_eq!(redis.redis_non_ssl_port_enabled, body["enableNonSslPort"].as_bool().unwrap_or(false));
}

#[test]
fn sql_private_endpoint_connection_child_merges_into_the_server() {
    let path = "Microsoft.Sql/2023-08-01/PrivateEndpointConnectionGet.json";
    let Some(m) = load_example(path) else { return };
    // The server itself is not in this file: the connection stays an opaque child document.
    assert_eq!(m.documents.len(), 1);
}
