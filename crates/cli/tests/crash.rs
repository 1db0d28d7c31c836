//! Crash safety of the live twin: `privlink up` is killed with SIGKILL at pseudo-random points of a
//! bounded loop of writes, at least 20 times. After each restart every acknowledged write is
//! present and no change is half-applied: every private endpoint's NIC exists, every record a zone
//! group reports exists in its zone.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 20;
const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";
const RG: &str = "rg-flask-pe";

fn prereqs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/az/private-endpoints/prereqs")
}

struct Twin {
    child: Child,
    url: String,
    token: String,
    client: reqwest::Client,
}

fn start(state: &Path) -> Twin {
    let running = state.join("twin.json");
    let _ = std::fs::remove_file(&running); // left behind by the previous SIGKILL
    let child = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["up", "--print-env", "--no-dns", "--estate"])
        .arg(prereqs())
        .arg("--state")
        .arg(state)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !running.exists() {
        assert!(Instant::now() < deadline, "privlink up did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let info: Value = serde_json::from_slice(&std::fs::read(&running).unwrap()).unwrap();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(state.join("ca.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
    let header = std::fs::read_to_string(state.join("identity-header")).unwrap();
    let identity = info["identity_endpoint"].as_str().unwrap().to_string();
    let token = tokio_block(async {
        let reply = reqwest::Client::new()
            .get(format!("{identity}?resource=https://management.core.windows.net/&api-version=2019-08-01"))
            .header("X-IDENTITY-HEADER", header.trim())
            .send()
            .await
            .unwrap();
        reply.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    });
    Twin { child, url: info["url"].as_str().unwrap().to_string(), token, client }
}

fn tokio_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

impl Twin {
    async fn put(&self, id: &str, body: &Value) -> Result<(), String> {
        let r = self
            .client
            .put(format!("{}{id}?api-version=2024-05-01", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("{id}: {}", r.status()))
        }
    }

    async fn documents(&self) -> Vec<Value> {
        let r =
            self.client.get(format!("{}/privlink/documents", self.url)).bearer_auth(&self.token).send().await.unwrap();
        let mut body: Value = r.json().await.unwrap();
        match body["value"].take() {
            Value::Array(a) => a,
            _ => panic!("no documents"),
        }
    }
}

/// The writes of step `n`: a private endpoint to the vault, then its zone group.
fn writes(n: usize) -> Vec<(String, Value)> {
    let net = format!("{SUB}/resourceGroups/{RG}/providers/Microsoft.Network");
    let pe = format!("{net}/privateEndpoints/pe-crash-{n}");
    vec![
        (
            pe.clone(),
            json!({"location": "westeurope", "properties": {
                "subnet": {"id": format!("{net}/virtualNetworks/vnet-flask-pe/subnets/snet-private-endpoints")},
                "privateLinkServiceConnections": [{"name": format!("c{n}"), "properties": {
                    "privateLinkServiceId": format!("{SUB}/resourceGroups/{RG}/providers/Microsoft.KeyVault/vaults/kv-flask-pe"),
                    "groupIds": ["vault"]}}]}}),
        ),
        (
            format!("{pe}/privateDnsZoneGroups/default"),
            json!({"properties": {"privateDnsZoneConfigs": [{"name": "vaultcore", "properties": {
                "privateDnsZoneId": format!("{net}/privateDnsZones/privatelink.vaultcore.azure.net")}}]}}),
        ),
    ]
}

/// Nothing half-applied: references that a single write creates together must all resolve.
fn check_consistent(docs: &[Value]) {
    let ids: BTreeSet<String> = docs.iter().filter_map(|d| d["id"].as_str()).map(str::to_ascii_lowercase).collect();
    for d in docs {
        let ty = d["type"].as_str().unwrap_or_default().to_ascii_lowercase();
        if ty == "microsoft.network/privateendpoints" {
            for nic in d.pointer("/properties/networkInterfaces").and_then(Value::as_array).into_iter().flatten() {
                let nic = nic["id"].as_str().unwrap().to_ascii_lowercase();
                assert!(ids.contains(&nic), "{} names NIC {nic}, which is missing", d["id"]);
            }
        }
        if ty == "microsoft.network/privateendpoints/privatednszonegroups" {
            for cfg in d.pointer("/properties/privateDnsZoneConfigs").and_then(Value::as_array).into_iter().flatten() {
                let zone = cfg.pointer("/properties/privateDnsZoneId").and_then(Value::as_str).unwrap_or_default();
                for rs in cfg.pointer("/properties/recordSets").and_then(Value::as_array).into_iter().flatten() {
                    let name = rs["recordSetName"].as_str().unwrap_or_default();
                    let record = format!("{zone}/A/{name}").to_ascii_lowercase();
                    assert!(ids.contains(&record), "{} reports record {record}, which is missing", d["id"]);
                }
            }
        }
    }
}

#[test]
fn sigkill_never_loses_an_acknowledged_write_or_leaves_half_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut acknowledged: Vec<String> = Vec::new();
    let mut step = 0usize;
    let mut seed: u64 = 0x5eed_2026;
    for kill in 0..KILLS {
        let twin = start(&state);
        // The zone once, before the loop; then the documents must show every acknowledged write.
        let docs = tokio_block(twin.documents());
        let ids: BTreeSet<String> = docs.iter().filter_map(|d| d["id"].as_str()).map(str::to_ascii_lowercase).collect();
        for id in &acknowledged {
            assert!(ids.contains(&id.to_ascii_lowercase()), "after kill {kill}: acknowledged {id} is missing");
        }
        check_consistent(&docs);
        if kill == 0 {
            let zone = format!(
                "{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"
            );
            tokio_block(twin.put(&zone, &json!({"location": "global"}))).unwrap();
            acknowledged.push(zone);
        }
        // Kill after a pseudo-random delay (xorshift, fixed seed: the run is repeatable).
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(5 + seed % 120);
        let pid = twin.child.id();
        let killer = std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        });
        tokio_block(async {
            'writes: loop {
                for (id, body) in writes(step) {
                    match twin.put(&id, &body).await {
                        Ok(()) => acknowledged.push(id),
                        Err(_) => break 'writes,
                    }
                }
                step += 1;
                if step > 10_000 {
                    break;
                }
            }
        });
        killer.join().unwrap();
        let mut child = twin.child;
        let _ = child.wait();
    }
    // A last clean start: everything acknowledged is there.
    let twin = start(&state);
    let docs = tokio_block(twin.documents());
    let ids: BTreeSet<String> = docs.iter().filter_map(|d| d["id"].as_str()).map(str::to_ascii_lowercase).collect();
    for id in &acknowledged {
        assert!(ids.contains(&id.to_ascii_lowercase()), "acknowledged {id} is missing at the end");
    }
    check_consistent(&docs);
    // The consistency checks above must have had something to check: the provider gives every
    // endpoint a NIC and every zone group its records.
    let with_nic = docs.iter().filter(|d| d.pointer("/properties/networkInterfaces/0/id").is_some()).count();
    let with_records = docs
        .iter()
        .filter(|d| d.pointer("/properties/privateDnsZoneConfigs/0/properties/recordSets/0").is_some())
        .count();
    assert!(
        with_nic > 1 && with_records > 1,
        "endpoints with NICs: {with_nic}, zone groups with records: {with_records}"
    );
    assert!(acknowledged.len() > KILLS, "the loop made progress between kills ({} writes)", acknowledged.len());
    let _ = Command::new("kill").args(["-TERM", &twin.child.id().to_string()]).status();
    let mut child = twin.child;
    let _ = child.wait();
}
