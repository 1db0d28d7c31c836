//! From inside the app's namespace: try one dependency with real packets — resolve with the
//! system resolver, connect, then the protocol's first exchange (TLS + HTTP for Key Vault,
//! Cognitive Services and other HTTPS services, TLS + `AUTH` + `PING` for Redis, a TDS login
//! for SQL) — and say how it ended, in the words `privlink trace`'s verdicts are compared in.
//! Tokens come from the app's `IDENTITY_ENDPOINT`, as the app's own client libraries get them.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a step may take before it counts as a timeout (a dropped packet).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(2);

/// The key the probe presents where the app signs in with a key (the twin holds no keys to check).
const APP_KEY: &str = "the-apps-access-key";

/// Which first exchange a dependency gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exchange {
    Https,
    Redis,
    Sql,
    /// A bare TCP connect.
    Tcp,
}

impl Exchange {
    /// The exchange for a service's name and port.
    pub fn for_name(host: &str, port: u16) -> Exchange {
        let host = host.to_ascii_lowercase();
        if host.ends_with(".database.windows.net") && (port == 1433 || (11000..=11999).contains(&port)) {
            Exchange::Sql
        } else if host.ends_with(".redis.cache.windows.net") && (port == 6380 || port == 6379) {
            Exchange::Redis
        } else if port == 443 {
            Exchange::Https
        } else {
            Exchange::Tcp
        }
    }
}

/// One dependency to try.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeSpec {
    pub host: String,
    pub port: u16,
    pub exchange: Exchange,
    /// The Entra audience of the token to present (`None`: no token).
    pub audience: Option<String>,
}

/// How a try ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "code")]
pub enum Outcome {
    /// The name did not resolve.
    Dns,
    /// Nothing answered (connect or the first exchange timed out).
    Timeout,
    /// The connection was refused or reset.
    Reset,
    /// The service refused the caller for where it comes from: the error number or HTTP status.
    Refused(u32),
    /// The service refused the sign-in or the principal.
    Unauthorized,
    /// The service answered.
    Ok,
}

/// What one try saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub host: String,
    pub port: u16,
    pub addresses: Vec<IpAddr>,
    pub outcome: Outcome,
    /// What the client saw, in its words.
    pub detail: String,
}

/// Tries every dependency at once.
pub async fn probe_all(specs: Vec<ProbeSpec>) -> Vec<ProbeResult> {
    let tasks: Vec<_> = specs.into_iter().map(|s| tokio::spawn(probe(s))).collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("a probe does not panic"));
    }
    out
}

/// Tries one dependency.
pub async fn probe(spec: ProbeSpec) -> ProbeResult {
    let mut result = ProbeResult {
        host: spec.host.clone(),
        port: spec.port,
        addresses: vec![],
        outcome: Outcome::Dns,
        detail: String::new(),
    };
    let addresses = match tokio::net::lookup_host((spec.host.as_str(), spec.port)).await {
        Ok(a) => a.collect::<Vec<SocketAddr>>(),
        Err(e) => {
            result.detail = format!("getaddrinfo: {e}");
            return result;
        }
    };
    result.addresses = addresses.iter().map(SocketAddr::ip).collect();
    let Some(address) = addresses.first().copied() else {
        result.detail = "getaddrinfo returned no address".into();
        return result;
    };
    let (outcome, detail) = match tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(address)).await {
        Err(_) => (Outcome::Timeout, format!("connect to {address} timed out")),
        Ok(Err(e)) => (Outcome::Reset, format!("connect to {address}: {e}")),
        Ok(Ok(stream)) => exchange(&spec, stream).await,
    };
    result.outcome = outcome;
    result.detail = detail;
    result
}

async fn exchange(spec: &ProbeSpec, stream: TcpStream) -> (Outcome, String) {
    // Without a token (the app has no identity) the exchange still goes ahead, as a client
    // library's first request does, and the service answers it as it answers any caller.
    let token = match &spec.audience {
        Some(audience) => app_token(audience).await.ok(),
        None => None,
    };
    let work = async {
        match spec.exchange {
            Exchange::Tcp => (Outcome::Ok, "connected".to_string()),
            Exchange::Https => match tls(stream, &spec.host).await {
                Ok(tls) => https(tls, spec, token.as_deref()).await,
                Err(e) => e,
            },
            Exchange::Redis if spec.port == 6379 => redis(stream, token.as_deref(), spec.audience.is_none()).await,
            Exchange::Redis => match tls(stream, &spec.host).await {
                Ok(tls) => redis(tls, token.as_deref(), spec.audience.is_none()).await,
                Err(e) => e,
            },
            Exchange::Sql => sql(stream, &spec.host, token.as_deref(), spec.audience.is_none()).await,
        }
    };
    tokio::time::timeout(STEP_TIMEOUT * 3, work)
        .await
        .unwrap_or((Outcome::Timeout, "the service sent nothing".to_string()))
}

