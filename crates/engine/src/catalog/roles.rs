//! Entra authorization facts: the built-in Azure role definitions this domain uses, the data
//! action each backend's use needs, Key Vault access-policy permissions and Redis's built-in data
//! access policies.
//!
//! Sources: Learn "Azure built-in roles" (the permissions JSON of each role; built-in role ids are
//! the same in every tenant and cloud, https://learn.microsoft.com/azure/role-based-access-control/built-in-roles),
//! "Azure role definitions" (actions vs dataActions, https://learn.microsoft.com/azure/role-based-access-control/role-definitions),
//! Key Vault "Azure RBAC for data plane operations" (https://learn.microsoft.com/azure/key-vault/general/rbac-guide),
//! Redis "Configure role-based access control with Data Access Policy"
//! (https://learn.microsoft.com/azure/azure-cache-for-redis/cache-configure-role-based-access-control);
//! azure-semantics §13.1–§13.4.

use privlink_model::BackendKind;

/// A built-in Azure role definition, reduced to what authorization decisions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleDefinition {
    /// The role's GUID (the last segment of every `roleDefinitionId` naming it).
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Control-plane actions (never grant data actions).
    pub actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
    pub not_data_actions: &'static [&'static str],
}

const KV_SECRET_GET: &str = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
const KV_SECRET_METADATA: &str = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

/// The built-in roles privlink knows, by name order of Learn's table (azure-semantics §13.2).
/// Lists of OpenAI inference actions are abridged to the deployments/engines families Learn shows.
pub static BUILT_IN_ROLES: &[RoleDefinition] = &[
    RoleDefinition {
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        name: "Owner",
        description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        actions: &["*"],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
        name: "Contributor",
        description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
        actions: &["*"],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        name: "Reader",
        description: "View all resources, but does not allow you to make any changes.",
        actions: &["*/read"],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        name: "Key Vault Administrator",
        description: "Perform all data plane operations on a key vault and all objects in it. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: &["Microsoft.KeyVault/vaults/*/read"],
        data_actions: &["Microsoft.KeyVault/vaults/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "f25e0fa2-a7c8-4377-a976-54943a77a395",
        name: "Key Vault Contributor",
        description: "Manage key vaults, but does not allow you to assign roles in Azure RBAC, and does not allow you to access secrets, keys, or certificates.",
        actions: &["Microsoft.KeyVault/*"],
        data_actions: &[],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "21090545-7ca7-4776-b22c-e363652d74d2",
        name: "Key Vault Reader",
        description: "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material.",
        actions: &["Microsoft.KeyVault/vaults/*/read"],
        data_actions: &["Microsoft.KeyVault/vaults/*/read", KV_SECRET_METADATA],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "4633458b-17de-408a-b874-0445c86b69e6",
        name: "Key Vault Secrets User",
        description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: &[],
        data_actions: &[KV_SECRET_GET, KV_SECRET_METADATA],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        name: "Key Vault Secrets Officer",
        description: "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: &["Microsoft.KeyVault/vaults/*/read"],
        data_actions: &["Microsoft.KeyVault/vaults/secrets/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "12338af0-0e69-4776-bea7-57ae8d297424",
        name: "Key Vault Crypto User",
        description: "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/update/action",
            "Microsoft.KeyVault/vaults/keys/backup/action",
            "Microsoft.KeyVault/vaults/keys/encrypt/action",
            "Microsoft.KeyVault/vaults/keys/decrypt/action",
            "Microsoft.KeyVault/vaults/keys/wrap/action",
            "Microsoft.KeyVault/vaults/keys/unwrap/action",
            "Microsoft.KeyVault/vaults/keys/sign/action",
            "Microsoft.KeyVault/vaults/keys/verify/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        name: "Cognitive Services OpenAI User",
        description: "Read access to view files, models, deployments. The ability to create completion and embedding calls.",
        actions: &[
            "Microsoft.CognitiveServices/*/read",
            "Microsoft.Authorization/roleAssignments/read",
            "Microsoft.Authorization/roleDefinitions/read",
        ],
        data_actions: &[
            "Microsoft.CognitiveServices/accounts/OpenAI/*/read",
            "Microsoft.CognitiveServices/accounts/OpenAI/engines/completions/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/engines/search/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/engines/generate/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/search/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/extensions/chat/completions/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/deployments/audio/action",
            "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "a001fd3d-188f-4b5d-821b-7da978bf7442",
        name: "Cognitive Services OpenAI Contributor",
        description: "Full access including the ability to fine-tune, deploy and generate text.",
        actions: &[
            "Microsoft.CognitiveServices/*/read",
            "Microsoft.CognitiveServices/accounts/deployments/write",
            "Microsoft.CognitiveServices/accounts/deployments/delete",
            "Microsoft.Authorization/roleAssignments/read",
            "Microsoft.Authorization/roleDefinitions/read",
        ],
        data_actions: &["Microsoft.CognitiveServices/accounts/OpenAI/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "a97b65f3-24c7-4388-baec-2e87135dc908",
        name: "Cognitive Services User",
        description: "Lets you read and list keys of Cognitive Services.",
        actions: &["Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/listkeys/action"],
        data_actions: &["Microsoft.CognitiveServices/*"],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        name: "Storage Blob Data Reader",
        description: "Read and list Azure Storage containers and blobs.",
        actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        name: "Storage Blob Data Contributor",
        description: "Read, write, and delete Azure Storage containers and blobs.",
        actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
        data_actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
        ],
        not_data_actions: &[],
    },
    RoleDefinition {
        id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        name: "Storage Blob Data Owner",
        description: "Provides full access to Azure Storage blob containers and data, including assigning POSIX access control.",
        actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
        not_data_actions: &[],
    },
];

