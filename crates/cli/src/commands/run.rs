//! `privlink run`: run a command as the app, inside network namespaces built from the estate.

use super::env::find_site;
use crate::estate::EstateArgs;
use anyhow::{bail, Context};
use privlink_twin::sandbox::{self, RunOptions, DEFAULT_APP_PORT};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

const AFTER_HELP: &str = "\
COMMAND runs as the app would on App Service: in a network namespace holding an address of the
app's integration subnet (WEBSITE_PRIVATE_IP), with /etc/resolv.conf naming the DNS servers App
Service uses for it (Azure DNS, the VNet's custom servers, WEBSITE_DNS_SERVER), answered with
the app's view of the estate; with the environment App Service hands it (`privlink env`: app
settings, connection strings, WEBSITE_*, IDENTITY_ENDPOINT/IDENTITY_HEADER at a token service
inside); and with every backend at the addresses its names resolve to, behind the routes, NSG rules
and service firewalls the engine evaluates: what `privlink trace` says is dropped is dropped by the
kernel (a timeout), what a service refuses it refuses in its own words (Key Vault's 403, SQL's
47073). SSL_CERT_FILE and REQUESTS_CA_BUNDLE name the twin's CA, which signs the backends'
certificates.

The app's PORT is reachable from this machine at http://127.0.0.1:PORT (--host-port to change).
With --twin or --state the run follows the live twin: an `az` write that deletes a zone link
changes the next DNS answer inside.

Needs root (network namespaces), iproute2 and nftables. Packets only travel inside the two
namespaces the run creates (plrun<PID>-app and plrun<PID>-az), which are removed when COMMAND
exits, on Ctrl-C and on SIGTERM; `privlink run --cleanup` removes those of a run that was killed.

Examples:
  sudo privlink run --app app-flask-privlink -- python3 app.py
  sudo privlink run --app app-flask-privlink -- getent hosts sql-privlink-seed.database.windows.net
  sudo privlink run --app app-flask-privlink --state .privlink/twin -- flask run --port 8000
  sudo privlink run --cleanup

Exit code: COMMAND's, or 2 when the run cannot start (an unknown app, not root, a tool missing).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The app (site name or ARM id) to run as.
    #[arg(long, value_name = "SITE", required_unless_present = "cleanup")]
    pub app: Option<String>,
    /// The port the app listens on (PORT); default: the app's PORT or WEBSITES_PORT setting, else 8080.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// The port on 127.0.0.1 that reaches the app's port (default: the same number).
    #[arg(long, value_name = "PORT")]
    pub host_port: Option<u16>,
    /// An extra variable for COMMAND (NAME=VALUE; repeatable), e.g. what a client library needs locally.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub extra_env: Vec<String>,
    /// Remove the namespaces of earlier runs that were killed, and exit.
    #[arg(long)]
    pub cleanup: bool,
    /// The command to run as the app, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Variables of the caller's environment a local process needs to start at all.
const PASSTHROUGH: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TERM",
    "TZ",
    "TMPDIR",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
];

fn fingerprint(model: &privlink_model::Model) -> u64 {
    let mut hasher = DefaultHasher::new();
    format!("{:?}", model.resources).hash(&mut hasher);
    hasher.finish()
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    if args.cleanup {
        let removed = sandbox::cleanup_leftovers()?;
        let text = if removed.is_empty() {
            "nothing to remove: no namespace of a finished run is left\n".to_string()
        } else {
            format!("removed {}\n", removed.join(", "))
        };
        return Ok((text, 0));
    }
    let Some(app) = &args.app else { bail!("--app SITE is required") };
    if args.command.is_empty() {
        bail!("no command: give the command to run as the app after `--`, e.g. `privlink run --app {app} -- python3 app.py`");
    }
    let mut extra = Vec::new();
    for pair in &args.extra_env {
        let (name, value) = pair.split_once('=').with_context(|| format!("--env {pair}: expected NAME=VALUE"))?;
        extra.push((name.to_string(), value.to_string()));
    }
    sandbox::preflight()?;
    let estate = args.estate.load()?;
    let site =
        find_site(&estate.model, app).map_err(|e| anyhow::anyhow!(e.to_string().replacen("--from", "--app", 1)))?;
    let port = args.port.or_else(|| {
        let s = estate.model.resources.sites.get(&site)?;
        ["PORT", "WEBSITES_PORT"].iter().find_map(|k| s.app_setting(k)).and_then(|v| v.trim().parse().ok())
    });
    let live = args.estate.paths.is_empty() && (args.estate.twin.is_some() || args.estate.state.is_some());
    let follow: Option<Box<dyn FnMut() -> Option<privlink_model::Model> + Send>> = if live {
        let estate_args = args.estate.clone();
        let mut last = fingerprint(&estate.model);
        Some(Box::new(move || {
            let next = estate_args.load().ok()?.model;
            let print = fingerprint(&next);
            (print != last).then(|| {
                last = print;
                next
            })
        }))
    } else {
        None
    };
    // The twin's CA signs the backends' certificates: the twin's own with --state, else one made
    // for this run in a private directory removed afterwards.
    let (state_dir, scratch) = match &args.estate.state {
        Some(dir) => (dir.canonicalize().with_context(|| format!("{}: cannot resolve", dir.display()))?, None),
        None => {
            let dir = std::env::temp_dir().join(format!("privlink-run-{}", std::process::id()));
            std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
            privlink_twin::identity::make_dir_private(&dir)?;
            (dir.clone(), Some(dir))
        }
    };
    let mut passthrough: Vec<(String, String)> =
        PASSTHROUGH.iter().filter_map(|name| std::env::var(name).ok().map(|v| (name.to_string(), v))).collect();
    passthrough.extend(extra);
    let options = RunOptions {
        site,
        model: estate.model,
        command: args.command.clone(),
        app_port: port.unwrap_or(DEFAULT_APP_PORT),
        host_port: args.host_port,
        state_dir,
        follow,
        passthrough,
        progress: Box::new(|line: &str| eprintln!("privlink run: {line}")),
    };
    let child = Arc::new(AtomicU32::new(0));
    let code = sandbox::run(options, child);
    if let Some(dir) = scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok((String::new(), code?))
}
