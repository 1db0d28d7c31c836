//! Network security group evaluation (azure-semantics §4.1–4.3).
//!
//! [`evaluate`] finds the rule that decides a flow in one NSG: custom rules then default rules, in
//! priority order, first match wins. When a document omits the default rules (templates, Terraform
//! plans) Azure's six from [`DEFAULT_SECURITY_RULES`] apply.
//!
//! Service tags resolve through [`TagScope`], built once per place of evaluation (a subnet): it
//! holds what `VirtualNetwork` means there. Tags of Azure services resolve through the flow's
//! endpoints: the caller says which service's public endpoint an address is (the twin invents
//! those addresses, so only the caller — who resolved the name — knows), see [`FlowEndpoint`].

use ipnet::IpNet;
use privlink_model::{Access, AddressMatch, Direction, Model, PortRange, Protocol, Region, ResourceId, SecurityRule};
use serde::Serialize;
use std::net::IpAddr;

/// The platform addresses NSGs exempt, defined by the catalog.
pub use crate::catalog::{AZURE_HOST_IP, IMDS_IP};

/// One default security rule: (name, direction, priority, source, destination, access). Ports and
/// protocol are `*` in all six.
type DefaultRule = (&'static str, Direction, i64, &'static str, &'static str, Access);

/// The six default rules every NSG has. Source: S-NSGDEF (azure-rest-api-specs network
/// 2023-09-01 `examples/DefaultSecurityRuleGet.json`) and S-NSG, as tabled in azure-semantics §4.1.
pub const DEFAULT_SECURITY_RULES: &[DefaultRule] = &[
    ("AllowVnetInBound", Direction::Inbound, 65000, "VirtualNetwork", "VirtualNetwork", Access::Allow),
    ("AllowAzureLoadBalancerInBound", Direction::Inbound, 65001, "AzureLoadBalancer", "*", Access::Allow),
    ("DenyAllInBound", Direction::Inbound, 65500, "*", "*", Access::Deny),
    ("AllowVnetOutBound", Direction::Outbound, 65000, "VirtualNetwork", "VirtualNetwork", Access::Allow),
    ("AllowInternetOutBound", Direction::Outbound, 65001, "*", "Internet", Access::Allow),
    ("DenyAllOutBound", Direction::Outbound, 65500, "*", "*", Access::Deny),
];

/// Ranges that are not reachable from the public internet, for the `Internet` tag: RFC 1918,
/// shared address space (RFC 6598), loopback, link-local, "this network", multicast and reserved.
/// The documentation ranges (RFC 5737) are deliberately absent: the twin invents public service
/// addresses from them (DESIGN.md), so here they stand for public addresses.
const NON_PUBLIC_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// Whether `ip` is a public address (reachable from the internet), as the `Internet` tag sees it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !NON_PUBLIC_V4.iter().any(|p| p.parse::<IpNet>().is_ok_and(|n| n.contains(&IpAddr::V4(v4)))),
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            // Global unicast 2000::/3 only.
            (0x2000..=0x3fff).contains(&first)
        }
    }
}

/// Whether `ip` is in RFC 1918 space (10/8, 172.16/12, 192.168/16).
pub fn is_rfc1918(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.is_private())
}

/// Options of [`TagScope`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagOptions {
    /// S-TAGS says `VirtualNetwork` includes "prefixes used in UDRs" and "may include default
    /// routes", without saying precisely how. Off by default (`path::assumptions` A4); when on,
    /// every CIDR of the subnet's route table joins `VirtualNetwork` (a UDR 0.0.0.0/0 then makes it
    /// match everything).
    pub virtual_network_includes_udr_prefixes: bool,
}

/// What the address tags mean at one place of evaluation.
#[derive(Clone, Debug, Default)]
pub struct TagScope {
    /// `VirtualNetwork`: the VNet's ranges, connected peered ranges, 168.63.129.16 (+ UDR prefixes).
    pub virtual_network: Vec<IpNet>,
}

