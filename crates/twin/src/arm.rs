//! The ARM REST face: Azure Resource Manager's contract over the document store.
//!
//! Paths are matched case-insensitively (`az group` sends `resourcegroups`, the SDKs
//! `resourceGroups`), and ids keep the caller's casing for names and types. Every resource path
//! below `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/…` is served generically: PUT,
//! GET, PATCH (JSON merge patch), DELETE, HEAD, and LIST at group, subscription and parent
//! scope. Type-specific behaviour is the [`Provider`]'s; structural consistency (cascading
//! deletes, inline children) is [`structure`]'s. The request sequences the real az CLI sends, and
//! the response shapes it needs, are in `shared/reference/az-cli.md` §3–§4.
//!
//! The face is a plain function from [`ArmRequest`] to [`ArmResponse`] so that it can be tested
//! without sockets; [`router`] wraps it for axum.

use crate::computed;
use crate::dns_face::ViewTable;
use crate::error::ArmError;
use crate::identity::{now_epoch_secs, random_uuid, TokenError, TokenIssuer};
use crate::platform;
use crate::provider::{Provider, WriteMethod, WriteRequest};
use crate::store::{document_id, Change, Documents, Store};
use crate::structure::{self, properties_of};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use privlink_model::{Region, ResourceId};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Largest request body the face reads; ARM documents are far smaller.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

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
        Ok(_) => ArmResponse::json(404, json!({"error": "not_found", "error_description": "no such endpoint"}))
            .into_response(),
        Err(response) => response.into_response(),
    }
}

async fn read_request(request: Request) -> Result<ArmRequest, ArmResponse> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| {
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
        body: body.to_vec(),
    })
}

/// Answers one request. Every response carries a request id, and echoes the client's.
pub fn handle(state: &ArmState, request: &ArmRequest) -> ArmResponse {
    let mut response = route(state, request).unwrap_or_else(ArmResponse::from);
    response.headers.push(("x-ms-request-id", random_uuid()));
    if let Some(client_request_id) = header(request, "x-ms-client-request-id") {
        response.headers.push(("x-ms-client-request-id", client_request_id.to_string()));
    }
    response
}

