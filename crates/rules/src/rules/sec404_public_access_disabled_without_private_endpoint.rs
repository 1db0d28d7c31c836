//! # SEC404 public-access-disabled-without-private-endpoint: an app depends on a backend that refuses public traffic and has no private endpoint
//!
//! **What it checks.** Traced dependencies refused by the backend itself (or dropped on the way to
//! its public endpoint, which would refuse them) whose backend has
//! `publicNetworkAccess: Disabled` and no private endpoint in the estate: no path to it exists.
//! Approved connections the backend records to endpoints the estate does not hold (in another
//! subscription, or in an export taken before a deleted endpoint's connection was removed) are
//! named in the message: privlink cannot see them carry anything. (An endpoint that exists but is
//! not approved is PE101's.)
//!
//! **Why it breaks.** With public network access disabled the service accepts traffic only through
//! its private endpoints ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Azure Storage firewalls and virtual networks](https://learn.microsoft.com/azure/storage/common/storage-network-security), [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)); without an approved one every client is
//! refused — Key Vault 403 `ForbiddenByConnection`, SQL error 47073, Storage 403
//! `AuthorizationFailure`. The seeds' warning: disabling public access before the private path
//! exists breaks the app ("Incorrect firewall expectations", seed 003).
//!
//! **Example.** `kv1` has `publicNetworkAccess: Disabled` and no private endpoint; `app1` names
//! `kv1.vault.azure.net`: denied by the vault.
//!
//! **Fix.** None written: create a private endpoint for the backend in a subnet the app's VNet
//! reaches, with a zone group on the service's `privatelink` zone linked to that VNet
//! (`az network private-endpoint create … --group-id GROUP`, then
//! `az network private-endpoint dns-zone-group create …`), or re-enable public access until it
//! exists. The subnet, the zone and the DNS design are choices privlink does not make.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/create-private-endpoint-cli

use super::util::approved_endpoints;
use super::Rule;
use crate::deps::{Analysis, PathOutcome, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::dns::view::is_public;
use privlink_engine::path::{FlowVerdict, Step};
use privlink_engine::trace::owner_of;
use privlink_model::{Model, PublicNetworkAccess, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "SEC404",
    name: "public-access-disabled-without-private-endpoint",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut unreachable: BTreeMap<ResourceId, Vec<Traced>> = BTreeMap::new();
    // Refused by the service, or dropped on the way to its public endpoint (an NSG or route that
    // denies internet traffic): public access being off, the service would refuse it anyway.
    let refused = |p: &PathOutcome| {
        p.denied_at_step(Step::Service) || (p.verdict == FlowVerdict::Denied && is_public(p.destination.ip))
    };
    for (d, path) in analysis.traced().filter(|(_, p)| refused(p)) {
        let Some(backend) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        // An endpoint that exists but is not approved is PE101's to report.
        let endpoints = model.indexes.endpoints_of_target.get(&backend.meta.id).is_some_and(|e| !e.is_empty());
        // Approved connections the backend records to endpoints the estate does not hold (another
        // subscription, or an export taken before a deleted endpoint's connection went) are no
        // path either: nothing privlink knows carries the traffic.
        let elsewhere = approved_endpoints(model, &backend.meta.id)
            .iter()
            .all(|pe| !model.resources.private_endpoints.contains_key(pe));
        if backend.public_network_access == PublicNetworkAccess::Disabled && !endpoints && elsewhere {
            unreachable.entry(backend.meta.id.clone()).or_default().push((d, path));
        }
    }
    let mut out = Vec::new();
    for (backend, deps) in unreachable {
        let mut apps: Vec<&str> = deps.iter().map(|(d, _)| d.site.meta.name.as_str()).collect();
        apps.sort();
        apps.dedup();
        let recorded = approved_endpoints(model, &backend);
        let outside = if recorded.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = recorded.iter().map(|pe| pe.name()).collect();
            format!(
                " in the estate (its approved connections name {}, which the estate does not hold)",
                names.join(", ")
            )
        };
        let message = format!(
            "{} has publicNetworkAccess Disabled and no private endpoint{outside}: no path reaches it, and {} {} refused",
            backend.name(),
            apps.join(", "),
            if apps.len() == 1 { "is" } else { "are" }
        );
        let mut evidence = vec![json!({
            "backend": backend,
            "publicNetworkAccess": "Disabled",
            "privateEndpoints": [],
            "connectionsToEndpointsOutsideTheEstate": recorded,
        })];
        evidence.extend(deps.iter().map(|(d, _)| analysis.trace_evidence(d)));
        out.push(Finding::new(&RULE, backend, message).with_evidence(evidence));
    }
    out
}
