//! Reachability of a destination address from an App Service app (azure-semantics §9 steps 2–6).
//!
//! Name resolution is the caller's (the `dns` module): it passes the address and which resource
//! the name belongs to, and attaches its [`Resolution`] to the trace ([`Trace::resolution`]).
//! [`trace_from_site`] then composes, in the order a connection meets them:
//! the egress choice (§3.3), the integration subnet's effective route (§4.4, §2.4), its NSG
//! outbound (§4.2), at a private endpoint the endpoint subnet's NSG inbound when network policies
//! say so, Private Link (connection approval, target), and the service's own gate (§5): the port
//! it listens on, public network access and firewall, with the error the client would see.
//!
//! Every hop names the resource that decided it; a denied trace's `decided_by` is the resource a
//! person must change.

pub mod assumptions;
mod egress;
pub mod redirect;
pub mod refusal;
mod service;

use crate::catalog;
use crate::dns::Resolution;
use crate::nsg::{self, Flow, FlowEndpoint, ServiceAddress, TagOptions, TagScope};
use crate::routes::{BeatenRoute, EffectiveRoute, EffectiveRoutes, RouteDecision, RouteKind};
use egress::choose_egress;
pub use egress::representative_app_address;
pub use egress::route_all_enabled;
use privlink_model::{
    Access, ConnectionStatus, Direction, Model, NextHopType, PrivateEndpoint, Protocol, ResourceId, Site, Subnet,
};
use serde::Serialize;
pub use service::{admitting_virtual_network_rule, service_endpoint_on};
use service::{public_gate, Arrival};
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowVerdict {
    Allowed,
    Denied,
    Unknown,
}

impl FlowVerdict {
    /// The word `trace` prints and JSON carries.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowVerdict::Allowed => "allowed",
            FlowVerdict::Denied => "denied",
            FlowVerdict::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Egress {
    /// Through the integration subnet into the VNet.
    Vnet,
    /// Straight out of the App Service platform to the internet.
    Platform,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    Dns,
    Egress,
    Route,
    Nsg,
    PrivateLink,
    Service,
    /// Azure SQL's `Redirect` policy: the second connection, to the database node's port.
    Redirect,
}

/// The resource that decided something, and what kind of thing it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DecidedBy {
    /// `site`, `site-setting`, `subnet`, `route`, `nsg-rule`, `private-endpoint`,
    /// `private-endpoint-connection`, `service`, `virtual-network`, `virtual-network-rule` (a SQL
    /// server's rule, or the backend whose `networkAcls.virtualNetworkRules` admit the subnet).
    pub kind: &'static str,
    pub id: String,
}

