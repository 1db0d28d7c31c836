//! The Redis face on loopback in front of a real `redis-server`: TLS on 6380 with the cache's
//! name as SNI, Entra `AUTH <object-id> <token>` and keys as the engine's verdict admits them,
//! Redis' own `NOAUTH` and `WRONGPASS`, RST for a reset, and redis-py with `ssl=True` unchanged.

mod data_plane_support;

use data_plane_support::*;
use privlink_engine::access::AccessVerdict;
use privlink_engine::path::refusal;
use privlink_testkit::skip_or_fail;
use privlink_twin::data_plane::redis::{serve_redis, RedisUpstream};
use privlink_twin::data_plane::{Admission, EngineGate, Gate};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

const CACHE_HOST: &str = "redis-twin-test.redis.cache.windows.net";
const REDIS_AUDIENCE: &str = "https://redis.azure.com";
const NOAUTH: &str = "-NOAUTH Authentication required.\r\n";
const WRONGPASS: &str = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

fn upstream() -> Option<Arc<RedisUpstream>> {
    match RedisUpstream::start() {
        Ok(upstream) => Some(Arc::new(upstream)),
        Err(e) => {
            skip_or_fail(&format!("no redis-server to stand behind the face: {e}"));
            None
        }
    }
}

async fn face(gate: Arc<dyn Gate>, upstream: &Arc<RedisUpstream>, tls: bool) -> (Plane, SocketAddr) {
    let plane = plane(gate);
    let (listener, addr) = loopback().await;
    tokio::spawn(serve_redis(listener, plane.plane.clone(), upstream.clone(), tls));
    (plane, addr)
}

async fn tls_connect(
    addr: SocketAddr,
    sni: &str,
    ca: &Path,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(ca).unwrap()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(sni.to_string()).unwrap(), tcp)
        .await
}

