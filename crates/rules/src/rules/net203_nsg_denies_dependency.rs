//! # NET203 nsg-denies-dependency: an NSG rule drops the app's traffic to a dependency
//!
//! **What it checks.** Traces every host each app names (app settings, Key Vault references,
//! connection strings; every endpoint it can reach when it names none) — resolution with the app's
//! DNS view, then egress, route, NSG, Private Link, service — and reports those denied at an NSG: the
//! integration subnet's NSG outbound, or the endpoint subnet's NSG inbound when the subnet's
//! `privateEndpointNetworkPolicies` make Azure apply it.
//!
//! Not reported for a dependency that resolved to a public address of a backend that refuses
//! public traffic anyway (public network access `Disabled`, or a firewall that denies by default
//! and no virtual network rule admitting the app's subnet through its service endpoint):
//! allowing the flow would not make the connection work — the service refuses it (azure-semantics
//! [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)) — and the reason the name is not private is reported by the DNS rules (DNS101, DNS102) or by
//! PE101 (a connection that is not approved gets no `privatelink` CNAME, [Private endpoint DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)).
//!
//! **Why it breaks.** NSG rules are evaluated by priority, first match wins, and a deny matching
//! the flow drops it silently: the client sees a connection timeout ([Network security groups](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview), [How network security groups filter traffic](https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works)).
//! A broad deny written to lock down egress ("deny VirtualNetwork", "deny *") often sits above the
//! rule meant to allow a backend's port, or the port allowed is not the one the app uses (Redis TLS
//! 6380, SQL Redirect 11000–11999).
//!
//! **Example.** `nsg-appservice-integration` has outbound `deny-vnet-outbound` (200, Deny, * →
//! VirtualNetwork) and no allow for 6380: the app's connection to Redis through its private
//! endpoint times out.
//!
//! **Fix.** Allow the flow with a free priority before the denying rule:
//! `az network nsg rule create --resource-group RG --nsg-name NSG --name allow-HOST-PORT --priority P --direction Outbound --access Allow --protocol Tcp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes IP --destination-port-ranges PORT`.
//! When no priority above the deny is free (a deny at 100, or every priority above it taken), the
//! allow takes the deny's priority and the deny and the rules right after it each move one down
//! (`az network nsg rule update … --priority P+1`, the rule furthest down first), so every
//! existing rule keeps its order. The finding is reported without a fix, and says why, only when
//! every priority from the deny's to 4096 is taken.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works