impl DecidedBy {
    pub fn new(kind: &'static str, id: &ResourceId) -> DecidedBy {
        DecidedBy { kind, id: id.to_string() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub step: Step,
    pub verdict: FlowVerdict,
    pub decided_by: Option<DecidedBy>,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowQuery {
    pub from: String,
    /// `host:port`.
    pub to: String,
    pub protocol: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Destination {
    pub ip: IpAddr,
    pub port: u16,
    /// The resource the traffic reaches (a private endpoint's target, or the public endpoint's owner).
    pub resource: Option<ResourceId>,
}

/// The path of one connection, hop by hop.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    pub query: FlowQuery,
    /// How the name resolved from the app's view, when the caller attached it (`null` for a trace
    /// to an address, or where the caller keeps the resolution itself).
    pub resolution: Option<Resolution>,
    pub destination: Destination,
    pub egress: Option<Egress>,
    pub route: Option<RouteDecision>,
    pub hops: Vec<Hop>,
    pub verdict: FlowVerdict,
    /// For `denied` and `unknown`: the hop's deciding resource (for `denied`, the one to change).
    pub decided_by: Option<DecidedBy>,
    pub message: String,
    /// What sent the connection to the hop that decided it, when that is not the hop itself: a
    /// name that resolved public although the app can reach an approved private endpoint.
    pub root_cause: Option<RootCause>,
    /// What to change: the root cause's resource when there is one (fixing it takes the traffic off
    /// the hop that dropped it, so changing that hop would open the wrong path), else `decided_by`
    /// for a denial.
    pub changes: Vec<DecidedBy>,
    /// After the network path: whether the app can sign in to the service and is authorized
    /// ([`crate::access`]); `None` for a trace to an address.
    pub access: Option<crate::access::Access>,
}

/// The earlier step a decision follows from, and the resource to change there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RootCause {
    pub step: Step,
    pub decided_by: DecidedBy,
    pub detail: String,
}

impl Trace {
    /// Records the root cause and what to change.
    pub fn with_root_cause(mut self, cause: Option<RootCause>) -> Trace {
        self.root_cause = cause;
        self.changes = match (&self.root_cause, self.verdict) {
            (Some(c), _) => vec![c.decided_by.clone()],
            (None, FlowVerdict::Denied) => self.decided_by.iter().cloned().collect(),
            (None, _) => Vec::new(),
        };
        self
    }
}

/// What the caller's name resolution knows.
#[derive(Clone, Debug, Default)]
pub struct DnsContext {
    /// The name the app asked for (shown in `query.to`); the address when `None`.
    pub host: Option<String>,
    /// The resource the name belongs to (the backend whose public endpoint a public address is).
    pub backend: Option<ResourceId>,
}

/// Builds a [`Trace`] hop by hop; `finish` fixes the verdict.
struct Tracer {
    trace: Trace,
}

impl Tracer {
    fn start(site_id: &ResourceId, host: &str, ip: IpAddr, port: u16, protocol: Protocol) -> Tracer {
        Tracer {
            trace: Trace {
                query: FlowQuery {
                    from: site_id.to_string(),
                    to: format!("{host}:{port}"),
                    protocol: protocol_name(protocol).into(),
                },
                resolution: None,
                destination: Destination { ip, port, resource: None },
                egress: None,
                route: None,
                hops: Vec::new(),
                verdict: FlowVerdict::Unknown,
                decided_by: None,
                message: String::new(),
                root_cause: None,
                changes: Vec::new(),
                access: None,
            },
        }
    }

    fn hop(&mut self, step: Step, verdict: FlowVerdict, decided_by: Option<DecidedBy>, detail: impl Into<String>) {
        self.trace.hops.push(Hop { step, verdict, decided_by, detail: detail.into() });
    }

    /// Ends the trace with the last hop's verdict and deciding resource.
    fn finish(mut self, message: impl Into<String>) -> Trace {
        let last = self.trace.hops.last();
        self.trace.verdict = last.map_or(FlowVerdict::Unknown, |h| h.verdict);
        self.trace.decided_by = last.filter(|h| h.verdict != FlowVerdict::Allowed).and_then(|h| h.decided_by.clone());
        self.trace.message = message.into();
        self.trace.with_root_cause(None)
    }

    /// Ends the trace with a verdict that is not the last hop's (a path that left the model at an
    /// earlier hop and was allowed by the later ones).
    fn conclude(mut self, verdict: FlowVerdict, decided_by: Option<DecidedBy>, message: impl Into<String>) -> Trace {
        self.trace.verdict = verdict;
        self.trace.decided_by = decided_by;
        self.trace.message = message.into();
        self.trace.with_root_cause(None)
    }

    /// Ends the trace with a hop that decides it.
    fn end(
        mut self,
        step: Step,
        verdict: FlowVerdict,
        decided_by: Option<DecidedBy>,
        detail: impl Into<String>,
        message: impl Into<String>,
    ) -> Trace {
        self.hop(step, verdict, decided_by, detail);
        self.finish(message)
    }
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Any => "*",
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => "icmp",
        Protocol::Esp => "esp",
        Protocol::Ah => "ah",
    }
}

fn backend_type(model: &Model, id: &ResourceId) -> String {
    model.resources.backends.get(id).map_or_else(|| id.resource_type(), |b| b.resource_type.clone())
}

/// Effective routes of every integration subnet, built once for many traces over one model.
#[derive(Clone, Debug, Default)]
pub struct RouteIndex {
    routes: std::collections::BTreeMap<ResourceId, EffectiveRoutes>,
}

impl RouteIndex {
    pub fn build(model: &Model) -> RouteIndex {
        let routes = model
            .resources
            .sites
            .values()
            .filter_map(|s| s.integration_subnet.as_ref())
            .filter_map(|s| EffectiveRoutes::build(model, &s.value).map(|r| (s.value.clone(), r)))
            .collect();
        RouteIndex { routes }
    }

