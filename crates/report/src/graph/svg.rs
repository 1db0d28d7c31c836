//! The graph as SVG, laid out in-process: columns by what a node is (apps, then subnets and DNS,
//! then zones and the subnets' NSGs and route tables, then private endpoints, then backends),
//! each column ordered by the barycentre of its neighbours over a fixed number of sweeps, VNets
//! as boxes around their members in each column. Integer arithmetic on a fixed font metric, so
//! the same graph always gives the same bytes.

use super::dot::colours;
use super::{EdgeKind, EstateGraph, NodeKind, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;

const CHAR_WIDTH: i64 = 7; // at font-size 11, a generous average
const LINE: i64 = 15;
const PAD: i64 = 8;
const GAP: i64 = 14;
const COLUMN_GAP: i64 = 90;
const MARGIN: i64 = 24;
const SWEEPS: usize = 4;

fn column(kind: NodeKind) -> usize {
    match kind {
        NodeKind::App => 0,
        NodeKind::Subnet | NodeKind::Dns => 1,
        NodeKind::PrivateDnsZone | NodeKind::NetworkSecurityGroup | NodeKind::RouteTable => 2,
        NodeKind::PrivateEndpoint => 3,
        NodeKind::Backend | NodeKind::Host => 4,
    }
}

pub(super) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn text_width(lines: &[String]) -> i64 {
    lines.iter().map(|l| l.chars().count() as i64).max().unwrap_or(0) * CHAR_WIDTH
}

struct Placed {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

/// A point of the cubic from `a` to `b` with horizontal tangents, at `t` thousandths.
fn bezier(a: (i64, i64), c1: (i64, i64), c2: (i64, i64), b: (i64, i64), t: i64) -> (i64, i64) {
    let u = 1000 - t;
    let f = |p0: i64, p1: i64, p2: i64, p3: i64| {
        (u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3) / 1_000_000_000
    };
    (f(a.0, c1.0, c2.0, b.0), f(a.1, c1.1, c2.1, b.1))
}

/// An SVG document of the graph.
pub fn to_svg(graph: &EstateGraph) -> String {
    let index: BTreeMap<&str, usize> = graph.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    // Columns, in the graph's order at first.
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); 5];
    for (i, n) in graph.nodes.iter().enumerate() {
        columns[column(n.kind)].push(i);
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    let mut position = vec![0i64; graph.nodes.len()];
    let renumber = |columns: &Vec<Vec<usize>>, position: &mut Vec<i64>| {
        for col in columns {
            for (p, &i) in col.iter().enumerate() {
                position[i] = p as i64 * 1000;
            }
        }
    };
    renumber(&columns, &mut position);
    for sweep in 0..SWEEPS {
        let order: Vec<usize> = if sweep % 2 == 0 { (1..5).collect() } else { (0..4).rev().collect() };
        for c in order {
            let toward = |n: usize| {
                if sweep % 2 == 0 {
                    column(graph.nodes[n].kind) < c
                } else {
                    column(graph.nodes[n].kind) > c
                }
            };
            let centre = |i: usize| {
                let near: Vec<i64> = neighbours[i].iter().filter(|&&n| toward(n)).map(|&n| position[n]).collect();
                if near.is_empty() {
                    position[i]
                } else {
                    near.iter().sum::<i64>() / near.len() as i64
                }
            };
            let centres: BTreeMap<usize, i64> = columns[c].iter().map(|&i| (i, centre(i))).collect();
            // Members of one VNet stay together: a VNet sorts by its members' mean centre.
            let mut groups: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            for &i in &columns[c] {
                if let Some(cl) = &graph.nodes[i].cluster {
                    let g = groups.entry(cl.as_str()).or_default();
                    g.0 += centres[&i];
                    g.1 += 1;
                }
            }
            let group_centre = |i: usize| match &graph.nodes[i].cluster {
                Some(cl) => groups[cl.as_str()].0 / groups[cl.as_str()].1,
                None => centres[&i],
            };
            let mut col = columns[c].clone();
            col.sort_by_key(|&i| (group_centre(i), graph.nodes[i].cluster.clone(), centres[&i], position[i]));
            columns[c] = col;
            renumber(&columns, &mut position);
        }
    }
    // Sizes and places.
    let label_of = |i: usize| &graph.nodes[i].label;
    let widths: Vec<i64> =
        columns.iter().map(|col| col.iter().map(|&i| text_width(label_of(i)) + 2 * PAD).max().unwrap_or(0)).collect();
    // The gap before a column holds the labels of the dependency edges that end there.
    let mut dependency_label = [0i64; 5];
    for e in graph.dependency_edges() {
        if let Some(&t) = index.get(e.to.as_str()) {
            let c = column(graph.nodes[t].kind);
            let w = text_width(&e.label) + if e.worse { 6 * CHAR_WIDTH } else { 0 };
            dependency_label[c] = dependency_label[c].max(w + 3 * PAD);
        }
    }
    let mut placed: Vec<Placed> = (0..graph.nodes.len()).map(|_| Placed { x: 0, y: 0, w: 0, h: 0 }).collect();
    let mut x = MARGIN;
    let mut height = 0;
    let mut segments: Vec<(String, i64, i64, i64, i64)> = Vec::new(); // (cluster, x, y, w, h)
    for (c, col) in columns.iter().enumerate() {
        if col.is_empty() {
            continue;
        }
        x += (dependency_label[c] - COLUMN_GAP).max(0);
        let mut y = MARGIN + LINE;
        let mut previous: Option<&str> = None;
        for &i in col {
            let n = &graph.nodes[i];
            let cluster = n.cluster.as_deref();
            if cluster != previous {
                if previous.is_some() {
                    y += PAD; // close the box above
                }
                y += GAP;
                if let Some(cl) = cluster {
                    segments.push((cl.to_string(), x - PAD, y, widths[c] + 2 * PAD, 0));
                    y += LINE + 4;
                }
            }
            let h = LINE * n.label.len() as i64 + 2 * PAD - 4;
            placed[i] = Placed { x, y, w: widths[c], h };
            y += h + GAP;
            if let (Some(_), Some(last)) = (cluster, segments.last_mut()) {
                last.4 = y - last.2;
            }
            previous = cluster;
        }
        height = height.max(y);
        x += widths[c] + COLUMN_GAP;
    }
    let width = x - COLUMN_GAP + MARGIN;
    let legend_y = height + GAP;
    let height = legend_y + 2 * LINE + MARGIN;

    let mut out = String::new();
    writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">"
    )
    .unwrap();
    writeln!(
        out,
        "<title>privlink: {} apps, {} dependencies allowed, {} denied, {} unknown</title>",
        graph.apps, graph.verdicts.allowed, graph.verdicts.denied, graph.verdicts.unknown
    )
    .unwrap();
    out.push_str("<defs>\n");
    for (name, colour) in [
        ("plain", "#5f6368"),
        ("allowed", Verdict::Allowed.colour()),
        ("denied", Verdict::Denied.colour()),
        ("unknown", Verdict::Unknown.colour()),
    ] {
        writeln!(out, "<marker id=\"arrow-{name}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>").unwrap();
    }
    out.push_str("</defs>\n");
    writeln!(out, "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>").unwrap();
    // VNet boxes.
    out.push_str("<g class=\"clusters\">\n");
    let cluster_of: BTreeMap<&str, &super::Cluster> = graph.clusters.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut first_segment: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
    for (cl, x, y, w, h) in &segments {
        let Some(c) = cluster_of.get(cl.as_str()) else { continue };
        let (stroke, sw) = if c.deciding { ("#c62828", 3) } else { ("#9aa0a6", 1) };
        writeln!(out, "<g class=\"cluster\" id=\"{cl}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"6\" fill=\"#f8f9fa\" stroke=\"{stroke}\" stroke-width=\"{sw}\" stroke-dasharray=\"5 3\"/><text x=\"{}\" y=\"{}\" fill=\"#5f6368\" font-weight=\"bold\">{}</text></g>", xml(&c.resource), x + PAD, y + LINE, xml(&c.label)).unwrap();
        first_segment.entry(cl.clone()).or_insert((*x, *y, *w, *h));
    }
    out.push_str("</g>\n<g class=\"edges\">\n");
    for e in &graph.edges {
        let colour = e.verdict.map_or("#5f6368", Verdict::colour);
        let marker = e.verdict.map_or("plain", Verdict::as_str);
        let (a, b) = if e.kind == EdgeKind::Peering {
            let (Some(s), Some(t)) = (first_segment.get(&e.from), first_segment.get(&e.to)) else { continue };
            ((s.0 + s.2 / 2, s.1), (t.0 + t.2 / 2, t.1))
        } else {
            let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
            let (pf, pt) = (&placed[f], &placed[t]);
            let (cf, ct) = (column(graph.nodes[f].kind), column(graph.nodes[t].kind));
            if cf <= ct {
                (
                    (pf.x + pf.w, pf.y + pf.h / 2),
                    if cf == ct { (pt.x + pt.w, pt.y + pt.h / 2) } else { (pt.x, pt.y + pt.h / 2) },
                )
            } else {
                ((pf.x, pf.y + pf.h / 2), (pt.x + pt.w, pt.y + pt.h / 2))
            }
        };
        let bend = ((b.0 - a.0).abs() / 2).max(40);
        let (c1, c2) = if e.kind == EdgeKind::Peering {
            ((a.0, a.1 - 40), (b.0, b.1 - 40))
        } else if a.0 < b.0 {
            ((a.0 + bend, a.1), (b.0 - bend, b.1))
        } else if a.0 == b.0 {
            ((a.0 + 50, a.1), (b.0 + 50, b.1))
        } else {
            ((a.0 - bend, a.1), (b.0 + bend, b.1))
        };
        let (width, dash) = match (e.kind, e.worse) {
            (EdgeKind::Dependency, true) => (4, ""),
            (EdgeKind::Dependency, false) => (2, ""),
            (
                EdgeKind::Attached
                | EdgeKind::Record
                | EdgeKind::Dns
                | EdgeKind::Forwards
                | EdgeKind::ZoneLink
                | EdgeKind::Peering,
                _,
            ) => (1, " stroke-dasharray=\"4 3\""),
            _ => (1, ""),
        };
        let ends = match e.kind {
            EdgeKind::Attached | EdgeKind::Record => String::new(),
            EdgeKind::Peering => " marker-start=\"url(#arrow-plain)\" marker-end=\"url(#arrow-plain)\"".to_string(),
            _ => format!(" marker-end=\"url(#arrow-{marker})\""),
        };
        let kind = super::build::word(&e.kind);
        let mut attrs = format!(
            "class=\"edge {kind}{}\" data-from=\"{}\" data-to=\"{}\"",
            e.verdict.map_or(String::new(), |v| format!(" {}", v.as_str())),
            e.from,
            e.to
        );
        if let Some(d) = &e.dependency {
            write!(attrs, " data-app=\"{}\" data-name=\"{}\" data-port=\"{}\"", xml(&d.app), xml(&d.name), d.port)
                .unwrap();
        }
        writeln!(out, "<g {attrs}><path d=\"M{},{} C{},{} {},{} {},{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash}{ends}/>", a.0, a.1, c1.0, c1.1, c2.0, c2.1, b.0, b.1).unwrap();
        let mut lines = e.label.clone();
        if e.worse {
            lines.insert(0, "WORSE".to_string());
        }
        if !lines.is_empty() {
            // Dependency labels sit just before what they reach (the gap is sized for them);
            // the others at the middle of their line.
            let (t, anchor) = if e.kind == EdgeKind::Dependency { (880, "end") } else { (500, "middle") };
            let p = bezier(a, c1, c2, b, t);
            let tx = if e.kind == EdgeKind::Dependency { b.0.min(p.0.max(b.0 - 2 * PAD)) - PAD } else { p.0 };
            let top = p.1 - LINE * lines.len() as i64 / 2;
            let w = text_width(&lines);
            let left = match anchor {
                "end" => tx - w,
                _ => tx - w / 2,
            };
            writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>",
                left - 2,
                top - 2,
                w + 4,
                LINE * lines.len() as i64 + 4
            )
            .unwrap();
            for (k, line) in lines.iter().enumerate() {
                writeln!(
                    out,
                    "<text x=\"{tx}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{colour}\" font-size=\"10\">{}</text>",
                    top + LINE * (k as i64 + 1) - 4,
                    xml(line)
                )
                .unwrap();
            }
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, n) in graph.nodes.iter().enumerate() {
        let p = &placed[i];
        let (fill, stroke) = colours(n.kind);
        let (stroke, sw) = if n.deciding { ("#c62828", 4) } else { (stroke, 1) };
        let kind = super::build::word(&n.kind);
        let deciding = if n.deciding { " deciding" } else { "" };
        let rx = match n.kind {
            NodeKind::App | NodeKind::PrivateEndpoint => 12,
            NodeKind::Backend => 2,
            _ => 4,
        };
        write!(out, "<g class=\"node {kind}{deciding}\" id=\"{}\">", n.id).unwrap();
        if let Some(r) = &n.resource {
            write!(out, "<title>{}</title>", xml(r)).unwrap();
        }
        write!(out, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>", p.x, p.y, p.w, p.h).unwrap();
        for (k, line) in n.label.iter().enumerate() {
            let weight = if k == 0 { " font-weight=\"bold\"" } else { "" };
            write!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"#202124\"{weight}>{}</text>",
                p.x + PAD,
                p.y + PAD + LINE * (k as i64 + 1) - 4,
                xml(line)
            )
            .unwrap();
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n<g class=\"legend\">\n");
    let mut lx = MARGIN;
    for v in [Verdict::Allowed, Verdict::Denied, Verdict::Unknown] {
        let count = match v {
            Verdict::Allowed => graph.verdicts.allowed,
            Verdict::Denied => graph.verdicts.denied,
            Verdict::Unknown => graph.verdicts.unknown,
        };
        let text = format!("{} ({count})", v.as_str());
        writeln!(out, "<line x1=\"{lx}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"{2}\" stroke-width=\"3\"/><text x=\"{3}\" y=\"{4}\" fill=\"{2}\">{text}</text>", legend_y + LINE / 2, lx + 24, v.colour(), lx + 30, legend_y + LINE / 2 + 4).unwrap();
        lx += 30 + text.len() as i64 * CHAR_WIDTH + 20;
    }
    writeln!(out, "<rect x=\"{lx}\" y=\"{}\" width=\"16\" height=\"12\" fill=\"#ffffff\" stroke=\"#c62828\" stroke-width=\"3\"/><text x=\"{}\" y=\"{}\" fill=\"#202124\">decided a connection that is not allowed</text>", legend_y + 1, lx + 22, legend_y + LINE / 2 + 4).unwrap();
    out.push_str("</g>\n</svg>\n");
    out
}
