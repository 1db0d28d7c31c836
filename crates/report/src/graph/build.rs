//! From the model and the analysis to a [`Drawing`]: every node keyed by (kind, lower-cased id),
//! every edge keyed by its ends, each remembering which apps drew it (collapsing needs that).

use super::{DependencyEdge, EdgeKind, NodeKind, Pick, Verdict, VerdictCounts};
use privlink_engine::access::AccessVerdict;
use privlink_engine::dns::{view_of, Querier, ViewKind};
use privlink_engine::path::{DecidedBy, FlowVerdict};
use privlink_model::{Model, ResourceId, Site};
use privlink_rules::deps::{Analysis, Dependency, PathOutcome};
use std::collections::{BTreeMap, BTreeSet};

/// A node before it has an id: its kind and a key unique within the kind.
pub(super) type Key = (NodeKind, String);

/// An end of an edge: a node, or a cluster (a VNet, by its key).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum End {
    Node(Key),
    Cluster(String),
}

pub(super) struct DrawnNode {
    pub label: Vec<String>,
    pub resource: Option<ResourceId>,
    pub cluster: Option<String>,
    pub deciding: bool,
    /// The apps (indexes into [`Drawing::apps`]) whose paths include the node.
    pub users: BTreeSet<usize>,
}

pub(super) struct DrawnCluster {
    pub resource: ResourceId,
    pub deciding: bool,
    pub users: BTreeSet<usize>,
}

pub(super) struct DrawnEdge {
    pub label: Vec<String>,
    pub verdict: Option<Verdict>,
    pub worse: bool,
    pub dependency: Option<DependencyEdge>,
    pub users: BTreeSet<usize>,
}

/// What one app looks like, for grouping apps that look the same.
pub(super) struct DrawnApp {
    /// The shape of its paths: DNS kind, what its subnet carries, and per dependency the
    /// resolution, verdict and step (names, ports and services left out: every spoke has its own
    /// backends, and what a person looks for is which spokes fail how).
    pub shape: String,
    pub verdicts: VerdictCounts,
}

#[derive(Default)]
pub(super) struct Drawing {
    pub nodes: BTreeMap<Key, DrawnNode>,
    pub clusters: BTreeMap<String, DrawnCluster>,
    /// Keyed by (kind, from, to, a tag telling apart edges between the same ends).
    pub edges: BTreeMap<(EdgeKind, End, End, String), DrawnEdge>,
    pub apps: Vec<DrawnApp>,
}

fn key_of(id: &ResourceId) -> String {
    id.to_string().to_ascii_lowercase()
}

/// The edge verdict: the trace's, except that an app that reaches the service but is refused at
/// sign-in is denied "at access" (as trace's table lists it among the blocked). A sign-in
/// privlink cannot decide leaves the verdict allowed and says so in the label.
pub(super) fn verdict_of(p: &PathOutcome) -> (Verdict, Option<String>) {
    match p.verdict {
        FlowVerdict::Denied => (Verdict::Denied, p.denied.as_ref().map(|(s, _)| word(s))),
        FlowVerdict::Unknown => (Verdict::Unknown, None),
        FlowVerdict::Allowed => match p.access_verdict {
            Some(AccessVerdict::Denied) => (Verdict::Denied, Some("access".to_string())),
            _ => (Verdict::Allowed, None),
        },
    }
}

pub(super) fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl Drawing {
    fn node(&mut self, kind: NodeKind, key: String, app: usize, make: impl FnOnce() -> DrawnNode) -> Key {
        let k = (kind, key);
        self.nodes.entry(k.clone()).or_insert_with(make).users.insert(app);
        k
    }

    fn cluster(&mut self, vnet: &ResourceId, app: usize) -> String {
        let k = key_of(vnet);
        self.clusters
            .entry(k.clone())
            .or_insert_with(|| DrawnCluster { resource: vnet.clone(), deciding: false, users: BTreeSet::new() })
            .users
            .insert(app);
        k
    }

    fn edge(&mut self, kind: EdgeKind, from: End, to: End, tag: String, app: usize, make: impl FnOnce() -> DrawnEdge) {
        self.edges.entry((kind, from, to, tag)).or_insert_with(make).users.insert(app);
    }

    fn plain_edge(&mut self, kind: EdgeKind, from: &Key, to: &Key, label: &[&str], app: usize) {
        let label: Vec<String> = label.iter().map(|s| s.to_string()).collect();
        self.edge(kind, End::Node(from.clone()), End::Node(to.clone()), String::new(), app, || DrawnEdge {
            label,
            verdict: None,
            worse: false,
            dependency: None,
            users: BTreeSet::new(),
        });
    }

    /// Marks the node or cluster that draws `id` (or its nearest drawn parent: an NSG for its
    /// rule, a route table for its route, the app for its setting) as deciding.
    fn mark(&mut self, id: &str) {
        let Ok(mut id) = ResourceId::parse(id) else { return };
        loop {
            let k = key_of(&id);
            if let Some(c) = self.clusters.get_mut(&k) {
                c.deciding = true;
                return;
            }
            if let Some(n) = self.nodes.iter_mut().find(|(key, _)| key.1 == k).map(|(_, n)| n) {
                n.deciding = true;
                return;
            }
            match id.parent() {
                Some(p) if p.namespace().is_some() => id = p,
                _ => return,
            }
        }
    }
}

