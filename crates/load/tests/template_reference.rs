//! Every reference template under shared/reference/arm/templates evaluates, and what it deploys
//! matches the template's intent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use privlink_load::template::{evaluate, DeploymentScope, EvaluateOptions, Evaluation, Parameters};
use privlink_testkit::skip_or_fail;
use serde_json::{json, Value as Json};

fn templates_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/arm/templates");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip_or_fail(&format!(
            "reference templates not found at {} (shared/ must sit beside the repository)",
            dir.display()
        ));
        None
    }
}

fn read_json(path: &std::path::Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scope() -> DeploymentScope {
    DeploymentScope::resource_group("00000000-0000-0000-0000-000000000001", "rg-privlink", "westeurope")
}

/// Values for required parameters of templates that ship without a parameters file.
fn extra_parameters(slug: &str) -> Json {
    let subnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe";
    match slug {
        "eslz-private-dns-zones" => {
            json!({"privateDnsZoneName": "privatelink.vaultcore.azure.net", "connectivityHubResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub"})
        }
        "eslz-vnet-route-table" => {
            json!({"topLevelManagementGroupPrefix": "alz", "connectivityHubResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub", "subnetName": "snet-app", "cidrRange": "10.1.0.0/24", "targetFWSubnetCidr": "10.100.0.0/24", "sourceFWSubnetCidr": "10.100.1.0/24", "hubLocation": "westeurope"})
        }
        "avm-private-endpoint" => {
            json!({"name": "pe-kv", "subnetResourceId": subnet, "privateLinkServiceConnections": [{"name": "kv", "properties": {"privateLinkServiceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.KeyVault/vaults/kv1", "groupIds": ["vault"]}}], "privateDnsZoneGroup": {"privateDnsZoneGroupConfigs": [{"privateDnsZoneResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"}]}})
        }
        "avm-private-dns-zone" => {
            json!({"name": "privatelink.blob.core.windows.net", "virtualNetworkLinks": [{"virtualNetworkResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/virtualNetworks/vnet"}], "a": [{"name": "mystorage", "aRecords": [{"ipv4Address": "10.0.1.4"}]}]})
        }
        "avm-virtual-network" => {
            json!({"name": "vnet", "addressPrefixes": ["10.0.0.0/16"], "subnets": [{"name": "pe", "addressPrefix": "10.0.1.0/24", "privateEndpointNetworkPolicies": "Disabled"}, {"name": "app", "addressPrefix": "10.0.2.0/24", "delegation": "Microsoft.Web/serverFarms"}]})
        }
        "avm-dns-resolver" => {
            json!({"name": "resolver", "virtualNetworkResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/virtualNetworks/vnet", "inboundEndpoints": [{"name": "in", "subnetResourceId": subnet}]})
        }
        "avm-web-site" => {
            json!({"name": "app-privlink", "kind": "app", "serverFarmResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Web/serverfarms/plan", "virtualNetworkSubnetResourceId": subnet, "privateEndpoints": [{"subnetResourceId": subnet, "privateDnsZoneGroup": {"privateDnsZoneGroupConfigs": [{"privateDnsZoneResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net"}]}}]})
        }
        "avm-key-vault" => {
            json!({"name": "kv-privlink", "privateEndpoints": [{"subnetResourceId": subnet, "privateDnsZoneGroup": {"privateDnsZoneGroupConfigs": [{"privateDnsZoneResourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"}]}}]})
        }
        _ => json!({}),
    }
}

fn evaluate_reference(dir: &std::path::Path, slug: &str) -> Evaluation {
    try_evaluate_reference(dir, slug).unwrap_or_else(|e| panic!("{e}"))
}

fn try_evaluate_reference(dir: &std::path::Path, slug: &str) -> Result<Evaluation, String> {
    let folder = dir.join(slug);
    let template = read_json(&folder.join("azuredeploy.json"));
    let parameters_path = folder.join("azuredeploy.parameters.json");
    let mut parameters = if parameters_path.exists() {
        Parameters::from_document(&read_json(&parameters_path)).unwrap()
    } else {
        Parameters::new()
    };
    if let Json::Object(extra) = extra_parameters(slug) {
        for (name, value) in extra {
            parameters.set(&name, value);
        }
    }
    evaluate(&template, &parameters, &scope(), &EvaluateOptions::default())
        .map_err(|e| e.in_file(format!("{slug}/azuredeploy.json")).to_string())
}

fn count_of_type(evaluation: &Evaluation, resource_type: &str) -> usize {
    evaluation
        .resources
        .iter()
        .filter(|r| r.document["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(resource_type)))
        .count()
}

fn names_of_type(evaluation: &Evaluation, resource_type: &str) -> Vec<String> {
    evaluation
        .resources
        .iter()
        .filter(|r| r.document["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(resource_type)))
        .map(|r| r.document["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_reference_template_evaluates() {
    let Some(dir) = templates_dir() else { return };
    let mut slugs: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    slugs.sort();
    let mut summary = BTreeMap::new();
    let mut failures = Vec::new();
    for slug in &slugs {
        let evaluation = match try_evaluate_reference(&dir, slug) {
            Ok(evaluation) => evaluation,
            Err(error) => {
                failures.push(error);
                continue;
            }
        };
        for resource in &evaluation.resources {
            let id = resource.document["id"].as_str().unwrap_or_default();
            assert!(id.starts_with("/subscriptions/") || id.starts_with("[unknown]"), "{slug}: bad id {id}");
        }
        summary
            .insert(slug.clone(), (evaluation.resources.len(), evaluation.unknowns.len(), evaluation.warnings.len()));
    }
    for (slug, (resources, unknowns, warnings)) in &summary {
        eprintln!("{slug}: {resources} resources, {unknowns} unknowns, {warnings} warnings");
    }
    assert!(failures.is_empty(), "{} templates failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
#[ignore = "prints what each reference template deploys; run with --ignored --nocapture"]
fn print_reference_evaluations() {
    let Some(dir) = templates_dir() else { return };
    let mut slugs: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    slugs.sort();
    for slug in slugs {
        let evaluation = evaluate_reference(&dir, &slug);
        eprintln!("== {slug}");
        let mut types: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &evaluation.resources {
            types
                .entry(r.document["type"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push(r.document["name"].as_str().unwrap_or_default().to_string());
        }
        for (t, names) in types {
            eprintln!("   {t}: {}", names.join(", "));
        }
        for u in &evaluation.unknowns {
            eprintln!(
                "   unknown {} {}: {}",
                u.resource_id.as_deref().unwrap_or("<outputs>").rsplit('/').next().unwrap_or_default(),
                u.pointer,
                u.reason
            );
        }
        for w in &evaluation.warnings {
            eprintln!("   warning: {w}");
        }
    }
}

fn resources_of_type<'e>(evaluation: &'e Evaluation, resource_type: &str) -> Vec<&'e Json> {
    evaluation
        .resources
        .iter()
        .filter(|r| r.document["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(resource_type)))
        .map(|r| &r.document)
        .collect()
}

fn group_ids(evaluation: &Evaluation) -> Vec<String> {
    let mut ids: Vec<String> = resources_of_type(evaluation, "Microsoft.Network/privateEndpoints")
        .iter()
        .flat_map(|pe| {
            let properties = &pe["properties"];
            let connections = properties["privateLinkServiceConnections"]
                .as_array()
                .into_iter()
                .chain(properties["manualPrivateLinkServiceConnections"].as_array())
                .flatten()
                .cloned()
                .collect::<Vec<_>>();
            connections
                .into_iter()
                .flat_map(|c| c["properties"]["groupIds"].as_array().cloned().unwrap_or_default())
                .map(|g| g.as_str().unwrap_or_default().to_string())
        })
        .collect();
    ids.sort();
    ids
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

const PE: &str = "Microsoft.Network/privateEndpoints";
const ZONE: &str = "Microsoft.Network/privateDnsZones";
const LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";

#[test]
fn private_dns_zone_quickstart_links_one_zone() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-private-dns-zone");
    assert_eq!(count_of_type(&evaluation, ZONE), 1);
    let links = resources_of_type(&evaluation, LINK);
    assert_eq!(links.len(), 1);
    assert!(links[0]["properties"]["registrationEnabled"].is_boolean());
    let vnet_id = links[0]["properties"]["virtualNetwork"]["id"].as_str().unwrap();
    assert!(vnet_id.contains("/providers/Microsoft.Network/virtualNetworks/"), "{vnet_id}");
}

#[test]
fn sql_private_endpoint_uses_the_sql_zone() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-private-endpoint-sql");
    assert_eq!(group_ids(&evaluation), ["sqlServer"]);
    assert_eq!(names_of_type(&evaluation, ZONE), ["privatelink.database.windows.net"]);
    let group = resources_of_type(&evaluation, ZONE_GROUP)[0];
    let zone_id = group["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"].as_str().unwrap();
    assert!(zone_id.ends_with("/privateDnsZones/privatelink.database.windows.net"), "{zone_id}");
    assert!(evaluation.unknowns.is_empty());
}

#[test]
fn key_vault_quickstart_has_two_endpoints_and_copied_secrets() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-key-vault-private-endpoint");
    assert_eq!(group_ids(&evaluation), ["blob", "vault"]);
    assert_eq!(
        sorted(names_of_type(&evaluation, ZONE)),
        ["privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"]
    );
    assert_eq!(count_of_type(&evaluation, "Microsoft.KeyVault/vaults/secrets"), 3);
    assert!(evaluation.unknowns.iter().any(|u| u.reason.starts_with("listKeys(")));
}

#[test]
fn function_app_storage_has_five_endpoints_and_zones() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-function-app-private-endpoints-storage");
    assert_eq!(group_ids(&evaluation), ["blob", "file", "queue", "sites", "table"]);
    assert_eq!(count_of_type(&evaluation, ZONE), 5);
    assert_eq!(count_of_type(&evaluation, LINK), 5);
    assert_eq!(count_of_type(&evaluation, ZONE_GROUP), 5);
    let config = resources_of_type(&evaluation, "Microsoft.Web/sites/networkConfig")[0];
    assert!(config["properties"]["subnetResourceId"].as_str().unwrap().contains("/subnets/"));
}

#[test]
fn web_app_tiers_have_endpoints_for_sites_and_slots() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-webapp-secure-ntier");
    assert_eq!(group_ids(&evaluation), ["sites", "sites-stage"]);
    assert_eq!(names_of_type(&evaluation, ZONE), ["privatelink.azurewebsites.net"]);
    assert_eq!(count_of_type(&evaluation, "Microsoft.Web/sites/slots"), 2);
}

#[test]
fn vnet_integration_subnets_are_known() {
    let Some(dir) = templates_dir() else { return };
    for slug in ["qs-webapp-privateendpoint-vnet-injection", "qs-app-service-regional-vnet-integration"] {
        let evaluation = evaluate_reference(&dir, slug);
        let integrated: Vec<&str> = resources_of_type(&evaluation, "Microsoft.Web/sites")
            .iter()
            .filter_map(|s| s["properties"]["virtualNetworkSubnetId"].as_str())
            .collect();
        assert!(!integrated.is_empty(), "{slug}: no site with virtualNetworkSubnetId");
        for subnet in integrated {
            assert!(subnet.starts_with("/subscriptions/") && subnet.contains("/subnets/"), "{slug}: {subnet}");
        }
    }
}

#[test]
fn function_app_vnet_integration_uses_network_config() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-function-app-vnet-integration");
    let config = resources_of_type(&evaluation, "Microsoft.Web/sites/networkConfig");
    assert_eq!(config.len(), 1);
    assert_eq!(config[0]["name"], "virtualNetwork");
    assert_eq!(config[0]["properties"]["swiftSupported"], true);
}

#[test]
fn manual_private_endpoint_targets_the_given_sub_resource() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-private-endpoint");
    let endpoints = resources_of_type(&evaluation, PE);
    assert_eq!(endpoints.len(), 1);
    assert!(endpoints[0]["properties"]["manualPrivateLinkServiceConnections"].is_array());
    assert_eq!(group_ids(&evaluation).len(), 1);
}

#[test]
fn dns_private_resolver_has_endpoints_and_a_forwarding_rule() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-azure-dns-private-resolver");
    assert_eq!(count_of_type(&evaluation, "Microsoft.Network/dnsResolvers/inboundEndpoints"), 1);
    assert_eq!(count_of_type(&evaluation, "Microsoft.Network/dnsResolvers/outboundEndpoints"), 1);
    let rule = resources_of_type(&evaluation, "Microsoft.Network/dnsForwardingRulesets/forwardingRules")[0];
    assert!(rule["properties"]["domainName"].as_str().unwrap().ends_with('.'));
}

#[test]
fn peering_is_bidirectional() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-vnet-to-vnet-peering");
    let peerings = resources_of_type(&evaluation, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings");
    assert_eq!(peerings.len(), 2);
    let remotes: Vec<&str> =
        peerings.iter().map(|p| p["properties"]["remoteVirtualNetwork"]["id"].as_str().unwrap()).collect();
    assert_ne!(remotes[0], remotes[1]);
}

#[test]
fn linked_templates_are_reported_not_fetched() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-custom-private-dns");
    assert!(evaluation.resources.is_empty());
    assert_eq!(evaluation.warnings.iter().filter(|w| w.contains("linked template")).count(), 6);
}

#[test]
fn apim_a_records_wait_for_the_private_address() {
    let Some(dir) = templates_dir() else { return };
    let evaluation = evaluate_reference(&dir, "qs-private-webapp-with-app-gateway-and-apim");
    assert_eq!(
        sorted(names_of_type(&evaluation, "Microsoft.Network/privateDnsZones/A")),
        ["api", "management", "portal"]
    );
    let address_unknowns =
        evaluation.unknowns.iter().filter(|u| u.pointer == "/properties/aRecords/0/ipv4Address").count();
    assert_eq!(address_unknowns, 3);
    assert_eq!(group_ids(&evaluation), ["sites", "vault"]);
}

#[test]
fn ai_agent_and_foundry_templates_deploy_their_endpoints_through_nested_deployments() {
    let Some(dir) = templates_dir() else { return };
    let agent = evaluate_reference(&dir, "qs-network-secured-agent");
    assert_eq!(group_ids(&agent), ["account", "blob", "searchService"]);
    assert_eq!(count_of_type(&agent, ZONE), 3);
    assert!(agent.resources.iter().all(|r| r.source.contains("/properties/template/")));
    let foundry = evaluate_reference(&dir, "qs-aifoundry-networking-aoao");
    assert_eq!(count_of_type(&foundry, ZONE), 8);
    assert_eq!(count_of_type(&foundry, PE), 6);
    assert_eq!(count_of_type(&foundry, LINK), 8);
}

#[test]
fn enterprise_scale_templates() {
    let Some(dir) = templates_dir() else { return };
    let zones = evaluate_reference(&dir, "eslz-private-dns-zones");
    assert_eq!(names_of_type(&zones, ZONE), ["privatelink.vaultcore.azure.net"]);
    assert_eq!(count_of_type(&zones, LINK), 1);
    let routes = evaluate_reference(&dir, "eslz-vnet-route-table");
    let table = resources_of_type(&routes, "Microsoft.Network/routeTables")[0];
    let subnet = resources_of_type(&routes, "Microsoft.Network/virtualNetworks/subnets")[0];
    assert_eq!(subnet["properties"]["routeTable"]["id"], table["id"]);
}

#[test]
fn avm_modules_produce_networking_documents() {
    let Some(dir) = templates_dir() else { return };
    let endpoint = evaluate_reference(&dir, "avm-private-endpoint");
    assert_eq!(names_of_type(&endpoint, PE), ["pe-kv"]);
    assert_eq!(group_ids(&endpoint), ["vault"]);
    let group = resources_of_type(&endpoint, ZONE_GROUP)[0];
    assert!(group["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"]
        .as_str()
        .unwrap()
        .ends_with("privatelink.vaultcore.azure.net"));

    let zone = evaluate_reference(&dir, "avm-private-dns-zone");
    let record = resources_of_type(&zone, "Microsoft.Network/privateDnsZones/A")[0];
    assert_eq!(record["properties"]["aRecords"][0]["ipv4Address"], "10.0.1.4");
    assert_eq!(count_of_type(&zone, LINK), 1);

    let network = evaluate_reference(&dir, "avm-virtual-network");
    assert_eq!(sorted(names_of_type(&network, "Microsoft.Network/virtualNetworks/subnets")), ["app", "pe"]);
    let app = resources_of_type(&network, "Microsoft.Network/virtualNetworks/subnets")
        .into_iter()
        .find(|s| s["name"] == "app")
        .unwrap();
    assert_eq!(app["properties"]["delegations"][0]["properties"]["serviceName"], "Microsoft.Web/serverFarms");

    let resolver = evaluate_reference(&dir, "avm-dns-resolver");
    let inbound = resources_of_type(&resolver, "Microsoft.Network/dnsResolvers/inboundEndpoints")[0];
    assert!(inbound["properties"]["ipConfigurations"][0]["subnet"]["id"].as_str().unwrap().ends_with("/subnets/pe"));

    let site = evaluate_reference(&dir, "avm-web-site");
    let app = resources_of_type(&site, "Microsoft.Web/sites")[0];
    assert!(app["properties"]["virtualNetworkSubnetId"].as_str().unwrap().ends_with("/subnets/pe"));
    assert_eq!(group_ids(&site), ["sites"]);

    let vault = evaluate_reference(&dir, "avm-key-vault");
    assert_eq!(group_ids(&vault), ["vault"]);
}

#[test]
fn existing_documents_resolve_references_outside_the_template() {
    let Some(dir) = templates_dir() else { return };
    let template = read_json(&dir.join("avm-key-vault/azuredeploy.json"));
    let mut parameters = Parameters::new();
    if let Json::Object(extra) = extra_parameters("avm-key-vault") {
        for (name, value) in extra {
            parameters.set(&name, value);
        }
    }
    let vnet_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink/providers/Microsoft.Network/virtualNetworks/vnet";
    let mut options = EvaluateOptions::default();
    options.existing.insert(vnet_id.to_ascii_lowercase(), json!({"id": vnet_id, "name": "vnet", "type": "Microsoft.Network/virtualNetworks", "location": "northeurope", "properties": {}}));
    let evaluation = evaluate(&template, &parameters, &scope(), &options).unwrap();
    let endpoint = resources_of_type(&evaluation, PE)[0];
    assert_eq!(endpoint["location"], "northeurope");
}
