//! Effective routes of a subnet and the route a destination takes (azure-semantics §4.4, §2.4).
//!
//! [`EffectiveRoutes::build`] gathers every route Azure would program into a subnet — the system
//! routes, peering routes, private-endpoint `/32`s and the user routes of the subnet's route table —
//! settles which private-endpoint routes user routes invalidate, and indexes the result by prefix
//! length. [`EffectiveRoutes::lookup`] then costs one hash probe per distinct prefix length (at most
//! 33 for IPv4), whatever the number of routes, and explains its answer: the route that won, the
//! routes it beat and the private-endpoint routes that were invalidated.
//!
//! Not modelled: gateway/BGP routes (no gateways in the model) and service-endpoint routes (the
//! model has no address prefixes for Azure services, so `VirtualNetworkServiceEndpoint` routes
//! cannot be expressed; §3.3's service-endpoint egress rule and the endpoint's route for a
//! backend's address are applied by `path` instead).

use ipnet::IpNet;
use privlink_model::{Model, NextHopType, ResourceId};
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;

/// Why a route is in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RouteKind {
    /// A range of the subnet's own VNet address space (`VnetLocal`).
    VnetAddressSpace,
    /// The default route to the internet.
    DefaultInternet,
    /// A private range Azure drops unless something more specific covers it.
    ReservedDrop,
    /// A range of a connected peered VNet.
    Peering,
    /// A private endpoint's `/32` (`/128`) in this VNet or a peered one.
    PrivateEndpoint,
    /// A route of the subnet's route table.
    User,
    /// A service endpoint's route for a service's address (`VirtualNetworkServiceEndpoint`): never
    /// in the table (the model has no service prefixes); `path` puts it in a trace's decision.
    ServiceEndpoint,
}

impl RouteKind {
    /// Precedence among routes with the same prefix, lower first. §4.4: UDR > system, except that a
    /// private-endpoint route still standing (not invalidated, §2.4) beats a UDR of the same /32.
    /// Among system routes a VNet range replaces an identical reserved `None` route (§4.4).
    fn precedence(self) -> u8 {
        match self {
            RouteKind::PrivateEndpoint | RouteKind::ServiceEndpoint => 0,
            RouteKind::User => 1,
            RouteKind::VnetAddressSpace => 2,
            RouteKind::Peering => 3,
            RouteKind::DefaultInternet => 4,
            RouteKind::ReservedDrop => 5,
        }
    }
}

/// System routes every subnet gets, from S-UDR (Learn "Virtual network traffic routing", default
/// system routes table; the current English page lists 172.16.0.0/12). The VNet's own ranges are
/// added per VNet. A reserved range identical to a VNet range is replaced by the VNet route;
/// otherwise the `None` route is kept and the longer VNet prefix wins by longest match (§4.4,
/// `path::assumptions` A7).
const SYSTEM_ROUTES: &[(&str, NextHopType, RouteKind)] = &[
    ("0.0.0.0/0", NextHopType::Internet, RouteKind::DefaultInternet),
    ("10.0.0.0/8", NextHopType::None, RouteKind::ReservedDrop),
    ("172.16.0.0/12", NextHopType::None, RouteKind::ReservedDrop),
    ("192.168.0.0/16", NextHopType::None, RouteKind::ReservedDrop),
    ("100.64.0.0/10", NextHopType::None, RouteKind::ReservedDrop),
];

/// One route of a subnet's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveRoute {
    pub prefix: IpNet,
    /// Serialises as the ARM name (`VnetLocal`, `InterfaceEndpoint`, …).
    pub next_hop_type: NextHopType,
    pub next_hop_ip: Option<IpAddr>,
    /// The route's id for a user route, `system` otherwise (as Azure's effective-routes view says).
    pub source: String,
    pub kind: RouteKind,
    /// The resource that put the route there: the route, the VNet, the peering or the private endpoint.
    pub origin: Option<ResourceId>,
}

impl EffectiveRoute {
    fn system(prefix: IpNet, next_hop_type: NextHopType, kind: RouteKind, origin: Option<ResourceId>) -> Self {
        EffectiveRoute { prefix, next_hop_type, next_hop_ip: None, source: "system".into(), kind, origin }
    }

