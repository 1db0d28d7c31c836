//! # IAM505 sql-without-entra-admin: an app signs in to a SQL server that has no Microsoft Entra admin
//!
//! **What it checks.** SQL servers without a Microsoft Entra administrator (neither
//! `properties.administrators` nor an `administrators/ActiveDirectory` child) that an app signs in
//! to with its managed identity — it names the server and no password setting, or the server is
//! Entra-only — as the engine's access step decides it.
//!
//! **Why it breaks.** A server without an Entra admin accepts no Entra token at all, and nobody can
//! create the contained users an identity needs (`CREATE USER … FROM EXTERNAL PROVIDER` must be run
//! by an Entra principal): the login fails with 18456 ([Microsoft Entra authentication with Azure SQL](https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure)). The seeds' "Confirm
//! SQL permissions for managed identity principal" (seed 000) starts here.
//!
//! **Example.** `sql1` has no `administrators`; `app1`, with a system-assigned identity, names
//! `sql1.database.windows.net` and holds no SQL password.
//!
//! **Fix.** Give the server an Entra admin:
//! `az sql server ad-admin create --resource-group RG --server SERVER --display-name NAME --object-id OID`;
//! the edit creates the `administrators/ActiveDirectory` document. The fix names the app's own
//! identity, which then connects to every database; least privilege is an Entra group of people as
//! admin, who then create the app's contained user (IAM508).
//!
//! **Reference.** https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure

use super::util::{by_backend_and_principal, missing_grants, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::access::Cause;
use privlink_model::{arm_type, Model};
use serde_json::{json, Value};

pub(crate) const RULE: Rule = Rule {
    code: "IAM505",
    name: "sql-without-entra-admin",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let groups = by_backend_and_principal(missing_grants(model, analysis, |c| matches!(c, Cause::NoSqlEntraAdmin)));
    // One finding per server: the first principal (by object id) is the admin the fix names.
    let mut out: Vec<Finding> = Vec::new();
    for group in groups {
        let g = &group[0];
        let server = g.backend;
        let uses: Vec<&str> = group.iter().map(|g| g.usage.as_str()).collect();
        let evidence: Vec<Value> = group.iter().map(|g| g.evidence.clone()).collect();
        if let Some(f) = out.iter_mut().find(|f| f.resource == server.meta.id) {
            f.evidence.extend(evidence);
            continue;
        }
        let admin = server.meta.id.child("administrators", "ActiveDirectory");
        let body = json!({
            "type": arm_type::SQL_ADMINISTRATORS,
            "properties": {"administratorType": "ActiveDirectory", "login": g.display_name, "sid": g.object_id, "tenantId": g.tenant_id},
        });
        let fix = Fix {
            az: vec![format!(
                "az sql server ad-admin create --resource-group {} --server {} --display-name {} --object-id {}",
                rg(&server.meta.id),
                server.meta.name,
                g.display_name,
                g.object_id
            )],
            edits: vec![Edit::create(&admin, body)],
        };
        let message = format!(
            "{} has no Microsoft Entra admin, so it accepts no Entra sign-in: {} fails with 18456 (the identity {} is {}); set an Entra admin",
            server.meta.name,
            uses.join(", "),
            g.display_name,
            g.object_id
        );
        out.push(Finding::new(&RULE, server.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
