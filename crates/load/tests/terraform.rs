//! Terraform plans load as the ARM documents Azure would hold after apply: ids known only after
//! apply are built, references are followed, and what cannot be known stays an unknown value.

use privlink_load::{load, Input, Options};
use privlink_model::Severity;

fn load_plan(name: &str, text: &str) -> privlink_model::Model {
    load(vec![Input::new(name, text.as_bytes().to_vec())], &Options::default()).expect("a plan loads")
}

#[test]
fn a_value_known_after_apply_is_an_unknown_value_not_an_error() {
    let plan = r#"{
      "format_version": "1.2", "terraform_version": "1.9.5",
      "resource_changes": [
        {"address": "azurerm_key_vault.kv", "mode": "managed", "type": "azurerm_key_vault", "name": "kv",
         "change": {"actions": ["create"], "after": {"name": "kv1", "resource_group_name": "rg", "location": "westeurope", "sku_name": "standard", "tenant_id": "t"},
                    "after_unknown": {"id": true, "vault_uri": true}}},
        {"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network", "name": "v",
         "change": {"actions": ["create"], "after": {"name": "vnet", "resource_group_name": "rg", "location": "westeurope", "address_space": ["10.0.0.0/16"]},
                    "after_unknown": {"id": true, "dns_servers": [true]}}},
        {"address": "azurerm_linux_web_app.app", "mode": "managed", "type": "azurerm_linux_web_app", "name": "app",
         "change": {"actions": ["create"], "after": {"name": "app1", "resource_group_name": "rg", "location": "westeurope", "app_settings": {"PLAIN": "x"}},
                    "after_unknown": {"id": true, "app_settings": {"VAULT": true}}}}
      ],
      "configuration": {"root_module": {"resources": [
        {"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network", "name": "v",
         "expressions": {"dns_servers": {"references": ["azurerm_firewall.fw.ip_configuration[0].private_ip_address", "azurerm_firewall.fw"]}}},
        {"address": "azurerm_linux_web_app.app", "mode": "managed", "type": "azurerm_linux_web_app", "name": "app",
         "expressions": {"app_settings": {"references": ["azurerm_key_vault.kv.vault_uri", "azurerm_key_vault.kv"]}}}
      ]}}
    }"#;
    let model = load_plan("plan.json", plan);
    let errors: Vec<_> = model.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let site = model.resources.sites.values().next().expect("the app");
    assert_eq!(
        site.meta.id.as_str(),
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/app1"
    );
    assert_eq!(site.app_settings["PLAIN"], "x");
    assert!(
        site.app_settings["VAULT"]
            .starts_with("[unknown] azurerm_linux_web_app.app.app_settings.VAULT is known after apply"),
        "{:?}",
        site.app_settings
    );
    let vnet = model.resources.virtual_networks.values().next().expect("the VNet");
    assert!(
        vnet.dns_servers.is_empty(),
        "an address known only after apply is left out, not invalid: {:?}",
        vnet.dns_servers
    );
    let unknowns: Vec<_> = model.diagnostics.iter().filter(|d| d.code == "LOAD016").collect();
    assert!(
        unknowns.iter().any(|d| d.pointer.ends_with("/dns_servers/0")
            && d.terraform_address.as_deref() == Some("azurerm_virtual_network.v")),
        "{unknowns:?}"
    );
    assert!(model.diagnostics.iter().any(|d| d.code == "LOAD019"), "the assumed subscription is said");
}

#[test]
fn the_seed_plan_builds_ids_through_modules_and_deploys_endpoints() {
    let model = load_plan("plan.json", include_str!("../../../scenarios/terraform/seed/plan.json"));
    assert!(model.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", model.diagnostics);
    let pe = model.resources.private_endpoints.iter().find(|(id, _)| id.name() == "pe-sql").expect("pe-sql").1;
    assert_eq!(
        pe.subnet.as_ref().map(|s| s.as_str().to_string()).as_deref(),
        Some("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-private-endpoints"),
        "subnet_id = module.network.endpoints_subnet_id, followed through the module output"
    );
    let nic_ips: Vec<String> = model
        .resources
        .network_interfaces
        .values()
        .flat_map(|n| n.ip_configurations.iter().map(|c| format!("{:?}", c.private_ip)))
        .collect();
    assert!(
        nic_ips.contains(&"Some(10.20.2.4)".to_string()),
        "the provider allocated the endpoint addresses: {nic_ips:?}"
    );
    let zone = model.documents.iter().find(|(id, _)| id.name() == "privatelink.database.windows.net").expect("zone").1;
    assert_eq!(zone.origin.address.as_deref(), Some("azurerm_private_dns_zone.sql"));
}

#[test]
fn a_role_assignment_by_built_in_name_is_known_and_one_for_an_identity_created_later_is_kept() {
    let plan = r#"{
      "format_version": "1.2", "terraform_version": "1.9.5",
      "resource_changes": [
        {"address": "azurerm_role_assignment.kv", "mode": "managed", "type": "azurerm_role_assignment", "name": "kv",
         "change": {"actions": ["create"], "after": {"scope": "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
                    "role_definition_name": "Key Vault Secrets User", "principal_type": "ServicePrincipal"},
                    "after_unknown": {"id": true, "name": true, "principal_id": true, "role_definition_id": true}}},
        {"address": "azurerm_role_assignment.custom", "mode": "managed", "type": "azurerm_role_assignment", "name": "custom",
         "change": {"actions": ["create"], "after": {"scope": "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg",
                    "role_definition_name": "Our Custom Role", "principal_id": "55555555-0000-0000-0000-000000000000"},
                    "after_unknown": {"id": true, "name": true, "role_definition_id": true}}}
      ]
    }"#;
    let model = load_plan("plan.json", plan);
    let mut assignments: Vec<_> = model.resources.role_assignments.values().collect();
    assignments.sort_by_key(|a| a.meta.origin.address.clone());
    assert_eq!(assignments.len(), 2, "{:?}", model.diagnostics);
    let custom = assignments.iter().find(|a| a.principal_id.is_some()).unwrap();
    assert_eq!(custom.role_definition_id, None, "a custom role's id is known after apply");
    let by_name = assignments.iter().find(|a| a.principal_id.is_none()).unwrap();
    assert_eq!(
        by_name.role_definition_id.as_deref(),
        Some("/subscriptions/00000000-0000-0000-0000-000000000009/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6")
    );
    assert!(by_name.scope.ends_with("/vaults/kv1"));
}
