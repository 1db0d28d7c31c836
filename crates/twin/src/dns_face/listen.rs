//! Sockets: a UDP socket and a TCP listener per view, and the supervisor that keeps the set of
//! listeners equal to the set of views of the current estate.
//!
//! **Isolation.** The face runs on a runtime of its own ([`DNS_WORKERS`] worker thread plus the
//! supervisor's thread), never on the caller's: a flood of DNS packets then costs at most that
//! thread's share of the CPU, and the ARM face keeps its own workers (issue 17: ARM's median went
//! from 0.29 ms to 73 ms while DNS shared its runtime).
//!
//! **TCP.** At most [`MAX_TCP_CONNECTIONS`] per view; a connection idle for [`TCP_IDLE`] is
//! closed (RFC 7766 §6.2.3), and when a new connection arrives at the limit the connection idle
//! the longest is closed to make room (RFC 7766 §6.2.2), so idle or slow connections cannot lock
//! legitimate clients out.

use super::packet::{self, Transport};
use super::snapshot::{DnsSnapshot, ViewKey};
use super::{address, DnsView, Shared, ViewTable, UNPRIVILEGED_PORT};
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;

/// Worker threads of the DNS face's own runtime.
pub const DNS_WORKERS: usize = 1;
/// Tasks receiving on each view's UDP socket.
const UDP_WORKERS: usize = 2;
/// Open TCP connections per view; at the limit the longest-idle one makes room for a new one.
pub const MAX_TCP_CONNECTIONS: usize = 64;
/// A TCP connection idle this long is closed (RFC 7766 suggests seconds, not minutes).
pub const TCP_IDLE: Duration = Duration::from_secs(5);
/// The supervisor rebuilds eagerly at most this often; a query always sees the latest commit
/// anyway (it rebuilds on demand), so a burst of writes costs a few rebuilds, not one each.
const EAGER_REBUILD_INTERVAL: Duration = Duration::from_millis(200);
/// Attempts at finding a free port shared by every address when the port is 0.
const PORT_ATTEMPTS: usize = 8;

struct Listener {
    address: Ipv4Addr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Resolves once a stop is requested (or the stopper is gone); holds no lock across awaits.
async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

fn bind_pair(address: Ipv4Addr, port: u16) -> io::Result<(std::net::UdpSocket, std::net::TcpListener)> {
    let udp = std::net::UdpSocket::bind((address, port))?;
    let port = udp.local_addr()?.port();
    let tcp = std::net::TcpListener::bind((address, port))?;
    Ok((udp, tcp))
}

type Bound = Vec<(ViewKey, Ipv4Addr, std::net::UdpSocket, std::net::TcpListener)>;

/// Binds every address on one port; port 0 takes the first address's free port for all.
fn bind_all(addresses: &BTreeMap<ViewKey, Ipv4Addr>, port: u16) -> io::Result<(u16, Bound)> {
    let mut port = port;
    let mut bound = Vec::new();
    for (key, address) in addresses {
        let (udp, tcp) = bind_pair(*address, port)
            .map_err(|e| io::Error::new(e.kind(), format!("binding {address}:{port} for view {key}: {e}")))?;
        port = udp.local_addr()?.port();
        bound.push((key.clone(), *address, udp, tcp));
    }
    Ok((port, bound))
}

fn bind_initial(addresses: &BTreeMap<ViewKey, Ipv4Addr>, requested: Option<u16>) -> anyhow::Result<(u16, Bound)> {
    match requested {
        Some(0) => {
            let mut last = None;
            for _ in 0..PORT_ATTEMPTS {
                match bind_all(addresses, 0) {
                    Ok(bound) => return Ok(bound),
                    Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                    Err(e) => return Err(e.into()),
                }
            }
            Err(last.map(anyhow::Error::from).unwrap_or_else(|| anyhow::anyhow!("no free port")))
                .context("finding a port free on every DNS view address")
        }
        Some(port) => Ok(bind_all(addresses, port)?),
        None => match bind_all(addresses, 53) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(bind_all(addresses, UNPRIVILEGED_PORT)?),
            other => Ok(other?),
        },
    }
}

