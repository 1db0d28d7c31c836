//! `privlink run`: the user's process runs as the app, in network namespaces built from the estate.
//!
//! The app's namespace holds one address of its integration subnet (`WEBSITE_PRIVATE_IP`) and a
//! `resolv.conf` naming the DNS servers App Service would use; the Azure namespace answers at those
//! servers with the app's view ([`azure_side`]), serves App Service's token service, holds every
//! address a name of the estate resolves to ([`hosted`]) with the backends' data planes behind
//! them ([`crate::data_plane`]), and drops in the kernel what the engine says never arrives
//! ([`kernel_rules`]). When the estate changes (a twin's write), the gate, the DNS answers, the
//! hosted addresses and the kernel rules follow before the next connection.

mod azure_side;
pub mod hosted;
pub mod kernel_rules;
pub mod namespaces;
pub mod probe;

use crate::data_plane::{Certificates, DataPlane, EngineGate, SecretStore};
use crate::dns_face::{DnsSnapshot, ViewKey};
use crate::identity::{random_hex, Principal, TokenIssuer};
use crate::tls::LocalCa;
use anyhow::bail;
use arc_swap::ArcSwap;
use privlink_engine::access::environment::{environment, PlatformValues};
use privlink_engine::dns::{view_of, Querier, Resolver};
use privlink_engine::guid::name_based_uuid;
use privlink_engine::path::representative_app_address;
use privlink_model::{Model, ResourceId};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use namespaces::{cleanup_leftovers, preflight};

/// Where the app finds App Service's token service. UNVERIFIED: Linux apps report a link-local
/// `http://169.254.x.y:8081/msi/token` (azure-semantics §14.2); the exact address is the twin's.
pub const IDENTITY_ADDRESS: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(169, 254, 129, 1), 8081);
/// The address an app without VNet integration carries (its traffic never enters a VNet): from
/// the documentation range, as every address the twin invents.
pub const UNINTEGRATED_APP_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
/// `PORT` when neither the app's settings nor the caller give one. UNVERIFIED (§14.1): built-in
/// Linux images' default.
pub const DEFAULT_APP_PORT: u16 = 8080;
/// How often a live estate is read again.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(500);