fn command(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

/// Sends `request` and reads until the answer is as long as `expected`, then compares.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, request: &[u8], expected: &str) {
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    let read = async {
        while answer.len() < expected.len() {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&answer));
            answer.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("an answer in time");
    assert_eq!(String::from_utf8_lossy(&answer), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_auth_over_tls_passes_commands_to_redis_and_redis_refuses_everything_else() {
    let Some(upstream) = upstream() else { return };
    let gate = FixedGate::new(admitted(AccessVerdict::Granted, REDIS_AUDIENCE));
    let (plane, addr) = face(gate.clone(), &upstream, true).await;
    let token = plane.token(REDIS_AUDIENCE);
    let mut redis = tls_connect(addr, CACHE_HOST, &plane.ca_path).await.unwrap();

    exchange(&mut redis, &command(&["PING"]), NOAUTH).await;
    exchange(&mut redis, &command(&["AUTH", APP_OBJECT_ID, "eyJ.not.valid"]), WRONGPASS).await;
    let vault_token = plane.token("https://vault.azure.net");
    exchange(&mut redis, &command(&["AUTH", APP_OBJECT_ID, &vault_token]), WRONGPASS).await;
    exchange(&mut redis, &command(&["AUTH", "someone-else", &token]), WRONGPASS).await;
    exchange(&mut redis, &command(&["AUTH", "an-access-key"]), WRONGPASS).await;
    exchange(&mut redis, &command(&["GET", "k"]), NOAUTH).await;
    // Pipelined: the answers keep their order, a refused re-AUTH leaves the session signed in.
    let mut pipeline = command(&["AUTH", APP_OBJECT_ID, &token]);
    pipeline.extend(command(&["SET", "k", "v"]));
    pipeline.extend(command(&["AUTH", APP_OBJECT_ID, "eyJ.bad.token"]));
    pipeline.extend(command(&["GET", "k"]));
    pipeline.extend(b"PING\r\n");
    exchange(&mut redis, &pipeline, &format!("+OK\r\n+OK\r\n{WRONGPASS}$1\r\nv\r\n+PONG\r\n")).await;
    assert_eq!(gate.hosts(), vec![Some(CACHE_HOST.to_string())], "one decision per connection, with the SNI");

    gate.set(admitted(AccessVerdict::Denied, REDIS_AUDIENCE));
    let mut denied = tls_connect(addr, CACHE_HOST, &plane.ca_path).await.unwrap();
    exchange(&mut denied, &command(&["AUTH", APP_OBJECT_ID, &token]), WRONGPASS).await;

    gate.set(admitted(AccessVerdict::None, REDIS_AUDIENCE));
    let mut keyed = tls_connect(addr, CACHE_HOST, &plane.ca_path).await.unwrap();
    exchange(&mut keyed, &command(&["AUTH", "an-access-key"]), "+OK\r\n").await;
    exchange(&mut keyed, &command(&["GET", "k"]), "$1\r\nv\r\n").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_is_an_rst_and_the_seeds_closed_plain_port_is_one() {
    let Some(upstream) = upstream() else { return };
    let gate = FixedGate::new(Admission::Reset { message: refusal::REDIS_PUBLIC_ACCESS_DISABLED.into() });
    let (plane, addr) = face(gate.clone(), &upstream, true).await;
    let error = tls_connect(addr, CACHE_HOST, &plane.ca_path).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");

    // The real engine on the seed: 6379 is closed (enableNonSslPort false), 6380 admits the app,
    // which signs in with a key (the cache has no Entra authentication on).
    let model = {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
        let inputs = privlink_testkit::json_files_under(&dir)
            .iter()
            .map(|f| privlink_load::Input::new(f.display().to_string(), std::fs::read(f).unwrap()))
            .collect();
        Arc::new(privlink_load::load(inputs, &privlink_load::Options::default()).unwrap())
    };
    let site = model.resources.sites.keys().find(|id| id.name() == "app-flask-privlink").unwrap().clone();
    let plain_gate =
        Arc::new(AtAddress(EngineGate::new(site.clone(), model.clone()), "10.20.2.5:6379".parse().unwrap()));
    let (_plain, plain_addr) = face(plain_gate, &upstream, false).await;
    // The RST may come before the client's connect has returned: tokio then reports it there.
    let plain = async {
        let mut plain = TcpStream::connect(plain_addr).await?;
        plain.write_all(b"PING\r\n").await?;
        let mut buffer = [0u8; 16];
        plain.read(&mut buffer).await
    };
    let read = tokio::time::timeout(Duration::from_secs(5), plain).await.unwrap();
    assert_eq!(read.map_err(|e| e.kind()), Err(std::io::ErrorKind::ConnectionReset));

    let tls_gate = Arc::new(AtAddress(EngineGate::new(site, model), "10.20.2.5:6380".parse().unwrap()));
    let (seed, seed_addr) = face(tls_gate, &upstream, true).await;
    let mut redis = tls_connect(seed_addr, "redis-privlink-seed.redis.cache.windows.net", &seed.ca_path).await.unwrap();
    exchange(&mut redis, &command(&["PING"]), NOAUTH).await;
    exchange(&mut redis, &command(&["AUTH", "the-caches-access-key"]), "+OK\r\n").await;
    exchange(&mut redis, &command(&["PING"]), "+PONG\r\n").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_py_with_ssl_and_an_entra_token_works_unchanged() {
    let Some(python) = privlink_testkit::clients_python("redis") else {
        return skip_or_fail(
            "no clients venv (PRIVLINK_CLIENTS_PYTHON or ~/.cache/privlink/clients-venv) for redis-py",
        );
    };
    let Some(upstream) = upstream() else { return };
    let gate = FixedGate::new(admitted(AccessVerdict::Granted, REDIS_AUDIENCE));
    let (plane, addr) = face(gate.clone(), &upstream, true).await;
    let token = plane.token(REDIS_AUDIENCE);
    let script = format!(
        r#"{resolve}
import json, redis
from redis.backoff import NoBackoff
from redis.retry import Retry
# The failures are checked once: redis-py's default retries with backoff take seconds (as they do
# against any Redis).
def attempt(**kwargs):
    client = redis.Redis(host="{CACHE_HOST}", port=6380, ssl=True, ssl_ca_certs="{ca}", socket_timeout=5,
                         retry=Retry(NoBackoff(), 0), **kwargs)
    try:
        return {{"ping": client.ping()}}
    except redis.exceptions.RedisError as e:
        return {{"error": type(e).__name__, "message": str(e)}}
    finally:
        client.close()
if "MODE" == "use":
    out = {{}}
    for protocol in (2, 3):
        client = redis.Redis(host="{CACHE_HOST}", port=6380, ssl=True, ssl_ca_certs="{ca}",
                             username="{APP_OBJECT_ID}", password="{token}", protocol=protocol)
        out[f"ping{{protocol}}"] = client.ping()
        client.set(f"key{{protocol}}", "value")
        out[f"get{{protocol}}"] = client.get(f"key{{protocol}}").decode()
        client.close()
    out["anonymous"] = attempt()
    out["bad"] = attempt(username="{APP_OBJECT_ID}", password="eyJ.bad.token")
    print(json.dumps(out))
else:
    print(json.dumps(attempt(username="{APP_OBJECT_ID}", password="{token}")))
"#,
        resolve = python_resolving(".redis.cache.windows.net", addr.port()),
        ca = plane.ca_path.display(),
    );
    let out = run_python(python.clone(), script.replace("MODE", "use"), vec![]).await;
    let used: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(
        (&used["ping2"], &used["get2"], &used["ping3"], &used["get3"]),
        (&json!(true), &json!("value"), &json!(true), &json!("value")),
        "{used}"
    );
    assert_eq!(used["anonymous"]["error"], "AuthenticationError", "{used}");
    // redis-py 8 opens with HELLO 3, which Redis refuses in its own words before AUTH.
    let anonymous = used["anonymous"]["message"].as_str().unwrap();
    assert!(
        anonymous.contains("Authentication required")
            || anonymous.starts_with("HELLO must be called with the client already authenticated"),
        "{used}"
    );
    assert_eq!(used["bad"]["error"], "AuthenticationError", "{used}");
    assert!(used["bad"]["message"].as_str().unwrap().contains("invalid username-password pair"), "{used}");

    gate.set(Admission::Reset { message: refusal::REDIS_PUBLIC_ACCESS_DISABLED.into() });
    let out = run_python(python, script.replace("MODE", "reset"), vec![]).await;
    let reset: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(reset["error"], "ConnectionError", "{reset}");
    assert!(reset["message"].as_str().unwrap().to_lowercase().contains("reset by peer"), "{reset}");
}