/// Binds the views of the current estate and starts the supervisor. Returns the port.
pub(super) async fn start(
    shared: Arc<Shared>,
    port: Option<u16>,
    table: ViewTable,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<(u16, Stopped)> {
    let snapshot = shared.current.load_full();
    let addresses = address::allocate(snapshot.view_keys(), []);
    let (port, bound) = bind_initial(&addresses, port)?;
    let supervisor = launch(shared, bound, port, table, stopped, true)?;
    Ok((port, supervisor))
}

/// Resolves when the face's supervisor has stopped every listener; an error if it panicked.
pub(super) type Stopped = oneshot::Receiver<()>;

/// Serves exactly one view on `address` (any address: a veth inside a network namespace), with no
/// listeners added or removed as the estate changes.
pub(super) async fn start_one(
    shared: Arc<Shared>,
    view: ViewKey,
    address: std::net::SocketAddrV4,
    table: ViewTable,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<(u16, Stopped)> {
    let (udp, tcp) = bind_pair(*address.ip(), address.port()).with_context(|| format!("binding {address}"))?;
    let port = udp.local_addr()?.port();
    let supervisor = launch(shared, vec![(view, *address.ip(), udp, tcp)], port, table, stopped, false)?;
    Ok((port, supervisor))
}

fn launch(
    shared: Arc<Shared>,
    bound: Bound,
    port: u16,
    table: ViewTable,
    stopped: watch::Receiver<bool>,
    follow_views: bool,
) -> anyhow::Result<Stopped> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(DNS_WORKERS)
        .thread_name("privlink-dns")
        .enable_all()
        .build()
        .context("starting the DNS face's runtime")?;
    let mut listeners = BTreeMap::new();
    let spawned = {
        // Sockets register with, and tasks spawn on, the face's runtime.
        let _inside = runtime.enter();
        bound.into_iter().try_for_each(|(key, address, udp, tcp)| {
            listeners.insert(key.clone(), Listener::spawn(&shared, key, address, udp, tcp)?);
            Ok::<_, anyhow::Error>(())
        })
    };
    if let Err(e) = spawned {
        // Dropping a runtime would block, which an async caller may not.
        runtime.shutdown_background();
        return Err(e);
    }
    publish(&table, &listeners, port);
    let (done, finished) = oneshot::channel();
    std::thread::Builder::new()
        .name("privlink-dns-supervisor".into())
        .spawn(move || {
            runtime.block_on(supervise(shared, listeners, port, table, stopped, follow_views));
            let _ = done.send(());
        })
        .context("starting the DNS face's supervisor thread")?;
    Ok(finished)
}

fn publish(table: &ViewTable, listeners: &BTreeMap<ViewKey, Listener>, port: u16) {
    table.set(listeners.iter().map(|(key, l)| DnsView { view: key.label(), address: l.address, port }).collect());
}

/// Follows the store: rebuilds the snapshot after each commit and keeps one listener per view.
async fn supervise(
    shared: Arc<Shared>,
    mut listeners: BTreeMap<ViewKey, Listener>,
    port: u16,
    table: ViewTable,
    mut stopped: watch::Receiver<bool>,
    follow_views: bool,
) {
    let mut changes = shared.documents.clone();
    loop {
        let changed = async {
            match changes.as_mut() {
                Some(receiver) => receiver.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            alive = changed => if !alive {
                // The store is gone (the twin is stopping); keep serving the last snapshot.
                changes = None;
                continue;
            },
            _ = stop_requested(&mut stopped) => break,
        }
        let rebuild = shared.clone();
        let Ok(snapshot) = tokio::task::spawn_blocking(move || rebuild.snapshot()).await else { continue };
        if follow_views {
            reconcile(&shared, &snapshot, &mut listeners, port);
            publish(&table, &listeners, port);
        }
        tokio::select! {
            _ = tokio::time::sleep(EAGER_REBUILD_INTERVAL) => {},
            _ = stop_requested(&mut stopped) => break,
        }
    }
    for listener in listeners.values() {
        let _ = listener.stop.send(true);
    }
    for listener in listeners.into_values() {
        for task in listener.tasks {
            let _ = task.await;
        }
    }
    table.set(Vec::new());
}

fn reconcile(shared: &Arc<Shared>, snapshot: &DnsSnapshot, listeners: &mut BTreeMap<ViewKey, Listener>, port: u16) {
    let wanted: BTreeSet<&ViewKey> = snapshot.view_keys().collect();
    let gone: Vec<ViewKey> = listeners.keys().filter(|key| !wanted.contains(key)).cloned().collect();
    for key in gone {
        if let Some(listener) = listeners.remove(&key) {
            let _ = listener.stop.send(true);
        }
    }
    let new: Vec<&ViewKey> = wanted.into_iter().filter(|key| !listeners.contains_key(*key)).collect();
    let placed = address::allocate(new, listeners.values().map(|l| l.address));
    for (key, address) in placed {
        let started = bind_pair(address, port)
            .map_err(anyhow::Error::from)
            .and_then(|(udp, tcp)| Listener::spawn(shared, key.clone(), address, udp, tcp));
        match started {
            Ok(listener) => {
                listeners.insert(key, listener);
            }
            // Retried at the next change of the estate.
            Err(e) => eprintln!("privlink dns: cannot listen for view {key} on {address}:{port}: {e:#}"),
        }
    }
}

impl Listener {
    fn spawn(
        shared: &Arc<Shared>,
        key: ViewKey,
        address: Ipv4Addr,
        udp: std::net::UdpSocket,
        tcp: std::net::TcpListener,
    ) -> anyhow::Result<Listener> {
        udp.set_nonblocking(true)?;
        tcp.set_nonblocking(true)?;
        let udp = Arc::new(UdpSocket::from_std(udp)?);
        let tcp = TcpListener::from_std(tcp)?;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..UDP_WORKERS {
            tasks.push(tokio::spawn(serve_udp(shared.clone(), key.clone(), udp.clone(), stopped.clone())));
        }
        tasks.push(tokio::spawn(serve_tcp(shared.clone(), key, tcp, stopped)));
        Ok(Listener { address, stop, tasks })
    }
}

async fn serve_udp(shared: Arc<Shared>, key: ViewKey, socket: Arc<UdpSocket>, mut stopped: watch::Receiver<bool>) {
    let mut buffer = vec![0u8; usize::from(u16::MAX)];
    loop {
        let (length, peer) = tokio::select! {
            received = socket.recv_from(&mut buffer) => match received {
                Ok(received) => received,
                Err(_) => continue,
            },
            _ = stop_requested(&mut stopped) => return,
        };
        let snapshot = shared.snapshot();
        if let Some(reply) = packet::respond(&snapshot, &key, &buffer[..length], Transport::Udp) {
            let _ = socket.send_to(&reply, peer).await;
        }
    }
}

/// The open TCP connections of one view: when each went idle (`None` while it answers), and how
/// to close it.
#[derive(Default)]
struct Connections {
    open: Mutex<BTreeMap<u64, Connection>>,
}

struct Connection {
    idle_since: Option<Instant>,
    close: Arc<Notify>,
}

impl Connections {
    /// Registers a new connection, closing the longest-idle one when at the limit. `None` when
    /// every connection is busy answering: the new one is refused.
    fn admit(&self, id: u64) -> Option<Arc<Notify>> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if open.len() >= MAX_TCP_CONNECTIONS {
            let longest_idle = open.iter().filter_map(|(id, c)| Some((c.idle_since?, *id))).min().map(|(_, id)| id)?;
            if let Some(evicted) = open.remove(&longest_idle) {
                evicted.close.notify_one();
            }
        }
        let close = Arc::new(Notify::new());
        open.insert(id, Connection { idle_since: Some(Instant::now()), close: close.clone() });
        Some(close)
    }

    fn set_idle(&self, id: u64, idle: bool) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(connection) = open.get_mut(&id) {
            connection.idle_since = idle.then(Instant::now);
        }
    }

    fn remove(&self, id: u64) {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&id);
    }
}

