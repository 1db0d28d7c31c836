//! `privlink graph`: the estate (or one app's paths) as a diagram.

use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::{bail, Context};
use privlink_model::ResourceId;
use privlink_report::graph::{self, GraphOptions};
use privlink_rules::Analysis;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GraphFormat {
    /// A mermaid `flowchart LR` (paste into GitHub markdown inside a ```mermaid block).
    #[default]
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A standalone SVG document.
    Svg,
    /// The graph's nodes, edges and clusters.
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Renderer {
    /// privlink's own layout: no external tool, the same bytes on every machine.
    #[default]
    Builtin,
    /// Graphviz `dot -Tsvg` (must be on the PATH).
    Dot,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink graph                                    # the built-in estate as mermaid\n  privlink graph --from app-flask-privlink          # one app's paths\n  privlink graph --estate exported/ --format svg > estate.svg\n  privlink graph --format svg --renderer dot > estate.svg   # laid out by Graphviz\n  privlink graph --format json | jq '.edges[] | select(.verdict == \"denied\")'\n\nThe diagram is what the seeds draw: each app, its VNet integration subnet (NSG and route table \
beside it) inside its VNet, the DNS it asks (Azure DNS of a VNet and the private zones linked there, a \
private resolver, a firewall's DNS proxy, a custom server, public DNS), then the private endpoints and \
backends its dependencies reach. Every app → dependency edge says NAME:PORT, how the name resolved and \
the trace's verdict: green allowed, red denied (at the step that denied), amber unknown; the resource \
that decided a connection that is not allowed has a red border. Apps whose paths have the same shape \
(a landing zone's spokes) are drawn once with \"+N like it\" when at least --collapse of them look \
alike.\n\nExit codes: 0 every drawn dependency is allowed, 1 some are denied or unknown, 2 usage or input error."
)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Draw only this app's paths (site name or ARM id).
    #[arg(long, value_name = "SITE")]
    pub from: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: GraphFormat,
    /// How --format svg is laid out.
    #[arg(long, value_enum, default_value_t)]
    pub renderer: Renderer,
    /// Draw apps that look alike once when at least this many do (0: never).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub collapse: usize,
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.estate.answer_with(|estate| answer(args, estate))
}

/// The site `--from` names, or an error listing the estate's apps.
pub fn site_named(estate: &LoadedEstate, from: &str) -> anyhow::Result<ResourceId> {
    let model = &estate.model;
    let found: Vec<&ResourceId> = if from.starts_with('/') {
        let id = ResourceId::parse(from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
        model.resources.sites.get_key_value(&id).map(|(k, _)| k).into_iter().collect()
    } else {
        model.find_by_name(model.resources.sites.keys(), from)
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let known: Vec<&str> = model.resources.sites.keys().map(|s| s.name()).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            bail!("--from {from}: no app of that name in {}; its apps: {known}", estate.label)
        }
        many => bail!(
            "--from {from} is ambiguous; give the ARM id of one of:\n{}",
            many.iter().map(|id| format!("  {id}")).collect::<Vec<_>>().join("\n")
        ),
    }
}

fn answer(args: &Args, estate: &LoadedEstate) -> anyhow::Result<(String, i32)> {
    let from_site = args.from.as_deref().map(|f| site_named(estate, f)).transpose()?;
    let analysis = Analysis::new(&estate.model);
    let options = GraphOptions { from_site, collapse_threshold: args.collapse };
    let g = graph::build(&estate.model, &analysis, &options);
    let code = if g.verdicts.denied + g.verdicts.unknown > 0 { 1 } else { 0 };
    let out = match (args.format, args.renderer) {
        (GraphFormat::Mermaid, _) => graph::to_mermaid(&g),
        (GraphFormat::Dot, _) => graph::to_dot(&g),
        (GraphFormat::Svg, Renderer::Builtin) => graph::to_svg(&g),
        (GraphFormat::Svg, Renderer::Dot) => through_dot(&graph::to_dot(&g))?,
        (GraphFormat::Json, _) => super::json(&graph::to_json(&g)),
    };
    Ok((out, code))
}

/// `dot -Tsvg` on the DOT text.
fn through_dot(dot: &str) -> anyhow::Result<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("--renderer dot: cannot run Graphviz `dot` (install graphviz, or leave --renderer out)")?;
    child.stdin.take().expect("piped").write_all(dot.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("--renderer dot: dot failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8(output.stdout)?)
}
