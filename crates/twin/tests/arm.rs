//! The ARM face's contract beyond the recorded sequences: ETags and preconditions, tokens,
//! durability across a restart, error envelopes, cascading deletes, PATCH, HEAD.

mod common;

use common::{InProcessTwin, SUB};
use serde_json::json;

const API: &str = "api-version=2024-07-01";

fn group() -> String {
    format!("{SUB}/resourceGroups/rg-demo")
}

fn vnet() -> String {
    format!("{}/providers/Microsoft.Network/virtualNetworks/vnet-demo", group())
}

async fn create_group_and_vnet(twin: &InProcessTwin) {
    let rg = twin.send("PUT", &format!("{}?{API}", group()), Some(&json!({"location": "eastus"}))).await;
    assert_eq!(rg.status, 201, "{rg:?}");
    let body = json!({"location": "eastus", "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}});
    let created = twin.send("PUT", &format!("{}?{API}", vnet()), Some(&body)).await;
    assert_eq!(created.status, 201, "{created:?}");
}

#[tokio::test]
async fn etags_guard_writes() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    create_group_and_vnet(&twin).await;
    let url = format!("{}?{API}", vnet());
    let first = twin.send("GET", &url, None).await;
    let etag = first.json()["etag"].as_str().unwrap().to_string();
    assert_eq!(first.header("etag"), Some(etag.as_str()), "the ETag header is the etag property");

    let body = first.json().clone();
    let auth = format!("Bearer {}", twin.token);
    let stale =
        twin.send_with("PUT", &url, &[("authorization", &auth), ("if-match", "W/\"stale\"")], Some(&body)).await;
    assert_eq!((stale.status, stale.error_code()), (412, Some("PreconditionFailed")));

    let updated = twin.send_with("PUT", &url, &[("authorization", &auth), ("if-match", &etag)], Some(&body)).await;
    assert_eq!(updated.status, 200, "{updated:?}");
    let new_etag = updated.json()["etag"].as_str().unwrap().to_string();
    assert_ne!(new_etag, etag, "every write changes the etag");

    let created_again =
        twin.send_with("PUT", &url, &[("authorization", &auth), ("if-none-match", "*")], Some(&body)).await;
    assert_eq!(created_again.status, 412);
    let patched_stale = twin
        .send_with("PATCH", &url, &[("authorization", &auth), ("if-match", &etag)], Some(&json!({"tags": {}})))
        .await;
    assert_eq!(patched_stale.status, 412);
    let deleted_stale = twin.send_with("DELETE", &url, &[("authorization", &auth), ("if-match", &etag)], None).await;
    assert_eq!(deleted_stale.status, 412);
    let missing = format!("{}/providers/Microsoft.Network/virtualNetworks/nope?{API}", group());
    let if_match_missing =
        twin.send_with("PUT", &missing, &[("authorization", &auth), ("if-match", "*")], Some(&body)).await;
    assert_eq!(if_match_missing.status, 412, "If-Match on a resource that does not exist fails");

    let subnet = twin.send("GET", &format!("{}/subnets/default?{API}", vnet()), None).await;
    assert_eq!(subnet.json()["etag"], new_etag.as_str(), "inline children share their parent's etag");
    let after = twin.send("GET", &url, None).await;
    assert_eq!(after.json()["etag"], new_etag.as_str(), "refused writes changed nothing");
}

#[tokio::test]
async fn arm_requests_need_a_token_the_twin_issued() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let url = format!("/subscriptions?{API}");
    let none = twin.send_with("GET", &url, &[], None).await;
    assert_eq!((none.status, none.error_code()), (401, Some("AuthenticationFailed")));
    let forged = twin.send_with("GET", &url, &[("authorization", "Bearer a.b.c")], None).await;
    assert_eq!((forged.status, forged.error_code()), (401, Some("InvalidAuthenticationToken")));
    let vault_token = twin.state.tokens.issue("https://vault.azure.net", privlink_twin::identity::now_epoch_secs());
    let bearer = format!("Bearer {}", vault_token.access_token);
    let wrong_audience = twin.send_with("GET", &url, &[("authorization", &bearer)], None).await;
    assert_eq!(wrong_audience.status, 401);

    let identity_path = "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com%2F";
    let refused = twin.send_with("GET", identity_path, &[("x-identity-header", "guess")], None).await;
    assert_eq!(refused.status, 401, "the identity endpoint checks X-IDENTITY-HEADER");
    let secret = twin.state.identity_header.clone();
    let issued = twin.send_with("GET", identity_path, &[("x-identity-header", &secret)], None).await;
    assert_eq!(issued.status, 200);
    assert_eq!(issued.json()["resource"], "https://management.azure.com/");
    let bearer = format!("Bearer {}", issued.json()["access_token"].as_str().unwrap());
    let accepted = twin.send_with("GET", &url, &[("authorization", &bearer)], None).await;
    assert_eq!(accepted.status, 200);

    // Cloud discovery is anonymous, and survives the double slash of a trailing-slash cloud URL.
    let metadata = twin.send_with("GET", "//metadata/endpoints?api-version=2022-09-01", &[], None).await;
    assert_eq!(metadata.status, 200);
}

