//! The backends' data planes, for `privlink run`: Key Vault's secrets API, Redis behind TLS, Azure
//! SQL's TDS login and Cognitive Services, each listening at the backend's addresses inside the
//! network namespace `privlink run` builds.
//!
//! A face never decides. For every connection it asks the [`Gate`] what the engine says about it
//! (the engine's trace from the app to the address the client connected to, with the name it
//! asked for) and encodes the answer in the service's protocol: the service's own error where the
//! engine says its network rules refuse the caller, the service's authorization error where the
//! engine says the principal has no grant, and the service's answer otherwise. Tokens are the
//! twin's own ([`crate::identity::TokenIssuer`]); a face checks the signature, the expiry, the
//! audience and that the token names the principal the engine reasons about.

pub mod cognitive;
pub mod gate;
pub mod https;
pub mod key_vault;
mod listen;
pub mod redis;
pub mod sql;

use crate::identity::{Claims, TokenError, TokenIssuer};
use crate::tls::LocalCa;
use privlink_engine::access::{Access, AccessVerdict};
use privlink_engine::path::Trace;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use gate::EngineGate;
pub use listen::{listen_all, Faces};

/// One connection as a face saw it arrive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// The caller's address and port (the app's address in its integration subnet).
    pub client: SocketAddr,
    /// The address and port the caller connected to (a private endpoint's address, or a public
    /// front end's).
    pub local: SocketAddr,
    /// The name the client asked for, lower-case without a trailing dot: TLS SNI, else the HTTP
    /// `Host` (without its port), else TDS LOGIN7's server name. `None` when the client sent none.
    pub host: Option<String>,
}

/// What the engine says about a connection, as a face acts on it.
#[derive(Clone, Debug)]
pub enum Admission {
    /// The network path and the service's network rules admit the caller; the face goes on to
    /// the sign-in, which `access` decides.
    Admitted { access: Box<Access> },
    /// Azure SQL's gateway admits the login and sends the client on: under the `Redirect`
    /// connection policy the face answers the login with a routing ENVCHANGE to `port` on the
    /// same host, where the client logs in again and `access` decides (the engine traces that
    /// second connection as the trace's `redirect` hop; the kernel rules decide whether it
    /// arrives).
    Redirected { access: Box<Access>, port: u16 },
    /// The service answers with its own error: `message` is the text the engine gives
    /// (`privlink_engine::path::refusal`), e.g. `Error 47073: …` or `403 Forbidden
    /// (ForbiddenByConnection): …`. The face sends it in the protocol's shape (an HTTP status and
    /// body, a TDS ERROR token with that number) and closes.
    Refused { message: String },
    /// The service resets the connection (TCP RST): the face closes with `SO_LINGER` 0 before
    /// sending a byte.
    Reset { message: String },
    /// Nothing answers in Azure (the packet is dropped). The kernel rules normally drop it before
    /// it reaches a face; a face that still gets such a connection holds it without sending a
    /// byte until the client gives up.
    Silent { message: String },
}

impl Admission {
    /// The engine's message for a refusal, or the access reason for an admission.
    pub fn message(&self) -> &str {
        match self {
            Admission::Admitted { access } | Admission::Redirected { access, .. } => &access.reason,
            Admission::Refused { message } | Admission::Reset { message } | Admission::Silent { message } => message,
        }
    }
}

/// Decides connections. [`EngineGate`] asks the engine about the estate the run follows; tests of a
/// face may use a fixed answer.
pub trait Gate: Send + Sync + 'static {
    /// What the engine says about this connection, and the trace it said it with (`None` for a
    /// gate that does not trace, in tests).
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>);
}

/// Why a face refuses a token, before authorization: the face maps each to its service's 401.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("no bearer token was presented")]
    Missing,
    #[error(transparent)]
    Invalid(#[from] TokenError),
    #[error("the token names principal '{presented}', not the app's identity '{expected}'")]
    OtherPrincipal { presented: String, expected: String },
}

/// What every face shares: the gate, the token verifier, certificates and Key Vault's secrets.
pub struct DataPlane {
    pub gate: Arc<dyn Gate>,
    pub tokens: Arc<TokenIssuer>,
    pub certificates: Arc<Certificates>,
    pub secrets: Arc<SecretStore>,
}

