//! App Service's Key Vault reference status API on the twin (azure-semantics §7.3): the statuses
//! come from the live store, so a role assignment or a new `config/appsettings` shows in the next
//! read, and `refresh` answers the same list.

mod common;

use common::InProcessTwin;
use privlink_twin::Change;
use serde_json::{json, Value};

const SEED: [&str; 6] = [
    include_str!("../../../scenarios/seed-estate/network.json"),
    include_str!("../../../scenarios/seed-estate/endpoints.json"),
    include_str!("../../../scenarios/seed-estate/dns.json"),
    include_str!("../../../scenarios/seed-estate/web.json"),
    include_str!("../../../scenarios/seed-estate/backends.json"),
    include_str!("../../../scenarios/seed-estate/access.json"),
];
const SITE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink";
const APP_PRINCIPAL: &str = "11111111-2222-3333-4444-555555555555";
const API: &str = "api-version=2022-03-01";

fn seed_documents() -> Vec<Value> {
    SEED.iter().flat_map(|text| serde_json::from_str::<Vec<Value>>(text).unwrap()).collect()
}

/// The seed's resource group, which the seed's files do not hold (ARM writes need it to exist).
fn seed_resource_group() -> Value {
    json!({
        "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed",
        "name": "rg-privlink-seed",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "westeurope",
        "properties": {"provisioningState": "Succeeded"}
    })
}

fn role_assignment(principal: &str) -> Value {
    let mut ra = seed_documents()
        .into_iter()
        .find(|d| d["type"] == "Microsoft.Authorization/roleAssignments")
        .expect("the seed's role assignment");
    ra["properties"]["principalId"] = json!(principal);
    ra
}

async fn statuses(twin: &InProcessTwin) -> Vec<(String, String)> {
    let reply = twin.send("GET", &format!("{SITE}/config/configreferences/appsettings?{API}"), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["properties"]["status"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn reference_statuses_follow_the_live_store() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    // The vault's one role assignment belongs to someone else: the app is denied.
    let mut documents = seed_documents();
    documents.retain(|d| d["type"] != "Microsoft.Authorization/roleAssignments");
    documents.push(role_assignment("99999999-8888-7777-6666-555555555555"));
    documents.push(seed_resource_group());
    twin.state.store.commit(documents.into_iter().map(Change::Put).collect()).unwrap();
    assert_eq!(statuses(&twin).await, [("OPENAI_API_KEY".to_string(), "AccessToKeyVaultDenied".to_string())]);

    let one = twin.send("GET", &format!("{SITE}/config/configreferences/appsettings/openai_api_key?{API}"), None).await;
    assert_eq!(one.status, 200);
    let properties = &one.json()["properties"];
    assert_eq!(one.json()["type"], "Microsoft.Web/sites/config/configreferences");
    assert_eq!(properties["vaultName"], "kv-privlink-seed");
    assert_eq!(properties["secretName"], "openai-key");
    assert_eq!(properties["source"], "KeyVault");
    assert_eq!(properties["identityType"]["type"], "SystemAssigned");
    assert!(properties["details"].as_str().unwrap().contains("Key Vault Secrets User"), "{properties}");

    // The app's role assignment: the next read resolves, and refresh answers the same.
    twin.state.store.commit(vec![Change::Put(role_assignment(APP_PRINCIPAL))]).unwrap();
    assert_eq!(statuses(&twin).await, [("OPENAI_API_KEY".to_string(), "Resolved".to_string())]);
    let refresh = twin.send("POST", &format!("{SITE}/config/configreferences/appsettings/refresh?{API}"), None).await;
    assert_eq!(refresh.status, 200);
    assert_eq!(refresh.json()["value"][0]["properties"]["status"], "Resolved");

    // Setting the app settings again (as `az webapp config appsettings set` does) changes the statuses.
    let settings = json!({"properties": {
        "OPENAI_API_KEY": "@Microsoft.KeyVault(VaultName=kv-privlink-seed;SecretName=no-such-secret)",
        "BROKEN": "@Microsoft.KeyVault(SecretUri=ftp://nowhere)",
        "PLAIN": "not a reference"
    }});
    let put = twin.send("PUT", &format!("{SITE}/config/appsettings?{API}"), Some(&settings)).await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    assert_eq!(
        statuses(&twin).await,
        [
            ("BROKEN".to_string(), "InvalidSyntax".to_string()),
            ("OPENAI_API_KEY".to_string(), "SecretNotFound".to_string())
        ]
    );
    let plain = twin.send("GET", &format!("{SITE}/config/configreferences/appsettings/PLAIN?{API}"), None).await;
    assert_eq!((plain.status, plain.error_code()), (404, Some("NotFound")));
    let other_site = SITE.replace("app-flask-privlink", "app-missing");
    let missing = twin.send("GET", &format!("{other_site}/config/configreferences/appsettings?{API}"), None).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_secret_put_through_arm_keeps_its_value_for_the_data_plane_only() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let mut documents = seed_documents();
    documents.push(seed_resource_group());
    twin.state.store.commit(documents.into_iter().map(Change::Put).collect()).unwrap();
    let vault = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.KeyVault/vaults/kv-privlink-seed";
    let secret = format!("{vault}/secrets/db-password?api-version=2023-07-01");
    for value in ["first-value", "second-value"] {
        let body = json!({"properties": {"value": value, "contentType": "text/plain"}});
        let reply = twin.send("PUT", &secret, Some(&body)).await;
        assert!(matches!(reply.status, 200 | 201), "{:?}", reply.body);
        assert!(!reply.json().to_string().contains(value), "the PUT's answer holds the value: {}", reply.json());
    }
    let reply = twin.send("GET", &secret, None).await;
    let got = reply.json();
    assert!(got["properties"].get("value").is_none(), "ARM's GET holds the value: {got}");
    let version = got["properties"]["secretUriWithVersion"].as_str().unwrap().rsplit('/').next().unwrap().to_string();

    // The data plane's store, as `privlink run --state` opens it, has both versions, newest last.
    let store = privlink_twin::data_plane::SecretStore::in_state_dir(dir.path()).unwrap();
    let versions = store.versions("kv-privlink-seed", "db-password");
    assert_eq!(versions.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), ["first-value", "second-value"]);
    assert_eq!(versions[1].version, version, "the data plane's version is the one ARM reports");
    assert_eq!(versions[1].content_type.as_deref(), Some("text/plain"));
    assert_eq!(store.value_for_reference("KV-privlink-seed", "DB-password", None).as_deref(), Some("second-value"));
    let file = dir.path().join(privlink_twin::data_plane::SECRET_VALUES_FILE);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o077, 0, "secret values are private to the user: {mode:o}");
    // No document of the store holds a value.
    let documents: String = twin.state.store.snapshot().iter().map(|(_, v)| v.to_string()).collect();
    assert!(!documents.contains("first-value") && !documents.contains("second-value"));
}
