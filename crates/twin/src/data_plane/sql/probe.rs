//! A minimal TDS client: PRELOGIN, TLS inside TDS, LOGIN7 with a federated-authentication token,
//! and the login's outcome — what the parity check and the face's tests ask of a SQL backend
//! ("TDS login"), independent of any driver. A session that logged in can send batches.

use super::login7::Login7;
use super::packet::kind;
use super::prelogin::{encryption, Prelogin};
use super::tokens::{self, ServerToken};
use super::transport::TdsStream;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

/// How a TDS login ended, as a client sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// LOGINACK: signed in.
    Accepted,
    /// A routing ENVCHANGE: log in again at `server:port` (Azure SQL's `Redirect` policy).
    Routed { server: String, port: u16 },
    /// An ERROR token (the service's refusal or a failed sign-in).
    Error { number: i32, class: u8, message: String },
    /// The server closed the connection without answering the login.
    Closed,
    /// The connection was reset (TCP RST).
    Reset,
    /// Nothing came back within the probe's timeout.
    Timeout,
}

/// How the probe talks: which certificates it trusts, how long it waits, which database it asks for.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Trusted roots; `None` accepts any certificate (like `TrustServerCertificate=yes`).
    pub roots: Option<Arc<RootCertStore>>,
    /// For the whole exchange, connect excluded.
    pub timeout: Duration,
    pub database: String,
    /// SQL authentication (user, password) instead of the token: an app that signs in with a
    /// password.
    pub password: Option<(String, String)>,
}

impl Default for ProbeOptions {
    fn default() -> ProbeOptions {
        ProbeOptions { roots: None, timeout: Duration::from_secs(5), database: String::new(), password: None }
    }
}

impl ProbeOptions {
    /// Trusting only the CA certificate(s) in a PEM file (the twin's CA).
    pub fn trusting(ca_pem: &Path) -> anyhow::Result<ProbeOptions> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca_pem)? {
            roots.add(cert?)?;
        }
        Ok(ProbeOptions { roots: Some(Arc::new(roots)), ..ProbeOptions::default() })
    }
}

/// Logs in with `token` (sent UTF-16LE in FEDAUTH) to `server_name` (the TLS SNI when it is a DNS
/// name, and LOGIN7's server name), accepting any certificate, waiting at most 5 seconds.
pub async fn probe_login(stream: TcpStream, server_name: &str, token: &str) -> LoginOutcome {
    probe_login_with(stream, server_name, token, &ProbeOptions::default()).await
}

pub async fn probe_login_with(
    stream: TcpStream,
    server_name: &str,
    token: &str,
    options: &ProbeOptions,
) -> LoginOutcome {
    connect(stream, server_name, token, options).await.0
}

/// A signed-in connection.
pub struct ProbeSession {
    stream: TdsStream,
}

impl ProbeSession {
    /// Sends a SQL batch and returns the reply's tokens.
    pub async fn batch(&mut self, sql: &str) -> io::Result<Vec<ServerToken>> {
        // ALL_HEADERS: total length 22, one transaction-descriptor header (no transaction), one
        // outstanding request.
        let mut payload = 22u32.to_le_bytes().to_vec();
        payload.extend_from_slice(&18u32.to_le_bytes());
        payload.extend_from_slice(&2u16.to_le_bytes());
        payload.extend_from_slice(&[0; 8]);
        payload.extend_from_slice(&1u32.to_le_bytes());
        payload.extend(super::packet::utf16le(sql));
        self.stream.write_message(kind::SQL_BATCH, &payload).await?;
        let reply = self.stream.read_message().await?;
        tokens::decode(&reply.payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// The login's outcome, and the session when it was accepted.
pub async fn connect(
    stream: TcpStream,
    server_name: &str,
    token: &str,
    options: &ProbeOptions,
) -> (LoginOutcome, Option<ProbeSession>) {
    match tokio::time::timeout(options.timeout, login(stream, server_name, token, options)).await {
        Err(_) => (LoginOutcome::Timeout, None),
        Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset => (LoginOutcome::Reset, None),
        Ok(Err(_)) => (LoginOutcome::Closed, None),
        Ok(Ok((outcome, stream))) => {
            let session = (outcome == LoginOutcome::Accepted).then_some(ProbeSession { stream });
            (outcome, session)
        }
    }
}

async fn login(
    tcp: TcpStream,
    server_name: &str,
    token: &str,
    options: &ProbeOptions,
) -> io::Result<(LoginOutcome, TdsStream)> {
    let mut stream = TdsStream::new(tcp);
    stream.write_message(kind::PRELOGIN, &Prelogin::client_request().encode()).await?;
    let answer = stream.read_message().await?;
    let answer = Prelogin::parse(&answer.payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    if !matches!(answer.encryption(), Some(encryption::ON | encryption::REQUIRED)) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "the server does not encrypt"));
    }
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{server_name}: {e}")))?;
    let tls = rustls::ClientConnection::new(client_config(options), name).map_err(io::Error::other)?;
    stream.start_tls_in_tds(tls.into()).await?;
    let login = match &options.password {
        Some((user, password)) => Login7::encode_with_password(server_name, &options.database, user, password),
        None => Login7::encode_with_token(server_name, &options.database, token, answer.fedauth_required()),
    };
    stream.write_message(kind::LOGIN7, &login).await?;
    let reply = stream.read_message().await?;
    let tokens = tokens::decode(&reply.payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let routed = tokens.iter().find_map(|t| match t {
        ServerToken::Routing { server, port } => Some(LoginOutcome::Routed { server: server.clone(), port: *port }),
        _ => None,
    });
    let outcome = routed
        .into_iter()
        .chain(tokens.iter().filter_map(|t| match t {
            ServerToken::Error(m) => {
                Some(LoginOutcome::Error { number: m.number, class: m.class, message: m.text.clone() })
            }
            ServerToken::LoginAck { .. } => Some(LoginOutcome::Accepted),
            _ => None,
        }))
        .next()
        .unwrap_or(LoginOutcome::Closed);
    Ok((outcome, stream))
}

/// The rustls client configuration the probe uses (for tests that drive TLS inside TDS themselves).
pub fn client_config(options: &ProbeOptions) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    let config = match &options.roots {
        Some(roots) => builder.with_root_certificates(roots.clone()).with_no_client_auth(),
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth(),
    };
    Arc::new(config)
}

/// Accepts any certificate but still checks the handshake's signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
