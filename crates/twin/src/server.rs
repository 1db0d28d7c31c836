//! Starting and stopping the live twin.
//!
//! ARM is served over HTTPS on 127.0.0.1 only (Azure clients refuse bearer tokens over http); the
//! managed-identity token endpoint is served over plain http on a second loopback port, as App
//! Service does, which az accepts (az-cli.md §2). Everything the twin must keep across restarts
//! lives in the state directory: the document store, the CA, the token-signing key, the
//! `IDENTITY_HEADER` secret and the identity's ids.

use crate::arm::{identity_router, router, ArmState, IDENTITY_PATH};
use crate::connections::{ConnectionLimits, LimitedAcceptor};
use crate::dns_face::{start_dns_with_table, DnsConfig, ModelSource, RunningDns, ViewTable};
use crate::identity::{
    load_or_create_secret, make_dir_private, uuid_from_hex, Principal, TokenIssuer, CLIENT_ID_FILE,
    IDENTITY_HEADER_FILE, OBJECT_ID_FILE,
};
use crate::provider::{EngineProvider, Provider};
use crate::store::{document_id, Change, Store};
use crate::tls::LocalCa;
use crate::ui::UiState;
use crate::{computed, structure};
use anyhow::Context;
use axum_server::accept::DefaultAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use privlink_model::arm_type;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// The tenant the twin's tokens and subscription belong to.
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-0000-0000-0000000000aa";
/// The subscription the twin always has.
pub const DEFAULT_SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000001";
/// The name `az cloud register` is advised to use for the twin.
pub const CLOUD_NAME: &str = "PrivlinkTwin";
/// Location given to resource groups the twin creates for preloaded documents that lack one.
const DEFAULT_LOCATION: &str = "eastus";

/// How to run a twin.
#[derive(Debug, Clone)]
pub struct TwinConfig {
    /// Where the estate, CA and keys live; created if missing.
    pub state_dir: PathBuf,
    /// HTTPS port for ARM on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Plain-http port for the managed-identity endpoint on 127.0.0.1; `None` or 0 picks a free one.
    pub identity_port: Option<u16>,
    /// ARM documents to seed a new state directory with. A state directory that already holds
    /// documents keeps them: it is the truth once the twin has run.
    pub preload: Vec<Value>,
    pub tenant_id: String,
    pub subscription_id: String,
    /// The DNS face: one DNS server per view of the estate on 127.53.x.y (off in [`TwinConfig::new`];
    /// `privlink up` turns it on with [`DnsConfig::default`]).
    pub dns: DnsConfig,
    /// The largest list page ARM serves; `None`: every list in one page.
    pub page_size: Option<usize>,
    /// Faults to inject, for tests of clients (see [`crate::arm::Fault`]).
    pub faults: Vec<crate::arm::Fault>,
    /// Connections each HTTP listener (ARM, identity) holds at once, and its timeouts.
    pub connections: ConnectionLimits,
}

impl TwinConfig {
    pub fn new(state_dir: impl Into<PathBuf>) -> TwinConfig {
        TwinConfig {
            state_dir: state_dir.into(),
            port: 0,
            identity_port: None,
            preload: Vec::new(),
            tenant_id: DEFAULT_TENANT_ID.to_string(),
            subscription_id: DEFAULT_SUBSCRIPTION_ID.to_string(),
            dns: DnsConfig::disabled(),
            page_size: None,
            faults: Vec::new(),
            connections: ConnectionLimits::default(),
        }
    }
}

