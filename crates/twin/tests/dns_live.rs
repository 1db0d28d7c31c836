//! Live update: the twin (ARM over HTTPS + DNS face) runs the seed estate; a private endpoint, its
//! zone group and its A record are written through the ARM face, and the very next DNS query to the
//! VNet's view answers the private address — no restart. A VNet added through ARM gets a listener
//! of its own (and an entry in `GET /privlink/dns-views`); deleting it removes both.

mod dns_support;

use dns_support::{query_message, seen_on_the_wire, udp};
use hickory_proto::rr::RecordType;
use privlink_twin::{start, DnsConfig, TwinConfig};
use serde_json::{json, Value};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed";
const VNET_APP: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/virtualNetworks/vnet-app";

struct Arm {
    client: reqwest::Client,
    url: String,
    bearer: String,
}

impl Arm {
    async fn put(&self, id: &str, api_version: &str, body: Value) {
        let response = self
            .client
            .put(format!("{}{id}?api-version={api_version}", self.url))
            .bearer_auth(&self.bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(status == 200 || status == 201, "PUT {id}: {status} {}", response.text().await.unwrap());
    }

    async fn delete(&self, id: &str, api_version: &str) {
        let response = self
            .client
            .delete(format!("{}{id}?api-version={api_version}", self.url))
            .bearer_auth(&self.bearer)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "DELETE {id}: {}", response.status());
    }

    /// `GET /privlink/dns-views` (with the token, as every read of the estate).
    async fn dns_views(&self) -> Vec<Value> {
        let url = format!("{}/privlink/dns-views", self.url);
        let views: Value = self.client.get(url).bearer_auth(&self.bearer).send().await.unwrap().json().await.unwrap();
        views.as_array().expect("an array").clone()
    }

    async fn address_of(&self, view: &str) -> Option<SocketAddr> {
        self.dns_views().await.iter().find(|v| v["view"].as_str().unwrap().eq_ignore_ascii_case(view)).map(|v| {
            let address: Ipv4Addr = v["address"].as_str().unwrap().parse().unwrap();
            SocketAddr::from((address, v["port"].as_u64().unwrap() as u16))
        })
    }
}

async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_endpoint_written_through_arm_resolves_privately_at_the_next_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = TwinConfig::new(dir.path());
    config.preload = dns_support::seed_documents();
    config.dns = DnsConfig::on_port(0);
    let twin = start(config).await.expect("the twin starts with its DNS face");
    let ca = std::fs::read(&twin.ca_path).unwrap();
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    let bearer = twin
        .state()
        .tokens
        .issue("https://management.core.windows.net/", privlink_twin::identity::now_epoch_secs())
        .access_token;
    let arm = Arm { client, url: twin.url.clone(), bearer };

    let views = arm.dns_views().await;
    let labels: Vec<&str> = views.iter().map(|v| v["view"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 3, "internet, vnet-app, the integrated site: {labels:?}");
    assert_eq!(labels[0], "internet");
    let face = twin.dns.as_ref().unwrap();
    assert_eq!(json!(*face.views()), json!(views), "the ARM face serves the DNS face's table");
    let vnet_app = arm.address_of(VNET_APP).await.expect("vnet-app has a view");

    let name = "kv-live.vault.azure.net.";
    let query = query_message(name, RecordType::A, Some(1232));
    let before = seen_on_the_wire(&udp(vnet_app, &query).await);
    assert_eq!(before.rcode, "NOERROR");
    assert!(
        before.answers.iter().all(|a| !a.2.starts_with("10.")),
        "a vault outside the estate resolves publicly: {before:?}"
    );

    // What `az keyvault create` + `az network private-endpoint create` + `dns-zone-group create`
    // leave behind. The zone group's A record is written explicitly: the provider that derives it
    // from the zone group is not part of this face.
    let vault = format!("{RG}/providers/Microsoft.KeyVault/vaults/kv-live");
    let pe = format!("{RG}/providers/Microsoft.Network/privateEndpoints/pe-kv-live");
    let zone = format!("{RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
    arm.put(
        &vault,
        "2023-07-01",
        json!({"location": "westeurope", "properties": {
            "tenantId": "00000000-0000-0000-0000-0000000000aa", "sku": {"family": "A", "name": "standard"},
            "publicNetworkAccess": "Disabled",
            "privateEndpointConnections": [{"properties": {
                "privateEndpoint": {"id": pe},
                "privateLinkServiceConnectionState": {"status": "Approved"}}}]}}),
    )
    .await;
    arm.put(
        &pe,
        "2024-05-01",
        json!({"location": "westeurope", "properties": {
            "subnet": {"id": format!("{VNET_APP}/subnets/snet-private-endpoints")},
            "privateLinkServiceConnections": [{"name": "pe-kv-live-conn", "properties": {
                "privateLinkServiceId": vault, "groupIds": ["vault"],
                "privateLinkServiceConnectionState": {"status": "Approved"}}}]}}),
    )
    .await;
    arm.put(
        &format!("{pe}/privateDnsZoneGroups/default"),
        "2024-05-01",
        json!({"properties": {"privateDnsZoneConfigs": [
            {"name": "privatelink-vaultcore-azure-net", "properties": {"privateDnsZoneId": zone}}]}}),
    )
    .await;

    // The vault now has an approved connection and the zone group wrote its A record at the
    // endpoint NIC's address (the provider: first free address of the subnet after the seed's
    // .4–.7): private, at the next query.
    let written = seen_on_the_wire(&udp(vnet_app, &query).await);
    assert_eq!(written.rcode, "NOERROR", "{written:?}");
    assert_eq!(written.answers.last().map(|a| a.2.as_str()), Some("10.20.2.8"), "{written:?}");

    // Overwriting the record by hand (as `az network private-dns record-set a` would) is visible too.
    arm.put(
        &format!("{zone}/A/kv-live"),
        "2024-06-01",
        json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.20.2.9"}]}}),
    )
    .await;
    let after = seen_on_the_wire(&udp(vnet_app, &query).await);
    assert_eq!(after.rcode, "NOERROR");
    assert_eq!(
        after.answers,
        vec![
            ("kv-live.vault.azure.net".into(), "CNAME".into(), "kv-live.privatelink.vaultcore.azure.net".into(), 60),
            ("kv-live.privatelink.vaultcore.azure.net".into(), "A".into(), "10.20.2.9".into(), 10),
        ]
    );

    // A new VNet gets a listener; the zone is not linked to it, so it sees the public chain.
    let vnet_new = format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet-new");
    arm.put(
        &vnet_new,
        "2024-05-01",
        json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.30.0.0/16"]}}}),
    )
    .await;
    let new_view = eventually("a listener for vnet-new", async || arm.address_of(&vnet_new).await).await;
    assert_ne!(new_view, vnet_app);
    let unlinked = seen_on_the_wire(&udp(new_view, &query).await);
    assert_eq!(unlinked.rcode, "NOERROR");
    assert!(unlinked.answers.iter().all(|a| !a.2.starts_with("10.")), "not linked: public answer {unlinked:?}");
    assert_eq!(arm.address_of(VNET_APP).await, Some(vnet_app), "existing views keep their address");

    arm.delete(&vnet_new, "2024-05-01").await;
    eventually("vnet-new's listener to go", async || arm.address_of(&vnet_new).await.is_none().then_some(())).await;
    twin.shutdown().await.unwrap();
}
