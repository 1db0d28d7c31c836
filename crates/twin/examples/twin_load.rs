//! Load on a live twin over loopback, for the figures in `benches/RESULTS.md` (issue 17).
//!
//! ```text
//! twin_load records [dns]      2,000 record-set PUTs to one private zone from 16 concurrent
//!                              clients through the ARM face (HTTPS); prints requests/s for each
//!                              successive 500. `dns` runs the DNS face too (rebuilt per commit).
//! twin_load flood [SECONDS]    the seed estate with its DNS face; the median of 500 sequential
//!                              `GET` of a resource group (with the token) while idle, then while
//!                              2 threads flood vnet-app's view over UDP with a 2,473-byte query of
//!                              368 compressed questions (default 5 s of flood)
//! ```
//!
//! Run: `cargo run --release -p privlink-twin --example twin_load -- records`. Only loopback.

use anyhow::Context;
use privlink_twin::{start, DnsConfig, RunningTwin, TwinConfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-load";
const ZONE_NAME: &str = "load.example.internal";
const RECORDS: usize = 2000;
const CLIENTS: usize = 16;
const STEP: usize = 500;

struct Arm {
    client: reqwest::Client,
    url: String,
    bearer: String,
}

impl Arm {
    fn of(twin: &RunningTwin) -> anyhow::Result<Arm> {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(&twin.ca_path)?)?;
        let client = reqwest::Client::builder().add_root_certificate(ca).build()?;
        let now = privlink_twin::identity::now_epoch_secs();
        let token = twin.state().tokens.issue("https://management.core.windows.net/", now).access_token;
        Ok(Arm { client, url: twin.url.clone(), bearer: format!("Bearer {token}") })
    }

    async fn put(&self, path: &str, api_version: &str, body: &Value) -> anyhow::Result<()> {
        let response = self
            .client
            .put(format!("{}{path}?api-version={api_version}", self.url))
            .header("authorization", &self.bearer)
            .json(body)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "PUT {path}: {}", response.status());
        Ok(())
    }

    async fn get(&self, path: &str) -> anyhow::Result<()> {
        let response = self
            .client
            .get(format!("{}{path}?api-version=2021-04-01", self.url))
            .header("authorization", &self.bearer)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "GET {path}: {}", response.status());
        response.bytes().await?;
        Ok(())
    }
}

async fn records(dns: bool) -> anyhow::Result<()> {
    let state = tempfile::tempdir()?;
    let mut config = TwinConfig::new(state.path());
    if dns {
        config.dns = DnsConfig::on_port(0);
    }
    let twin = start(config).await?;
    let arm = Arc::new(Arm::of(&twin)?);
    arm.put(RG, "2021-04-01", &json!({"location": "westeurope"})).await?;
    let zone = format!("{RG}/providers/{}/{ZONE_NAME}", privlink_model::arm_type::PRIVATE_DNS_ZONES);
    arm.put(&zone, "2024-06-01", &json!({"location": "global"})).await?;
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (arm, next, done, zone) = (arm.clone(), next.clone(), done.clone(), zone.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= RECORDS {
                    return Ok::<_, anyhow::Error>(());
                }
                let address = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
                let body = json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": address}]}});
                arm.put(&format!("{zone}/A/host-{i}"), "2024-06-01", &body).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut reported = 0;
    let mut last = started;
    while reported < RECORDS / STEP {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let count = done.load(Ordering::Relaxed) as usize;
        if count >= (reported + 1) * STEP {
            let now = Instant::now();
            let rate = STEP as f64 / (now - last).as_secs_f64();
            println!("records {:>4}–{:>4}: {rate:>6.0} requests/s", reported * STEP + 1, (reported + 1) * STEP);
            reported += 1;
            last = now;
        }
        if clients.iter().all(|c| c.is_finished()) && count < (reported + 1) * STEP {
            break;
        }
    }
    for client in clients {
        client.await??;
    }
    println!(
        "total: {RECORDS} PUTs in {:.1} s (DNS face {})",
        started.elapsed().as_secs_f64(),
        if dns { "on" } else { "off" }
    );
    twin.shutdown().await
}

fn seed_documents() -> anyhow::Result<Vec<Value>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut documents = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    files.retain(|f| f.extension().is_some_and(|x| x == "json"));
    files.sort();
    for file in files {
        let value: Value =
            serde_json::from_slice(&std::fs::read(&file)?).with_context(|| file.display().to_string())?;
        match value {
            Value::Array(items) => documents.extend(items),
            other => documents.push(other),
        }
    }
    Ok(documents)
}

