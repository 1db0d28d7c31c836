//! # DNS111 dns-server-unreachable: the DNS server sits across a peering that is not connected
//!
//! **What it checks.** VNets whose `dhcpOptions.dnsServers`, and VNet-integrated apps whose own DNS
//! servers, name a DNS server of the estate in another VNet — the DNS proxy of an Azure Firewall,
//! or the inbound endpoint of a DNS private resolver — while the peering between the two VNets is
//! not connected (a side `Initiated` or `Disconnected`). An error for each app whose name
//! resolution it breaks; a warning for a VNet no app resolves through, or when a later server
//! answers after the timeout.
//!
//! **Why it breaks.** The hub's DNS server is a private address: a spoke reaches it only over an
//! established peering, and a peering carries traffic only while both sides are `Connected`
//! ([Azure Firewall DNS settings](https://learn.microsoft.com/azure/firewall/dns-settings), [Manage a virtual network peering](https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering)). Otherwise the query matches the default route for private
//! ranges (next hop `None`) and is dropped: the client times out and no name resolves, although the
//! firewall or resolver itself is configured correctly. A hub-and-spoke estate breaks this way for
//! every spoke that loses its peering, in DNS before any connection is tried.
//!
//! **Example.** `vnet-spoke` sets `dhcpOptions.dnsServers` to `10.0.1.4`, the DNS proxy of `fw-hub`
//! in `vnet-hub`; peering `to-vnet-hub` of `vnet-spoke` is `Disconnected`: `app1` cannot resolve
//! `kv1.vault.azure.net`.
//!
//! **Fix.** Peer the two VNets, both sides, re-creating a side that is not connected:
//! `az network vnet peering create --resource-group RG --name NAME --vnet-name VNET --remote-vnet REMOTE_ID --allow-vnet-access`
//! (the edits record each side `Connected`, as Azure shows it once both exist).
//!
//! **Reference.** https://learn.microsoft.com/azure/firewall/dns-settings#configure-virtual-network-dns-servers ·
//! https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering

use super::dns110_firewall_dns_proxy_off::{configured, nothing_answers, unresolved};
use super::util::{peering_fix, peering_sides, peering_states, silent_server_consequence};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::dns::servers::{home_of, peerings_down};
use privlink_model::{arm_type, Model, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS111",
    name: "dns-server-unreachable",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in configured(model) {
        let Some(from) = &c.from else { continue };
        // The remote VNets the setting's servers sit in, behind a peering that is down.
        let mut blocked: BTreeMap<ResourceId, (IpAddr, ResourceId)> = BTreeMap::new();
        for ip in c.servers.iter().filter_map(|s| s.parse::<IpAddr>().ok()) {
            let Some((server, vnet)) = home_of(model, ip) else { continue };
            if vnet != *from && peerings_down(model, from, &vnet).is_some_and(|down| !down.is_empty()) {
                blocked.entry(vnet).or_insert((ip, server));
            }
        }
        if blocked.is_empty() {
            continue;
        }
        let silent = nothing_answers(model, &c);
        let deps = if silent { unresolved(model, analysis, &c.setting) } else { Vec::new() };
        for (remote, (ip, server)) in blocked {
            let sides = peering_sides(model, from, &remote);
            let what = format!(
                "{}, {} in {}, but {} does not reach it: {}; the queries are dropped",
                c.setting.says(&ip.to_string()),
                describe(&server),
                remote.name(),
                from.name(),
                peering_states(&sides).join(", ")
            );
            let message = silent_server_consequence(&what, &deps, silent);
            let mut evidence: Vec<serde_json::Value> =
                deps.iter().take(3).map(|d| analysis.resolution_evidence(d)).collect();
            evidence.push(json!({"server": server, "address": ip.to_string(), "from": from, "in": remote}));
            let finding = Finding::new(&RULE, c.setting.resource().clone(), message)
                .with_evidence(evidence)
                .with_fix(peering_fix(&sides));
            out.push(if deps.is_empty() { finding.at_secondary_severity(&RULE) } else { finding });
        }
    }
    out
}

/// The DNS server, as a person names it.
fn describe(server: &ResourceId) -> String {
    if server.is_type(arm_type::AZURE_FIREWALLS) {
        format!("the DNS proxy of Azure Firewall {}", server.name())
    } else {
        let resolver = server.parent().map(|r| r.name().to_string()).unwrap_or_default();
        format!("inbound endpoint {} of DNS private resolver {resolver}", server.name())
    }
}