    /// The resource a person would change to alter this route: the route itself for a UDR,
    /// otherwise the resource that caused the system route.
    pub fn responsible_resource(&self) -> Option<&ResourceId> {
        self.origin.as_ref()
    }
}

/// A route that matched the destination but lost, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BeatenRoute {
    #[serde(flatten)]
    pub route: EffectiveRoute,
    pub reason: String,
}

/// A private-endpoint route taken out of the table by a user route (§2.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvalidatedRoute {
    #[serde(flatten)]
    pub route: EffectiveRoute,
    pub invalidated_by: ResourceId,
}

/// The route a destination takes, with the routes it beat and those that were invalidated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteDecision {
    #[serde(flatten)]
    pub route: EffectiveRoute,
    pub beaten: Vec<BeatenRoute>,
    pub invalidated: Vec<InvalidatedRoute>,
}

impl RouteDecision {
    /// A sentence for explanations.
    pub fn explanation(&self) -> String {
        let r = &self.route;
        let via = r.next_hop_ip.map(|ip| format!(" {ip}")).unwrap_or_default();
        let mut s = format!(
            "route {} -> {}{} ({}{})",
            r.prefix,
            r.next_hop_type.as_arm(),
            via,
            r.source,
            match (&r.kind, &r.origin) {
                (RouteKind::User, _) | (_, None) => String::new(),
                (_, Some(o)) => format!(" route from {o}"),
            }
        );
        if let Some(b) = self.beaten.first() {
            s.push_str(&format!("; it beats {} -> {} ({})", b.route.prefix, b.route.next_hop_type.as_arm(), b.reason));
            if self.beaten.len() > 1 {
                s.push_str(&format!(" and {} more", self.beaten.len() - 1));
            }
        }
        for i in &self.invalidated {
            s.push_str(&format!(
                "; private endpoint route {} is invalidated by {} (the endpoint subnet has route-table policies on)",
                i.route.prefix, i.invalidated_by
            ));
        }
        s
    }
}

/// A connected peering of a VNet and the remote ranges it brings.
pub struct PeeredRanges {
    pub peering: ResourceId,
    pub remote_vnet: Option<ResourceId>,
    /// The remote VNet's address space if it is in the estate, else the peering's `remoteAddressSpace`.
    pub ranges: Vec<IpNet>,
}

/// The connected peerings of `vnet`, in id order.
pub fn connected_peerings(model: &Model, vnet: &ResourceId) -> Vec<PeeredRanges> {
    let r = &model.resources;
    let mut out = Vec::new();
    for peering_id in model.indexes.peerings_of_vnet.get(vnet).into_iter().flatten() {
        let Some(peering) = r.peerings.get(peering_id).filter(|p| p.is_connected()) else { continue };
        let ranges = match peering.remote_vnet.as_ref().and_then(|v| r.virtual_networks.get(v)) {
            Some(v) => &v.address_space,
            None => &peering.remote_address_space,
        };
        out.push(PeeredRanges {
            peering: peering_id.clone(),
            remote_vnet: peering.remote_vnet.clone(),
            ranges: ranges.iter().map(|p| p.trunc()).collect(),
        });
    }
    out
}

/// A user route that could not be placed in the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedRoute {
    pub id: ResourceId,
    pub reason: String,
}

/// (is IPv6, prefix length, masked address bits).
type PrefixKey = (bool, u8, u128);

