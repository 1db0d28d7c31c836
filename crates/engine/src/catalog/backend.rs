//! Which resource types are private-link targets (backends), and the kinds privlink types.

use privlink_model::BackendKind;

/// Backend types privlink reads with their own kind. Source: the service table (`table`, Learn
/// "Azure Private Endpoint private DNS zone values").
static TYPED_BACKENDS: &[(&str, BackendKind)] = &[
    ("Microsoft.Sql/servers", BackendKind::SqlServer),
    ("Microsoft.Cache/redis", BackendKind::Redis),
    ("Microsoft.KeyVault/vaults", BackendKind::KeyVault),
    ("Microsoft.CognitiveServices/accounts", BackendKind::CognitiveServices),
    ("Microsoft.Storage/storageAccounts", BackendKind::Storage),
];

/// Further private-link target types, backends of kind `Other` even when a document lists no
/// `privateEndpointConnections` (every other type that lists them is one too). Source: Learn
/// "What is a private endpoint?", private-link resources
/// (https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-link-resource).
static OTHER_PRIVATE_LINK_TYPES: &[&str] = &[
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DBforPostgreSQL/servers",
    "Microsoft.DBforMySQL/flexibleServers",
    "Microsoft.DBforMySQL/servers",
    "Microsoft.ServiceBus/namespaces",
    "Microsoft.EventHub/namespaces",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Search/searchServices",
    "Microsoft.AppConfiguration/configurationStores",
    "Microsoft.Cache/redisEnterprise",
    "Microsoft.KeyVault/managedHSMs",
    "Microsoft.Sql/managedInstances",
];

/// The kind privlink types a backend of `resource_type` as (case-insensitive), if it has its own.
pub fn backend_kind(resource_type: &str) -> Option<BackendKind> {
    TYPED_BACKENDS.iter().find(|(t, _)| t.eq_ignore_ascii_case(resource_type)).map(|(_, kind)| kind.clone())
}

/// Whether `resource_type` is a private-link target whatever its document says (case-insensitive).
pub fn is_private_link_type(resource_type: &str) -> bool {
    OTHER_PRIVATE_LINK_TYPES.iter().any(|t| t.eq_ignore_ascii_case(resource_type))
}
