//! Key Vault's secrets data plane (azure-semantics §8) at `https://{vault}.vault.azure.net`: set a
//! secret (a new version), get the latest or a given version, list secrets and a secret's
//! versions. Values live in [`super::SecretStore`]: the twin's state directory with `--state`,
//! else the run's memory; never in an ARM document.
//!
//! The order of checks is §5.1's: the `api-version` (mandatory), then the bearer token (none or
//! an unsuitable one ⇒ 401 with the challenge SDKs learn the tenant and resource from), then the
//! network decision (the engine's refusal as Key Vault's 403 body, which names the caller, so
//! the token is read first), then authorization (the engine's access verdict: 403
//! `ForbiddenByRbac` or, for a vault on access policies, `AccessDenied`, §13.3). The engine
//! decides one verdict for the app's use of the vault (the data action it names); every secret
//! operation is admitted or refused by it — UNVERIFIED per operation (a "Key Vault Secrets User"
//! cannot set a secret in Azure).

use super::https::{json_response, HttpAdmission, HttpRequest, Refusal};
use super::{access_admits, DataPlane, SecretVersion, TokenRefusal};
use crate::identity::{now_epoch_secs, random_hex, TokenError};
use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use privlink_engine::access::{Access, Cause};
use privlink_engine::path::refusal;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Key Vault's Entra resource (§6.3).
pub const VAULT_AUDIENCE: &str = "https://vault.azure.net";
/// §8: a vault's secrets are `Recoverable+Purgeable` with soft delete on (the default).
const RECOVERY_LEVEL: &str = "Recoverable+Purgeable";
const RECOVERABLE_DAYS: u64 = 90;

/// Answers one request to a vault's host.
pub fn answer(plane: &DataPlane, request: &HttpRequest, admission: HttpAdmission<'_>) -> Response<Body> {
    let mut response = answer_unlabelled(plane, request, admission);
    // §5.1: the address Key Vault saw the caller at; a private one proves the private path.
    let network_info = format!("conn_type=Ipv4;addr={};act_addr_fam=InterNetwork;", request.arrival.client.ip());
    if let Ok(value) = HeaderValue::from_str(&network_info) {
        response.headers_mut().insert("x-ms-keyvault-network-info", value);
    }
    response
}

fn answer_unlabelled(plane: &DataPlane, request: &HttpRequest, admission: HttpAdmission<'_>) -> Response<Body> {
    let vault = request.host.split('.').next().unwrap_or_default().to_string();
    if request.path.trim_end_matches('/') == "/healthstatus" {
        return json_response(StatusCode::OK, &json!({}));
    }
    if request.query("api-version").is_none_or(|v| v.trim().is_empty()) {
        // UNVERIFIED: the exact text; §8 says only that api-version is mandatory.
        return error(StatusCode::BAD_REQUEST, "BadParameter", None, "The api-version query parameter is missing.");
    }
    let unknown = Access::none_for_unknown_service();
    let access = match admission {
        HttpAdmission::Admitted(access) => access,
        HttpAdmission::Refused(_) => &unknown,
    };
    let token = request.bearer();
    let claims = match plane.verify_token(token, VAULT_AUDIENCE, access) {
        Ok(claims) => claims,
        Err(TokenRefusal::OtherPrincipal { presented, expected }) => {
            let caller = caller(token.unwrap_or_default(), &presented);
            let detail = format!("the token names '{presented}', the app's identity is '{expected}'");
            return forbidden_by_rbac(request, &vault, &caller, access, &detail);
        }
        Err(refusal) => return challenge(plane, &refusal),
    };
    let caller = caller(token.unwrap_or_default(), &claims.object_id);
    if let HttpAdmission::Refused(message) = admission {
        return network_refusal(request, &vault, &caller, message);
    }
    if !access_admits(access) {
        return match &access.cause {
            Some(Cause::NoAccessPolicy { permission }) => access_denied(&vault, &caller, permission, &access.reason),
            _ => forbidden_by_rbac(request, &vault, &caller, access, &access.reason),
        };
    }
    secrets(plane, request, &vault)
}

