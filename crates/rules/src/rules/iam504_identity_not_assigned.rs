//! # IAM504 identity-not-assigned: a setting names a user-assigned identity the app does not have
//!
//! **What it checks.** Apps whose `keyVaultReferenceIdentity` names a user-assigned identity, or
//! whose `AZURE_CLIENT_ID` app setting names a client id, that is not among the site's
//! `identity.userAssignedIdentities`, where the app resolves Key Vault references or signs in with
//! that identity (`access::principal_for_references` / `principal_for_code` →
//! `IdentityNotAssigned`).
//!
//! **Why it breaks.** App Service issues tokens only for identities assigned to the site: a
//! reference resolved with an unassigned identity fails (`MSINotEnabled`, the app receives the
//! literal reference), and `DefaultAzureCredential` with that `AZURE_CLIENT_ID` gets no token
//! ([Managed identities for App Service](https://learn.microsoft.com/azure/app-service/overview-managed-identity), [Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references): "The UAMI must also be assigned to the app").
//!
//! **Example.** `keyVaultReferenceIdentity =
//! /subscriptions/…/userAssignedIdentities/id-kv-reader`, and the site has only its
//! system-assigned identity.
//!
//! **Fix.** Assign the identity to the app:
//! `az webapp identity assign --resource-group RG --name APP --identities IDENTITY_ID`; the edits add
//! it to `identity.userAssignedIdentities`. For `AZURE_CLIENT_ID` the fix is offered only when the
//! estate holds the user-assigned identity with that client id; otherwise correct the setting or
//! assign the identity it means (no fix: privlink cannot tell which identity that is).
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#access-vaults-with-a-user-assigned-identity ·
//! https://learn.microsoft.com/azure/app-service/overview-managed-identity#add-a-user-assigned-identity

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
    code: "IAM504",
    name: "identity-not-assigned",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// The site, what it uses the identity for, and the evidence.
type Uses<'m> = (&'m Site, Vec<String>, Vec<Value>);

/// The identity and the setting naming it, when `cause` is an unassigned identity.
fn not_assigned(cause: Option<&Cause>) -> Option<(&str, &'static str)> {
    match cause {
        Some(Cause::Principal(PrincipalError::IdentityNotAssigned { identity, setting, .. })) => {
            Some((identity.as_str(), *setting))
        }
        _ => None,
    }
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // (site, identity as named, setting) → (site, uses, evidence)
    let mut found: BTreeMap<(&ResourceId, String, &str), Uses> = BTreeMap::new();
    for (d, p, a) in analysis.access(AccessVerdict::Denied) {
        let Some((identity, setting)) = not_assigned(a.cause.as_ref()) else { continue };
        let e = found.entry((&d.site.meta.id, identity.to_string(), setting)).or_insert((d.site, vec![], vec![]));
        e.1.push(format!("signing in to {}", p.to));
        e.2.push(analysis.access_evidence(d, p, a));
    }
    for r in analysis.failed_references() {
        let Some((identity, setting)) = not_assigned(r.resolution.cause.as_ref()) else { continue };
        let e = found.entry((&r.site.meta.id, identity.to_string(), setting)).or_insert((r.site, vec![], vec![]));
        e.1.push(format!("resolving the Key Vault reference in {}", r.setting));
        e.2.push(r.evidence());
    }
    let mut out = Vec::new();
    for ((_, identity, setting), (site, uses, evidence)) in found {
        // keyVaultReferenceIdentity names the identity by id; AZURE_CLIENT_ID by client id, which
        // only an identity the estate holds can be matched to.
        let by_id = ResourceId::parse(&identity)
            .ok()
            .filter(|id| id.is_type(privlink_model::arm_type::USER_ASSIGNED_IDENTITIES));
        let target = by_id.or_else(|| {
            model
                .resources
                .user_assigned_identities
                .values()
                .find(|u| u.client_id.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&identity)))
                .map(|u| u.meta.id.clone())
        });
        let lead = format!(
            "{setting} names the identity {identity}, which is not assigned to {}: App Service issues no token when {}",
            site.meta.name,
            uses.join(", ")
        );
        let finding = match target {
            Some(id) => {
                let fix = Fix {
                    az: vec![format!(
                        "az webapp identity assign --resource-group {} --name {} --identities {id}",
                        rg(&site.meta.id),
                        site.meta.name
                    )],
                    edits: identity_edits(site, Some(id.as_str())),
                };
                Finding::new(&RULE, site.meta.id.clone(), format!("{lead}; assign {} to the app", id.name())).with_fix(fix)
            }
            None => Finding::new(
                &RULE,
                site.meta.id.clone(),
                format!("{lead}; no fix: the estate holds no user-assigned identity with that client id — correct the setting, or assign the identity it means"),
            ),
        };
        out.push(finding.with_evidence(evidence));
    }
    out
}
