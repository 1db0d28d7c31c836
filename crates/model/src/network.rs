//! Virtual networks and what shapes traffic in them: subnets, peerings, NSGs, route tables,
//! network interfaces and private endpoints.

use crate::{Origin, Region, ResourceId};
use ipnet::IpNet;
use serde::Serialize;
use std::net::IpAddr;

/// What every typed resource carries.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub id: ResourceId,
    pub name: String,
    pub location: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Meta {
    /// The resource's region, if its document names one.
    pub fn region(&self) -> Option<Region> {
        self.location.as_deref().map(Region::new)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VirtualNetwork {
    pub meta: Meta,
    pub address_space: Vec<IpNet>,
    /// `dhcpOptions.dnsServers`, in order. Empty means Azure-provided DNS.
    pub dns_servers: Vec<IpAddr>,
    /// Set when a template gives a DNS server only Azure knows (why): what answers the VNet's
    /// queries is then unknown, not Azure DNS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_servers_unknown: Option<String>,
    pub subnets: Vec<ResourceId>,
    pub peerings: Vec<ResourceId>,
}

/// `privateEndpointNetworkPolicies`, in either its old `Enabled`/`Disabled` or its newer
/// four-value form, decoded into the two things it controls (azure-semantics §2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrivateEndpointPolicies {
    /// Subnet NSG rules apply to traffic to private endpoints in the subnet.
    pub network_security_groups: bool,
    /// UDRs may override private-endpoint /32 routes.
    pub route_tables: bool,
}

impl PrivateEndpointPolicies {
    pub fn parse(value: &str) -> Option<PrivateEndpointPolicies> {
        let (nsg, rt) = match value.to_ascii_lowercase().as_str() {
            "disabled" => (false, false),
            "enabled" => (true, true),
            "networksecuritygroupenabled" => (true, false),
            "routetableenabled" => (false, true),
            _ => return None,
        };
        Some(PrivateEndpointPolicies { network_security_groups: nsg, route_tables: rt })
    }

    pub fn as_arm(&self) -> &'static str {
        match (self.network_security_groups, self.route_tables) {
            (false, false) => "Disabled",
            (true, true) => "Enabled",
            (true, false) => "NetworkSecurityGroupEnabled",
            (false, true) => "RouteTableEnabled",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Subnet {
    pub meta: Meta,
    pub vnet: ResourceId,
    /// `addressPrefix` and `addressPrefixes`, merged.
    pub prefixes: Vec<IpNet>,
    /// Delegation service names, e.g. `Microsoft.Web/serverFarms`.
    pub delegations: Vec<String>,
    pub nsg: Option<ResourceId>,
    pub route_table: Option<ResourceId>,
    /// Service endpoint services, e.g. `Microsoft.KeyVault`.
    pub service_endpoints: Vec<String>,
    pub private_endpoint_policies: PrivateEndpointPolicies,
}

impl Subnet {
    pub fn is_delegated_to(&self, service: &str) -> bool {
        self.delegations.iter().any(|d| d.eq_ignore_ascii_case(service))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.prefixes.iter().any(|p| p.contains(&ip))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VnetPeering {
    pub meta: Meta,
    pub vnet: ResourceId,
    pub remote_vnet: Option<ResourceId>,
    /// The remote address space as the peering reports it (used when the remote VNet is not in the estate).
    pub remote_address_space: Vec<IpNet>,
    /// `peeringState`: `Connected`, `Initiated`, `Disconnected`.
    pub state: String,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
}

impl VnetPeering {
    pub fn is_connected(&self) -> bool {
        self.state.eq_ignore_ascii_case("Connected")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Access {
    Allow,
    Deny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Protocol {
    Any,
    Tcp,
    Udp,
    Icmp,
    Esp,
    Ah,
}

impl Protocol {
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s.to_ascii_lowercase().as_str() {
            "*" => Protocol::Any,
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            "esp" => Protocol::Esp,
            "ah" => Protocol::Ah,
            _ => return None,
        })
    }
}

/// One source or destination of a security rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum AddressMatch {
    Any,
    Prefix(IpNet),
    /// A service tag such as `VirtualNetwork`, `Internet`, `Sql.WestEurope`.
    Tag(String),
    ApplicationSecurityGroup(ResourceId),
}

/// An inclusive port range; `*` is 0–65535.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub const ANY: PortRange = PortRange { first: 0, last: 65535 };

    pub fn parse(s: &str) -> Option<PortRange> {
        let s = s.trim();
        if s == "*" {
            return Some(PortRange::ANY);
        }
        match s.split_once('-') {
            Some((a, b)) => {
                let (first, last) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                (first <= last).then_some(PortRange { first, last })
            }
            None => s.parse().ok().map(|p| PortRange { first: p, last: p }),
        }
    }

    pub fn contains(&self, port: u16) -> bool {
        self.first <= port && port <= self.last
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SecurityRule {
    pub id: ResourceId,
    pub name: String,
    /// As written; 100–4096 for custom rules (out-of-range values are kept so rules can flag them).
    pub priority: i64,
    pub direction: Direction,
    pub access: Access,
    pub protocol: Protocol,
    pub sources: Vec<AddressMatch>,
    pub destinations: Vec<AddressMatch>,
    pub source_ports: Vec<PortRange>,
    pub destination_ports: Vec<PortRange>,
    pub is_default: bool,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkSecurityGroup {
    pub meta: Meta,
    /// Custom rules, sorted by (direction, priority, name).
    pub rules: Vec<SecurityRule>,
    /// The six default rules, from the document or synthesised when the document omits them.
    pub default_rules: Vec<SecurityRule>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NextHopType {
    VirtualNetworkGateway,
    VnetLocal,
    Internet,
    VirtualAppliance,
    None,
    /// System-only next hops, never valid in a UDR.
    VNetPeering,
    InterfaceEndpoint,
    VirtualNetworkServiceEndpoint,
}

impl NextHopType {
    pub fn parse(s: &str) -> Option<NextHopType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "virtualnetworkgateway" => NextHopType::VirtualNetworkGateway,
            "vnetlocal" => NextHopType::VnetLocal,
            "internet" => NextHopType::Internet,
            "virtualappliance" => NextHopType::VirtualAppliance,
            "none" => NextHopType::None,
            "vnetpeering" => NextHopType::VNetPeering,
            "interfaceendpoint" => NextHopType::InterfaceEndpoint,
            "virtualnetworkserviceendpoint" => NextHopType::VirtualNetworkServiceEndpoint,
            _ => return None,
        })
    }

    pub fn as_arm(&self) -> &'static str {
        match self {
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::Internet => "Internet",
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::None => "None",
            NextHopType::VNetPeering => "VNetPeering",
            NextHopType::InterfaceEndpoint => "InterfaceEndpoint",
            NextHopType::VirtualNetworkServiceEndpoint => "VirtualNetworkServiceEndpoint",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Route {
    pub id: ResourceId,
    pub name: String,
    /// `addressPrefix` as written (a CIDR or a service tag).
    pub address_prefix: String,
    /// The prefix when `address_prefix` is a CIDR.
    pub prefix: Option<IpNet>,
    pub next_hop_type: NextHopType,
    pub next_hop_ip: Option<IpAddr>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteTable {
    pub meta: Meta,
    pub routes: Vec<Route>,
    pub disable_bgp_route_propagation: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct NicIpConfiguration {
    pub name: String,
    pub private_ip: Option<IpAddr>,
    pub subnet: Option<ResourceId>,
    pub primary: bool,
    /// `privateLinkConnectionProperties` on a private endpoint's NIC.
    pub private_link_group_id: Option<String>,
    pub private_link_member_name: Option<String>,
    pub private_link_fqdns: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkInterface {
    pub meta: Meta,
    pub ip_configurations: Vec<NicIpConfiguration>,
    pub nsg: Option<ResourceId>,
    /// Set when the NIC belongs to a private endpoint.
    pub private_endpoint: Option<ResourceId>,
    pub application_security_groups: Vec<ResourceId>,
}

impl NetworkInterface {
    pub fn private_ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.ip_configurations.iter().filter_map(|c| c.private_ip)
    }
}

/// `privateLinkServiceConnectionState.status`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ConnectionStatus {
    Approved,
    Pending,
    Rejected,
    Disconnected,
    Other(String),
}

impl ConnectionStatus {
    pub fn parse(s: &str) -> ConnectionStatus {
        match s.to_ascii_lowercase().as_str() {
            "approved" => ConnectionStatus::Approved,
            "pending" => ConnectionStatus::Pending,
            "rejected" => ConnectionStatus::Rejected,
            "disconnected" => ConnectionStatus::Disconnected,
            _ => ConnectionStatus::Other(s.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ConnectionStatus::Approved => "Approved",
            ConnectionStatus::Pending => "Pending",
            ConnectionStatus::Rejected => "Rejected",
            ConnectionStatus::Disconnected => "Disconnected",
            ConnectionStatus::Other(s) => s,
        }
    }
}

/// A private endpoint's connection to its target (`privateLinkServiceConnections` or
/// `manualPrivateLinkServiceConnections`).
#[derive(Clone, Debug, Serialize)]
pub struct PrivateLinkConnection {
    pub name: String,
    /// The target resource (or a Private Link service alias kept as an unparsed string elsewhere).
    pub target: Option<ResourceId>,
    pub target_alias: Option<String>,
    pub group_ids: Vec<String>,
    pub status: ConnectionStatus,
    pub manual: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CustomDnsConfig {
    pub fqdn: String,
    pub ip_addresses: Vec<IpAddr>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StaticIpConfiguration {
    pub name: String,
    pub group_id: Option<String>,
    pub member_name: Option<String>,
    pub private_ip: Option<IpAddr>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrivateEndpoint {
    pub meta: Meta,
    pub subnet: Option<ResourceId>,
    pub connections: Vec<PrivateLinkConnection>,
    pub network_interfaces: Vec<ResourceId>,
    pub custom_dns_configs: Vec<CustomDnsConfig>,
    pub ip_configurations: Vec<StaticIpConfiguration>,
    pub custom_network_interface_name: Option<String>,
    pub application_security_groups: Vec<ResourceId>,
}

impl PrivateEndpoint {
    /// The connection that decides traffic: one PE targets one resource (azure-semantics §2.2).
    pub fn primary_connection(&self) -> Option<&PrivateLinkConnection> {
        self.connections.first()
    }
}
