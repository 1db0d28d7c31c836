//! # NET204 route-blackholes-dependency: a user-defined route with next hop None drops the app's traffic to a dependency
//!
//! **What it checks.** Traces every host each app names (app settings, Key Vault references,
//! connection strings) — every endpoint it can reach when it names none — and reports those whose
//! effective route from the integration subnet is a user-defined route with next hop `None`.
//!
//! **Why it breaks.** Longest prefix match picks the route; next hop `None` drops the packet and
//! the client times out ([Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)). A private endpoint's /32 system route normally beats
//! any broader UDR, but once the endpoint subnet's `privateEndpointNetworkPolicies` include route
//! tables a UDR whose prefix is at least as long as the VNet's overrides it ([Manage network policies for private endpoints](https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy)), so a
//! "black-hole the data subnet" route written for VMs starts dropping endpoint traffic too.
//!
//! **Example.** `rt-app` on the integration subnet has `10.20.2.0/24 → None`; the endpoint subnet's
//! policies are `RouteTableEnabled`; the app's connections to its private endpoints time out.
//!
//! **Fix.** Add a more specific route to the dependency's address with the next hop it needs
//! (`VnetLocal` inside the VNet, `Internet` for a public address):
//! `az network route-table route create --resource-group RG --route-table-name RT --name to-HOST --address-prefix IP/32 --next-hop-type VnetLocal`.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route

use super::util::rg;
use super::Rule;
use crate::deps::{Analysis, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::path::Step;
use privlink_model::{Model, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "NET204",
    name: "route-blackholes-dependency",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut dropped: BTreeMap<(ResourceId, std::net::IpAddr), Vec<Traced>> = BTreeMap::new();
    for (d, path) in analysis.traced().filter(|(_, p)| p.denied_at_step(Step::Route)) {
        let Some(by) = path.denied_by() else { continue };
        let Ok(route) = ResourceId::parse(&by.id) else { continue };
        dropped.entry((route, path.destination.ip)).or_default().push((d, path));
    }
    let mut out = Vec::new();
    for ((route, ip), deps) in dropped {
        let Some(table) = route.parent().filter(|t| model.resources.route_tables.contains_key(t)) else { continue };
        let next_hop = if model.vnet_containing(ip).is_some() { "VnetLocal" } else { "Internet" };
        let (d, _) = deps[0];
        let name = format!("to-{}", d.name.first_label());
        let mut names: Vec<String> = deps.iter().map(|(_, p)| p.to.clone()).collect();
        names.sort();
        names.dedup();
        let message = format!(
            "route {} of {} sends {} ({ip}) to next hop None: the packets are dropped and the connection times out",
            route.name(),
            table.name(),
            names.join(", ")
        );
        let fix = Fix {
            az: vec![format!(
                "az network route-table route create --resource-group {} --route-table-name {} --name {name} --address-prefix {ip}/32 --next-hop-type {next_hop}",
                rg(&table),
                table.name()
            )],
            edits: vec![Edit::create(&table.child("routes", &name), json!({"properties": {"addressPrefix": format!("{ip}/32"), "nextHopType": next_hop}}))],
        };
        out.push(
            Finding::new(&RULE, route.clone(), message)
                .with_evidence(deps.iter().map(|(d, _)| analysis.trace_evidence(d)).collect())
                .with_fix(fix),
        );
    }
    out
}