    /// The effective routes of one integration subnet: for tracing one app's connections, where
    /// building every app's routes up front would hold them all at once.
    pub fn for_subnet(model: &Model, subnet: &ResourceId) -> RouteIndex {
        let routes = EffectiveRoutes::build(model, subnet).map(|r| (subnet.clone(), r)).into_iter().collect();
        RouteIndex { routes }
    }
}

/// Traces a connection from `site_id` to `dest_ip:port`. Builds the integration subnet's routes
/// for this one trace; use [`trace_from_site_indexed`] for many traces over one model.
pub fn trace_from_site(
    model: &Model,
    site_id: &ResourceId,
    dest_ip: IpAddr,
    port: u16,
    protocol: Protocol,
    dns: DnsContext,
) -> Trace {
    trace_from_site_indexed(model, &RouteIndex::default(), site_id, dest_ip, port, protocol, dns)
}

/// As [`trace_from_site`], with routes from `index` (built by [`RouteIndex::build`] on the same model).
pub fn trace_from_site_indexed(
    model: &Model,
    index: &RouteIndex,
    site_id: &ResourceId,
    dest_ip: IpAddr,
    port: u16,
    protocol: Protocol,
    dns: DnsContext,
) -> Trace {
    let host = dns.host.clone().unwrap_or_else(|| dest_ip.to_string());
    let mut t = Tracer::start(site_id, &host, dest_ip, port, protocol);
    let Some(site) = model.resources.sites.get(site_id) else {
        return t.end(
            Step::Egress,
            FlowVerdict::Unknown,
            None,
            format!("site {site_id} is not in the estate"),
            "unknown site",
        );
    };
    let (egress, decided_by, detail) = choose_egress(model, site, dest_ip, dns.backend.as_ref());
    t.trace.egress = Some(egress);
    t.hop(Step::Egress, FlowVerdict::Allowed, Some(decided_by), detail);
    let flow = TraceFlow { model, index, site, dest_ip, port, protocol, dns: &dns };
    let trace = match egress {
        Egress::Platform => {
            if !nsg::is_public(dest_ip) {
                return t.end(
                    Step::Egress,
                    FlowVerdict::Denied,
                    Some(DecidedBy::new("site", site_id)),
                    format!("{dest_ip} is not a public address and traffic to it does not enter the VNet"),
                    refusal::TIMEOUT,
                );
            }
            flow.public_destination(t, false)
        }
        Egress::Vnet => flow.through_vnet(t),
    };
    redirect::follow_redirect(model, index, site_id, &dns, trace)
}

struct TraceFlow<'a> {
    model: &'a Model,
    index: &'a RouteIndex,
    site: &'a Site,
    dest_ip: IpAddr,
    port: u16,
    protocol: Protocol,
    dns: &'a DnsContext,
}

