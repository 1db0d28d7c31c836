//! # SEC404 public-access-disabled-without-private-endpoint: an app depends on a backend that refuses public traffic and has no private endpoint
//!
//! **What it checks.** Traced dependencies refused by the backend itself — or dropped on the way
//! to its public endpoint (an NSG, a route), which would refuse them anyway — whose backend has
//! `publicNetworkAccess: Disabled` and no private endpoint at all, as either side records it: no
//! path to it exists. (An endpoint that exists but is not approved is PE101's.)
//!
//! **Why it breaks.** With public network access disabled the service accepts traffic only through
//! its private endpoints (azure-semantics §5.1–§5.5, §5.6); without an approved one every client is
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
use privlink_engine::nsg::is_public;
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
    let refused_at_public_endpoint = |p: &PathOutcome| {
        p.denied_at_step(Step::Service) || (p.verdict == FlowVerdict::Denied && is_public(p.destination.ip))
    };
    for (d, path) in analysis.traced().filter(|(_, p)| refused_at_public_endpoint(p)) {
        let Some(backend) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        // An endpoint that exists but is not approved is PE101's to report.
        let endpoints = model.indexes.endpoints_of_target.get(&backend.meta.id).is_some_and(|e| !e.is_empty());
        if backend.public_network_access == PublicNetworkAccess::Disabled
            && !endpoints
            && approved_endpoints(model, &backend.meta.id).is_empty()
        {
            unreachable.entry(backend.meta.id.clone()).or_default().push((d, path));
        }
    }
    let mut out = Vec::new();
    for (backend, deps) in unreachable {
        let mut apps: Vec<&str> = deps.iter().map(|(d, _)| d.site.meta.name.as_str()).collect();
        apps.sort();
        apps.dedup();
        let message = format!(
            "{} has publicNetworkAccess Disabled and no private endpoint: no path reaches it, and {} {} refused",
            backend.name(),
            apps.join(", "),
            if apps.len() == 1 { "is" } else { "are" }
        );
        let mut evidence = vec![json!({"backend": backend, "publicNetworkAccess": "Disabled", "privateEndpoints": []})];
        evidence.extend(deps.iter().map(|(d, _)| analysis.trace_evidence(d)));
        out.push(Finding::new(&RULE, backend, message).with_evidence(evidence));
    }
    out
}
