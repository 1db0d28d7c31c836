//! Server-driven paging of list responses, as ARM pages them: a page of `value` and a `nextLink`
//! that repeats the request with a `$skiptoken`. Off unless a page size is configured
//! (`privlink up --page-size N`), so clients' paging can be exercised with a small estate.

use super::routes::{base_url, path_segments, query_param};
use super::{ArmRequest, ArmResponse, ArmState};
use axum::http::Method;
use serde_json::Value;

/// Cuts a `{"value": [...]}` answer to a GET down to the page the request's `$skiptoken` names,
/// and adds the `nextLink` of the following page when there is one.
pub(super) fn paginate(state: &ArmState, request: &ArmRequest, mut response: ArmResponse) -> ArmResponse {
    let Some(page_size) = state.page_size.filter(|n| *n > 0) else { return response };
    // ARM's collections only: the twin's own endpoints (`/privlink/documents`) answer whole.
    let is_arm = path_segments(&request.path)
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("subscriptions") || s.eq_ignore_ascii_case("tenants"));
    if request.method != Method::GET || response.status != 200 || !is_arm {
        return response;
    }
    let Some(Value::Array(items)) = response.body.as_mut().and_then(|b| b.get_mut("value")) else {
        return response;
    };
    // The token is the offset of the page: opaque to clients, which only follow nextLink.
    let offset: usize = query_param(request, "$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let total = items.len();
    let page: Vec<Value> = items.drain(..).skip(offset).take(page_size).collect();
    *items = page;
    if offset + page_size < total {
        let mut query: Vec<String> = request
            .query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|p| {
                !p.is_empty() && !p.to_ascii_lowercase().starts_with("%24skiptoken=") && !p.starts_with("$skiptoken=")
            })
            .map(str::to_string)
            .collect();
        query.push(format!("%24skiptoken={}", offset + page_size));
        let next = format!("{}{}?{}", base_url(state, request), request.path, query.join("&"));
        if let Some(body) = response.body.as_mut().and_then(Value::as_object_mut) {
            body.insert("nextLink".to_string(), Value::String(next));
        }
    }
    response
}
