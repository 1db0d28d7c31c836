//! Routing: ARM's paths (matched case-insensitively) to the handler for each, the GET/HEAD/LIST
//! answers, and the request helpers every handler uses (segments, query, headers, method checks).

use super::app_service::{is_singleton_config, singleton_config, site_vnet_connections};
use super::request_shape::{check_api_version, check_group_name, check_resource_type};
use super::scope::{known_subscriptions, require_group, require_resource, require_subscription};
use super::token::{authenticate, issue_identity_token};
use super::writes::{action, delete, patch, put};
use super::{ArmRequest, ArmResponse, ArmState};
use crate::platform;
use crate::store::{document_id, Documents};
use axum::http::Method;
use privlink_engine::provider::ArmError;
use privlink_model::arm_type;
use privlink_model::ResourceId;
use serde_json::{json, Value};

pub(super) fn route(state: &ArmState, request: &ArmRequest) -> Result<ArmResponse, ArmError> {
    let segments = request_segments(&request.path)?;
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match lower.as_slice() {
        ["metadata", "endpoints"] => {
            require_method(request, &[Method::GET])?;
            return Ok(ArmResponse::json(200, platform::cloud_metadata(&base_url(state, request))));
        }
        ["msi", "token"] => return Ok(issue_identity_token(state, request)),
        _ => {}
    }
    authenticate(state, request)?;
    // The twin's own endpoints, not ARM's, so no api-version; like every read of the estate they
    // need the token: the documents hold app-setting secrets, and the DNS views name the estate's
    // networks.
    match lower.as_slice() {
        // privlink's own readers (`privlink check --twin URL`): every document as stored.
        ["privlink", "documents"] => {
            require_method(request, &[Method::GET])?;
            let snapshot = state.store.snapshot();
            let documents: Vec<Value> = snapshot.iter().map(|(_, doc)| doc.clone()).collect();
            return Ok(ArmResponse::json(200, json!({ "value": documents })));
        }
        ["privlink", "dns-views"] => {
            require_method(request, &[Method::GET])?;
            let views = serde_json::to_value(&*state.dns_views.get()).unwrap_or_else(|_| json!([]));
            return Ok(ArmResponse::json(200, views));
        }
        _ => {}
    }
    let s = &segments;
    let provider_type = match lower.as_slice() {
        ["subscriptions", _, "resourcegroups", _, "providers", _, _, ..] => Some(format!("{}/{}", s[5], s[6])),
        _ => None,
    };
    check_api_version(request, provider_type.as_deref())?;
    if let Some(answer) = super::authorization::route(state, request, &segments) {
        return answer;
    }
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
            Ok(list(docs.children(&scope, arm_type::RESOURCE_GROUPS)))
        }
        ["subscriptions", _, "resources"] => {
            require_method(request, &[Method::GET])?;
            let docs = state.store.snapshot();
            let sub = require_subscription(state, &docs, &s[1])?;
            let scope = parse_id(&format!("/subscriptions/{sub}"))?;
            Ok(list(top_level_resources(&docs, &scope)))
        }
        ["subscriptions", _, "resourcegroups", _] => {
            if request.method == Method::PUT {
                check_group_name(&s[3])?;
            }
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
pub(super) fn provider_path(
    state: &ArmState,
    request: &ArmRequest,
    group: &str,
    namespace: &str,
    rest: &[String],
) -> Result<ArmResponse, ArmError> {
    if let Some(answer) = super::config_references::route(state, request, group, namespace, rest) {
        return answer;
    }
    if rest.len().is_multiple_of(2) {
        let id = parse_id(&format!("{group}/providers/{namespace}/{}", rest.join("/")))?;
        if request.method == Method::PUT || request.method == Method::PATCH {
            check_resource_type(&id, &query_param(request, "api-version").unwrap_or_default())?;
        }
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
    if owner.is_type(arm_type::SITES) && last.eq_ignore_ascii_case("virtualNetworkConnections") {
        return Ok(ArmResponse::json(200, Value::Array(site_vnet_connections(&owner, owner_doc))));
    }
    if owner.is_type(arm_type::PRIVATE_DNS_ZONES)
        && (last.eq_ignore_ascii_case("ALL") || last.eq_ignore_ascii_case("recordsets"))
    {
        let records = docs
            .below(&owner)
            .map(|(_, d)| d)
            .filter(|d| document_id(d).is_some_and(|id| id.parent().as_ref() == Some(&owner)))
            .filter(|d| !has_type(d, arm_type::PRIVATE_DNS_ZONE_LINKS));
        return Ok(list(records));
    }
    let child_type = format!("{}/{last}", owner.resource_type());
    Ok(list(docs.children(&owner, &child_type)))
}

pub(super) fn resource(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
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

pub(super) fn resource_group(
    state: &ArmState,
    request: &ArmRequest,
    group: &ResourceId,
) -> Result<ArmResponse, ArmError> {
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

/// Resources directly in a scope (a group or a subscription), not their children.
pub(super) fn top_level_resources<'a>(docs: &'a Documents, scope: &ResourceId) -> impl Iterator<Item = &'a Value> + 'a {
    docs.below(scope)
        .map(|(_, d)| d)
        .filter(|d| document_id(d).is_some_and(|id| id.namespace().is_some() && id.names().count() == 1))
}

pub(super) fn has_type(doc: &Value, resource_type: &str) -> bool {
    document_id(doc).is_some_and(|id| id.is_type(resource_type))
}

pub(super) fn list<'a>(docs: impl Iterator<Item = &'a Value>) -> ArmResponse {
    ArmResponse::json(200, json!({"value": docs.cloned().collect::<Vec<_>>()}))
}

pub(super) fn parse_id(text: &str) -> Result<ResourceId, ArmError> {
    ResourceId::parse(text).map_err(|e| ArmError::bad_request("InvalidResourceId", e.to_string()))
}

pub(super) fn require_method(request: &ArmRequest, allowed: &[Method]) -> Result<(), ArmError> {
    if allowed.contains(&request.method) {
        Ok(())
    } else {
        Err(method_not_allowed(request))
    }
}

pub(super) fn method_not_allowed(request: &ArmRequest) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{}'.", request.method),
    )
}

