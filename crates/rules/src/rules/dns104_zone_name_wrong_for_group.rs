//! # DNS104 zone-name-wrong-for-group: a zone group points at a zone that is not the service's privatelink zone
//!
//! **What it checks.** Every zone of a private endpoint's DNS zone group is named exactly like one of
//! the `privatelink.` zones the service catalog lists for the endpoint's target type and group id
//! (for Key Vault `vault`: `privatelink.vaultcore.azure.net`).
//!
//! **Why it breaks.** The public CNAME chain of a service passes through its own `privatelink.` name
//! only ([Private endpoint DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)). Records written into any other zone — a misspelling, the public
//! suffix (`privatelink.vault.azure.net`), another service's zone — are never consulted, so clients
//! resolve the public address and the backend refuses them ([privlink rules](/docs/rules.md)).
//!
//! **Example.** `pe-kv`'s zone group writes `kv1` into `privatelink.vault.azure.net`.
//!
//! **Fix.** Create the right zone (and link it to the VNets that resolve the name), then point the
//! zone group at it:
//! `az network private-endpoint dns-zone-group add -g RG --endpoint-name PE -n default --zone-name privatelink-vaultcore-azure-net --private-dns-zone ZONE_ID`
//! after `az network private-endpoint dns-zone-group remove … --zone-name OLD`.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns

use super::util::{create_private_zone, endpoint_names, has_name, member_indices, rg, zone_id_for};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_model::{DnsName, Model};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "DNS104",
    name: "zone-name-wrong-for-group",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for zg in model.resources.zone_groups.values() {
        let Some(pe) = model.resources.private_endpoints.get(&zg.private_endpoint) else { continue };
        let Some(names) = endpoint_names(model, pe) else { continue };
        let Some(expected) = names.zones.first() else { continue };
        for cfg in &zg.configs {
            let Some(zone_id) = &cfg.zone else { continue };
            let zone_name = match model.resources.private_dns_zones.get(zone_id) {
                Some(z) => z.zone.clone(),
                None => match DnsName::parse(zone_id.name()) {
                    Ok(n) => n,
                    Err(_) => continue,
                },
            };
            if names.zones.contains(&zone_name) {
                continue;
            }
            let (new_zone, exists) = zone_id_for(model, expected, zone_id);
            let new_cfg_name = expected.as_str().replace('.', "-");
            let configs = "/properties/privateDnsZoneConfigs";
            let new_cfg = json!({"name": new_cfg_name, "properties": {"privateDnsZoneId": new_zone.to_string()}});
            let mut edits: Vec<Edit> = member_indices(model, &zg.meta.id, configs, |c| has_name(c, &cfg.name))
                .into_iter()
                .map(|i| Edit::replace(&zg.meta.id, format!("{configs}/{i}"), new_cfg.clone()))
                .collect();
            let mut az = Vec::new();
            if !exists {
                az.push(format!(
                    "az network private-dns zone create --resource-group {} --name {}",
                    rg(&new_zone),
                    expected
                ));
                edits.push(create_private_zone(&new_zone));
            }
            az.push(format!(
                "az network private-endpoint dns-zone-group remove --resource-group {} --endpoint-name {} --name {} --zone-name {}",
                rg(&pe.meta.id),
                pe.meta.name,
                zg.meta.name,
                cfg.name
            ));
            az.push(format!(
                "az network private-endpoint dns-zone-group add --resource-group {} --endpoint-name {} --name {} --zone-name {new_cfg_name} --private-dns-zone {new_zone}",
                rg(&pe.meta.id),
                pe.meta.name,
                zg.meta.name
            ));
            let message = format!(
                "zone group {} of private endpoint {} writes into zone {}, but {} ({}) records belong in {}: clients never look there and resolve the public address",
                zg.meta.name,
                pe.meta.name,
                zone_name,
                names.target.name(),
                names.group_id,
                names.zones.iter().map(DnsName::as_str).collect::<Vec<_>>().join(" or ")
            );
            let evidence = vec![json!({
                "zoneGroup": zg.meta.id,
                "privateEndpoint": pe.meta.id,
                "target": names.target,
                "groupId": names.group_id,
                "zone": zone_id,
                "zoneName": zone_name,
                "expectedZones": names.zones,
            })];
            out.push(
                Finding::new(&RULE, zg.meta.id.clone(), message).with_evidence(evidence).with_fix(Fix { az, edits }),
            );
        }
    }
    out
}