async fn serve_tcp(shared: Arc<Shared>, key: ViewKey, listener: TcpListener, mut stopped: watch::Receiver<bool>) {
    let connections = Arc::new(Connections::default());
    let mut next_id = 0u64;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stop_requested(&mut stopped) => return,
        };
        next_id += 1;
        let id = next_id;
        let Some(close) = connections.admit(id) else { continue };
        let (shared, key, stopped, connections) = (shared.clone(), key.clone(), stopped.clone(), connections.clone());
        tokio::spawn(async move {
            serve_connection(&shared, &key, stream, stopped, &close, &|idle| connections.set_idle(id, idle)).await;
            connections.remove(id);
        });
    }
}

/// RFC 1035 §4.2.2 / RFC 7766: messages prefixed by their two-byte length, several per connection.
async fn serve_connection(
    shared: &Shared,
    key: &ViewKey,
    mut stream: TcpStream,
    mut stopped: watch::Receiver<bool>,
    close: &Notify,
    set_idle: &(dyn Fn(bool) + Sync),
) {
    loop {
        let read = async {
            let length = stream.read_u16().await?;
            let mut message = vec![0u8; usize::from(length)];
            stream.read_exact(&mut message).await?;
            Ok::<_, io::Error>(message)
        };
        let message = tokio::select! {
            read = tokio::time::timeout(TCP_IDLE, read) => match read {
                Ok(Ok(message)) => message,
                _ => return,
            },
            _ = stop_requested(&mut stopped) => return,
            _ = close.notified() => return,
        };
        set_idle(false);
        let snapshot = shared.snapshot();
        let Some(reply) = packet::respond(&snapshot, key, &message, Transport::Tcp) else { return };
        let Ok(length) = u16::try_from(reply.len()) else { return };
        let mut framed = Vec::with_capacity(reply.len() + 2);
        framed.extend_from_slice(&length.to_be_bytes());
        framed.extend_from_slice(&reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
        set_idle(true);
    }
}
