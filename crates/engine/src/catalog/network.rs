//! Virtual-network facts that are not per private-link service.

use privlink_model::ResourceId;
use std::net::{IpAddr, Ipv4Addr};

/// Virtual network service endpoint names (`serviceEndpoints[].service` on a subnet) per resource
/// type. Source: Learn "Virtual Network service endpoints" (service list,
/// https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview);
/// azure-semantics §5 names `Microsoft.KeyVault`, `Microsoft.Sql` and `Microsoft.Storage`; the
/// other rows are UNVERIFIED here.
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

/// Azure's host virtual IP: Azure-provided DNS, health probes, the VM agent. Source: Learn "What is
/// IP address 168.63.129.16?" (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16,
/// azure-semantics S-168, §1.3, §1.8).
pub const AZURE_HOST_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16));

/// The Instance Metadata Service, which also serves managed-identity tokens. Source: Learn "Azure
/// Instance Metadata Service" (https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service,
/// azure-semantics S-IMDS, §4.2).
pub const IMDS_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));

/// A child resource type that Azure also returns inline in its parent's `properties`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineChildren {
    /// The parent's ARM type (compare case-insensitively).
    pub parent_type: &'static str,
    /// The property of the parent's `properties` holding the array.
    pub property: &'static str,
    /// The child's type segment in its id (`.../virtualNetworks/v/subnets/s`).
    pub segment: &'static str,
}

/// The inline child kinds of the resources privlink models. Source: the Azure REST API
/// specifications, network (`VirtualNetworkPropertiesFormat.subnets` and `.virtualNetworkPeerings`,
/// `SecurityGroupPropertiesFormat.securityRules` and `.defaultSecurityRules`,
/// `RouteTablePropertiesFormat.routes`), as the Learn REST reference shows them
/// (https://learn.microsoft.com/rest/api/virtualnetwork/virtual-networks/get,
/// https://learn.microsoft.com/rest/api/virtualnetwork/network-security-groups/get,
/// https://learn.microsoft.com/rest/api/virtualnetwork/route-tables/get).
static INLINE_CHILDREN: &[InlineChildren] = &[
    InlineChildren { parent_type: "Microsoft.Network/virtualNetworks", property: "subnets", segment: "subnets" },
    InlineChildren {
        parent_type: "Microsoft.Network/virtualNetworks",
        property: "virtualNetworkPeerings",
        segment: "virtualNetworkPeerings",
    },
    InlineChildren {
        parent_type: "Microsoft.Network/networkSecurityGroups",
        property: "securityRules",
        segment: "securityRules",
    },
    InlineChildren {
        parent_type: "Microsoft.Network/networkSecurityGroups",
        property: "defaultSecurityRules",
        segment: "defaultSecurityRules",
    },
    InlineChildren { parent_type: "Microsoft.Network/routeTables", property: "routes", segment: "routes" },
];

/// The inline child kinds the resource `parent` embeds, in table order.
pub fn inline_children_of(parent: &ResourceId) -> impl Iterator<Item = &'static InlineChildren> {
    let resource_type = parent.resource_type();
    INLINE_CHILDREN.iter().filter(move |k| k.parent_type.eq_ignore_ascii_case(&resource_type))
}
