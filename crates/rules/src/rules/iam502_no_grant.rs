//! # IAM502 no-grant: no role assignment or access policy lets the app's identity use the service
//!
//! **What it checks.** Apps whose managed identity signs in to a Key Vault, a Cognitive Services /
//! Azure OpenAI account or a storage account (their code, or App Service resolving their Key Vault
//! references) where the engine's access step denies: no role assignment to the identity's object
//! id at the resource or above it grants the data action the use needs (Key Vault in RBAC mode,
//! the others), or — for a vault in access-policy mode — no access policy gives the identity
//! secrets `get`. A vault in RBAC mode whose access policy names the identity is IAM503's. An
//! estate that holds no role assignment at all says nothing about grants (exports omit them,
//! assumption I3): the decision is then undecided and IAM500 says so once, never this rule.
//!
//! **Why it breaks.** Key Vault answers 403 `ForbiddenByRbac` (RBAC mode) or `AccessDenied`
//! (access-policy mode), and a reference stays unresolved with status `AccessToKeyVaultDenied`;
//! Cognitive Services answers 401 `PermissionDenied` ([Azure RBAC scope](https://learn.microsoft.com/azure/role-based-access-control/scope-overview), [Key Vault RBAC](https://learn.microsoft.com/azure/key-vault/general/rbac-guide), [Disable local authentication in Azure AI services](https://learn.microsoft.com/azure/ai-services/disable-local-auth)). The
//! seeds' "Confirm … Key Vault access policy or RBAC" (seed 000).
//!
//! **Example.** `kv1` has `enableRbacAuthorization: true`; the estate's role assignments give
//! `app1`'s principal `1111…` nothing on it; `app1` resolves
//! `@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/db)`.
//!
//! **Fix.** Grant the role the catalog names for the use (Key Vault Secrets User for reading
//! secrets, Cognitive Services OpenAI User for OpenAI inference, …):
//! `az role assignment create --assignee-object-id OID --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope VAULT_ID`;
//! the edit creates the `roleAssignments` document, named as a template's
//! `guid(scope, principalId, roleDefinitionId)` would name it. For an access-policy vault:
//! `az keyvault set-policy --name KV --object-id OID --secret-permissions get`, the edit adding the
//! `accessPolicies` entry. A role assignment takes up to 10 minutes to apply (assumption I8).
//!
//! **Reference.** https://learn.microsoft.com/azure/key-vault/general/rbac-guide ·
//! https://learn.microsoft.com/azure/key-vault/general/assign-access-policy ·
//! https://learn.microsoft.com/azure/ai-services/openai/how-to/role-based-access-control

use super::util::{by_backend_and_principal, missing_grants, rg, role_assignment_fix, MissingGrant};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::access::Cause;
use privlink_model::Model;
use serde_json::{json, Value};

pub(crate) const RULE: Rule = Rule {
    code: "IAM502",
    name: "no-grant",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let wanted = |c: &Cause| matches!(c, Cause::NoRoleAssignment { .. } | Cause::NoAccessPolicy { .. });
    by_backend_and_principal(missing_grants(model, analysis, wanted))
        .into_iter()
        .filter_map(|group| finding(model, &group))
        .collect()
}

fn finding(model: &Model, group: &[MissingGrant]) -> Option<Finding> {
    let g = group.first()?;
    let (backend, oid) = (g.backend, &g.object_id);
    let uses: Vec<&str> = group.iter().map(|g| g.usage.as_str()).collect();
    let evidence: Vec<Value> = group.iter().map(|g| g.evidence.clone()).collect();
    let (what, fix) = match &g.cause {
        Cause::NoRoleAssignment { role } => (
            format!(
                "no role assignment grants it {role} (or a role holding the same data action) on {}",
                backend.meta.name
            ),
            role_assignment_fix(&backend.meta.id, oid, role)?,
        ),
        Cause::NoAccessPolicy { permission } => {
            let tenant = g.tenant_id.clone().or_else(|| {
                model
                    .documents
                    .get(&backend.meta.id)?
                    .body
                    .pointer("/properties/tenantId")?
                    .as_str()
                    .map(str::to_string)
            });
            let entry = json!({"tenantId": tenant, "objectId": oid, "permissions": {"secrets": [permission]}});
            let listed =
                model.documents.get(&backend.meta.id).and_then(|d| d.body.pointer("/properties/accessPolicies"));
            let edit = match listed {
                Some(Value::Array(_)) => Edit::add(&backend.meta.id, "/properties/accessPolicies/-", entry),
                _ => Edit::add(&backend.meta.id, "/properties/accessPolicies", json!([entry])),
            };
            let az = format!(
                "az keyvault set-policy --resource-group {} --name {} --object-id {oid} --secret-permissions {permission}",
                rg(&backend.meta.id),
                backend.meta.name
            );
            (
                format!(
                    "{} is in access-policy mode and no access policy gives it secrets {permission}",
                    backend.meta.name
                ),
                Fix { az: vec![az], edits: vec![edit] },
            )
        }
        _ => return None,
    };
    let message = format!(
        "the identity of {} ({oid}, {}) is refused by {}: {what}; used by {}",
        g.site.meta.name,
        g.display_name,
        backend.meta.name,
        uses.join(", ")
    );
    Some(Finding::new(&RULE, backend.meta.id.clone(), message).with_evidence(evidence).with_fix(fix))
}