/// The base URL for links handed back to the client: always the twin's own. The client's `Host`
/// header is not trusted: copied into an `Azure-AsyncOperation` URL it would send the client's
/// next request (and its token) wherever the header said.
pub(super) fn base_url(state: &ArmState, _request: &ArmRequest) -> String {
    state.public_url.clone()
}

pub(super) fn header<'a>(request: &'a ArmRequest, name: &str) -> Option<&'a str> {
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
pub(super) fn path_segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(|s| percent_decode(s, false)).collect()
}

/// The path's segments for routing: split on `/` first, then each segment decoded on its own, so
/// an escaped `%2F` stays inside its segment instead of adding path levels; a segment that decodes
/// to something no ARM name can hold (a `/`, bytes that are not UTF-8) is refused, never repaired.
pub(super) fn request_segments(path: &str) -> Result<Vec<String>, ArmError> {
    // UNVERIFIED: ARM's code for a request URI it cannot route; the status is its 400.
    let invalid = |segment: &str, why: &str| {
        ArmError::bad_request("InvalidRequestUri", format!("The request URI segment '{segment}' is invalid: {why}."))
    };
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|raw| {
            let decoded = String::from_utf8(percent_decode_bytes(raw, false))
                .map_err(|_| invalid(raw, "it does not decode to UTF-8"))?;
            if decoded.contains('/') || decoded.contains('\\') {
                return Err(invalid(raw, "an escaped '/' or '\\' cannot be part of a name"));
            }
            Ok(decoded)
        })
        .collect()
}

pub(super) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(text, plus_is_space)).into_owned()
}

fn percent_decode_bytes(text: &str, plus_is_space: bool) -> Vec<u8> {
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
    out
}
