//! # NET200 dependency-unreachable: an app cannot reach a dependency and no other rule says why
//!
//! **What it checks.** The safety net under every other rule: for each app and each dependency it
//! traces (the hosts the app names; every endpoint it can reach when it names none), a trace that
//! is not `allowed` must be covered by a finding of another rule that names a resource on the
//! dependency's path (the app, its integration subnet, that subnet's VNet, NSG or route table, the
//! VNet whose DNS answers it, the private DNS zone that answered, the backend that owns the name,
//! the backend's private endpoints and the private DNS zones their records belong in, the resource
//! the trace reached or decided at, or a child or parent of any of them) — an error for a denial, a warning or worse for `unknown`;
//! identity findings (IAM5xx) explain the access step, not the path, and do not count. A dependency
//! no such finding covers is reported here, on the resource that decided the trace (else the
//! backend, else the app): an error when the trace is denied, a warning when it is `unknown`
//! (privlink cannot tell, for example behind a custom DNS server it cannot see forwarding). A host
//! that is neither in the estate nor a service of the catalogue (a third-party API) is not
//! checked: its trace is `unknown` and privlink has nothing to say about it. When only warnings
//! name a resource on a denied dependency's path, the message names them.
//!
//! **This rule firing means privlink lacks a specific diagnosis.** The trace shows where the
//! connection stops, but no rule knows the cause well enough to name it or write a fix; please
//! report the estate so a rule can be written for it. It runs after the other selected rules and
//! sees only their findings: selecting it alone reports every dependency that is not allowed.
//!
//! **Why it breaks.** A CI gate that says "No findings" while an app cannot reach its database
//! ships the outage. The trace composes every step Azure applies ([privlink's modelling choices](/docs/modelling-choices.md): DNS from the
//! app's view [Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration), [Name resolution in App Service](https://learn.microsoft.com/azure/app-service/overview-name-resolution), egress [App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing), routes [Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview), NSGs [Network security groups](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview), [How network security groups filter traffic](https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works), Private Link [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview), the
//! service's own access controls [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)); whatever stops it breaks the app, diagnosed or not.
//!
//! **Example.** A Key Vault without a private endpoint whose firewall denies by default and admits
//! only its IP rules, reached on its public endpoint: whether the app's public outbound address is
//! in those ranges is not in the ARM documents, so the trace ends `unknown` at the vault, and no
//! rule can say more — NET200 reports the vault, a warning.
//!
//! **Fix.** None: privlink does not know the cause. Read the evidence (`privlink trace --from APP
//! HOST` shows every hop) and change the resource that decided.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration ·
//! https://learn.microsoft.com/azure/private-link/troubleshoot-private-endpoint-connectivity

use super::Rule;
use crate::deps::{Analysis, Dependency, PathOutcome};
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::path::FlowVerdict;
use privlink_engine::trace::owner_of;
use privlink_model::{Model, ResourceId};
use std::collections::{BTreeSet, HashMap};

pub(crate) const RULE: Rule = Rule {
    code: "NET200",
    name: "dependency-unreachable",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    uncovered(model, analysis, &[])
}

