//! The public DNS model (azure-semantics §1.2): what Azure's public DNS answers for a name.
//!
//! [SIM] Every invented fact and modelling choice of the DNS model lives in this file and nowhere
//! else, and the explanations that state one come from here:
//! - the service front-end name a customer name (or its `privatelink.` alias) points at:
//!   `{region}.sim-frontend.{public suffix}` (e.g. `westeurope.sim-frontend.vault.azure.net`),
//!   standing in for Azure's `data-prod-eus.vaultcore.azure.net`-style names;
//! - the front end's A record: an address from the documentation ranges (192.0.2.0/24,
//!   198.51.100.0/24, 203.0.113.0/24) chosen by a hash of the front-end name;
//! - the TTLs of public records;
//! - the SOA values of negative answers (private and public zones) and the public zone a name
//!   lies in;
//! - a resource that is not in the estate is treated as having no approved private endpoint
//!   connection, because privlink cannot know (its chain has no `privatelink.` hop);
//! - only an `Approved` connection inserts the `privatelink.` hop into the public chain (§1.2);
//! - a front end has only an A record (no AAAA);
//! - of several DNS servers (`dhcpOptions.dnsServers`, `WEBSITE_DNS_SERVER` + `_ALT`), the first
//!   answers; the others only when it does not answer in time;
//! - of overlapping private zones linked to one VNet, the longest that contains the name answers
//!   (§1.3);
//! - a server where nothing answers (an Azure Firewall whose DNS proxy is off: no listener, §12.5;
//!   one the query cannot reach) is waited for, then the client asks its next server, if any;
//! - a DNS server in another VNet is reached across their peering only while the peering is
//!   established (each side present is `Connected`, §17.2); with no peering document between the
//!   two VNets privlink assumes the query gets there (a gateway or a peering outside the estate);
//! - a client outside every VNet (on premises, or its forwarder) reaches the address it asks (the
//!   VPN or ExpressRoute link is not modelled);
//! - of a firewall policy's `basePolicy` chain, each DNS setting (`enableProxy`, `servers`) comes
//!   from the nearest policy that sets it (§12.1: a child inherits and may override);
//! - a firewall DNS proxy picks one of its custom servers at random per query (§12.2): when they all
//!   lead to the same answer it is that answer, otherwise the answer is indeterminate;
//! - of a forwarding rule's several target DNS servers (`targetDnsServers`, which Learn only
//!   describes as "one or more IP addresses and ports of DNS servers that will be used"), the first
//!   that answers is modelled as the one that answers when they would answer differently.

use crate::catalog::{self, Cloud, ZoneKind};
use privlink_model::{DnsName, RecordType, Region};
use std::net::{IpAddr, Ipv4Addr};

/// [SIM] TTL of public CNAME records.
pub const PUBLIC_CNAME_TTL: u32 = 60;
/// [SIM] TTL of the invented front-end A records.
pub const PUBLIC_A_TTL: u32 = 60;
/// [SIM] The label that marks an invented front-end name.
const FRONTEND_LABEL: &str = "sim-frontend";
/// [SIM] Region used for a front end when the resource (and so its location) is not in the estate.
const UNKNOWN_REGION: &str = "unknown-region";

/// [SIM] The invented front-end name a service's public names end at.
pub fn frontend_name(region: Option<&Region>, public_suffix: &DnsName) -> DnsName {
    // A location is free text in a document; only letters and digits make a safe label.
    let region: String =
        region.map_or(UNKNOWN_REGION, Region::as_str).chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let region = if region.is_empty() { UNKNOWN_REGION.to_string() } else { region };
    DnsName::parse(&format!("{region}.{FRONTEND_LABEL}.{public_suffix}")).expect("front-end name is valid")
}

/// Whether `name` is an invented front-end name.
pub fn is_frontend_name(name: &DnsName) -> bool {
    name.labels().nth(1) == Some(FRONTEND_LABEL)
}