impl DataPlane {
    /// Verifies a bearer token for `audience` (with or without a trailing slash) and that it names
    /// the principal `access` reasons about (when the engine knows the principal's object id).
    pub fn verify_token(&self, token: Option<&str>, audience: &str, access: &Access) -> Result<Claims, TokenRefusal> {
        let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or(TokenRefusal::Missing)?;
        let claims = self.tokens.verify(token, crate::identity::now_epoch_secs())?;
        let wanted = audience.trim_end_matches('/');
        if !claims.audience.trim_end_matches('/').eq_ignore_ascii_case(wanted) {
            return Err(TokenRefusal::Invalid(TokenError::WrongAudience(claims.audience)));
        }
        if let Some(expected) = &access.principal {
            if !claims.object_id.eq_ignore_ascii_case(expected) {
                return Err(TokenRefusal::OtherPrincipal { presented: claims.object_id, expected: expected.clone() });
            }
        }
        Ok(claims)
    }
}

/// Whether an access verdict lets a signed-in principal use the service. `Indeterminate` (the
/// estate does not say) is admitted: the twin cannot refuse what Azure might allow, and the
/// engine's verdict already says so in `check`.
pub fn access_admits(access: &Access) -> bool {
    matches!(access.verdict, AccessVerdict::Granted | AccessVerdict::Indeterminate | AccessVerdict::None)
}

/// Server certificates for whatever name a client asks for, issued by the twin's CA on first use
/// (clients check the name against the certificate's SAN, which must be a DNS name).
pub struct Certificates {
    ca: LocalCa,
    issued: Mutex<BTreeMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for Certificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificates").field("ca", &self.ca.cert_path).finish_non_exhaustive()
    }
}

impl Certificates {
    pub fn new(ca: LocalCa) -> Certificates {
        Certificates { ca, issued: Mutex::new(BTreeMap::new()) }
    }

    /// The certificate for `name` (lower-case), issued now or earlier.
    pub fn for_name(&self, name: &str) -> anyhow::Result<Arc<CertifiedKey>> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(key) = issued.get(&name) {
            return Ok(key.clone());
        }
        let key = Arc::new(self.ca.certified_key(&name)?);
        issued.insert(name, key.clone());
        Ok(key)
    }

    /// A rustls server configuration that presents a certificate for the client's SNI (or
    /// `fallback` when it sends none), offering `alpn` (e.g. `[b"http/1.1"]`, or nothing).
    pub fn server_config(self: &Arc<Self>, fallback: &str, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(BySni { certificates: self.clone(), fallback: fallback.to_string() }));
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    /// The CA certificate clients trust (PEM file).
    pub fn ca_path(&self) -> &std::path::Path {
        &self.ca.cert_path
    }
}

#[derive(Debug)]
struct BySni {
    certificates: Arc<Certificates>,
    fallback: String,
}

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello.server_name().unwrap_or(&self.fallback).to_string();
        self.certificates.for_name(&name).ok()
    }
}

/// A secret version as Key Vault's data plane keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecretVersion {
    /// 32 lower-case hex digits, as Key Vault's version ids are.
    pub version: String,
    pub value: String,
    pub content_type: Option<String>,
    pub enabled: bool,
    /// Epoch seconds.
    pub created: u64,
    pub updated: u64,
    pub tags: BTreeMap<String, String>,
}

type Vaults = BTreeMap<String, BTreeMap<String, Vec<SecretVersion>>>;

/// Secret values written through the Key Vault face (and, in `privlink up`, with an ARM secret
/// PUT's `properties.value`): vault name (lower-case) → secret name (lower-case) → versions, oldest
/// first. Never in an ARM GET body. In memory, or — on a twin's state directory — in that
/// directory's `secret-values.json`, private to the user (0600), which `privlink up` and every
/// `privlink run --state` on it share: each access holds the directory's lock file and reads the
/// file, each write replaces the file whole (written beside it, then renamed), so the values
/// outlive a run as Key Vault's do and no writer loses another's.
#[derive(Debug, Default)]
pub struct SecretStore {
    vaults: Mutex<Vaults>,
    file: Option<std::path::PathBuf>,
}

