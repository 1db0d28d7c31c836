//! # SEC405 virtual-network-rule-without-service-endpoint: a backend's virtual network rule names a subnet that lacks the backend's service endpoint
//!
//! **What it checks.** Every virtual network rule of a backend — a SQL server's
//! `Microsoft.Sql/servers/virtualNetworkRules` child (`properties.virtualNetworkSubnetId`), or an
//! entry of a Key Vault's, Cognitive Services account's or storage account's
//! `networkAcls.virtualNetworkRules` — whose subnet is in the estate and has no service endpoint
//! for the backend's service (`Microsoft.Sql`, `Microsoft.KeyVault`, `Microsoft.CognitiveServices`,
//! `Microsoft.Storage`). One finding per subnet, naming every such rule. An error when an app
//! integrated into that subnet depends on one of those backends and its connection to the
//! backend's public endpoint is refused (public access is not disabled: the rule would have
//! admitted it); a warning otherwise — a rule that admits nobody.
//!
//! **Why it breaks.** A virtual network rule admits a subnet's *service-endpoint* traffic: with the
//! endpoint on the subnet, traffic to the service enters the VNet even without route-all and
//! reaches the service's public endpoint carrying the subnet's private addresses, which the rule
//! matches ([App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing), [Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Azure SQL connectivity settings](https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings)). Without the endpoint the traffic leaves from a
//! public address — the App Service platform's outbound address, or, with route-all, whatever the
//! VNet's internet egress uses — and the rule never matches it: Key Vault answers
//! `403 ForbiddenByFirewall`, SQL error 40615, Storage `403 AuthorizationFailure`. Azure refuses
//! to create a SQL rule for a subnet without `Microsoft.Sql` unless
//! `ignoreMissingVnetServiceEndpoint` is true, which lets the rule exist ahead of the endpoint —
//! but "merely setting a firewall rule doesn't help secure the server": it admits nobody until
//! the endpoint is turned on (Learn, below); the message says which rules set the flag.
//! Removing a subnet's service endpoint later silently cuts every backend whose rules relied on it.
//!
//! **Example.** `sql1` has the rule `allow-snet-int` for `snet-int`, `snet-int` has no service
//! endpoints, and `app1`, integrated into `snet-int` with route-all off, connects to
//! `sql1.database.windows.net`: error 40615.
//!
//! **Fix.** Add the missing service endpoints to the subnet (the list replaces the subnet's, so it
//! repeats the endpoints it already has):
//! `az network vnet subnet update --resource-group RG --vnet-name VNET --name SUBNET --service-endpoints Microsoft.KeyVault Microsoft.Sql`
//! (the edits append `{"service": …}` to the subnet's `properties.serviceEndpoints`; Azure fills
//! in `locations`). Traffic from the subnet to those services switches to its private addresses:
//! IP rules that admitted the subnet's public egress address stop matching it.
//!
//! **Reference.** https://learn.microsoft.com/azure/azure-sql/database/vnet-service-endpoint-rule-overview ·
//! https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview ·
//! https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints

use super::util::rg;
use super::Rule;
use crate::deps::{Analysis, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_engine::nsg::is_public;
use privlink_engine::path::{service_endpoint_on, FlowVerdict};
use privlink_engine::trace::owner_of;
use privlink_model::{Backend, Model, PublicNetworkAccess, ResourceId, VirtualNetworkRule};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const RULE: Rule = Rule {
    code: "SEC405",
    name: "virtual-network-rule-without-service-endpoint",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Always,
    check,
};

/// One rule that cannot match its subnet: the backend, the rule, the endpoint it needs.
struct Unmatched<'m> {
    backend: &'m Backend,
    rule: VirtualNetworkRule<'m>,
    endpoint: &'static str,
}

