//! The HTTPS face of the backends: TLS with a certificate for the name the client asked for,
//! HTTP/1.1 with keep-alive, and the gate asked twice — at the TLS ClientHello (the SNI is the
//! first name a client sends) and again for every request (its `Host`, and the estate as it is
//! now, so a keep-alive connection follows a change).
//!
//! A `Reset` or `Silent` answer is about the connection, so it is acted on at the ClientHello,
//! before a byte is sent: a reset closes the socket with `SO_LINGER` 0 (the kernel sends RST),
//! silence holds the socket open and reads until the client gives up. The same answers for a
//! later request end the connection the same way. `Refused` and `Admitted` are HTTP answers, in
//! the shape of the service the host names: Key Vault ([`super::key_vault`]), Cognitive Services
//! and Azure OpenAI ([`super::cognitive`]); any other host (App Service, Storage) gets a small
//! JSON answer saying the twin serves it, so a TLS + HTTP exchange with it succeeds.

use super::{Admission, Arrival, DataPlane};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use privlink_engine::access::Access;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::LazyConfigAcceptor;

/// The name a certificate is issued for when the client sends no SNI.
pub const FALLBACK_CERTIFICATE_NAME: &str = "localhost";
/// The largest request body read (Key Vault's secrets are at most 25 KiB).
const MAX_BODY_BYTES: usize = 1 << 20;
/// How long a client may take to send a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send its ClientHello and finish the handshake: a connection
/// that sends nothing does not hold a task for ever (a held `Silent` one does, by design).
pub(super) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves HTTPS on `listener` until the task is dropped: one task per connection.
pub async fn serve_https(listener: TcpListener, plane: Arc<DataPlane>) {
    let config = plane.certificates.server_config(FALLBACK_CERTIFICATE_NAME, &[b"http/1.1"]);
    loop {
        let (stream, client) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors or a connection aborted before accept: try again shortly.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (plane, config) = (plane.clone(), config.clone());
        tokio::spawn(async move {
            let _ = serve_connection(stream, client, plane, config).await;
        });
    }
}

/// A second descriptor of an accepted socket, kept while a face decides: it can reset the
/// connection or hold it open after the TLS or HTTP machinery that owns the first descriptor is
/// gone (the socket closes only when both are closed).
pub(super) struct SocketHandle(std::net::TcpStream);

impl SocketHandle {
    /// Splits `stream` into the stream the face uses and a handle to the same socket.
    pub(super) fn of(stream: TcpStream) -> std::io::Result<(TcpStream, SocketHandle)> {
        let std = stream.into_std()?;
        let handle = std.try_clone()?;
        Ok((TcpStream::from_std(std)?, SocketHandle(handle)))
    }

    /// Acts on a connection-level answer once every other descriptor is dropped: `Reset` sends a
    /// TCP RST, `Silent` reads until the client closes, without sending a byte.
    pub(super) async fn end(self, end: ConnectionEnd) {
        match end {
            ConnectionEnd::Reset => self.reset(),
            ConnectionEnd::Silent => self.hold_until_closed().await,
        }
    }

    /// Closes with `SO_LINGER` 0: the kernel answers with RST instead of FIN.
    pub(super) fn reset(self) {
        if let Ok(stream) = TcpStream::from_std(self.0) {
            let _ = stream.set_zero_linger();
        }
    }

    /// Reads and discards whatever the client sends until it closes the connection.
    pub(super) async fn hold_until_closed(self) {
        let Ok(mut stream) = TcpStream::from_std(self.0) else { return };
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}

/// A connection-level answer of the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConnectionEnd {
    Reset,
    Silent,
}

impl ConnectionEnd {
    pub(super) fn of(admission: &Admission) -> Option<ConnectionEnd> {
        match admission {
            Admission::Reset { .. } => Some(ConnectionEnd::Reset),
            Admission::Silent { .. } => Some(ConnectionEnd::Silent),
            Admission::Admitted { .. } | Admission::Redirected { .. } | Admission::Refused { .. } => None,
        }
    }
}

