//! `privlink trace`.

use super::{json, stream, Format, JsonArrayOut, Verbosity};
use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::bail;
use privlink_engine::dns::Resolver;
use privlink_engine::path::RouteIndex;
use privlink_engine::trace::{trace_all, trace_all_indexed, trace_host};
use privlink_model::ResourceId;
use privlink_report::trace as render;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink trace --from app-flask-privlink --all\n  privlink trace --from app-flask-privlink --to sql-privlink-seed.database.windows.net:1433\n  privlink trace --from app-flask-privlink --to 10.20.2.5:6379 --format json\n\nExit codes: 0 every traced connection is allowed, 1 some are denied or unknown, 2 usage or input error."
)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The app (site name or ARM id) the connection starts from.
    #[arg(long, required_unless_present = "all_apps", conflicts_with = "all_apps")]
    pub from: Option<String>,
    /// HOST:PORT (a host name or an IP address) to trace.
    #[arg(long, value_name = "HOST:PORT", required_unless_present_any = ["all", "all_apps"], conflicts_with_all = ["all", "all_apps"])]
    pub to: Option<String>,
    /// Trace every dependency of the app (the names `resolve --all` lists), each on its service's port.
    #[arg(long)]
    pub all: bool,
    /// As --all, for every app of the estate in id order (one process for a whole estate). JSON:
    /// `[{"app": ID, "traces": [...]}]`; text: one table per app. Exit 1 when any trace is not allowed.
    #[arg(long)]
    pub all_apps: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub verbosity: Verbosity,
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.estate.answer_with(|estate| answer(args, estate))
}

fn answer(args: &Args, estate: &LoadedEstate) -> anyhow::Result<(String, i32)> {
    let model = &estate.model;
    let names = args.verbosity.names(model);
    if args.all_apps {
        let resolver = Resolver::new(model);
        let routes = RouteIndex::build(model);
        // Written app by app: at 100k resources the whole answer is a gigabyte of JSON.
        let mut code = 0;
        stream(|out| {
            let mut array = JsonArrayOut::new(&mut *out);
            let apps = model.resources.sites.len();
            let what = format!("tracing {} apps", super::progress::count(apps));
            let mut progress = super::progress::Progress::beside_output(what, apps);
            for (i, site) in model.resources.sites.values().enumerate() {
                progress.step(i);
                let traces = trace_all_indexed(model, &resolver, &routes, &site.meta.id);
                if traces.iter().any(|t| t.verdict != privlink_engine::path::FlowVerdict::Allowed) {
                    code = 1;
                }
                match args.format {
                    Format::Text => {
                        write!(array.raw(), "== {}\n{}\n", site.meta.name, render::to_table_with(&traces, &names))?
                    }
                    Format::Json => array.push(&serde_json::json!({"app": site.meta.id, "traces": traces}))?,
                }
            }
            match args.format {
                Format::Text => Ok(()),
                Format::Json => array.finish(),
            }
        })?;
        return Ok((String::new(), code));
    }
    let from = args.from.as_deref().unwrap_or_default();
    let site = if from.starts_with('/') {
        let id = ResourceId::parse(from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
        model.resources.sites.get(&id).map(|s| s.meta.id.clone())
    } else {
        let found = model.find_by_name(model.resources.sites.keys(), from);
        match found.as_slice() {
            [one] => Some((*one).clone()),
            [] => None,
            many => bail!(
                "--from {} is ambiguous; give the ARM id of one of:\n{}",
                from,
                many.iter().map(|id| format!("  {id}")).collect::<Vec<_>>().join("\n")
            ),
        }
    };
    let Some(site) = site else {
        let known: Vec<&str> = model.resources.sites.keys().map(|s| s.name()).collect();
        bail!("--from {from}: no app of that name in the estate; known apps: {}", known.join(", "));
    };
    let resolver = Resolver::new(model);
    if args.all {
        let traces = trace_all(model, &resolver, &site);
        let code = if traces.iter().all(|t| t.verdict == privlink_engine::path::FlowVerdict::Allowed) { 0 } else { 1 };
        let out = match args.format {
            Format::Text => {
                let inputs = super::check::estate_flags(&args.estate);
                let next = if code == 0 {
                    format!("\nNext: privlink check{inputs}   # every rule on the whole estate; privlink graph draws it, privlink up runs it as a live twin\n")
                } else {
                    format!("\nNext: privlink check{inputs}   # names the resource to change for each blocked dependency, with the az command\n")
                };
                render::to_table_with(&traces, &names) + &next
            }
            Format::Json => json(&traces),
        };
        return Ok((out, code));
    }
    let to = args.to.as_deref().unwrap_or_default();
    let Some((host, port)) = to.rsplit_once(':') else {
        bail!("--to {to}: expected HOST:PORT, e.g. myvault.vault.azure.net:443")
    };
    let Ok(port) = port.parse::<u16>() else { bail!("--to {to}: '{port}' is not a port number") };
    let t = trace_host(model, &resolver, &site, host, port);
    let code = if t.verdict == privlink_engine::path::FlowVerdict::Allowed { 0 } else { 1 };
    let out = match args.format {
        Format::Text => render::to_text_with(&t, &names),
        Format::Json => json(&t),
    };
    Ok((out, code))
}
