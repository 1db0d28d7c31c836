//! Bad input: an error or a diagnostic that names the file and the place, and loading goes on.

use privlink_load::{Input, Options};

fn load(inputs: Vec<Input>) -> Result<privlink_model::Model, privlink_load::InputError> {
    privlink_load::load(inputs, &Options::default())
}

fn load_str(name: &str, text: &str) -> Result<privlink_model::Model, privlink_load::InputError> {
    load(vec![Input::new(name, text.as_bytes().to_vec())])
}

const VNET: &str = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
  "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
  "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
    "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}"#;

#[test]
fn truncated_json_is_an_error_with_line_and_column() {
    let text = &VNET[..VNET.len() - 30];
    let err = load_str("estate/vnet.json", text).unwrap_err();
    assert_eq!(err.file, "estate/vnet.json");
    assert_eq!(err.line, Some(4));
    assert!(err.message.contains("ends early"), "{}", err.message);
    assert!(err.to_string().starts_with("estate/vnet.json:4:"), "{err}");
}

#[test]
fn not_json_is_an_error() {
    let err = load_str("x.json", "resource \"azurerm_subnet\" {}").unwrap_err();
    assert_eq!((err.line, err.column), (Some(1), Some(1)));
    assert!(err.message.contains("not valid JSON"));
}

#[test]
fn bad_prefix_is_a_diagnostic_with_pointer_and_loading_continues() {
    let text = VNET.replace("10.0.1.0/24", "10.0.1.0/33");
    let m = load_str("vnet.json", &text).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD005").expect("a prefix diagnostic");
    assert_eq!(d.file, "vnet.json");
    assert_eq!(d.pointer, "/properties/subnets/0/properties/addressPrefix");
    assert!(d.message.contains("10.0.1.0/33"));
    assert_eq!(m.resources.virtual_networks.len(), 1, "the VNet still loads");
    assert_eq!(m.resources.subnets.len(), 1, "the subnet still loads, without a prefix");
}

#[test]
fn host_bits_in_a_prefix_are_named() {
    let m = load_str("vnet.json", &VNET.replace("10.0.1.0/24", "10.0.1.7/24")).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD005").unwrap();
    assert!(d.message.contains("10.0.1.0/24"), "suggests the network address: {}", d.message);
}

#[test]
fn subnet_outside_its_vnet_is_a_diagnostic() {
    let m = load_str("vnet.json", &VNET.replace("10.0.1.0/24", "10.1.1.0/24")).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD006").expect("outside-address-space diagnostic");
    assert!(d.message.contains("10.1.1.0/24") && d.message.contains("10.0.0.0/16"), "{}", d.message);
    assert_eq!(d.pointer, "/properties/subnets/0/properties/addressPrefix");
}