fn resource_node(label: Vec<String>, resource: &ResourceId, cluster: Option<String>) -> DrawnNode {
    DrawnNode { label, resource: Some(resource.clone()), cluster, deciding: false, users: BTreeSet::new() }
}

fn plain_node(label: Vec<String>) -> DrawnNode {
    DrawnNode { label, resource: None, cluster: None, deciding: false, users: BTreeSet::new() }
}

/// Every app (or `from` only) and the dependencies `pick` keeps.
pub(super) fn draw(
    model: &Model,
    analysis: &Analysis,
    from: Option<&ResourceId>,
    pick: &dyn Fn(&Dependency) -> Pick,
    every_app: bool,
) -> Drawing {
    let mut by_site: BTreeMap<&ResourceId, Vec<(&Dependency, &PathOutcome, Pick)>> = BTreeMap::new();
    for (d, p) in analysis.traced() {
        if from.is_some_and(|f| f != &d.site.meta.id) {
            continue;
        }
        match pick(d) {
            Pick::Skip => {}
            chosen => by_site.entry(&d.site.meta.id).or_default().push((d, p, chosen)),
        }
    }
    let mut drawing = Drawing::default();
    let mut deciders: Vec<String> = Vec::new();
    for site in model.resources.sites.values() {
        if from.is_some_and(|f| f != &site.meta.id) {
            continue;
        }
        let deps = by_site.remove(&site.meta.id).unwrap_or_default();
        // A selection shows only the apps with something picked; the whole estate every app.
        if deps.is_empty() && !every_app && from.is_none() {
            continue;
        }
        draw_site(model, &mut drawing, site, &deps, &mut deciders);
    }
    for id in deciders {
        drawing.mark(&id);
    }
    peerings(model, &mut drawing);
    drawing
}

