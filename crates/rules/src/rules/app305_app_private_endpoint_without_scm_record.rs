//! # APP305 app-private-endpoint-without-scm-record: an app's private zone has its record but not its `scm` record
//!
//! **What it checks.** For every app (or slot) with an approved private endpoint, each
//! `privatelink.azurewebsites.net` zone that holds the app's A record `{app}` also holds
//! `{app}.scm`.
//!
//! **Why it breaks.** An app's private endpoint serves two names, the app and its Kudu/SCM site,
//! and both A records belong in the one `privatelink.azurewebsites.net` zone, pointing at the
//! endpoint's address ([Private endpoints for App Service apps](https://learn.microsoft.com/azure/app-service/overview-private-endpoint), [Private endpoint DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)). A zone group writes both; records written by
//! hand often miss the second. Then `{app}.scm.azurewebsites.net` resolves inside the VNet to
//! NXDOMAIN (the zone is authoritative for it) and deployments, Kudu and the SCM endpoint of CI
//! agents in the VNet fail while the app itself answers.
//!
//! **Example.** Zone `privatelink.azurewebsites.net` holds `app-api` → 10.1.2.4 but no `app-api.scm`.
//!
//! **Fix.** Add the record with the app record's addresses:
//! `az network private-dns record-set a add-record -g RG --zone-name privatelink.azurewebsites.net --record-set-name APP.scm --ipv4-address IP`
//! (or let a zone group on the endpoint maintain both).
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-private-endpoint#dns

use super::util::{approved_endpoints, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::{self, Cloud, NameHints};
use privlink_model::arm_type;
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "APP305",
    name: "app-private-endpoint-without-scm-record",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

/// The A record sets named `name` in zone `zone`.
fn records_in(model: &Model, zone: &ResourceId, name: &DnsName) -> Vec<ResourceId> {
    model
        .indexes
        .records_by_name
        .get(&(name.clone(), RecordType::A))
        .into_iter()
        .flatten()
        .filter(|id| model.resources.record_sets.get(*id).is_some_and(|rs| &rs.zone == zone))
        .cloned()
        .collect()
}

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    // (site, group id) pairs from the approved endpoints' connections.
    let mut targets: BTreeSet<(ResourceId, String)> = BTreeSet::new();
    for pe in model.resources.private_endpoints.values() {
        for c in &pe.connections {
            let Some(t) = &c.target else { continue };
            if !t.is_type(arm_type::SITES) || !approved_endpoints(model, t).contains(&pe.meta.id) {
                continue;
            }
            targets.extend(c.group_ids.iter().map(|g| (t.clone(), g.clone())));
        }
    }
    for (site, group) in targets {
        let fqdns = catalog::customer_fqdns(Cloud::Public, arm_type::SITES, site.name(), &group, &NameHints::default());
        let aliases: Vec<DnsName> = fqdns.iter().filter_map(|f| catalog::privatelink_alias(Cloud::Public, f)).collect();
        // The app's own record is the alias one label below the zone; the scm record sits under it.
        let Some(app) = aliases.iter().min_by_key(|a| a.label_count()) else { continue };
        let Some(scm) =
            aliases.iter().find(|a| a.first_label() == app.first_label() && a.label_count() > app.label_count())
        else {
            continue;
        };
        let Some(zone_name) = app.parent() else { continue };
        for zone in model.indexes.zones_by_name.get(&zone_name).into_iter().flatten() {
            let app_records = records_in(model, zone, app);
            if app_records.is_empty() || !records_in(model, zone, scm).is_empty() {
                continue;
            }
            let first = &model.resources.record_sets[&app_records[0]];
            let ips: Vec<IpAddr> = first.addresses();
            let relative = scm.relative_to(&zone_name).unwrap_or(scm.as_str()).to_string();
            let record_id = zone.child("A", &relative);
            let mut az: Vec<String> = ips
                .iter()
                .map(|ip| {
                    format!(
                        "az network private-dns record-set a add-record --resource-group {} --zone-name {zone_name} --record-set-name {relative} --ipv4-address {ip}",
                        rg(zone)
                    )
                })
                .collect();
            if az.is_empty() {
                az.push(format!(
                    "az network private-dns record-set a add-record --resource-group {} --zone-name {zone_name} --record-set-name {relative} --ipv4-address <the address of {}>",
                    rg(zone),
                    app.first_label()
                ));
            }
            let message = format!(
                "zone {zone_name} (resource group {}) holds {app} → {} for the private endpoint of app {} but no {scm}: inside VNets linked to it the app's SCM (Kudu) site {} does not resolve",
                rg(zone),
                ips.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", "),
                site.name(),
                fqdns
                    .iter()
                    .find(|f| catalog::privatelink_alias(Cloud::Public, f).as_ref() == Some(scm))
                    .map_or_else(|| scm.to_string(), |f| f.to_string()),
            );
            let evidence = vec![json!({
                "site": site,
                "groupId": group,
                "zone": zone,
                "appRecord": app_records[0],
                "addresses": ips,
                "missing": scm,
            })];
            let fix = Fix {
                az,
                edits: vec![Edit::create(
                    &record_id,
                    json!({"properties": {
                        "ttl": first.ttl,
                        "aRecords": ips.iter().map(|ip| json!({"ipv4Address": ip.to_string()})).collect::<Vec<_>>(),
                    }}),
                )],
            };
            out.push(Finding::new(&RULE, zone.clone(), message).with_evidence(evidence).with_fix(fix));
        }
    }
    out
}
