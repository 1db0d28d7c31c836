//! The estate as a diagram, as the seeds draw it: apps → VNet integration → the DNS they use and
//! the private zones it answers from → private endpoints → backends, with NSGs and route tables
//! on the subnets and peerings between VNets. Every app → dependency edge carries the engine's
//! verdict (allowed / denied at a step / unknown), and the resource that decided a denial is
//! marked. Nothing here decides: the verdicts are the [`Analysis`]'s, the DNS path is the
//! engine's view of the app.
//!
//! [`build`] makes an [`EstateGraph`] (a value: nodes, edges, clusters, all in id order); the
//! renderers ([`to_mermaid`], [`to_dot`], [`to_svg`], [`to_json`]) are pure functions of it, so
//! the same estate always gives the same bytes.

mod build;
mod collapse;
mod dot;
mod mermaid;
mod svg;

pub use dot::to_dot;
pub use mermaid::to_mermaid;
pub use svg::to_svg;

use privlink_model::{Model, ResourceId};
use privlink_rules::deps::{Analysis, Dependency};
use serde::Serialize;

/// What to draw.
#[derive(Clone, Debug)]
pub struct GraphOptions {
    /// Draw this app's paths only (no collapsing).
    pub from_site: Option<ResourceId>,
    /// Apps that look the same (the same shape of verdicts, see `collapse`) are drawn once with a
    /// count when at least this many share a shape; 0 never collapses.
    pub collapse_threshold: usize,
}

impl Default for GraphOptions {
    fn default() -> GraphOptions {
        GraphOptions { from_site: None, collapse_threshold: 3 }
    }
}

/// Which dependencies [`build_with`] draws, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Skip,
    Draw,
    /// Drawn and marked as worse than before (the diff's diagram).
    DrawWorse,
}

/// The diagram: nodes and edges in a deterministic order; VNets are clusters holding their
/// subnets and private endpoints. This is `privlink graph --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct EstateGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub clusters: Vec<Cluster>,
    /// How many apps the graph stands for (more than it draws when spokes were collapsed).
    pub apps: usize,
    /// Dependency edges by verdict, over every app the graph stands for.
    pub verdicts: VerdictCounts,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub allowed: usize,
    pub denied: usize,
    pub unknown: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    App,
    Subnet,
    NetworkSecurityGroup,
    RouteTable,
    /// What answers the app's DNS queries: Azure DNS of a VNet, a private resolver, a firewall's
    /// DNS proxy, a custom server, public DNS.
    Dns,
    PrivateDnsZone,
    PrivateEndpoint,
    /// A backend or app of the estate a dependency reaches.
    Backend,
    /// A dependency's host that is no resource of the estate.
    Host,
}

/// A box of the diagram.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Safe in every output format: ASCII letters, digits and `_`, starting with a letter.
    pub id: String,
    pub kind: NodeKind,
    /// Lines of text (the name first).
    pub label: Vec<String>,
    /// The ARM id the node draws, when it is one resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The cluster (VNet) the node is drawn in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// How many like it the node stands for (1 unless collapsed).
    pub count: usize,
    /// This resource decided a connection that is not allowed (drawn with a red border).
    pub deciding: bool,
}

/// A VNet, drawn as a box around its subnets and private endpoints.
#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    pub id: String,
    pub label: String,
    pub resource: String,
    pub count: usize,
    pub deciding: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// App → its integration subnet.
    Integration,
    /// NSG or route table → the subnet it is on.
    Attached,
    /// App → what answers its DNS.
    Dns,
    /// A DNS server → the Azure DNS it forwards to (resolver, firewall proxy).
    Forwards,
    /// Azure DNS of a VNet → a private zone linked to it.
    ZoneLink,
    /// A private zone → the private endpoint its answer points at.
    Record,
    /// A private endpoint → its backend.
    Endpoint,
    /// VNet ↔ VNet (cluster to cluster).
    Peering,
    /// App → what a dependency connects to, coloured by the verdict.
    Dependency,
}

/// The trace's verdict, in trace's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allowed,
    Denied,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }

    /// Green, red, amber.
    pub fn colour(self) -> &'static str {
        match self {
            Verdict::Allowed => "#2e7d32",
            Verdict::Denied => "#c62828",
            Verdict::Unknown => "#f9a825",
        }
    }
}

/// What a dependency edge stands for.
#[derive(Clone, Debug, Serialize)]
pub struct DependencyEdge {
    pub app: String,
    pub name: String,
    pub port: u16,
    /// How the name resolved from the app (`private`, `public`, `nxdomain`, `indeterminate`).
    pub resolution: String,
    /// The step that denied, or `access` when the app cannot sign in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

/// A line of the diagram; `from` and `to` are node ids, or cluster ids for peerings.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Lines of text, empty for none.
    pub label: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Worse than before (the diff's diagram only).
    pub worse: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency: Option<DependencyEdge>,
}

/// The estate's diagram: every app (or `options.from_site` only) with every traced dependency.
pub fn build(model: &Model, analysis: &Analysis, options: &GraphOptions) -> EstateGraph {
    build_inner(model, analysis, options, &|_| Pick::Draw, true)
}

/// As [`build`], drawing only the dependencies `pick` keeps (and the apps that have one).
pub fn build_with(
    model: &Model,
    analysis: &Analysis,
    options: &GraphOptions,
    pick: &dyn Fn(&Dependency) -> Pick,
) -> EstateGraph {
    build_inner(model, analysis, options, pick, false)
}

fn build_inner(
    model: &Model,
    analysis: &Analysis,
    options: &GraphOptions,
    pick: &dyn Fn(&Dependency) -> Pick,
    every_app: bool,
) -> EstateGraph {
    let drawing = build::draw(model, analysis, options.from_site.as_ref(), pick, every_app);
    let threshold = if options.from_site.is_some() { 0 } else { options.collapse_threshold };
    collapse::collapse(drawing, threshold).finish()
}

/// The verdict a dependency's edge is drawn with: the connection's, made worse by the access
/// step (an app that reaches the service but cannot sign in does not work); `None` for a
/// dependency that was not traced.
pub fn verdict_of(dependency: &Dependency) -> Option<Verdict> {
    dependency.path.as_ref().map(|p| build::verdict_of(p).0)
}

/// The graph as JSON (`privlink graph --format json`).
pub fn to_json(graph: &EstateGraph) -> serde_json::Value {
    serde_json::to_value(graph).expect("a graph serialises")
}

impl EstateGraph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn dependency_edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(|e| e.kind == EdgeKind::Dependency)
    }
}
