//! What `benches/run/run.sh` compares `privlink run` with: the same face code (`serve_https` for
//! Key Vault, `serve_redis` over TLS in front of a `RedisUpstream`) on 127.0.0.1, without the
//! twin's path — no namespaces, veth or nftables, and a gate that does not trace.
//!
//! ```text
//! faces_on_loopback STATE_DIR [ESTATE_DIR]
//! ```
//!
//! The gate answers each name with the admission the engine gives the seed's app
//! `app-flask-privlink` for a connection to the address the name resolves to in its view,
//! computed once at start (the access a face acts on is the engine's, so the Redis face takes a
//! key exactly as inside `privlink run`); `privlink run`'s gate traces every connection and every
//! HTTP request. The twin's CA goes in STATE_DIR. Prints, one per line, then serves until
//! SIGINT/SIGTERM (stopping `redis-server` on the way out):
//!
//! ```text
//! https 127.0.0.1:PORT
//! redis-tls 127.0.0.1:PORT
//! ca PATH
//! vault-token TOKEN        a token for https://vault.azure.net naming the app's identity
//! ready
//! ```

use anyhow::Context;
use privlink_engine::dns::{view_of, Querier, Resolver};
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use privlink_twin::data_plane::key_vault::VAULT_AUDIENCE;
use privlink_twin::data_plane::redis::{serve_redis, RedisUpstream};
use privlink_twin::data_plane::{Admission, Arrival, Certificates, DataPlane, EngineGate, Gate, SecretStore};
use privlink_twin::identity::{now_epoch_secs, random_hex, TokenIssuer};
use privlink_twin::sandbox::app_principal;
use privlink_twin::tls::LocalCa;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const APP: &str = "app-flask-privlink";
/// The names the benchmark's clients ask for, and the port each is served on in Azure.
const NAMES: &[(&str, u16)] =
    &[("kv-privlink-seed.vault.azure.net", 443), ("redis-privlink-seed.redis.cache.windows.net", 6380)];

/// The engine's admission per name, decided once.
struct DecidedGate {
    by_host: BTreeMap<String, Admission>,
}

impl Gate for DecidedGate {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<privlink_engine::path::Trace>) {
        let admission = arrival
            .host
            .as_ref()
            .and_then(|h| self.by_host.get(h))
            .cloned()
            .unwrap_or_else(|| Admission::Refused { message: format!("faces_on_loopback serves only {NAMES:?}") });
        (admission, None)
    }
}

fn load(dir: Option<String>) -> anyhow::Result<Model> {
    let dir = dir
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|f| f.extension().is_some_and(|x| x == "json"));
    files.sort();
    let inputs: Vec<privlink_load::Input> = files
        .iter()
        .map(|f| Ok(privlink_load::Input::new(f.display().to_string(), std::fs::read(f)?)))
        .collect::<std::io::Result<_>>()?;
    privlink_load::load(inputs, &privlink_load::Options::default()).map_err(|e| anyhow::anyhow!("{e}"))
}

/// What the engine says about the app's connection to each of [`NAMES`], at the address the name
/// resolves to in the app's view.
fn decide(model: Arc<Model>, site: &ResourceId) -> anyhow::Result<BTreeMap<String, Admission>> {
    let view = view_of(&model, &Querier::Site(site.clone()));
    let resolver = Resolver::new(&model);
    let engine = EngineGate::new(site.clone(), model.clone());
    let client: SocketAddr = "10.20.1.4:40000".parse()?;
    let mut by_host = BTreeMap::new();
    for &(name, port) in NAMES {
        let dns = DnsName::parse(name).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let address = *resolver
            .resolve(&view, &dns, RecordType::A)
            .addresses
            .first()
            .ok_or_else(|| anyhow::anyhow!("{name} does not resolve in {APP}'s view"))?;
        let arrival = Arrival { client, local: SocketAddr::new(address, port), host: Some(name.to_string()) };
        let (admission, _) = engine.admit(&arrival);
        anyhow::ensure!(
            matches!(admission, Admission::Admitted { .. }),
            "the engine does not admit {APP} to {name}: {}",
            admission.message()
        );
        by_host.insert(name.to_string(), admission);
    }
    Ok(by_host)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let state_dir = PathBuf::from(args.next().context("usage: faces_on_loopback STATE_DIR [ESTATE_DIR]")?);
    let model = Arc::new(load(args.next())?);
    let site = model.resources.sites.keys().find(|id| id.name() == APP).context("no app-flask-privlink")?.clone();
    let gate = DecidedGate { by_host: decide(model.clone(), &site)? };
    let tokens = Arc::new(TokenIssuer::new(random_hex(32).as_bytes(), app_principal(&model, &site)));
    let ca = LocalCa::open(&state_dir)?;
    let ca_path = ca.cert_path.clone();
    let plane = Arc::new(DataPlane {
        gate: Arc::new(gate),
        tokens: tokens.clone(),
        certificates: Arc::new(Certificates::new(ca)),
        secrets: Arc::new(SecretStore::default()),
    });
    // As `privlink run`'s Azure side: two tokio workers.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let upstream = Arc::new(tokio::task::spawn_blocking(RedisUpstream::start).await??);
        let https = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let redis = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("https {}", https.local_addr()?);
        println!("redis-tls {}", redis.local_addr()?);
        println!("ca {}", ca_path.display());
        println!("vault-token {}", tokens.issue(VAULT_AUDIENCE, now_epoch_secs()).access_token);
        println!("ready");
        let serving_https = tokio::spawn(privlink_twin::data_plane::https::serve_https(https, plane.clone()));
        let serving_redis = tokio::spawn(serve_redis(redis, plane, upstream.clone(), true));
        use tokio::signal::unix::{signal, SignalKind};
        let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        serving_https.abort();
        serving_redis.abort();
        upstream.stop();
        anyhow::Ok(())
    })
}
