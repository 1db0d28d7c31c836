//! `privlink resolve`.

use super::{json, stream, Format, JsonArrayOut};
use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::{bail, Context};
use privlink_engine::dns::{dependencies, view_of, Querier, Resolver};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use privlink_report::resolution;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  privlink resolve kv-privlink-seed.vault.azure.net --from app-flask-privlink\n  \
privlink resolve sql1.database.windows.net --from vnet-app --format json\n  \
privlink resolve --from app-flask-privlink --all")]
pub struct Args {
    /// The name to resolve (not with --all).
    #[arg(required_unless_present_any = ["all", "all_apps"], conflicts_with_all = ["all", "all_apps"])]
    pub name: Option<String>,
    /// Who asks: a site or VNet (name or ARM id), or `internet`.
    #[arg(long, value_name = "FROM", required_unless_present = "all_apps", conflicts_with = "all_apps")]
    pub from: Option<String>,
    /// Record type.
    #[arg(long = "type", value_enum, default_value_t = QueryType::A)]
    pub record_type: QueryType,
    /// Resolve every host name the site depends on (app settings, connection strings, private endpoints).
    #[arg(long)]
    pub all: bool,
    /// As --all, for every app of the estate in id order (one process for a whole estate). JSON:
    /// `[{"app": ID, "resolutions": [...]}]`; text: one table per app.
    #[arg(long)]
    pub all_apps: bool,
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryType {
    A,
    #[value(name = "AAAA")]
    Aaaa,
    #[value(name = "CNAME")]
    Cname,
}

impl QueryType {
    fn record_type(self) -> RecordType {
        match self {
            QueryType::A => RecordType::A,
            QueryType::Aaaa => RecordType::AAAA,
            QueryType::Cname => RecordType::CNAME,
        }
    }
}

/// FROM as a querier: `internet`, an ARM id of a site or VNet, or a unique site or VNet name.
fn querier(model: &Model, from: &str) -> anyhow::Result<Querier> {
    if from.eq_ignore_ascii_case("internet") {
        return Ok(Querier::Internet);
    }
    let r = &model.resources;
    if from.starts_with('/') {
        let id = ResourceId::parse(from).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))?;
        if r.sites.contains_key(&id) {
            return Ok(Querier::Site(id));
        }
        if r.virtual_networks.contains_key(&id) {
            return Ok(Querier::VirtualNetwork(id));
        }
        bail!("--from {from}: no site or virtual network with this id in the estate");
    }
    let sites = model.find_by_name(r.sites.keys(), from);
    let vnets = model.find_by_name(r.virtual_networks.keys(), from);
    match (sites.as_slice(), vnets.as_slice()) {
        ([site], []) => Ok(Querier::Site((*site).clone())),
        ([], [vnet]) => Ok(Querier::VirtualNetwork((*vnet).clone())),
        ([], []) => {
            let known: Vec<String> =
                r.sites.keys().chain(r.virtual_networks.keys()).map(|id| id.name().to_string()).collect();
            bail!("--from {from}: no site or virtual network of that name; known: internet, {}", known.join(", "))
        }
        _ => {
            let candidates: Vec<String> = sites.iter().chain(vnets.iter()).map(|id| format!("  {id}")).collect();
            bail!("--from {from} is ambiguous; give the ARM id of one of:\n{}", candidates.join("\n"))
        }
    }
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.estate.answer_with(|estate| answer(args, estate))
}

fn answer(args: &Args, estate: &LoadedEstate) -> anyhow::Result<(String, i32)> {
    let model = &estate.model;
    let resolver = Resolver::new(model);
    let record_type = args.record_type.record_type();
    if args.all_apps {
        // Written app by app: at 100k resources the whole answer is half a gigabyte of JSON.
        stream(|out| {
            let mut array = JsonArrayOut::new(&mut *out);
            for site in model.resources.sites.values() {
                let view = view_of(model, &Querier::Site(site.meta.id.clone()));
                let resolutions: Vec<_> = dependencies::site_dependencies(model, site)
                    .iter()
                    .map(|name| resolver.resolve(&view, name, record_type))
                    .collect();
                match args.format {
                    Format::Text => {
                        write!(array.raw(), "== {}\n{}\n", site.meta.name, resolution::to_table(&resolutions))?
                    }
                    Format::Json => {
                        array.push(&serde_json::json!({"app": site.meta.id, "resolutions": resolutions}))?
                    }
                }
            }
            match args.format {
                Format::Text => Ok(()),
                Format::Json => array.finish(),
            }
        })?;
        return Ok((String::new(), 0));
    }
    let querier = querier(model, args.from.as_deref().unwrap_or_default())?;
    let view = view_of(model, &querier);
    if args.all {
        let Querier::Site(site_id) = &querier else {
            bail!("--all needs --from to name a site (it resolves the host names the site depends on)");
        };
        let site = &model.resources.sites[site_id];
        let resolutions: Vec<_> = dependencies::site_dependencies(model, site)
            .iter()
            .map(|name| resolver.resolve(&view, name, record_type))
            .collect();
        let out = match args.format {
            Format::Text => resolution::to_table(&resolutions),
            Format::Json => json(&resolutions),
        };
        return Ok((out, 0));
    }
    let raw = args.name.as_deref().unwrap_or_default();
    let name = DnsName::parse(raw).with_context(|| format!("NAME {raw}"))?;
    let r = resolver.resolve(&view, &name, record_type);
    let out = match args.format {
        Format::Text => resolution::to_text(&r),
        Format::Json => json(&r),
    };
    Ok((out, 0))
}
