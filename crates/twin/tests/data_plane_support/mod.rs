//! What the data-plane face tests share: a gate whose answer a test sets, a [`DataPlane`] with a
//! fresh CA and token issuer, the App Service token endpoint (§6.1) real credentials call, and
//! the clients' Python.
#![allow(dead_code)]

use privlink_engine::access::{Access, AccessVerdict};
use privlink_engine::path::Trace;
use privlink_twin::data_plane::{Admission, Arrival, Certificates, DataPlane, EngineGate, Gate, SecretStore};
use privlink_twin::identity::{now_epoch_secs, Principal, TokenIssuer};
use privlink_twin::tls::LocalCa;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The seed estate's tenant and the app's system-assigned identity.
pub const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
pub const APP_OBJECT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const IDENTITY_HEADER: &str = "test-identity-header";

/// A gate that answers every connection with the admission a test last set, and remembers what
/// it was asked.
pub struct FixedGate {
    pub admission: Mutex<Admission>,
    pub arrivals: Mutex<Vec<Arrival>>,
}

impl FixedGate {
    pub fn new(admission: Admission) -> Arc<FixedGate> {
        Arc::new(FixedGate { admission: Mutex::new(admission), arrivals: Mutex::new(Vec::new()) })
    }

    pub fn set(&self, admission: Admission) {
        *self.admission.lock().unwrap() = admission;
    }

    pub fn hosts(&self) -> Vec<Option<String>> {
        self.arrivals.lock().unwrap().iter().map(|a| a.host.clone()).collect()
    }
}

impl Gate for FixedGate {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>) {
        self.arrivals.lock().unwrap().push(arrival.clone());
        (self.admission.lock().unwrap().clone(), None)
    }
}

/// The real engine's gate, told the connection arrived at `local` (the seed's private endpoint
/// address) although the face listens on loopback.
pub struct AtAddress(pub EngineGate, pub SocketAddr);

impl Gate for AtAddress {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>) {
        self.0.admit(&Arrival { local: self.1, ..arrival.clone() })
    }
}

/// An access verdict as the engine gives it, for the app's identity.
pub fn access(verdict: AccessVerdict, audience: &str) -> Box<Access> {
    Box::new(Access {
        verdict,
        principal: (verdict != AccessVerdict::None).then(|| APP_OBJECT_ID.to_string()),
        audience: Some(audience.to_string()),
        decided_by: None,
        reason: format!("test verdict {verdict:?}"),
        identity: Some("system-assigned".into()),
        data_action: None,
        assumptions: vec![],
        cause: None,
    })
}

pub fn admitted(verdict: AccessVerdict, audience: &str) -> Admission {
    Admission::Admitted { access: access(verdict, audience) }
}

pub struct Plane {
    pub plane: Arc<DataPlane>,
    pub ca_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn principal() -> Principal {
    Principal {
        tenant_id: TENANT.into(),
        object_id: APP_OBJECT_ID.into(),
        client_id: "c0ffee00-0000-0000-0000-000000000001".into(),
    }
}

pub fn plane(gate: Arc<dyn Gate>) -> Plane {
    let dir = tempfile::tempdir().unwrap();
    let ca = LocalCa::open(dir.path()).unwrap();
    let ca_path = ca.cert_path.clone();
    let plane = DataPlane {
        gate,
        tokens: Arc::new(TokenIssuer::new(b"test-key", principal())),
        certificates: Arc::new(Certificates::new(ca)),
        secrets: Arc::new(SecretStore::default()),
    };
    Plane { plane: Arc::new(plane), ca_path, _dir: dir }
}

impl Plane {
    pub fn token(&self, resource: &str) -> String {
        self.plane.tokens.issue(resource, now_epoch_secs()).access_token
    }

    /// A token for another principal, signed by the same issuer.
    pub fn token_for(&self, object_id: &str, resource: &str) -> String {
        let other = Principal { object_id: object_id.into(), ..principal() };
        self.plane.tokens.issue_for(&other, resource, now_epoch_secs()).access_token
    }

    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(&self.ca_path).unwrap()
    }
}

/// A listener on loopback and its address.
pub async fn loopback() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// The App Service managed-identity endpoint (§6.1) on loopback, issuing the plane's tokens:
/// returns `IDENTITY_ENDPOINT`.
pub async fn token_endpoint(plane: Arc<DataPlane>) -> String {
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use std::collections::HashMap;
    async fn token(
        State(plane): State<Arc<DataPlane>>,
        headers: HeaderMap,
        Query(query): Query<HashMap<String, String>>,
    ) -> axum::response::Response {
        let header = headers.get("x-identity-header").and_then(|v| v.to_str().ok());
        if header != Some(IDENTITY_HEADER) || query.get("api-version").map(String::as_str) != Some("2019-08-01") {
            return (StatusCode::BAD_REQUEST, "bad identity request").into_response();
        }
        let Some(resource) = query.get("resource") else {
            return (StatusCode::BAD_REQUEST, "no resource").into_response();
        };
        let issued = plane.tokens.issue(resource, now_epoch_secs());
        axum::Json(serde_json::json!({
            "access_token": issued.access_token,
            "expires_on": issued.expires_on.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": plane.tokens.principal().client_id,
        }))
        .into_response()
    }
    let (listener, addr) = loopback().await;
    let app = axum::Router::new().route("/msi/token", axum::routing::get(token)).with_state(plane);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/msi/token")
}

/// Runs `script` with the clients' Python and `env`, off the async runtime; returns stdout, and
/// panics with stderr when it fails.
pub async fn run_python(python: PathBuf, script: String, env: Vec<(String, String)>) -> String {
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(&python);
        command.arg("-c").arg(&script);
        for name in [
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_AUTHORITY_HOST",
            "MSI_ENDPOINT",
            "MSI_SECRET",
            "IDENTITY_SERVER_THUMBPRINT",
            "IMDS_ENDPOINT",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            command.env_remove(name);
        }
        command.env("NO_PROXY", "*");
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().expect("python runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "python failed: {}\nstdout: {stdout}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    })
    .await
    .unwrap()
}

/// Python that sends every name ending in `suffix` to 127.0.0.1:`port`, as the namespace's DNS
/// and routes would send it to the backend's address.
pub fn python_resolving(suffix: &str, port: u16) -> String {
    format!(
        r#"
import socket
_real_getaddrinfo = socket.getaddrinfo
def _twin_getaddrinfo(host, port, *args, **kwargs):
    if isinstance(host, str) and host.lower().endswith("{suffix}"):
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", {port}))]
    return _real_getaddrinfo(host, port, *args, **kwargs)
socket.getaddrinfo = _twin_getaddrinfo
"#
    )
}