/// The secrets API proper, for a caller that is signed in and authorized.
fn secrets(plane: &DataPlane, request: &HttpRequest, vault: &str) -> Response<Body> {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let base = format!("https://{}", request.host);
    match (segments.as_slice(), &request.method) {
        (["secrets"], &Method::GET) => {
            let items: Vec<Value> = plane
                .secrets
                .names(vault)
                .iter()
                .filter_map(|name| {
                    let latest = plane.secrets.versions(vault, name).pop()?;
                    Some(item(&format!("{base}/secrets/{name}"), &latest))
                })
                .collect();
            json_response(StatusCode::OK, &json!({"value": items, "nextLink": null}))
        }
        (["secrets", name], &Method::PUT) => set(plane, request, vault, name, &base),
        (["secrets", name], &Method::GET) => match plane.secrets.versions(vault, name).pop() {
            Some(latest) => json_response(StatusCode::OK, &bundle(&base, name, &latest)),
            None => not_found(name),
        },
        (["secrets", name, "versions"], &Method::GET) => {
            let versions = plane.secrets.versions(vault, name);
            if versions.is_empty() {
                return not_found(name);
            }
            let items: Vec<Value> =
                versions.iter().map(|v| item(&format!("{base}/secrets/{name}/{}", v.version), v)).collect();
            json_response(StatusCode::OK, &json!({"value": items, "nextLink": null}))
        }
        (["secrets", name, version], &Method::GET) => {
            match plane.secrets.versions(vault, name).into_iter().find(|v| v.version.eq_ignore_ascii_case(version)) {
                Some(found) => json_response(StatusCode::OK, &bundle(&base, name, &found)),
                None => not_found(&format!("{name}/{version}")),
            }
        }
        (["secrets", ..], _) => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadParameter",
            None,
            &format!("The privlink twin does not serve {} {} (UNVERIFIED answer)", request.method, request.path),
        ),
        _ => {
            error(StatusCode::NOT_FOUND, "NotFound", None, &format!("{} is not a Key Vault secrets path", request.path))
        }
    }
}

fn set(plane: &DataPlane, request: &HttpRequest, vault: &str, name: &str, base: &str) -> Response<Body> {
    if !valid_name(name) {
        return error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            None,
            "The request URI contains an invalid name: secret names are 1-127 letters, digits and dashes.",
        );
    }
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(e) => {
            return error(StatusCode::BAD_REQUEST, "BadParameter", None, &format!("The request body is not JSON: {e}"))
        }
    };
    let Some(value) = body.get("value").and_then(Value::as_str) else {
        return error(StatusCode::BAD_REQUEST, "BadParameter", None, "Property 'value' is required.");
    };
    let now = now_epoch_secs();
    let tags: BTreeMap<String, String> = body
        .get("tags")
        .and_then(Value::as_object)
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    let version = plane.secrets.set(
        vault,
        name,
        SecretVersion {
            version: random_hex(16),
            value: value.to_string(),
            content_type: body.get("contentType").and_then(Value::as_str).map(str::to_string),
            enabled: body.pointer("/attributes/enabled").and_then(Value::as_bool).unwrap_or(true),
            created: now,
            updated: now,
            tags,
        },
    );
    json_response(StatusCode::OK, &bundle(base, name, &version))
}