fn address_bits(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(v4) => (false, u32::from(v4) as u128),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn prefix_key(ip: IpAddr, len: u8) -> PrefixKey {
    let (v6, bits) = address_bits(ip);
    let width: u8 = if v6 { 128 } else { 32 };
    let masked = if len == 0 { 0 } else { bits & (u128::MAX << (width - len)) & width_mask(width) };
    (v6, len, masked)
}

fn width_mask(width: u8) -> u128 {
    if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

/// The routes of one subnet, indexed for longest-prefix lookup.
#[derive(Clone, Debug)]
pub struct EffectiveRoutes {
    pub subnet: ResourceId,
    routes: Vec<EffectiveRoute>,
    /// For each index in `routes` that is a private-endpoint route taken out, the user route that did it.
    invalidated_by: HashMap<usize, ResourceId>,
    /// Prefix → indices into `routes`, best first.
    by_prefix: HashMap<PrefixKey, Vec<usize>>,
    /// Distinct prefix lengths present, longest first, per family.
    lengths_v4: Vec<u8>,
    lengths_v6: Vec<u8>,
    skipped: Vec<SkippedRoute>,
}

impl EffectiveRoutes {
    /// The effective routes of `subnet_id`; `None` if the subnet is not in the estate.
    pub fn build(model: &Model, subnet_id: &ResourceId) -> Option<EffectiveRoutes> {
        let subnet = model.resources.subnets.get(subnet_id)?;
        let r = &model.resources;
        let mut routes = Vec::new();
        let mut skipped = Vec::new();

        // The VNet's own ranges; if the VNet is not in the estate, at least the subnet's prefixes.
        let own_space: Vec<IpNet> = match r.virtual_networks.get(&subnet.vnet) {
            Some(v) => v.address_space.clone(),
            None => subnet.prefixes.clone(),
        };
        for p in &own_space {
            routes.push(EffectiveRoute::system(
                p.trunc(),
                NextHopType::VnetLocal,
                RouteKind::VnetAddressSpace,
                Some(subnet.vnet.clone()),
            ));
        }
        for (text, hop, kind) in SYSTEM_ROUTES {
            let prefix: IpNet = text.parse().expect("system route table holds valid prefixes");
            if *kind == RouteKind::ReservedDrop && own_space.iter().any(|p| p.trunc() == prefix) {
                continue;
            }
            routes.push(EffectiveRoute::system(prefix, *hop, *kind, None));
        }

        // Connected peerings: the remote VNet's ranges (as the estate has them, else as the peering reports).
        let mut vnets_in_reach = vec![subnet.vnet.clone()];
        for peer in connected_peerings(model, &subnet.vnet) {
            for p in peer.ranges {
                routes.push(EffectiveRoute::system(
                    p,
                    NextHopType::VNetPeering,
                    RouteKind::Peering,
                    Some(peer.peering.clone()),
                ));
            }
            vnets_in_reach.extend(peer.remote_vnet);
        }

        // User routes.
        let user_routes: Vec<&privlink_model::Route> = subnet
            .route_table
            .as_ref()
            .and_then(|rt| r.route_tables.get(rt))
            .map(|rt| rt.routes.iter().collect())
            .unwrap_or_default();
        for route in &user_routes {
            match route.prefix {
                Some(prefix) => routes.push(EffectiveRoute {
                    prefix: prefix.trunc(),
                    next_hop_type: route.next_hop_type,
                    next_hop_ip: route.next_hop_ip,
                    source: route.id.to_string(),
                    kind: RouteKind::User,
                    origin: Some(route.id.clone()),
                }),
                None => skipped.push(SkippedRoute {
                    id: route.id.clone(),
                    reason: format!(
                        "address prefix '{}' is a service tag; service tag address ranges are not modelled",
                        route.address_prefix
                    ),
                }),
            }
        }

        // Private endpoint /32s of this VNet and of peered VNets, and which user route invalidates each.
        let mut invalidated_by = HashMap::new();
        // Only the endpoints placed in VNets in reach (indexed by VNet), in id order as before.
        let mut in_reach: Vec<&ResourceId> =
            vnets_in_reach.iter().filter_map(|v| model.indexes.endpoints_of_vnet.get(v)).flatten().collect();
        in_reach.sort();
        in_reach.dedup();
        for (pe_id, pe) in in_reach.into_iter().filter_map(|id| r.private_endpoints.get_key_value(id)) {
            let Some(pe_subnet) = pe.subnet.as_ref().and_then(|s| r.subnets.get(s)) else { continue };
            if !vnets_in_reach.contains(&pe_subnet.vnet) {
                continue;
            }
            let pe_vnet_space: &[IpNet] =
                r.virtual_networks.get(&pe_subnet.vnet).map_or(&pe_subnet.prefixes, |v| &v.address_space);
            let mut ips: Vec<IpAddr> = model.endpoint_nics(pe_id).flat_map(|n| n.private_ips()).collect();
            ips.extend(pe.ip_configurations.iter().filter_map(|c| c.private_ip));
            ips.sort();
            ips.dedup();
            for ip in ips {
                let host = IpNet::from(ip);
                let index = routes.len();
                routes.push(EffectiveRoute::system(
                    host,
                    NextHopType::InterfaceEndpoint,
                    RouteKind::PrivateEndpoint,
                    Some(pe_id.clone()),
                ));
                if pe_subnet.private_endpoint_policies.route_tables {
                    // §2.4: the UDR's prefix must be at least as long as the VNet range holding the
                    // endpoint (unknown range: only a host route qualifies); 0.0.0.0/0 never does.
                    let range_len = pe_vnet_space
                        .iter()
                        .filter(|p| p.contains(&ip))
                        .map(|p| p.prefix_len())
                        .max()
                        .unwrap_or(host.prefix_len());
                    let overriding = user_routes
                        .iter()
                        .filter_map(|u| u.prefix.map(|p| (p.trunc(), &u.id)))
                        .filter(|(p, _)| p.prefix_len() > 0 && p.prefix_len() >= range_len && p.contains(&ip))
                        .max_by(|(a, ida), (b, idb)| a.prefix_len().cmp(&b.prefix_len()).then(idb.cmp(ida)));
                    if let Some((_, id)) = overriding {
                        invalidated_by.insert(index, id.clone());
                    }
                }
            }
        }

        let mut by_prefix: HashMap<PrefixKey, Vec<usize>> = HashMap::new();
        for (i, route) in routes.iter().enumerate() {
            by_prefix.entry(prefix_key(route.prefix.addr(), route.prefix.prefix_len())).or_default().push(i);
        }
        for candidates in by_prefix.values_mut() {
            candidates.sort_by(|&a, &b| {
                let (ra, rb) = (&routes[a], &routes[b]);
                (invalidated_by.contains_key(&a), ra.kind.precedence(), &ra.source, ra.next_hop_ip).cmp(&(
                    invalidated_by.contains_key(&b),
                    rb.kind.precedence(),
                    &rb.source,
                    rb.next_hop_ip,
                ))
            });
        }
        let lengths = |v6: bool| {
            let mut l: Vec<u8> = by_prefix.keys().filter(|k| k.0 == v6).map(|k| k.1).collect();
            l.sort_unstable_by(|a, b| b.cmp(a));
            l.dedup();
            l
        };
        let (lengths_v4, lengths_v6) = (lengths(false), lengths(true));
        Some(EffectiveRoutes {
            subnet: subnet_id.clone(),
            routes,
            invalidated_by,
            by_prefix,
            lengths_v4,
            lengths_v6,
            skipped,
        })
    }

    /// Every route, sorted by (prefix, kind, source), invalidated ones included.
    pub fn routes(&self) -> Vec<&EffectiveRoute> {
        let mut all: Vec<&EffectiveRoute> = self.routes.iter().collect();
        all.sort_by(|a, b| (a.prefix, a.kind, &a.source).cmp(&(b.prefix, b.kind, &b.source)));
        all
    }

    /// User routes left out of the table (service-tag prefixes).
    pub fn skipped(&self) -> &[SkippedRoute] {
        &self.skipped
    }

    /// The route `ip` takes: longest prefix first; among equal prefixes by [`RouteKind`] precedence.
    /// `None` only when no route covers `ip` (IPv6 without an IPv6 range).
    pub fn lookup(&self, ip: IpAddr) -> Option<RouteDecision> {
        let lengths = if ip.is_ipv6() { &self.lengths_v6 } else { &self.lengths_v4 };
        let mut winner: Option<&EffectiveRoute> = None;
        let mut beaten = Vec::new();
        let mut invalidated = Vec::new();
        for &len in lengths {
            let Some(candidates) = self.by_prefix.get(&prefix_key(ip, len)) else { continue };
            for &i in candidates {
                let route = &self.routes[i];
                if let Some(by) = self.invalidated_by.get(&i) {
                    invalidated.push(InvalidatedRoute { route: route.clone(), invalidated_by: by.clone() });
                    continue;
                }
                match winner {
                    None => winner = Some(route),
                    Some(w) => {
                        let reason = if w.prefix.prefix_len() > route.prefix.prefix_len() {
                            format!("{} is more specific", w.prefix)
                        } else {
                            format!("same prefix; {:?} routes take precedence over {:?} routes", w.kind, route.kind)
                        };
                        beaten.push(BeatenRoute { route: route.clone(), reason });
                    }
                }
            }
        }
        winner.map(|w| RouteDecision { route: w.clone(), beaten, invalidated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privlink_model::*;
    use std::collections::BTreeMap;

    pub(crate) fn id(s: &str) -> ResourceId {
        ResourceId::parse(&format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/{s}")).unwrap()
    }

    fn meta(i: &ResourceId) -> Meta {
        Meta { id: i.clone(), name: i.name().into(), location: None, origin: Origin::new("test", "") }
    }

    /// A VNet 10.1.0.0/16 with an app subnet and a PE subnet holding one PE at 10.1.2.4.
    fn estate(pe_policies: PrivateEndpointPolicies, udrs: &[(&str, NextHopType)]) -> (Model, ResourceId) {
        let mut r = Resources::default();
        let vnet = id("virtualNetworks/v1");
        let app = vnet.child("subnets", "app");
        let pes = vnet.child("subnets", "pes");
        let rt = id("routeTables/rt1");
        r.virtual_networks.insert(
            vnet.clone(),
            VirtualNetwork {
                meta: meta(&vnet),
                address_space: vec!["10.1.0.0/16".parse().unwrap()],
                dns_servers: vec![],
                dns_servers_unknown: None,
                subnets: vec![app.clone(), pes.clone()],
                peerings: vec![],
            },
        );
        let subnet = |sid: &ResourceId, prefix: &str, route_table, policies| Subnet {
            meta: meta(sid),
            vnet: vnet.clone(),
            prefixes: vec![prefix.parse().unwrap()],
            delegations: vec![],
            nsg: None,
            route_table,
            service_endpoints: vec![],
            private_endpoint_policies: policies,
        };
        r.subnets.insert(app.clone(), subnet(&app, "10.1.1.0/24", Some(rt.clone()), Default::default()));
        r.subnets.insert(pes.clone(), subnet(&pes, "10.1.2.0/24", None, pe_policies));
        let routes = udrs
            .iter()
            .enumerate()
            .map(|(i, (p, hop))| Route {
                id: rt.child("routes", &format!("r{i}")),
                name: format!("r{i}"),
                address_prefix: p.to_string(),
                prefix: p.parse().ok(),
                next_hop_type: *hop,
                next_hop_ip: (*hop == NextHopType::VirtualAppliance).then(|| "10.9.0.4".parse().unwrap()),
                origin: Origin::new("test", ""),
            })
            .collect();
        r.route_tables.insert(rt.clone(), RouteTable { meta: meta(&rt), routes, disable_bgp_route_propagation: false });
        let pe = id("privateEndpoints/pe1");
        let nic = id("networkInterfaces/pe1-nic");
        r.network_interfaces.insert(
            nic.clone(),
            NetworkInterface {
                meta: meta(&nic),
                ip_configurations: vec![NicIpConfiguration {
                    name: "c".into(),
                    private_ip: Some("10.1.2.4".parse().unwrap()),
                    subnet: Some(pes.clone()),
                    primary: true,
                    private_link_group_id: None,
                    private_link_member_name: None,
                    private_link_fqdns: vec![],
                }],
                nsg: None,
                private_endpoint: Some(pe.clone()),
                application_security_groups: vec![],
            },
        );
        r.private_endpoints.insert(
            pe.clone(),
            PrivateEndpoint {
                meta: meta(&pe),
                subnet: Some(pes),
                connections: vec![],
                network_interfaces: vec![nic],
                custom_dns_configs: vec![],
                ip_configurations: vec![],
                custom_network_interface_name: None,
                application_security_groups: vec![],
            },
        );
        (Model::new(r, BTreeMap::new(), vec![]), app)
    }

    fn hop(routes: &EffectiveRoutes, ip: &str) -> (String, NextHopType, String) {
        let d = routes.lookup(ip.parse().unwrap()).unwrap();
        (d.route.prefix.to_string(), d.route.next_hop_type, d.route.source)
    }

    #[test]
    fn system_routes_of_a_plain_subnet() {
        let (m, app) = estate(Default::default(), &[]);
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        assert_eq!(hop(&t, "10.1.9.9").1, NextHopType::VnetLocal);
        assert_eq!(hop(&t, "10.2.0.1"), ("10.0.0.0/8".into(), NextHopType::None, "system".into()));
        assert_eq!(hop(&t, "100.64.1.1").1, NextHopType::None);
        assert_eq!(hop(&t, "8.8.8.8"), ("0.0.0.0/0".into(), NextHopType::Internet, "system".into()));
        assert_eq!(hop(&t, "10.1.2.4"), ("10.1.2.4/32".into(), NextHopType::InterfaceEndpoint, "system".into()));
        let d = t.lookup("10.1.2.4".parse().unwrap()).unwrap();
        assert_eq!(d.route.origin.unwrap(), id("privateEndpoints/pe1"));
        assert_eq!(d.beaten.len(), 3, "VNet /16, reserved /8 and the default route");
    }

    #[test]
    fn udr_beats_system_route_of_the_same_prefix() {
        let (m, app) = estate(Default::default(), &[("10.1.0.0/16", NextHopType::VirtualAppliance)]);
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        let (prefix, next_hop, source) = hop(&t, "10.1.9.9");
        assert_eq!((prefix.as_str(), next_hop), ("10.1.0.0/16", NextHopType::VirtualAppliance));
        assert!(source.ends_with("routeTables/rt1/routes/r0"));
    }

    #[test]
    fn pe_route_survives_udrs_without_route_table_policies() {
        let (m, app) = estate(Default::default(), &[("10.1.2.4/32", NextHopType::VirtualAppliance)]);
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        assert_eq!(hop(&t, "10.1.2.4").1, NextHopType::InterfaceEndpoint);
    }

    #[test]
    fn udr_invalidates_pe_route_only_when_policies_on_and_prefix_long_enough() {
        let on = PrivateEndpointPolicies { network_security_groups: false, route_tables: true };
        let (m, app) = estate(on, &[("10.1.0.0/16", NextHopType::VirtualAppliance)]);
        let d = EffectiveRoutes::build(&m, &app).unwrap().lookup("10.1.2.4".parse().unwrap()).unwrap();
        assert_eq!(d.route.next_hop_type, NextHopType::VirtualAppliance);
        assert_eq!(d.invalidated.len(), 1);
        assert!(d.explanation().contains("invalidated"));

        // /8 is shorter than the VNet's /16: the PE route stands.
        let (m, app) = estate(on, &[("10.0.0.0/8", NextHopType::VirtualAppliance)]);
        assert_eq!(hop(&EffectiveRoutes::build(&m, &app).unwrap(), "10.1.2.4").1, NextHopType::InterfaceEndpoint);
        // 0.0.0.0/0 never invalidates.
        let (m, app) = estate(on, &[("0.0.0.0/0", NextHopType::VirtualAppliance)]);
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        assert_eq!(hop(&t, "10.1.2.4").1, NextHopType::InterfaceEndpoint);
        assert_eq!(hop(&t, "8.8.8.8").1, NextHopType::VirtualAppliance);
    }

    #[test]
    fn service_tag_udrs_are_skipped_and_reported() {
        let (m, app) = estate(Default::default(), &[("AzureCloud", NextHopType::Internet)]);
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        assert_eq!(t.skipped().len(), 1);
        assert!(t.skipped()[0].reason.contains("service tag"));
    }

    #[test]
    fn vnet_equal_to_a_reserved_range_replaces_the_drop_route() {
        let (mut m, app) = estate(Default::default(), &[]);
        let vnet = id("virtualNetworks/v1");
        m.resources.virtual_networks.get_mut(&vnet).unwrap().address_space = vec!["10.0.0.0/8".parse().unwrap()];
        let t = EffectiveRoutes::build(&m, &app).unwrap();
        assert_eq!(hop(&t, "10.200.0.1").1, NextHopType::VnetLocal);
    }
}
