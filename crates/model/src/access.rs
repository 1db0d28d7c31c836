//! Identity and access: the Entra principals an app signs in as and the grants backends decide
//! with — role assignments, user-assigned identities, Key Vault secrets (names and versions, never
//! values), Redis data access policy assignments and the contained database users an estate
//! declares because ARM cannot show them.

use crate::network::Meta;
use crate::ResourceId;
use serde::Serialize;

/// `Microsoft.Authorization/roleAssignments`: a role granted to a principal at a scope and
/// everything below it.
#[derive(Clone, Debug, Serialize)]
pub struct RoleAssignment {
    pub meta: Meta,
    /// The scope the assignment applies at: `properties.scope`, else the id the assignment
    /// extends (`/subscriptions/…`, a resource group or a resource).
    pub scope: String,
    /// `properties.roleDefinitionId`, as written; `None` where only deployment tells (a Terraform
    /// plan naming a custom role).
    pub role_definition_id: Option<String>,
    /// `properties.principalId`: an Entra object id (for a managed identity its `principalId`);
    /// `None` where only deployment tells (an identity the same plan or template creates).
    pub principal_id: Option<String>,
    pub principal_type: Option<String>,
    /// `properties.condition` (ABAC); privlink does not evaluate conditions.
    pub condition: Option<String>,
}

impl RoleAssignment {
    /// Whether the assignment applies to `id`: `id` is the scope or lies below it (compared
    /// without regard to case, as ARM does).
    pub fn covers(&self, id: &ResourceId) -> bool {
        let scope = self.scope.trim_end_matches('/');
        let id = id.as_str();
        id.len() >= scope.len()
            && id.is_char_boundary(scope.len())
            && id[..scope.len()].eq_ignore_ascii_case(scope)
            && (id.len() == scope.len() || id[scope.len()..].starts_with('/') || scope.is_empty())
    }

    /// The role definition's GUID: the last segment of `roleDefinitionId`, if known.
    pub fn role_guid(&self) -> Option<&str> {
        self.role_definition_id.as_deref().and_then(|r| r.trim_end_matches('/').rsplit('/').next())
    }
}

/// `Microsoft.ManagedIdentity/userAssignedIdentities`.
#[derive(Clone, Debug, Serialize)]
pub struct UserAssignedIdentity {
    pub meta: Meta,
    pub principal_id: Option<String>,
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
}

/// `Microsoft.KeyVault/vaults/secrets`: what ARM shows of a secret (no value, ever).
#[derive(Clone, Debug, Serialize)]
pub struct KeyVaultSecret {
    pub meta: Meta,
    pub vault: ResourceId,
    /// `properties.attributes.enabled` (a secret is enabled unless it says otherwise).
    pub enabled: bool,
    /// The current version, from `properties.secretUriWithVersion`.
    pub version: Option<String>,
}

/// `Microsoft.Cache/redis/accessPolicyAssignments`: a principal's Redis data access policy.
#[derive(Clone, Debug, Serialize)]
pub struct RedisAccessPolicyAssignment {
    pub meta: Meta,
    pub cache: ResourceId,
    pub object_id: String,
    pub object_id_alias: Option<String>,
    pub access_policy_name: String,
}

/// One contained user of a database (`CREATE USER [name] FROM EXTERNAL PROVIDER`).
#[derive(Clone, Debug, Serialize)]
pub struct ContainedUser {
    /// The display name the user was created with.
    pub name: String,
    /// The Entra object id the user maps to, where the declaration gives it.
    pub object_id: Option<String>,
    /// Database roles the user is a member of (`db_datareader` …).
    pub roles: Vec<String>,
}

/// The contained users of a SQL database, as an estate declares them: ARM, templates and
/// Terraform cannot see inside a database, so without a declaration they are unknown.
#[derive(Clone, Debug, Serialize)]
pub struct SqlContainedUsers {
    pub meta: Meta,
    /// The database (`Microsoft.Sql/servers/databases`) the users live in.
    pub database: ResourceId,
    pub users: Vec<ContainedUser>,
}

/// A Key Vault access policy entry (`properties.accessPolicies[]`).
#[derive(Clone, Debug, Serialize)]
pub struct AccessPolicy {
    pub tenant_id: Option<String>,
    pub object_id: String,
    /// Set for a compound identity (an application acting for the object): never matches a
    /// managed identity's own token.
    pub application_id: Option<String>,
    /// Secret permissions, lower-cased (`get`, `list`, `all` …).
    pub secrets: Vec<String>,
    /// Where the entry is (`/properties/accessPolicies/3`), to name it in explanations.
    pub index: usize,
}