/// What one run needs.
pub struct RunOptions {
    pub site: ResourceId,
    pub model: Model,
    /// Program and arguments.
    pub command: Vec<String>,
    /// The port the app listens on inside (`PORT`).
    pub app_port: u16,
    /// The port on the host's 127.0.0.1 that reaches it (`None`: the same as `app_port`).
    pub host_port: Option<u16>,
    /// Where the twin's CA lives (created when missing).
    pub state_dir: PathBuf,
    /// Reads the estate again; `Some` when it changed. Called every [`FOLLOW_INTERVAL`] for a live estate.
    pub follow: Option<Box<dyn FnMut() -> Option<Model> + Send>>,
    /// Variables of the caller's environment passed through (PATH, HOME, …), besides the app's.
    pub passthrough: Vec<(String, String)>,
    /// Progress lines for the user (stderr).
    pub progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// The address the app carries: its integration subnet's representative address.
pub fn app_address(model: &Model, site: &ResourceId) -> Ipv4Addr {
    let subnet = model
        .resources
        .sites
        .get(site)
        .and_then(|s| s.integration_subnet.as_ref())
        .and_then(|s| model.resources.subnets.get(&s.value));
    match subnet.and_then(representative_app_address) {
        Some(IpAddr::V4(v4)) => v4,
        _ => UNINTEGRATED_APP_ADDRESS,
    }
}

/// The DNS servers the app's resolver asks, in order (§14.4): the engine's view of the app.
pub fn dns_servers(model: &Model, site: &ResourceId) -> Vec<Ipv4Addr> {
    let view = view_of(model, &Querier::Site(site.clone()));
    let servers: Vec<Ipv4Addr> = view.dns_servers.iter().filter_map(|s| s.parse().ok()).collect();
    if servers.is_empty() {
        // Azure DNS's virtual address, the default server (§14.4).
        match privlink_engine::catalog::AZURE_HOST_IP {
            IpAddr::V4(v4) => vec![v4],
            IpAddr::V6(_) => vec![],
        }
    } else {
        servers
    }
}

/// The principal the app's tokens name: its identity's object id, or a stable id derived from
/// the site when the estate does not give one (a template before deployment).
pub fn app_principal(model: &Model, site: &ResourceId) -> Principal {
    let engine =
        model.resources.sites.get(site).and_then(|s| privlink_engine::access::principal_for_code(model, s).ok());
    let object_id = engine
        .as_ref()
        .and_then(|p| p.object_id.clone())
        .unwrap_or_else(|| name_based_uuid(&[0u8; 16], &format!("privlink-run-principal:{site}")));
    let tenant_id = engine
        .as_ref()
        .and_then(|p| p.tenant_id.clone())
        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".to_string());
    let client_id = name_based_uuid(&[0u8; 16], &format!("privlink-run-client:{object_id}"));
    Principal { tenant_id, object_id, client_id }
}

/// Everything the estate changes at once: the gate, the DNS answers, the hosted addresses and the
/// kernel rules.
struct Follower {
    gate: Arc<EngineGate>,
    dns: Arc<ArcSwap<DnsSnapshot>>,
    sandbox: Arc<namespaces::Sandbox>,
    platform: kernel_rules::Platform,
}

impl Follower {
    fn apply(&self, model: Arc<Model>) -> anyhow::Result<Vec<kernel_rules::KernelRule>> {
        self.gate.replace(model.clone());
        self.dns.store(Arc::new(DnsSnapshot::from_model((*model).clone())));
        let hosted = hosted::hosted(&model, self.gate.site());
        self.sandbox.host(hosted.keys().copied())?;
        let rules = kernel_rules::decide(&self.gate, self.sandbox.app_address, &hosted);
        self.sandbox.apply_rules(&kernel_rules::script(&self.sandbox.azure_link, &self.platform, &rules))?;
        Ok(rules)
    }
}

/// Runs the command as the app until it exits; returns its exit code. The namespaces are removed
/// whatever happens (the caller handles SIGINT/SIGTERM by killing the child, see `child_pid`).
pub fn run(mut options: RunOptions, child_pid: Arc<std::sync::atomic::AtomicU32>) -> anyhow::Result<i32> {
    preflight()?;
    // Signals are caught before anything is created, so a SIGTERM at any point ends in cleanup.
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    forward_signals(child_pid.clone(), interrupted.clone())?;
    let progress = &options.progress;
    let leftovers = cleanup_leftovers()?;
    if !leftovers.is_empty() {
        progress(&format!("removed namespaces of an earlier run that did not finish: {}", leftovers.join(", ")));
    }
    let site = options.site.clone();
    let model = Arc::new(std::mem::take(&mut options.model));
    let app = app_address(&model, &site);
    let servers = dns_servers(&model, &site);
    let sandbox = Arc::new(namespaces::Sandbox::create(std::process::id(), app)?);
    let mut resolv = String::from("# privlink run: the DNS servers App Service uses for this app\n");
    for server in &servers {
        resolv.push_str(&format!("nameserver {server}\n"));
    }
    resolv.push_str("options timeout:1 attempts:5\n");
    sandbox.write_resolv_conf(&resolv)?;
    sandbox.host(servers.iter().copied().chain([*IDENTITY_ADDRESS.ip()]))?;

    let principal = app_principal(&model, &site);
    let tokens = Arc::new(TokenIssuer::new(random_hex(32).as_bytes(), principal));
    let gate = Arc::new(EngineGate::new(site.clone(), model.clone()));
    let ca = LocalCa::open(&options.state_dir)?;
    let ca_path = ca.cert_path.clone();
    let plane_secrets = Arc::new(SecretStore::in_state_dir(&options.state_dir)?);
    let plane = Arc::new(DataPlane {
        gate: gate.clone(),
        tokens: tokens.clone(),
        certificates: Arc::new(Certificates::new(ca)),
        // With a twin's state directory the values outlive the run there; a scratch directory
        // is removed afterwards, so they last as long as the run.
        secrets: plane_secrets.clone(),
    });
    let dns = Arc::new(ArcSwap::from_pointee(DnsSnapshot::from_model((*model).clone())));
    let identity_header = random_hex(16);
    let side = azure_side::AzureSide {
        dns: dns.clone(),
        view: ViewKey::Site(site.clone()),
        dns_servers: servers.clone(),
        identity: IDENTITY_ADDRESS,
        identity_header: identity_header.clone(),
        tokens,
        plane,
        app: SocketAddrV4::new(app, options.app_port),
    };
    let (inbound_tx, inbound_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let azure_namespace = sandbox.azure_namespace.clone();
    // The Azure side runs on threads that entered its namespace, so every socket it opens is there.
    std::thread::Builder::new().name("privlink-azure".into()).spawn(move || {
        let started = namespaces::enter(&azure_namespace).and_then(|()| {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(Into::into)
        });
        let runtime = match started {
            Ok(r) => r,
            Err(e) => {
                let _ = ready_tx.send(Err(e));
                return;
            }
        };
        runtime.block_on(async move {
            let _ = ready_tx.send(azure_side::serve(side, inbound_rx).await);
            std::future::pending::<()>().await;
        });
    })?;
    let faces = ready_rx.recv().map_err(|_| anyhow::anyhow!("the Azure side stopped before it started"))??;
    for warning in &faces.warnings {
        progress(warning);
    }

    let follower = Follower {
        gate: gate.clone(),
        dns,
        sandbox: sandbox.clone(),
        platform: kernel_rules::Platform { dns_servers: servers.clone(), identity: IDENTITY_ADDRESS },
    };
    let rules = follower.apply(model.clone())?;
    progress(&format!(
        "app {} at {app} in namespace {}; DNS {}",
        site.name(),
        sandbox.app_namespace,
        servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    ));
    progress(&describe_rules(&rules));

    let host_port = options.host_port.unwrap_or(options.app_port);
    let listener = std::net::TcpListener::bind(("127.0.0.1", host_port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{host_port} for the app's port: {e}"))?;
    let host_port = listener.local_addr()?.port();
    std::thread::Builder::new().name("privlink-inbound".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            if inbound_tx.send(stream).is_err() {
                return;
            }
        }
    })?;
    progress(&format!("the app's port {} is reachable at http://127.0.0.1:{host_port}", options.app_port));

    if let Some(mut follow) = options.follow.take() {
        let progress_follow: Arc<dyn Fn(&str) + Send + Sync> =
            Arc::from(std::mem::replace(&mut options.progress, Box::new(|_: &str| {})));
        let progress_run = progress_follow.clone();
        std::thread::Builder::new().name("privlink-follow".into()).spawn(move || loop {
            std::thread::sleep(FOLLOW_INTERVAL);
            if let Some(next) = follow() {
                match follower.apply(Arc::new(next)) {
                    Ok(rules) => progress_follow(&format!("the estate changed: {}", describe_rules(&rules))),
                    Err(e) => progress_follow(&format!("the estate changed but could not be applied: {e:#}")),
                }
            }
        })?;
        options.progress = Box::new(move |line: &str| progress_run(line));
    }

    let mut environment = app_environment(&gate.model(), &site, &options, app, &identity_header, &ca_path);
    // A reference the engine resolves gets the value the twin's Key Vault holds, as App Service
    // hands the app the secret; without one the placeholder stays, and the run says so.
    for (_, value) in environment.iter_mut() {
        if let Some(secret) = placeholder_secret(value)
            .and_then(|(vault, name, version)| plane_secrets.value_for_reference(vault, name, version))
        {
            *value = secret;
        }
    }
    let placeholders: Vec<&str> = environment
        .iter()
        .filter(|(name, value)| value.starts_with("<secret ") && !name.starts_with("APPSETTING_"))
        .map(|(name, _)| name.as_str())
        .collect();
    if !placeholders.is_empty() {
        (options.progress)(&format!(
            "Key Vault references resolve for {}, but the twin's Key Vault holds no value for them yet, so each holds <secret VAULT/NAME> (set one inside the run through the vault's URI; with --state it is kept for the next run)",
            placeholders.join(", ")
        ));
    }
    let (program, arguments) = options.command.split_first().ok_or_else(|| anyhow::anyhow!("no command given"))?;
    let mut command = sandbox.command(program);
    command.args(arguments).env_clear().envs(environment);
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        bail!("interrupted before the app started");
    }
    let mut child = command.spawn().map_err(|e| anyhow::anyhow!("cannot start {program}: {e}"))?;
    child_pid.store(child.id(), std::sync::atomic::Ordering::SeqCst);
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = child.kill();
    }
    let status = child.wait()?;
    child_pid.store(0, std::sync::atomic::Ordering::SeqCst);
    drop(faces);
    drop(sandbox);
    Ok(status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + status.signal().unwrap_or(0)
    }))
}