fn describe(u: &Unmatched) -> String {
    match u.rule {
        VirtualNetworkRule::Sql(r) if r.ignore_missing_service_endpoint => format!(
            "{}'s virtual network rule {} (ignoreMissingVnetServiceEndpoint: created ahead of the endpoint)",
            u.backend.meta.name, r.name
        ),
        VirtualNetworkRule::Sql(r) => format!("{}'s virtual network rule {}", u.backend.meta.name, r.name),
        VirtualNetworkRule::NetworkAcls(_) => {
            format!("{}'s networkAcls.virtualNetworkRules entry", u.backend.meta.name)
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut by_subnet: BTreeMap<&ResourceId, Vec<Unmatched>> = BTreeMap::new();
    for backend in model.resources.backends.values() {
        let Some(endpoint) = catalog::service_endpoint_service(&backend.resource_type) else { continue };
        for rule in backend.virtual_network_rules() {
            // A subnet outside the estate may have the endpoint: nothing to say about it.
            let Some(subnet) = model.resources.subnets.get(rule.subnet()) else { continue };
            if service_endpoint_on(subnet, &backend.resource_type).is_none() {
                by_subnet.entry(&subnet.meta.id).or_default().push(Unmatched { backend, rule, endpoint });
            }
        }
    }
    if by_subnet.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (subnet_id, rules) in by_subnet {
        let subnet = &model.resources.subnets[subnet_id];
        let backends: BTreeSet<&ResourceId> = rules.iter().map(|u| &u.backend.meta.id).collect();
        // The apps in this subnet whose connection to one of these backends' public endpoints is
        // not allowed, where a matching rule would have decided (public access not disabled).
        let affected: Vec<Traced> = analysis
            .traced()
            .filter(|(d, p)| {
                p.verdict != FlowVerdict::Allowed
                    && is_public(p.destination.ip)
                    && d.site.integration_subnet.as_ref().is_some_and(|s| &s.value == subnet_id)
            })
            .filter(|(d, _)| {
                owner_of(model, &d.name).and_then(|o| model.resources.backends.get(&o)).is_some_and(|b| {
                    backends.contains(&b.meta.id)
                        && !matches!(
                            b.public_network_access,
                            PublicNetworkAccess::Disabled | PublicNetworkAccess::SecuredByPerimeter
                        )
                })
            })
            .collect();
        let refused: Vec<&Traced> = affected.iter().filter(|(_, p)| p.verdict == FlowVerdict::Denied).collect();
        let mut missing: Vec<&str> = rules.iter().map(|u| u.endpoint).collect();
        missing.sort_unstable();
        missing.dedup();
        let described: Vec<String> = rules.iter().map(describe).collect();
        let consequence = if refused.is_empty() {
            format!("no app integrated into {} is refused because of this", subnet.meta.name)
        } else {
            // app → the connections of it that are refused, in (app, host) order
            let mut apps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (d, p) in &refused {
                apps.entry(d.site.meta.name.as_str()).or_default().push(p.to.as_str());
            }
            let apps: Vec<String> = apps.iter().map(|(app, to)| format!("{app} ({})", to.join(", "))).collect();
            format!(
                "{} {} refused: without the endpoint the traffic reaches the public endpoint from a public address, which the rules do not match",
                and_list(&apps),
                if apps.len() == 1 { "is" } else { "are" }
            )
        };
        let missing_names: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
        let message = format!(
            "subnet {} lacks the {} service endpoint{}, so {} {} nobody; {consequence}",
            subnet.meta.name,
            and_list(&missing_names),
            if missing.len() == 1 { "" } else { "s" },
            and_list(&described),
            if described.len() == 1 { "admits" } else { "admit" }
        );
        let mut evidence = vec![json!({
            "subnet": subnet_id,
            "serviceEndpoints": subnet.service_endpoints,
            "missing": missing,
        })];
        for u in &rules {
            evidence.push(match u.rule {
                VirtualNetworkRule::Sql(r) => json!({
                    "backend": u.backend.meta.id,
                    "virtualNetworkRule": r.id,
                    "ignoreMissingVnetServiceEndpoint": r.ignore_missing_service_endpoint,
                    "publicNetworkAccess": u.backend.public_network_access,
                }),
                VirtualNetworkRule::NetworkAcls(_) => json!({
                    "backend": u.backend.meta.id,
                    "virtualNetworkRules": u.backend.network_acls.as_ref().map(|a| &a.virtual_network_rules),
                    "publicNetworkAccess": u.backend.public_network_access,
                }),
            });
        }
        evidence.extend(affected.iter().map(|(d, _)| analysis.trace_evidence(d)));
        let mut endpoints: Vec<&str> = subnet.service_endpoints.iter().map(String::as_str).collect();
        endpoints.extend(&missing);
        let fix = Fix {
            az: vec![format!(
                "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --service-endpoints {}",
                rg(subnet_id),
                subnet.vnet.name(),
                subnet.meta.name,
                endpoints.join(" ")
            )],
            edits: missing
                .iter()
                .map(|se| Edit::add(subnet_id, "/properties/serviceEndpoints/-", json!({"service": se})))
                .collect(),
        };
        let finding = Finding::new(&RULE, subnet_id.clone(), message).with_evidence(evidence).with_fix(fix);
        out.push(if refused.is_empty() { finding.at_secondary_severity(&RULE) } else { finding });
    }
    out
}
