//! # DNS105 endpoint-without-dns: an approved private endpoint has no zone group and no A record
//!
//! **What it checks.** A private endpoint whose connection is approved has a DNS zone group, or some
//! private DNS zone of the estate holds the A record its target's name needs
//! (`{name}.privatelink.…` in the catalog's zone for the target type and group id). An error when
//! an app's connection to the target's name is denied (the name went public, where the service or
//! an NSG refused it); a warning while nothing breaks yet.
//!
//! **Why it breaks.** Clients reach a private endpoint by the service's ordinary name, which the
//! public CNAME chain sends through the `privatelink.` name ([Private endpoint DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns), [Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)). Without a
//! record there, the name resolves to the public address — which the service refuses when public
//! access is off — or, if the zone is linked but the record missing, to NXDOMAIN ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)).
//!
//! **Example.** `pe-kv` targets `kv1` (`vault`) and is Approved, but has no zone group and no zone
//! holds `kv1.privatelink.vaultcore.azure.net`.
//!
//! **Fix.** Give the endpoint a zone group so Azure writes and maintains the record:
//! `az network private-endpoint dns-zone-group create -g RG --endpoint-name PE -n default --zone-name privatelink-vaultcore-azure-net --private-dns-zone ZONE_ID`
//! (create the zone first if needed, and link it to the VNets that resolve the name).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration

use super::util::{create_private_zone, endpoint_names, privatelink_name, rg, zone_id_for};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::path::FlowVerdict;
use privlink_model::{ConnectionStatus, DnsName, Model, RecordType};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "DNS105",
    name: "endpoint-without-dns",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for pe in model.resources.private_endpoints.values() {
        if pe.primary_connection().is_none_or(|c| c.status != ConnectionStatus::Approved) {
            continue;
        }
        if model.indexes.zone_groups_of_endpoint.get(&pe.meta.id).is_some_and(|v| !v.is_empty()) {
            continue;
        }
        let Some(names) = endpoint_names(model, pe) else { continue };
        let (Some(zone), Some(fqdn)) = (names.zones.first(), names.customer_fqdns.first()) else { continue };
        let wanted: Vec<DnsName> = names
            .zones
            .iter()
            .flat_map(|z| names.customer_fqdns.iter().filter_map(move |f| privatelink_name(f, z)))
            .collect();
        if wanted.iter().any(|n| model.indexes.records_by_name.contains_key(&(n.clone(), RecordType::A))) {
            continue;
        }
        let (zone_id, exists) = zone_id_for(model, zone, &pe.meta.id);
        let cfg_name = zone.as_str().replace('.', "-");
        let zg_id = pe.meta.id.child("privateDnsZoneGroups", "default");
        let mut az = Vec::new();
        let mut edits = Vec::new();
        if !exists {
            az.push(format!("az network private-dns zone create --resource-group {} --name {zone}", rg(&zone_id)));
            edits.push(create_private_zone(&zone_id));
        }
        az.push(format!(
            "az network private-endpoint dns-zone-group create --resource-group {} --endpoint-name {} --name default --zone-name {cfg_name} --private-dns-zone {zone_id}",
            rg(&pe.meta.id),
            pe.meta.name
        ));
        edits.push(Edit::create(
            &zg_id,
            json!({"properties": {"privateDnsZoneConfigs": [
                {"name": cfg_name, "properties": {"privateDnsZoneId": zone_id.to_string()}}
            ]}}),
        ));
        let message = format!(
            "private endpoint {} to {} ({}) is Approved but has no DNS zone group and no zone holds {}: {} resolves to the public address, or to nothing where the zone is linked{}",
            pe.meta.name,
            names.target.name(),
            names.group_id,
            wanted.iter().map(DnsName::as_str).collect::<Vec<_>>().join(" or "),
            fqdn,
            if exists { String::new() } else { format!(" (zone {zone} is not in the estate either)") }
        );
        let evidence = vec![json!({
            "privateEndpoint": pe.meta.id,
            "target": names.target,
            "groupId": names.group_id,
            "customerFqdns": names.customer_fqdns,
            "lookedFor": wanted,
            "zone": if exists { Some(&zone_id) } else { None },
        })];
        // An error where an app's connection to the name is denied (it went public and was
        // refused or dropped); a warning where nothing breaks yet.
        let mut broken: Vec<String> = analysis
            .traced()
            .filter(|(d, p)| p.verdict == FlowVerdict::Denied && names.customer_fqdns.contains(&d.name))
            .map(|(d, p)| format!("{} → {}", d.site.meta.name, p.to))
            .collect();
        broken.sort();
        broken.dedup();
        let message = if broken.is_empty() { message } else { format!("{message}; denied: {}", broken.join(", ")) };
        let finding =
            Finding::new(&RULE, pe.meta.id.clone(), message).with_evidence(evidence).with_fix(Fix { az, edits });
        out.push(if broken.is_empty() { finding.at_secondary_severity(&RULE) } else { finding });
    }
    out
}