fn route(state: &ArmState, request: &ArmRequest) -> Result<ArmResponse, ArmError> {
    let segments = path_segments(&request.path);
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match lower.as_slice() {
        ["metadata", "endpoints"] => {
            require_method(request, &[Method::GET])?;
            return Ok(ArmResponse::json(200, platform::cloud_metadata(&base_url(state, request))));
        }
        ["msi", "token"] => return Ok(issue_identity_token(state, request)),
        // privlink's own readers (`privlink check --twin URL`): every document as stored. Not an
        // ARM path, so no token: the twin listens on loopback only.
        ["privlink", "documents"] => {
            require_method(request, &[Method::GET])?;
            let snapshot = state.store.snapshot();
            let documents: Vec<Value> = snapshot.iter().map(|(_, doc)| doc.clone()).collect();
            return Ok(ArmResponse::json(200, json!({ "value": documents })));
        }
        // The twin's own endpoint, not ARM's: no token and no api-version, like the metadata
        // above; it names loopback addresses only.
        ["privlink", "dns-views"] => {
            require_method(request, &[Method::GET])?;
            let views = serde_json::to_value(&*state.dns_views.get()).unwrap_or_else(|_| json!([]));
            return Ok(ArmResponse::json(200, views));
        }
        _ => {}
    }
    authenticate(state, request)?;
    if query_param(request, "api-version").is_none() {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    let s = &segments;
    match lower.as_slice() {
        ["subscriptions"] => {
            require_method(request, &[Method::GET])?;
            let value: Vec<Value> = known_subscriptions(state, &state.store.snapshot())
                .iter()
                .map(|sub| platform::subscription(sub, &state.tenant_id))
                .collect();
            let count = value.len();
            Ok(ArmResponse::json(200, json!({"value": value, "count": {"type": "Total", "value": count}})))
        }
        ["tenants"] => {
            require_method(request, &[Method::GET])?;
            Ok(ArmResponse::json(200, json!({"value": [platform::tenant(&state.tenant_id)]})))
        }
        ["subscriptions", _] => {
            require_method(request, &[Method::GET])?;
            let sub = require_subscription(state, &state.store.snapshot(), &s[1])?;
            Ok(ArmResponse::json(200, platform::subscription(&sub, &state.tenant_id)))
        }
        ["subscriptions", _, "locations"] => {
            require_method(request, &[Method::GET])?;
            let sub = require_subscription(state, &state.store.snapshot(), &s[1])?;
            Ok(ArmResponse::json(200, platform::locations(&sub)))
        }
        ["subscriptions", _, "resourcegroups"] => {
            require_method(request, &[Method::GET])?;
            let docs = state.store.snapshot();
            let sub = require_subscription(state, &docs, &s[1])?;
            let scope = parse_id(&format!("/subscriptions/{sub}"))?;
            Ok(list(docs.children(&scope, "Microsoft.Resources/resourceGroups")))
        }
        ["subscriptions", _, "resources"] => {
            require_method(request, &[Method::GET])?;
            let docs = state.store.snapshot();
            let sub = require_subscription(state, &docs, &s[1])?;
            let scope = parse_id(&format!("/subscriptions/{sub}"))?;
            Ok(list(top_level_resources(&docs, &scope)))
        }
        ["subscriptions", _, "resourcegroups", _] => {
            let group = parse_id(&format!("/subscriptions/{}/resourceGroups/{}", s[1], s[3]))?;
            resource_group(state, request, &group)
        }
        ["subscriptions", _, "resourcegroups", _, "resources"] => {
            require_method(request, &[Method::GET])?;
            let group = parse_id(&format!("/subscriptions/{}/resourceGroups/{}", s[1], s[3]))?;
            let docs = state.store.snapshot();
            require_group(state, &docs, &group)?;
            Ok(list(top_level_resources(&docs, &group)))
        }
        ["subscriptions", _, "providers", _, "locations", _, kind, _]
            if ["operations", "operationresults", "operationstatuses"].contains(kind) =>
        {
            require_method(request, &[Method::GET])?;
            // Writes commit before they are acknowledged, so every operation the twin started
            // has already succeeded; this stays true across restarts.
            Ok(ArmResponse::json(200, json!({"name": s[7], "status": "Succeeded"})).with_header("retry-after", "1"))
        }
        ["subscriptions", _, "providers", _] => {
            // Resource provider metadata: `az resource …` reads it to choose an api-version.
            require_method(request, &[Method::GET])?;
            let docs = state.store.snapshot();
            let sub = require_subscription(state, &docs, &s[1])?;
            let types: Vec<String> = docs
                .iter()
                .filter_map(|(_, d)| d.get("type").and_then(Value::as_str))
                .filter_map(|t| {
                    t.split_once('/').filter(|(ns, _)| ns.eq_ignore_ascii_case(&s[3])).map(|(_, rest)| rest.to_string())
                })
                .collect();
            Ok(ArmResponse::json(200, platform::resource_provider(&sub, &s[3], types)))
        }
        ["subscriptions", _, "providers", _, _] => {
            require_method(request, &[Method::GET])?;
            let docs = state.store.snapshot();
            let sub = require_subscription(state, &docs, &s[1])?;
            let scope = parse_id(&format!("/subscriptions/{sub}"))?;
            let resource_type = format!("{}/{}", s[3], s[4]);
            Ok(list(top_level_resources(&docs, &scope).filter(|d| has_type(d, &resource_type))))
        }
        ["subscriptions", _, "resourcegroups", _, "providers", _, _, ..] => {
            let group = format!("/subscriptions/{}/resourceGroups/{}", s[1], s[3]);
            provider_path(state, request, &group, &s[5], &s[6..])
        }
        _ => Err(ArmError::new(
            404,
            "NotFound",
            format!("No HTTP resource was found that matches the request URI '{}'.", request.path),
        )),
    }
}

/// `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{rest…}`: a resource when `rest` has
/// type/name pairs, a collection (or, for POST, an action) when it ends with a lone segment.
fn provider_path(
    state: &ArmState,
    request: &ArmRequest,
    group: &str,
    namespace: &str,
    rest: &[String],
) -> Result<ArmResponse, ArmError> {
    if rest.len().is_multiple_of(2) {
        let id = parse_id(&format!("{group}/providers/{namespace}/{}", rest.join("/")))?;
        return resource(state, request, &id);
    }
    let (last, owner) = rest.split_last().expect("an odd-length slice is not empty");
    if owner.is_empty() {
        require_method(request, &[Method::GET])?;
        let group = parse_id(group)?;
        let docs = state.store.snapshot();
        require_group(state, &docs, &group)?;
        let resource_type = format!("{namespace}/{last}");
        return Ok(list(docs.children(&group, &resource_type)));
    }
    let owner = parse_id(&format!("{group}/providers/{namespace}/{}", owner.join("/")))?;
    if request.method == Method::POST {
        return action(state, request, &owner, last);
    }
    require_method(request, &[Method::GET])?;
    let docs = state.store.snapshot();
    let owner_doc = require_resource(state, &docs, &owner)?;
    if owner.is_type("Microsoft.Web/sites") && last.eq_ignore_ascii_case("virtualNetworkConnections") {
        return Ok(ArmResponse::json(200, Value::Array(site_vnet_connections(&owner, owner_doc))));
    }
    if owner.is_type("Microsoft.Network/privateDnsZones")
        && (last.eq_ignore_ascii_case("ALL") || last.eq_ignore_ascii_case("recordsets"))
    {
        let records = docs
            .below(&owner)
            .map(|(_, d)| d)
            .filter(|d| document_id(d).is_some_and(|id| id.parent().as_ref() == Some(&owner)))
            .filter(|d| !has_type(d, "Microsoft.Network/privateDnsZones/virtualNetworkLinks"));
        return Ok(list(records));
    }
    let child_type = format!("{}/{last}", owner.resource_type());
    Ok(list(docs.children(&owner, &child_type)))
}

fn resource(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    match request.method {
        Method::GET => {
            let docs = state.store.snapshot();
            if is_singleton_config(id) {
                return singleton_config(state, &docs, id).map(|doc| ArmResponse::document(200, doc));
            }
            Ok(ArmResponse::document(200, require_resource(state, &docs, id)?.clone()))
        }
        Method::HEAD => {
            let docs = state.store.snapshot();
            Ok(ArmResponse::empty(if docs.contains(id) { 204 } else { 404 }))
        }
        Method::PUT => put(state, request, id),
        Method::PATCH => patch(state, request, id),
        Method::DELETE => delete(state, request, id),
        _ => Err(method_not_allowed(request)),
    }
}

fn resource_group(state: &ArmState, request: &ArmRequest, group: &ResourceId) -> Result<ArmResponse, ArmError> {
    match request.method {
        Method::GET => {
            let docs = state.store.snapshot();
            Ok(ArmResponse::document(200, require_group(state, &docs, group)?.clone()))
        }
        Method::HEAD => {
            let docs = state.store.snapshot();
            Ok(ArmResponse::empty(if docs.contains(group) { 204 } else { 404 }))
        }
        Method::PUT => put(state, request, group),
        Method::PATCH => patch(state, request, group),
        Method::DELETE => {
            if !state.store.snapshot().contains(group) {
                return Err(ArmError::resource_group_not_found(group.name()));
            }
            delete(state, request, group)
        }
        _ => Err(method_not_allowed(request)),
    }
}

/// Create or replace. 201 when created, 200 when replaced; Microsoft.Web answers 200 for both
/// (azure-mgmt-web accepts only 200/202 there) and Microsoft.Network adds the async-operation
/// headers az polls.
fn put(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    let body = json_object_body(request)?;
    let api_version = query_param(request, "api-version").unwrap_or_default();
    let ((existed, proposed), docs) = state.store.transact(|snapshot| -> Result<_, ArmError> {
        require_container(state, snapshot, id)?;
        let existing = snapshot.get(id).cloned();
        check_preconditions(request, id, existing.as_ref())?;
        let top_level = id.names().count() == 1 || id.namespace().is_none();
        if top_level && body.get("location").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ArmError::bad_request(
                "LocationRequired",
                "The location property is required for this definition.",
            ));
        }
        if let (None, Some(existing)) = (id.namespace(), existing.as_ref()) {
            check_group_location(id, existing, &body)?;
        }
        let document = complete_document(body.clone(), id, existing.as_ref());
        let write = WriteRequest {
            method: WriteMethod::Put,
            id: stored_id(id, existing.as_ref()),
            api_version: api_version.clone(),
            body: Some(body.clone()),
            document: Some(document.clone()),
            existing: existing.clone(),
        };
        let changes = settle(snapshot, state.provider.apply(snapshot, &write)?)?;
        Ok((changes, (existing.is_some(), document)))
    })?;
    let doc = docs.get(id).cloned().unwrap_or(proposed);
    let status = if existed
        || is_singleton_config(id)
        || id.namespace().is_some_and(|ns| ns.eq_ignore_ascii_case("Microsoft.Web"))
    {
        200
    } else {
        201
    };
    let location = doc.get("location").and_then(Value::as_str).map(str::to_string);
    let response = ArmResponse::document(status, doc);
    Ok(if is_long_running(id) {
        with_async_operation(state, request, id, location.as_deref(), response)
    } else {
        response
    })
}

