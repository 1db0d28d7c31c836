//! The twin with the engine's provider: a private endpoint and its zone group written as the az
//! CLI writes them (`10-private-endpoint-create.jsonl`, then `az network private-endpoint
//! dns-zone-group create`), and what GET shows afterwards: the NIC with the first free address of
//! the subnet, the web app's approved connection, the zone group's record set and the A record.

mod common;

use common::{InProcessTwin, SUB};
use privlink_twin::EngineProvider;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

const API: &str = "api-version=2024-05-01";

fn rg() -> String {
    format!("{SUB}/resourceGroups/rg-demo")
}

fn arm(path: &str) -> String {
    format!("{}/providers/{path}?{API}", rg())
}

/// The private endpoint PUT the real az CLI sent for `az network private-endpoint create`.
fn recorded_endpoint_put() -> (String, Value) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/az-cli-requests/10-private-endpoint-create.jsonl");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let request: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["method"] == "PUT")
        .expect("the recording has the PUT");
    (format!("{}?{API}", request["path"].as_str().unwrap()), request["body"].clone())
}

async fn ok(twin: &InProcessTwin, method: &str, path: &str, body: Option<&Value>) -> Value {
    let reply = twin.send(method, path, body).await;
    assert!((200..300).contains(&reply.status), "{method} {path}: {} {:?}", reply.status, reply.body);
    reply.body.unwrap_or(Value::Null)
}

/// Resource group, VNet with a PE subnet and a delegated integration subnet, plan, web app, zone.
async fn prerequisites(twin: &InProcessTwin) {
    ok(twin, "PUT", &format!("{}?{API}", rg()), Some(&json!({ "location": "eastus" }))).await;
    let vnet = json!({ "location": "eastus", "properties": {
        "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
        "subnets": [
            { "name": "snet-app", "properties": { "addressPrefix": "10.0.1.0/24",
              "delegations": [{ "name": "d", "properties": { "serviceName": "Microsoft.Web/serverFarms" } }] } },
            { "name": "snet-pe", "properties": { "addressPrefix": "10.0.2.0/24" } } ] } });
    ok(twin, "PUT", &arm("Microsoft.Network/virtualNetworks/vnet-demo"), Some(&vnet)).await;
    let plan = json!({ "location": "eastus", "kind": "linux", "sku": { "name": "P1v3", "tier": "PremiumV3" },
                       "properties": { "reserved": true } });
    ok(twin, "PUT", &arm("Microsoft.Web/serverfarms/plan-demo"), Some(&plan)).await;
    let site = json!({ "location": "eastus", "kind": "app,linux", "properties": {
        "serverFarmId": format!("{}/providers/Microsoft.Web/serverfarms/plan-demo", rg()) } });
    ok(twin, "PUT", &arm("Microsoft.Web/sites/app-demo"), Some(&site)).await;
    let zone = json!({ "location": "global" });
    ok(twin, "PUT", &arm("Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net"), Some(&zone)).await;
}

#[tokio::test]
async fn endpoint_and_zone_group_through_the_router_show_nic_address_connection_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open_with(dir.path(), Arc::new(EngineProvider));
    prerequisites(&twin).await;

    let (path, body) = recorded_endpoint_put();
    ok(&twin, "PUT", &path, Some(&body)).await;
    let zone_id = format!("{}/providers/Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net", rg());
    let group = json!({ "properties": { "privateDnsZoneConfigs": [
        { "name": "privatelink.azurewebsites.net", "properties": { "privateDnsZoneId": zone_id } } ] } });
    ok(&twin, "PUT", &arm("Microsoft.Network/privateEndpoints/pe-app/privateDnsZoneGroups/default"), Some(&group))
        .await;

    let endpoint = ok(&twin, "GET", &arm("Microsoft.Network/privateEndpoints/pe-app"), None).await;
    let connection = &endpoint["properties"]["privateLinkServiceConnections"][0]["properties"];
    assert_eq!(connection["privateLinkServiceConnectionState"]["status"], "Approved");
    let nic_id = endpoint["properties"]["networkInterfaces"][0]["id"].as_str().expect("the endpoint names its NIC");
    let nic = ok(&twin, "GET", &format!("{nic_id}?{API}"), None).await;
    let config = &nic["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(config["privateIPAddress"], "10.0.2.4", "the first address after the four reserved ones");
    assert_eq!(
        config["privateLinkConnectionProperties"]["fqdns"],
        json!(["app-demo.azurewebsites.net", "app-demo.scm.azurewebsites.net"])
    );

    let site = ok(&twin, "GET", &arm("Microsoft.Web/sites/app-demo"), None).await;
    let entry = &site["properties"]["privateEndpointConnections"][0];
    assert_eq!(entry["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    let entry_path = format!("{}?{API}", entry["id"].as_str().unwrap());
    assert_eq!(ok(&twin, "GET", &entry_path, None).await["properties"]["privateEndpoint"]["id"], endpoint["id"]);

    let group =
        ok(&twin, "GET", &arm("Microsoft.Network/privateEndpoints/pe-app/privateDnsZoneGroups/default"), None).await;
    let sets = &group["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"];
    assert_eq!(sets.as_array().map(Vec::len), Some(2), "{sets}");
    let record =
        ok(&twin, "GET", &arm("Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net/A/app-demo"), None)
            .await;
    assert_eq!(record["properties"]["ttl"], 10);
    assert_eq!(record["properties"]["aRecords"], json!([{ "ipv4Address": "10.0.2.4" }]));

    // Azure's validation answers with its envelope.
    let in_use = twin.send("DELETE", &arm("Microsoft.Network/virtualNetworks/vnet-demo/subnets/snet-pe"), None).await;
    assert_eq!((in_use.status, in_use.error_code()), (400, Some("InUseSubnetCannotBeDeleted")));
    let mut delegated = body.clone();
    delegated["properties"]["subnet"]["id"] =
        json!(format!("{}/providers/Microsoft.Network/virtualNetworks/vnet-demo/subnets/snet-app", rg()));
    let refused = twin.send("PUT", &arm("Microsoft.Network/privateEndpoints/pe-bad"), Some(&delegated)).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (400, Some("PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations"))
    );

    // Deleting the endpoint takes its NIC, zone group, records and the app's connection with it.
    let deleted = twin.send("DELETE", &arm("Microsoft.Network/privateEndpoints/pe-app"), None).await;
    assert!(deleted.status < 300, "{deleted:?}");
    assert_eq!(twin.send("GET", &format!("{nic_id}?{API}"), None).await.status, 404);
    let record = twin
        .send("GET", &arm("Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net/A/app-demo"), None)
        .await;
    assert_eq!(record.status, 404);
    let site = ok(&twin, "GET", &arm("Microsoft.Web/sites/app-demo"), None).await;
    assert_eq!(site["properties"]["privateEndpointConnections"], json!([]));
}
