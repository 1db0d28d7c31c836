//! # APP308 private-backend-without-vnet-integration: an app without VNet integration depends on a backend it can reach only privately
//!
//! **What it checks.** Apps with no regional VNet integration (no `virtualNetworkSubnetId`, no
//! `virtualNetworkConnections`) whose traced dependencies are refused by a backend that has an
//! approved private endpoint and accepts no public traffic from the app: `publicNetworkAccess`
//! `Disabled`, or a firewall that denies by default.
//!
//! **Why it breaks.** Without VNet integration an app resolves with public DNS only — the
//! `privatelink` zones linked to the endpoint's VNet are invisible to it — and its traffic leaves
//! from the App Service platform, never entering a VNet (azure-semantics §1.8, §3.3, §3.4, §9
//! step 1). It reaches the backend's public endpoint, which refuses it: Key Vault answers 403
//! `ForbiddenByConnection`, SQL error 47073, Storage 403 `AuthorizationFailure` (§5.1–§5.5). The
//! private endpoint exists, but nothing puts the app on the network where it is.
//!
//! **Example.** `app1` has no VNet integration and names `kv1.vault.azure.net`; `kv1` has
//! `publicNetworkAccess: Disabled` and an approved endpoint `pe-kv1` in `vnet-app`, whose
//! `snet-int` is delegated to `Microsoft.Web/serverFarms` and unused.
//!
//! **Fix.** Integrate the app into a subnet of the endpoint's VNet delegated to
//! `Microsoft.Web/serverFarms` that no other plan uses:
//! `az webapp vnet-integration add --resource-group RG --name APP --vnet VNET --subnet SUBNET`
//! (the edit sets the site's `properties.virtualNetworkSubnetId`). No fix when the endpoint's VNet
//! has no such subnet: the message says to create one (a /28 at least, §3.2). Once integrated, the
//! app uses the VNet's DNS: the endpoint's zone must be linked to that VNet (DNS101 checks it).
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
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "APP308",
    name: "private-backend-without-vnet-integration",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // app → (backend → the hosts of it the app cannot reach)
    let mut refused: BTreeMap<&ResourceId, (&Site, BTreeMap<ResourceId, Vec<String>>)> = BTreeMap::new();
    for (d, path) in analysis.traced() {
        if d.site.integration_subnet.is_some() || path.verdict != FlowVerdict::Denied {
            continue;
        }
        let Some(backend) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        if !refuses_public(backend) || analysis.approved_endpoints_for(&d.name).is_empty() {
            continue;
        }
        let entry = refused.entry(&d.site.meta.id).or_insert_with(|| (d.site, BTreeMap::new()));
        entry.1.entry(backend.meta.id.clone()).or_default().push(d.name.to_string());
    }
    let mut out = Vec::new();
    for (_, (site, backends)) in refused {
        let endpoint_vnets: Vec<ResourceId> = backends
            .keys()
            .flat_map(|b| model.indexes.endpoints_of_target.get(b).into_iter().flatten())
            .filter_map(|pe| model.resources.private_endpoints.get(pe)?.subnet.as_ref()?.parent())
            .collect();
        let mut hosts: Vec<&str> = backends.values().flatten().map(String::as_str).collect();
        hosts.sort();
        hosts.dedup();
        let names: Vec<&str> = backends.keys().map(|b| b.name()).collect();
        let message = format!(
            "{} has no VNet integration, so it resolves {} with public DNS and connects from the App Service platform; {} {} only private traffic: the connection is refused",
            site.meta.name,
            hosts.join(", "),
            names.join(", "),
            if names.len() == 1 { "accepts" } else { "accept" }
        );
        let evidence = backends
            .keys()
            .filter_map(|b| model.resources.backends.get(b))
            .map(|b| {
                json!({
                    "backend": b.meta.id,
                    "publicNetworkAccess": b.public_network_access,
                    "networkAcls": b.network_acls,
                    "privateEndpoints": model.indexes.endpoints_of_target.get(&b.meta.id),
                })
            })
            .collect();
        let finding = match free_integration_subnet(model, site, &endpoint_vnets) {
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
                    edits: vec![Edit::add(&site.meta.id, "/properties/virtualNetworkSubnetId", json!(subnet.to_string()))],
                };
                Finding::new(&RULE, site.meta.id.clone(), format!("{message}; integrate it into {}", subnet.name()))
                    .with_fix(fix)
            }
            None => Finding::new(
                &RULE,
                site.meta.id.clone(),
                format!(
                    "{message}; no fix: {} has no free subnet delegated to {INTEGRATION_DELEGATION} — create one (/28 or larger) and integrate the app into it",
                    endpoint_vnets.first().map_or("the endpoint's VNet", |v| v.name())
                ),
            ),
        };
        out.push(finding.with_evidence(evidence));
    }
    out
}

/// Whether the backend refuses traffic that reaches its public endpoint from the App Service
/// platform (public access off, or a firewall that denies by default).
fn refuses_public(backend: &Backend) -> bool {
    backend.public_network_access == PublicNetworkAccess::Disabled
        || backend.network_acls.as_ref().is_some_and(|a| a.denies_by_default())
}

/// A subnet of one of `vnets` delegated to App Service that holds nothing and that no app of
/// another plan is integrated into (a subnet serves one plan, azure-semantics §3.2).
fn free_integration_subnet(model: &Model, site: &Site, vnets: &[ResourceId]) -> Option<ResourceId> {
    model
        .resources
        .subnets
        .values()
        .filter(|s| vnets.contains(&s.vnet) && s.is_delegated_to(INTEGRATION_DELEGATION))
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
