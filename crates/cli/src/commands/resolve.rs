//! `privlink resolve`.

use super::{json, stream, Format, JsonArrayOut, Verbosity};
use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::{bail, Context};
use privlink_engine::catalog::AZURE_HOST_IP;
use privlink_engine::dns::{dependencies, view_of, Querier, Resolver};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use privlink_report::resolution;
use std::io::Write;
use std::net::IpAddr;

/// The examples after `--help`. Built at run time: Azure DNS's address is written only in the catalog.
fn examples() -> String {
    format!(
        "Examples:\n  privlink resolve kv-privlink-seed.vault.azure.net --from app-flask-privlink\n  \
         privlink resolve sql1.database.windows.net --from vnet-app --format json\n  \
         privlink resolve --from app-flask-privlink --all\n  \
         privlink resolve kv1.vault.azure.net --from dns:10.0.4.4\n      \
         (an on-premises client whose DNS forwarder sends its queries to 10.0.4.4)\n  \
         privlink resolve kv1.vault.azure.net --from dns:{AZURE_HOST_IP}@vnet-hub\n      \
         (Azure DNS as a VM in vnet-hub sees it)"
    )
}

#[derive(clap::Args, Debug)]
#[command(after_help = examples())]
pub struct Args {
    /// The name to resolve (not with --all).
    #[arg(required_unless_present_any = ["all", "all_apps"], conflicts_with_all = ["all", "all_apps"])]
    pub name: Option<String>,
    /// Who asks: a site or VNet (name or ARM id), `internet`, or `dns:IP`: a client outside every VNet
    /// (on premises, or its forwarder) that sends its queries to IP (a resolver inbound endpoint, a
    /// firewall's DNS proxy, a DNS VM, a public resolver). Azure DNS answers only inside a VNet:
    /// `dns:IP@VNET` (VNET a name or ARM id) asks IP from inside VNET.
    #[arg(long, value_name = "FROM", required_unless_present = "all_apps", conflicts_with = "all_apps")]
    pub from: Option<String>,
    /// Record type (case-insensitive, as DNS tools take it).
    #[arg(long = "type", value_enum, ignore_case = true, default_value_t = QueryType::A)]
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
    #[command(flatten)]
    pub verbosity: Verbosity,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryType {
    #[value(name = "A")]
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

/// FROM as a querier: `internet`, `dns:IP[@VNET]`, an ARM id of a site or VNet, or a unique site
/// or VNet name.
fn querier(model: &Model, from: &str) -> anyhow::Result<Querier> {
    if from.eq_ignore_ascii_case("internet") {
        return Ok(Querier::Internet);
    }
    if let Some(rest) = from.get(..4).filter(|p| p.eq_ignore_ascii_case("dns:")).map(|_| &from[4..]) {
        return dns_querier(model, from, rest);
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
            bail!(
                "--from {from}: no site or virtual network of that name; known: internet, {} (or dns:IP to ask a DNS server)",
                known.join(", ")
            )
        }
        _ => {
            let candidates: Vec<String> = sites.iter().chain(vnets.iter()).map(|id| format!("  {id}")).collect();
            bail!("--from {from} is ambiguous; give the ARM id of one of:\n{}", candidates.join("\n"))
        }
    }
}

/// `dns:IP` or `dns:IP@VNET` (the part after `dns:` is `rest`).
fn dns_querier(model: &Model, from: &str, rest: &str) -> anyhow::Result<Querier> {
    let (ip_text, vnet_text) = match rest.split_once('@') {
        Some((ip, vnet)) => (ip, Some(vnet)),
        None => (rest, None),
    };
    let ip: IpAddr = ip_text.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "--from {from}: '{ip_text}' is not an IP address; expected dns:IP or dns:IP@VNET, e.g. dns:10.0.4.4"
        )
    })?;
    let vnet = match vnet_text {
        None => None,
        Some(text) => Some(vnet_named(model, from, text.trim())?),
    };
    if ip == AZURE_HOST_IP && vnet.is_none() {
        bail!(
            "--from {from}: Azure DNS ({AZURE_HOST_IP}) answers only inside a virtual network, so a client outside Azure \
             cannot ask it; name the VNet whose view you want: --from dns:{AZURE_HOST_IP}@VNET (a VNet name or ARM id)"
        );
    }
    Ok(Querier::DnsServer { ip, vnet })
}

