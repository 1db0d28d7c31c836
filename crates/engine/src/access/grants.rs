//! Whether a backend authorizes a principal: Azure RBAC (role assignments by scope inheritance,
//! azure-semantics §13.1), Key Vault access policies (§13.3), SQL's Entra admin and contained
//! users (§13.5), Redis data access policy assignments (§13.4).

use super::sign_in::Principal;
use super::{AccessVerdict, Cause};
use crate::catalog::{self, DataAccess};
use crate::path::DecidedBy;
use privlink_model::{Backend, BackendKind, Model, ResourceId, RoleAssignment};

/// The backend's decision about a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub verdict: AccessVerdict,
    pub decided_by: Option<DecidedBy>,
    pub reason: String,
    pub data_action: Option<&'static str>,
    pub assumptions: Vec<&'static str>,
    /// Why it denies or cannot tell (see [`Cause`]).
    pub cause: Option<Cause>,
}

impl Authorization {
    fn new(verdict: AccessVerdict, decided_by: Option<DecidedBy>, reason: String) -> Authorization {
        Authorization { verdict, decided_by, reason, data_action: None, assumptions: Vec::new(), cause: None }
    }

    fn because(mut self, cause: Cause) -> Authorization {
        self.cause = Some(cause);
        self
    }
}

/// Whether the estate holds any grant data of the kind RBAC decisions need (I3): at least one
/// role assignment.
pub fn has_grant_data(model: &Model) -> bool {
    !model.resources.role_assignments.is_empty()
}

/// `*` matches any run of characters (including `/`), case-insensitively (§13.1 `match`).
fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let a = action.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == a;
    }
    let mut rest = a.as_str();
    let Some(rest_after_first) = rest.strip_prefix(parts[0]) else { return false };
    rest = rest_after_first;
    let last = parts[parts.len() - 1];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// What one assignment says about `data_action` on a resource it covers.