use super::util::rg;
use super::Rule;
use crate::deps::{Analysis, Dependency, PathOutcome, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_engine::nsg::is_public;
use privlink_engine::path::{public_endpoint_verdict, FlowVerdict, Step};
use privlink_engine::trace::owner_of;
use privlink_model::{Direction, Model, NetworkSecurityGroup, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "NET203",
    name: "nsg-denies-dependency",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // (denying rule or NSG, destination, port) → dependencies
    let mut denied: BTreeMap<(ResourceId, String, u16), Vec<Traced>> = BTreeMap::new();
    for (d, path) in
        analysis.traced().filter(|(d, p)| p.denied_at_step(Step::Nsg) && !refused_publicly_anyway(model, d, p))
    {
        let Some(by) = path.denied_by() else { continue };
        let Ok(id) = ResourceId::parse(&by.id) else { continue };
        denied.entry((id, path.destination.ip.to_string(), path.destination.port)).or_default().push((d, path));
    }
    let mut out = Vec::new();
    let mut plans: BTreeMap<(ResourceId, Direction), PriorityPlan> = BTreeMap::new();
    for ((by, dest, port), deps) in denied {
        let (nsg_id, rule) = match model.resources.network_security_groups.get(&by) {
            Some(n) => (n.meta.id.clone(), None),
            None => {
                let Some(parent) = by.parent() else { continue };
                let Some(n) = model.resources.network_security_groups.get(&parent) else { continue };
                let r = n.rules.iter().chain(&n.default_rules).find(|r| r.id == by);
                (n.meta.id.clone(), r)
            }
        };
        let Some(nsg) = model.resources.network_security_groups.get(&nsg_id) else { continue };
        let (d, path) = deps[0];
        // Outbound at the integration subnet's NSG, inbound at the endpoint subnet's.
        let app_subnet = d.site.integration_subnet.as_ref().and_then(|s| model.resources.subnets.get(&s.value));
        let direction = match rule {
            Some(r) => r.direction,
            None if app_subnet.is_some_and(|s| s.nsg.as_ref() == Some(&nsg_id)) => Direction::Outbound,
            None => Direction::Inbound,
        };
        let name = format!("allow-{}-{port}", d.name.first_label());
        let new_rule = nsg_id.child("securityRules", &name);
        let deny = rule.filter(|r| !r.is_default).map(|r| &r.id);
        let placed = plans
            .entry((nsg_id.clone(), direction))
            .or_insert_with(|| PriorityPlan::of(nsg, direction))
            .insert_before(deny, &new_rule);
        let ip: std::net::IpAddr = dest.parse().expect("an address");
        let destination = if is_public(ip) {
            path.destination
                .resource
                .as_ref()
                .and_then(|b| model.resources.backends.get(b))
                .and_then(|b| catalog::entries_for_type(&b.resource_type).find_map(|e| e.service_tag))
                .map_or_else(|| format!("{ip}/32"), str::to_string)
        } else {
            format!("{ip}/32")
        };
        let source = match direction {
            Direction::Outbound => "*".to_string(),
            Direction::Inbound => app_subnet.and_then(|s| s.prefixes.first()).map_or("*".into(), |p| p.to_string()),
        };
        let dir = match direction {
            Direction::Outbound => "Outbound",
            Direction::Inbound => "Inbound",
        };
        let mut names: Vec<String> = deps.iter().map(|(d, _)| format!("{}:{port}", d.name)).collect();
        names.sort();
        names.dedup();
        let what = rule
            .map_or_else(|| format!("NSG {}", nsg.meta.name), |r| format!("rule {} ({}, {})", r.name, r.priority, dir));
        let message = format!(
            "{what} of {} denies {} → {} ({dest}): the connection times out",
            nsg.meta.name,
            deps.iter()
                .map(|(d, _)| d.site.meta.name.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
            names.join(", ")
        );
        let (message, fix) = match placed {
            Some((priority, moves)) => {
                let mut az: Vec<String> = moves
                    .iter()
                    .map(|(id, to)| {
                        format!(
                            "az network nsg rule update --resource-group {} --nsg-name {} --name {} --priority {to}",
                            rg(&nsg_id),
                            nsg.meta.name,
                            id.name()
                        )
                    })
                    .collect();
                az.push(format!(
                    "az network nsg rule create --resource-group {} --nsg-name {} --name {name} --priority {priority} --direction {dir} --access Allow --protocol Tcp --source-address-prefixes '{source}' --source-port-ranges '*' --destination-address-prefixes {destination} --destination-port-ranges {port}",
                    rg(&nsg_id),
                    nsg.meta.name
                ));
                let mut edits: Vec<Edit> =
                    moves.iter().map(|(id, to)| Edit::add(id, "/properties/priority", json!(to))).collect();
                edits.push(Edit::create(&new_rule, json!({"properties": {
                    "priority": priority,
                    "direction": dir,
                    "access": "Allow",
                    "protocol": "Tcp",
                    "sourceAddressPrefix": source,
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": destination,
                    "destinationPortRange": port.to_string(),
                }})));
                (message, Some(Fix { az, edits }))
            }
            None => (
                format!(
                    "{message}; no fix: every {dir} priority from the denying rule's to 4096 is taken, so no allow fits before it (narrow or remove the rule)"
                ),
                None,
            ),
        };
        out.push(
            Finding::new(&RULE, by.clone(), message)
                .with_evidence(deps.iter().map(|(d, _)| analysis.trace_evidence(d)).collect())
                .with_fix(fix),
        );
    }
    out
}

/// The priorities of one NSG direction's custom rules as the fixes planned so far leave them, so
/// that the fixes of several findings on one NSG never give two rules the same priority.
struct PriorityPlan {
    by_rule: BTreeMap<ResourceId, i64>,
}

impl PriorityPlan {
    fn of(nsg: &NetworkSecurityGroup, direction: Direction) -> PriorityPlan {
        PriorityPlan {
            by_rule: nsg
                .rules
                .iter()
                .filter(|r| r.direction == direction)
                .map(|r| (r.id.clone(), r.priority))
                .collect(),
        }
    }

    /// Places `new_rule` before `deny` (a custom rule; `None` for a default rule, below every
    /// custom one): at the highest free priority above it, else at the deny's own priority, with the
    /// deny and the run of rules right after it each moved one down, so every existing rule keeps
    /// its order. Returns the new rule's priority and the moves (rule, new priority), the rule furthest
    /// down first (the order `az` can apply them in without two rules sharing a priority); `None` when
    /// every priority from the deny's to 4096 is taken.
    fn insert_before(
        &mut self,
        deny: Option<&ResourceId>,
        new_rule: &ResourceId,
    ) -> Option<(i64, Vec<(ResourceId, i64)>)> {
        let taken: std::collections::BTreeSet<i64> = self.by_rule.values().copied().collect();
        let deny_priority = deny.and_then(|d| self.by_rule.get(d)).copied().unwrap_or(4097).min(4097);
        if let Some(free) = (100..deny_priority).rev().find(|p| !taken.contains(p)) {
            self.by_rule.insert(new_rule.clone(), free);
            return Some((free, Vec::new()));
        }
        let first_free = (deny_priority..=4096).find(|p| !taken.contains(p))?;
        let mut moves: Vec<(ResourceId, i64)> = self
            .by_rule
            .iter()
            .filter(|(_, p)| (deny_priority..first_free).contains(*p))
            .map(|(id, p)| (id.clone(), p + 1))
            .collect();
        moves.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (id, p) in &moves {
            self.by_rule.insert(id.clone(), *p);
        }
        self.by_rule.insert(new_rule.clone(), deny_priority);
        Some((deny_priority, moves))
    }
}

/// Whether the dependency went to a public address of a backend that would refuse it there anyway.
fn refused_publicly_anyway(model: &Model, d: &Dependency, path: &PathOutcome) -> bool {
    // The engine's own service step decides, for traffic that left through the integration subnet
    // (where this NSG dropped it): an IP rule privlink cannot judge is not a refusal.
    is_public(path.destination.ip)
        && owner_of(model, &d.name)
            .is_some_and(|b| public_endpoint_verdict(model, &d.site.meta.id, &b, true) == Some(FlowVerdict::Denied))
}
