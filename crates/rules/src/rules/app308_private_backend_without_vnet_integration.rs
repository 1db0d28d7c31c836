//! # APP308 private-backend-without-vnet-integration: an app without VNet integration depends on a backend it can reach only privately
//!
//! **What it checks.** Apps with no regional VNet integration (no `virtualNetworkSubnetId`, no
//! `virtualNetworkConnections`) whose traced dependencies are refused by a backend that has an
//! approved private endpoint and accepts no public traffic from the app: `publicNetworkAccess`
//! `Disabled`, or a firewall that denies by default. Also those refused by a backend with public
//! access on whose virtual network rules (a SQL server's `virtualNetworkRules`, an entry of
//! `networkAcls.virtualNetworkRules`) admit subnets: it is reachable only from a VNet.
//!
//! **Why it breaks.** Without VNet integration an app resolves with public DNS only — the
//! `privatelink` zones linked to the endpoint's VNet are invisible to it — and its traffic leaves
//! from the App Service platform, never entering a VNet ([What is IP address 168.63.129.16?](https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16), [App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing), [Name resolution in App Service](https://learn.microsoft.com/azure/app-service/overview-name-resolution), [privlink's modelling choices](/docs/modelling-choices.md)
//! step 1). It reaches the backend's public endpoint, which refuses it: Key Vault answers 403
//! `ForbiddenByConnection`, SQL error 47073, Storage 403 `AuthorizationFailure` ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Azure Storage firewalls and virtual networks](https://learn.microsoft.com/azure/storage/common/storage-network-security)). The
//! private endpoint exists, but nothing puts the app on the network where it is. A virtual network
//! rule admits only traffic that comes from its subnet through the subnet's service endpoint
//! ([App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing), [Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Azure SQL connectivity settings](https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings)): an app outside every VNet never matches it.
//!
//! **Example.** `app1` has no VNet integration and names `kv1.vault.azure.net`; `kv1` has
//! `publicNetworkAccess: Disabled` and an approved endpoint `pe-kv1` in `vnet-app`, whose
//! `snet-int` is delegated to `Microsoft.Web/serverFarms` and unused.
//!
//! **Fix.** Integrate the app into a subnet of the endpoint's VNet delegated to
//! `Microsoft.Web/serverFarms` that no other plan uses:
//! `az webapp vnet-integration add --resource-group RG --name APP --vnet VNET --subnet SUBNET`
//! (the edit sets the site's `properties.virtualNetworkSubnetId`); for a backend reachable through
//! its virtual network rules, into one of the subnets they name. No fix when there is no such
//! subnet: the message says to create one (a /28 at least, [App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)). Once integrated, the app uses
//! the VNet's DNS: the endpoint's zone must be linked to that VNet (DNS101 checks it); a rule's
//! subnet needs the service's endpoint (SEC405 checks it).
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration ·
//! https://learn.microsoft.com/cli/azure/webapp/vnet-integration#az-webapp-vnet-integration-add

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::INTEGRATION_DELEGATION;
use privlink_engine::path::FlowVerdict;
use privlink_engine::trace::owner_of;
use privlink_model::{Backend, Model, PublicNetworkAccess, ResourceId, Site};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const RULE: Rule = Rule {
    code: "APP308",
    name: "private-backend-without-vnet-integration",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Sometimes,
    check,
};