impl TagScope {
    /// The scope of `subnet_id` (an unknown subnet gives an empty `VirtualNetwork`, apart from the host IP).
    pub fn for_subnet(model: &Model, subnet_id: &ResourceId, options: TagOptions) -> TagScope {
        let mut virtual_network = vec![IpNet::from(AZURE_HOST_IP)];
        if let Some(subnet) = model.resources.subnets.get(subnet_id) {
            match model.resources.virtual_networks.get(&subnet.vnet) {
                Some(v) => virtual_network.extend(v.address_space.iter().map(|p| p.trunc())),
                None => virtual_network.extend(subnet.prefixes.iter().map(|p| p.trunc())),
            }
            for peer in crate::routes::connected_peerings(model, &subnet.vnet) {
                virtual_network.extend(peer.ranges);
            }
            if options.virtual_network_includes_udr_prefixes {
                let table = subnet.route_table.as_ref().and_then(|rt| model.resources.route_tables.get(rt));
                virtual_network
                    .extend(table.into_iter().flat_map(|t| &t.routes).filter_map(|r| r.prefix.map(|p| p.trunc())));
            }
        }
        virtual_network.sort();
        virtual_network.dedup();
        TagScope { virtual_network }
    }

    fn in_virtual_network(&self, ip: IpAddr) -> bool {
        self.virtual_network.iter().any(|p| p.contains(&ip))
    }
}

/// The public endpoint of an Azure service an address belongs to, as the caller knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceAddress {
    /// The catalog's service tag (`Sql`, `AzureKeyVault`, …).
    pub tag: String,
    /// Region of the resource, for regional tags such as `Sql.WestEurope`.
    pub region: Option<Region>,
}

/// One end of a flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowEndpoint {
    pub ip: Option<IpAddr>,
    /// Application security groups of the NIC (or private endpoint) at this end.
    pub application_security_groups: Vec<ResourceId>,
    /// Set when the address is the public endpoint of an Azure service.
    pub service: Option<ServiceAddress>,
}

impl FlowEndpoint {
    pub fn ip(ip: IpAddr) -> FlowEndpoint {
        FlowEndpoint { ip: Some(ip), ..Default::default() }
    }
}

/// A flow as NSGs see it (after DNAT, before SNAT).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub source: FlowEndpoint,
    pub destination: FlowEndpoint,
    /// `None` when the client's ephemeral port is unknown; rules' source ports are then not checked
    /// (as Azure does for private-endpoint traffic, §2.4; `path::assumptions` A5).
    pub source_port: Option<u16>,
    pub destination_port: u16,
    pub protocol: Protocol,
}

/// What one NSG decided about a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NsgDecision {
    pub nsg: ResourceId,
    pub access: Access,
    /// The deciding rule; `None` for the platform exemption (§4.2) or an NSG not in the estate.
    pub rule: Option<ResourceId>,
    pub rule_name: String,
    pub priority: Option<i64>,
    pub is_default: bool,
    pub explanation: String,
}

fn protocol_matches(rule: Protocol, flow: Protocol) -> bool {
    rule == Protocol::Any || rule == flow
}

fn ports_match(ranges: &[PortRange], port: Option<u16>) -> bool {
    // An empty list means the document gave none; treated as `*` (Azure requires one; the loader
    // reports the omission).
    match port {
        None => true,
        Some(p) => ranges.is_empty() || ranges.iter().any(|r| r.contains(p)),
    }
}

/// Whether a regional tag (`Sql.WestEurope`) or a plain one (`Sql`) covers a service address.
/// An address of unknown region matches every regional variant of its tag (`path::assumptions` A6).
fn service_tag_matches(tag: &str, service: &ServiceAddress) -> bool {
    let (base, region) = match tag.split_once('.') {
        Some((b, r)) => (b, Some(r)),
        None => (tag, None),
    };
    if base.eq_ignore_ascii_case("AzureCloud") {
        // AzureCloud covers every Azure datacenter public address (S-TAGS).
        return true;
    }
    base.eq_ignore_ascii_case(&service.tag)
        && match (region, &service.region) {
            (Some(want), Some(have)) => Region::new(want) == *have,
            _ => true,
        }
}

fn tag_matches(tag: &str, end: &FlowEndpoint, scope: &TagScope) -> bool {
    let Some(ip) = end.ip else { return false };
    match tag.to_ascii_lowercase().as_str() {
        "virtualnetwork" => scope.in_virtual_network(ip),
        "internet" => is_public(ip) && !scope.in_virtual_network(ip),
        "azureloadbalancer" | "azureplatformdns" | "azureplatformlkm" => ip == AZURE_HOST_IP,
        "azureplatformimds" => ip == IMDS_IP,
        _ => end.service.as_ref().is_some_and(|s| service_tag_matches(tag, s)),
    }
}

