//! What Azure fills in at deploy time, read back by templates: the addresses the platform
//! allocates (an Azure Firewall's, a NIC's, a resolver inbound endpoint's), and values privlink
//! cannot know, which stay unknown instead of failing validation as text.

use privlink_load::{Input, Options, TemplateSettings};
use privlink_model::{Model, Severity};
use std::net::IpAddr;

const HUB_FIREWALL: &str = include_str!("../../../scenarios/templates/hub-firewall-dns-proxy/azuredeploy.json");

fn load_template(template: &str, overrides: &[&str]) -> Model {
    let templates = TemplateSettings {
        overrides: overrides.iter().map(|s| s.to_string()).collect(),
        ..TemplateSettings::default()
    };
    privlink_load::load(vec![Input::new("azuredeploy.json", template.as_bytes().to_vec())], &Options { templates })
        .unwrap_or_else(|e| panic!("{e}"))
}

fn errors(model: &Model) -> Vec<String> {
    model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn a_spokes_dns_server_and_next_hop_are_the_firewalls_allocated_address() {
    let model = load_template(HUB_FIREWALL, &["appName=app-spoke"]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let r = &model.resources;
    let firewall = r.azure_firewalls.values().next().expect("the firewall");
    assert_eq!(firewall.private_ips, vec![ip("10.0.1.4")], "the first usable address of AzureFirewallSubnet");
    let spoke = r.virtual_networks.values().find(|v| v.meta.name == "vnet-spoke").unwrap();
    assert_eq!(spoke.dns_servers, vec![ip("10.0.1.4")]);
    let route = &r.route_tables.values().next().unwrap().routes[0];
    assert_eq!(route.next_hop_ip, Some(ip("10.0.1.4")));
    assert!(
        !model.diagnostics.iter().any(|d| d.message.contains("fw-hub")),
        "nothing about the firewall is left unknown: {:?}",
        model.diagnostics
    );
}

#[test]
fn a_dynamic_nic_takes_the_next_free_address_after_the_endpoints() {
    let model = load_template(HUB_FIREWALL, &["appName=app-spoke"]);
    let nic = model.resources.network_interfaces.values().find(|n| n.meta.name == "nic-jumpbox").unwrap();
    assert_eq!(nic.private_ips().collect::<Vec<_>>(), vec![ip("10.0.2.5")], "pe-blob holds 10.0.2.4");
}

#[test]
fn a_resolver_inbound_endpoint_gets_its_dynamic_address() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub", "location": "westeurope",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
           "subnets": [{"name": "inbound", "properties": {"addressPrefix": "10.0.9.0/28"}}]}},
        {"type": "Microsoft.Network/dnsResolvers", "apiVersion": "2022-07-01", "name": "dnspr", "location": "westeurope",
         "dependsOn": ["hub"], "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"}}},
        {"type": "Microsoft.Network/dnsResolvers/inboundEndpoints", "apiVersion": "2022-07-01", "name": "dnspr/in",
         "location": "westeurope", "dependsOn": ["dnspr"],
         "properties": {"ipConfigurations": [{"privateIpAllocationMethod": "Dynamic",
           "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'inbound')]"}}]}},
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "spoke", "location": "westeurope",
         "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
           "dhcpOptions": {"dnsServers": ["[reference(resourceId('Microsoft.Network/dnsResolvers/inboundEndpoints', 'dnspr', 'in')).ipConfigurations[0].privateIpAddress]"]}}}
      ]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let spoke = model.resources.virtual_networks.values().find(|v| v.meta.name == "spoke").unwrap();
    assert_eq!(spoke.dns_servers, vec![ip("10.0.9.4")]);
}

#[test]
fn a_value_only_azure_knows_is_not_validated_as_text() {
    // The spoke's DNS server is a listKeys() result: nonsense, but only Azure knows it. It is
    // reported once, as what privlink cannot know (info), never as an invalid address (error).
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "spoke", "location": "westeurope",
         "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
           "dhcpOptions": {"dnsServers": ["[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value]"]}}}
      ]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let about: Vec<_> = model.diagnostics.iter().filter(|d| d.pointer.contains("dnsServers")).collect();
    assert_eq!(about.len(), 1, "{about:?}");
    assert_eq!((about[0].code, about[0].severity), ("LOAD016", Severity::Info));
    let spoke = model.resources.virtual_networks.values().next().unwrap();
    assert!(spoke.dns_servers.is_empty());
    assert!(
        spoke.dns_servers_unknown.as_deref().is_some_and(|why| why.contains("listKeys")),
        "the VNet's DNS is unknown, not Azure DNS: {:?}",
        spoke.dns_servers_unknown
    );
}

