//! # DNS101 zone-not-linked: the privatelink zone exists but is not linked to the VNet whose DNS the app uses
//!
//! **What it checks.** For every name an app depends on (its settings, connection strings and the
//! estate's private endpoint targets) whose resource has an approved private endpoint: the
//! catalog's `privatelink.` zone for that endpoint exists in the estate, and the app's DNS view is
//! Azure DNS of some VNet (its integration VNet, or the VNet of the DNS private resolver it asks).
//! The rule fires when no zone of that name is linked to that VNet, so the app resolves the name
//! to the public address: an error, or a warning where every traced connection to those names still
//! works over the public endpoint (public access on, nothing refuses it). When the app's DNS server is the DNS proxy of an Azure Firewall, that VNet
//! is the firewall's (the proxy asks Azure DNS from there, [Azure Firewall DNS proxy details](https://learn.microsoft.com/azure/firewall/dns-details)) and the finding names the firewall.
//!
//! **Why it breaks.** Azure DNS consults only the private zones linked to the VNet the query comes
//! from ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)). Resolution follows the resolver's VNet links, not the client's
//! peering topology ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)): a zone linked only to a hub VNet is invisible to an app integrated into
//! a peered spoke, and a firewall's DNS proxy sees only the zones linked to the firewall's VNet ([Azure Firewall DNS settings](https://learn.microsoft.com/azure/firewall/dns-settings)
//! FW-DNS-2). The public CNAME chain then ends at the service's public front end; the app
//! connects publicly, and a backend with public network access disabled refuses it ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)).
//!
//! **Example.** `privatelink.vaultcore.azure.net` holds `kv1 A 10.0.2.6` and is linked to
//! `vnet-hub`; the app is integrated into `vnet-spoke`, peered with the hub, and resolves
//! `kv1.vault.azure.net` to the vault's public address.
//!
//! **Fix.** Link the zone to the VNet whose DNS the app uses:
//! `az network private-dns link vnet create --resource-group RG --zone-name ZONE --name link-VNET --virtual-network VNET_ID --registration-enabled false`.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration#virtual-network-workloads-without-custom-dns-server

use super::util::rg;
use super::Rule;
use crate::deps::{Analysis, Dependency};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::dns::firewall::firewall_at;
use privlink_engine::dns::{view_of, Querier, ResolutionVerdict, ViewKind};
use privlink_engine::path::FlowVerdict;
use privlink_model::{Model, ResourceId, Site};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "DNS101",
    name: "zone-not-linked",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let deps = analysis.dependencies();
    // (zone, vnet) → the dependencies that miss the link.
    let mut missing: BTreeMap<(ResourceId, ResourceId), Vec<&Dependency>> = BTreeMap::new();
    for d in deps {
        let Some(vnet) = &d.view_vnet else { continue };
        if matches!(d.answer.verdict, ResolutionVerdict::Private | ResolutionVerdict::Nxdomain) {
            continue;
        }
        for pe in analysis.approved_endpoints_for(&d.name) {
            let Some(names) = analysis.endpoint_names(pe) else { continue };
            for zone in &names.zones {
                let Some(zone_ids) = model.indexes.zones_by_name.get(zone) else { continue };
                let linked = zone_ids.iter().any(|z| {
                    model.indexes.links_of_zone.get(z).into_iter().flatten().any(|l| {
                        model.resources.virtual_network_links.get(l).is_some_and(|l| l.vnet.as_ref() == Some(vnet))
                    })
                });
                if !linked {
                    missing.entry((zone_ids[0].clone(), vnet.clone())).or_default().push(d);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((zone_id, vnet), deps) in missing {
        let (names, apps) = super::util::names_and_apps(&deps);
        let linked_to: Vec<ResourceId> = model
            .indexes
            .links_of_zone
            .get(&zone_id)
            .into_iter()
            .flatten()
            .filter_map(|l| model.resources.virtual_network_links.get(l)?.vnet.clone())
            .collect();
        let peered: Vec<&ResourceId> =
            linked_to
                .iter()
                .filter(|other| {
                    model.indexes.peerings_of_vnet.get(&vnet).into_iter().flatten().any(|p| {
                        model.resources.peerings.get(p).is_some_and(|p| p.remote_vnet.as_ref() == Some(*other))
                    })
                })
                .collect();
        // FW-DNS-2 (azure-semantics §12.5): the app's DNS server is a firewall's proxy, which asks
        // Azure DNS from the firewall's VNet, not from the app's.
        let proxy = through_firewall_proxy(model, deps[0].site);
        let context = if let Some(fw) = &proxy {
            let linked = if linked_to.is_empty() {
                "it is linked to no VNet".to_string()
            } else {
                format!("it is linked only to {}", linked_to.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "))
            };
            format!(
                "; {linked}, but the apps' DNS server is the DNS proxy of Azure Firewall {}, which asks Azure DNS from {}",
                fw.name(),
                vnet.name()
            )
        } else if !peered.is_empty() {
            format!(
                "; it is linked only to {}, peered with {}, and links do not follow peering",
                peered.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                vnet.name()
            )
        } else if !linked_to.is_empty() {
            format!("; it is linked only to {}", linked_to.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "))
        } else {
            "; it is linked to no VNet".to_string()
        };
        let message = format!(
            "private DNS zone {} is not linked to {}, whose Azure DNS {} uses{context}: {} resolves to the public address",
            zone_id.name(),
            vnet.name(),
            apps.join(", "),
            names.join(", ")
        );
        let link_name = format!("link-{}", vnet.name());
        let link_id = zone_id.child("virtualNetworkLinks", &link_name);
        let mut evidence: Vec<serde_json::Value> = deps.iter().map(|d| analysis.resolution_evidence(d)).collect();
        evidence.push(json!({"zone": zone_id, "linkedTo": linked_to, "needed": vnet}));
        let fix = Fix {
            az: vec![format!(
                "az network private-dns link vnet create --resource-group {} --zone-name {} --name {link_name} --virtual-network {vnet} --registration-enabled false",
                rg(&zone_id),
                zone_id.name()
            )],
            edits: vec![Edit::create(&link_id, json!({"location": "global", "properties": {
                    "virtualNetwork": {"id": vnet.to_string()},
                    "registrationEnabled": false,
                    "resolutionPolicy": "Default"
                }}))],
        };
        // Where every traced connection still works over the public path (public access on, the
        // firewall admits it), nothing breaks today: the traffic only leaves the private network.
        let works_publicly = deps.iter().all(|d| d.path.as_ref().is_some_and(|p| p.verdict == FlowVerdict::Allowed));
        let message = if works_publicly {
            format!("{message}; the connection works today over the public endpoint, not the private one")
        } else {
            message
        };
        let finding = Finding::new(&RULE, zone_id.clone(), message).with_evidence(evidence).with_fix(fix);
        out.push(if works_publicly { finding.at_secondary_severity(&RULE) } else { finding });
    }
    out
}

/// The Azure Firewall whose DNS proxy answers `site`, if its view is one.
fn through_firewall_proxy(model: &Model, site: &Site) -> Option<ResourceId> {
    let view = view_of(model, &Querier::Site(site.meta.id.clone()));
    if view.kind != ViewKind::FirewallDnsProxy {
        return None;
    }
    view.dns_servers
        .iter()
        .filter_map(|s| s.parse().ok())
        .find_map(|ip| firewall_at(model, ip))
        .map(|(fw, _)| fw.meta.id.clone())
}
