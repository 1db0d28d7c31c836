//! # IAM500 access-undecided: the estate holds no grants of a kind, so privlink cannot tell whether apps are authorized
//!
//! **What it checks.** Estates where apps sign in with a managed identity to services that decide
//! with Azure RBAC (Key Vault in RBAC mode, Cognitive Services, storage) while the estate holds no
//! role assignment at all, or to Redis caches with Entra authentication while it holds no access
//! policy assignment: the engine's access step is then undecided (assumptions I3, I7). One note
//! per estate, naming what is undecided; never a warning or an error, since an export that omits
//! role assignments is normal.
//!
//! **Why it breaks.** It does not break by itself: the grants exist or not in Azure, but the
//! estate does not show them, so IAM502 and IAM506 cannot check them. `az role assignment list
//! --all` (or `privlink pull`, which reads them) adds them.
//!
//! **Example.** A resource group exported without `Microsoft.Authorization/roleAssignments`; `app1`
//! resolves a Key Vault reference from the RBAC vault `kv1`.
//!
//! **Fix.** None in the estate's documents: include the role assignments (and Redis access policy
//! assignments) in the estate — `az role assignment list --all --include-inherited`, or
//! `privlink pull` — and check again.
//!
//! **Reference.** https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-cli

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::access::{AccessVerdict, Cause};
use privlink_model::Model;
use std::collections::BTreeSet;

pub(crate) const RULE: Rule = Rule {
    code: "IAM500",
    name: "access-undecided",
    severity: Severity::Info,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

/// How many undecided dependencies the note names (the rest are counted).
const MAX_LISTED: usize = 10;

/// `names` joined, the first [`MAX_LISTED`] of them, with a count of the rest.
fn listed(names: BTreeSet<String>) -> String {
    let total = names.len();
    let mut shown: Vec<String> = names.into_iter().take(MAX_LISTED).collect();
    if total > MAX_LISTED {
        shown.push(format!("and {} more", total - MAX_LISTED));
    }
    shown.join(", ")
}

fn check(_model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut first_app = None;
    let (mut rbac, mut redis) = (BTreeSet::new(), BTreeSet::new());
    let mut evidence = Vec::new();
    for (d, p, a) in analysis.access(AccessVerdict::Indeterminate) {
        let into = match a.cause {
            Some(Cause::NoRoleAssignmentsHeld) => &mut rbac,
            Some(Cause::NoRedisAssignmentsHeld) => &mut redis,
            _ => continue,
        };
        into.insert(format!("{} → {}", d.site.meta.name, p.to));
        first_app.get_or_insert_with(|| d.site.meta.id.clone());
        // Not `accessTo`: the note is about what the estate lacks, not a denial. One note for the
        // whole estate: at 100k resources tens of thousands of dependencies are undecided.
        if evidence.len() < MAX_LISTED {
            evidence.push(serde_json::json!({"app": d.site.meta.id, "undecided": p.to, "reason": a.reason}));
        }
    }
    let Some(app) = first_app else { return Vec::new() };
    let mut parts = Vec::new();
    if !rbac.is_empty() {
        parts.push(format!("no role assignment, so whether Azure RBAC authorizes {} is undecided", listed(rbac)));
    }
    if !redis.is_empty() {
        parts.push(format!("no Redis access policy assignment, so whether {} may sign in is undecided", listed(redis)));
    }
    let message = format!(
        "the estate holds {}: add the grants to the estate (az role assignment list --all, or privlink pull) to have them checked",
        parts.join("; and ")
    );
    vec![Finding::new(&RULE, app, message).with_evidence(evidence)]
}