/// A resource group cannot move: ARM answers 409 when a PUT names another location.
fn check_group_location(group: &ResourceId, existing: &Value, body: &Value) -> Result<(), ArmError> {
    let region = |v: &Value| Region::new(v.as_str().unwrap_or_default());
    let (current, wanted) = (region(&existing["location"]), region(&body["location"]));
    if current.is_empty() || current == wanted {
        return Ok(());
    }
    Err(ArmError::conflict(
        "InvalidResourceGroupLocation",
        format!(
            "Invalid resource group location '{wanted}'. The Resource group already exists in location '{current}'. \
             Resource group '{}' cannot be created in a different location.",
            group.name()
        ),
    ))
}

/// What a provider decided, completed with what every write implies: structural consistency,
/// then the properties Azure computes.
fn settle(snapshot: &Documents, changes: Vec<Change>) -> Result<Vec<Change>, ArmError> {
    Ok(computed::complete(snapshot, structure::complete(snapshot, changes)?))
}

/// JSON merge patch (RFC 7386) onto the stored document; synchronous 200.
fn patch(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    let body = json_object_body(request)?;
    let api_version = query_param(request, "api-version").unwrap_or_default();
    let (proposed, docs) = state.store.transact(|snapshot| -> Result<_, ArmError> {
        require_container(state, snapshot, id)?;
        let existing = match snapshot.get(id) {
            Some(doc) => doc.clone(),
            None if id.namespace().is_none() => return Err(ArmError::resource_group_not_found(id.name())),
            None => return Err(ArmError::resource_not_found(id)),
        };
        check_preconditions(request, id, Some(&existing))?;
        let mut merged = existing.clone();
        merge_patch(&mut merged, &body);
        let document = complete_document(merged, id, Some(&existing));
        let write = WriteRequest {
            method: WriteMethod::Patch,
            id: stored_id(id, Some(&existing)),
            api_version: api_version.clone(),
            body: Some(body.clone()),
            document: Some(document.clone()),
            existing: Some(existing),
        };
        let changes = settle(snapshot, state.provider.apply(snapshot, &write)?)?;
        Ok((changes, document))
    })?;
    Ok(ArmResponse::document(200, docs.get(id).cloned().unwrap_or(proposed)))
}