/// The VNet of `dns:IP@VNET`: an ARM id or a unique name.
fn vnet_named(model: &Model, from: &str, text: &str) -> anyhow::Result<ResourceId> {
    let vnets = &model.resources.virtual_networks;
    if text.starts_with('/') {
        let id = ResourceId::parse(text).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))?;
        return match vnets.get_key_value(&id) {
            Some((id, _)) => Ok(id.clone()),
            None => bail!("--from {from}: no virtual network with id {text} in the estate"),
        };
    }
    match model.find_by_name(vnets.keys(), text).as_slice() {
        [vnet] => Ok((*vnet).clone()),
        [] => {
            let known: Vec<&str> = vnets.keys().map(|id| id.name()).collect();
            bail!("--from {from}: no virtual network named '{text}'; known: {}", known.join(", "))
        }
        several => {
            let candidates: Vec<String> = several.iter().map(|id| format!("  {id}")).collect();
            bail!("--from {from}: VNet '{text}' is ambiguous; give the ARM id of one of:\n{}", candidates.join("\n"))
        }
    }
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.estate.answer_with(|estate| answer(args, estate))
}

fn answer(args: &Args, estate: &LoadedEstate) -> anyhow::Result<(String, i32)> {
    let model = &estate.model;
    let resolver = Resolver::new(model);
    let names = args.verbosity.names(model);
    let record_type = args.record_type.record_type();
    if args.all_apps {
        // Written app by app: at 100k resources the whole answer is half a gigabyte of JSON.
        stream(|out| {
            let mut array = JsonArrayOut::new(&mut *out);
            let apps = model.resources.sites.len();
            let what = format!("resolving {} apps", super::progress::count(apps));
            let mut progress = super::progress::Progress::beside_output(what, apps);
            for (i, site) in model.resources.sites.values().enumerate() {
                progress.step(i);
                let view = view_of(model, &Querier::Site(site.meta.id.clone()));
                let resolutions: Vec<_> = dependencies::site_dependencies(model, site)
                    .iter()
                    .map(|name| resolver.resolve(&view, name, record_type))
                    .collect();
                match args.format {
                    Format::Text => write!(
                        array.raw(),
                        "== {}\n{}\n",
                        site.meta.name,
                        resolution::to_table_with(&resolutions, &names)
                    )?,
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
            if matches!(querier, Querier::DnsServer { .. }) {
                bail!(
                    "--all needs --from to name a site (it resolves the host names the site depends on); --from {} names a DNS server, which depends on nothing: give NAME instead",
                    args.from.as_deref().unwrap_or_default()
                );
            }
            bail!("--all needs --from to name a site (it resolves the host names the site depends on)");
        };
        let site = &model.resources.sites[site_id];
        let resolutions: Vec<_> = dependencies::site_dependencies(model, site)
            .iter()
            .map(|name| resolver.resolve(&view, name, record_type))
            .collect();
        let out = match args.format {
            Format::Text => resolution::to_table_with(&resolutions, &names),
            Format::Json => json(&resolutions),
        };
        return Ok((out, 0));
    }
    let raw = args.name.as_deref().unwrap_or_default();
    let name = DnsName::parse(raw).with_context(|| format!("NAME {raw}"))?;
    let r = resolver.resolve(&view, &name, record_type);
    let out = match args.format {
        Format::Text => resolution::to_text_with(&r, &names),
        Format::Json => json(&r),
    };
    Ok((out, 0))
}
