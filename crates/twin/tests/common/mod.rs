//! Drives the ARM face in-process (tower `oneshot`), as a client holding a valid token would.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use axum::Router;
use privlink_twin::{open_state, router, ArmState, EngineProvider, Provider, TwinConfig};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

pub const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";
pub const ARM_AUDIENCE: &str = "https://management.core.windows.net/";

pub struct InProcessTwin {
    pub state: Arc<ArmState>,
    pub app: Router,
    pub token: String,
}

/// A response, with the body parsed when there is one.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Option<Value>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> &Value {
        self.body.as_ref().unwrap_or(&Value::Null)
    }

    /// The ARM error code, if the body is an error envelope.
    pub fn error_code(&self) -> Option<&str> {
        self.json().pointer("/error/code").and_then(Value::as_str)
    }
}

impl InProcessTwin {
    pub fn open(state_dir: &Path) -> InProcessTwin {
        InProcessTwin::open_with(state_dir, Arc::new(EngineProvider))
    }

    pub fn open_with(state_dir: &Path, provider: Arc<dyn Provider>) -> InProcessTwin {
        let state = open_state(&TwinConfig::new(state_dir), provider, "https://127.0.0.1:8443".into())
            .expect("the twin's state opens");
        let token = state.tokens.issue(ARM_AUDIENCE, privlink_twin::identity::now_epoch_secs()).access_token;
        InProcessTwin { app: router(state.clone()), state, token }
    }

    /// Sends a request with the twin's token; `path` may carry a query string.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let bearer = format!("Bearer {}", self.token);
        self.send_with(method, path, &[("authorization", bearer.as_str())], body).await
    }

    /// Sends a request with exactly these headers (plus content-type for a body).
    pub async fn send_with(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
            request = request.header("host", "127.0.0.1:8443");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("a valid request");
        let response = self.app.clone().oneshot(request).await.expect("the router answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a readable body");
        let body = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {path}: body is not JSON: {e}")))
        };
        Reply { status, headers, body }
    }
}