/// The built-in role whose GUID is the last segment of `role_definition_id` (a full
/// `…/providers/Microsoft.Authorization/roleDefinitions/{guid}` id or the bare GUID; case-insensitive).
pub fn built_in_role(role_definition_id: &str) -> Option<&'static RoleDefinition> {
    let guid = role_definition_id.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    BUILT_IN_ROLES.iter().find(|r| r.id.eq_ignore_ascii_case(guid))
}

/// The built-in role named `name` (as `az role assignment create --role NAME` gives it; case-insensitive).
pub fn built_in_role_named(name: &str) -> Option<&'static RoleDefinition> {
    BUILT_IN_ROLES.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// What an app's use of a backend needs from Entra authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataAccess {
    /// The data action a role assignment must grant (RBAC-authorized services).
    pub data_action: &'static str,
    /// The built-in role privlink suggests granting (the least one that holds the action).
    pub suggested_role: &'static str,
    /// The Key Vault access-policy permission the same call needs in access-policy mode.
    pub access_policy_secret_permission: Option<&'static str>,
}

/// What reading secrets needs (Key Vault references and `SecretClient.get_secret`).
pub const KEY_VAULT_SECRET_READ: DataAccess = DataAccess {
    data_action: KV_SECRET_GET,
    suggested_role: "Key Vault Secrets User",
    access_policy_secret_permission: Some("get"),
};

/// What calling an Azure OpenAI deployment (chat completions) needs.
pub const OPENAI_INFERENCE: DataAccess = DataAccess {
    data_action: "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
    suggested_role: "Cognitive Services OpenAI User",
    access_policy_secret_permission: None,
};

/// What calling another Cognitive Services account needs, represented by the Language service's
/// text analysis (the seeds' language detector). Every per-kind data action sits under
/// `Microsoft.CognitiveServices/`, which Cognitive Services User grants; OpenAI roles do not.
pub const COGNITIVE_SERVICES_CALL: DataAccess = DataAccess {
    data_action: "Microsoft.CognitiveServices/accounts/LanguageService/analyze-text/action",
    suggested_role: "Cognitive Services User",
    access_policy_secret_permission: None,
};

/// What reading blobs needs.
pub const STORAGE_BLOB_READ: DataAccess = DataAccess {
    data_action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    suggested_role: "Storage Blob Data Reader",
    access_policy_secret_permission: None,
};

/// The data access an app's use of a backend of `kind` (and `resource_kind`, the resource's own
/// `kind` such as `OpenAI`) needs from Azure RBAC, for the services that authorize with it.
/// SQL and Redis authorize inside the service (contained users, data access policies): `None`.
pub fn data_access(kind: &BackendKind, resource_kind: Option<&str>) -> Option<DataAccess> {
    match kind {
        BackendKind::KeyVault => Some(KEY_VAULT_SECRET_READ),
        BackendKind::CognitiveServices if resource_kind.is_some_and(|k| k.eq_ignore_ascii_case("OpenAI")) => {
            Some(OPENAI_INFERENCE)
        }
        BackendKind::CognitiveServices => Some(COGNITIVE_SERVICES_CALL),
        BackendKind::Storage => Some(STORAGE_BLOB_READ),
        BackendKind::SqlServer | BackendKind::Redis | BackendKind::Other(_) => None,
    }
}

/// Redis's built-in data access policies (`Microsoft.Cache/redis/accessPolicies`, type `BuiltIn`);
/// any of them lets a client sign in (S-REDISRBAC). Custom policies are named by the cache.
pub static REDIS_BUILT_IN_ACCESS_POLICIES: &[&str] = &["Data Owner", "Data Contributor", "Data Reader"];

/// The Key Vault access-policy secret permissions (lower case; `all` grants every one).
pub static KEY_VAULT_SECRET_PERMISSIONS: &[&str] =
    &["all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge"];