fn address_matches(matches: &[AddressMatch], end: &FlowEndpoint, scope: &TagScope) -> bool {
    if matches.is_empty() {
        return true; // as for ports: an omitted field is treated as `*`
    }
    matches.iter().any(|m| match m {
        AddressMatch::Any => true,
        AddressMatch::Prefix(p) => end.ip.is_some_and(|ip| p.contains(&ip)),
        AddressMatch::Tag(t) => tag_matches(t, end, scope),
        AddressMatch::ApplicationSecurityGroup(asg) => end.application_security_groups.contains(asg),
    })
}

/// Whether `rule` matches `flow` in `direction`.
pub fn rule_matches(rule: &SecurityRule, direction: Direction, flow: &Flow, scope: &TagScope) -> bool {
    rule.direction == direction
        && protocol_matches(rule.protocol, flow.protocol)
        && ports_match(&rule.destination_ports, Some(flow.destination_port))
        && ports_match(&rule.source_ports, flow.source_port)
        && address_matches(&rule.destinations, &flow.destination, scope)
        && address_matches(&rule.sources, &flow.source, scope)
}

/// The six default rules of `nsg_id` as security rules, from [`DEFAULT_SECURITY_RULES`].
pub fn default_rules(nsg_id: &ResourceId) -> Vec<SecurityRule> {
    let address = |s: &str| vec![if s == "*" { AddressMatch::Any } else { AddressMatch::Tag(s.to_string()) }];
    DEFAULT_SECURITY_RULES
        .iter()
        .map(|(name, direction, priority, source, destination, access)| SecurityRule {
            id: nsg_id.child("defaultSecurityRules", name),
            name: name.to_string(),
            priority: *priority,
            direction: *direction,
            access: *access,
            protocol: Protocol::Any,
            sources: address(source),
            destinations: address(destination),
            source_ports: vec![PortRange::ANY],
            destination_ports: vec![PortRange::ANY],
            is_default: true,
            origin: privlink_model::Origin::new("<azure default security rules>", ""),
        })
        .collect()
}

/// The platform tag that must appear in a rule for `ip` to be filtered at all (§4.2, §11.13).
fn platform_exemption_tags(ip: IpAddr) -> Option<&'static [&'static str]> {
    if ip == AZURE_HOST_IP {
        Some(&["AzurePlatformDNS", "AzurePlatformLKM"])
    } else if ip == IMDS_IP {
        Some(&["AzurePlatformIMDS"])
    } else {
        None
    }
}

fn mentions_tag(rule: &SecurityRule, tags: &[&str]) -> bool {
    rule.sources
        .iter()
        .chain(&rule.destinations)
        .any(|m| matches!(m, AddressMatch::Tag(t) if tags.iter().any(|x| x.eq_ignore_ascii_case(t))))
}

/// First match in priority order (ties by name), robust to unsorted input; stops matching once
/// no remaining rule can have a lower priority than the best match so far (rules are sorted in a
/// model built by the loader, so this is a plain first-match scan there).
fn first_match<'a>(
    rules: &'a [SecurityRule],
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
) -> Option<&'a SecurityRule> {
    let mut best: Option<&SecurityRule> = None;
    for rule in rules {
        if let Some(b) = best {
            if (rule.priority, rule.name.as_str()) >= (b.priority, b.name.as_str()) {
                continue;
            }
        }
        if rule_matches(rule, direction, flow, scope) {
            best = Some(rule);
        }
    }
    best
}

/// Evaluates `flow` against NSG `nsg_id` in `direction`.
impl NsgDecision {
    /// Traffic the NSG lets through without any rule deciding: an NSG not in the estate, a
    /// platform exemption, an incomplete rule set.
    fn allowed_without_rule(nsg_id: &ResourceId, explanation: String) -> NsgDecision {
        NsgDecision {
            nsg: nsg_id.clone(),
            access: Access::Allow,
            rule: None,
            rule_name: String::new(),
            priority: None,
            is_default: false,
            explanation,
        }
    }
}