/// One line per destination the kernel drops, after a count.
fn describe_rules(rules: &[kernel_rules::KernelRule]) -> String {
    let dropped: Vec<&kernel_rules::KernelRule> = rules.iter().filter(|r| !r.accept).collect();
    let mut text = format!(
        "{} destinations from the engine: {} arrive, {} dropped (a timeout, as in Azure)",
        rules.len(),
        rules.len() - dropped.len(),
        dropped.len()
    );
    for rule in dropped {
        text.push_str(&format!("\n  drop {}: {}", rule.address, rule.why));
    }
    text
}

/// On SIGINT or SIGTERM, ends the app with SIGTERM (or keeps it from starting), so [`run`] returns
/// and removes the namespaces.
fn forward_signals(
    child_pid: Arc<std::sync::atomic::AtomicU32>,
    interrupted: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (mut interrupt, mut terminate) = runtime.block_on(async {
        Ok::<_, std::io::Error>((signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?))
    })?;
    std::thread::Builder::new().name("privlink-signals".into()).spawn(move || {
        runtime.block_on(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                interrupted.store(true, std::sync::atomic::Ordering::SeqCst);
                let pid = child_pid.load(std::sync::atomic::Ordering::SeqCst);
                if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
                }
            }
        });
    })?;
    Ok(())
}

