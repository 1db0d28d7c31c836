//! The DNS face of the live twin: one DNS server per view, answering from the engine.
//!
//! Each view of the estate — `internet`, every VNet, every VNet-integrated site — gets its own
//! loopback address in 127.53.0.0/16 ([`address`]) and listens there on UDP and TCP, all views on
//! one port. A query to a view's address is answered by [`packet::respond`], which asks
//! `privlink_engine::dns` for that view on the current [`DnsSnapshot`] and renders the
//! resolution on the wire (hickory-proto). The face loads no zones and decides nothing: what the
//! CLI's `privlink resolve` says is what `dig` sees.
//!
//! **Freshness.** With a [`ModelSource::Store`] the snapshot (model + resolver + views) is rebuilt
//! after each store commit and swapped atomically. Every query first checks that its snapshot was
//! built from the store's latest documents and rebuilds it if not, so a write acknowledged by the
//! ARM face is visible to the very next query. A supervisor follows the commits too: it rebuilds
//! eagerly and reconciles the listeners — a VNet or integrated site added through the ARM face gets
//! a listener (and an entry in the view table), one deleted loses it; views that stay keep their
//! address and socket.
//!
//! **Safety.** Listeners bind only 127.53.x.y; the face never sends a query anywhere, and names it
//! cannot answer get SERVFAIL with an Extended DNS Error saying "not modelled".
//!
//! **For the CLI** (`privlink dns [--estate PATH]`): load the estate into a [`Model`], call
//! [`start_dns`]`(ModelSource::Model(Box::new(model)), &DnsConfig { port, .. })`, print
//! [`RunningDns::mapping_text`], wait for Ctrl-C (a [`DnsShutdown`] from
//! [`RunningDns::shutdown_handle`]) and `await` [`RunningDns::wait`]. `privlink up` sets
//! `TwinConfig::dns` ([`DnsConfig::default`] = enabled, port 53 falling back to
//! [`UNPRIVILEGED_PORT`]) and reads the mapping from `RunningTwin::dns`. The ARM face serves the
//! same table at `GET /privlink/dns-views` (no token needed, like `/metadata/endpoints`: it only
//! names loopback addresses).

pub mod address;
mod listen;
pub use listen::{DNS_WORKERS, MAX_TCP_CONNECTIONS, TCP_IDLE};
pub mod packet;
pub mod snapshot;

pub use packet::Transport;
pub use snapshot::{DnsSnapshot, ViewKey};

use crate::store::{Documents, Store};
use arc_swap::ArcSwap;
use privlink_model::Model;
use serde::Serialize;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The port used when the process may not bind 53 and no port was configured.
pub const UNPRIVILEGED_PORT: u16 = 5300;

/// How to run the DNS face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    /// Whether `privlink_twin::start` starts the DNS face alongside ARM.
    pub enabled: bool,
    /// The port every view listens on. `None`: 53, or [`UNPRIVILEGED_PORT`] when binding 53 is
    /// not permitted. `Some(0)`: a free port chosen at start (tests).
    pub port: Option<u16>,
}

impl Default for DnsConfig {
    /// Enabled, on port 53 when privileged.
    fn default() -> DnsConfig {
        DnsConfig { enabled: true, port: None }
    }
}

impl DnsConfig {
    /// Not started.
    pub fn disabled() -> DnsConfig {
        DnsConfig { enabled: false, port: None }
    }

    /// Enabled on this port (0: any free port, the same for every view).
    pub fn on_port(port: u16) -> DnsConfig {
        DnsConfig { enabled: true, port: Some(port) }
    }
}

/// One row of the view table: `{"view": "<VNet or site ARM id, or internet>", "address": "127.53.x.y", "port": 53}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsView {
    pub view: String,
    pub address: Ipv4Addr,
    pub port: u16,
}

/// The views that are listening now, shared with the ARM face. Empty while no DNS face runs.
#[derive(Clone, Default)]
pub struct ViewTable(Arc<ArcSwap<Vec<DnsView>>>);

impl ViewTable {
    pub fn get(&self) -> Arc<Vec<DnsView>> {
        self.0.load_full()
    }

    fn set(&self, views: Vec<DnsView>) {
        self.0.store(Arc::new(views));
    }
}

impl std::fmt::Debug for ViewTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ViewTable").field(&self.get()).finish()
    }
}

/// Where the estate comes from.
pub enum ModelSource {
    /// A fixed estate (`privlink dns --estate PATH`): loaded once, never changes.
    Model(Box<Model>),
    /// The twin's document store: rebuilt after every commit ([`Store::watch`]).
    Store(watch::Receiver<Arc<Documents>>),
}

impl ModelSource {
    pub fn store(store: &Store) -> ModelSource {
        ModelSource::Store(store.watch())
    }
}

