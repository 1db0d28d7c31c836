//! # NET205 peering-not-connected: an app's dependency sits in another VNet that its VNet is not peered with
//!
//! **What it checks.** Traced dependencies whose address lies in another VNet of the estate and
//! whose connection is dropped by the integration VNet's system routes because no connected
//! peering brings that VNet's address space: the two VNets are not peered, or a side of their
//! peering is `Initiated` or `Disconnected`.
//!
//! **Why it breaks.** A VNet routes only its own address space and the address spaces of connected
//! peerings; a private address outside them matches Azure's default route for the private ranges,
//! whose next hop is `None`: the packet is dropped and the client times out ([Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)).
//! A peering carries traffic only while both sides are `Connected`; deleting one side leaves the
//! other `Disconnected` until it is re-created. A hub-and-spoke estate whose private endpoints live
//! in the hub breaks for every spoke that loses its peering.
//!
//! **Example.** `vnet-app` (the app's integration VNet) has peering `to-vnet-hub` in state
//! `Disconnected`; `pe-sql1` is at 10.2.1.4 in `vnet-hub`: the connection to
//! `sql1.database.windows.net` times out.
//!
//! **Fix.** Peer the two VNets, both sides, re-creating a side that is not connected:
//! `az network vnet peering create --resource-group RG --name NAME --vnet-name VNET --remote-vnet REMOTE_ID --allow-vnet-access`
//! (the edits record each side `Connected`, as Azure shows it once both exist). Once peered, the
//! private DNS zone must be linked to the app's VNet too (DNS101 checks it).
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview ·
//! https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering

use super::util::{peering_fix, peering_sides, peering_states};
use super::Rule;
use crate::deps::{Analysis, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::path::Step;
use privlink_model::{Model, ResourceId};
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "NET205",
    name: "peering-not-connected",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // (app's VNet, the dependency's VNet) → dependencies
    let mut unpeered: BTreeMap<(ResourceId, ResourceId), Vec<Traced>> = BTreeMap::new();
    for (d, path) in analysis.traced().filter(|(_, p)| p.denied_at_step(Step::Route)) {
        // A system route decided (a user route names its route table): the VNet's own routes.
        let Some(local) = path.denied_by().and_then(|b| ResourceId::parse(&b.id).ok()) else { continue };
        if !model.resources.virtual_networks.contains_key(&local) {
            continue;
        }
        let Some(remote) = model.vnet_containing(path.destination.ip).map(|v| v.meta.id.clone()) else { continue };
        if remote != local {
            unpeered.entry((local, remote)).or_default().push((d, path));
        }
    }
    let mut out = Vec::new();
    for ((local, remote), deps) in unpeered {
        let sides = peering_sides(model, &local, &remote);
        if sides.iter().all(|(_, _, p)| p.is_some_and(|p| p.is_connected())) {
            continue; // peered both ways: the drop is another route's doing, not the peering's
        }
        let mut names: Vec<&str> = deps.iter().map(|(_, p)| p.to.as_str()).collect();
        names.sort();
        names.dedup();
        let state = peering_states(&sides);
        let message = format!(
            "{} ({}) is in {}, which {} does not reach: {}; the default route for private ranges drops the traffic (next hop None) and the connection times out",
            names.join(", "),
            deps[0].1.destination.ip,
            remote.name(),
            local.name(),
            state.join(", ")
        );
        let resource = sides[0].2.map_or_else(|| local.clone(), |p| p.meta.id.clone());
        out.push(
            Finding::new(&RULE, resource, message)
                .with_evidence(deps.iter().map(|(d, _)| analysis.trace_evidence(d)).collect())
                .with_fix(peering_fix(&sides)),
        );
    }
    out
}
