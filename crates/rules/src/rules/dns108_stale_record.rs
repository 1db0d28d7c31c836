//! # DNS108 stale-record: a privatelink A record points at an address no NIC holds
//!
//! **What it checks.** Every A record in a `privatelink.` zone: each of its addresses is held by a
//! NIC of the estate. The rule fires when an address is held by no NIC while the private endpoint
//! the catalog names for the record (`{host}.privatelink.…` for the endpoint's target and group id)
//! holds a different one; and when every address lies in a VNet of the estate, no NIC holds it,
//! and no private endpoint of the estate writes the name at all — the endpoint was deleted and its
//! hand-written record stayed behind, and an app resolves the name (a leftover no app uses is
//! harmless and not reported).
//!
//! **Why it breaks.** A private endpoint's address is fixed for its lifetime ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview),
//! [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)); a record that names another address is left over from a deleted endpoint, or was written
//! by hand for an earlier deployment. A zone group keeps its record current; a hand-written record
//! does not. Clients resolve the name to an address nothing answers on and time out.
//!
//! **Example.** `kv1.privatelink.vaultcore.azure.net A 10.0.2.9`, but `pe-kv`'s NIC holds 10.0.2.6
//! and no NIC holds 10.0.2.9.
//!
//! **Fix.** Point the record at the endpoint's address:
//! `az network private-dns record-set a add-record --resource-group RG --zone-name ZONE --record-set-name NAME --ipv4-address NEW`
//! then `az network private-dns record-set a remove-record --resource-group RG --zone-name ZONE --record-set-name NAME --ipv4-address OLD`
//! (or let a zone group on the endpoint own the record). When no endpoint of the estate writes the
//! name there is no address to point at: no fix; create a private endpoint for the target with a
//! zone group in the zone (it rewrites the record), or delete the record set
//! (`az network private-dns record-set a delete …`) if the service is meant to be reached publicly.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration

use super::util::{endpoint_ip, member_indices, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::{self, Cloud};
use privlink_model::{DnsName, Model, RecordSet, RecordType, ResourceId};
use serde_json::{json, Value};
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS108",
    name: "stale-record",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for rs in model.resources.record_sets.values() {
        if rs.record_type != RecordType::A {
            continue;
        }
        let Some(zone) = model.resources.private_dns_zones.get(&rs.zone) else { continue };
        if !catalog::is_privatelink_zone(Cloud::Public, &zone.zone) {
            continue;
        }
        let addresses = rs.addresses();
        let stale: Vec<IpAddr> =
            addresses.iter().copied().filter(|ip| !model.indexes.nics_by_ip.contains_key(ip)).collect();
        if stale.is_empty() {
            continue;
        }
        // The endpoint whose catalog record this is.
        let owner = analysis.endpoints_writing(&rs.fqdn).iter().filter(|(_, z, _)| *z == zone.zone).find_map(
            |(pe, _, fqdn)| {
                let target = analysis.endpoint_names(pe)?.target.clone();
                Some((*pe, target, endpoint_ip(model, pe, Some(fqdn))?))
            },
        );
        let Some((pe, target, ip)) = owner else {
            out.extend(orphaned(model, analysis, rs, &zone.zone, &stale));
            continue;
        };
        if stale.contains(&ip) {
            continue;
        }
        let records = "/properties/aRecords";
        let stale_members = member_indices(model, &rs.meta.id, records, |r| {
            r.get("ipv4Address")
                .and_then(Value::as_str)
                .and_then(|a| a.parse().ok())
                .is_some_and(|a| stale.contains(&a))
        });
        let mut edits = Edit::remove_members(&rs.meta.id, records, &stale_members);
        if !addresses.contains(&ip) {
            edits.push(Edit::add(&rs.meta.id, format!("{records}/-"), json!({"ipv4Address": ip.to_string()})));
        }
        let label = rs.relative_name.as_str();
        let zone_name = zone.zone.as_str();
        let group = rg(&rs.zone);
        let stale_list: Vec<String> = stale.iter().map(IpAddr::to_string).collect();
        let mut az = Vec::new();
        if !addresses.contains(&ip) {
            az.push(format!(
                "az network private-dns record-set a add-record --resource-group {group} --zone-name {zone_name} --record-set-name {label} --ipv4-address {ip}"
            ));
        }
        for old in &stale {
            az.push(format!(
                "az network private-dns record-set a remove-record --resource-group {group} --zone-name {zone_name} --record-set-name {label} --ipv4-address {old}"
            ));
        }
        let message = format!(
            "record {} points at {}, which no NIC of the estate holds; private endpoint {} to {} holds {ip}: clients of {} time out",
            rs.fqdn,
            stale_list.join(", "),
            pe.meta.name,
            target.name(),
            target.name()
        );
        let evidence = vec![json!({
            "record": rs.meta.id,
            "addresses": addresses,
            "heldByNoNic": stale,
            "privateEndpoint": pe.meta.id,
            "endpointAddress": ip,
            "nics": model.indexes.nics_of_endpoint.get(&pe.meta.id),
        })];
        let fix = Fix { az, edits };
        out.push(Finding::new(&RULE, rs.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}

/// A record no endpoint of the estate writes, every address of which lies in a VNet of the estate
/// and is held by no NIC, that an app resolves: what a deleted endpoint leaves behind. Addresses outside every VNet may
/// belong to a network privlink was not given, so they are not judged.
fn orphaned(model: &Model, analysis: &Analysis, rs: &RecordSet, zone: &DnsName, stale: &[IpAddr]) -> Option<Finding> {
    let addresses = rs.addresses();
    if stale.len() != addresses.len() {
        return None;
    }
    let vnets: Vec<&ResourceId> =
        stale.iter().map(|ip| model.vnet_containing(*ip).map(|v| &v.meta.id)).collect::<Option<_>>()?;
    let stale_list: Vec<String> = stale.iter().map(IpAddr::to_string).collect();
    let mut apps: Vec<&str> = analysis
        .dependencies()
        .filter(|d| d.answer.zone.as_ref() == Some(&rs.zone) && d.answer.final_name == rs.fqdn)
        .map(|d| d.site.meta.name.as_str())
        .collect();
    apps.sort();
    apps.dedup();
    if apps.is_empty() {
        return None;
    }
    let who = format!(
        "{} {} it and time{} out",
        apps.join(", "),
        if apps.len() == 1 { "resolves" } else { "resolve" },
        if apps.len() == 1 { "s" } else { "" }
    );
    let message = format!(
        "record {} points at {}, which no NIC of the estate holds, and no private endpoint of the estate writes this name: \
         it is left over from a deleted endpoint ({who}); no fix: create a private endpoint with a zone group in {zone} \
         (it rewrites the record), or delete the record set if the service is meant to be reached publicly",
        rs.fqdn,
        stale_list.join(", "),
    );
    let evidence = vec![json!({
        "record": rs.meta.id,
        "addresses": addresses,
        "heldByNoNic": stale,
        "inVirtualNetworks": vnets,
        "privateEndpoint": null,
    })];
    Some(Finding::new(&RULE, rs.meta.id.clone(), message).with_evidence(evidence))
}
