//! Property tests of route selection and NSG first-match against naive reference implementations.

use ipnet::{IpNet, Ipv4Net};
use privlink_engine::nsg::{self, Flow, FlowEndpoint, TagScope};
use privlink_engine::routes::EffectiveRoutes;
use privlink_model::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

fn rid(rest: &str) -> ResourceId {
    ResourceId::parse(&format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/{rest}")).unwrap()
}

fn meta(id: &ResourceId) -> Meta {
    Meta { id: id.clone(), name: id.name().into(), location: None, origin: Origin::new("prop", "") }
}

/// Addresses biased toward the VNet (10.1/16), the PE and the reserved ranges so prefixes collide.
fn address() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => (0u32..65536).prop_map(|low| 0x0a01_0000 | low),
        2 => Just(0x0a01_0204u32),
        2 => any::<u32>().prop_map(|a| 0x0a00_0000 | (a & 0x00ff_ffff)),
        1 => any::<u32>().prop_map(|a| 0xac10_0000 | (a & 0x000f_ffff)),
        1 => any::<u32>(),
    ]
}

fn hop() -> impl Strategy<Value = NextHopType> {
    prop_oneof![
        Just(NextHopType::VirtualAppliance),
        Just(NextHopType::None),
        Just(NextHopType::Internet),
        Just(NextHopType::VnetLocal),
        Just(NextHopType::VirtualNetworkGateway),
    ]
}

fn net(addr: u32, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc())
}

const PE_IP: u32 = 0x0a01_0204; // 10.1.2.4

fn route_model(udrs: &[(u32, u8, NextHopType)], pe_route_tables: bool) -> (Model, ResourceId) {
    let mut r = Resources::default();
    let vnet = rid("virtualNetworks/v");
    let app = vnet.child("subnets", "app");
    let pes = vnet.child("subnets", "pes");
    let rt = rid("routeTables/rt");
    r.virtual_networks.insert(
        vnet.clone(),
        VirtualNetwork {
            meta: meta(&vnet),
            address_space: vec![net(0x0a01_0000, 16)],
            dns_servers: vec![],
            dns_servers_unknown: None,
            subnets: vec![],
            peerings: vec![],
        },
    );
    let subnet = |id: &ResourceId, p: IpNet, route_table, route_tables| Subnet {
        meta: meta(id),
        vnet: vnet.clone(),
        prefixes: vec![p],
        delegations: vec![],
        nsg: None,
        route_table,
        service_endpoints: vec![],
        private_endpoint_policies: PrivateEndpointPolicies { network_security_groups: false, route_tables },
    };
    r.subnets.insert(app.clone(), subnet(&app, net(0x0a01_0100, 24), Some(rt.clone()), false));
    r.subnets.insert(pes.clone(), subnet(&pes, net(0x0a01_0200, 24), None, pe_route_tables));
    let routes = udrs
        .iter()
        .enumerate()
        .map(|(i, (a, l, h))| {
            let p = net(*a, *l);
            Route {
                id: rt.child("routes", &format!("r{i:05}")),
                name: format!("r{i:05}"),
                address_prefix: p.to_string(),
                prefix: Some(p),
                next_hop_type: *h,
                next_hop_ip: None,
                origin: Origin::new("prop", ""),
            }
        })
        .collect();
    r.route_tables.insert(rt.clone(), RouteTable { meta: meta(&rt), routes, disable_bgp_route_propagation: false });
    let pe = rid("privateEndpoints/pe");
    r.private_endpoints.insert(
        pe.clone(),
        PrivateEndpoint {
            meta: meta(&pe),
            subnet: Some(pes),
            connections: vec![],
            network_interfaces: vec![],
            custom_dns_configs: vec![],
            ip_configurations: vec![StaticIpConfiguration {
                name: "c".into(),
                group_id: None,
                member_name: None,
                private_ip: Some(IpAddr::V4(PE_IP.into())),
            }],
            custom_network_interface_name: None,
            application_security_groups: vec![],
        },
    );
    (Model::new(r, BTreeMap::new(), vec![]), app)
}