/// Opens everything a twin needs from `config.state_dir` (creating what is missing) and seeds a
/// new store with `config.preload`. `public_url` is where ARM is reachable. The servers use this;
/// tests use it to drive [`router`] in-process.
pub fn open_state(
    config: &TwinConfig,
    provider: Arc<dyn Provider>,
    public_url: String,
) -> anyhow::Result<Arc<ArmState>> {
    let dir = &config.state_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("creating state directory {}", dir.display()))?;
    make_dir_private(dir).with_context(|| format!("making the state directory {} private", dir.display()))?;
    let store = Arc::new(Store::open(dir)?);
    let identity_header = load_or_create_secret(dir, IDENTITY_HEADER_FILE, 16)?;
    let principal = Principal {
        tenant_id: config.tenant_id.clone(),
        object_id: uuid_from_hex(&load_or_create_secret(dir, OBJECT_ID_FILE, 16)?),
        client_id: uuid_from_hex(&load_or_create_secret(dir, CLIENT_ID_FILE, 16)?),
    };
    let tokens = TokenIssuer::open(dir, principal).context("opening the token-signing key")?;
    if store.snapshot().is_empty() && !config.preload.is_empty() {
        preload(&store, &config.preload)?;
    }
    Ok(Arc::new(ArmState {
        store,
        provider,
        tokens,
        identity_header,
        tenant_id: config.tenant_id.clone(),
        subscription_id: config.subscription_id.clone(),
        public_url,
        dns_views: ViewTable::default(),
        page_size: config.page_size,
        faults: crate::arm::Faults::new(config.faults.clone()),
        secrets: Arc::new(crate::data_plane::SecretStore::in_state_dir(&config.state_dir)?),
    }))
}

/// Seeds the store: documents go in by id order (parents before children), and a resource group
/// is created for any group the documents live in but do not include.
fn preload(store: &Store, documents: &[Value]) -> anyhow::Result<()> {
    let mut by_key: BTreeMap<String, Value> = BTreeMap::new();
    let mut groups: BTreeMap<String, Value> = BTreeMap::new();
    for (index, doc) in documents.iter().enumerate() {
        let id = document_id(doc).with_context(|| format!("preloaded document #{index} has no valid 'id' property"))?;
        if let Some(group) = id.resource_group_id().filter(|g| g != &id) {
            let location = doc.get("location").and_then(Value::as_str).filter(|l| *l != "global");
            groups.entry(group.key().to_string()).or_insert_with(|| {
                json!({
                    "id": group.to_string(),
                    "name": group.name(),
                    "type": arm_type::RESOURCE_GROUPS,
                    "location": location.unwrap_or(DEFAULT_LOCATION),
                    "properties": {"provisioningState": "Succeeded"}
                })
            });
        }
        by_key.insert(id.key().to_string(), doc.clone());
    }
    for (key, group) in groups {
        by_key.entry(key).or_insert(group);
    }
    let changes: Vec<Change> = by_key.into_values().map(Change::Put).collect();
    store
        .transact(|snapshot| {
            let changes = computed::complete(snapshot, structure::complete(snapshot, changes)?);
            Ok::<_, anyhow::Error>((changes, ()))
        })
        .map(|_| ())
}

