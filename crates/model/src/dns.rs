//! Private DNS: zones, record sets, virtual network links, zone groups, and DNS private resolvers.

use crate::network::Meta;
use crate::{DnsName, Origin, ResourceId};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Clone, Debug, Serialize)]
pub struct PrivateDnsZone {
    pub meta: Meta,
    pub zone: DnsName,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RecordType {
    A,
    AAAA,
    CNAME,
    MX,
    PTR,
    SOA,
    SRV,
    TXT,
}

impl RecordType {
    pub fn parse(s: &str) -> Option<RecordType> {
        Some(match s.to_ascii_uppercase().as_str() {
            "A" => RecordType::A,
            "AAAA" => RecordType::AAAA,
            "CNAME" => RecordType::CNAME,
            "MX" => RecordType::MX,
            "PTR" => RecordType::PTR,
            "SOA" => RecordType::SOA,
            "SRV" => RecordType::SRV,
            "TXT" => RecordType::TXT,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::AAAA => "AAAA",
            RecordType::CNAME => "CNAME",
            RecordType::MX => "MX",
            RecordType::PTR => "PTR",
            RecordType::SOA => "SOA",
            RecordType::SRV => "SRV",
            RecordType::TXT => "TXT",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub enum RecordData {
    A(Vec<Ipv4Addr>),
    AAAA(Vec<Ipv6Addr>),
    CNAME(Option<DnsName>),
    /// Types privlink does not interpret are kept as their JSON.
    Other(serde_json::Value),
}

#[derive(Clone, Debug, Serialize)]
pub struct RecordSet {
    pub meta: Meta,
    pub zone: ResourceId,
    /// The record set's name relative to the zone (`@` for the apex).
    pub relative_name: String,
    pub fqdn: DnsName,
    pub record_type: RecordType,
    pub ttl: u32,
    pub data: RecordData,
    pub auto_registered: bool,
}

impl RecordSet {
    pub fn addresses(&self) -> Vec<IpAddr> {
        match &self.data {
            RecordData::A(v) => v.iter().map(|a| IpAddr::V4(*a)).collect(),
            RecordData::AAAA(v) => v.iter().map(|a| IpAddr::V6(*a)).collect(),
            _ => Vec::new(),
        }
    }
}

/// `resolutionPolicy` of a virtual network link (azure-semantics §1.3-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ResolutionPolicy {
    Default,
    NxDomainRedirect,
}

#[derive(Clone, Debug, Serialize)]
pub struct VirtualNetworkLink {
    pub meta: Meta,
    pub zone: ResourceId,
    pub vnet: Option<ResourceId>,
    pub registration_enabled: bool,
    pub resolution_policy: ResolutionPolicy,
    /// `virtualNetworkLinkState`: `Completed` or `InProgress`.
    pub state: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneGroupRecordSet {
    pub record_type: String,
    pub record_set_name: String,
    pub fqdn: Option<String>,
    pub ttl: Option<u32>,
    pub ip_addresses: Vec<IpAddr>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneGroupConfig {
    pub name: String,
    pub zone: Option<ResourceId>,
    pub record_sets: Vec<ZoneGroupRecordSet>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrivateDnsZoneGroup {
    pub meta: Meta,
    pub private_endpoint: ResourceId,
    pub configs: Vec<ZoneGroupConfig>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DnsResolver {
    pub meta: Meta,
    pub vnet: Option<ResourceId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResolverInboundEndpoint {
    pub meta: Meta,
    pub resolver: ResourceId,
    pub addresses: Vec<IpAddr>,
    pub subnets: Vec<ResourceId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResolverOutboundEndpoint {
    pub meta: Meta,
    pub resolver: ResourceId,
    pub subnet: Option<ResourceId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ForwardingRuleset {
    pub meta: Meta,
    pub outbound_endpoints: Vec<ResourceId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ForwardingTarget {
    pub ip: IpAddr,
    pub port: u16,
}

#[derive(Clone, Debug, Serialize)]
pub struct ForwardingRule {
    pub meta: Meta,
    pub ruleset: ResourceId,
    pub domain: DnsName,
    pub targets: Vec<ForwardingTarget>,
    pub enabled: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RulesetVnetLink {
    pub meta: Meta,
    pub ruleset: ResourceId,
    pub vnet: Option<ResourceId>,
}

/// Where a piece of DNS data came from, for explanations.
#[derive(Clone, Debug)]
pub struct DnsEvidence {
    pub resource: ResourceId,
    pub origin: Origin,
}