/// The reference: every route in a list, a linear scan, longest prefix, then precedence
/// (standing PE route > UDR > VNet > default > reserved drop), then source text.
fn reference_lookup(udrs: &[(u32, u8, NextHopType)], pe_route_tables: bool, ip: u32) -> (IpNet, NextHopType, String) {
    let mut all: Vec<(IpNet, u8, NextHopType, String)> = vec![
        (net(0x0a01_0000, 16), 2, NextHopType::VnetLocal, "system".into()),
        (net(0, 0), 3, NextHopType::Internet, "system".into()),
        (net(0x0a00_0000, 8), 4, NextHopType::None, "system".into()),
        (net(0xac10_0000, 12), 4, NextHopType::None, "system".into()),
        (net(0xc0a8_0000, 16), 4, NextHopType::None, "system".into()),
        (net(0x6440_0000, 10), 4, NextHopType::None, "system".into()),
    ];
    let pe_invalidated =
        pe_route_tables && udrs.iter().any(|(a, l, _)| *l >= 16 && net(*a, *l).contains(&IpAddr::V4(PE_IP.into())));
    if !pe_invalidated {
        all.push((net(PE_IP, 32), 0, NextHopType::InterfaceEndpoint, "system".into()));
    }
    for (i, (a, l, h)) in udrs.iter().enumerate() {
        let source = rid("routeTables/rt").child("routes", &format!("r{i:05}")).to_string();
        all.push((net(*a, *l), 1, *h, source));
    }
    let target = IpAddr::V4(ip.into());
    let best = all
        .into_iter()
        .filter(|(p, ..)| p.contains(&target))
        .min_by(|a, b| {
            (std::cmp::Reverse(a.0.prefix_len()), a.1, &a.3).cmp(&(std::cmp::Reverse(b.0.prefix_len()), b.1, &b.3))
        })
        .expect("0.0.0.0/0 covers everything");
    (best.0, best.2, best.3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lookup_agrees_with_a_linear_scan(
        udrs in prop::collection::vec((address(), 0u8..=32, hop()), 0..40),
        pe_route_tables in any::<bool>(),
        queries in prop::collection::vec(address(), 1..20),
    ) {
        let (model, app) = route_model(&udrs, pe_route_tables);
        let table = EffectiveRoutes::build(&model, &app).unwrap();
        for ip in queries {
            let d = table.lookup(IpAddr::V4(ip.into())).unwrap();
            let expected = reference_lookup(&udrs, pe_route_tables, ip);
            prop_assert_eq!((d.route.prefix, d.route.next_hop_type, d.route.source.clone()), expected, "ip {}", Ipv4Addr::from(ip));
        }
    }
}

// ---- NSG ----

#[derive(Clone, Debug)]
struct RuleSpec {
    priority: i64,
    outbound: bool,
    allow: bool,
    protocol: Protocol,
    dest: Option<(u32, u8)>,
    ports: Vec<(u16, u16)>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    (
        100i64..140,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(Protocol::Any), Just(Protocol::Tcp), Just(Protocol::Udp)],
        prop::option::of((address(), 0u8..=32)),
        prop::collection::vec((0u16..2000, 0u16..200), 0..3),
    )
        .prop_map(|(priority, outbound, allow, protocol, dest, ports)| RuleSpec {
            priority,
            outbound,
            allow,
            protocol,
            dest,
            ports: ports.into_iter().map(|(a, w)| (a, a.saturating_add(w))).collect(),
        })
}

fn nsg_id() -> ResourceId {
    rid("networkSecurityGroups/n")
}

fn to_rule(i: usize, s: &RuleSpec) -> SecurityRule {
    let name = format!("rule{i:03}");
    SecurityRule {
        id: nsg_id().child("securityRules", &name),
        name,
        priority: s.priority,
        direction: if s.outbound { Direction::Outbound } else { Direction::Inbound },
        access: if s.allow { Access::Allow } else { Access::Deny },
        protocol: s.protocol,
        sources: vec![AddressMatch::Any],
        destinations: vec![s.dest.map_or(AddressMatch::Any, |(a, l)| AddressMatch::Prefix(net(a, l)))],
        source_ports: vec![PortRange::ANY],
        destination_ports: if s.ports.is_empty() {
            vec![PortRange::ANY]
        } else {
            s.ports.iter().map(|(a, b)| PortRange { first: *a, last: *b }).collect()
        },
        is_default: false,
        origin: Origin::new("prop", ""),
    }
}

fn reference_first_match(
    rules: &[SecurityRule],
    outbound: bool,
    ip: u32,
    port: u16,
    protocol: Protocol,
) -> Option<String> {
    let target = IpAddr::V4(ip.into());
    let mut matching: Vec<&SecurityRule> = rules
        .iter()
        .filter(|r| (r.direction == Direction::Outbound) == outbound)
        .filter(|r| r.protocol == Protocol::Any || r.protocol == protocol)
        .filter(|r| r.destination_ports.iter().any(|p| p.first <= port && port <= p.last))
        .filter(|r| {
            r.destinations.iter().any(|d| match d {
                AddressMatch::Any => true,
                AddressMatch::Prefix(p) => p.contains(&target),
                _ => false,
            })
        })
        .collect();
    matching.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
    matching.first().map(|r| r.name.clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nsg_first_match_agrees_with_sorting_all_matches(
        specs in prop::collection::vec(rule_spec(), 0..30),
        flows in prop::collection::vec((any::<bool>(), address(), 0u16..2300, any::<bool>()), 1..20),
    ) {
        // Rules in generation order, not sorted: evaluation must not depend on input order.
        let rules: Vec<SecurityRule> = specs.iter().enumerate().map(|(i, s)| to_rule(i, s)).collect();
        let mut r = Resources::default();
        r.network_security_groups.insert(nsg_id(), NetworkSecurityGroup { meta: meta(&nsg_id()), rules: rules.clone(), default_rules: vec![] });
        let model = Model::new(r, BTreeMap::new(), vec![]);
        let scope = TagScope { virtual_network: vec![net(0x0a01_0000, 16)] };
        for (outbound, ip, port, tcp) in flows {
            let protocol = if tcp { Protocol::Tcp } else { Protocol::Udp };
            let flow = Flow {
                source: FlowEndpoint::ip(IpAddr::V4(Ipv4Addr::new(10, 1, 1, 4))),
                destination: FlowEndpoint::ip(IpAddr::V4(ip.into())),
                source_port: None,
                destination_port: port,
                protocol,
            };
            let direction = if outbound { Direction::Outbound } else { Direction::Inbound };
            // For inbound the destination is still the address the rules name.
            let d = nsg::evaluate(&model, &nsg_id(), direction, &flow, &scope);
            let platform = IpAddr::V4(ip.into()) == nsg::AZURE_HOST_IP || IpAddr::V4(ip.into()) == nsg::IMDS_IP;
            prop_assume!(!platform);
            match reference_first_match(&rules, outbound, ip, port, protocol) {
                Some(name) => {
                    prop_assert_eq!(&d.rule_name, &name);
                    prop_assert!(!d.is_default);
                }
                None => prop_assert!(d.is_default, "expected a default rule, got {}", d.rule_name),
            }
        }
    }
}