/// A name as [`Arrival::host`] holds it: lower-case, without a trailing dot.
pub(super) fn normalise_host(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

async fn serve_connection(
    stream: TcpStream,
    client: SocketAddr,
    plane: Arc<DataPlane>,
    config: Arc<rustls::ServerConfig>,
) -> anyhow::Result<()> {
    let local = stream.local_addr()?;
    let (stream, socket) = SocketHandle::of(stream)?;
    let hello = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
    let start = tokio::time::timeout(HANDSHAKE_TIMEOUT, hello).await??;
    let sni = start.client_hello().server_name().map(normalise_host);
    let (admission, _) = plane.gate.admit(&Arrival { client, local, host: sni.clone() });
    if let Some(end) = ConnectionEnd::of(&admission) {
        drop(start);
        socket.end(end).await;
        return Ok(());
    }
    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, start.into_stream(config)).await??;
    let connection = Arc::new(Connection { plane, client, local, sni, end: Mutex::new(None) });
    let service = {
        let connection = connection.clone();
        hyper::service::service_fn(move |request| {
            let connection = connection.clone();
            async move { connection.answer(request).await }
        })
    };
    let served = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(tls), service)
        .await;
    let end = *connection.end.lock().unwrap_or_else(|p| p.into_inner());
    match end {
        Some(end) => socket.end(end).await,
        None => drop(socket),
    }
    served.map_err(Into::into)
}

/// Why a request got no HTTP answer: the gate ended the connection (the reason is kept on the
/// connection and acted on once hyper has let go of the socket).
#[derive(Debug, thiserror::Error)]
#[error("the gate ended the connection")]
struct Ended;

struct Connection {
    plane: Arc<DataPlane>,
    client: SocketAddr,
    local: SocketAddr,
    sni: Option<String>,
    end: Mutex<Option<ConnectionEnd>>,
}

impl Connection {
    async fn answer(&self, request: Request<Incoming>) -> Result<Response<Body>, Ended> {
        let host = self.sni.clone().or_else(|| host_header(request.headers()));
        let arrival = Arrival { client: self.client, local: self.local, host: host.clone() };
        let (admission, _) = self.plane.gate.admit(&arrival);
        if let Some(end) = ConnectionEnd::of(&admission) {
            *self.end.lock().unwrap_or_else(|p| p.into_inner()) = Some(end);
            return Err(Ended);
        }
        let (parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await else {
            return Ok(json_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json!({"error": {"code": "RequestTooLarge", "message": "the request body is too large"}}),
            ));
        };
        let request = HttpRequest {
            method: parts.method,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(parse_query).unwrap_or_default(),
            headers: parts.headers,
            body,
            host: host.unwrap_or_default(),
            arrival,
        };
        let decision = match &admission {
            // Only SQL's gateway redirects; an HTTP service reached that way is simply admitted.
            Admission::Admitted { access } | Admission::Redirected { access, .. } => HttpAdmission::Admitted(access),
            Admission::Refused { message } => HttpAdmission::Refused(message),
            Admission::Reset { .. } | Admission::Silent { .. } => unreachable!("ended above"),
        };
        Ok(dispatch(&self.plane, &request, decision))
    }
}

/// What a service's handler is told about a request the gate let reach HTTP.
#[derive(Clone, Copy, Debug)]
pub enum HttpAdmission<'a> {
    Admitted(&'a Access),
    /// The engine's text of the service's refusal (`privlink_engine::path::refusal`).
    Refused(&'a str),
}

/// One request, read whole.
#[derive(Debug)]
pub struct HttpRequest {
    pub method: Method,
    pub path: String,
    /// Query parameters in order, percent-decoded.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The name the client asked for (SNI, else `Host`), lower-case; empty when it sent none.
    pub host: String,
    pub arrival: Arrival,
}

impl HttpRequest {
    /// The first value of query parameter `name` (compared without regard to case).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of an `Authorization: Bearer …` header.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
    }
}

fn dispatch(plane: &DataPlane, request: &HttpRequest, admission: HttpAdmission<'_>) -> Response<Body> {
    let host = request.host.as_str();
    if host.ends_with(".vault.azure.net") {
        super::key_vault::answer(plane, request, admission)
    } else if host.ends_with(".cognitiveservices.azure.com") || host.ends_with(".openai.azure.com") {
        super::cognitive::answer(plane, request, admission)
    } else {
        generic_answer(request, admission)
    }
}

