//! # DNS102 linked-zone-missing-record: a linked privatelink zone lacks the record of an approved endpoint, so the name is NXDOMAIN
//!
//! **What it checks.** For every name an app depends on whose resource has an approved private
//! endpoint in the estate: when the app's DNS resolves it, the public CNAME chain leads into a
//! `privatelink.` zone linked to the app's VNet, and that zone has no record for the name.
//!
//! **Why it breaks.** A private zone linked to the querying VNet is authoritative for its whole
//! namespace: a name it does not hold is NXDOMAIN, with no fallback to public DNS unless the link's
//! `resolutionPolicy` is `NxDomainRedirect` ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)). The app cannot resolve
//! the service at all. This happens when the endpoint was created without a zone group, when the
//! zone group points at another zone of the same name, or when the record was deleted.
//!
//! **Example.** `privatelink.database.windows.net` is linked to `vnet-app` but holds no
//! `sql1` record; `pe-sql` (Approved, 10.0.2.4) targets `sql1`. `sql1.database.windows.net` →
//! CNAME `sql1.privatelink.database.windows.net` → NXDOMAIN.
//!
//! **Fix.** Add the A record with the endpoint's NIC address:
//! `az network private-dns record-set a add-record --resource-group RG --zone-name ZONE --record-set-name NAME --ipv4-address IP`
//! (or give the endpoint a zone group on this zone, which writes and maintains it). No fix when the
//! estate does not hold the endpoint's NIC address (the NIC is not exported): the finding says so.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns#azure-services-dns-zone-configuration

use super::util::{approved_endpoints, endpoint_ip, rg};
use super::Rule;
use crate::deps::{Analysis, Dependency};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::dns::Rcode;
use privlink_engine::trace::owner_of;
use privlink_model::{Model, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS102",
    name: "linked-zone-missing-record",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// The address the record should carry (if the estate holds it), the endpoint, and the
/// dependencies that get NXDOMAIN.
type MissingRecord<'a, 'm> = (Option<IpAddr>, ResourceId, Vec<&'a Dependency<'m>>);

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let deps = analysis.dependencies();
    // (zone, record name) → (address, endpoint, dependencies)
    let mut missing: BTreeMap<(ResourceId, String), MissingRecord> = BTreeMap::new();
    for d in deps {
        let (Some(Rcode::NxDomain), Some(zone_id)) = (d.answer.rcode, &d.answer.zone) else { continue };
        let Some(zone) = model.resources.private_dns_zones.get(zone_id) else { continue };
        let Some(label) = d.answer.final_name.relative_to(&zone.zone).map(str::to_string) else { continue };
        let approved = analysis.approved_endpoints_for(&d.name);
        // The endpoint whose address goes in the record; one whose NIC address the estate does
        // not hold is still reported, without a fix.
        let with_ip = approved.iter().find_map(|pe| endpoint_ip(model, pe, Some(&d.name)).map(|ip| (*pe, Some(ip))));
        let found = with_ip
            .map(|(pe, ip)| (pe.meta.id.clone(), ip))
            .or_else(|| approved.first().map(|pe| (pe.meta.id.clone(), None)));
        // An approved connection only the target records (its endpoint is not in the estate).
        let recorded = || {
            let owner = owner_of(model, &d.name)?;
            approved_endpoints(model, &owner).into_iter().next().map(|pe| (pe, None))
        };
        let Some((pe, ip)) = found.or_else(recorded) else { continue };
        missing.entry((zone_id.clone(), label)).or_insert_with(|| (ip, pe, Vec::new())).2.push(d);
    }
    let mut out = Vec::new();
    for ((zone_id, label), (ip, pe, deps)) in missing {
        let mut names: Vec<String> = deps.iter().map(|d| d.name.to_string()).collect();
        names.sort();
        names.dedup();
        let zone_name = zone_id.name();
        let mut evidence: Vec<serde_json::Value> = deps.iter().map(|d| analysis.resolution_evidence(d)).collect();
        evidence.push(
            json!({"zone": zone_id, "missing": format!("{label}.{zone_name}"), "privateEndpoint": pe, "address": ip}),
        );
        let Some(ip) = ip else {
            let message = format!(
                "private DNS zone {zone_name} is linked to the app's VNet but has no record {label}: {} is NXDOMAIN, though private endpoint {} is Approved; no fix: the estate does not hold the address of its NIC, which the record must carry",
                names.join(", "),
                pe.name()
            );
            out.push(Finding::new(&RULE, zone_id.clone(), message).with_evidence(evidence));
            continue;
        };
        let message = format!(
            "private DNS zone {zone_name} is linked to the app's VNet but has no record {label}: {} is NXDOMAIN, though private endpoint {} (Approved) holds {ip}",
            names.join(", "),
            pe.name()
        );
        let fix = Fix {
            az: vec![format!(
                "az network private-dns record-set a add-record --resource-group {} --zone-name {zone_name} --record-set-name {label} --ipv4-address {ip}",
                rg(&zone_id)
            )],
            edits: vec![Edit::create(&zone_id.child("A", &label), json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": ip.to_string()}]}}))],
        };
        out.push(Finding::new(&RULE, zone_id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
