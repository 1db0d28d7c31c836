//! Azure SQL virtual network rules (`Microsoft.Sql/servers/virtualNetworkRules`, azure-semantics
//! §5.2) reach the server's typed backend however the estate writes them: as their own exported
//! documents, or as a template's nested or top-level child resources.

use privlink_load::{load, Input, Options};
use privlink_model::{Model, ResourceId};
use serde_json::json;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-template/providers";

fn subnet(name: &str) -> String {
    format!("{RG}/Microsoft.Network/virtualNetworks/vnet-app/subnets/{name}")
}

fn load_json(name: &str, value: serde_json::Value) -> Model {
    load(vec![Input::new(name, serde_json::to_vec(&value).unwrap())], &Options::default()).unwrap()
}

/// (rule name, subnet, ignoreMissingVnetServiceEndpoint) of the server `sql1`.
fn rules_of_sql1(model: &Model) -> Vec<(String, String, bool)> {
    let id = ResourceId::parse(&format!("{RG}/Microsoft.Sql/servers/sql1")).unwrap();
    model.resources.backends[&id]
        .sql_virtual_network_rules
        .iter()
        .map(|r| (r.name.clone(), r.subnet.to_string(), r.ignore_missing_service_endpoint))
        .collect()
}

#[test]
fn exported_rule_documents_attach_to_their_server() {
    let model = load_json(
        "export.json",
        json!([
            {"id": format!("{RG}/Microsoft.Sql/servers/sql1"), "name": "sql1", "type": "Microsoft.Sql/servers",
             "location": "westeurope", "properties": {"publicNetworkAccess": "Enabled"}},
            {"id": format!("{RG}/Microsoft.Sql/servers/sql1/virtualNetworkRules/rule-b"), "name": "rule-b",
             "type": "Microsoft.Sql/servers/virtualNetworkRules",
             "properties": {"virtualNetworkSubnetId": subnet("snet-b"), "ignoreMissingVnetServiceEndpoint": true, "state": "Ready"}},
            {"id": format!("{RG}/Microsoft.Sql/servers/sql1/virtualNetworkRules/rule-a"), "name": "rule-a",
             "type": "Microsoft.Sql/servers/virtualNetworkRules",
             "properties": {"virtualNetworkSubnetId": subnet("snet-a"), "state": "Ready"}},
        ]),
    );
    assert_eq!(
        rules_of_sql1(&model),
        [("rule-a".to_string(), subnet("snet-a"), false), ("rule-b".to_string(), subnet("snet-b"), true)],
        "in name order; the flag defaults to false"
    );
}

#[test]
fn template_child_rules_nested_and_top_level_attach_to_their_server() {
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Sql/servers", "apiVersion": "2023-08-01", "name": "sql1", "location": "westeurope",
                "properties": {"publicNetworkAccess": "Enabled"},
                "resources": [{
                    "type": "virtualNetworkRules", "apiVersion": "2023-08-01", "name": "nested",
                    "dependsOn": ["[resourceId('Microsoft.Sql/servers', 'sql1')]"],
                    "properties": {"virtualNetworkSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-app', 'snet-a')]"}
                }]
            },
            {
                "type": "Microsoft.Sql/servers/virtualNetworkRules", "apiVersion": "2023-08-01", "name": "sql1/top-level",
                "dependsOn": ["[resourceId('Microsoft.Sql/servers', 'sql1')]"],
                "properties": {
                    "virtualNetworkSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-app', 'snet-b')]",
                    "ignoreMissingVnetServiceEndpoint": true
                }
            }
        ]
    });
    let model = load_json("azuredeploy.json", template);
    assert_eq!(
        rules_of_sql1(&model),
        [("nested".to_string(), subnet("snet-a"), false), ("top-level".to_string(), subnet("snet-b"), true)]
    );
}
