//! Tokens: the App Service managed-identity endpoint that issues them, and the bearer check on
//! every ARM request.

use super::routes::{header, path_segments, query_param};
use super::{ArmRequest, ArmResponse, ArmState, IDENTITY_PATH};
use crate::identity::{now_epoch_secs, TokenError};
use axum::http::Method;
use privlink_engine::provider::ArmError;
use serde_json::json;

/// The managed-identity endpoint (azure-semantics §6.1).
pub(super) fn issue_identity_token(state: &ArmState, request: &ArmRequest) -> ArmResponse {
    let refuse = |status: u16, error: &str, description: &str| {
        ArmResponse::json(status, json!({"error": error, "error_description": description}))
    };
    if request.method != Method::GET {
        return refuse(405, "invalid_request", "Only GET is supported.");
    }
    let presented = header(request, "x-identity-header").unwrap_or_default();
    if !crate::identity::secrets_equal(presented, &state.identity_header) {
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
pub(super) fn authenticate(state: &ArmState, request: &ArmRequest) -> Result<(), ArmError> {
    let Some(authorization) = header(request, "authorization") else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    // Authentication schemes are case-insensitive (RFC 9110 §11.1): `BEARER x` is a bearer token.
    let token = authorization
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token);
    let Some(token) = token else {
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
        Err(TokenError::WrongTenant(issuer)) => Err(ArmError::new(
            401,
            "InvalidAuthenticationTokenTenant",
            format!("The access token is from the wrong issuer '{issuer}'. It must match the tenant associated with this subscription."),
        )),
        Err(TokenError::Invalid) => {
            Err(ArmError::new(401, "InvalidAuthenticationToken", "The access token is invalid."))
        }
    }
}

pub(super) fn is_identity_path(path: &str) -> bool {
    let segments = path_segments(path);
    segments.len() == 2 && format!("/{}/{}", segments[0], segments[1]).eq_ignore_ascii_case(IDENTITY_PATH)
}