/// The app's environment: what App Service hands it (`privlink env`), `PORT`, the twin's CA for
/// the clients (Azure's certificates are publicly trusted; the twin's come from its own CA), and
/// the caller's variables passed through.
fn app_environment(
    model: &Model,
    site: &ResourceId,
    options: &RunOptions,
    app: Ipv4Addr,
    identity_header: &str,
    ca: &std::path::Path,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = options.passthrough.clone();
    let Some(s) = model.resources.sites.get(site) else { return out };
    let resolver = Resolver::new(model);
    let values = PlatformValues {
        identity_endpoint: Some(format!("http://{IDENTITY_ADDRESS}/msi/token")),
        identity_header: Some(identity_header.to_string()),
    };
    let env = environment(model, &resolver, s, &values);
    let mut names = BTreeSet::new();
    for variable in env.variables {
        names.insert(variable.name.clone());
        out.push((variable.name, variable.value));
    }
    let ca = ca.display().to_string();
    for (name, value) in [
        ("WEBSITE_PRIVATE_IP", app.to_string()),
        ("PORT", options.app_port.to_string()),
        ("SSL_CERT_FILE", ca.clone()),
        ("REQUESTS_CA_BUNDLE", ca),
    ] {
        if matches!(name, "PORT" | "WEBSITE_PRIVATE_IP") || !names.contains(name) {
            out.retain(|(n, _)| n != name);
            out.push((name.to_string(), value));
        }
    }
    out
}

/// The vault, secret and version a resolved reference's placeholder (`<secret VAULT/NAME[/VERSION]>`,
/// `privlink env`'s) names.
fn placeholder_secret(value: &str) -> Option<(&str, &str, Option<&str>)> {
    let inner = value.strip_prefix("<secret ")?.strip_suffix('>')?;
    let mut parts = inner.splitn(3, '/');
    Some((parts.next()?, parts.next()?, parts.next()))
}