#[tokio::test]
async fn the_estate_and_its_keys_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (token, secret, vnet_before) = {
        let twin = InProcessTwin::open(dir.path());
        create_group_and_vnet(&twin).await;
        let subnet = json!({"properties": {"addressPrefix": "10.0.1.0/24"}});
        let put = twin.send("PUT", &format!("{}/subnets/snet-app?{API}", vnet()), Some(&subnet)).await;
        assert_eq!(put.status, 201);
        let vnet = twin.send("GET", &format!("{}?{API}", vnet()), None).await;
        (twin.token.clone(), twin.state.identity_header.clone(), vnet.json().clone())
    };
    let twin = InProcessTwin::open(dir.path());
    assert_eq!(twin.state.identity_header, secret, "IDENTITY_HEADER stays valid");
    let bearer = format!("Bearer {token}");
    let vnet_after = twin.send_with("GET", &format!("{}?{API}", vnet()), &[("authorization", &bearer)], None).await;
    assert_eq!(vnet_after.status, 200, "a token issued before the restart is still valid");
    assert_eq!(vnet_after.json(), &vnet_before);
    let subnet = twin.send("GET", &format!("{}/subnets/snet-app?{API}", vnet()), None).await;
    assert_eq!(subnet.status, 200);
}

#[tokio::test]
async fn errors_use_arm_codes_and_deletes_cascade() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let no_group = twin.send("PUT", &format!("{}?{API}", vnet()), Some(&json!({"location": "eastus"}))).await;
    assert_eq!((no_group.status, no_group.error_code()), (404, Some("ResourceGroupNotFound")));
    let no_location = twin.send("PUT", &format!("{}?{API}", group()), Some(&json!({}))).await;
    assert_eq!((no_location.status, no_location.error_code()), (400, Some("LocationRequired")));
    let bearer = format!("Bearer {}", twin.token);
    let no_body = twin.send_with("PUT", &format!("{}?{API}", group()), &[("authorization", &bearer)], None).await;
    assert_eq!((no_body.status, no_body.error_code()), (400, Some("InvalidRequestContent")));
    let no_version = twin.send("GET", &group(), None).await;
    assert_eq!(no_version.error_code(), Some("MissingApiVersionParameter"));

    create_group_and_vnet(&twin).await;
    let moved = twin.send("PUT", &format!("{}?{API}", group()), Some(&json!({"location": "westus"}))).await;
    assert_eq!((moved.status, moved.error_code()), (409, Some("InvalidResourceGroupLocation")));
    let same = twin.send("PUT", &format!("{}?{API}", group()), Some(&json!({"location": "East US"}))).await;
    assert_eq!(same.status, 200, "an existing group answers 200; display names match: {same:?}");
    let missing = twin.send("GET", &format!("{}/subnets/nope?{API}", vnet()), None).await;
    assert_eq!((missing.status, missing.error_code()), (404, Some("ResourceNotFound")));
    let orphan = format!("{}/providers/Microsoft.Network/virtualNetworks/none/subnets/a?{API}", group());
    let orphan = twin.send("PUT", &orphan, Some(&json!({"properties": {}}))).await;
    assert_eq!((orphan.status, orphan.error_code()), (404, Some("ParentResourceNotFound")));
    assert_eq!(twin.send("HEAD", &format!("{}?{API}", group()), None).await.status, 204);
    let groups = twin.send("GET", &format!("{SUB}/resourcegroups?{API}"), None).await;
    assert_eq!(groups.json()["value"][0]["name"], "rg-demo", "az group list");
    let resources = twin.send("GET", &format!("{}/resources?{API}", group()), None).await;
    assert_eq!(resources.json()["value"].as_array().unwrap().len(), 1, "top-level resources only: {resources:?}");

    // PATCH merges; the lower-case path az group uses finds the same group.
    let lower_group = group().replace("resourceGroups", "resourcegroups");
    let patched = twin.send("PATCH", &format!("{lower_group}?{API}"), Some(&json!({"tags": {"env": "demo"}}))).await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json()["tags"]["env"], "demo");
    assert_eq!(patched.json()["location"], "eastus");
    assert_eq!(patched.json()["id"], group(), "ids keep the canonical resourceGroups segment");

    let delete = twin.send("DELETE", &format!("{}?{API}", vnet()), None).await;
    assert_eq!(delete.status, 202);
    assert!(delete.header("azure-asyncoperation").is_some() && delete.header("location").is_some());
    assert_eq!(twin.send("GET", &format!("{}/subnets/default?{API}", vnet()), None).await.status, 404);
    assert_eq!(twin.send("DELETE", &format!("{}?{API}", vnet()), None).await.status, 204);

    let appsettings = format!("{}/providers/Microsoft.Web/sites/app/config/appsettings?{API}", group());
    let site = format!("{}/providers/Microsoft.Web/sites/app?{API}", group());
    let site_body = json!({"location": "eastus", "properties": {"serverFarmId": "x", "sku": "PremiumV3"}});
    assert_eq!(twin.send("PUT", &site, Some(&site_body)).await.status, 200, "Microsoft.Web creates answer 200");
    let settings = twin.send("PUT", &appsettings, Some(&json!({"properties": {"A": "1"}}))).await;
    assert_eq!((settings.status, settings.json()["properties"].clone()), (200, json!({"A": "1"})));

    let deleted = twin.send("DELETE", &format!("{lower_group}?{API}"), None).await;
    assert_eq!(deleted.status, 200);
    assert!(twin.state.store.snapshot().is_empty(), "deleting a group deletes its resources");
    let gone = twin.send("GET", &format!("{}?{API}", group()), None).await;
    assert_eq!((gone.status, gone.error_code()), (404, Some("ResourceGroupNotFound")));
}

