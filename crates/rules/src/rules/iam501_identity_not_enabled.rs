//! # IAM501 identity-not-enabled: an app signs in with a managed identity it does not have
//!
//! **What it checks.** Apps without a system-assigned managed identity (and with no
//! `keyVaultReferenceIdentity` or `AZURE_CLIENT_ID` naming a user-assigned one) that resolve Key
//! Vault references, or whose code signs in to a service that accepts only Microsoft Entra tokens
//! (Key Vault; SQL with `azureADOnlyAuthentication`; Redis with access keys disabled; Cognitive
//! Services or storage with `disableLocalAuth`), as the engine's access step decides it
//! (`access::principal_for_code` / `principal_for_references` → `IdentityNotEnabled`).
//!
//! **Why it breaks.** App Service's local token endpoint issues tokens only for an identity the
//! site has; without one `DefaultAzureCredential` finds no credential and the service refuses the
//! anonymous call, and Key Vault references stay unresolved with status `MSINotEnabled` — the app
//! receives the literal `@Microsoft.KeyVault(...)` string ([Managed identities for App Service](https://learn.microsoft.com/azure/app-service/overview-managed-identity), [Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)). The
//! seeds' first "Managed identity auth failure" item: "Verify system-assigned identity is enabled
//! on the web app" (seed 000).
//!
//! **Example.** `app1` has no `identity`; its setting `DB_PASSWORD =
//! @Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/db)`.
//!
//! **Fix.** Enable the system-assigned identity:
//! `az webapp identity assign --resource-group RG --name APP`; the edit sets `identity.type` to
//! `SystemAssigned`. Its `principalId` is known only after Azure applies the change, so the grants
//! the identity then needs (a role on the vault, SQL's contained user) cannot be checked yet: run
//! `privlink check` on the estate after the change.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-managed-identity ·
//! https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#grant-your-app-access-to-a-key-vault

use super::util::{identity_edits, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Fix, FixAvailability};
use privlink_engine::access::{AccessVerdict, Cause, PrincipalError};
use privlink_model::{Model, ResourceId, Site};
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "IAM501",
    name: "identity-not-enabled",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn not_enabled(cause: Option<&Cause>) -> bool {
    matches!(cause, Some(Cause::Principal(PrincipalError::IdentityNotEnabled { .. })))
}

fn check(_model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // site → (its sites's uses: services signed in to, references; evidence)
    let mut by_site: BTreeMap<&ResourceId, (&Site, Vec<String>, Vec<Value>)> = BTreeMap::new();
    for (d, p, a) in analysis.access(AccessVerdict::Denied).filter(|(_, _, a)| not_enabled(a.cause.as_ref())) {
        let e = by_site.entry(&d.site.meta.id).or_insert_with(|| (d.site, Vec::new(), Vec::new()));
        e.1.push(format!("signs in to {}", p.to));
        e.2.push(analysis.access_evidence(d, p, a));
    }
    for r in analysis.failed_references().iter().filter(|r| not_enabled(r.resolution.cause.as_ref())) {
        let e = by_site.entry(&r.site.meta.id).or_insert_with(|| (r.site, Vec::new(), Vec::new()));
        e.1.push(format!("resolves the Key Vault reference in {}", r.setting));
        e.2.push(r.evidence());
    }
    by_site
        .into_values()
        .map(|(site, uses, evidence)| {
            let message = format!(
                "{} has no managed identity, but it {}: App Service issues no token, so the service refuses the app and references stay the literal @Microsoft.KeyVault(...) string (MSINotEnabled); enable the system-assigned identity — its principalId is known only after the change, so check its grants again then",
                site.meta.name,
                uses.join(", ")
            );
            let fix = Fix {
                az: vec![format!("az webapp identity assign --resource-group {} --name {}", rg(&site.meta.id), site.meta.name)],
                edits: identity_edits(site, None),
            };
            Finding::new(&RULE, site.meta.id.clone(), message).with_evidence(evidence).with_fix(fix)
        })
        .collect()
}
