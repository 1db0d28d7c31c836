//! Identity and access documents: role assignments, user-assigned identities, Key Vault secrets,
//! Redis access policy assignments and declared SQL contained users.

use super::meta;
use crate::reader::Reader;
use privlink_model::*;

/// A role assignment's scope: `properties.scope`, else the id its own id extends.
fn assignment_scope(doc: &Document, rd: &mut Reader) -> String {
    if let Some(scope) = rd.string("/properties/scope").filter(|s| !s.is_empty()) {
        return scope;
    }
    let id = doc.id.as_str();
    let lower = id.to_ascii_lowercase();
    match lower.rfind("/providers/microsoft.authorization/roleassignments/") {
        Some(at) => id[..at].to_string(),
        None => String::new(),
    }
}

/// A role assignment. Its role or principal may be known only after deployment (a template's
/// `reference()`, a plan's unknown value): the assignment is kept, with what is unknown `None`.
pub(super) fn read_role_assignment(doc: &Document, rd: &mut Reader) -> Option<RoleAssignment> {
    // The reader takes an unknown marker for an absent value; the raw body tells them apart.
    let deployed_later =
        |pointer: &str| crate::reader::lookup(&doc.body, pointer).is_some_and(crate::reader::is_unknown);
    let role_definition_id = rd.string("/properties/roleDefinitionId");
    if role_definition_id.is_none() && !deployed_later("/properties/roleDefinitionId") {
        rd.missing("/properties/roleDefinitionId", "a role definition id");
        return None;
    }
    let principal_id = rd.string("/properties/principalId");
    if principal_id.is_none() && !deployed_later("/properties/principalId") {
        rd.missing("/properties/principalId", "the principal's object id");
        return None;
    }
    Some(RoleAssignment {
        meta: meta(doc),
        scope: assignment_scope(doc, rd),
        role_definition_id,
        principal_id,
        principal_type: rd.string("/properties/principalType"),
        condition: rd.string("/properties/condition").filter(|c| !c.is_empty()),
    })
}

pub(super) fn read_user_assigned_identity(doc: &Document, rd: &mut Reader) -> UserAssignedIdentity {
    UserAssignedIdentity {
        meta: meta(doc),
        principal_id: rd.string("/properties/principalId"),
        client_id: rd.string("/properties/clientId"),
        tenant_id: rd.string("/properties/tenantId"),
    }
}

pub(super) fn read_key_vault_secret(doc: &Document, rd: &mut Reader) -> Option<KeyVaultSecret> {
    let vault = rd.canonical(doc.id.parent()?);
    let version = rd
        .string("/properties/secretUriWithVersion")
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next().map(str::to_string))
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case(doc.id.name()));
    Some(KeyVaultSecret {
        meta: meta(doc),
        vault,
        enabled: rd.bool("/properties/attributes/enabled").unwrap_or(true),
        version,
    })
}

pub(super) fn read_redis_access_policy_assignment(
    doc: &Document,
    rd: &mut Reader,
) -> Option<RedisAccessPolicyAssignment> {
    let cache = rd.canonical(doc.id.parent()?);
    let Some(object_id) = rd.string("/properties/objectId") else {
        rd.missing("/properties/objectId", "the principal's object id");
        return None;
    };
    Some(RedisAccessPolicyAssignment {
        meta: meta(doc),
        cache,
        object_id,
        object_id_alias: rd.string("/properties/objectIdAlias"),
        access_policy_name: rd.string("/properties/accessPolicyName").unwrap_or_default(),
    })
}

/// A declaration of a database's contained users: the document's id extends the database's
/// (`{database}/providers/Privlink.Declarations/sqlContainedUsers/{name}`), or
/// `properties.database` names it.
pub(super) fn read_sql_contained_users(doc: &Document, rd: &mut Reader) -> Option<SqlContainedUsers> {
    let database = rd.reference("/properties/database").or_else(|| {
        let id = doc.id.as_str();
        let at = id.to_ascii_lowercase().rfind("/providers/privlink.declarations/")?;
        ResourceId::parse(&id[..at]).ok()
    });
    let Some(database) = database else {
        rd.missing("/properties/database", "the database the users live in");
        return None;
    };
    let mut users = Vec::new();
    for i in 0..rd.array("/properties/users").len() {
        let base = format!("/properties/users/{i}");
        let Some(name) = rd.string(&format!("{base}/name")) else {
            rd.missing(&format!("{base}/name"), "the user's name");
            continue;
        };
        users.push(ContainedUser {
            name,
            object_id: rd.string(&format!("{base}/objectId")),
            roles: rd.strings(&format!("{base}/roles")),
        });
    }
    Some(SqlContainedUsers { meta: meta(doc), database: rd.canonical(database), users })
}

/// `properties.accessPolicies` of a vault.
pub(super) fn read_access_policies(rd: &mut Reader) -> Vec<AccessPolicy> {
    let mut out = Vec::new();
    for i in 0..rd.array("/properties/accessPolicies").len() {
        let base = format!("/properties/accessPolicies/{i}");
        let Some(object_id) = rd.string(&format!("{base}/objectId")) else { continue };
        out.push(AccessPolicy {
            tenant_id: rd.string(&format!("{base}/tenantId")),
            object_id,
            application_id: rd.string(&format!("{base}/applicationId")).filter(|a| !a.is_empty()),
            secrets: rd
                .strings(&format!("{base}/permissions/secrets"))
                .into_iter()
                .map(|p| p.to_ascii_lowercase())
                .collect(),
            index: i,
        });
    }
    out
}