/// A twin that is serving. Dropping it does not stop it: call [`RunningTwin::shutdown`].
pub struct RunningTwin {
    /// `https://127.0.0.1:{port}`, the ARM endpoint (no trailing slash).
    pub url: String,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:{port}/msi/token`, the `IDENTITY_ENDPOINT`.
    pub identity_endpoint: String,
    pub identity_addr: SocketAddr,
    /// The CA certificate clients must trust (`REQUESTS_CA_BUNDLE`).
    pub ca_path: PathBuf,
    pub state_dir: PathBuf,
    /// The DNS face, when [`TwinConfig::dns`] enables it: its views and their addresses.
    pub dns: Option<RunningDns>,
    /// `https://127.0.0.1:{port}/ui?token=…`: the page of the live estate ([`crate::ui`]). The
    /// token is fresh for each start and kept only in memory: print it, never store it.
    pub ui_url: String,
    state: Arc<ArmState>,
    shutdown: ShutdownHandle,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

/// Stops a running twin from anywhere (a signal handler, another task). Cheap to clone.
#[derive(Clone)]
pub struct ShutdownHandle {
    arm: axum_server::Handle<SocketAddr>,
    identity: axum_server::Handle<SocketAddr>,
    dns: Option<crate::dns_face::DnsShutdown>,
    ui: Arc<UiState>,
}

impl ShutdownHandle {
    /// Stops accepting connections and lets requests in flight finish.
    pub fn shutdown(&self) {
        // Open pages' event streams never end by themselves; end them so the listener can.
        self.ui.stop();
        self.arm.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
        self.identity.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
        if let Some(dns) = &self.dns {
            dns.shutdown();
        }
    }
}

/// Starts a twin whose writes have Azure's control-plane behaviour ([`EngineProvider`]).
pub async fn start(config: TwinConfig) -> anyhow::Result<RunningTwin> {
    start_with_provider(config, Arc::new(EngineProvider)).await
}

/// Starts a twin whose writes go through `provider`.
pub async fn start_with_provider(config: TwinConfig, provider: Arc<dyn Provider>) -> anyhow::Result<RunningTwin> {
    let loopback = Ipv4Addr::LOCALHOST;
    let arm_listener = std::net::TcpListener::bind((loopback, config.port))
        .with_context(|| format!("binding 127.0.0.1:{}", config.port))?;
    arm_listener.set_nonblocking(true)?;
    let addr = arm_listener.local_addr()?;
    let identity_port = config.identity_port.unwrap_or(0);
    let identity_listener = std::net::TcpListener::bind((loopback, identity_port))
        .with_context(|| format!("binding 127.0.0.1:{identity_port}"))?;
    let identity_addr = identity_listener.local_addr()?;
    let url = format!("https://127.0.0.1:{}", addr.port());

    let state = open_state(&config, provider, url.clone())?;
    let ca = LocalCa::open(&config.state_dir)?;
    let tls = RustlsConfig::from_config(ca.server_config()?);

    let limits = config.connections;
    let arm_handle = axum_server::Handle::new();
    let identity_handle = axum_server::Handle::new();
    let arm_acceptor = RustlsAcceptor::new(tls)
        .handshake_timeout(limits.header_read_timeout)
        .acceptor(LimitedAcceptor::new(DefaultAcceptor::new(), &limits));
    let mut arm_server = axum_server::from_tcp(arm_listener)?.acceptor(arm_acceptor).handle(arm_handle.clone());
    arm_server.http_builder().http1().header_read_timeout(limits.header_read_timeout);
    let ui = Arc::new(UiState::new(addr.port()));
    let ui_url = ui.url(&url);
    let arm_routes = crate::ui::router(state.clone(), ui.clone()).merge(router(state.clone()));
    let arm_server = arm_server.serve(arm_routes.into_make_service());
    let mut identity_server = axum_server::from_tcp(identity_listener)?
        .acceptor(LimitedAcceptor::new(DefaultAcceptor::new(), &limits))
        .handle(identity_handle.clone());
    identity_server.http_builder().http1().header_read_timeout(limits.header_read_timeout);
    let identity_server = identity_server.serve(identity_router(state.clone()).into_make_service());
    let dns = if config.dns.enabled {
        let source = ModelSource::store(&state.store);
        Some(
            start_dns_with_table(source, &config.dns, state.dns_views.clone())
                .await
                .context("starting the DNS face")?,
        )
    } else {
        None
    };
    let dns_stop = dns.as_ref().map(RunningDns::shutdown_handle);
    let tasks = vec![tokio::spawn(arm_server), tokio::spawn(identity_server)];
    Ok(RunningTwin {
        url,
        addr,
        identity_endpoint: format!("http://127.0.0.1:{}{IDENTITY_PATH}", identity_addr.port()),
        identity_addr,
        ca_path: ca.cert_path.clone(),
        state_dir: config.state_dir.clone(),
        dns,
        state,
        ui_url,
        shutdown: ShutdownHandle { arm: arm_handle, identity: identity_handle, dns: dns_stop, ui },
        tasks,
    })
}

impl RunningTwin {
    /// The shared state: the store (for snapshots) and the token issuer.
    pub fn state(&self) -> &Arc<ArmState> {
        &self.state
    }