/// [SIM] The public address of a front-end name: FNV-1a of the name picks one of the three
/// documentation /24s and a host in 1..=254.
pub fn frontend_address(name: &DnsName) -> IpAddr {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.as_str().bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let ranges: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
    let [a, b, c] = ranges[(hash % 3) as usize];
    let host = ((hash / 3) % 254) as u8 + 1;
    IpAddr::V4(Ipv4Addr::new(a, b, c, host))
}

/// The public suffix a front end for `name` hangs under: the service's public suffix for a
/// customer name, the zone minus `privatelink.` for an alias.
pub fn frontend_suffix(name: &DnsName) -> Option<DnsName> {
    let found = catalog::lookup_fqdn(Cloud::Public, name)?;
    match found.kind {
        ZoneKind::Public => Some(found.suffix),
        ZoneKind::PrivateLink => found.suffix.parent(),
    }
}

/// Well-known public recursive resolvers, named in explanations.
pub fn well_known_resolver(ip: IpAddr) -> Option<&'static str> {
    Some(match ip.to_string().as_str() {
        "8.8.8.8" | "8.8.4.4" => "Google Public DNS",
        "1.1.1.1" | "1.0.0.1" => "Cloudflare DNS",
        "9.9.9.9" | "149.112.112.112" => "Quad9",
        "208.67.222.222" | "208.67.220.220" => "OpenDNS",
        _ => return None,
    })
}

/// The fields of an SOA record (RFC 1035 §3.3.13) and the TTL of the record itself.
#[derive(Debug, PartialEq, Eq)]
pub struct SoaValues {
    pub mname: &'static str,
    pub rname: &'static str,
    pub serial: u32,
    pub refresh: i32,
    pub retry: i32,
    pub expire: i32,
    pub minimum: u32,
    pub ttl: u32,
}

/// [SIM] The SOA Azure Private DNS gives a private zone: `azureprivatedns.net.
/// azureprivatedns-host.microsoft.com. 1 3600 300 2419200 10`, record TTL 3600 (the values the
/// portal shows for a new zone; not taken from the estate's own `SOA/@` record set).
pub const PRIVATE_ZONE_SOA: SoaValues = SoaValues {
    mname: "azureprivatedns.net.",
    rname: "azureprivatedns-host.microsoft.com.",
    serial: 1,
    refresh: 3600,
    retry: 300,
    expire: 2_419_200,
    minimum: 10,
    ttl: 3600,
};

/// [SIM] The SOA given to public zones (Azure public DNS style; the real servers and serials of
/// the services' public zones are not modelled).
pub const PUBLIC_ZONE_SOA: SoaValues = SoaValues {
    mname: "ns1-sim.azure-dns.com.",
    rname: "azuredns-hostmaster.microsoft.com.",
    serial: 1,
    refresh: 3600,
    retry: 300,
    expire: 2_419_200,
    minimum: 300,
    ttl: 3600,
};

/// [SIM] The public zone a name lies in: the service's suffix (or `privatelink.` zone) from the
/// catalog, the suffix under an invented front end, else the name's parent.
pub fn public_zone_of(name: &DnsName) -> Option<DnsName> {
    if is_frontend_name(name) {
        return name.parent()?.parent();
    }
    if let Some(found) = catalog::lookup_fqdn(Cloud::Public, name) {
        return Some(found.suffix);
    }
    name.parent().or_else(|| Some(name.clone()))
}

/// The explanation for a query of another type at a front end, which has only an A record.
pub fn explain_only_a_record(name: &DnsName, asked: RecordType) -> String {
    format!("[SIM] Public DNS has only an A record for {name}; there is no {} record.", asked.as_str())
}

/// The explanation for a front end's invented address.
pub fn explain_frontend_address(name: &DnsName, address: IpAddr) -> String {
    format!("[SIM] {name} is the service's public front end; its address {address} is invented from the documentation ranges.")
}

/// The explanation for a public chain without the `privatelink.` hop because no connection is
/// `Approved`; `states` names each connection that is not.
pub fn explain_only_approved_inserts_privatelink(resource: impl std::fmt::Display, states: &[String]) -> String {
    format!(
        "Public DNS: {resource} has no approved private endpoint connection ({}), so its public chain has no privatelink hop (https://learn.microsoft.com/azure/private-link/private-endpoint-dns [SIM]: only Approved inserts it).",
        states.join("; ")
    )
}