/// 200 when deleted (202 with async-operation headers for Microsoft.Network), 204 when there
/// was nothing to delete.
fn delete(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    let api_version = query_param(request, "api-version").unwrap_or_default();
    let (existing, _docs) = state.store.transact(|snapshot| -> Result<_, ArmError> {
        if id.namespace().is_some() {
            require_group(state, snapshot, &id.resource_group_id().unwrap_or_else(|| id.clone()))?;
        }
        let Some(existing) = snapshot.get(id).cloned().or_else(|| computed::site_network_config(snapshot, id)) else {
            return Ok((Vec::new(), None));
        };
        check_preconditions(request, id, Some(&existing))?;
        let write = WriteRequest {
            method: WriteMethod::Delete,
            id: stored_id(id, Some(&existing)),
            api_version: api_version.clone(),
            body: None,
            document: None,
            existing: Some(existing.clone()),
        };
        let changes = settle(snapshot, state.provider.apply(snapshot, &write)?)?;
        Ok((changes, Some(existing)))
    })?;
    let Some(existing) = existing else {
        return Ok(ArmResponse::empty(204));
    };
    if is_long_running(id) {
        let location = existing.get("location").and_then(Value::as_str);
        let response = with_async_operation(state, request, id, location, ArmResponse::empty(202));
        let operation = response.header("azure-asyncoperation").unwrap_or_default().to_string();
        return Ok(response.with_header("location", operation));
    }
    Ok(ArmResponse::empty(200))
}