#[test]
fn wrong_types_are_diagnostics_naming_the_pointer() {
    let text = VNET.replace(r#""addressPrefixes": ["10.0.0.0/16"]"#, r#""addressPrefixes": "10.0.0.0/16""#);
    let m = load_str("vnet.json", &text).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD008").expect("type diagnostic");
    assert_eq!(d.pointer, "/properties/addressSpace/addressPrefixes");
    assert!(d.message.contains("expected an array, found a string"), "{}", d.message);
}

#[test]
fn missing_required_field_is_named() {
    let text = r#"[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.com/virtualNetworkLinks/l",
        "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "properties": {"registrationEnabled": false}}]"#;
    let m = load_str("links.json", text).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD007").expect("missing-field diagnostic");
    assert_eq!(d.pointer, "/0/properties/virtualNetwork");
}

#[test]
fn bad_resource_id_is_a_diagnostic_and_others_still_load() {
    let text = format!(r#"[{{"id": "not-an-id", "type": "x", "name": "x"}}, {VNET}]"#);
    let m = load_str("mixed.json", &text).unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD003").unwrap();
    assert_eq!(d.pointer, "/0/id");
    assert_eq!(m.resources.virtual_networks.len(), 1);
}

#[test]
fn same_id_twice_with_different_content_names_both_places() {
    let other = VNET.replace("westeurope", "northeurope");
    let m = load(vec![Input::new("a.json", VNET.as_bytes().to_vec()), Input::new("b.json", other.as_bytes().to_vec())])
        .unwrap();
    let d = m.diagnostics.iter().find(|d| d.code == "LOAD004").expect("duplicate diagnostic");
    assert!(d.file == "b.json" && d.message.contains("a.json"), "{d}");
}

#[test]
fn inline_and_standalone_subnet_merge_without_a_diagnostic() {
    let subnet = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
        "name": "a", "type": "Microsoft.Network/virtualNetworks/subnets",
        "properties": {"addressPrefix": "10.0.1.0/24", "privateEndpointNetworkPolicies": "NetworkSecurityGroupEnabled"}}"#;
    let m = load(vec![
        Input::new("vnet.json", VNET.as_bytes().to_vec()),
        Input::new("subnet.json", subnet.as_bytes().to_vec()),
    ])
    .unwrap();
    assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
    let s = m.resources.subnets.values().next().unwrap();
    assert!(s.private_endpoint_policies.network_security_groups && !s.private_endpoint_policies.route_tables);
    assert_eq!(m.resources.virtual_networks.values().next().unwrap().subnets.len(), 1);
}

#[test]
fn dangling_reference_is_info() {
    let pe = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe", "type": "Microsoft.Network/privateEndpoints",
        "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/zzz"},
        "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "groupIds": ["vault"]}}]}}"#;
    let m =
        load(vec![Input::new("vnet.json", VNET.as_bytes().to_vec()), Input::new("pe.json", pe.as_bytes().to_vec())])
            .unwrap();
    let infos: Vec<_> = m.diagnostics.iter().filter(|d| d.code == "LOAD009").collect();
    assert_eq!(infos.len(), 2, "{infos:?}");
    assert!(infos.iter().all(|d| d.severity == privlink_model::Severity::Info));
    // A connection written without state is what Azure makes of an automatic connection.
    assert_eq!(
        m.resources.private_endpoints.values().next().unwrap().connections[0].status,
        privlink_model::ConnectionStatus::Approved
    );
}

#[test]
fn unknown_types_are_kept_and_counted() {
    let text = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Foo/bars/b", "type": "Microsoft.Foo/bars", "properties": {}}"#;
    let m = load_str("foo.json", text).unwrap();
    assert_eq!(m.resources.opaque.len(), 1);
    assert_eq!(m.counts_by_type().get("Microsoft.Foo/bars"), Some(&1));
}

/// ARM accepts templates with comments, trailing commas and multi-line strings (azure-semantics
/// §18 quirks 2 and 3); so does privlink, and a real syntax error in such a file still names its
/// line and column.
#[test]
fn templates_with_comments_trailing_commas_and_multi_line_strings_load() {
    let text = r#"{
  // a quickstart's comment
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { /* the zone */ "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2020-06-01",
      "name": "[concat('privatelink.',
                'vaultcore.azure.net')]", "location": "global", },
  ],
}
"#;
    let model = privlink_load::load(
        vec![privlink_load::Input::new("azuredeploy.json", text.as_bytes().to_vec())],
        &privlink_load::Options::default(),
    )
    .expect("ARM accepts this template");
    let zones: Vec<&str> = model.resources.private_dns_zones.values().map(|z| z.zone.as_str()).collect();
    assert_eq!(zones, ["privatelink.vaultcore.azure.net"]);

    let broken = "{\n  // fine\n  \"resources\": [1 2]\n}\n";
    let err = privlink_load::load(
        vec![privlink_load::Input::new("broken.json", broken.as_bytes().to_vec())],
        &privlink_load::Options::default(),
    )
    .unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("broken.json", Some(3)), "{err}");
}