/// §8: 1–127 characters, letters, digits and `-`.
fn valid_name(name: &str) -> bool {
    (1..=127).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn attributes(version: &SecretVersion) -> Value {
    json!({
        "enabled": version.enabled,
        "created": version.created,
        "updated": version.updated,
        "recoveryLevel": RECOVERY_LEVEL,
        "recoverableDays": RECOVERABLE_DAYS,
    })
}

/// A SecretBundle (§8): the value, its versioned id and attributes.
fn bundle(base: &str, name: &str, version: &SecretVersion) -> Value {
    let mut bundle = Map::new();
    bundle.insert("value".into(), json!(version.value));
    bundle.insert("id".into(), json!(format!("{base}/secrets/{}/{}", name.to_ascii_lowercase(), version.version)));
    if let Some(content_type) = &version.content_type {
        bundle.insert("contentType".into(), json!(content_type));
    }
    bundle.insert("attributes".into(), attributes(version));
    if !version.tags.is_empty() {
        bundle.insert("tags".into(), json!(version.tags));
    }
    Value::Object(bundle)
}

/// A SecretItem of a list: no value.
fn item(id: &str, version: &SecretVersion) -> Value {
    let mut item = Map::new();
    item.insert("id".into(), json!(id.to_ascii_lowercase()));
    item.insert("attributes".into(), attributes(version));
    if let Some(content_type) = &version.content_type {
        item.insert("contentType".into(), json!(content_type));
    }
    if !version.tags.is_empty() {
        item.insert("tags".into(), json!(version.tags));
    }
    Value::Object(item)
}

/// Key Vault's error envelope.
fn error(status: StatusCode, code: &str, inner: Option<&str>, message: &str) -> Response<Body> {
    let mut body = json!({"error": {"code": code, "message": message}});
    if let Some(inner) = inner {
        body["error"]["innererror"] = json!({"code": inner});
    }
    json_response(status, &body)
}

/// UNVERIFIED exact message (§8 names only the code).
fn not_found(name: &str) -> Response<Body> {
    error(
        StatusCode::NOT_FOUND,
        "SecretNotFound",
        None,
        &format!("A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"),
    )
}

/// §8's 401 challenge: the tenant's authority and the vault resource, which the SDK checks
/// against the vault's domain before it asks for a token.
fn challenge(plane: &DataPlane, refusal: &TokenRefusal) -> Response<Body> {
    let message = match refusal {
        TokenRefusal::Missing => "AKV10000: Request is missing a Bearer or PoP token.".to_string(),
        // UNVERIFIED wording of Key Vault's invalid-token messages.
        TokenRefusal::Invalid(TokenError::WrongAudience(found)) => {
            format!("AKV10022: Invalid audience. Expected {VAULT_AUDIENCE}, found: {found}.")
        }
        TokenRefusal::Invalid(TokenError::Expired(_)) => "AKV10022: Token expired.".to_string(),
        other => format!("AKV10022: The bearer token is invalid: {other}."),
    };
    let mut response = error(StatusCode::UNAUTHORIZED, "Unauthorized", None, &message);
    let tenant = &plane.tokens.principal().tenant_id;
    let value =
        format!("Bearer authorization=\"https://login.microsoftonline.com/{tenant}\", resource=\"{VAULT_AUDIENCE}\"");
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// `appid=…;oid=…;iss=…` as Key Vault's 403 messages name the caller.
fn caller(token: &str, object_id: &str) -> String {
    let claims: Value = token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    format!("appid={};oid={object_id};iss={}", text("appid"), text("iss"))
}

/// The engine's network refusal as Key Vault's 403 (§5.1): `ForbiddenByConnection` or
/// `ForbiddenByFirewall`, the firewall's message naming the client address and the caller.
fn network_refusal(request: &HttpRequest, vault: &str, caller: &str, message: &str) -> Response<Body> {
    let refusal = Refusal::parse(message);
    let mut text = refusal.message.clone();
    if message == refusal::KEY_VAULT_FIREWALL {
        text =
            format!("{text}\r\nClient address: {}\r\nCaller: {caller}\r\nVault: {vault}", request.arrival.client.ip());
    }
    let code = refusal.code.as_deref().unwrap_or("Forbidden");
    error(refusal.status, code, refusal.inner_code.as_deref(), &text)
}

/// §13.3: RBAC mode, no role assignment grants the data action.
fn forbidden_by_rbac(
    request: &HttpRequest,
    vault: &str,
    caller: &str,
    access: &Access,
    reason: &str,
) -> Response<Body> {
    let action = access.data_action.as_deref().unwrap_or("(the engine names none)");
    let message = format!(
        "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: {caller}\r\nAction: '{action}'\r\nResource: '{}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: {vault}\r\nprivlink: {reason}\r\n",
        request.path.to_ascii_lowercase()
    );
    error(StatusCode::FORBIDDEN, "Forbidden", Some("ForbiddenByRbac"), &message)
}

/// §13.3: access-policy mode, no policy gives the principal the permission.
fn access_denied(vault: &str, caller: &str, permission: &str, reason: &str) -> Response<Body> {
    let message = format!(
        "The user, group or application '{caller}' does not have secrets {permission} permission on key vault '{vault}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287 (privlink: {reason})"
    );
    error(StatusCode::FORBIDDEN, "Forbidden", Some("AccessDenied"), &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_key_vaults_rule() {
        assert!(valid_name("openai-key"));
        assert!(valid_name(&"a".repeat(127)));
        assert!(!valid_name(&"a".repeat(128)));
        assert!(!valid_name("has_underscore"));
        assert!(!valid_name(""));
    }
}
