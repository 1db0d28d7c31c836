//! Traces per second on the seed estate and on a generated estate with 10k routes and 10k NSG
//! rules. Run: `cargo bench -p privlink-engine --bench trace`.

use privlink_engine::path::{self, DnsContext};
use privlink_load::Input;
use privlink_model::{Model, Protocol, ResourceId};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

const FILES: [(&str, &str); 5] = [
    ("network.json", include_str!("../../../scenarios/seed-estate/network.json")),
    ("endpoints.json", include_str!("../../../scenarios/seed-estate/endpoints.json")),
    ("dns.json", include_str!("../../../scenarios/seed-estate/dns.json")),
    ("web.json", include_str!("../../../scenarios/seed-estate/web.json")),
    ("backends.json", include_str!("../../../scenarios/seed-estate/backends.json")),
];

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers";

fn documents() -> Vec<(String, Value)> {
    FILES.iter().map(|(n, j)| (n.to_string(), serde_json::from_str(j).unwrap())).collect()
}

fn load(docs: &[(String, Value)]) -> Model {
    let inputs: Vec<Input> = docs.iter().map(|(n, d)| Input::new(n.clone(), serde_json::to_vec(d).unwrap())).collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}

/// The seed estate plus a route table of `routes` UDRs on the integration subnet and `rules` extra
/// outbound NSG rules (priorities 200–4096, cycling) that never match the traced flows, so every
/// trace scans them all.
fn generated(routes: usize, rules: usize) -> Model {
    let mut docs = documents();
    let rt_id = format!("{RG}/Microsoft.Network/routeTables/rt-generated");
    let route_docs: Vec<Value> = (0..routes)
        .map(|i| {
            // 172.16.0.0/12 split into /28s and /32s: never covering the traced addresses.
            let a = 0xac10_0000u32 + (i as u32) * 16;
            let ip = std::net::Ipv4Addr::from(a);
            let len = if i % 2 == 0 { 28 } else { 32 };
            json!({"name": format!("r{i}"), "id": format!("{rt_id}/routes/r{i}"), "type": "Microsoft.Network/routeTables/routes",
                   "properties": {"addressPrefix": format!("{ip}/{len}"), "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.20.9.4"}})
        })
        .collect();
    let rt = json!({"name": "rt-generated", "id": rt_id, "type": "Microsoft.Network/routeTables", "location": "westeurope",
                    "properties": {"routes": route_docs, "disableBgpRoutePropagation": false}});
    docs.push(("generated-routes.json".into(), json!([rt])));
    for (_, file) in docs.iter_mut() {
        for doc in file.as_array_mut().unwrap() {
            if doc["type"] == "Microsoft.Network/virtualNetworks" {
                for s in doc["properties"]["subnets"].as_array_mut().unwrap() {
                    if s["name"] == "snet-appservice-integration" {
                        s["properties"]["routeTable"] =
                            json!({"id": format!("{RG}/Microsoft.Network/routeTables/rt-generated")});
                    }
                }
            }
        }
    }
    add_rules(&mut docs, rules);
    load(&docs)
}

fn add_rules(docs: &mut [(String, Value)], count: usize) {
    let nsg = docs
        .iter_mut()
        .flat_map(|(_, f)| f.as_array_mut().unwrap().iter_mut())
        .find(|d| d["name"] == "nsg-appservice-integration")
        .unwrap();
    let nsg_id = nsg["id"].as_str().unwrap().to_string();
    let rules = nsg["properties"]["securityRules"].as_array_mut().unwrap();
    // The seed's own rules move to 4000+ so that the generated ones (100–3999, never matching the
    // traced flows) are all evaluated first: the worst case for first-match.
    for (i, rule) in rules.iter_mut().enumerate() {
        rule["properties"]["priority"] = json!(4000 + i as i64);
    }
    for i in 0..count {
        let name = format!("gen-{i:05}");
        let a = 0xac10_0000u32 + (i as u32) * 4;
        rules.push(json!({"name": name, "id": format!("{nsg_id}/securityRules/{name}"), "type": "Microsoft.Network/networkSecurityGroups/securityRules",
            "properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": format!("{}", 1000 + (i % 400)),
                           "sourceAddressPrefix": "*", "destinationAddressPrefix": format!("{}/30", std::net::Ipv4Addr::from(a)),
                           "access": "Deny", "priority": 100 + (i % 3900) as i64, "direction": "Outbound"}}));
    }
}

fn bench(label: &str, model: &Model, budget: Duration) {
    let site = ResourceId::parse(&format!("{RG}/Microsoft.Web/sites/app-flask-privlink")).unwrap();
    let targets: Vec<(&str, u16)> =
        vec![("10.20.2.4", 1433), ("10.20.2.5", 6380), ("10.20.2.6", 443), ("10.20.2.7", 443)];
    let index = path::RouteIndex::build(model);
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        for (ip, port) in &targets {
            let t = path::trace_from_site_indexed(
                model,
                &index,
                &site,
                ip.parse().unwrap(),
                *port,
                Protocol::Tcp,
                DnsContext::default(),
            );
            black_box(&t);
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{label:<48} {:>10.0} traces/s  ({n} traces in {secs:.2} s)", n as f64 / secs);
}

fn main() {
    let budget = Duration::from_secs(3);
    let seed = load(&documents());
    bench("seed estate", &seed, budget);
    let big = generated(10_000, 10_000);
    let rules = big.resources.network_security_groups.values().map(|n| n.rules.len()).sum::<usize>();
    let routes = big.resources.route_tables.values().map(|r| r.routes.len()).sum::<usize>();
    bench(&format!("generated estate ({routes} routes, {rules} NSG rules)"), &big, budget);
}