fn draw_site(
    model: &Model,
    drawing: &mut Drawing,
    site: &Site,
    deps: &[(&Dependency, &PathOutcome, Pick)],
    deciders: &mut Vec<String>,
) {
    let index = drawing.apps.len();
    let app = drawing.node(NodeKind::App, key_of(&site.meta.id), index, || {
        resource_node(vec![site.meta.name.clone()], &site.meta.id, None)
    });
    let mut shape: Vec<String> = Vec::new();
    // VNet integration, and what the subnet carries.
    if let Some(subnet_id) = site.integration_subnet.as_ref().map(|s| &s.value) {
        let subnet = model.resources.subnets.get(subnet_id);
        let vnet = subnet.map(|s| s.vnet.clone()).or_else(|| subnet_id.parent());
        let cluster = vnet.as_ref().map(|v| drawing.cluster(v, index));
        let label = vec![subnet_id.name().to_string(), prefixes(subnet)];
        let sn = drawing.node(NodeKind::Subnet, key_of(subnet_id), index, || {
            resource_node(label.into_iter().filter(|l| !l.is_empty()).collect(), subnet_id, cluster)
        });
        drawing.plain_edge(EdgeKind::Integration, &app, &sn, &["VNet integration"], index);
        shape.push("subnet".into());
        if let Some(nsg) = subnet.and_then(|s| s.nsg.as_ref()) {
            let n = drawing.node(NodeKind::NetworkSecurityGroup, key_of(nsg), index, || {
                resource_node(vec![nsg.name().to_string(), "NSG".into()], nsg, None)
            });
            drawing.plain_edge(EdgeKind::Attached, &n, &sn, &[], index);
            shape.push("nsg".into());
        }
        if let Some(rt) = subnet.and_then(|s| s.route_table.as_ref()) {
            let n = drawing.node(NodeKind::RouteTable, key_of(rt), index, || {
                resource_node(vec![rt.name().to_string(), "route table".into()], rt, None)
            });
            drawing.plain_edge(EdgeKind::Attached, &n, &sn, &[], index);
            shape.push("route-table".into());
        }
    }
    // The DNS path: what the app asks, and the zones that answer there.
    let view = view_of(model, &Querier::Site(site.meta.id.clone()));
    shape.push(word(&view.kind));
    let servers = view.dns_servers.join(", ");
    let azure_dns = |drawing: &mut Drawing, vnet: &ResourceId| {
        drawing.node(NodeKind::Dns, format!("azure-dns:{}", key_of(vnet)), index, || {
            plain_node(vec!["Azure DNS".into(), format!("as {} sees it", vnet.name())])
        })
    };
    let first = match view.kind {
        ViewKind::AzureDns => view.vnet.as_ref().map(|v| azure_dns(drawing, v)),
        ViewKind::Public => Some(drawing.node(NodeKind::Dns, "public".into(), index, || {
            plain_node(vec!["public DNS".into(), "no private zone answers".into()])
        })),
        ViewKind::CustomDns => Some(drawing.node(NodeKind::Dns, format!("custom:{servers}"), index, || {
            plain_node(vec!["custom DNS".into(), servers.clone(), "not modelled".into()])
        })),
        ViewKind::PrivateResolver | ViewKind::FirewallDnsProxy => {
            let (what, name) = dns_server_name(model, &view.dns_servers, view.kind);
            let n = drawing.node(NodeKind::Dns, format!("{}:{servers}", word(&view.kind)), index, || {
                plain_node(vec![name.clone(), what.into(), servers.clone()])
            });
            if let Some(v) = view.vnet.as_ref() {
                let azure = azure_dns(drawing, v);
                drawing.plain_edge(EdgeKind::Forwards, &n, &azure, &[], index);
            }
            Some(n)
        }
    };
    if let Some(first) = &first {
        drawing.plain_edge(EdgeKind::Dns, &app, first, &["DNS"], index);
    }
    if let Some(vnet) = view.vnet.as_ref() {
        let azure = azure_dns(drawing, vnet);
        for link in model.indexes.links_of_vnet.get(vnet).into_iter().flatten() {
            let Some(link) = model.resources.virtual_network_links.get(link) else { continue };
            let Some(zone) = model.resources.private_dns_zones.get(&link.zone) else { continue };
            let z = drawing.node(NodeKind::PrivateDnsZone, key_of(&zone.meta.id), index, || {
                resource_node(vec![zone.zone.to_string(), "private DNS zone".into()], &zone.meta.id, None)
            });
            drawing.plain_edge(EdgeKind::ZoneLink, &azure, &z, &["link"], index);
        }
    }
    // The dependencies.
    let mut verdicts = VerdictCounts::default();
    for (d, p, chosen) in deps {
        let (verdict, step) = verdict_of(p);
        match verdict {
            Verdict::Allowed => verdicts.allowed += 1,
            Verdict::Denied => verdicts.denied += 1,
            Verdict::Unknown => verdicts.unknown += 1,
        }
        let resolution = word(&d.answer.verdict);
        let endpoint = endpoint_reached(model, p);
        // What the connection reaches, else (a connection stopped before it) whose name it is.
        let owner = p.destination.resource.clone().or_else(|| privlink_engine::trace::owner_of(model, &d.name));
        let backend = owner
            .as_ref()
            .filter(|r| model.resources.backends.contains_key(*r) || model.resources.sites.contains_key(*r));
        let backend_node = backend.map(|b| {
            let kind = model.resources.backends.get(b).map_or_else(|| "app".to_string(), |be| be.resource_type.clone());
            drawing.node(NodeKind::Backend, key_of(b), index, || {
                resource_node(vec![b.name().to_string(), kind.clone()], b, None)
            })
        });
        let target = match (endpoint, &backend_node) {
            (Some(pe), _) => {
                let cluster = pe
                    .subnet
                    .as_ref()
                    .and_then(|s| model.resources.subnets.get(s).map(|s| s.vnet.clone()).or_else(|| s.parent()))
                    .map(|v| drawing.cluster(&v, index));
                let ip = p.destination.ip.to_string();
                let pe_node = drawing.node(NodeKind::PrivateEndpoint, key_of(&pe.meta.id), index, || {
                    resource_node(vec![pe.meta.name.clone(), format!("private endpoint {ip}")], &pe.meta.id, cluster)
                });
                if let Some(b) = &backend_node {
                    drawing.plain_edge(EdgeKind::Endpoint, &pe_node, b, &[], index);
                }
                if let Some(zone) = d.answer.zone.as_ref().map(key_of) {
                    let zone_key = (NodeKind::PrivateDnsZone, zone);
                    if drawing.nodes.contains_key(&zone_key) {
                        drawing.plain_edge(EdgeKind::Record, &zone_key, &pe_node, &[], index);
                    }
                }
                pe_node
            }
            (None, Some(b)) => b.clone(),
            (None, None) => drawing.node(NodeKind::Host, d.name.to_string(), index, || {
                plain_node(vec![d.name.to_string(), "outside the estate".into()])
            }),
        };
        let decided_by = p.decided_by.as_ref().or(p.denied_by()).map(|b: &DecidedBy| b.id.clone());
        if verdict != Verdict::Allowed {
            deciders.extend(decided_by.iter().cloned());
            deciders.extend(p.to_change.as_ref().map(|c| c.id.clone()));
        }
        let mut outcome = match &step {
            Some(step) => format!("{resolution} · {} at {step}", verdict.as_str()),
            None => format!("{resolution} · {}", verdict.as_str()),
        };
        if verdict == Verdict::Allowed && p.access_verdict == Some(AccessVerdict::Indeterminate) {
            outcome.push_str(" · sign-in unknown");
        }
        let to = format!("{}:{}", d.name, d.port);
        shape.push(format!("{}:{}:{}", resolution, verdict.as_str(), step.as_deref().unwrap_or("-")));
        let dependency = DependencyEdge {
            app: site.meta.id.to_string(),
            name: d.name.to_string(),
            port: d.port,
            resolution,
            step,
            decided_by,
        };
        let worse = *chosen == Pick::DrawWorse;
        drawing.edge(EdgeKind::Dependency, End::Node(app.clone()), End::Node(target), to.clone(), index, || {
            DrawnEdge {
                label: vec![to.clone(), outcome],
                verdict: Some(verdict),
                worse,
                dependency: Some(dependency),
                users: BTreeSet::new(),
            }
        });
    }
    shape.sort();
    shape.dedup();
    drawing.apps.push(DrawnApp { shape: shape.join(" "), verdicts });
}