/// A token for `audience` from the app's token service (App Service's protocol, §6.1).
pub async fn app_token(audience: &str) -> anyhow::Result<String> {
    let endpoint = std::env::var("IDENTITY_ENDPOINT")?;
    let header = std::env::var("IDENTITY_HEADER")?;
    let rest = endpoint.strip_prefix("http://").ok_or_else(|| anyhow::anyhow!("{endpoint}: not http://"))?;
    let (authority, path) = rest.split_once('/').map_or((rest, String::new()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).await?;
    let request = format!(
        "GET {path}?resource={audience}&api-version=2019-08-01 HTTP/1.1\r\nHost: {authority}\r\nX-IDENTITY-HEADER: {header}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut body = String::new();
    stream.read_to_string(&mut body).await?;
    let json = body.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(json)?;
    value["access_token"].as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("no access_token: {json}"))
}

/// The client configuration: the roots in `SSL_CERT_FILE` (the twin's CA inside a run).
fn client_config() -> anyhow::Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    if let Ok(path) = std::env::var("SSL_CERT_FILE") {
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(&path)? {
            roots.add(cert?)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn tls(stream: TcpStream, host: &str) -> Result<tokio_rustls::client::TlsStream<TcpStream>, (Outcome, String)> {
    let config = client_config().map_err(|e| (Outcome::Reset, format!("TLS client: {e}")))?;
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| (Outcome::Reset, format!("{host}: {e}")))?;
    match tokio::time::timeout(STEP_TIMEOUT, tokio_rustls::TlsConnector::from(config).connect(name, stream)).await {
        Err(_) => Err((Outcome::Timeout, "the TLS handshake got no answer".into())),
        Ok(Err(e)) => Err((Outcome::Reset, format!("TLS: {e}"))),
        Ok(Ok(s)) => Ok(s),
    }
}

/// The error codes services answer with when the caller's network is refused (as against its
/// sign-in): Key Vault's, Cognitive Services' and the generic public-access texts.
const NETWORK_REFUSALS: &[&str] = &[
    "ForbiddenByConnection",
    "ForbiddenByFirewall",
    "Virtual Network/Firewall",
    "Public access is disabled",
    "public network",
    "AuthorizationFailure",
];

async fn https<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    spec: &ProbeSpec,
    token: Option<&str>,
) -> (Outcome, String) {
    let host = &spec.host;
    let (method, path, body) = if host.ends_with(".vault.azure.net") {
        ("GET", "/secrets?api-version=7.4", "")
    } else if host.ends_with(".openai.azure.com") || host.ends_with(".cognitiveservices.azure.com") {
        (
            "POST",
            "/openai/deployments/probe/chat/completions?api-version=2024-02-01",
            r#"{"messages":[{"role":"user","content":"ping"}]}"#,
        )
    } else {
        ("GET", "/", "")
    };
    // No Entra sign-in applies (the app signs in with a key): present a key, as the app does.
    let auth = match (token, &spec.audience) {
        (Some(t), _) => format!("Authorization: Bearer {t}\r\n"),
        (None, None) => format!("api-key: {APP_KEY}\r\n"),
        (None, Some(_)) => String::new(),
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Err(e) = s.write_all(request.as_bytes()).await {
        return (Outcome::Reset, format!("write: {e}"));
    }
    let mut response = Vec::new();
    if let Err(e) = s.read_to_end(&mut response).await {
        if response.is_empty() {
            return (Outcome::Reset, format!("read: {e}"));
        }
    }
    let text = String::from_utf8_lossy(&response);
    let status: u32 = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let detail = format!("HTTP {status}: {}", body.chars().take(300).collect::<String>());
    match status {
        200..=299 => (Outcome::Ok, detail),
        401 | 403 if NETWORK_REFUSALS.iter().any(|r| body.contains(r)) => (Outcome::Refused(status), detail),
        401 | 403 => (Outcome::Unauthorized, detail),
        0 => (Outcome::Reset, "no HTTP answer".into()),
        _ => (Outcome::Ok, detail),
    }
}

/// The `oid` claim of a JWT (the object id Redis's Entra AUTH names).
fn object_id(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["oid"].as_str().map(str::to_string)
}

fn resp_command(parts: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for p in parts {
        out.extend(format!("${}\r\n{p}\r\n", p.len()).bytes());
    }
    out
}

async fn read_line<S: AsyncRead + Unpin>(s: &mut S) -> std::io::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let n = s.read(&mut byte).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
        }
        line.push(byte[0]);
        if line.ends_with(b"\r\n") {
            return Ok(String::from_utf8_lossy(&line).trim_end().to_string());
        }
    }
}

