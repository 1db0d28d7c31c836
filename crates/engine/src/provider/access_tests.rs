//! The provider's identity and access behaviour: managed identity ids, user-assigned identities,
//! role assignments, Key Vault secrets through ARM and SQL's Entra administrator.

use super::tests::{delete, estate, put, rid};
use super::*;
use serde_json::json;

const KV_SECRETS_USER: &str =
    "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6";

fn site_body(identity: Value) -> Value {
    json!({ "location": "westeurope", "identity": identity,
            "properties": { "serverFarmId": rid("Microsoft.Web/serverfarms/plan-s1").as_str() } })
}

#[test]
fn a_system_assigned_identity_gets_a_principal_kept_across_writes_and_dropped_on_removal() {
    let mut estate = estate();
    let app = rid("Microsoft.Web/sites/app1");
    put(&mut estate, &app, site_body(json!({ "type": "SystemAssigned" }))).unwrap();
    let principal = estate[&app]["identity"]["principalId"].as_str().unwrap().to_string();
    assert_eq!(principal, identity::principal_id(&app));
    assert_eq!(principal.len(), 36);
    assert_eq!(estate[&app]["identity"]["tenantId"], DEFAULT_TENANT_ID);
    // The same id in another casing derives the same principal; another site another one.
    assert_eq!(identity::principal_id(&ResourceId::parse(&app.as_str().to_uppercase()).unwrap()), principal);
    assert_ne!(identity::principal_id(&rid("Microsoft.Web/sites/app2")), principal);

    // az sends the identity back without its read-only ids; a PUT without identity keeps it.
    put(&mut estate, &app, site_body(json!({ "type": "SystemAssigned" }))).unwrap();
    assert_eq!(estate[&app]["identity"]["principalId"], principal.as_str());
    let mut no_identity = site_body(json!(null));
    no_identity.as_object_mut().unwrap().remove("identity");
    put(&mut estate, &app, no_identity).unwrap();
    assert_eq!(estate[&app]["identity"]["principalId"], principal.as_str());

    put(&mut estate, &app, site_body(json!({ "type": "None" }))).unwrap();
    assert_eq!(estate[&app]["identity"], json!({ "type": "None" }));
}

#[test]
fn a_user_assigned_identity_has_ids_and_a_site_naming_it_gets_them() {
    let mut estate = estate();
    let uami = rid("Microsoft.ManagedIdentity/userAssignedIdentities/id1");
    put(&mut estate, &uami, json!({ "location": "westeurope" })).unwrap();
    let props = estate[&uami]["properties"].clone();
    assert_eq!(props["principalId"], identity::principal_id(&uami).as_str());
    assert_eq!(props["clientId"], identity::client_id(&uami).as_str());
    assert_ne!(props["principalId"], props["clientId"]);

    let app = rid("Microsoft.Web/sites/app1");
    let both = json!({ "type": "SystemAssigned, UserAssigned", "userAssignedIdentities": { uami.as_str(): {} } });
    put(&mut estate, &app, site_body(both)).unwrap();
    let entry = &estate[&app]["identity"]["userAssignedIdentities"][uami.as_str()];
    assert_eq!(entry, &json!({ "principalId": props["principalId"], "clientId": props["clientId"] }));
    assert!(estate[&app]["identity"]["principalId"].is_string());

    let missing = rid("Microsoft.ManagedIdentity/userAssignedIdentities/nope");
    let unknown = json!({ "type": "UserAssigned", "userAssignedIdentities": { missing.as_str(): {} } });
    let err = put(&mut estate, &app, site_body(unknown)).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "FailedIdentityOperation"));
    assert!(err.message.contains(missing.as_str()), "{}", err.message);
}

fn assignment(principal: &str, role: &str) -> Value {
    json!({ "properties": { "roleDefinitionId": role, "principalId": principal, "principalType": "ServicePrincipal" } })
}