/// The dependencies that are not allowed and that none of `others` (the other rules' findings)
/// covers, each as a finding.
pub(crate) fn uncovered(model: &Model, analysis: &Analysis, others: &[Finding]) -> Vec<Finding> {
    // An identity finding (IAM) explains the access step, never the network path: it names the
    // app or the backend, which are on every path, and would hide what blocks the connection.
    let network = || others.iter().filter(|f| !f.code.starts_with("IAM"));
    let errors = Covering::of(network().filter(|f| f.severity == Severity::Error));
    let warnings = Covering::of(network().filter(|f| f.severity <= Severity::Warning));
    let mut out = Vec::new();
    for (d, path) in analysis.traced().filter(|(_, p)| p.verdict != FlowVerdict::Allowed) {
        let denied = path.verdict == FlowVerdict::Denied;
        let owner = owner_of(model, &d.name);
        if !denied && path.decided_by.is_none() && owner.is_none() && path.destination.resource.is_none() {
            continue; // a host outside the estate and the catalogue: nothing privlink could say
        }
        let covering = if denied { &errors } else { &warnings };
        let on_path = on_path(model, analysis, d, path);
        if on_path.iter().any(|r| !covering.codes(r).is_empty()) {
            continue;
        }
        let weaker: BTreeSet<&str> = on_path.iter().flat_map(|r| warnings.codes(r)).collect();
        let decided = path.decided_by.as_ref().and_then(|b| ResourceId::parse(&b.id).ok());
        let resource = decided.clone().or(owner).unwrap_or_else(|| d.site.meta.id.clone());
        let by = path.decided_by.as_ref().map_or_else(String::new, |b| {
            format!(
                ", decided by {} {}",
                b.kind,
                ResourceId::parse(&b.id).map_or(b.id.clone(), |i| i.name().to_string())
            )
        });
        let verdict = if denied { "denied" } else { "unknown" };
        let diagnosis = if weaker.is_empty() {
            "no rule has a specific diagnosis".to_string()
        } else {
            format!("only warnings ({}) name a resource on its path", weaker.into_iter().collect::<Vec<_>>().join(", "))
        };
        let message = format!(
            "{} → {}: the trace is {verdict}{by}, and {diagnosis} (see `privlink trace --from {} --to {}`)",
            d.site.meta.name, path.to, d.site.meta.name, path.to
        );
        let finding = Finding::new(&RULE, resource, message).with_evidence(vec![analysis.trace_evidence(d)]);
        out.push(if denied { finding } else { finding.at_secondary_severity(&RULE) });
    }
    out
}

/// The resources on a dependency's path that a finding may name to cover it.
fn on_path(model: &Model, analysis: &Analysis, d: &Dependency, path: &PathOutcome) -> Vec<ResourceId> {
    let mut out = vec![d.site.meta.id.clone()];
    if let Some(subnet) = d.site.integration_subnet.as_ref().map(|s| &s.value) {
        out.push(subnet.clone());
        if let Some(s) = model.resources.subnets.get(subnet) {
            out.push(s.vnet.clone());
            out.extend(s.nsg.iter().chain(&s.route_table).cloned());
        }
    }
    out.extend(d.view_vnet.iter().chain(&d.answer.zone).chain(&path.destination.resource).cloned());
    if let Some(owner) = owner_of(model, &d.name) {
        // The backend's endpoints, and the private DNS zones their records belong in: an unlinked
        // or empty zone is why a name resolves to the public address.
        for pe in model.indexes.endpoints_of_target.get(&owner).into_iter().flatten() {
            out.push(pe.clone());
            let names = model.resources.private_endpoints.get(pe).and_then(|pe| analysis.endpoint_names(pe));
            for zone in names.into_iter().flat_map(|n| &n.zones) {
                out.extend(model.indexes.zones_by_name.get(zone).into_iter().flatten().cloned());
            }
        }
        out.push(owner);
    }
    out.extend(path.decided_by.as_ref().and_then(|b| ResourceId::parse(&b.id).ok()));
    out.sort();
    out.dedup();
    out
}

/// The resources some findings name, and every resource those are children of, with the codes of
/// the findings.
struct Covering<'f> {
    named: HashMap<ResourceId, BTreeSet<&'f str>>,
    named_or_parent: HashMap<ResourceId, BTreeSet<&'f str>>,
}

impl<'f> Covering<'f> {
    fn of(findings: impl Iterator<Item = &'f Finding>) -> Covering<'f> {
        let (mut named, mut named_or_parent) = (HashMap::<_, BTreeSet<_>>::new(), HashMap::<_, BTreeSet<_>>::new());
        for f in findings {
            named.entry(f.resource.clone()).or_default().insert(f.code);
            let mut at = Some(f.resource.clone());
            while let Some(id) = at {
                at = id.parent();
                named_or_parent.entry(id).or_default().insert(f.code);
            }
        }
        Covering { named, named_or_parent }
    }

    /// The codes of the findings that name `resource`, one of its children, or one of its parents.
    fn codes(&self, resource: &ResourceId) -> BTreeSet<&'f str> {
        let mut codes = self.named_or_parent.get(resource).cloned().unwrap_or_default();
        let mut at = resource.parent();
        while let Some(id) = at {
            codes.extend(self.named.get(&id).into_iter().flatten());
            at = id.parent();
        }
        codes
    }
}