async fn redis<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, token: Option<&str>, key: bool) -> (Outcome, String) {
    let auth = match token {
        Some(token) => Some(resp_command(&["AUTH", &object_id(token).unwrap_or_default(), token])),
        None if key => Some(resp_command(&["AUTH", APP_KEY])),
        None => None,
    };
    if let Some(auth) = auth {
        if let Err(e) = s.write_all(&auth).await {
            return (Outcome::Reset, format!("AUTH: {e}"));
        }
        match read_line(&mut s).await {
            Ok(line) if line.starts_with('+') => {}
            Ok(line) => return (Outcome::Unauthorized, format!("AUTH: {line}")),
            Err(e) => return (Outcome::Reset, format!("AUTH: {e}")),
        }
    }
    if let Err(e) = s.write_all(&resp_command(&["PING"])).await {
        return (Outcome::Reset, format!("PING: {e}"));
    }
    match read_line(&mut s).await {
        Ok(line) if line == "+PONG" => (Outcome::Ok, line),
        Ok(line) if line.contains("NOAUTH") || line.contains("WRONGPASS") => (Outcome::Unauthorized, line),
        Ok(line) => (Outcome::Ok, line),
        Err(e) => (Outcome::Reset, format!("PING: {e}")),
    }
}

/// A TDS login with the app's token, or with a password where the app signs in with one.
async fn sql(stream: TcpStream, host: &str, token: Option<&str>, password: bool) -> (Outcome, String) {
    use crate::data_plane::sql::probe::{probe_login_with, LoginOutcome, ProbeOptions};
    let options = ProbeOptions {
        password: password.then(|| ("privlink-probe".to_string(), "the app's password".to_string())),
        ..ProbeOptions::default()
    };
    let mut outcome = probe_login_with(stream, host, token.unwrap_or_default(), &options).await;
    let mut routes = Vec::new();
    // A client follows the gateway's routing (once: a routed server does not route again).
    while let LoginOutcome::Routed { server, port } = &outcome {
        if !routes.is_empty() {
            return (Outcome::Reset, format!("routed again, to {server}:{port}"));
        }
        routes.push(format!("{server}:{port}"));
        let address = match tokio::net::lookup_host((server.as_str(), *port)).await.map(|mut a| a.next()) {
            Ok(Some(address)) => address,
            Ok(None) | Err(_) => return (Outcome::Dns, format!("routed to {server}:{port}, which does not resolve")),
        };
        let stream = match tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(address)).await {
            Err(_) => return (Outcome::Timeout, format!("routed to {server}:{port}; connect to {address} timed out")),
            Ok(Err(e)) => return (Outcome::Reset, format!("routed to {server}:{port}; connect to {address}: {e}")),
            Ok(Ok(stream)) => stream,
        };
        outcome = probe_login_with(stream, server, token.unwrap_or_default(), &options).await;
    }
    let via = routes.first().map_or_else(String::new, |r| format!(" (routed to {r})"));
    let (outcome, detail) = match outcome {
        LoginOutcome::Routed { .. } => unreachable!("followed above"),
        LoginOutcome::Reset => (Outcome::Reset, "the server reset the connection".into()),
        LoginOutcome::Accepted => (Outcome::Ok, "login acknowledged".into()),
        LoginOutcome::Error { number: 18456, message, .. } => {
            (Outcome::Unauthorized, format!("Error 18456: {message}"))
        }
        LoginOutcome::Error { number, message, .. } => {
            (Outcome::Refused(number.unsigned_abs()), format!("Error {number}: {message}"))
        }
        LoginOutcome::Closed => (Outcome::Reset, "the server closed the connection".into()),
        LoginOutcome::Timeout => (Outcome::Timeout, "the server sent nothing".into()),
    };
    (outcome, format!("{detail}{via}"))
}
