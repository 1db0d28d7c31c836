//! Cognitive Services and Azure OpenAI (`*.cognitiveservices.azure.com`, `*.openai.azure.com`):
//! the network and authentication gate with the services' status codes and error bodies
//! (azure-semantics §5.4, §13.6), and for a request that passes a minimal answer in the
//! documented shape that says it comes from the twin.
//!
//! Order: the network decision (the engine's 403 in the services' `{"error":{"code":"403",…}}`
//! shape), then the credential: an `api-key` / `Ocp-Apim-Subscription-Key` header, or a bearer
//! token for `https://cognitiveservices.azure.com`. The estate holds no key material, so a key is
//! accepted exactly when the engine says the app signs in with a key (`AccessVerdict::None`) —
//! UNVERIFIED, the twin cannot tell one key from another. A token is verified and the engine's
//! access verdict applied (401 `PermissionDenied`, §13.6: UNVERIFIED).

use super::https::{json_response, HttpAdmission, HttpRequest, Refusal};
use super::{access_admits, DataPlane};
use crate::identity::{now_epoch_secs, random_hex};
use axum::body::Body;
use axum::http::{Method, Response, StatusCode};
use privlink_engine::access::{Access, AccessVerdict};
use serde_json::json;

/// The Entra resource of Cognitive Services and Azure OpenAI (§6.3).
pub const COGNITIVE_AUDIENCE: &str = "https://cognitiveservices.azure.com";

/// The text every passing answer carries, so a caller can tell the twin answered.
pub const TWIN_ANSWER: &str = "Hello from the privlink twin: this Azure OpenAI deployment is simulated and the request passed the network and authentication checks.";

/// Answers one request to a Cognitive Services or Azure OpenAI host.
pub fn answer(plane: &DataPlane, request: &HttpRequest, admission: HttpAdmission<'_>) -> Response<Body> {
    let access = match admission {
        HttpAdmission::Refused(message) => {
            let refusal = Refusal::parse(message);
            return error(refusal.status, &refusal.status.as_u16().to_string(), &refusal.message);
        }
        HttpAdmission::Admitted(access) => access,
    };
    if let Some(refused) = authenticate(plane, request, access) {
        return refused;
    }
    route(request)
}

/// `None` when the credential passes, else the services' 401.
fn authenticate(plane: &DataPlane, request: &HttpRequest, access: &Access) -> Option<Response<Body>> {
    let key = request.header("api-key").or_else(|| request.header("ocp-apim-subscription-key"));
    if let Some(key) = key {
        if !key.trim().is_empty() && access.verdict == AccessVerdict::None {
            return None;
        }
        // UNVERIFIED wording (commonly reported for a wrong key).
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "401",
            &format!("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource. (privlink: {})", access.reason),
        ));
    }
    let audience = access.audience.as_deref().unwrap_or(COGNITIVE_AUDIENCE);
    let claims = match plane.verify_token(request.bearer(), audience, access) {
        Ok(claims) => claims,
        Err(refusal) => {
            // UNVERIFIED wording (as Azure OpenAI is commonly reported to answer).
            return Some(error(
                StatusCode::UNAUTHORIZED,
                "401",
                &format!("Unauthorized. Access token is missing, invalid, audience is incorrect ({COGNITIVE_AUDIENCE}), or have expired. (privlink: {refusal})"),
            ));
        }
    };
    if access_admits(access) {
        return None;
    }
    let action = access.data_action.as_deref().unwrap_or("(the engine names none)");
    Some(error(
        StatusCode::UNAUTHORIZED,
        "PermissionDenied",
        &format!(
            "The principal `{}` lacks the required data action `{action}` to perform `{} {}` operation. (privlink: {})",
            claims.object_id, request.method, request.path, access.reason
        ),
    ))
}

fn route(request: &HttpRequest) -> Response<Body> {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let has_api_version = request.query("api-version").is_some_and(|v| !v.trim().is_empty());
    match (segments.as_slice(), &request.method) {
        (["openai", "deployments", deployment, "chat", "completions"], &Method::POST) if has_api_version => {
            json_response(StatusCode::OK, &chat_completion(deployment))
        }
        _ => error(StatusCode::NOT_FOUND, "404", "Resource not found"),
    }
}

/// A `chat.completion` as Azure OpenAI documents it, with one assistant message from the twin.
fn chat_completion(deployment: &str) -> serde_json::Value {
    json!({
        "id": format!("chatcmpl-{}", random_hex(12)),
        "object": "chat.completion",
        "created": now_epoch_secs(),
        "model": deployment,
        "system_fingerprint": null,
        "choices": [{
            "index": 0,
            "finish_reason": "stop",
            "logprobs": null,
            "message": {"role": "assistant", "content": TWIN_ANSWER},
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    })
}

/// The services' error envelope: `{"error":{"code":"403","message":…}}` (§5.4).
fn error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    json_response(status, &json!({"error": {"code": code, "message": message}}))
}