#[test]
fn a_plan_named_without_its_id_is_the_plan_in_the_sites_group() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Web/serverfarms", "apiVersion": "2023-12-01", "name": "plan1", "location": "westeurope",
         "sku": {"name": "P1v3"}},
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-12-01", "name": "app1", "location": "westeurope",
         "dependsOn": ["plan1"], "properties": {"serverFarmId": "plan1"}}
      ]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let site = model.resources.sites.values().next().unwrap();
    assert_eq!(site.plan.as_ref().map(|p| p.name()), Some("plan1"));
    assert!(site
        .plan
        .as_ref()
        .unwrap()
        .as_str()
        .contains("/resourceGroups/rg-template/providers/Microsoft.Web/serverfarms/"));
}

#[test]
fn an_inline_rule_whose_id_names_its_nsg_is_still_the_nsgs_rule() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg1", "location": "westeurope",
         "properties": {"securityRules": [
           {"name": "deny-sql", "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]",
            "properties": {"priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp",
              "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "1433"}}]}}
      ]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let nsg = model.resources.network_security_groups.values().next().unwrap();
    assert_eq!(nsg.rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), vec!["deny-sql"]);
}

#[test]
fn a_management_group_deployment_reaches_a_resource_group_through_a_subscription() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
     "parameters": {"sub": {"type": "string", "defaultValue": "11111111-1111-1111-1111-111111111111"}},
     "resources": [
      {"type": "Microsoft.Resources/deployments", "apiVersion": "2021-04-01", "name": "to-sub", "location": "westeurope",
       "subscriptionId": "[parameters('sub')]",
       "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
         "template": {"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
           "resources": [
             {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01", "name": "rg-net", "location": "northeurope"},
             {"type": "Microsoft.Resources/deployments", "apiVersion": "2021-04-01", "name": "to-rg", "resourceGroup": "rg-net",
              "dependsOn": ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg-net')]"],
              "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                "template": {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                  "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet1",
                    "location": "[resourceGroup().location]",
                    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}]}}}]}}}]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let vnet = model.resources.virtual_networks.values().next().expect("the VNet is deployed");
    assert_eq!(
        vnet.meta.id.as_str(),
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1"
    );
    assert_eq!(vnet.meta.location.as_deref(), Some("northeurope"), "the location of the group the template creates");
}

#[test]
fn an_extension_resource_declared_under_its_scopes_type_has_its_own_type() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg1", "location": "westeurope",
         "properties": {},
         "resources": [{"type": "providers/diagnosticSettings", "apiVersion": "2021-05-01-preview",
           "name": "Microsoft.Insights/default", "dependsOn": ["nsg1"], "properties": {"logs": []}}]}
      ]}"#;
    let model = load_template(template, &[]);
    assert!(!model.diagnostics.iter().any(|d| d.code == "LOAD014"), "{:?}", model.diagnostics);
    let (id, document) =
        model.documents.iter().find(|(id, _)| id.name() == "default").expect("the diagnostic setting is kept");
    assert_eq!(id.resource_type(), "Microsoft.Insights/diagnosticSettings");
    assert_eq!(document.body["type"], "Microsoft.Insights/diagnosticSettings");
}

#[test]
fn a_services_host_names_are_known_once_it_is_deployed() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st1", "location": "westeurope",
         "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {}},
        {"type": "Microsoft.Sql/servers", "apiVersion": "2023-08-01", "name": "sql1", "location": "westeurope", "properties": {}},
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-12-01", "name": "app1", "location": "westeurope",
         "dependsOn": ["st1", "sql1"],
         "properties": {"siteConfig": {"appSettings": [
           {"name": "BLOB_URL", "value": "[reference('st1').primaryEndpoints.blob]"},
           {"name": "SQL_HOST", "value": "[reference('sql1').fullyQualifiedDomainName]"}]}}}
      ]}"#;
    let model = load_template(template, &[]);
    assert_eq!(errors(&model), Vec::<String>::new());
    let site = model.resources.sites.values().next().unwrap();
    assert_eq!(site.app_setting("BLOB_URL"), Some("https://st1.blob.core.windows.net/"));
    assert_eq!(site.app_setting("SQL_HOST"), Some("sql1.database.windows.net"));
    assert!(!model.diagnostics.iter().any(|d| d.code == "LOAD016"), "{:?}", model.diagnostics);
}
