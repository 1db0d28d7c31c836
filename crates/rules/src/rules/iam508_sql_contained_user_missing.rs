//! # IAM508 sql-contained-user-missing: the database's declared users lack the app's identity
//!
//! **What it checks.** SQL databases an app signs in to with its managed identity (the database its
//! settings or connection string name) whose contained users the estate declares
//! (`Privlink.Declarations/sqlContainedUsers`, since ARM cannot show them), where no declared user
//! maps to the identity — by object id, else by the identity's display name — and the identity is
//! not the server's Entra admin. Without a declaration the users are unknown (assumption I6) and
//! this rule says nothing.
//!
//! **Why it breaks.** A token that Entra issued is accepted by the server, but the database has no
//! user for its principal: "Login failed for user '<token-identified principal>'" (18456,
//! [Microsoft Entra authentication with Azure SQL](https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure)) — the seeds' first troubleshooting item (seed 004).
//!
//! **Example.** `db-flask` declares the user `[app-old]`; the app `app-flask-privlink` signs in with
//! its system-assigned identity.
//!
//! **Fix.** In the database, as its Entra admin:
//! `CREATE USER [APP] FROM EXTERNAL PROVIDER; ALTER ROLE db_datareader ADD MEMBER [APP]; ALTER ROLE db_datawriter ADD MEMBER [APP];`
//! (shown as a `sqlcmd` command: az has no command for it); the edit adds the user to the
//! declaration, so privlink's estate says what the database holds.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/tutorial-connect-msi-sql-database#grant-permissions-to-managed-identity ·
//! https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure#create-contained-users-mapped-to-microsoft-entra-identities

use super::util::{by_backend_and_principal, missing_grants};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::access::Cause;
use privlink_model::Model;
use serde_json::{json, Value};

pub(crate) const RULE: Rule = Rule {
    code: "IAM508",
    name: "sql-contained-user-missing",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

/// The roles the fix gives: what the seeds' app does (read and write its tables).
const ROLES: &[&str] = &["db_datareader", "db_datawriter"];

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let wanted = |c: &Cause| matches!(c, Cause::NoContainedUser { .. });
    let mut out = Vec::new();
    for group in by_backend_and_principal(missing_grants(model, analysis, wanted)) {
        let g = &group[0];
        let Cause::NoContainedUser { database, declarations } = &g.cause else { continue };
        let Some(declaration) = declarations.first() else { continue };
        let user = &g.display_name;
        let uses: Vec<&str> = group.iter().map(|g| g.usage.as_str()).collect();
        let evidence: Vec<Value> = group.iter().map(|g| g.evidence.clone()).collect();
        let host = g.backend.declared_hosts.first().cloned().unwrap_or_else(|| g.backend.meta.name.clone());
        let statements = format!(
            "CREATE USER [{user}] FROM EXTERNAL PROVIDER; {}",
            ROLES.iter().map(|r| format!("ALTER ROLE {r} ADD MEMBER [{user}];")).collect::<Vec<_>>().join(" ")
        );
        let fix = Fix {
            az: vec![format!(
                "sqlcmd -S {host} -d {} --authentication-method ActiveDirectoryDefault -Q \"{statements}\"",
                database.name()
            )],
            edits: vec![Edit::add(
                declaration,
                "/properties/users/-",
                json!({"name": user, "objectId": g.object_id, "roles": ROLES}),
            )],
        };
        let message = format!(
            "Login failed for user '<token-identified principal>' (18456) for {}: {} declares no contained user for [{user}] ({}); create the user in the database",
            uses.join(", "),
            database.name(),
            g.object_id
        );
        out.push(Finding::new(&RULE, database.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