    /// The `IDENTITY_HEADER` secret the token endpoint requires.
    pub fn identity_header(&self) -> &str {
        &self.state.identity_header
    }

    /// `(IDENTITY_ENDPOINT, IDENTITY_HEADER)` for the app `site_id`: its own token endpoint on the
    /// identity listener, answering with the site's managed identity as the store holds it.
    pub fn site_identity_env(&self, site_id: &privlink_model::ResourceId) -> (String, String) {
        site_identity_env(self.identity_addr, &self.state.identity_header, site_id)
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Stops the twin and waits until both listeners are closed.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.shutdown.shutdown();
        self.wait().await
    }

    /// Waits until the twin stops (after a [`ShutdownHandle::shutdown`]) and its document store is
    /// closed, so the same state directory can be opened again at once.
    pub async fn wait(self) -> anyhow::Result<()> {
        if let Some(dns) = self.dns {
            dns.wait().await?;
        }
        for task in self.tasks {
            task.await.context("a twin listener panicked")?.context("a twin listener failed")?;
        }
        // Connection tasks finish after their listener and each holds the state (and so the store's
        // file lock) until it is dropped; the graceful-shutdown grace period bounds how long.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while Arc::strong_count(&self.state) > 1 {
            if std::time::Instant::now() > deadline {
                anyhow::bail!("the twin stopped but connections still hold its document store after 10 s");
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// The environment a client needs, in the order to print it.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("REQUESTS_CA_BUNDLE", self.ca_path.display().to_string()),
            ("IDENTITY_ENDPOINT", self.identity_endpoint.clone()),
            ("IDENTITY_HEADER", self.state.identity_header.clone()),
            // az starts a telemetry uploader otherwise.
            ("AZURE_CORE_COLLECT_TELEMETRY", "false".to_string()),
            // A profile of its own keeps the twin's cloud and login away from ~/.azure.
            ("AZURE_CONFIG_DIR", azure_config_dir(&self.state_dir).display().to_string()),
        ]
    }

    /// `az cloud register` for this twin. No trailing slash on the URL: az would then ask for
    /// `//metadata/endpoints` (az-cli.md §6).
    pub fn cloud_register_command(&self) -> String {
        format!("az cloud register --name {CLOUD_NAME} --endpoint-resource-manager {}", self.url)
    }

    /// A shell snippet that points az at the twin: exports, cloud registration, identity login.
    pub fn shell_setup(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.env() {
            out.push_str(&format!("export {name}={}\n", shell_quote(&value)));
        }
        out.push_str(&format!(
            "{} || az cloud update --name {CLOUD_NAME} --endpoint-resource-manager {}\n",
            self.cloud_register_command(),
            self.url
        ));
        out.push_str(&format!("az cloud set --name {CLOUD_NAME}\naz login --identity\n"));
        out
    }
}

/// `(IDENTITY_ENDPOINT, IDENTITY_HEADER)` of `site_id`'s token endpoint on the identity listener at
/// `identity_addr`, given the twin's identity-header secret (kept in the state directory).
pub fn site_identity_env(
    identity_addr: SocketAddr,
    identity_secret: &str,
    site_id: &privlink_model::ResourceId,
) -> (String, String) {
    (
        format!("http://{identity_addr}{}", crate::arm::site_identity_path(site_id)),
        crate::identity::site_identity_header(identity_secret, site_id.as_str()),
    )
}

/// The `AZURE_CONFIG_DIR` advised for a state directory.
pub fn azure_config_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("azure-cli")
}

fn shell_quote(value: &str) -> String {
    if value.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:=".contains(c)) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}