/// `POST {resource}/{action}`. The only actions clients need are the `list` of App Service
/// configuration singletons (`config/appsettings/list`), which answer the singleton.
fn action(state: &ArmState, request: &ArmRequest, owner: &ResourceId, action: &str) -> Result<ArmResponse, ArmError> {
    let docs = state.store.snapshot();
    if is_singleton_config(owner) && action.eq_ignore_ascii_case("list") {
        return singleton_config(state, &docs, owner).map(|doc| ArmResponse::document(200, doc));
    }
    let doc = require_resource(state, &docs, owner)?;
    if owner.is_type("Microsoft.Web/sites") && action.eq_ignore_ascii_case("publishxml") {
        // `az webapp show` reads the publishing profile for its ftp/deploy URLs. The twin has no
        // deployment endpoint, so the profile names the app's hosts and carries no secrets.
        return Ok(ArmResponse::text(200, "application/xml", platform::publishing_profile(owner.name(), doc)));
    }
    Err(ArmError::bad_request(
        "UnsupportedOperation",
        format!(
            "The twin does not implement the action '{action}' on '{owner}' ({} {}).",
            request.method, request.path
        ),
    ))
}

/// The document to store for a PUT or PATCH: the body with ARM's read-only fields filled in.
fn complete_document(body: Value, id: &ResourceId, existing: Option<&Value>) -> Value {
    let mut doc = match body {
        Value::Object(fields) => Value::Object(fields),
        _ => Value::Object(Map::new()),
    };
    let stored = stored_id(id, existing);
    let resource_type = existing
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| stored.resource_type());
    let fields = doc.as_object_mut().expect("made an object above");
    fields.insert("id".to_string(), Value::String(stored.to_string()));
    fields.insert("name".to_string(), Value::String(stored.name().to_string()));
    fields.insert("type".to_string(), Value::String(resource_type));
    // ARM stores locations in their short form: "East US" comes back as "eastus".
    if let Some(Value::String(location)) = fields.get_mut("location") {
        *location = Region::new(location).into();
    }
    // App Service configuration singletons have no ETag, and their `properties` are the settings
    // themselves: a provisioningState there would show up as an app setting (az-cli.md §4).
    if !is_singleton_config(id) {
        fields.insert("etag".to_string(), Value::String(format!("W/\"{}\"", random_uuid())));
        properties_of(&mut doc).insert("provisioningState".to_string(), Value::String("Succeeded".to_string()));
    } else if !fields.get("properties").is_some_and(Value::is_object) {
        fields.insert("properties".to_string(), Value::Object(Map::new()));
    }
    doc
}

/// The id to store under: the existing document's casing, else the canonical form of the
/// request path (`resourceGroups`, `providers`) with the caller's names and types.
fn stored_id(id: &ResourceId, existing: Option<&Value>) -> ResourceId {
    existing.and_then(document_id).unwrap_or_else(|| canonical_id(id))
}

fn canonical_id(id: &ResourceId) -> ResourceId {
    let mut text = String::new();
    if let Some(sub) = id.subscription() {
        text.push_str(&format!("/subscriptions/{sub}"));
    }
    if let Some(rg) = id.resource_group() {
        text.push_str(&format!("/resourceGroups/{rg}"));
    }
    let original = id.as_str();
    if let Some(at) = original.to_ascii_lowercase().find("/providers/") {
        text.push_str("/providers/");
        text.push_str(&original[at + "/providers/".len()..]);
    }
    ResourceId::parse(&text).unwrap_or_else(|_| id.clone())
}

