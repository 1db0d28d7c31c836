//! Access: after the network path, whether the app can sign in to the service and whether the
//! service authorizes it — the seeds' third failure class ("Managed identity auth failure",
//! "Login failed for user '<token-identified principal>'").
//!
//! [`decide`] answers for one app and one backend: which principal the app signs in with
//! (`sign_in`), the token audience the service needs (the catalog), whether the platform would
//! issue the token (identity enabled, the user-assigned identity attached) and whether the backend
//! authorizes the principal (`grants`: role assignments, Key Vault access policies, SQL's Entra
//! admin and contained users, Redis access policy assignments). `references` resolves Key Vault
//! references as App Service does, and `environment` is the
//! environment App Service hands the app (its settings with those references resolved). The modelling choices are in `assumptions`.

pub mod assumptions;
pub mod environment;
mod grants;
pub mod references;
mod sign_in;

use crate::catalog::{self, Cloud};
use crate::path::DecidedBy;
use privlink_model::{Backend, BackendKind, Model, ResourceId, Site};
use serde::Serialize;

pub use grants::{authorize, has_grant_data, Authorization};
pub use sign_in::{principal_for_code, principal_for_references, Principal, PrincipalError, SignIn};

/// How access ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessVerdict {
    /// The platform issues the token and the service authorizes the principal.
    Granted,
    /// The token cannot be had, or the service refuses the principal.
    Denied,
    /// The estate does not say (no role assignments held, contained users not declared, a
    /// principal known only after deployment).
    Indeterminate,
    /// No Entra sign-in applies (the app signs in with a key or password, or the service is not
    /// one privlink knows an Entra audience for).
    None,
}

/// The `access` step of a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Access {
    pub verdict: AccessVerdict,
    /// The principal's object id, when known.
    pub principal: Option<String>,
    /// The Entra resource the token is requested for.
    pub audience: Option<String>,
    /// The grant (role assignment, access policy's vault, Entra admin, declaration) that decided,
    /// or the resource to change for a denial.
    pub decided_by: Option<DecidedBy>,
    pub reason: String,
    /// The identity the app signs in as: `system-assigned`, or the user-assigned identity's id.
    pub identity: Option<String>,
    /// The data action the service checks (RBAC-authorized services).
    pub data_action: Option<String>,
    /// The modelling choices (`access::assumptions`) the verdict rests on.
    pub assumptions: Vec<&'static str>,
    /// Why access is denied or undecided, typed for the rules that explain it (`reason` says it in
    /// words, so the trace's JSON leaves it out).
    #[serde(skip)]
    pub cause: Option<Cause>,
}

