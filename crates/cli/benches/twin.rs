//! The live twin, measured: cold start of `privlink up` to its first answered request, resident
//! memory when idle with the built-in estate, and the time from `PUT privateEndpoints/…` + its
//! zone group until resolve answers private. Each figure has a peer measured in the same run:
//! starting a `privlink --version` process (the floor for any cold start), and one plain GET
//! round trip to the twin (the floor for any write-then-read).
//!
//! Run: `cargo bench -p privlink --bench twin`

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_privlink");
const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn ms(d: f64) -> String {
    format!("{:.1} ms", d * 1000.0)
}

struct Up {
    child: Child,
    info: Value,
}

fn up(state: &Path, args: &[&str]) -> Up {
    let _ = std::fs::remove_file(state.join("twin.json"));
    let child = Command::new(BIN)
        .args(["up", "--print-env", "--no-dns", "--state"])
        .arg(state)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = state.join("twin.json");
    while !running.exists() {
        std::thread::sleep(Duration::from_micros(200));
    }
    let info = serde_json::from_slice(&std::fs::read(&running).unwrap()).unwrap();
    Up { child, info }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

fn client(state: &Path) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(state.join("ca.pem")).unwrap()).unwrap();
    reqwest::Client::builder().add_root_certificate(ca).build().unwrap()
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}

async fn token(up: &Up, state: &Path) -> String {
    let header = std::fs::read_to_string(state.join("identity-header")).unwrap();
    let identity = up.info["identity_endpoint"].as_str().unwrap();
    let r = reqwest::Client::new()
        .get(format!("{identity}?resource=https://management.core.windows.net/&api-version=2019-08-01"))
        .header("X-IDENTITY-HEADER", header.trim())
        .send()
        .await
        .unwrap();
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let tmp = tempfile::tempdir().unwrap();

    // 1. Cold start to the first answered request, against the process-start floor.
    let mut starts = Vec::new();
    let mut floors = Vec::new();
    for i in 0..7 {
        let t = Instant::now();
        Command::new(BIN).arg("--version").stdout(Stdio::null()).status().unwrap();
        floors.push(t.elapsed().as_secs_f64());
        let state = tmp.path().join(format!("cold-{i}"));
        let t = Instant::now();
        let twin = up(&state, &["--empty"]);
        let c = client(&state);
        let url = format!("{}/metadata/endpoints?api-version=2022-09-01", twin.info["url"].as_str().unwrap());
        let status = runtime.block_on(async { c.get(&url).send().await.unwrap().status() });
        assert!(status.is_success());
        starts.push(t.elapsed().as_secs_f64());
    }
    let (start, floor) = (median(starts), median(floors));
    println!(
        "cold start to first answered request: {} (peer: `privlink --version` {}; ratio {:.1})",
        ms(start),
        ms(floor),
        start / floor
    );

    // 2. Resident memory, idle, with the built-in estate preloaded.
    let state = tmp.path().join("idle");
    let twin = up(&state, &[]);
    std::thread::sleep(Duration::from_secs(1));
    println!("resident memory idle (built-in estate): {} MiB", rss_kib(twin.child.id()) / 1024);
    drop(twin);

    // 3. PUT a private endpoint and its zone group, then resolve from the VNet until private.
    let prereqs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/az/private-endpoints/prereqs");
    let state = tmp.path().join("write");
    let twin = up(&state, &["--estate", prereqs.to_str().unwrap()]);
    let c = client(&state);
    let url = twin.info["url"].as_str().unwrap().to_string();
    let rg = format!("{SUB}/resourceGroups/rg-flask-pe/providers");
    let bearer = runtime.block_on(token(&twin, &state));
    let (mut write_to_private, mut round_trips) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        let put = |id: String, body: Value| {
            let (c, url, bearer) = (c.clone(), url.clone(), bearer.clone());
            async move {
                let r = c.put(format!("{url}{id}?api-version=2024-05-01")).bearer_auth(bearer).json(&body).send().await.unwrap();
                assert!(r.status().is_success(), "{id}: {}", r.status());
            }
        };
        let zone = format!("{rg}/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
        put(zone.clone(), json!({"location": "global"})).await;
        put(
            format!("{zone}/virtualNetworkLinks/link"),
            json!({"location": "global", "properties": {"registrationEnabled": false,
                "virtualNetwork": {"id": format!("{rg}/Microsoft.Network/virtualNetworks/vnet-flask-pe")}}}),
        )
        .await;
        let vnet = format!("{rg}/Microsoft.Network/virtualNetworks/vnet-flask-pe");
        for i in 0..20 {
            let t = Instant::now();
            let _ = c.get(format!("{url}/privlink/documents")).bearer_auth(&bearer).send().await.unwrap().bytes().await.unwrap();
            round_trips.push(t.elapsed().as_secs_f64());

            let pe = format!("{rg}/Microsoft.Network/privateEndpoints/pe-bench-{i}");
            let t = Instant::now();
            put(pe.clone(), json!({"location": "westeurope", "properties": {
                "subnet": {"id": format!("{vnet}/subnets/snet-private-endpoints")},
                "privateLinkServiceConnections": [{"name": "c", "properties": {
                    "privateLinkServiceId": format!("{rg}/Microsoft.KeyVault/vaults/kv-flask-pe"), "groupIds": ["vault"]}}]}}))
            .await;
            put(format!("{pe}/privateDnsZoneGroups/default"), json!({"properties": {"privateDnsZoneConfigs": [
                {"name": "vaultcore", "properties": {"privateDnsZoneId": zone}}]}}))
            .await;
            // What `privlink resolve --twin` does, in-process: read the estate, resolve.
            let mut body: Value = c.get(format!("{url}/privlink/documents")).bearer_auth(&bearer).send().await.unwrap().json().await.unwrap();
            let docs = match body["value"].take() {
                Value::Array(docs) => docs,
                _ => Vec::new(),
            };
            let model = privlink_load::load_documents(
                docs.into_iter()
                    .enumerate()
                    .map(|(n, d)| (d, privlink_model::Origin::new("twin", format!("/value/{n}")))),
            );
            let vnet_id = privlink_model::ResourceId::parse(&vnet).unwrap();
            let view = privlink_engine::dns::view_of(&model, &privlink_engine::dns::Querier::VirtualNetwork(vnet_id));
            let name = privlink_model::DnsName::parse("kv-flask-pe.vault.azure.net").unwrap();
            let r = privlink_engine::dns::resolve(&model, &view, &name, privlink_model::RecordType::A);
            assert_eq!(serde_json::to_value(r.verdict).unwrap(), "private");
            write_to_private.push(t.elapsed().as_secs_f64());
        }
    });
    let (w, rt) = (median(write_to_private), median(round_trips));
    println!(
        "PUT private endpoint + zone group until resolve answers private: {} (peer: one GET round trip {}; ratio {:.1})",
        ms(w),
        ms(rt),
        w / rt
    );
    drop(twin);
}
