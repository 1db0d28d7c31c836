//! # NET206 route-to-unmodelled-next-hop: a user-defined route sends the app's traffic to a virtual appliance or gateway privlink cannot see into
//!
//! **What it checks.** Traces every host each app names (every endpoint it can reach when it names
//! none) and reports those whose effective route from the integration subnet is a user-defined
//! route with next hop `VirtualAppliance` or `VirtualNetworkGateway`: the trace ends there as
//! `unknown`, because what the appliance (a firewall, an NVA) or the gateway does with the packet
//! is not in the ARM documents.
//!
//! **Why it breaks.** Longest prefix match picks the route ([Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)); the appliance
//! must allow and forward the flow, and for a private endpoint the return path must come back
//! through it too, or the connection breaks on asymmetric routing. A `0.0.0.0/0` route to a
//! firewall (forced tunnelling) is the usual cause of an app that "cannot reach" a public
//! endpoint, and a UDR that overrides a private endpoint's /32 (the endpoint subnet's
//! `privateEndpointNetworkPolicies` include route tables, [Manage network policies for private endpoints](https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy)) the usual cause for a private one.
//! privlink says where its knowledge ends instead of guessing.
//!
//! **Example.** `rt-int` on the integration subnet has `0.0.0.0/0 → VirtualAppliance 10.1.3.4`;
//! route-all sends `kv1.vault.azure.net` (public) into the VNet and to that appliance.
//!
//! **Fix.** None privlink can write: check that the appliance allows and forwards the flow (and
//! its return), or add a more specific route for the dependency with the next hop it needs.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route

use super::Rule;
use crate::deps::{Analysis, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::path::FlowVerdict;
use privlink_model::{Model, NextHopType, ResourceId, Route};
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "NET206",
    name: "route-to-unmodelled-next-hop",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut undecided: BTreeMap<ResourceId, Vec<Traced>> = BTreeMap::new();
    for (d, path) in analysis.traced().filter(|(_, p)| p.verdict == FlowVerdict::Unknown) {
        let Some(by) = path.decided_by.as_ref().filter(|b| b.kind == "route") else { continue };
        let Ok(route) = ResourceId::parse(&by.id) else { continue };
        undecided.entry(route).or_default().push((d, path));
    }
    let mut out = Vec::new();
    for (route_id, deps) in undecided {
        let Some(route) = user_route(model, &route_id) else { continue };
        let hop = match (route.next_hop_type, route.next_hop_ip) {
            (NextHopType::VirtualAppliance, Some(ip)) => format!("virtual appliance {ip}"),
            (NextHopType::VirtualAppliance, None) => "a virtual appliance".to_string(),
            (NextHopType::VirtualNetworkGateway, _) => "the virtual network gateway".to_string(),
            _ => continue,
        };
        let mut flows: Vec<String> = deps.iter().map(|(_, p)| format!("{} ({})", p.to, p.destination.ip)).collect();
        flows.sort();
        flows.dedup();
        let table = route_id.parent().map(|t| t.name().to_string()).unwrap_or_default();
        let message = format!(
            "route {} ({}) of {table} sends {} to {hop}: what it does with the traffic is not in the estate, so privlink cannot say whether the connection works; make sure it allows and forwards the flow and its return, or route the dependency around it",
            route.name,
            route.address_prefix,
            flows.join(", ")
        );
        out.push(
            Finding::new(&RULE, route_id.clone(), message)
                .with_evidence(deps.iter().map(|(d, _)| analysis.trace_evidence(d)).collect()),
        );
    }
    out
}

/// The user-defined route with this id, from its route table.
fn user_route<'m>(model: &'m Model, id: &ResourceId) -> Option<&'m Route> {
    model.resources.route_tables.get(&id.parent()?)?.routes.iter().find(|r| r.id == *id)
}