/// `If-Match` and `If-None-Match` as ARM applies them to writes.
fn check_preconditions(request: &ArmRequest, id: &ResourceId, existing: Option<&Value>) -> Result<(), ArmError> {
    let current = existing.and_then(|d| d.get("etag")).and_then(Value::as_str);
    if let Some(if_match) = header(request, "if-match") {
        let holds = match existing {
            None => false,
            Some(_) => if_match.trim() == "*" || current.is_some_and(|etag| etag_listed(if_match, etag)),
        };
        if !holds {
            return Err(ArmError::precondition_failed(format!(
                "The specified precondition 'If-Match = {if_match}' failed for '{id}' (current etag: {}).",
                current.unwrap_or("none")
            )));
        }
    }
    if let Some(if_none_match) = header(request, "if-none-match") {
        let fails = existing.is_some()
            && (if_none_match.trim() == "*" || current.is_some_and(|etag| etag_listed(if_none_match, etag)));
        if fails {
            return Err(ArmError::precondition_failed(format!(
                "The resource '{id}' already exists and the precondition 'If-None-Match = {if_none_match}' failed."
            )));
        }
    }
    Ok(())
}

fn etag_listed(list: &str, etag: &str) -> bool {
    list.split(',').any(|candidate| candidate.trim() == etag)
}

/// Adds `Azure-AsyncOperation` and `Retry-After` (az waits 30 s between polls without it, and
/// treats 0 as absent: az-cli.md §4).
fn with_async_operation(
    state: &ArmState,
    request: &ArmRequest,
    id: &ResourceId,
    location: Option<&str>,
    response: ArmResponse,
) -> ArmResponse {
    let region = Region::new(location.unwrap_or_default());
    let region = if region.is_empty() { "global" } else { region.as_str() };
    let url = format!(
        "{}/subscriptions/{}/providers/{}/locations/{region}/operations/{}?api-version={}",
        base_url(state, request),
        id.subscription().unwrap_or_default(),
        id.namespace().unwrap_or("Microsoft.Network"),
        random_uuid(),
        query_param(request, "api-version").unwrap_or_default(),
    );
    response.with_header("azure-asyncoperation", url).with_header("retry-after", "1")
}

/// Microsoft.Network writes are long-running in Azure; az polls them. Private DNS record sets
/// are the exception: they are written synchronously.
fn is_long_running(id: &ResourceId) -> bool {
    let network = id.namespace().is_some_and(|ns| ns.eq_ignore_ascii_case("Microsoft.Network"));
    let type_key = id.type_key();
    let record_set =
        type_key.starts_with("microsoft.network/privatednszones/") && !type_key.ends_with("/virtualnetworklinks");
    network && !record_set
}

/// App Service configuration singletons: `sites/{n}/config/{appsettings,web,…}`.
fn is_singleton_config(id: &ResourceId) -> bool {
    id.is_type("Microsoft.Web/sites/config") || id.is_type("Microsoft.Web/sites/slots/config")
}

/// A configuration singleton exists whenever its site does; unset, it has empty settings
/// (`config/web` starts from the site's `siteConfig`).
fn singleton_config(state: &ArmState, docs: &Documents, id: &ResourceId) -> Result<Value, ArmError> {
    let site_id = id.parent().expect("a config singleton has a site");
    let site = require_resource(state, docs, &site_id)?;
    if let Some(doc) = docs.get(id) {
        return Ok(doc.clone());
    }
    let properties = if id.name().eq_ignore_ascii_case("web") {
        site.pointer("/properties/siteConfig").cloned().unwrap_or_else(|| json!({}))
    } else {
        json!({})
    };
    let mut doc = json!({
        "id": site_id.child("config", id.name()).to_string(),
        "name": id.name(),
        "type": id.resource_type(),
        "properties": properties,
    });
    if let Some(location) = site.get("location") {
        doc["location"] = location.clone();
    }
    Ok(doc)
}

/// `GET sites/{n}/virtualNetworkConnections`: a bare array (az-cli.md §4), one entry for the
/// regional VNet integration named by the site's `virtualNetworkSubnetId`.
fn site_vnet_connections(site_id: &ResourceId, site: &Value) -> Vec<Value> {
    let Some(subnet) = site.pointer("/properties/virtualNetworkSubnetId").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Ok(subnet_id) = ResourceId::parse(subnet) else {
        return Vec::new();
    };
    vec![json!({
        "id": site_id.child("virtualNetworkConnections", subnet_id.name()).to_string(),
        "name": subnet_id.name(),
        "type": "Microsoft.Web/sites/virtualNetworkConnections",
        "location": site.get("location").cloned().unwrap_or(Value::Null),
        "properties": {
            "vnetResourceId": subnet,
            "certThumbprint": null,
            "certBlob": null,
            "routes": null,
            "resyncRequired": false,
            "dnsServers": null,
            "isSwift": true
        }
    })]
}