/// Any other backend (App Service, Storage): the refusal as a JSON error, or a small answer that
/// names the twin, so the TLS + HTTP exchange the parity test makes completes.
fn generic_answer(request: &HttpRequest, admission: HttpAdmission<'_>) -> Response<Body> {
    match admission {
        HttpAdmission::Refused(message) => {
            let refusal = Refusal::parse(message);
            let code = refusal.code.clone().unwrap_or_else(|| refusal.status.as_u16().to_string());
            json_response(refusal.status, &json!({"error": {"code": code, "message": refusal.message}}))
        }
        HttpAdmission::Admitted(_) => json_response(
            StatusCode::OK,
            &json!({
                "servedBy": "privlink twin",
                "host": request.host,
                "message": format!("{} is served by the privlink twin; the engine admits this connection", request.host),
            }),
        ),
    }
}

/// The `Host` header's name, without its port.
fn host_header(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::HOST)?.to_str().ok()?.trim();
    let name = if let Some(bracketed) = value.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        value.rsplit_once(':').map_or(value, |(name, port)| if port.parse::<u16>().is_ok() { name } else { value })
    };
    (!name.is_empty()).then(|| normalise_host(name))
}

/// `a=1&b=x%20y` → `[("a","1"),("b","x y")]`.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` (a space in a query), keeping malformed escapes as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON answer with `status`.
pub fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

/// The engine's refusal text split into what an HTTP answer carries: `403 Forbidden
/// (ForbiddenByConnection): Public network access…` → status 403, code `Forbidden`, inner code
/// `ForbiddenByConnection`, message `Public network access…`; `403: Access denied…` → status 403
/// and the message; a text without a status is a 403 with the whole text as its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: Option<String>,
    pub inner_code: Option<String>,
    pub message: String,
}

impl Refusal {
    pub fn parse(text: &str) -> Refusal {
        let text = text.trim();
        let rest = text.strip_prefix("HTTP ").unwrap_or(text);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let status = digits.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok());
        let Some(status) = status else {
            return Refusal { status: StatusCode::FORBIDDEN, code: None, inner_code: None, message: text.to_string() };
        };
        let rest = &rest[digits.len()..];
        let (head, message) = match rest.split_once(':') {
            Some((head, message)) => (head.trim(), message.trim()),
            None => ("", rest.trim()),
        };
        let (code, inner_code) = match head.split_once('(') {
            Some((code, inner)) => (code.trim(), Some(inner.trim_end_matches(')').trim().to_string())),
            None => (head, None),
        };
        let code = (!code.is_empty()).then(|| code.to_string());
        Refusal { status, code, inner_code, message: message.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privlink_engine::path::refusal;

    #[test]
    fn the_engines_refusal_texts_split_into_status_codes_and_message() {
        let kv = Refusal::parse(refusal::KEY_VAULT_PUBLIC_ACCESS_DISABLED);
        assert_eq!(kv.status, StatusCode::FORBIDDEN);
        assert_eq!((kv.code.as_deref(), kv.inner_code.as_deref()), (Some("Forbidden"), Some("ForbiddenByConnection")));
        assert!(kv.message.starts_with("Public network access is disabled"), "{}", kv.message);
        let cognitive = Refusal::parse(refusal::COGNITIVE_FIREWALL);
        assert_eq!((cognitive.status, cognitive.code, cognitive.inner_code), (StatusCode::FORBIDDEN, None, None));
        assert_eq!(cognitive.message, "Access denied due to Virtual Network/Firewall rules.");
        let storage = Refusal::parse(refusal::STORAGE_DENIED);
        assert_eq!(storage.code.as_deref(), Some("AuthorizationFailure"));
        let app = Refusal::parse(refusal::APP_SERVICE_PUBLIC_ACCESS_DISABLED);
        assert_eq!((app.status, app.code.as_deref()), (StatusCode::FORBIDDEN, Some("Forbidden")));
        let generic = Refusal::parse(refusal::GENERIC_PUBLIC_ACCESS_DISABLED);
        assert_eq!(
            (generic.status, generic.message.as_str()),
            (StatusCode::FORBIDDEN, refusal::GENERIC_PUBLIC_ACCESS_DISABLED)
        );
    }

    #[test]
    fn hosts_lose_their_port_and_queries_are_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("KV.Vault.Azure.Net:8443"));
        assert_eq!(host_header(&headers).as_deref(), Some("kv.vault.azure.net"));
        headers.insert(header::HOST, HeaderValue::from_static("[::1]:443"));
        assert_eq!(host_header(&headers).as_deref(), Some("::1"));
        assert_eq!(
            parse_query("api-version=7.6&x=a%20b+c&bad=%zz"),
            vec![("api-version".into(), "7.6".into()), ("x".into(), "a b c".into()), ("bad".into(), "%zz".into())]
        );
    }
}
