//! Virtual-network facts that are not per private-link service.

/// Virtual network service endpoint names (`serviceEndpoints[].service` on a subnet) per resource
/// type. Source: Learn "Virtual Network service endpoints" (service list); azure-semantics §5 names
/// `Microsoft.KeyVault`, `Microsoft.Sql` and `Microsoft.Storage`; the other rows are UNVERIFIED here.
static SERVICE_ENDPOINTS: &[(&str, &str)] = &[
    ("Microsoft.Sql/servers", "Microsoft.Sql"),
    ("Microsoft.KeyVault/vaults", "Microsoft.KeyVault"),
    ("Microsoft.Storage/storageAccounts", "Microsoft.Storage"),
    ("Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices"),
    ("Microsoft.DocumentDB/databaseAccounts", "Microsoft.AzureCosmosDB"),
    ("Microsoft.ServiceBus/namespaces", "Microsoft.ServiceBus"),
    ("Microsoft.EventHub/namespaces", "Microsoft.EventHub"),
    ("Microsoft.Web/sites", "Microsoft.Web"),
    ("Microsoft.ContainerRegistry/registries", "Microsoft.ContainerRegistry"),
];

/// The service endpoint that covers a resource type's public endpoint, if service endpoints exist for it.
pub fn service_endpoint_service(resource_type: &str) -> Option<&'static str> {
    SERVICE_ENDPOINTS.iter().find(|(t, _)| t.eq_ignore_ascii_case(resource_type)).map(|(_, s)| *s)
}