fn prefixes(subnet: Option<&privlink_model::Subnet>) -> String {
    subnet.map(|s| s.prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")).unwrap_or_default()
}

/// The name of the resolver or firewall answering at the view's first server.
fn dns_server_name(model: &Model, servers: &[String], kind: ViewKind) -> (&'static str, String) {
    let ip = servers.first().and_then(|s| s.parse().ok());
    match kind {
        ViewKind::PrivateResolver => {
            let name = ip
                .and_then(|ip| model.indexes.resolver_inbound_by_ip.get(&ip))
                .and_then(|e| model.resources.inbound_endpoints.get(e))
                .map_or_else(|| "private resolver".to_string(), |e| e.resolver.name().to_string());
            ("DNS private resolver", name)
        }
        _ => {
            let name = ip
                .and_then(|ip| model.indexes.firewall_by_ip.get(&ip))
                .map_or_else(|| "firewall".to_string(), |f| f.name().to_string());
            ("Azure Firewall DNS proxy", name)
        }
    }
}

/// The private endpoint a connection reaches: the endpoint whose NIC holds the destination
/// address and whose connection targets the destination's resource.
fn endpoint_reached<'m>(model: &'m Model, p: &PathOutcome) -> Option<&'m privlink_model::PrivateEndpoint> {
    let nics = model.indexes.nics_by_ip.get(&p.destination.ip)?;
    nics.iter()
        .filter_map(|nic| model.resources.network_interfaces.get(nic)?.private_endpoint.as_ref())
        .filter_map(|pe| model.resources.private_endpoints.get(pe))
        .find(|pe| match (&p.destination.resource, pe.primary_connection().and_then(|c| c.target.as_ref())) {
            (Some(wanted), Some(target)) => wanted == target,
            _ => true,
        })
}

/// Peerings between the VNets drawn, once per pair (the lower key first).
fn peerings(model: &Model, drawing: &mut Drawing) {
    let drawn: Vec<(String, ResourceId)> =
        drawing.clusters.iter().map(|(k, c)| (k.clone(), c.resource.clone())).collect();
    for (key, vnet) in &drawn {
        for peering in model.indexes.peerings_of_vnet.get(vnet).into_iter().flatten() {
            let Some(peering) = model.resources.peerings.get(peering) else { continue };
            let Some(remote) = peering.remote_vnet.as_ref().map(key_of) else { continue };
            if remote <= *key || !drawing.clusters.contains_key(&remote) {
                continue;
            }
            let users: BTreeSet<usize> =
                drawing.clusters[key].users.union(&drawing.clusters[&remote].users).copied().collect();
            let label = if peering.state.eq_ignore_ascii_case("connected") {
                vec!["peering".to_string()]
            } else {
                vec!["peering".to_string(), peering.state.clone()]
            };
            drawing.edges.insert(
                (EdgeKind::Peering, End::Cluster(key.clone()), End::Cluster(remote), String::new()),
                DrawnEdge { label, verdict: None, worse: false, dependency: None, users },
            );
        }
    }
}
