//! # DNS106 duplicate-record-writers: two private endpoints' zone groups write the same record in one zone
//!
//! **What it checks.** No two private endpoints have DNS zone groups that write the same name into
//! the same private DNS zone (the same zone resource, not merely a zone of the same name). The names
//! a zone group writes are the `recordSets` it reports, or else the `privatelink.` aliases of its
//! endpoint target's customer-visible names that fall in the zone.
//!
//! **Why it breaks.** A zone group keeps one A record per name up to date with its endpoint's IP.
//! When two endpoints target the same resource (say one in the hub and one in a spoke) and both
//! zone groups point at one zone, each write replaces the other's A record: the record holds the
//! address of whichever endpoint was written last, and clients meant to use the other endpoint
//! resolve an address they may not be able to reach — or that disappears when that endpoint is
//! deleted ([Private endpoint DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns), [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)).
//!
//! **Example.** `pe-kv-hub` and `pe-kv-spoke` both target `kv1` and both zone groups point at
//! `privatelink.vaultcore.azure.net`; the record `kv1` holds only one of their addresses.
//!
//! **Fix.** Keep one writer per name: remove the zone from the other endpoint's zone group
//! (`az network private-endpoint dns-zone-group remove -g RG --endpoint-name PE -n ZONE_GROUP --zone-name CONFIG`),
//! then delete the redundant endpoint, or give it a zone of its own linked only to the VNets that use it.
//! The endpoint kept is the one the record points at today (else the first by id).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration

use super::util::{endpoint_names, has_name, member_indices, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::{self, Cloud};
use privlink_model::{DnsName, Model, PrivateDnsZoneGroup, RecordType, ResourceId};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS106",
    name: "duplicate-record-writers",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

/// One zone-group configuration writing one name.
struct Writer<'a> {
    zone_group: &'a PrivateDnsZoneGroup,
    config: String,
    endpoint: ResourceId,
    ips: Vec<IpAddr>,
}

/// The names a zone group configuration writes into `zone`.
fn written_names(model: &Model, zg: &PrivateDnsZoneGroup, config: usize, zone: &DnsName) -> Vec<DnsName> {
    let cfg = &zg.configs[config];
    let mut names: Vec<DnsName> = cfg
        .record_sets
        .iter()
        .filter(|r| r.record_type.eq_ignore_ascii_case("A"))
        .filter_map(|r| match &r.fqdn {
            Some(f) => DnsName::parse(f.trim_end_matches('.')).ok(),
            None => zone.prepend(&r.record_set_name).ok(),
        })
        .filter(|n| n.is_within(zone))
        .collect();
    if names.is_empty() {
        if let Some(en) =
            model.resources.private_endpoints.get(&zg.private_endpoint).and_then(|pe| endpoint_names(model, pe))
        {
            names = en
                .customer_fqdns
                .iter()
                .filter_map(|f| catalog::privatelink_alias(Cloud::Public, f))
                .filter(|n| n.is_within(zone) && n != zone)
                .collect();
        }
    }
    names.sort();
    names.dedup();
    names
}

