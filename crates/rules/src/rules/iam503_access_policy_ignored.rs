//! # IAM503 access-policy-ignored: a vault in RBAC mode, whose access policy for the app counts for nothing
//!
//! **What it checks.** Key Vaults with `enableRbacAuthorization: true` that the app's identity
//! uses (its code, or its Key Vault references) where no role assignment grants the identity
//! `getSecret`, though an entry of the vault's `accessPolicies` names the identity: the engine's
//! access step denies and says the policy is ignored.
//!
//! **Why it breaks.** In RBAC mode Key Vault decides data-plane calls with Azure RBAC only and
//! ignores every access policy ([Key Vault RBAC](https://learn.microsoft.com/azure/key-vault/general/rbac-guide)); the call gets 403 `ForbiddenByRbac` and a
//! reference `AccessToKeyVaultDenied`. Typical after switching a vault's permission model (or
//! creating it with an API version from 2026-02-01, where RBAC is the default) while the grants
//! stayed access policies.
//!
//! **Example.** `kv1`: `enableRbacAuthorization: true`, `accessPolicies: [{objectId: 1111…,
//! permissions: {secrets: [get, list]}}]`, no role assignment for `1111…`.
//!
//! **Fix.** Grant the role that replaces the policy:
//! `az role assignment create --assignee-object-id OID --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope VAULT_ID`
//! (the edit creates the `roleAssignments` document). The alternative — back to access policies for
//! the whole vault, `az keyvault update --name KV --enable-rbac-authorization false` — changes how
//! every other caller is authorized, so the fix does not take it.
//!
//! **Reference.** https://learn.microsoft.com/azure/key-vault/general/rbac-migration

use super::util::{by_backend_and_principal, missing_grants, role_assignment_fix};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::access::Cause;
use privlink_model::Model;
use serde_json::Value;

pub(crate) const RULE: Rule = Rule {
    code: "IAM503",
    name: "access-policy-ignored",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let wanted = |c: &Cause| matches!(c, Cause::AccessPolicyIgnored { .. });
    let mut out = Vec::new();
    for group in by_backend_and_principal(missing_grants(model, analysis, wanted)) {
        let g = &group[0];
        let Cause::AccessPolicyIgnored { role } = g.cause else { continue };
        let Some(fix) = role_assignment_fix(&g.backend.meta.id, &g.object_id, role) else { continue };
        let uses: Vec<&str> = group.iter().map(|g| g.usage.as_str()).collect();
        let evidence: Vec<Value> = group.iter().map(|g| g.evidence.clone()).collect();
        let message = format!(
            "{} uses Azure RBAC (enableRbacAuthorization), so its access policy for the identity of {} ({}) is ignored and no role assignment grants {role}: {} is refused; grant the role (or, for the whole vault, return to access policies with az keyvault update --enable-rbac-authorization false)",
            g.backend.meta.name,
            g.site.meta.name,
            g.object_id,
            uses.join(", ")
        );
        out.push(Finding::new(&RULE, g.backend.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
