//! The graph as a mermaid `flowchart LR` (what GitHub renders in markdown): VNets as subgraphs,
//! dependency edges coloured by `linkStyle`, the deciding resources in the `deciding` class.

use super::{EdgeKind, EstateGraph, Node, NodeKind, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text inside a quoted mermaid label: quotes, `#` (mermaid's entity escape) and angle brackets
/// (mermaid reads labels as HTML) written as entities.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn label(lines: &[String]) -> String {
    lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br/>")
}

fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::App => "app",
        NodeKind::Subnet => "net",
        NodeKind::NetworkSecurityGroup | NodeKind::RouteTable => "guard",
        NodeKind::Dns | NodeKind::PrivateDnsZone => "dns",
        NodeKind::PrivateEndpoint => "pe",
        NodeKind::Backend => "svc",
        NodeKind::Host => "host",
    }
}

fn shape(node: &Node) -> String {
    let text = label(&node.label);
    match node.kind {
        NodeKind::App => format!("(\"{text}\")"),
        NodeKind::Subnet | NodeKind::Host => format!("[\"{text}\"]"),
        NodeKind::NetworkSecurityGroup | NodeKind::RouteTable => format!("[[\"{text}\"]]"),
        NodeKind::Dns => format!("{{{{\"{text}\"}}}}"),
        NodeKind::PrivateDnsZone => format!("[/\"{text}\"/]"),
        NodeKind::PrivateEndpoint => format!("([\"{text}\"])"),
        NodeKind::Backend => format!("[(\"{text}\")]"),
    }
}

/// A `flowchart LR` document (no markdown fences).
pub fn to_mermaid(graph: &EstateGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (name, style) in [
        ("app", "fill:#e8f0fe,stroke:#1a73e8,color:#0b1f3a"),
        ("net", "fill:#f1f3f4,stroke:#5f6368,color:#202124"),
        ("guard", "fill:#efebe9,stroke:#6d4c41,color:#202124"),
        ("dns", "fill:#fef7e0,stroke:#b06000,color:#202124"),
        ("pe", "fill:#e6f4ea,stroke:#137333,color:#202124"),
        ("svc", "fill:#f3e8fd,stroke:#8430ce,color:#202124"),
        ("host", "fill:#ffffff,stroke:#5f6368,color:#202124,stroke-dasharray:4 2"),
        ("deciding", "stroke:#c62828,stroke-width:4px"),
    ] {
        writeln!(out, "  classDef {name} {style}").unwrap();
    }
    if graph.nodes.is_empty() {
        out.push_str("  empty[\"no app in the estate\"]\n");
        return out;
    }
    let mut members: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for n in &graph.nodes {
        if let Some(c) = &n.cluster {
            members.entry(c.as_str()).or_default().push(n);
        }
    }
    for c in &graph.clusters {
        writeln!(out, "  subgraph {} [\"{}\"]", c.id, escape(&c.label)).unwrap();
        for n in members.get(c.id.as_str()).into_iter().flatten() {
            writeln!(out, "    {}{}", n.id, shape(n)).unwrap();
        }
        out.push_str("  end\n");
    }
    for n in graph.nodes.iter().filter(|n| n.cluster.is_none()) {
        writeln!(out, "  {}{}", n.id, shape(n)).unwrap();
    }
    let mut styles: BTreeMap<(Verdict, bool), Vec<usize>> = BTreeMap::new();
    for (i, e) in graph.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Integration | EdgeKind::Endpoint => "-->",
            EdgeKind::Attached | EdgeKind::Record => "-.-",
            EdgeKind::Dns | EdgeKind::Forwards | EdgeKind::ZoneLink => "-.->",
            EdgeKind::Peering => "<-->",
            EdgeKind::Dependency => "==>",
        };
        let mut lines = e.label.clone();
        if e.worse {
            lines.insert(0, "WORSE".to_string());
        }
        if lines.is_empty() {
            writeln!(out, "  {} {arrow} {}", e.from, e.to).unwrap();
        } else {
            writeln!(out, "  {} {arrow}|\"{}\"| {}", e.from, label(&lines), e.to).unwrap();
        }
        if let Some(v) = e.verdict {
            styles.entry((v, e.worse)).or_default().push(i);
        }
    }
    for ((verdict, worse), edges) in styles {
        let list: Vec<String> = edges.iter().map(usize::to_string).collect();
        let width = if worse { 5 } else { 3 };
        let colour = verdict.colour();
        writeln!(out, "  linkStyle {} stroke:{colour},stroke-width:{width}px,color:{colour}", list.join(",")).unwrap();
    }
    let mut classes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in &graph.nodes {
        classes.entry(class(n.kind)).or_default().push(&n.id);
        if n.deciding {
            classes.entry("deciding").or_default().push(&n.id);
        }
    }
    // `deciding` last, so its border wins over the kind's.
    let deciding = classes.remove("deciding");
    for (class, ids) in classes.into_iter().chain(deciding.map(|d| ("deciding", d))) {
        writeln!(out, "  class {} {class}", ids.join(",")).unwrap();
    }
    for c in graph.clusters.iter().filter(|c| c.deciding) {
        writeln!(out, "  style {} stroke:#c62828,stroke-width:4px", c.id).unwrap();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn labels_cannot_end_a_quoted_mermaid_label_or_open_html() {
        assert_eq!(escape(r#"say "hi" [x] #1 <b>"#), "say #quot;hi#quot; [x] #35;1 #lt;b#gt;");
        assert!(!escape("a\"b\nc").contains(['"', '\n']));
    }
}