fn endpoint_ips(model: &Model, pe: &ResourceId) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = model.endpoint_nics(pe).flat_map(|n| n.private_ips()).collect();
    ips.sort();
    ips.dedup();
    ips
}

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    // (zone id, name) → writers, in zone-group id order.
    let mut writers: BTreeMap<(ResourceId, DnsName), Vec<Writer>> = BTreeMap::new();
    for zg in model.resources.zone_groups.values() {
        for (i, cfg) in zg.configs.iter().enumerate() {
            let Some(zone_id) = &cfg.zone else { continue };
            let zone = match model.resources.private_dns_zones.get(zone_id) {
                Some(z) => z.zone.clone(),
                None => match DnsName::parse(zone_id.name()) {
                    Ok(z) => z,
                    Err(_) => continue,
                },
            };
            for name in written_names(model, zg, i, &zone) {
                let mut ips: Vec<IpAddr> =
                    cfg.record_sets.iter().flat_map(|r| r.ip_addresses.iter().copied()).collect();
                if ips.is_empty() {
                    ips = endpoint_ips(model, &zg.private_endpoint);
                }
                writers.entry((zone_id.clone(), name)).or_default().push(Writer {
                    zone_group: zg,
                    config: cfg.name.clone(),
                    endpoint: zg.private_endpoint.clone(),
                    ips,
                });
            }
        }
    }
    // (losing zone group, config) → (zone, names, the kept writer's endpoint, every writer's endpoint and IPs).
    type Loss = (ResourceId, BTreeSet<DnsName>, ResourceId, BTreeMap<ResourceId, Vec<IpAddr>>, Vec<IpAddr>);
    let mut losses: BTreeMap<(ResourceId, String), Loss> = BTreeMap::new();
    for ((zone_id, name), ws) in &writers {
        let endpoints: BTreeSet<&ResourceId> = ws.iter().map(|w| &w.endpoint).collect();
        if endpoints.len() < 2 {
            continue;
        }
        let current: Vec<IpAddr> = model
            .indexes
            .records_by_name
            .get(&(name.clone(), RecordType::A))
            .into_iter()
            .flatten()
            .filter_map(|id| model.resources.record_sets.get(id))
            .filter(|rs| &rs.zone == zone_id)
            .flat_map(|rs| rs.addresses())
            .collect();
        let keep = ws
            .iter()
            .find(|w| !w.ips.is_empty() && w.ips.iter().all(|ip| current.contains(ip)))
            .unwrap_or(&ws[0])
            .endpoint
            .clone();
        let all: BTreeMap<ResourceId, Vec<IpAddr>> = ws.iter().map(|w| (w.endpoint.clone(), w.ips.clone())).collect();
        for w in ws.iter().filter(|w| w.endpoint != keep) {
            let entry = losses
                .entry((w.zone_group.meta.id.clone(), w.config.clone()))
                .or_insert_with(|| (zone_id.clone(), BTreeSet::new(), keep.clone(), all.clone(), current.clone()));
            entry.1.insert(name.clone());
        }
    }
    let mut out = Vec::new();
    for ((zg_id, config), (zone_id, names, keep, all, current)) in losses {
        let zg = &model.resources.zone_groups[&zg_id];
        let pe = &zg.private_endpoint;
        let names_text = names.iter().map(DnsName::as_str).collect::<Vec<_>>().join(", ");
        let others: Vec<String> = all
            .iter()
            .filter(|(e, _)| *e != pe)
            .map(|(e, ips)| {
                format!("{} ({})", e.name(), ips.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", "))
            })
            .collect();
        let mine: Vec<String> = all.get(pe).into_iter().flatten().map(IpAddr::to_string).collect();
        let record_now = if current.is_empty() {
            "the record is not in the estate".to_string()
        } else {
            format!("the record holds {}", current.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", "))
        };
        let configs = "/properties/privateDnsZoneConfigs";
        let losing = member_indices(model, &zg_id, configs, |c| has_name(c, &config));
        let message = format!(
            "zone group {} of private endpoint {} ({}) writes {names_text} in zone {} (resource group {}), which {} also writes: the last write wins, {record_now}; keep {} as the only writer",
            zg.meta.name,
            pe.name(),
            if mine.is_empty() { "no known address".to_string() } else { mine.join(", ") },
            zone_id.name(),
            rg(&zone_id),
            others.join(", "),
            keep.name()
        );
        let evidence = vec![json!({
            "zone": zone_id,
            "names": names,
            "writers": all.iter().map(|(e, ips)| json!({"privateEndpoint": e, "addresses": ips})).collect::<Vec<_>>(),
            "recordNow": current,
            "zoneGroup": zg_id,
            "config": config,
            "kept": keep,
        })];
        let fix = Fix {
            az: vec![format!(
                "az network private-endpoint dns-zone-group remove --resource-group {} --endpoint-name {} --name {} --zone-name {config}",
                rg(pe),
                pe.name(),
                zg.meta.name
            )],
            edits: Edit::remove_members(&zg_id, configs, &losing),
        };
        out.push(Finding::new(&RULE, zg_id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