/// The explanation for a service name whose resource is not in the estate.
pub fn explain_unknown_resource_has_no_endpoint(name: &DnsName, service: &str, private_zone: &str) -> String {
    format!(
        "{name} is a {service} name, but the resource is not in the estate: privlink cannot know whether it has a private endpoint and treats it as having none, so the public chain has no privatelink hop [SIM]. Were it to have one, a linked {private_zone} zone without its record would answer NXDOMAIN (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
    )
}

/// The explanation for a view with several DNS servers: the first is modelled as the one that
/// answers.
pub fn explain_first_server_answers(first: &str, others: &[String]) -> String {
    format!(
        "[SIM] The first server, {first}, is modelled as the one that answers; the others ({}) are used only when it does not answer in time.",
        others.join(", ")
    )
}

/// The explanation for a server that does not answer, when the client has another one after it.
pub fn explain_next_server(silent: std::net::IpAddr, next: &str) -> String {
    format!("[SIM] Nothing answers at {silent}: after its timeout the client asks its next server, {next} (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).")
}

/// The explanation for an Azure Firewall whose DNS proxy is off: nothing listens on its port 53.
pub fn explain_firewall_proxy_off(ip: std::net::IpAddr, firewall: impl std::fmt::Display, settings: &str) -> String {
    format!(
        "{ip} is the private address of Azure Firewall {firewall}. {settings} With the DNS proxy off no listener answers on {ip}:53 ([SIM] https://learn.microsoft.com/azure/firewall/dns-settings): every query times out, so nothing resolves."
    )
}

/// The explanation for a DNS server in another VNet whose peering is not established.
pub fn explain_peering_blocks(from: impl std::fmt::Display, to: impl std::fmt::Display, states: &str) -> String {
    format!(
        "VNet {from} reaches VNet {to} only over an established peering, and {states} ([SIM] https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering): the query never arrives."
    )
}

/// The explanation for a DNS server in another VNet with no peering document between the two.
pub fn explain_peering_assumed(from: impl std::fmt::Display, to: impl std::fmt::Display) -> String {
    format!(
        "[SIM] The estate holds no peering between VNet {from} and VNet {to}; privlink assumes the query reaches {to} (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)."
    )
}

/// The explanation for a client outside every VNet: its link into Azure is not modelled.
pub fn explain_outside_client_reaches(ip: std::net::IpAddr) -> String {
    format!("[SIM] The client is assumed to reach {ip} (over VPN or ExpressRoute, which privlink does not model).")
}

/// The note for firewall policy settings that come through `basePolicy`.
pub fn explain_policy_inheritance() -> &'static str {
    "([SIM] each DNS setting comes from the nearest policy of the basePolicy chain that sets it)"
}

/// The explanation for a firewall DNS proxy whose custom servers all lead to the same answer.
pub fn explain_proxy_servers_agree(servers: &[String], answer: &str) -> String {
    format!(
        "The proxy picks one of its custom servers {} at random for each query (https://learn.microsoft.com/azure/firewall/dns-details); [SIM] they all lead to {answer}, so that answers.",
        servers.join(", ")
    )
}

/// The explanation for a firewall DNS proxy whose custom servers lead to different answers.
pub fn explain_proxy_servers_disagree(firewall: impl std::fmt::Display, choices: &[String]) -> String {
    format!(
        "The DNS proxy of Azure Firewall {firewall} picks one of its custom servers at random for each query (https://learn.microsoft.com/azure/firewall/dns-details): {}; [SIM] they do not lead to the same answer, so privlink cannot say what a query gets.",
        choices.join("; ")
    )
}

/// The explanation for a forwarding rule whose targets lead to different answers.
pub fn explain_first_target_answers(rule: impl std::fmt::Display, first: &str, others: &[String]) -> String {
    format!(
        "Forwarding rule {rule} has several target DNS servers that would answer differently ({}); [SIM] the first target that answers, {first}, is modelled as answering every query.",
        others.join("; ")
    )
}