/// How a backend refusing an app without VNet integration can be reached: through its private
/// endpoint, or from the subnets its virtual network rules name (through their service endpoints).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    PrivateEndpoint,
    VirtualNetworkRules,
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // app → (backend → (how it can be reached, the hosts of it the app cannot reach))
    type Refused<'m> = BTreeMap<&'m ResourceId, (&'m Site, BTreeMap<ResourceId, (Reach, Vec<String>)>)>;
    let mut refused: Refused = BTreeMap::new();
    // The apps with a denied connection; the others' are only `unknown` (IP rules privlink cannot judge).
    let mut denied: BTreeSet<&ResourceId> = BTreeSet::new();
    for (d, path) in analysis.traced() {
        if d.site.integration_subnet.is_some() || path.verdict == FlowVerdict::Allowed {
            continue;
        }
        let Some(backend) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        let reach = if refuses_public(backend) && !analysis.approved_endpoints_for(&d.name).is_empty() {
            Reach::PrivateEndpoint
        } else if admits_virtual_networks(backend) {
            Reach::VirtualNetworkRules
        } else {
            continue;
        };
        if path.verdict == FlowVerdict::Denied {
            denied.insert(&d.site.meta.id);
        }
        let entry = refused.entry(&d.site.meta.id).or_insert_with(|| (d.site, BTreeMap::new()));
        entry.1.entry(backend.meta.id.clone()).or_insert_with(|| (reach, Vec::new())).1.push(d.name.to_string());
    }
    let mut out = Vec::new();
    for (site_id, (site, backends)) in refused {
        let refused_for_sure = denied.contains(site_id);
        let endpoint_vnets: Vec<ResourceId> = backends
            .iter()
            .filter(|(_, (reach, _))| *reach == Reach::PrivateEndpoint)
            .flat_map(|(b, _)| model.indexes.endpoints_of_target.get(b).into_iter().flatten())
            .filter_map(|pe| model.resources.private_endpoints.get(pe)?.subnet.as_ref()?.parent())
            .collect();
        let rule_subnets: Vec<ResourceId> = backends
            .iter()
            .filter(|(_, (reach, _))| *reach == Reach::VirtualNetworkRules)
            .filter_map(|(b, _)| model.resources.backends.get(b))
            .flat_map(|b| b.virtual_network_rules().map(|r| r.subnet().clone()))
            .collect();
        let mut hosts: Vec<&str> = backends.values().flat_map(|(_, h)| h).map(String::as_str).collect();
        hosts.sort();
        hosts.dedup();
        let names = |reach: Reach| -> Vec<&str> {
            backends.iter().filter(|(_, (r, _))| *r == reach).map(|(b, _)| b.name()).collect()
        };
        let verb = |n: &[&str]| if n.len() == 1 { "accepts" } else { "accept" };
        let mut clauses = Vec::new();
        let private = names(Reach::PrivateEndpoint);
        if !private.is_empty() {
            clauses.push(format!("{} {} only private traffic", private.join(", "), verb(&private)));
        }
        let ruled = names(Reach::VirtualNetworkRules);
        if !ruled.is_empty() {
            clauses.push(format!(
                "{} {} only traffic from the subnets {} virtual network rules name",
                ruled.join(", "),
                verb(&ruled),
                if ruled.len() == 1 { "its" } else { "their" }
            ));
        }
        let message = format!(
            "{} has no VNet integration, so it resolves {} with public DNS and connects from the App Service platform; {}: {}",
            site.meta.name,
            hosts.join(", "),
            clauses.join(" and "),
            if refused_for_sure {
                "the connection is refused"
            } else {
                "whether the firewall's IP rules admit the app's public outbound address is not in the estate, so the connection may be refused"
            }
        );
        let evidence = backends
            .iter()
            .filter_map(|(b, (reach, _))| Some((model.resources.backends.get(b)?, reach)))
            .map(|(b, reach)| {
                let mut e = json!({
                    "backend": b.meta.id,
                    "publicNetworkAccess": b.public_network_access,
                    "networkAcls": b.network_acls,
                    "privateEndpoints": model.indexes.endpoints_of_target.get(&b.meta.id),
                });
                if *reach == Reach::VirtualNetworkRules {
                    let subnets: Vec<&ResourceId> = b.virtual_network_rules().map(|r| r.subnet()).collect();
                    e["virtualNetworkRuleSubnets"] = json!(subnets);
                }
                e
            })
            .collect();
        let finding = match free_integration_subnet(model, site, &endpoint_vnets, &rule_subnets) {
            Some(subnet) => {
                let vnet = subnet.parent().expect("a subnet id has its VNet as parent");
                let fix = Fix {
                    az: vec![format!(
                        "az webapp vnet-integration add --resource-group {} --name {} --vnet {} --subnet {}",
                        rg(&site.meta.id),
                        site.meta.name,
                        vnet,
                        subnet.name()
                    )],
                    edits: vec![Edit::add(
                        &site.meta.id,
                        "/properties/virtualNetworkSubnetId",
                        json!(subnet.to_string()),
                    )],
                };
                Finding::new(&RULE, site.meta.id.clone(), format!("{message}; integrate it into {}", subnet.name()))
                    .with_fix(fix)
            }
            None => Finding::new(
                &RULE,
                site.meta.id.clone(),
                if endpoint_vnets.is_empty() {
                    format!(
                        "{message}; no fix: none of those subnets is free and delegated to {INTEGRATION_DELEGATION} — delegate one (or create one, /28 or larger, with the service endpoint and a virtual network rule for it) and integrate the app into it"
                    )
                } else {
                    format!(
                        "{message}; no fix: {} has no free subnet delegated to {INTEGRATION_DELEGATION} — create one (/28 or larger) and integrate the app into it",
                        endpoint_vnets.first().map_or("the endpoint's VNet", |v| v.name())
                    )
                },
            ),
        };
        let finding = finding.with_evidence(evidence);
        out.push(if refused_for_sure { finding } else { finding.at_secondary_severity(&RULE) });
    }
    out
}

/// Whether the backend refuses traffic that reaches its public endpoint from the App Service
/// platform (public access off, or a firewall that denies by default).
fn refuses_public(backend: &Backend) -> bool {
    backend.public_network_access == PublicNetworkAccess::Disabled
        || backend.network_acls.as_ref().is_some_and(|a| a.denies_by_default())
}

/// Whether the backend admits traffic from the subnets its virtual network rules name (public
/// access on: service-endpoint traffic reaches the public endpoint).
fn admits_virtual_networks(backend: &Backend) -> bool {
    !matches!(backend.public_network_access, PublicNetworkAccess::Disabled | PublicNetworkAccess::SecuredByPerimeter)
        && backend.virtual_network_rules().next().is_some()
}

/// A subnet delegated to App Service, of one of `vnets` or one of `subnets`, that holds nothing
/// and that no app of another plan is integrated into (a subnet serves one plan, azure-semantics §3.2).
fn free_integration_subnet(
    model: &Model,
    site: &Site,
    vnets: &[ResourceId],
    subnets: &[ResourceId],
) -> Option<ResourceId> {
    model
        .resources
        .subnets
        .values()
        .filter(|s| {
            (vnets.contains(&s.vnet) || subnets.contains(&s.meta.id)) && s.is_delegated_to(INTEGRATION_DELEGATION)
        })
        .find(|s| {
            let users_of_other_plans = model.resources.sites.values().any(|other| {
                other.integration_subnet.as_ref().is_some_and(|i| i.value == s.meta.id) && other.plan != site.plan
            });
            let holds_endpoints =
                model.resources.private_endpoints.values().any(|pe| pe.subnet.as_ref() == Some(&s.meta.id));
            !users_of_other_plans && !holds_endpoints
        })
        .map(|s| s.meta.id.clone())
}
