//! The twin over real sockets under abuse: idle connections cannot exhaust its listeners, and its
//! state directory is private to its owner (SECURITY.md).

use privlink_twin::connections::ConnectionLimits;
use privlink_twin::{start, TwinConfig};
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const LIMIT: usize = 16;
const IDLE: Duration = Duration::from_millis(700);
/// How long a connection that has sent nothing may stay (the header-read timeout).
const SILENT: Duration = Duration::from_millis(500);

fn config(dir: &std::path::Path) -> TwinConfig {
    let mut config = TwinConfig::new(dir);
    config.connections = ConnectionLimits { max_connections: LIMIT, idle_timeout: IDLE, header_read_timeout: SILENT };
    config
}

fn client(ca: &std::path::Path) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Whether the twin closed this connection (EOF or reset) within `wait`.
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

fn open_idle(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    (0..count).map(|_| TcpStream::connect(addr).expect("loopback connect")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_bounded_and_closed_so_requests_get_through() {
    let dir = tempfile::tempdir().unwrap();
    let twin = start(config(dir.path())).await.expect("the twin starts");
    let client = client(&twin.ca_path);
    let token_url = format!("{}?api-version=2019-08-01&resource=https://management.azure.com/", twin.identity_endpoint);
    let header = twin.identity_header().to_string();
    let get_token = || {
        let (client, url, header) = (client.clone(), token_url.clone(), header.clone());
        async move { client.get(url).header("X-IDENTITY-HEADER", header).send().await.map(|r| r.status().as_u16()) }
    };

    for (listener, addr) in [("identity", twin.identity_addr), ("ARM", twin.addr)] {
        // Below the limit a request is served at once, idle neighbours or not.
        let mut idle = open_idle(addr, LIMIT - 1);
        let opened = Instant::now();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        if listener == "identity" {
            assert_eq!(get_token().await.expect("served beside idle connections"), 200);
        } else {
            let metadata = format!("{}/metadata/endpoints?api-version=2022-09-01", twin.url);
            assert_eq!(client.get(metadata).send().await.expect("served").status().as_u16(), 200);
        }
        eprintln!("{listener}: {} idle connections, a request took {:?}", LIMIT - 1, started.elapsed());

        // Beyond the limit a connection is closed at once instead of waiting in the backlog.
        std::thread::sleep(Duration::from_millis(100));
        idle.extend(open_idle(addr, 1));
        std::thread::sleep(Duration::from_millis(50));
        let mut over = open_idle(addr, 8);
        std::thread::sleep(Duration::from_millis(50));
        for stream in &mut over {
            assert!(
                closed_within(stream, Duration::from_millis(300)),
                "{listener}: a connection over the limit is closed"
            );
        }
        // Connections that say nothing are closed after the header-read timeout, which frees the
        // listener.
        for stream in &mut idle {
            assert!(closed_within(stream, IDLE * 3), "{listener}: a silent connection is closed");
        }
        let closed_after = opened.elapsed();
        assert!(closed_after >= SILENT, "{listener}: not before the timeout ({closed_after:?})");
        eprintln!("{listener}: silent connections closed {closed_after:?} after they opened (timeout {SILENT:?})");
    }
    // A flood far beyond the limit leaves the twin serving once the flood is silent long enough.
    let _flood = open_idle(twin.identity_addr, LIMIT * 8);
    tokio::time::sleep(SILENT * 2).await;
    let started = Instant::now();
    assert_eq!(get_token().await.expect("served after the flood went idle"), 200);
    eprintln!("identity: after {} idle connections, a request took {:?}", LIMIT * 8, started.elapsed());
    twin.shutdown().await.unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_directory_and_its_files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A file an older twin left readable is made private too.
    std::fs::write(state.join("leftover"), b"x").unwrap();
    std::fs::set_permissions(state.join("leftover"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let twin = start(TwinConfig::new(&state)).await.expect("the twin starts");
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700, "the state directory");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&state).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            files.push(entry.file_name().to_string_lossy().to_string());
            assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
        }
    }
    for expected in ["documents.redb", "token-signing-key", "identity-header", "ca.pem", "ca-key.pem", "leftover"] {
        assert!(files.iter().any(|f| f == expected), "{expected} in {files:?}");
    }
    twin.shutdown().await.unwrap();
}
