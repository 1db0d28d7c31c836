//! Large estates: apps that look the same (the same shape of paths and verdicts) are drawn once,
//! with a count, and so are the spokes (subnets, VNets, backends) only they use. A landing zone
//! of 1 000 spokes wired alike draws as one spoke "+999 like it" beside the shared hub.

use super::build::{Drawing, End, Key};
use super::{Cluster, Edge, EstateGraph, Node, NodeKind, VerdictCounts};
use std::collections::{BTreeMap, BTreeSet};

/// A drawing with the apps to leave out and what each kept node stands for.
pub(super) struct Collapsed {
    drawing: Drawing,
    /// App indexes drawn as part of another app's count.
    dropped: BTreeSet<usize>,
    node_counts: BTreeMap<Key, usize>,
    cluster_counts: BTreeMap<String, usize>,
}

/// Groups apps by shape; a group of at least `threshold` apps keeps its first app (in id order).
pub(super) fn collapse(drawing: Drawing, threshold: usize) -> Collapsed {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, app) in drawing.apps.iter().enumerate() {
        groups.entry(app.shape.as_str()).or_default().push(i);
    }
    let mut group_of = vec![usize::MAX; drawing.apps.len()];
    let mut dropped = BTreeSet::new();
    for (g, members) in groups.values().enumerate() {
        if threshold == 0 || members.len() < threshold {
            continue;
        }
        for &m in members {
            group_of[m] = g;
        }
        dropped.extend(members.iter().skip(1).copied());
    }
    // A node used only by the apps of one collapsed group is that group's own (a spoke's subnet,
    // its backends): the kept ones of each kind share the count of all of them.
    let exclusive = |users: &BTreeSet<usize>| -> Option<usize> {
        let mut groups = users.iter().map(|&u| group_of[u]);
        let first = groups.next()?;
        (first != usize::MAX && groups.all(|g| g == first)).then_some(first)
    };
    let kept = |users: &BTreeSet<usize>| users.iter().any(|u| !dropped.contains(u));
    let mut totals: BTreeMap<(usize, Option<NodeKind>), (usize, usize)> = BTreeMap::new();
    for n in drawing
        .nodes
        .iter()
        .map(|(k, n)| (Some(k.0), &n.users))
        .chain(drawing.clusters.values().map(|c| (None, &c.users)))
    {
        if let Some(g) = exclusive(n.1) {
            let t = totals.entry((g, n.0)).or_default();
            t.0 += 1;
            t.1 += usize::from(kept(n.1));
        }
    }
    let count = |kind: Option<NodeKind>, users: &BTreeSet<usize>| match exclusive(users) {
        Some(g) => totals.get(&(g, kind)).map_or(1, |(all, kept)| (all / (*kept).max(1)).max(1)),
        None => 1,
    };
    let node_counts = drawing
        .nodes
        .iter()
        .filter(|(_, n)| kept(&n.users))
        .map(|(k, n)| (k.clone(), count(Some(k.0), &n.users)))
        .collect();
    let cluster_counts = drawing
        .clusters
        .iter()
        .filter(|(_, c)| kept(&c.users))
        .map(|(k, c)| (k.clone(), count(None, &c.users)))
        .collect();
    Collapsed { drawing, dropped, node_counts, cluster_counts }
}

/// `[A-Za-z0-9_]` only, starting with the prefix: safe as a mermaid, DOT and XML id.
fn safe(prefix: &str, text: &str) -> String {
    let mut out = String::from(prefix);
    out.push('_');
    let mut last_underscore = true;
    for c in text.chars().take(48) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            last_underscore = false;
        } else if !last_underscore {
            out.push('_');
            last_underscore = true;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    // `pe-kv` is `pe_kv`, not `pe_pe_kv`.
    let doubled = format!("{prefix}_{prefix}_");
    if out.starts_with(&doubled) {
        out.drain(..prefix.len() + 1);
    }
    out
}

fn unique(id: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = id.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{id}_{n}");
        n += 1;
    }
    candidate
}

fn prefix(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::App => "app",
        NodeKind::Subnet => "snet",
        NodeKind::NetworkSecurityGroup => "nsg",
        NodeKind::RouteTable => "rt",
        NodeKind::Dns => "dns",
        NodeKind::PrivateDnsZone => "zone",
        NodeKind::PrivateEndpoint => "pe",
        NodeKind::Backend => "svc",
        NodeKind::Host => "host",
    }
}

fn like_it(count: usize) -> Option<String> {
    (count > 1).then(|| format!("+{} like it", count - 1))
}

impl Collapsed {
    /// The graph with ids given, in key order.
    pub(super) fn finish(self) -> EstateGraph {
        let Collapsed { drawing, dropped, node_counts, cluster_counts } = self;
        let mut taken = BTreeSet::new();
        let mut cluster_ids = BTreeMap::new();
        let mut clusters = Vec::new();
        for (key, count) in &cluster_counts {
            let c = &drawing.clusters[key];
            let id = unique(safe("vnet", c.resource.name()), &mut taken);
            cluster_ids.insert(key.clone(), id.clone());
            let label = match like_it(*count) {
                Some(more) => format!("{} ({more})", c.resource.name()),
                None => c.resource.name().to_string(),
            };
            clusters.push(Cluster { id, label, resource: c.resource.to_string(), count: *count, deciding: c.deciding });
        }
        let mut node_ids = BTreeMap::new();
        let mut nodes = Vec::new();
        for (key, count) in &node_counts {
            let n = &drawing.nodes[key];
            let first = n.label.first().map_or("", String::as_str);
            let id = unique(safe(prefix(key.0), first), &mut taken);
            node_ids.insert(key.clone(), id.clone());
            let mut label = n.label.clone();
            label.extend(like_it(*count));
            nodes.push(Node {
                id,
                kind: key.0,
                label,
                resource: n.resource.as_ref().map(|r| r.to_string()),
                cluster: n.cluster.as_ref().and_then(|c| cluster_ids.get(c).cloned()),
                count: *count,
                deciding: n.deciding,
            });
        }
        // A VNet whose subnets and endpoints were all left out is not drawn (nor its peerings).
        let used: BTreeSet<String> = nodes.iter().filter_map(|n| n.cluster.clone()).collect();
        clusters.retain(|c| used.contains(&c.id));
        cluster_ids.retain(|_, id| used.contains(id));
        let id_of = |end: &End| match end {
            End::Node(k) => node_ids.get(k).cloned(),
            End::Cluster(k) => cluster_ids.get(k).cloned(),
        };
        let mut edges = Vec::new();
        for ((kind, from, to, _), e) in &drawing.edges {
            if e.users.iter().all(|u| dropped.contains(u)) {
                continue;
            }
            let (Some(from), Some(to)) = (id_of(from), id_of(to)) else { continue };
            edges.push(Edge {
                from,
                to,
                kind: *kind,
                label: e.label.clone(),
                verdict: e.verdict,
                worse: e.worse,
                dependency: e.dependency.clone(),
            });
        }
        let mut verdicts = VerdictCounts::default();
        for app in &drawing.apps {
            verdicts.allowed += app.verdicts.allowed;
            verdicts.denied += app.verdicts.denied;
            verdicts.unknown += app.verdicts.unknown;
        }
        EstateGraph { nodes, edges, clusters, apps: drawing.apps.len(), verdicts }
    }
}
