//! The graph as Graphviz DOT (`privlink graph --format dot`, and `--renderer dot` for SVG).

use super::{EdgeKind, EstateGraph, Node, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write;

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn lines(label: &[String]) -> String {
    quote(&label.join("\u{1}")).replace('\u{1}', "\\n")
}

/// Fill and border of a node kind (shared with the SVG renderer).
pub(super) fn colours(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::App => ("#e8f0fe", "#1a73e8"),
        NodeKind::Subnet => ("#f1f3f4", "#5f6368"),
        NodeKind::NetworkSecurityGroup | NodeKind::RouteTable => ("#efebe9", "#6d4c41"),
        NodeKind::Dns | NodeKind::PrivateDnsZone => ("#fef7e0", "#b06000"),
        NodeKind::PrivateEndpoint => ("#e6f4ea", "#137333"),
        NodeKind::Backend => ("#f3e8fd", "#8430ce"),
        NodeKind::Host => ("#ffffff", "#5f6368"),
    }
}

fn node(n: &Node) -> String {
    let (fill, stroke) = colours(n.kind);
    let shape = match n.kind {
        NodeKind::Backend => "cylinder",
        NodeKind::Dns => "hexagon",
        NodeKind::PrivateDnsZone => "parallelogram",
        _ => "box",
    };
    let (stroke, width) = if n.deciding { ("#c62828", 4) } else { (stroke, 1) };
    format!(
        "{} [label={}, shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\", penwidth={width}];",
        n.id,
        lines(&n.label)
    )
}

/// A `digraph`, left to right, VNets as clusters.
pub fn to_dot(graph: &EstateGraph) -> String {
    let mut out = String::from("digraph estate {\n");
    out.push_str("  graph [rankdir=LR, compound=true, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  node [style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let mut members: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for n in &graph.nodes {
        if let Some(c) = &n.cluster {
            members.entry(c.as_str()).or_default().push(n);
        }
    }
    for c in &graph.clusters {
        let colour = if c.deciding { "#c62828" } else { "#5f6368" };
        writeln!(
            out,
            "  subgraph cluster_{} {{\n    label={}; style=rounded; color=\"{colour}\";",
            c.id,
            quote(&c.label)
        )
        .unwrap();
        for n in members.get(c.id.as_str()).into_iter().flatten() {
            writeln!(out, "    {}", node(n)).unwrap();
        }
        out.push_str("  }\n");
    }
    for n in graph.nodes.iter().filter(|n| n.cluster.is_none()) {
        writeln!(out, "  {}", node(n)).unwrap();
    }
    let first_of = |cluster: &str| members.get(cluster).and_then(|m| m.first()).map(|n| n.id.as_str());
    for e in &graph.edges {
        let mut attrs: Vec<String> = Vec::new();
        let mut label = e.label.clone();
        if e.worse {
            label.insert(0, "WORSE".to_string());
        }
        if !label.is_empty() {
            attrs.push(format!("label={}", lines(&label)));
        }
        if let Some(v) = e.verdict {
            let width = if e.worse { 4 } else { 2 };
            attrs.push(format!("color=\"{0}\", fontcolor=\"{0}\", penwidth={width}", v.colour()));
        }
        match e.kind {
            EdgeKind::Attached | EdgeKind::Record => attrs.push("style=dashed, arrowhead=none".into()),
            EdgeKind::Dns | EdgeKind::Forwards | EdgeKind::ZoneLink => attrs.push("style=dashed".into()),
            _ => {}
        }
        let (from, to) = if e.kind == EdgeKind::Peering {
            let (Some(a), Some(b)) = (first_of(&e.from), first_of(&e.to)) else { continue };
            attrs.push(format!("ltail=cluster_{}, lhead=cluster_{}, dir=both, style=dashed", e.from, e.to));
            (a, b)
        } else {
            (e.from.as_str(), e.to.as_str())
        };
        writeln!(out, "  {from} -> {to} [{}];", attrs.join(", ")).unwrap();
    }
    out.push_str("}\n");
    out
}