/// The file of a state directory that holds its secret values.
pub const SECRET_VALUES_FILE: &str = "secret-values.json";

impl SecretStore {
    /// The store kept in `dir`'s [`SECRET_VALUES_FILE`]; fails when the file is there but unreadable.
    pub fn in_state_dir(dir: &std::path::Path) -> anyhow::Result<SecretStore> {
        let store = SecretStore { vaults: Mutex::default(), file: Some(dir.join(SECRET_VALUES_FILE)) };
        store.access(false, |_| ())?;
        Ok(store)
    }

    /// Runs `f` on the current values: the file's, read under its lock, when the store has one.
    fn access<R>(&self, write: bool, f: impl FnOnce(&mut Vaults) -> R) -> anyhow::Result<R> {
        let mut vaults = self.vaults.lock().unwrap_or_else(|p| p.into_inner());
        let Some(file) = &self.file else { return Ok(f(&mut vaults)) };
        let lock_path = file.with_extension("lock");
        let lock = {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&lock_path).map_err(|e| anyhow::anyhow!("{}: {e}", lock_path.display()))?
        };
        let kind =
            if write { rustix::fs::FlockOperation::LockExclusive } else { rustix::fs::FlockOperation::LockShared };
        rustix::fs::flock(&lock, kind).map_err(|e| anyhow::anyhow!("{}: {e}", lock_path.display()))?;
        *vaults = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: not the twin's secret values: {e}", file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vaults::new(),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", file.display())),
        };
        let result = f(&mut vaults);
        if write {
            persist(file, &vaults).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        }
        Ok(result)
    }

    /// Adds a version and returns it. Where the store has a file the version is in it before
    /// this returns (a write the face acknowledged is not lost); if the file cannot be written
    /// the value is kept in memory only, and stderr says why.
    pub fn set(&self, vault: &str, name: &str, version: SecretVersion) -> SecretVersion {
        let add = |vaults: &mut Vaults| {
            vaults
                .entry(vault.to_ascii_lowercase())
                .or_default()
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(version.clone());
        };
        if let Err(e) = self.access(true, add) {
            eprintln!("privlink: cannot keep secret values: {e:#}");
            add(&mut self.vaults.lock().unwrap_or_else(|p| p.into_inner()));
        }
        version
    }

    /// Every version of a secret, oldest first (empty when there is none).
    pub fn versions(&self, vault: &str, name: &str) -> Vec<SecretVersion> {
        let read = |vaults: &mut Vaults| {
            vaults
                .get(&vault.to_ascii_lowercase())
                .and_then(|v| v.get(&name.to_ascii_lowercase()))
                .cloned()
                .unwrap_or_default()
        };
        self.access(false, read).unwrap_or_else(|_| read(&mut self.vaults.lock().unwrap_or_else(|p| p.into_inner())))
    }

    /// The names of a vault's secrets, sorted.
    pub fn names(&self, vault: &str) -> Vec<String> {
        let read = |vaults: &mut Vaults| {
            vaults.get(&vault.to_ascii_lowercase()).map(|v| v.keys().cloned().collect()).unwrap_or_default()
        };
        self.access(false, read).unwrap_or_else(|_| read(&mut self.vaults.lock().unwrap_or_else(|p| p.into_inner())))
    }

    /// The value App Service hands the app for a resolved reference: `version`, else the latest
    /// enabled one; `None` when the store holds none.
    pub fn value_for_reference(&self, vault: &str, name: &str, version: Option<&str>) -> Option<String> {
        let versions = self.versions(vault, name);
        let found = match version {
            Some(v) => versions.iter().find(|s| s.version.eq_ignore_ascii_case(v)),
            None => versions.iter().rev().find(|s| s.enabled),
        };
        found.map(|s| s.value.clone())
    }
}

fn persist(file: &std::path::Path, vaults: &Vaults) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(vaults).map_err(std::io::Error::other)?;
    let beside = file.with_extension("json.tmp");
    crate::identity::write_private(&beside, &bytes)?;
    std::fs::rename(&beside, file)
}