/// The managed-identity endpoint (azure-semantics §6.1).
fn issue_identity_token(state: &ArmState, request: &ArmRequest) -> ArmResponse {
    let refuse = |status: u16, error: &str, description: &str| {
        ArmResponse::json(status, json!({"error": error, "error_description": description}))
    };
    if request.method != Method::GET {
        return refuse(405, "invalid_request", "Only GET is supported.");
    }
    if header(request, "x-identity-header") != Some(state.identity_header.as_str()) {
        return refuse(401, "invalid_request", "The X-IDENTITY-HEADER header is missing or wrong.");
    }
    let Some(resource) = query_param(request, "resource").filter(|r| !r.is_empty()) else {
        return refuse(400, "invalid_request", "The 'resource' query parameter is required.");
    };
    let principal = state.tokens.principal();
    let asks_for_other_identity = ["client_id", "principal_id", "object_id"].iter().any(|name| {
        query_param(request, name).is_some_and(|v| {
            !v.eq_ignore_ascii_case(&principal.client_id) && !v.eq_ignore_ascii_case(&principal.object_id)
        })
    }) || query_param(request, "mi_res_id").is_some();
    if asks_for_other_identity {
        return refuse(
            400,
            "invalid_request",
            "Unable to load the requested managed identity: the twin has only its system-assigned identity.",
        );
    }
    let now = now_epoch_secs();
    let token = state.tokens.issue(&resource, now);
    ArmResponse::json(
        200,
        json!({
            "access_token": token.access_token,
            "expires_on": token.expires_on.to_string(),
            "expires_in": (token.expires_on - now).to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": principal.client_id,
        }),
    )
}

/// Requires a bearer token the twin issued for ARM; otherwise ARM's 401.
fn authenticate(state: &ArmState, request: &ArmRequest) -> Result<(), ArmError> {
    let Some(authorization) = header(request, "authorization") else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let Some(token) = authorization.strip_prefix("Bearer ").or_else(|| authorization.strip_prefix("bearer ")) else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        ));
    };
    match state.tokens.verify_for_arm(token.trim(), now_epoch_secs()) {
        Ok(_) => Ok(()),
        Err(TokenError::Expired(_)) => Err(ArmError::new(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        )),
        Err(TokenError::WrongAudience(audience)) => Err(ArmError::new(
            401,
            "InvalidAuthenticationTokenAudience",
            format!("The access token has been obtained for wrong audience or resource '{audience}'."),
        )),
        Err(TokenError::Invalid) => {
            Err(ArmError::new(401, "InvalidAuthenticationToken", "The access token is invalid."))
        }
    }
}

/// Subscriptions that exist: the twin's own and every one a stored document names.
fn known_subscriptions(state: &ArmState, docs: &Documents) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut subscriptions = vec![state.subscription_id.clone()];
    seen.insert(state.subscription_id.to_ascii_lowercase());
    for (_, doc) in docs.iter() {
        if let Some(sub) = document_id(doc).and_then(|id| id.subscription().map(str::to_string)) {
            if seen.insert(sub.to_ascii_lowercase()) {
                subscriptions.push(sub);
            }
        }
    }
    subscriptions
}

fn require_subscription(state: &ArmState, docs: &Documents, subscription: &str) -> Result<String, ArmError> {
    if subscription.eq_ignore_ascii_case(&state.subscription_id) {
        return Ok(state.subscription_id.clone());
    }
    // Any other subscription exists when a document lies below it: one range lookup.
    let scope = ResourceId::parse(&format!("/subscriptions/{subscription}"))
        .map_err(|_| ArmError::subscription_not_found(subscription))?;
    docs.below(&scope)
        .find_map(|(_, doc)| document_id(doc)?.subscription().map(str::to_string))
        .ok_or_else(|| ArmError::subscription_not_found(subscription))
}