/// The probe of issue 17: one question for `name`, then 367 more that point at it (RFC 1035 §4.1.4).
pub fn many_questions(name: &str, questions: usize) -> Vec<u8> {
    let mut message = vec![0x12, 0x34, 0x01, 0x00];
    message.extend_from_slice(&(questions as u16).to_be_bytes());
    message.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        message.push(label.len() as u8);
        message.extend_from_slice(label.as_bytes());
    }
    message.extend_from_slice(&[0, 0, 1, 0, 1]);
    for _ in 1..questions {
        message.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
    }
    message
}

async fn median_get(arm: &Arm, path: &str) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        arm.get(path).await?;
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2] * 1000.0)
}

async fn flood(seconds: u64) -> anyhow::Result<()> {
    let state = tempfile::tempdir()?;
    let mut config = TwinConfig::new(state.path());
    config.dns = DnsConfig::on_port(0);
    config.preload = seed_documents()?;
    let twin = start(config).await?;
    let arm = Arm::of(&twin)?;
    let group = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed";
    let dns = twin.dns.as_ref().context("the DNS face runs")?;
    let vnet_app = dns
        .views()
        .iter()
        .find(|v| v.view.ends_with("/virtualNetworks/vnet-app"))
        .map(|v| std::net::SocketAddr::from((v.address, v.port)))
        .context("vnet-app has a view")?;
    median_get(&arm, group).await?;
    let idle = median_get(&arm, group).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, received) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let probe = many_questions("sql-privlink-seed.database.windows.net", 368);
    let mut flooders = Vec::new();
    for _ in 0..2 {
        let (stop, sent, received, probe) = (stop.clone(), sent.clone(), received.clone(), probe.clone());
        flooders.push(std::thread::spawn(move || {
            let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            socket.set_nonblocking(true).unwrap();
            let mut buffer = vec![0u8; 65536];
            while !stop.load(Ordering::Relaxed) {
                if socket.send_to(&probe, vnet_app).is_ok() {
                    sent.fetch_add(probe.len() as u64, Ordering::Relaxed);
                }
                while let Ok((length, _)) = socket.recv_from(&mut buffer) {
                    received.fetch_add(length as u64, Ordering::Relaxed);
                }
            }
        }));
    }
    let flood_started = Instant::now();
    let loaded = median_get(&arm, group).await?;
    let remaining = Duration::from_secs(seconds).saturating_sub(flood_started.elapsed());
    tokio::time::sleep(remaining).await;
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        let _ = flooder.join();
    }
    let (sent, received) = (sent.load(Ordering::Relaxed), received.load(Ordering::Relaxed));
    println!("query: {} bytes, 368 questions", probe.len());
    println!("ARM GET p50: {idle:.2} ms idle, {loaded:.2} ms under the DNS flood");
    println!(
        "flood: {:.1} MB sent, {:.1} MB received in replies ({:.2}× the bytes sent)",
        sent as f64 / 1e6,
        received as f64 / 1e6,
        received as f64 / sent.max(1) as f64
    );
    twin.shutdown().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("records") => records(args.get(1).is_some_and(|a| a == "dns")).await,
        Some("flood") => flood(args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(5)).await,
        _ => anyhow::bail!("usage: twin_load records [dns] | twin_load flood [SECONDS]"),
    }
}
