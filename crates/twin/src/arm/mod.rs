//! The ARM REST face: Azure Resource Manager's contract over the document store.
//!
//! Paths are matched case-insensitively (`az group` sends `resourcegroups`, the SDKs
//! `resourceGroups`), and ids keep the caller's casing for names and types. Every resource path
//! below `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/…` is served generically: PUT,
//! GET, PATCH (JSON merge patch, [`merge_patch`]), DELETE, HEAD, and LIST at group, subscription and parent
//! scope. Type-specific behaviour is the [`Provider`]'s; structural consistency (cascading
//! deletes, inline children) is [`crate::structure`]'s. The request sequences the real az CLI sends, and
//! the response shapes it needs, are in `shared/reference/az-cli.md` §3–§4.
//!
//! The face is a plain function from [`ArmRequest`] to [`ArmResponse`] so that it can be tested
//! without sockets; [`router`] wraps it for axum.

mod app_service;
mod authorization;
mod config_references;
mod faults;
mod long_running;
mod merge_patch;
mod paging;
mod preconditions;
mod request_shape;
mod routes;
mod scope;
mod site_identity;
mod token;
mod writes;

pub use faults::{Fault, Faults};
pub use merge_patch::merge_patch;
pub use routes::query_param;
pub use site_identity::site_identity_path;

use crate::dns_face::ViewTable;
use crate::identity::{random_uuid, TokenIssuer};
use crate::provider::Provider;
use crate::store::Store;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use privlink_engine::provider::ArmError;
use routes::{header, path_segments, route};
use serde_json::{json, Value};
use std::sync::Arc;
use token::{is_identity_path, issue_identity_token};

/// Largest request body the face reads: ARM's own limit of 4 MB per request (the documented limit
/// of a template and of a request's content). A larger body is refused before it is buffered whole,
/// which bounds what one request costs in memory (the body, its parsed JSON and the stored text).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The deepest JSON nesting a request body may have. The store takes documents up to
/// [`crate::store::MAX_STORED_DEPTH`] (what every reader can parse back); a body is stored a few
/// levels deeper when it becomes an inline child of its parent (a subnet inside its VNet's
/// `properties.subnets`, three levels), so bodies stop well below that. 64 is also the default
/// maximum depth of .NET's JSON readers (System.Text.Json, Json.NET); UNVERIFIED that ARM uses it.
pub const MAX_BODY_DEPTH: usize = 64;

/// The path of the managed-identity token endpoint (`IDENTITY_ENDPOINT`), on both listeners.
pub const IDENTITY_PATH: &str = "/msi/token";

/// Everything the face needs to answer a request.
pub struct ArmState {
    pub store: Arc<Store>,
    pub provider: Arc<dyn Provider>,
    pub tokens: TokenIssuer,
    /// The `IDENTITY_HEADER` secret the token endpoint requires.
    pub identity_header: String,
    pub tenant_id: String,
    /// The subscription that always exists; any other subscription exists once documents name it.
    pub subscription_id: String,
    /// `https://127.0.0.1:{port}`: used in URLs the twin hands out when a request has no Host.
    pub public_url: String,
    /// The DNS face's listeners, served at `GET /privlink/dns-views` (empty when it is not running).
    pub dns_views: ViewTable,
    /// The largest list page served (`privlink up --page-size`); `None`: every list in one page.
    pub page_size: Option<usize>,
    /// Faults injected for client tests (`privlink up --inject-fault`); empty unless asked for.
    pub faults: Faults,
    /// Secret values an ARM secret PUT carries (`properties.value`), kept where the Key Vault face
    /// of `privlink run --state` finds them; the stored document never holds them.
    pub secrets: Arc<crate::data_plane::SecretStore>,
}

/// A request as the face sees it: method, raw path and query, the headers that matter, body.
#[derive(Debug, Clone)]
pub struct ArmRequest {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// What the face answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    /// A non-JSON body with its content type (App Service publishing profiles are XML).
    pub text: Option<(&'static str, String)>,
}

impl ArmResponse {
    fn json(status: u16, body: Value) -> ArmResponse {
        ArmResponse { status, headers: Vec::new(), body: Some(body), text: None }
    }

    fn empty(status: u16) -> ArmResponse {
        ArmResponse { status, headers: Vec::new(), body: None, text: None }
    }

    fn text(status: u16, content_type: &'static str, text: String) -> ArmResponse {
        ArmResponse { status, headers: Vec::new(), body: None, text: Some((content_type, text)) }
    }

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> ArmResponse {
        self.headers.push((name, value.into()));
        self
    }