/// Why access is denied, or why the estate cannot tell: what a rule explaining a verdict needs
/// beyond `reason`'s words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The platform issues no token.
    Principal(PrincipalError),
    /// Azure RBAC: no role assignment grants the data action; `role` is the built-in role the
    /// catalog suggests for the use.
    NoRoleAssignment { role: &'static str },
    /// A Key Vault in RBAC mode grants the principal nothing, though an access policy names it: the
    /// policy is ignored (§13.3).
    AccessPolicyIgnored { role: &'static str },
    /// A Key Vault in access-policy mode with no policy giving the principal `permission`.
    NoAccessPolicy { permission: &'static str },
    /// A SQL server without a Microsoft Entra admin accepts no Entra sign-in.
    NoSqlEntraAdmin,
    /// The database's declared contained users lack the principal (18456).
    NoContainedUser { database: ResourceId, declarations: Vec<ResourceId> },
    /// Redis: no access policy assignment of the cache names the principal.
    NoRedisAssignment,
    /// Undecided: the estate holds no role assignment at all (I3).
    NoRoleAssignmentsHeld,
    /// Undecided: the estate holds no Redis access policy assignment at all (I7).
    NoRedisAssignmentsHeld,
}

impl Access {
    /// For a name that belongs to no backend of the estate.
    pub fn none_for_unknown_service() -> Access {
        Access::none("the name belongs to no backend of the estate: privlink cannot tell how the app signs in", vec![])
    }

    fn none(reason: impl Into<String>, assumptions: Vec<&'static str>) -> Access {
        Access {
            verdict: AccessVerdict::None,
            principal: None,
            audience: None,
            decided_by: None,
            reason: reason.into(),
            identity: None,
            data_action: None,
            assumptions,
            cause: None,
        }
    }
}

/// Whether the app runs on Linux: the site's kind says so (`app,linux`), or its plan is a Linux
/// plan (`reserved: true`) when the site's document gives no kind.
pub fn runs_on_linux(model: &Model, site: &Site) -> bool {
    site.is_linux()
        || site.kind.is_none()
            && site.plan.as_ref().and_then(|p| model.resources.plans.get(p)).is_some_and(|p| p.is_linux)
}

/// The Entra audience of a backend's data plane, per the catalog.
pub fn audience_of(backend: &Backend) -> Option<&'static str> {
    catalog::entries_for_type(&backend.resource_type).find_map(|e| e.entra_audience(Cloud::Public))
}

/// Access from `site` to `backend` for the app's own code (not its Key Vault references), with
/// `database` the SQL database the app names, if any.
pub fn decide(model: &Model, site: &Site, backend: &Backend, database: Option<&ResourceId>) -> Access {
    let Some(audience) = audience_of(backend) else {
        return Access::none(format!("privlink knows no Entra audience for {}", backend.resource_type), vec![]);
    };
    let sign_in = sign_in::sign_in(site, backend);
    if let SignIn::Key(why) = sign_in {
        return Access { audience: Some(audience.into()), ..Access::none(why, vec!["I1"]) };
    }
    let mut assumptions = vec!["I1", "I2", "I8"];
    let principal = match principal_for_code(model, site) {
        Ok(p) => p,
        Err(e) => {
            return Access {
                verdict: AccessVerdict::Denied,
                principal: None,
                audience: Some(audience.into()),
                decided_by: Some(DecidedBy::new(e.decided_by_kind(), e.site())),
                reason: e.message(audience),
                identity: None,
                data_action: None,
                assumptions,
                cause: Some(Cause::Principal(e)),
            };
        }
    };
    let auth = authorize(model, &principal, backend, database);
    assumptions.extend(auth.assumptions.iter().copied());
    assumptions.sort_unstable();
    assumptions.dedup();
    Access {
        verdict: auth.verdict,
        principal: principal.object_id.clone(),
        audience: Some(audience.into()),
        decided_by: auth.decided_by,
        reason: auth.reason,
        identity: Some(principal.label()),
        data_action: auth.data_action.map(str::to_string),
        assumptions,
        cause: auth.cause,
    }
}

/// Whether an app setting names the app's SQL database (`SQL_DATABASE`, `SQL_DATABASE_NAME`, `SQL_DB`).
fn names_sql_database(name: &str) -> bool {
    let k = name.to_ascii_uppercase();
    k.contains("SQL") && (k.ends_with("_DATABASE") || k.ends_with("_DATABASE_NAME") || k.ends_with("_DB"))
}

/// Whether the access analysis reads the value of app setting `name`: it names the app's SQL
/// database or selects its identity (`AZURE_CLIENT_ID`). Neither is a credential, so a pull keeps
/// them.
pub fn reads_setting(name: &str) -> bool {
    names_sql_database(name) || name.eq_ignore_ascii_case("AZURE_CLIENT_ID")
}

/// The SQL database the app names for `server` (`SQL_DATABASE`, `*_DATABASE_NAME` settings, a
/// connection string's `Database=` / `Initial Catalog=`), if the estate holds it.
pub fn database_named_by(model: &Model, site: &Site, server: &Backend) -> Option<ResourceId> {
    if server.kind != BackendKind::SqlServer {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    for (k, v) in &site.app_settings {
        if names_sql_database(k) {
            names.push(v.trim().to_string());
        }
    }
    for cs in site.connection_strings.values() {
        for part in cs.value.split(';') {
            if let Some((key, value)) = part.split_once('=') {
                let key = key.trim().to_ascii_lowercase();
                if key == "database" || key == "initial catalog" {
                    names.push(value.trim().to_string());
                }
            }
        }
    }
    names.into_iter().filter(|n| !n.is_empty() && !n.contains('/')).find_map(|n| {
        let id = ResourceId::parse(&format!("{}/databases/{n}", server.meta.id)).ok()?;
        model.documents.get_key_value(&id).map(|(k, _)| k.clone())
    })
}