fn require_group<'a>(state: &ArmState, docs: &'a Documents, group: &ResourceId) -> Result<&'a Value, ArmError> {
    require_subscription(state, docs, group.subscription().unwrap_or_default())?;
    docs.get(group).ok_or_else(|| ArmError::resource_group_not_found(group.name()))
}

/// Requires what must exist before `id` can be written: subscription, group, parent resource.
fn require_container(state: &ArmState, docs: &Documents, id: &ResourceId) -> Result<(), ArmError> {
    let subscription = id.subscription().unwrap_or_default();
    require_subscription(state, docs, subscription)?;
    if id.namespace().is_none() {
        return Ok(());
    }
    if let Some(group) = id.resource_group_id() {
        require_group(state, docs, &group)?;
    }
    if id.names().count() > 1 {
        let parent = id.parent().expect("a nested resource has a parent");
        if !docs.contains(&parent) {
            return Err(ArmError::parent_not_found(&parent));
        }
    }
    Ok(())
}

fn require_resource<'a>(state: &ArmState, docs: &'a Documents, id: &ResourceId) -> Result<&'a Value, ArmError> {
    if let Some(group) = id.resource_group_id() {
        require_group(state, docs, &group)?;
    }
    docs.get(id).ok_or_else(|| ArmError::resource_not_found(id))
}

/// Resources directly in a scope (a group or a subscription), not their children.
fn top_level_resources<'a>(docs: &'a Documents, scope: &ResourceId) -> impl Iterator<Item = &'a Value> + 'a {
    docs.below(scope)
        .map(|(_, d)| d)
        .filter(|d| document_id(d).is_some_and(|id| id.namespace().is_some() && id.names().count() == 1))
}

fn has_type(doc: &Value, resource_type: &str) -> bool {
    document_id(doc).is_some_and(|id| id.is_type(resource_type))
}

fn list<'a>(docs: impl Iterator<Item = &'a Value>) -> ArmResponse {
    ArmResponse::json(200, json!({"value": docs.cloned().collect::<Vec<_>>()}))
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target_fields = target.as_object_mut().expect("made an object above");
    for (key, value) in patch_fields {
        if value.is_null() {
            target_fields.remove(key);
        } else {
            merge_patch(target_fields.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

fn json_object_body(request: &ArmRequest) -> Result<Value, ArmError> {
    let invalid = |why: String| {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {why}"),
        )
    };
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid("the body is empty".to_string()));
    }
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(invalid("the body is not a JSON object".to_string())),
        Err(e) => Err(invalid(e.to_string())),
    }
}

fn parse_id(text: &str) -> Result<ResourceId, ArmError> {
    ResourceId::parse(text).map_err(|e| ArmError::bad_request("InvalidResourceId", e.to_string()))
}

fn require_method(request: &ArmRequest, allowed: &[Method]) -> Result<(), ArmError> {
    if allowed.contains(&request.method) {
        Ok(())
    } else {
        Err(method_not_allowed(request))
    }
}

fn method_not_allowed(request: &ArmRequest) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{}'.", request.method),
    )
}

fn is_identity_path(path: &str) -> bool {
    let segments = path_segments(path);
    segments.len() == 2 && format!("/{}/{}", segments[0], segments[1]).eq_ignore_ascii_case(IDENTITY_PATH)
}

/// The base URL for links handed back to the client: the host the client used, else the twin's.
fn base_url(state: &ArmState, request: &ArmRequest) -> String {
    match header(request, "host") {
        Some(host) if !host.is_empty() => format!("https://{host}"),
        _ => state.public_url.clone(),
    }
}

fn header<'a>(request: &'a ArmRequest, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The decoded value of query parameter `name` (case-insensitive name).
pub fn query_param(request: &ArmRequest, name: &str) -> Option<String> {
    request.query.as_deref()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        percent_decode(key, true).eq_ignore_ascii_case(name).then(|| percent_decode(value, true))
    })
}

/// Non-empty path segments, percent-decoded. Empty segments are dropped, so a client that
/// registered the cloud with a trailing slash (`//metadata/endpoints`) is still understood.
fn path_segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(|s| percent_decode(s, false)).collect()
}

fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') if plus_is_space => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