impl TraceFlow<'_> {
    fn through_vnet(&self, mut t: Tracer) -> Trace {
        let r = &self.model.resources;
        let subnet_id = &self.site.integration_subnet.as_ref().expect("vnet egress implies integration").value;
        let Some(subnet) = r.subnets.get(subnet_id) else {
            return t.end(
                Step::Route,
                FlowVerdict::Unknown,
                Some(DecidedBy::new("subnet", subnet_id)),
                format!("integration subnet {subnet_id} is not in the estate"),
                "the path leaves the model",
            );
        };
        // Set when the route hands the packet to an appliance or gateway: the deciding route.
        let mut leaves_model: Option<Option<DecidedBy>> = None;
        if self.dest_ip == nsg::AZURE_HOST_IP || self.dest_ip == nsg::IMDS_IP {
            // §11.13: platform addresses bypass UDRs.
            t.hop(
                Step::Route,
                FlowVerdict::Allowed,
                Some(DecidedBy::new("subnet", subnet_id)),
                format!("{} is a platform address; routes do not apply", self.dest_ip),
            );
        } else {
            let built;
            let routes = match self.index.routes.get(subnet_id) {
                Some(r) => r,
                None => {
                    built = EffectiveRoutes::build(self.model, subnet_id).expect("subnet is in the estate");
                    &built
                }
            };
            let Some(decision) = routes.lookup(self.dest_ip) else {
                return t.end(
                    Step::Route,
                    FlowVerdict::Unknown,
                    Some(DecidedBy::new("subnet", subnet_id)),
                    format!("no route of {} covers {}", subnet.meta.name, self.dest_ip),
                    "the path leaves the model",
                );
            };
            let (decision, by, detail) = match self.service_endpoint_route(subnet, decision) {
                Ok(se) => se,
                Err(decision) => {
                    let responsible = decision.route.origin.clone().unwrap_or_else(|| subnet.vnet.clone());
                    let detail = decision.explanation();
                    (decision, Some(DecidedBy::new("route", &responsible)), detail)
                }
            };
            let hop_type = decision.route.next_hop_type;
            t.trace.route = Some(decision);
            match hop_type {
                NextHopType::None => {
                    return t.end(
                        Step::Route,
                        FlowVerdict::Denied,
                        by,
                        format!("{detail}: next hop None drops the packet"),
                        refusal::TIMEOUT,
                    )
                }
                NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway => {
                    // The packet leaves the model at the appliance, but it still leaves the
                    // integration subnet first: its NSG outbound rules apply (§3.3, §4.2), so a
                    // deny there is certain and decides; otherwise the verdict is unknown.
                    t.hop(
                        Step::Route,
                        FlowVerdict::Unknown,
                        by.clone(),
                        format!("{detail}: the packet leaves the model"),
                    );
                    leaves_model = Some(by);
                }
                _ => t.hop(Step::Route, FlowVerdict::Allowed, by, detail),
            }
        }

        let source_ip = representative_app_address(subnet);
        let backend_service = self.public_service_address();
        let outbound = Flow {
            source: FlowEndpoint { ip: source_ip, ..Default::default() },
            destination: self.destination_endpoint(backend_service),
            source_port: None,
            destination_port: self.port,
            protocol: self.protocol,
        };
        match &subnet.nsg {
            Some(nsg_id) => {
                let scope = TagScope::for_subnet(self.model, subnet_id, TagOptions::default());
                let d = nsg::evaluate(self.model, nsg_id, Direction::Outbound, &outbound, &scope);
                let by = Some(DecidedBy::new("nsg-rule", d.rule.as_ref().unwrap_or(nsg_id)));
                if d.access == Access::Deny {
                    return t.end(Step::Nsg, FlowVerdict::Denied, by, d.explanation, refusal::TIMEOUT);
                }
                t.hop(Step::Nsg, FlowVerdict::Allowed, by, d.explanation);
            }
            None => t.hop(
                Step::Nsg,
                FlowVerdict::Allowed,
                Some(DecidedBy::new("subnet", subnet_id)),
                format!("integration subnet {} has no NSG", subnet.meta.name),
            ),
        }

        if let Some(by) = leaves_model {
            return t.conclude(
                FlowVerdict::Unknown,
                by,
                "leaves the model: what the appliance or gateway does is not modelled",
            );
        }

        let internet = t.trace.route.as_ref().is_some_and(|d| d.route.next_hop_type == NextHopType::Internet);
        if internet || nsg::is_public(self.dest_ip) {
            return self.public_destination(t, true);
        }
        self.private_destination(t, &outbound)
    }

    /// §4.4: a subnet with the service endpoint of the backend whose public address the packet is
    /// for routes it by the endpoint's route (`VirtualNetworkServiceEndpoint`, the service's
    /// prefixes), which beats the broader routes, a user `0.0.0.0/0` to an appliance included, and
    /// loses only to a user route for the address itself (assumptions A8). `Err` gives the
    /// decision back when no service endpoint applies.
    fn service_endpoint_route(
        &self,
        subnet: &Subnet,
        won: RouteDecision,
    ) -> Result<(RouteDecision, Option<DecidedBy>, String), RouteDecision> {
        let endpoint = self
            .dns
            .backend
            .as_ref()
            .filter(|_| nsg::is_public(self.dest_ip))
            .and_then(|b| service_endpoint_on(subnet, &backend_type(self.model, b)));
        let host = ipnet::IpNet::from(self.dest_ip);
        let Some(endpoint) = endpoint.filter(|_| won.route.prefix.prefix_len() < host.prefix_len()) else {
            return Err(won);
        };
        let reason = format!("the {endpoint} service endpoint's prefixes are more specific (assumptions A8)");
        let detail = format!(
            "the {endpoint} service endpoint of {} routes the service's prefixes (next hop VirtualNetworkServiceEndpoint; privlink stands {host} for them, assumptions A8); it beats {} -> {} ({})",
            subnet.meta.name,
            won.route.prefix,
            won.route.next_hop_type.as_arm(),
            won.route.source
        );
        let mut beaten = vec![BeatenRoute { route: won.route, reason: reason.clone() }];
        beaten.extend(won.beaten.into_iter().map(|b| BeatenRoute { route: b.route, reason: reason.clone() }));
        let route = EffectiveRoute {
            prefix: host,
            next_hop_type: NextHopType::VirtualNetworkServiceEndpoint,
            next_hop_ip: None,
            source: "system".into(),
            kind: RouteKind::ServiceEndpoint,
            origin: Some(subnet.meta.id.clone()),
        };
        let by = Some(DecidedBy::new("route", &subnet.meta.id));
        Ok((RouteDecision { route, beaten, invalidated: won.invalidated }, by, detail))
    }

    /// The destination end of a flow: a PE's or NIC's ASGs, or the service whose public endpoint it is.
    fn destination_endpoint(&self, service: Option<ServiceAddress>) -> FlowEndpoint {
        let mut asgs = Vec::new();
        for nic_id in self.model.indexes.nics_by_ip.get(&self.dest_ip).into_iter().flatten() {
            if let Some(nic) = self.model.resources.network_interfaces.get(nic_id) {
                asgs.extend(nic.application_security_groups.iter().cloned());
                if let Some(pe) =
                    nic.private_endpoint.as_ref().and_then(|p| self.model.resources.private_endpoints.get(p))
                {
                    asgs.extend(pe.application_security_groups.iter().cloned());
                }
            }
        }
        asgs.sort();
        asgs.dedup();
        FlowEndpoint { ip: Some(self.dest_ip), application_security_groups: asgs, service }
    }

    /// The service tag and region of the backend when the destination is its public endpoint.
    fn public_service_address(&self) -> Option<ServiceAddress> {
        if !nsg::is_public(self.dest_ip) {
            return None;
        }
        let backend = self.dns.backend.as_ref()?;
        let ty = backend_type(self.model, backend);
        let tag = catalog::entries_for_type(&ty).find_map(|e| e.service_tag)?;
        let region = self.model.resources.backends.get(backend).and_then(|b| b.meta.region());
        Some(ServiceAddress { tag: tag.to_string(), region })
    }

    fn private_destination(&self, mut t: Tracer, outbound: &Flow) -> Trace {
        let Some(pe) = self.model.endpoint_owning_ip(self.dest_ip) else {
            return self.other_private_destination(t, outbound);
        };
        let r = &self.model.resources;
        let pe_id = &pe.meta.id;
        if let Some(pe_subnet) = pe.subnet.as_ref().and_then(|s| r.subnets.get(s)) {
            match (&pe_subnet.nsg, pe_subnet.private_endpoint_policies.network_security_groups) {
                (Some(nsg_id), true) => {
                    let scope = TagScope::for_subnet(self.model, &pe_subnet.meta.id, TagOptions::default());
                    let d = nsg::evaluate(self.model, nsg_id, Direction::Inbound, outbound, &scope);
                    let by = Some(DecidedBy::new("nsg-rule", d.rule.as_ref().unwrap_or(nsg_id)));
                    if d.access == Access::Deny {
                        return t.end(Step::Nsg, FlowVerdict::Denied, by, d.explanation, refusal::TIMEOUT);
                    }
                    t.hop(Step::Nsg, FlowVerdict::Allowed, by, d.explanation);
                }
                (Some(nsg_id), false) => t.hop(
                    Step::Nsg,
                    FlowVerdict::Allowed,
                    Some(DecidedBy::new("subnet", &pe_subnet.meta.id)),
                    format!(
                        "NSG {} of subnet {} does not filter private-endpoint traffic: privateEndpointNetworkPolicies is {}",
                        nsg_id.name(),
                        pe_subnet.meta.name,
                        pe_subnet.private_endpoint_policies.as_arm()
                    ),
                ),
                (None, _) => {}
            }
        }

        let Some(conn) = pe.primary_connection() else {
            return t.end(
                Step::PrivateLink,
                FlowVerdict::Denied,
                Some(DecidedBy::new("private-endpoint", pe_id)),
                format!("private endpoint {} has no private link service connection", pe.meta.name),
                refusal::TIMEOUT,
            );
        };
        let pe_conn_id = pe_id.child(
            if conn.manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" },
            &conn.name,
        );
        let target = conn.target.clone();
        t.trace.destination.resource = target.clone();
        let backend = target.as_ref().and_then(|id| r.backends.get(id));
        let backend_conn =
            backend.and_then(|b| b.connections.iter().find(|c| c.private_endpoint.as_ref() == Some(pe_id)));
        let backend_conn_id = backend_conn.map(|c| match (&c.id, backend) {
            (Some(id), _) => id.clone(),
            (None, Some(b)) => b.meta.id.child("privateEndpointConnections", &c.name),
            (None, None) => pe_conn_id.clone(),
        });
        // The approval a person grants is on the target's side; name it when the target records one.
        let approval_id = backend_conn_id.clone().unwrap_or_else(|| pe_conn_id.clone());
        if conn.status != ConnectionStatus::Approved {
            return t.end(
                Step::PrivateLink,
                FlowVerdict::Denied,
                Some(DecidedBy::new("private-endpoint-connection", &approval_id)),
                format!(
                    "connection {} of private endpoint {} is {}, not Approved: the endpoint forwards nothing",
                    conn.name,
                    pe.meta.name,
                    conn.status.as_str()
                ),
                format!("{} (private endpoint connection {})", refusal::TIMEOUT, conn.status.as_str()),
            );
        }
        if let (Some(c), Some(cid)) = (backend_conn, &backend_conn_id) {
            if c.status != ConnectionStatus::Approved {
                return t.end(
                    Step::PrivateLink,
                    FlowVerdict::Denied,
                    Some(DecidedBy::new("private-endpoint-connection", cid)),
                    format!(
                        "the target records connection {} from {} as {}, not Approved",
                        c.name,
                        pe.meta.name,
                        c.status.as_str()
                    ),
                    format!("{} (private endpoint connection {})", refusal::TIMEOUT, c.status.as_str()),
                );
            }
        }
        let Some(target) = target else {
            return t.end(
                Step::PrivateLink,
                FlowVerdict::Unknown,
                Some(DecidedBy::new("private-endpoint", pe_id)),
                format!(
                    "private endpoint {} targets a Private Link service alias; the service behind it is not modelled",
                    pe.meta.name
                ),
                "leaves the model",
            );
        };
        if let Some(intended) = self.dns.backend.as_ref().filter(|b| **b != target) {
            return t.end(
                Step::PrivateLink,
                FlowVerdict::Denied,
                Some(DecidedBy::new("private-endpoint", pe_id)),
                format!(
                    "{} resolves to private endpoint {}, which forwards only to {} ({}), not to {intended}",
                    self.dns.host.as_deref().unwrap_or("the name"),
                    pe.meta.name,
                    target,
                    conn.group_ids.join(",")
                ),
                format!("the connection reaches {} instead of {}", target.name(), intended.name()),
            );
        }
        t.hop(
            Step::PrivateLink,
            FlowVerdict::Allowed,
            Some(DecidedBy::new("private-endpoint-connection", &approval_id)),
            format!(
                "private endpoint {} forwards to {} (group {}); its connection is Approved",
                pe.meta.name,
                target,
                conn.group_ids.join(",")
            ),
        );
        if let Some(refused) = self.port_refusal(&target, backend, &conn.group_ids, true) {
            return t.end(
                Step::Service,
                FlowVerdict::Denied,
                Some(DecidedBy::new("service", &target)),
                refused.0,
                refused.1,
            );
        }
        t.hop(
            Step::Service,
            FlowVerdict::Allowed,
            Some(DecidedBy::new("service", &target)),
            format!("{} admits traffic through an approved private endpoint whatever its public network access and firewall say (https://learn.microsoft.com/azure/private-link/private-endpoint-overview)", target.name()),
        );
        self.connected(t, pe)
    }

    fn connected(&self, t: Tracer, pe: &PrivateEndpoint) -> Trace {
        let message = format!("connected to {} through private endpoint {}", t.trace.query.to, pe.meta.name);
        t.finish(message)
    }

    /// A private address that is not a private endpoint: a NIC (subnet NSG then NIC NSG inbound, §4.2) or nothing.
    fn other_private_destination(&self, mut t: Tracer, outbound: &Flow) -> Trace {
        let r = &self.model.resources;
        let Some(nic) = self
            .model
            .indexes
            .nics_by_ip
            .get(&self.dest_ip)
            .and_then(|n| n.first())
            .and_then(|n| r.network_interfaces.get(n))
        else {
            let by = self.model.vnet_containing(self.dest_ip).map(|v| DecidedBy::new("virtual-network", &v.meta.id));
            return t.end(
                Step::Service,
                FlowVerdict::Unknown,
                by,
                format!("no resource of the estate holds {}", self.dest_ip),
                "unknown: nothing in the estate answers at this address",
            );
        };
        let subnet = nic
            .ip_configurations
            .iter()
            .find(|c| c.private_ip == Some(self.dest_ip))
            .and_then(|c| c.subnet.as_ref())
            .and_then(|s| r.subnets.get(s));
        let nsgs = subnet
            .and_then(|s| s.nsg.clone().map(|n| (n, s.meta.id.clone())))
            .into_iter()
            .chain(nic.nsg.clone().map(|n| (n, subnet.map_or_else(|| nic.meta.id.clone(), |s| s.meta.id.clone()))));
        for (nsg_id, scope_subnet) in nsgs {
            let scope = TagScope::for_subnet(self.model, &scope_subnet, TagOptions::default());
            let d = nsg::evaluate(self.model, &nsg_id, Direction::Inbound, outbound, &scope);
            let by = Some(DecidedBy::new("nsg-rule", d.rule.as_ref().unwrap_or(&nsg_id)));
            if d.access == Access::Deny {
                return t.end(Step::Nsg, FlowVerdict::Denied, by, d.explanation, refusal::TIMEOUT);
            }
            t.hop(Step::Nsg, FlowVerdict::Allowed, by, d.explanation);
        }
        t.trace.destination.resource = Some(nic.meta.id.clone());
        let message = format!(
            "reaches network interface {}; whether anything listens on port {} is outside the model",
            nic.meta.name, self.port
        );
        t.finish(message)
    }

    /// A public address: only a backend of the estate (named by the caller) can be judged.
    /// `through_vnet`: the traffic left through the integration subnet.
    fn public_destination(&self, t: Tracer, through_vnet: bool) -> Trace {
        let Some(backend_id) = self.dns.backend.clone() else {
            return t.end(
                Step::Service,
                FlowVerdict::Unknown,
                None,
                format!("{} belongs to no resource of the estate", self.dest_ip),
                "leaves the model",
            );
        };
        let mut t = t;
        t.trace.destination.resource = Some(backend_id.clone());
        let Some(backend) = self.model.resources.backends.get(&backend_id) else {
            if let Some(site) = self.model.resources.sites.get(&backend_id) {
                let (verdict, detail, message) = service::site_public_gate(site, &self.site.meta.id);
                return t.end(Step::Service, verdict, Some(DecidedBy::new("site", &backend_id)), detail, message);
            }
            return t.end(
                Step::Service,
                FlowVerdict::Unknown,
                Some(DecidedBy::new("service", &backend_id)),
                format!("{backend_id} is not in the estate"),
                "leaves the model",
            );
        };
        let by = Some(DecidedBy::new("service", &backend_id));
        if let Some((detail, message)) = self.port_refusal(&backend_id, Some(backend), &[], false) {
            return t.end(Step::Service, FlowVerdict::Denied, by, detail, message);
        }
        let subnet = self.site.integration_subnet.as_ref().and_then(|s| self.model.resources.subnets.get(&s.value));
        let gate = public_gate(backend, &Arrival { subnet, through_vnet });
        t.end(Step::Service, gate.verdict, gate.decided_by.or(by), gate.detail, gate.message)
    }
}