    /// The response for a stored document: its body and its `ETag` header.
    fn document(status: u16, doc: Value) -> ArmResponse {
        let etag = doc.get("etag").and_then(Value::as_str).map(str::to_string);
        let response = ArmResponse::json(status, doc);
        match etag {
            Some(etag) => response.with_header("etag", etag),
            None => response,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl From<ArmError> for ArmResponse {
    fn from(e: ArmError) -> ArmResponse {
        ArmResponse::json(e.status, e.envelope()).with_header("x-ms-failure-cause", "gateway")
    }
}

impl IntoResponse for ArmResponse {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        if self.body.is_some() {
            builder = builder.header("content-type", "application/json; charset=utf-8");
        } else if let Some((content_type, _)) = &self.text {
            builder = builder.header("content-type", *content_type);
        }
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                builder = builder.header(HeaderName::from_static(name), value);
            }
        }
        let body = match (&self.body, self.text) {
            (Some(value), _) => Body::from(value.to_string()),
            (None, Some((_, text))) => Body::from(text),
            (None, None) => Body::empty(),
        };
        builder.body(body).unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// The axum router serving ARM (and the token endpoint) from `state`.
pub fn router(state: Arc<ArmState>) -> Router {
    Router::new().fallback(serve).with_state(state)
}

/// The router for the plain-http token listener: the token endpoint and nothing else.
pub fn identity_router(state: Arc<ArmState>) -> Router {
    Router::new().fallback(serve_identity).with_state(state)
}

async fn serve(State(state): State<Arc<ArmState>>, request: Request) -> Response {
    match read_request(request).await {
        // Writes fsync; keep them off the async workers.
        Ok(request) => match tokio::task::spawn_blocking(move || handle(&state, &request)).await {
            Ok(response) => response.into_response(),
            Err(e) => ArmResponse::from(ArmError::internal(format!("request handler failed: {e}"))).into_response(),
        },
        Err(response) => response.into_response(),
    }
}

async fn serve_identity(State(state): State<Arc<ArmState>>, request: Request) -> Response {
    match read_request(request).await {
        Ok(request) if path_segments(&request.path).len() == 2 && is_identity_path(&request.path) => {
            issue_identity_token(&state, &request).into_response()
        }
        Ok(request) if site_identity::site_of_path(&request.path).is_some() => {
            let site = site_identity::site_of_path(&request.path).expect("checked by the guard");
            // The store's snapshot is cheap, but keep the handler off the async workers like ARM's.
            match tokio::task::spawn_blocking(move || site_identity::issue_site_token(&state, &request, &site)).await {
                Ok(response) => response.into_response(),
                Err(e) => ArmResponse::from(ArmError::internal(format!("request handler failed: {e}"))).into_response(),
            }
        }
        Ok(_) => ArmResponse::json(404, json!({"error": "not_found", "error_description": "no such endpoint"}))
            .into_response(),
        Err(response) => response.into_response(),
    }
}

async fn read_request(request: Request) -> Result<ArmRequest, ArmResponse> {
    let (parts, body) = request.into_parts();
    let too_large = || {
        // UNVERIFIED: the code ARM answers a body over its limit with; 413 is HTTP's status for it.
        ArmResponse::from(ArmError::new(
            413,
            "RequestEntityTooLarge",
            format!("The request content is larger than the maximum of {MAX_BODY_BYTES} bytes."),
        ))
    };
    let declared = parts.headers.get("content-length").and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| {
        // A chunked body has no declared length: axum stops reading it at the limit.
        if format!("{e:?}").contains("LengthLimitError") {
            return too_large();
        }
        ArmResponse::from(ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request body could not be read: {e}"),
        ))
    })?;
    Ok(ArmRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        // Takes the buffer over when it is not shared (no copy of a 4 MB body).
        body: Vec::from(body),
    })
}

/// Answers one request. Every response carries a request id, and echoes the client's.
pub fn handle(state: &ArmState, request: &ArmRequest) -> ArmResponse {
    let mut response = match state.faults.answer(request) {
        Some(injected) => injected,
        None => paging::paginate(state, request, route(state, request).unwrap_or_else(ArmResponse::from)),
    };
    response.headers.push(("x-ms-request-id", random_uuid()));
    if let Some(client_request_id) = header(request, "x-ms-client-request-id") {
        response.headers.push(("x-ms-client-request-id", client_request_id.to_string()));
    }
    response
}
