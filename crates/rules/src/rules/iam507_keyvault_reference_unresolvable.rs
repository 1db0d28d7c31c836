//! # IAM507 keyvault-reference-unresolvable: a Key Vault reference that App Service cannot resolve, network and identity aside
//!
//! **What it checks.** App settings and connection strings holding a Key Vault reference that the
//! engine resolves (`access::references::resolve`) to `InvalidSyntax` (starts like a reference but
//! does not parse), `SecretNotFound` (the vault, as the estate holds its secrets, has no secret of
//! that name) or `OtherReasons` (the secret is disabled). Statuses whose cause other rules report
//! are left to them, so one cause gives one finding: the network (`AccessToKeyVaultDenied` from a
//! refusal on the path, `FetchTimedOut`, `VaultNotFound`: APP307, SEC404, the DNS and NET rules),
//! the identity (`MSINotEnabled`: IAM501, IAM504) and authorization (IAM502, IAM503). Whether a
//! secret exists is decided only when the estate holds some secret of the vault (assumption I10).
//!
//! **Why it breaks.** App Service passes the literal `@Microsoft.KeyVault(...)` string to the app
//! when a reference does not resolve, and shows no status at all for a syntax error
//! ([Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)): the app starts, then fails on its first use of the value.
//!
//! **Example.** `OPENAI_API_KEY = @Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/openai-kee)`
//! while `kv1` holds `openai-key`.
//!
//! **Fix.** None privlink can write: a misspelt name or a missing secret needs the intended name
//! or the secret's value (`az keyvault secret set --vault-name KV --name NAME --value …`), and a
//! disabled secret someone's decision (`az keyvault secret set-attributes --enabled true`).
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#troubleshooting-key-vault-references

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_model::Model;

pub(crate) const RULE: Rule = Rule {
    code: "IAM507",
    name: "keyvault-reference-unresolvable",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

/// The statuses no other rule explains.
const REPORTED: &[&str] = &["InvalidSyntax", "SecretNotFound", "SecretVersionNotFound", "OtherReasons"];

fn check(_model: &Model, analysis: &Analysis) -> Vec<Finding> {
    analysis
        .failed_references()
        .iter()
        .filter(|r| REPORTED.contains(&r.resolution.status) && r.resolution.cause.is_none())
        .map(|r| {
            let message = format!(
                "the Key Vault reference in {} of {} does not resolve ({}): {}; the app receives the literal @Microsoft.KeyVault(...) string",
                r.setting, r.site.meta.name, r.resolution.status, r.resolution.details
            );
            Finding::new(&RULE, r.site.meta.id.clone(), message).with_evidence(vec![r.evidence()])
        })
        .collect()
}