#[test]
fn preloaded_documents_seed_a_new_state_directory_only() {
    let dir = tempfile::tempdir().unwrap();
    let vnet_doc = json!({"id": vnet(), "name": "vnet-demo", "type": "Microsoft.Network/virtualNetworks",
        "location": "eastus", "properties": {"subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}}]}});
    let mut config = privlink_twin::TwinConfig::new(dir.path());
    config.preload = vec![vnet_doc];
    let state =
        privlink_twin::open_state(&config, std::sync::Arc::new(privlink_twin::PassThrough), String::new()).unwrap();
    let docs = state.store.snapshot();
    let ids: Vec<&str> = docs.iter().map(|(key, _)| key).collect();
    assert_eq!(ids.len(), 3, "the group is created, the inline subnet becomes a document: {ids:?}");
    drop(state);
    config.preload = Vec::new();
    let reopened =
        privlink_twin::open_state(&config, std::sync::Arc::new(privlink_twin::PassThrough), String::new()).unwrap();
    assert_eq!(reopened.store.snapshot().len(), 3);
}

/// A provider that behaves like Azure for two cases: a private endpoint gets a NIC in the same
/// transaction, and a subnet holding one cannot be deleted.
struct NicAllocating;

impl privlink_twin::Provider for NicAllocating {
    fn apply(
        &self,
        snapshot: &privlink_twin::Documents,
        request: &privlink_twin::WriteRequest,
    ) -> Result<Vec<privlink_twin::Change>, privlink_twin::ArmError> {
        use privlink_twin::{ArmError, Change, WriteMethod};
        if request.method == WriteMethod::Delete && request.id.is_type("Microsoft.Network/virtualNetworks/subnets") {
            let in_use = snapshot.iter().any(|(_, d)| {
                d["properties"]["subnet"]["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(request.id.as_str()))
            });
            if in_use {
                return Err(ArmError::bad_request("InUseSubnetCannotBeDeleted", "Subnet is in use."));
            }
        }
        let mut changes = privlink_twin::PassThrough.apply(snapshot, request)?;
        if request.method == WriteMethod::Put && request.id.is_type("Microsoft.Network/privateEndpoints") {
            let nic = format!(
                "{}/providers/Microsoft.Network/networkInterfaces/{}.nic",
                request.id.resource_group_id().unwrap(),
                request.id.name()
            );
            changes.push(Change::Put(json!({"id": nic, "properties": {"subnet": request.document.as_ref().unwrap()["properties"]["subnet"]}})));
        }
        Ok(changes)
    }
}

#[tokio::test]
async fn a_provider_decides_what_a_write_changes() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open_with(dir.path(), std::sync::Arc::new(NicAllocating));
    create_group_and_vnet(&twin).await;
    let subnet = format!("{}/subnets/default", vnet());
    let pe = format!("{}/providers/Microsoft.Network/privateEndpoints/pe?{API}", group());
    let created =
        twin.send("PUT", &pe, Some(&json!({"location": "eastus", "properties": {"subnet": {"id": subnet}}}))).await;
    assert_eq!(created.status, 201, "{created:?}");
    let nic = format!("{}/providers/Microsoft.Network/networkInterfaces/pe.nic?{API}", group());
    assert_eq!(twin.send("GET", &nic, None).await.status, 200, "the provider's NIC was committed with the endpoint");
    let refused = twin.send("DELETE", &format!("{subnet}?{API}"), None).await;
    assert_eq!((refused.status, refused.error_code()), (400, Some("InUseSubnetCannotBeDeleted")));
    assert_eq!(twin.send("GET", &format!("{subnet}?{API}"), None).await.status, 200, "a refused write changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_child_writes_lose_no_update_of_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let twin = std::sync::Arc::new(InProcessTwin::open(dir.path()));
    create_group_and_vnet(&twin).await;
    let writers: Vec<_> = (1..=16)
        .map(|i| {
            let twin = twin.clone();
            tokio::spawn(async move {
                let body = json!({"properties": {"addressPrefix": format!("10.0.{i}.0/24")}});
                twin.send("PUT", &format!("{}/subnets/s{i}?{API}", vnet()), Some(&body)).await.status
            })
        })
        .collect();
    for writer in writers {
        assert_eq!(writer.await.unwrap(), 201);
    }
    let vnet = twin.send("GET", &format!("{}?{API}", vnet()), None).await;
    assert_eq!(vnet.json()["properties"]["subnets"].as_array().unwrap().len(), 17, "default + 16 written in parallel");
}