/// The snapshot every listener answers from, kept current with the store.
struct Shared {
    documents: Option<watch::Receiver<Arc<Documents>>>,
    current: ArcSwap<DnsSnapshot>,
    rebuilding: Mutex<()>,
}

impl Shared {
    fn new(source: ModelSource) -> Shared {
        let (documents, snapshot) = match source {
            ModelSource::Model(model) => (None, DnsSnapshot::from_model(*model)),
            ModelSource::Store(receiver) => {
                let latest = receiver.borrow().clone();
                (Some(receiver), DnsSnapshot::from_documents(latest))
            }
        };
        Shared { documents, current: ArcSwap::from_pointee(snapshot), rebuilding: Mutex::new(()) }
    }

    /// The snapshot of the store's latest documents, rebuilding it first if a commit happened.
    fn snapshot(&self) -> Arc<DnsSnapshot> {
        let current = self.current.load_full();
        let Some(documents) = &self.documents else { return current };
        if current.is_built_from(&documents.borrow()) {
            return current;
        }
        let _rebuilding = self.rebuilding.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let latest = documents.borrow().clone();
        let current = self.current.load_full();
        if current.is_built_from(&latest) {
            return current;
        }
        let next = Arc::new(DnsSnapshot::from_documents(latest));
        self.current.store(next.clone());
        next
    }
}

/// Stops a running DNS face from anywhere. Cheap to clone.
#[derive(Clone)]
pub struct DnsShutdown(Arc<watch::Sender<bool>>);

impl DnsShutdown {
    pub fn shutdown(&self) {
        let _ = self.0.send(true);
    }
}

/// A DNS face that is serving.
pub struct RunningDns {
    /// The port every view listens on.
    pub port: u16,
    table: ViewTable,
    stop: DnsShutdown,
    supervisor: listen::Stopped,
}

impl RunningDns {
    /// The views listening now, in view order (`internet`, VNets, sites).
    pub fn views(&self) -> Arc<Vec<DnsView>> {
        self.table.get()
    }

    /// The table the ARM face serves at `GET /privlink/dns-views`.
    pub fn table(&self) -> ViewTable {
        self.table.clone()
    }

    /// The address of a view, by its label (`internet` or an ARM id, case-insensitive).
    pub fn address_of(&self, view: &str) -> Option<Ipv4Addr> {
        self.views().iter().find(|v| v.view.eq_ignore_ascii_case(view)).map(|v| v.address)
    }

    /// The mapping as printed at start: one `address:port  view` line per view.
    pub fn mapping_text(&self) -> String {
        mapping_text(&self.views())
    }

    pub fn shutdown_handle(&self) -> DnsShutdown {
        self.stop.clone()
    }

    /// Stops every listener and waits until they are closed.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.stop.shutdown();
        self.wait().await
    }

    /// Waits until the face stops (after a [`DnsShutdown::shutdown`]).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.supervisor.await.map_err(|_| anyhow::anyhow!("the DNS face supervisor failed (it panicked)"))
    }
}

/// `127.53.x.y:port  view` lines.
pub fn mapping_text(views: &[DnsView]) -> String {
    views.iter().map(|v| format!("{}:{}  {}\n", v.address, v.port, v.view)).collect()
}

/// Starts the DNS face for `source`.
pub async fn start_dns(source: ModelSource, config: &DnsConfig) -> anyhow::Result<RunningDns> {
    start_dns_with_table(source, config, ViewTable::default()).await
}

/// Serves one view on any address and port, e.g. a veth address inside a network namespace that a
/// test created (`ip netns exec NS …`). The set of listeners is fixed; answers still follow the
/// estate.
pub async fn serve_view_at(
    source: ModelSource,
    view: ViewKey,
    address: std::net::SocketAddrV4,
) -> anyhow::Result<RunningDns> {
    let shared = Arc::new(tokio::task::spawn_blocking(move || Shared::new(source)).await?);
    let (stop, stopped) = watch::channel(false);
    let table = ViewTable::default();
    let (port, supervisor) = listen::start_one(shared, view, address, table.clone(), stopped).await?;
    Ok(RunningDns { port, table, stop: DnsShutdown(Arc::new(stop)), supervisor })
}

/// Starts the DNS face and publishes its views in `table` (the ARM face's).
pub async fn start_dns_with_table(
    source: ModelSource,
    config: &DnsConfig,
    table: ViewTable,
) -> anyhow::Result<RunningDns> {
    let shared = Arc::new(tokio::task::spawn_blocking(move || Shared::new(source)).await?);
    let (stop, stopped) = watch::channel(false);
    let (port, supervisor) = listen::start(shared, config.port, table.clone(), stopped).await?;
    Ok(RunningDns { port, table, stop: DnsShutdown(Arc::new(stop)), supervisor })
}