/// What `backend` answers traffic from `site` that reaches its public endpoint (through the VNet
/// when `through_vnet`), as a trace's service step decides it: for a rule that must know whether
/// allowing an earlier hop would make the connection work. `None` when either is not in the estate.
pub fn public_endpoint_verdict(
    model: &Model,
    site: &ResourceId,
    backend: &ResourceId,
    through_vnet: bool,
) -> Option<FlowVerdict> {
    let site = model.resources.sites.get(site)?;
    let backend = model.resources.backends.get(backend)?;
    let subnet = site.integration_subnet.as_ref().and_then(|s| model.resources.subnets.get(&s.value));
    Some(public_gate(backend, &Arrival { subnet, through_vnet }).verdict)
}

/// Why a trace ended at name resolution (NXDOMAIN, SERVFAIL, a name privlink cannot resolve).
pub struct DnsStop {
    pub verdict: FlowVerdict,
    pub decided_by: Option<DecidedBy>,
    pub detail: String,
    /// What the client sees, e.g. `getaddrinfo failed: … (NXDOMAIN)`.
    pub message: String,
}

/// A trace that ends at name resolution. Nothing after DNS is evaluated: the client never gets an
/// address to connect to.
pub fn stopped_at_dns(site_id: &ResourceId, host: &str, port: u16, stop: DnsStop) -> Trace {
    let mut t = Tracer::start(site_id, host, IpAddr::from([0, 0, 0, 0]), port, Protocol::Tcp);
    t.hop(Step::Dns, stop.verdict, stop.decided_by, stop.detail);
    t.finish(stop.message)
}
