//! `estate-gen`: a hub-and-spoke landing zone of App Service apps with private endpoints, as ARM
//! documents (`estate.json`, GET shapes) and as an equivalent ARM deployment template
//! (`template.json`, copy loops), with a seeded fraction of known misconfigurations whose findings
//! are written to `expected-findings.json`.
//!
//! ```text
//! estate-gen --resources N --seed S --out DIR
//! ```
//!
//! Shape: a hub VNet holding a DNS private resolver (inbound endpoint) and the `privatelink.*`
//! zones, linked to the hub only; spokes of eight apps peered with the hub whose
//! `dhcpOptions.dnsServers` is the resolver's inbound address, so that they resolve through the
//! hub's links (azure-semantics §1.4). Per app: a Linux plan (S1 or P1v3), a site integrated into
//! its own delegated /27 with route-all, an NSG allowing the backends' ports and a route table on
//! that subnet, and 2–4 backends (SQL, Key Vault, Redis, blob storage, Azure OpenAI) with public
//! access disabled, each with a private endpoint in the spoke's endpoint subnet, its NIC, a zone
//! group on the hub zone and the A record the zone group writes.
//!
//! Deterministic: the only randomness is a splitmix64 generator seeded with `--seed`.

mod documents;
mod facts;
mod landing_zone;
mod template;

pub use documents::documents;
pub use landing_zone::{generate, LandingZone};
pub use template::{template, template_with_copy_limit};

use facts::{backend_id, pe_name};
use landing_zone::{id, site_name, zone_id, App, Mis, Svc};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// The findings the seeded misconfigurations must produce: `{code, resource}`, sorted, unique.
pub fn expected(e: &LandingZone) -> Vec<Value> {
    let mut set: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for a in &e.apps {
        if e.spokes[a.spoke].unlinked {
            // Azure-provided DNS of the spoke, which no zone is linked to: every dependency's zone.
            for s in e.spokes[a.spoke].apps.iter().flat_map(|&o| e.apps[o].backends.iter()) {
                set.insert(("DNS101", zone_id(s.svc.zone())));
            }
        }
        if let Some(p) = a.deny_port {
            set.insert((
                "NET203",
                id(&format!(
                    "Microsoft.Network/networkSecurityGroups/nsg-{}/securityRules/deny-{p}-outbound",
                    site_name(a.idx)
                )),
            ));
        }
        if !a.route_all {
            set.insert(("APP307", id(&format!("Microsoft.Web/sites/{}", site_name(a.idx)))));
        }
        for b in &a.backends {
            match b.mis {
                Some(Mis::MissingRecord) => {
                    set.insert(("DNS102", zone_id(b.svc.zone())));
                    // No zone group and no record anywhere: the endpoint has no DNS at all.
                    set.insert(("DNS105", id(&format!("Microsoft.Network/privateEndpoints/{}", pe_name(b)))));
                }
                Some(Mis::StaleRecord) => {
                    set.insert((
                        "DNS108",
                        id(&format!("Microsoft.Network/privateDnsZones/{}/A/{}", b.svc.zone(), b.name)),
                    ));
                }
                Some(Mis::Pending) => {
                    set.insert(("PE101", backend_id(b)));
                }
                _ => {}
            }
        }
    }
    // The estate holds no role assignment, so every dependency Azure RBAC authorizes (Key Vault,
    // storage, OpenAI, signed in to with the app's identity) is undecided: one note, on the first
    // app that has one.
    let rbac = |a: &&App| a.backends.iter().any(|b| matches!(b.svc, Svc::Kv | Svc::Blob | Svc::Oai));
    if let Some(a) = e.apps.iter().filter(rbac).min_by_key(|a| a.idx) {
        set.insert(("IAM500", id(&format!("Microsoft.Web/sites/{}", site_name(a.idx)))));
    }
    set.into_iter().map(|(c, r)| json!({"code": c, "resource": r})).collect()
}

/// Counts: resources, spokes, apps, backends and misconfigurations by kind.
pub fn summary(e: &LandingZone, docs: usize) -> Value {
    let count = |m: Mis| {
        e.apps
            .iter()
            .map(|a| match m {
                Mis::NsgDeny => a.deny_port.is_some() as usize,
                Mis::NoRouteAll => !a.route_all as usize,
                _ => a.backends.iter().filter(|b| b.mis == Some(m)).count(),
            })
            .sum::<usize>()
    };
    json!({
        "resources": docs,
        "spokes": e.spokes.len(),
        "apps": e.apps.len(),
        "backends": e.apps.iter().map(|a| a.backends.len()).sum::<usize>(),
        "misconfigurations": {
            "unlinkedSpoke": e.spokes.iter().filter(|s| s.unlinked).count(),
            "missingRecord": count(Mis::MissingRecord),
            "staleRecord": count(Mis::StaleRecord),
            "pendingConnection": count(Mis::Pending),
            "nsgDeny": count(Mis::NsgDeny),
            "missingRouteAll": count(Mis::NoRouteAll),
        }
    })
}

/// Writes `estate.json`, `template.json` and `expected-findings.json` into `out`; returns the summary.
pub fn write(resources: usize, seed: u64, out: &Path) -> std::io::Result<Value> {
    let estate = generate(resources, seed);
    let docs = documents(&estate);
    std::fs::create_dir_all(out)?;
    let put = |name: &str, v: &Value| {
        let mut text = serde_json::to_string_pretty(v).expect("JSON");
        text.push('\n');
        std::fs::write(out.join(name), text)
    };
    put("estate.json", &Value::Array(docs.clone()))?;
    put("template.json", &template(&estate))?;
    put("expected-findings.json", &Value::Array(expected(&estate)))?;
    Ok(summary(&estate, docs.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed_and_sized_as_asked() {
        let a = generate(2000, 7);
        let b = generate(2000, 7);
        let (da, db) = (documents(&a), documents(&b));
        assert_eq!(da, db);
        assert_eq!(template(&a), template(&b));
        assert_eq!(expected(&a), expected(&b));
        assert!((2000..2030).contains(&da.len()), "{}", da.len());
        assert_ne!(documents(&generate(2000, 8)), da, "another seed gives another estate");
        let kinds = &summary(&a, da.len())["misconfigurations"];
        for k in ["unlinkedSpoke", "missingRecord", "staleRecord", "pendingConnection", "nsgDeny", "missingRouteAll"] {
            assert!(kinds[k].as_u64().unwrap() >= 1, "{k}");
        }
    }

    #[test]
    fn ids_are_unique() {
        let docs = documents(&generate(5000, 3));
        let ids: BTreeSet<String> = docs.iter().map(|d| d["id"].as_str().unwrap().to_ascii_lowercase()).collect();
        assert_eq!(ids.len(), docs.len());
    }
}
