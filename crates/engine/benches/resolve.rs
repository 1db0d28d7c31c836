//! Resolutions per second, single-threaded, on the built-in seed estate and on a generated estate
//! with 10,000 linked private zones. Run: `cargo bench -p privlink-engine --bench resolve`.
//! Prints figures only; nothing asserts on time.

use privlink_engine::dns::{view_of, Querier, Resolver};
use privlink_load::{load, Input, Options};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed";

fn seed_inputs() -> Vec<Input> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed estate directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|f| Input::new(f.display().to_string(), std::fs::read(f).expect("readable"))).collect()
}

/// The seed estate plus `zones` private zones `zone-N.example.internal`, each linked to vnet-app and
/// holding one A record `host` → an address in vnet-app.
fn generated_inputs(zones: usize) -> Vec<Input> {
    let vnet = format!("{SUB}/providers/Microsoft.Network/virtualNetworks/vnet-app");
    let mut docs: Vec<Value> = Vec::with_capacity(zones * 3);
    for i in 0..zones {
        let name = format!("zone-{i}.example.internal");
        let zone = format!("{SUB}/providers/Microsoft.Network/privateDnsZones/{name}");
        docs.push(json!({"id": zone, "name": name, "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {}}));
        docs.push(json!({"id": format!("{zone}/A/host"), "name": "host", "type": "Microsoft.Network/privateDnsZones/A",
            "properties": {"ttl": 10, "aRecords": [{"ipv4Address": format!("10.20.{}.{}", 3 + (i / 250) % 200, 1 + i % 250)}]}}));
        docs.push(json!({"id": format!("{zone}/virtualNetworkLinks/link"), "name": "link", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}));
    }
    let mut inputs = seed_inputs();
    inputs.push(Input::new("generated.json", serde_json::to_vec(&docs).expect("json")));
    inputs
}

fn measure(label: &str, model: &Model, names: &[DnsName]) {
    let site = ResourceId::parse(&format!("{SUB}/providers/Microsoft.Web/sites/app-flask-privlink")).expect("id");
    let resolver = Resolver::new(model);
    let view = view_of(model, &Querier::Site(site));
    let mut count: u64 = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..1000 {
            for name in names {
                black_box(resolver.resolve(black_box(&view), name, RecordType::A));
                count += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{label}: {count} resolutions in {secs:.2} s = {:.0} resolutions/s", count as f64 / secs);
}

fn main() {
    let seed = load(seed_inputs(), &Options::default()).expect("seed estate loads");
    let backends: Vec<DnsName> = [
        "sql-privlink-seed.database.windows.net",
        "redis-privlink-seed.redis.cache.windows.net",
        "kv-privlink-seed.vault.azure.net",
        "oai-privlink-seed.openai.azure.com",
    ]
    .iter()
    .map(|n| DnsName::parse(n).expect("name"))
    .collect();
    measure("seed estate, 4 backend names from app-flask-privlink", &seed, &backends);

    let big = load(generated_inputs(10_000), &Options::default()).expect("generated estate loads");
    let mut names = backends.clone();
    for i in [0, 2_500, 5_000, 9_999] {
        names.push(DnsName::parse(&format!("host.zone-{i}.example.internal")).expect("name"));
    }
    measure("generated estate with 10,000 linked zones, 8 names", &big, &names);
}