enum RoleAnswer {
    Grants,
    DoesNotGrant,
    /// A custom role or a condition: privlink cannot tell (I4, I5).
    Unknown(&'static str),
}

fn role_answer(ra: &RoleAssignment, data_action: &str) -> RoleAnswer {
    let Some(role) = ra.role_definition_id.as_deref().and_then(catalog::built_in_role) else {
        return RoleAnswer::Unknown("I5");
    };
    let granted = role.data_actions.iter().any(|p| action_matches(p, data_action))
        && !role.not_data_actions.iter().any(|p| action_matches(p, data_action));
    match (granted, &ra.condition) {
        (true, Some(_)) => RoleAnswer::Unknown("I4"),
        (true, None) => RoleAnswer::Grants,
        (false, _) => RoleAnswer::DoesNotGrant,
    }
}

fn role_name(ra: &RoleAssignment) -> String {
    match ra.role_definition_id.as_deref().and_then(catalog::built_in_role) {
        Some(r) => r.name.into(),
        None => format!("role {}", ra.role_guid().unwrap_or("known after deployment")),
    }
}

/// Azure RBAC: the assignments to `object_id` covering `resource` that grant `need.data_action`.
fn rbac(model: &Model, object_id: &str, resource: &ResourceId, need: DataAccess) -> Authorization {
    let out = |verdict, by: Option<DecidedBy>, reason: String, assumptions: Vec<&'static str>| Authorization {
        verdict,
        decided_by: by,
        reason,
        data_action: Some(need.data_action),
        assumptions,
        cause: None,
    };
    if !has_grant_data(model) {
        return out(
            AccessVerdict::Indeterminate,
            None,
            format!(
                "the estate holds no role assignments (exports omit them), so privlink cannot tell whether {object_id} holds {} on {}",
                need.suggested_role,
                resource.name()
            ),
            vec!["I3"],
        )
        .because(Cause::NoRoleAssignmentsHeld);
    }
    let mut unknown: Option<(&RoleAssignment, &'static str)> = None;
    let of = |principal: &str| model.indexes.role_assignments_of_principal.get(principal).into_iter().flatten();
    // The principal's own assignments first, then those whose principal only deployment tells.
    for id in of(&object_id.to_ascii_lowercase()).chain(of("")) {
        let Some(ra) = model.resources.role_assignments.get(id) else { continue };
        if !ra.covers(resource) {
            continue;
        }
        if ra.principal_id.is_none() {
            if matches!(role_answer(ra, need.data_action), RoleAnswer::Grants | RoleAnswer::Unknown(_)) {
                unknown = unknown.or(Some((ra, "I11")));
            }
            continue;
        }
        match role_answer(ra, need.data_action) {
            RoleAnswer::Grants => {
                return out(
                    AccessVerdict::Granted,
                    Some(DecidedBy::new("role-assignment", &ra.meta.id)),
                    format!(
                        "role assignment {} grants {} ({}) at {}",
                        ra.meta.name,
                        role_name(ra),
                        need.data_action,
                        ra.scope
                    ),
                    vec![],
                );
            }
            RoleAnswer::Unknown(why) => unknown = unknown.or(Some((ra, why))),
            RoleAnswer::DoesNotGrant => {}
        }
    }
    if let Some((ra, why)) = unknown {
        let what = match why {
            "I4" => "has a condition privlink does not evaluate",
            "I11" => "grants the role to a principal known only after deployment",
            _ => "names a role that is not built in",
        };
        return out(
            AccessVerdict::Indeterminate,
            Some(DecidedBy::new("role-assignment", &ra.meta.id)),
            format!("role assignment {} {what}", ra.meta.name),
            vec![why],
        );
    }
    out(
        AccessVerdict::Denied,
        Some(DecidedBy::new("service", resource)),
        format!(
            "no role assignment grants {object_id} {} on {} (needs a role such as {})",
            need.data_action,
            resource.name(),
            need.suggested_role
        ),
        vec!["I3"],
    )
    .because(Cause::NoRoleAssignment { role: need.suggested_role })
}

/// Key Vault: RBAC when `enableRbacAuthorization` is true, access policies otherwise (§13.3).
fn key_vault(model: &Model, principal: &Principal, object_id: &str, vault: &Backend) -> Authorization {
    let need = catalog::KEY_VAULT_SECRET_READ;
    if vault.key_vault_rbac == Some(true) {
        let mut a = rbac(model, object_id, &vault.meta.id, need);
        if a.verdict == AccessVerdict::Denied
            && vault.access_policies.iter().any(|p| p.object_id.eq_ignore_ascii_case(object_id))
        {
            a.reason.push_str("; the vault uses Azure RBAC, so its access policy for this principal is ignored");
            a.cause = Some(Cause::AccessPolicyIgnored { role: need.suggested_role });
        }
        return a;
    }
    let permission = need.access_policy_secret_permission.unwrap_or("get");
    let policy = vault.access_policies.iter().find(|p| {
        p.object_id.eq_ignore_ascii_case(object_id)
            && p.application_id.is_none()
            && principal.tenant_id.as_deref().zip(p.tenant_id.as_deref()).is_none_or(|(a, b)| a.eq_ignore_ascii_case(b))
            && p.secrets.iter().any(|s| s == permission || s == "all")
    });
    let mode = if vault.key_vault_rbac.is_none() {
        "access-policy mode (enableRbacAuthorization not set)"
    } else {
        "access-policy mode"
    };
    match policy {
        Some(p) => Authorization {
            data_action: Some(need.data_action),
            ..Authorization::new(
                AccessVerdict::Granted,
                Some(DecidedBy::new("access-policy", &vault.meta.id)),
                format!("access policy {} of the vault gives {object_id} secrets {permission} ({mode})", p.index),
            )
        },
        None => Authorization {
            data_action: Some(need.data_action),
            ..Authorization::new(
                AccessVerdict::Denied,
                Some(DecidedBy::new("service", &vault.meta.id)),
                format!("the vault is in {mode} and no access policy gives {object_id} secrets {permission}"),
            )
            .because(Cause::NoAccessPolicy { permission })
        },
    }
}

/// SQL: the Entra admin connects anywhere; others need a contained user in the database (§13.5).
fn sql(
    model: &Model,
    principal: &Principal,
    object_id: &str,
    server: &Backend,
    database: Option<&ResourceId>,
) -> Authorization {
    let Some(admin) = server.sql_entra_admin.as_deref() else {
        return Authorization::new(
            AccessVerdict::Denied,
            Some(DecidedBy::new("service", &server.meta.id)),
            "the server has no Microsoft Entra admin, so it accepts no Entra sign-in".into(),
        )
        .because(Cause::NoSqlEntraAdmin);
    };
    if server.sql_entra_admin_sid.as_deref().is_some_and(|sid| sid.eq_ignore_ascii_case(object_id)) {
        return Authorization::new(
            AccessVerdict::Granted,
            Some(DecidedBy::new("sql-entra-admin", &server.meta.id)),
            format!("{object_id} is the server's Microsoft Entra admin ({admin})"),
        );
    }
    let declarations: Vec<&ResourceId> = match database {
        Some(db) => model.indexes.contained_users_of_database.get(db).into_iter().flatten().collect(),
        None => Vec::new(),
    };
    let db_name = database.map_or_else(|| "the app's database".to_string(), |d| d.name().to_string());
    let mut declared: Vec<ResourceId> = Vec::new();
    for id in declarations {
        let Some(d) = model.resources.sql_contained_users.get(id) else { continue };
        declared.push(id.clone());
        let user = d.users.iter().find(|u| match &u.object_id {
            Some(oid) => oid.eq_ignore_ascii_case(object_id),
            None => u.name.eq_ignore_ascii_case(&principal.display_name),
        });
        if let Some(u) = user {
            return Authorization {
                assumptions: vec!["I6"],
                ..Authorization::new(
                    AccessVerdict::Granted,
                    Some(DecidedBy::new("sql-contained-users", id)),
                    format!("{db_name} has the contained user [{}] (roles: {})", u.name, u.roles.join(", ")),
                )
            };
        }
    }
    if let (false, Some(db)) = (declared.is_empty(), database) {
        let cause = Cause::NoContainedUser { database: db.clone(), declarations: declared };
        return Authorization {
            cause: Some(cause),
            assumptions: vec!["I6"],
            ..Authorization::new(
                AccessVerdict::Denied,
                Some(DecidedBy::new("service", db)),
                format!(
                    "Login failed for user '<token-identified principal>' (18456): {db_name} has no contained user for [{}] ({object_id})",
                    principal.display_name
                ),
            )
        };
    }
    Authorization {
        assumptions: vec!["I6"],
        ..Authorization::new(
            AccessVerdict::Indeterminate,
            None,
            format!(
                "{object_id} is not the Entra admin; whether {db_name} has a contained user for [{}] is not visible in ARM (declare it with a {} document)",
                principal.display_name,
                privlink_model::arm_type::SQL_CONTAINED_USERS
            ),
        )
    }
}

/// Redis: a data access policy assignment for the principal (§13.4).
fn redis(model: &Model, object_id: &str, cache: &Backend) -> Authorization {
    let assignments = model.indexes.access_policy_assignments_of_cache.get(&cache.meta.id);
    for id in assignments.into_iter().flatten() {
        let Some(a) = model.resources.redis_access_policy_assignments.get(id) else { continue };
        if a.object_id.eq_ignore_ascii_case(object_id) {
            return Authorization::new(
                AccessVerdict::Granted,
                Some(DecidedBy::new("redis-access-policy-assignment", id)),
                format!("access policy assignment {} gives {object_id} '{}'", a.meta.name, a.access_policy_name),
            );
        }
    }
    if model.resources.redis_access_policy_assignments.is_empty() {
        return Authorization {
            assumptions: vec!["I7"],
            ..Authorization::new(
                AccessVerdict::Indeterminate,
                None,
                "the estate holds no Redis access policy assignments, so privlink cannot tell whether the principal has one".into(),
            )
            .because(Cause::NoRedisAssignmentsHeld)
        };
    }
    Authorization {
        assumptions: vec!["I7"],
        ..Authorization::new(
            AccessVerdict::Denied,
            Some(DecidedBy::new("service", &cache.meta.id)),
            format!("no access policy assignment of the cache names {object_id} (AUTH fails: WRONGPASS)"),
        )
        .because(Cause::NoRedisAssignment)
    }
}

/// Whether `backend` authorizes `principal` for the app's use of it.
pub fn authorize(
    model: &Model,
    principal: &Principal,
    backend: &Backend,
    database: Option<&ResourceId>,
) -> Authorization {
    let Some(object_id) = principal.object_id.as_deref() else {
        return Authorization::new(
            AccessVerdict::Indeterminate,
            None,
            format!("the object id of the app's identity ({}) is known only after deployment", principal.label()),
        );
    };
    match &backend.kind {
        BackendKind::KeyVault => key_vault(model, principal, object_id, backend),
        BackendKind::SqlServer => sql(model, principal, object_id, backend, database),
        BackendKind::Redis => redis(model, object_id, backend),
        kind => match catalog::data_access(kind, backend.resource_kind.as_deref()) {
            Some(need) => rbac(model, object_id, &backend.meta.id, need),
            None => Authorization::new(
                AccessVerdict::None,
                None,
                "privlink does not model this service's authorization".into(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::action_matches;

    #[test]
    fn wildcards_match_any_run_including_slashes() {
        assert!(action_matches("Microsoft.KeyVault/vaults/*", "Microsoft.KeyVault/vaults/secrets/getSecret/action"));
        assert!(action_matches("Microsoft.CognitiveServices/*", "microsoft.cognitiveservices/accounts/x/action"));
        assert!(action_matches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read"));
        assert!(!action_matches(
            "Microsoft.KeyVault/vaults/*/read",
            "Microsoft.KeyVault/vaults/secrets/getSecret/action"
        ));
        assert!(!action_matches(
            "Microsoft.CognitiveServices/accounts/OpenAI/*",
            "Microsoft.CognitiveServices/accounts/LanguageService/analyze-text/action"
        ));
        assert!(action_matches("*", "anything/at/all"));
    }
}