#[test]
fn role_assignments_need_a_known_role_once_per_principal_and_scope_and_echo_their_scope() {
    let mut estate = estate();
    let vault = rid("Microsoft.KeyVault/vaults/kv1");
    let first = vault.child("providers/Microsoft.Authorization/roleAssignments", "a1");
    put(&mut estate, &first, assignment("p1", KV_SECRETS_USER)).unwrap();
    assert_eq!(estate[&first]["properties"]["scope"], vault.as_str());

    let second = vault.child("providers/Microsoft.Authorization/roleAssignments", "a2");
    let err = put(&mut estate, &second, assignment("P1", KV_SECRETS_USER)).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (409, "RoleAssignmentExists"));
    // Re-PUT of the same assignment, another principal, or the same pair at another scope is fine.
    put(&mut estate, &first, assignment("p1", KV_SECRETS_USER)).unwrap();
    put(&mut estate, &second, assignment("p2", KV_SECRETS_USER)).unwrap();
    let group =
        ResourceId::parse(&format!("{}/providers/Microsoft.Authorization/roleAssignments/a3", super::tests::RG))
            .unwrap();
    put(&mut estate, &group, assignment("p1", KV_SECRETS_USER)).unwrap();
    assert_eq!(estate[&group]["properties"]["scope"], super::tests::RG);

    let unknown = vault.child("providers/Microsoft.Authorization/roleAssignments", "a4");
    let role = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/KeyVaultSecretsUser";
    let err = put(&mut estate, &unknown, assignment("p3", role)).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "RoleDefinitionDoesNotExist"));
    // A built-in role the catalog does not hold (Search Index Data Reader) is still a role.
    let other =
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/1407120a-92aa-4202-b7e9-c0e197c71c8f";
    put(&mut estate, &unknown, assignment("p3", other)).unwrap();
}

#[test]
fn a_secret_written_through_arm_never_keeps_its_value() {
    let mut estate = estate();
    let secret = rid("Microsoft.KeyVault/vaults/kv1/secrets/db-password");
    put(&mut estate, &secret, json!({ "properties": { "value": "hunter2", "contentType": "text/plain" } })).unwrap();
    let stored = estate[&secret].to_string();
    assert!(!stored.contains("hunter2"), "{stored}");
    let props = &estate[&secret]["properties"];
    assert_eq!(props["secretUri"], "https://kv1.vault.azure.net/secrets/db-password");
    let versioned = props["secretUriWithVersion"].as_str().unwrap().to_string();
    assert!(versioned.starts_with("https://kv1.vault.azure.net/secrets/db-password/"));
    assert_eq!(props["attributes"]["enabled"], true);
    assert_eq!(props["contentType"], "text/plain");
    put(&mut estate, &secret, json!({ "properties": { "value": "hunter3" } })).unwrap();
    assert_ne!(estate[&secret]["properties"]["secretUriWithVersion"], versioned.as_str(), "a new version");
}

#[test]
fn the_sql_entra_administrator_and_entra_only_show_in_the_server() {
    let mut estate = estate();
    let server = rid("Microsoft.Sql/servers/sql1");
    put(&mut estate, &server, json!({ "location": "westeurope", "properties": { "version": "12.0" } })).unwrap();
    let admin = server.child("administrators", "ActiveDirectory");
    let body = json!({ "properties": { "administratorType": "ActiveDirectory", "login": "app1", "sid": "p1", "tenantId": "t" } });
    put(&mut estate, &admin, body).unwrap();
    let administrators = &estate[&server]["properties"]["administrators"];
    assert_eq!(administrators["login"], "app1");
    assert_eq!(administrators["sid"], "p1");
    assert_eq!(administrators["azureADOnlyAuthentication"], false);

    let only = server.child("azureADOnlyAuthentications", "Default");
    put(&mut estate, &only, json!({ "properties": { "azureADOnlyAuthentication": true } })).unwrap();
    assert_eq!(estate[&server]["properties"]["administrators"]["azureADOnlyAuthentication"], true);
    assert_eq!(estate[&admin]["properties"]["azureADOnlyAuthentication"], true);

    delete(&mut estate, &admin).unwrap();
    assert!(estate[&server]["properties"].get("administrators").is_none());
    assert!(!estate.contains_key(&admin));
}