pub fn evaluate(
    model: &Model,
    nsg_id: &ResourceId,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
) -> NsgDecision {
    let Some(nsg) = model.resources.network_security_groups.get(nsg_id) else {
        return NsgDecision::allowed_without_rule(
            nsg_id,
            format!("network security group {nsg_id} is not in the estate; it was not evaluated"),
        );
    };
    let platform_ip = match direction {
        Direction::Outbound => flow.destination.ip,
        Direction::Inbound => flow.source.ip,
    };
    if let Some(tags) = platform_ip.and_then(platform_exemption_tags) {
        // Only custom rules can name the platform tags; Azure's defaults never do.
        if !nsg.rules.iter().chain(&nsg.default_rules).any(|r| mentions_tag(r, tags)) {
            return NsgDecision::allowed_without_rule(
                nsg_id,
                format!(
                    "traffic with {} is exempt from NSG {} (no rule uses {})",
                    platform_ip.expect("checked"),
                    nsg_id.name(),
                    tags.join(" or ")
                ),
            );
        }
    }
    // Azure's six defaults are synthesised only when the document omits them and no custom rule
    // decided (most flows stop at a custom rule; building the defaults costs six ids).
    let synthesised;
    let rule = match first_match(&nsg.rules, direction, flow, scope) {
        Some(rule) => Some(rule),
        None if nsg.default_rules.is_empty() => {
            synthesised = default_rules(nsg_id);
            first_match(&synthesised, direction, flow, scope)
        }
        None => first_match(&nsg.default_rules, direction, flow, scope),
    };
    let Some(rule) = rule else {
        // Unreachable with Azure's defaults (DenyAll matches everything); possible with a partial document.
        return NsgDecision::allowed_without_rule(
            nsg_id,
            format!("no rule of NSG {} matched (its default rules are incomplete)", nsg_id.name()),
        );
    };
    let verb = match rule.access {
        Access::Allow => "allows",
        Access::Deny => "denies",
    };
    let port = flow.destination_port;
    let dest = flow.destination.ip.map_or_else(|| "?".into(), |ip| ip.to_string());
    NsgDecision {
        nsg: nsg_id.clone(),
        access: rule.access,
        rule: Some(rule.id.clone()),
        rule_name: rule.name.clone(),
        priority: Some(rule.priority),
        is_default: rule.is_default,
        explanation: format!(
            "{} rule {} (priority {}{}) of NSG {} {verb} {:?} {dest}:{port}",
            match direction {
                Direction::Inbound => "inbound",
                Direction::Outbound => "outbound",
            },
            rule.name,
            rule.priority,
            if rule.is_default { ", default" } else { "" },
            nsg_id.name(),
            flow.protocol,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privlink_model::*;
    use std::collections::BTreeMap;

    fn nsg_id() -> ResourceId {
        ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n")
            .unwrap()
    }

    fn rule(name: &str, priority: i64, access: Access, dest: AddressMatch, ports: &str) -> SecurityRule {
        SecurityRule {
            id: nsg_id().child("securityRules", name),
            name: name.into(),
            priority,
            direction: Direction::Outbound,
            access,
            protocol: Protocol::Tcp,
            sources: vec![AddressMatch::Any],
            destinations: vec![dest],
            source_ports: vec![PortRange::ANY],
            destination_ports: vec![PortRange::parse(ports).unwrap()],
            is_default: false,
            origin: Origin::new("test", ""),
        }
    }

    fn model(rules: Vec<SecurityRule>) -> Model {
        let mut r = Resources::default();
        let id = nsg_id();
        r.network_security_groups.insert(
            id.clone(),
            NetworkSecurityGroup {
                meta: Meta { id: id.clone(), name: "n".into(), location: None, origin: Origin::new("t", "") },
                rules,
                default_rules: vec![],
            },
        );
        Model::new(r, BTreeMap::new(), vec![])
    }

    fn flow(dest: &str, port: u16) -> Flow {
        Flow {
            source: FlowEndpoint::ip("10.1.1.4".parse().unwrap()),
            destination: FlowEndpoint::ip(dest.parse().unwrap()),
            source_port: None,
            destination_port: port,
            protocol: Protocol::Tcp,
        }
    }

    fn scope() -> TagScope {
        TagScope { virtual_network: vec!["10.1.0.0/16".parse().unwrap(), IpNet::from(AZURE_HOST_IP)] }
    }

    #[test]
    fn lower_priority_number_wins() {
        let m = model(vec![
            rule("deny-sql", 100, Access::Deny, AddressMatch::Tag("VirtualNetwork".into()), "1433"),
            rule("allow-sql", 200, Access::Allow, AddressMatch::Any, "1433"),
        ]);
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("10.1.2.4", 1433), &scope());
        assert_eq!((d.access, d.rule_name.as_str(), d.priority), (Access::Deny, "deny-sql", Some(100)));
        assert!(d.explanation.contains("deny-sql"));
    }

    #[test]
    fn default_rules_are_supplied_when_absent() {
        let m = model(vec![]);
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("10.1.2.4", 22), &scope());
        assert_eq!((d.access, d.rule_name.as_str(), d.is_default), (Access::Allow, "AllowVnetOutBound", true));
        assert!(d.rule.unwrap().as_str().ends_with("/defaultSecurityRules/AllowVnetOutBound"));
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("203.0.113.9", 443), &scope());
        assert_eq!(d.rule_name, "AllowInternetOutBound");
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("172.16.0.1", 443), &scope());
        assert_eq!((d.access, d.rule_name.as_str()), (Access::Deny, "DenyAllOutBound"));
        let d = evaluate(&m, &nsg_id(), Direction::Inbound, &flow("10.1.2.4", 443), &scope());
        assert_eq!(d.rule_name, "AllowVnetInBound");
    }

    #[test]
    fn platform_addresses_are_exempt_unless_their_tag_is_used() {
        let m = model(vec![rule("deny-all", 100, Access::Deny, AddressMatch::Any, "*")]);
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("168.63.129.16", 53), &scope());
        assert_eq!((d.access, d.rule.is_none()), (Access::Allow, true));
        let m = model(vec![rule("deny-dns", 100, Access::Deny, AddressMatch::Tag("AzurePlatformDNS".into()), "53")]);
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &flow("168.63.129.16", 53), &scope());
        assert_eq!((d.access, d.rule_name.as_str()), (Access::Deny, "deny-dns"));
    }

    #[test]
    fn service_tags_follow_the_callers_service_address() {
        let m =
            model(vec![rule("deny-sql-public", 100, Access::Deny, AddressMatch::Tag("Sql.WestEurope".into()), "1433")]);
        let mut f = flow("198.51.100.7", 1433);
        f.destination.service = Some(ServiceAddress { tag: "Sql".into(), region: Some(Region::new("westeurope")) });
        let d = evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope());
        assert_eq!(d.rule_name, "deny-sql-public");
        // A location written in its display form is the same region as the tag's.
        f.destination.service = Some(ServiceAddress { tag: "Sql".into(), region: Some(Region::new("West Europe")) });
        assert_eq!(evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope()).rule_name, "deny-sql-public");
        f.destination.service = Some(ServiceAddress { tag: "Sql".into(), region: Some(Region::new("northeurope")) });
        assert_eq!(evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope()).rule_name, "AllowInternetOutBound");
        f.destination.service = None;
        assert_eq!(evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope()).rule_name, "AllowInternetOutBound");
    }

    #[test]
    fn application_security_groups_match_by_membership() {
        let asg = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/a",
        )
        .unwrap();
        let m =
            model(vec![rule("deny-asg", 100, Access::Deny, AddressMatch::ApplicationSecurityGroup(asg.clone()), "*")]);
        let mut f = flow("10.1.2.4", 443);
        assert_eq!(evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope()).rule_name, "AllowVnetOutBound");
        f.destination.application_security_groups.push(asg);
        assert_eq!(evaluate(&m, &nsg_id(), Direction::Outbound, &f, &scope()).rule_name, "deny-asg");
    }

    #[test]
    fn internet_tag_excludes_private_and_virtual_network_space() {
        let end = |ip: &str| FlowEndpoint::ip(ip.parse().unwrap());
        assert!(tag_matches("Internet", &end("203.0.113.1"), &scope()));
        assert!(!tag_matches("Internet", &end("10.9.0.1"), &scope()));
        assert!(!tag_matches("Internet", &end("168.63.129.16"), &scope()));
        assert!(tag_matches("VirtualNetwork", &end("168.63.129.16"), &scope()));
    }
}
