//! `privlink up`: the live twin. ARM over HTTPS on loopback (and the App Service managed-identity
//! token endpoint), preloaded with an estate, until Ctrl-C or SIGTERM; the page of the live estate
//! at `/ui` on the ARM port, whose address (with a fresh token) is printed at start.

use crate::estate::{EstateArgs, RUNNING_FILE};
use anyhow::{Context, Result};
use privlink_twin::TwinConfig;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink up                                   # the built-in estate, state in .privlink/twin\n  privlink up --estate prereqs/ --port 8443\n  privlink up --empty --print-env > twin.env &   # then: . twin.env; az group list\n  privlink check --state .privlink/twin         # the live twin's estate, from another shell\n  dig @127.53.241.225 -p 5300 sql-privlink-seed.database.windows.net   # a VNet's view (addresses are printed at start)\n\nThe page of the live estate (every app's dependencies, their traces and DNS chains, the findings with their az fixes, updating after each write) is at https://127.0.0.1:PORT/ui?token=TOKEN, printed at start: the token is new for each start and is not written to disk.\n\nThe estate is preloaded only into a new state directory; an existing one keeps its documents."
)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// HTTPS port for ARM on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Plain-http port for the managed-identity token endpoint on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub identity_port: u16,
    /// Start with no resources instead of the built-in estate.
    #[arg(long, conflicts_with = "paths")]
    pub empty: bool,
    /// Port of the DNS face (one server per VNet, per integrated app and for `internet`, each on its
    /// own 127.53.x.y address). Default: 53 when privileged, else 5300; 0 picks a free port.
    #[arg(long, value_name = "PORT")]
    pub dns_port: Option<u16>,
    /// Do not start the DNS face.
    #[arg(long)]
    pub no_dns: bool,
    /// Print only the shell lines a client needs (exports, az cloud register/set, az login) on
    /// standard output; status goes to standard error.
    #[arg(long)]
    pub print_env: bool,
    /// Serve ARM lists in pages of at most N items, each with a `nextLink` (a `$skiptoken`), to
    /// exercise clients' paging on a small estate.
    #[arg(long, value_name = "N")]
    pub page_size: Option<usize>,
    /// For client tests only: answer requests with METHOD whose path contains PATH-SUBSTRING with
    /// STATUS as ARM sends it (429 with Retry-After, 5xx, 403 AuthorizationFailed), COUNT times
    /// (default: every time). Repeatable. Example: 'POST /config/appsettings/list 403'.
    #[arg(long, value_name = "'METHOD PATH-SUBSTRING STATUS [COUNT]'", hide = true)]
    pub inject_fault: Vec<String>,
}

const DEFAULT_STATE: &str = ".privlink/twin";

pub fn run(args: &Args) -> Result<(String, i32)> {
    let state_dir = args.estate.state.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_STATE));
    std::fs::create_dir_all(&state_dir).with_context(|| format!("{}: cannot create", state_dir.display()))?;
    // Clients get these paths in their environment and may run from anywhere.
    let state_dir = state_dir.canonicalize().with_context(|| format!("{}: cannot resolve", state_dir.display()))?;
    let preload: Vec<serde_json::Value> = if args.empty {
        Vec::new()
    } else {
        let source = EstateArgs { state: None, twin: None, ..args.estate.clone() };
        let estate = source.load()?;
        if let Some(d) = estate.model.diagnostics.iter().find(|d| d.severity == privlink_model::Severity::Error) {
            anyhow::bail!("the estate to preload has errors; first: {d}");
        }
        estate.model.documents.values().map(|d| d.body.clone()).collect()
    };
    let mut config = TwinConfig::new(&state_dir);
    config.port = args.port;
    config.identity_port = (args.identity_port != 0).then_some(args.identity_port);
    config.preload = preload;
    config.page_size = args.page_size;
    config.faults = args
        .inject_fault
        .iter()
        .map(|spec| privlink_twin::arm::Fault::parse(spec))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("--inject-fault {e}"))?;
    config.dns = match (args.no_dns, args.dns_port) {
        (true, _) => privlink_twin::dns_face::DnsConfig::disabled(),
        (false, Some(port)) => privlink_twin::dns_face::DnsConfig::on_port(port),
        (false, None) => privlink_twin::dns_face::DnsConfig::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let twin = privlink_twin::start(config).await?;
        let running = state_dir.join(RUNNING_FILE);
        let info = serde_json::json!({
            "url": twin.url,
            "identity_endpoint": twin.identity_endpoint,
            "ca": twin.ca_path,
            "pid": std::process::id(),
            "dns_views": twin.dns.as_ref().map(|d| d.views().to_vec()),
        });
        // Readers poll for this file: it must appear whole (write, then rename into place).
        let partial = state_dir.join(format!("{RUNNING_FILE}.tmp"));
        privlink_twin::identity::write_private(&partial, &serde_json::to_vec_pretty(&info)?)
            .and_then(|()| std::fs::rename(&partial, &running))
            .with_context(|| format!("{}: cannot write", running.display()))?;
        let dns = match &twin.dns {
            Some(d) => format!("DNS views (dig @ADDRESS -p {} NAME):\n{}", d.port, d.mapping_text()),
            None => "DNS face off\n".to_string(),
        };
        // The page's address carries its token: printed here only, never written to twin.json.
        let status = format!(
            "privlink twin: ARM at {} (CA {}), identity at {}, state in {}\nPage of the live estate: {}\n{dns}Stop with Ctrl-C.\n",
            twin.url,
            twin.ca_path.display(),
            twin.identity_endpoint,
            state_dir.display(),
            twin.ui_url
        );
        if args.print_env {
            eprint!("{status}");
            let mut out = std::io::stdout().lock();
            out.write_all(twin.shell_setup().as_bytes())?;
            out.flush()?;
        } else {
            print!("{status}\nTo point az at it:\n{}", twin.shell_setup());
            std::io::stdout().flush()?;
        }
        let stop = twin.shutdown_handle();
        tokio::spawn(async move {
            super::interrupted().await;
            stop.shutdown();
        });
        let result = twin.wait().await;
        let _ = std::fs::remove_file(&running);
        result
    })?;
    Ok((String::new(), 0))
}
