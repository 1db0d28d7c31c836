//! What answers inside the Azure namespace: DNS at the app's servers (the DNS face's answers for
//! the app's view), App Service's token service, the backends' data planes, and the far end of the
//! bridge that carries the app's inbound port to the host's loopback.

use crate::data_plane::DataPlane;
use crate::dns_face::packet::{respond, Transport};
use crate::dns_face::{DnsSnapshot, ViewKey};
use crate::identity::{now_epoch_secs, secrets_equal, TokenIssuer};
use arc_swap::ArcSwap;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

/// What the Azure side serves.
pub struct AzureSide {
    pub dns: Arc<ArcSwap<DnsSnapshot>>,
    pub view: ViewKey,
    pub dns_servers: Vec<Ipv4Addr>,
    pub identity: SocketAddrV4,
    pub identity_header: String,
    pub tokens: Arc<TokenIssuer>,
    pub plane: Arc<DataPlane>,
    /// The app's inbound listener (its address and `PORT`).
    pub app: SocketAddrV4,
}

/// Binds everything, then serves until the runtime stops. `inbound` carries connections accepted
/// on the host's loopback, to be joined to the app's port.
pub async fn serve(
    side: AzureSide,
    mut inbound: mpsc::UnboundedReceiver<std::net::TcpStream>,
) -> anyhow::Result<crate::data_plane::Faces> {
    let side = Arc::new(side);
    for server in &side.dns_servers {
        let address = SocketAddr::V4(SocketAddrV4::new(*server, 53));
        let udp = UdpSocket::bind(address).await.map_err(|e| anyhow::anyhow!("DNS on {address}: {e}"))?;
        tokio::spawn(serve_dns_udp(udp, side.clone()));
        let tcp = TcpListener::bind(address).await.map_err(|e| anyhow::anyhow!("DNS on {address}/tcp: {e}"))?;
        tokio::spawn(serve_dns_tcp(tcp, side.clone()));
    }
    let identity = TcpListener::bind(side.identity).await.map_err(|e| anyhow::anyhow!("{}: {e}", side.identity))?;
    let router = axum::Router::new().route("/msi/token", axum::routing::get(token)).with_state(side.clone());
    tokio::spawn(async move { axum::serve(identity, router).await });
    let faces = crate::data_plane::listen_all(side.plane.clone()).await?;
    let app = side.app;
    tokio::spawn(async move {
        while let Some(stream) = inbound.recv().await {
            tokio::spawn(join_to_app(stream, app));
        }
    });
    Ok(faces)
}

async fn join_to_app(stream: std::net::TcpStream, app: SocketAddrV4) {
    let Ok(mut outside) = stream.set_nonblocking(true).and_then(|()| TcpStream::from_std(stream)) else { return };
    match TcpStream::connect(app).await {
        Ok(mut inside) => {
            let _ = tokio::io::copy_bidirectional(&mut outside, &mut inside).await;
        }
        Err(_) => {
            // Nothing listens on the app's port yet: close, as a refused connection would.
            let _ = outside.shutdown().await;
        }
    }
}

async fn serve_dns_udp(socket: UdpSocket, side: Arc<AzureSide>) {
    let mut buffer = vec![0u8; 4096];
    loop {
        let Ok((length, from)) = socket.recv_from(&mut buffer).await else { continue };
        let snapshot = side.dns.load_full();
        if let Some(answer) = respond(&snapshot, &side.view, &buffer[..length], Transport::Udp) {
            let _ = socket.send_to(&answer, from).await;
        }
    }
}

async fn serve_dns_tcp(listener: TcpListener, side: Arc<AzureSide>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { continue };
        let side = side.clone();
        tokio::spawn(async move {
            loop {
                let Ok(length) = stream.read_u16().await else { return };
                let mut query = vec![0u8; usize::from(length)];
                if stream.read_exact(&mut query).await.is_err() {
                    return;
                }
                let snapshot = side.dns.load_full();
                let Some(answer) = respond(&snapshot, &side.view, &query, Transport::Tcp) else { return };
                let Ok(length) = u16::try_from(answer.len()) else { return };
                if stream.write_u16(length).await.is_err() || stream.write_all(&answer).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// App Service's local token service (azure-semantics §6.1): `GET ?resource=…&api-version=2019-08-01`
/// with `X-IDENTITY-HEADER`, answering a token that names the app's identity.
async fn token(
    State(side): State<Arc<AzureSide>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let presented = headers.get("x-identity-header").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !secrets_equal(presented, &side.identity_header) {
        let body = json!({"error": "invalid_request", "error_description": "X-IDENTITY-HEADER is missing or wrong"});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        let body = json!({"error": "invalid_request", "error_description": "the resource parameter is required"});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let issued = side.tokens.issue(resource, now_epoch_secs());
    let body = json!({
        "access_token": issued.access_token,
        "expires_on": issued.expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": side.tokens.principal().client_id,
    });
    (StatusCode::OK, Json(body)).into_response()
}
