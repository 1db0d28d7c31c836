//! Per-site managed-identity token endpoints: `GET {identity base}/sites/{subscription}/{group}/{site}/msi/token`
//! with the site's own `X-IDENTITY-HEADER`, answered from the live store as App Service's local
//! token service answers the app (azure-semantics §6.1): the token names the site's
//! system-assigned identity, or the user-assigned one `client_id` / `principal_id` / `object_id`
//! / `mi_res_id` selects, for whatever audience is asked (data-plane audiences included; the ARM
//! face still takes only ARM audiences).

use super::routes::{header, path_segments, query_param};
use super::{ArmRequest, ArmResponse, ArmState};
use crate::identity::{now_epoch_secs, random_uuid, secrets_equal, site_identity_header, Principal};
use axum::http::Method;
use privlink_engine::provider::identity::client_id;
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Value};

/// The path below the identity listener's root for `site`'s endpoint.
pub fn site_identity_path(site: &ResourceId) -> String {
    format!(
        "/sites/{}/{}/{}{}",
        site.subscription().unwrap_or_default(),
        site.resource_group().unwrap_or_default(),
        site.name(),
        super::IDENTITY_PATH
    )
}

/// The site a per-site endpoint path names: `sites/{subscription}/{group}/{site}/msi/token`.
pub(super) fn site_of_path(path: &str) -> Option<ResourceId> {
    let segments = path_segments(path);
    match segments.as_slice() {
        [sites, sub, group, site, msi, token]
            if sites.eq_ignore_ascii_case("sites")
                && format!("/{msi}/{token}").eq_ignore_ascii_case(super::IDENTITY_PATH) =>
        {
            ResourceId::parse(&format!(
                "/subscriptions/{sub}/resourceGroups/{group}/providers/{}/{site}",
                arm_type::SITES
            ))
            .ok()
        }
        _ => None,
    }
}

/// What App Service's token service answers when the app has no identity matching the request.
/// UNVERIFIED: the body's shape; the message is the one apps report from App Service
/// (Azure-Samples/azure-search-openai-demo#2148 quotes its user-assigned variant), status 400.
fn no_identity(user_assigned: bool) -> ArmResponse {
    let message = if user_assigned {
        "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."
    } else {
        "No Managed Identity found for specified ClientId/ResourceId/PrincipalId."
    };
    ArmResponse::json(400, json!({"statusCode": 400, "message": message, "correlationId": random_uuid()}))
}

/// A token for the site's identity, from the store as it is now.
pub(super) fn issue_site_token(state: &ArmState, request: &ArmRequest, site: &ResourceId) -> ArmResponse {
    let refuse = |status: u16, error: &str, description: &str| {
        ArmResponse::json(status, json!({"error": error, "error_description": description}))
    };
    if request.method != Method::GET {
        return refuse(405, "invalid_request", "Only GET is supported.");
    }
    let expected = site_identity_header(&state.identity_header, site.as_str());
    if !secrets_equal(header(request, "x-identity-header").unwrap_or_default(), &expected) {
        return refuse(401, "invalid_request", "The X-IDENTITY-HEADER header is missing or wrong.");
    }
    let Some(resource) = query_param(request, "resource").filter(|r| !r.is_empty()) else {
        return refuse(400, "invalid_request", "The 'resource' query parameter is required.");
    };
    let docs = state.store.snapshot();
    let Some(document) = docs.get(site) else {
        return refuse(404, "not_found", "The site this endpoint belongs to does not exist.");
    };
    let selectors: Vec<(&str, String)> = ["client_id", "principal_id", "object_id", "mi_res_id"]
        .into_iter()
        .filter_map(|name| query_param(request, name).filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect();
    let identity = document.get("identity").cloned().unwrap_or(Value::Null);
    let tenant = identity.get("tenantId").and_then(Value::as_str).unwrap_or(&state.tenant_id).to_string();
    let principal = match selectors.as_slice() {
        [] => identity.get("principalId").and_then(Value::as_str).map(|oid| Principal {
            tenant_id: tenant.clone(),
            object_id: oid.to_string(),
            client_id: client_id(site),
        }),
        [(name, wanted)] => user_assigned(&identity, name, wanted, &tenant),
        _ => {
            return refuse(
                400,
                "invalid_request",
                "Only one of client_id, principal_id, object_id and mi_res_id may be given.",
            )
        }
    };
    let Some(principal) = principal else { return no_identity(!selectors.is_empty()) };
    let now = now_epoch_secs();
    let token = state.tokens.issue_for(&principal, &resource, now);
    ArmResponse::json(
        200,
        json!({
            "access_token": token.access_token,
            "expires_on": token.expires_on.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": principal.client_id,
        }),
    )
}

/// The site's user-assigned identity the selector `name` = `wanted` picks.
fn user_assigned(identity: &Value, name: &str, wanted: &str, tenant: &str) -> Option<Principal> {
    let entries = identity.get("userAssignedIdentities")?.as_object()?;
    entries.iter().find_map(|(id, entry)| {
        let oid = entry.get("principalId").and_then(Value::as_str)?;
        let cid = entry.get("clientId").and_then(Value::as_str)?;
        let matches = match name {
            "client_id" => cid.eq_ignore_ascii_case(wanted),
            "mi_res_id" => ResourceId::parse(id).ok() == ResourceId::parse(wanted).ok(),
            _ => oid.eq_ignore_ascii_case(wanted),
        };
        matches.then(|| Principal {
            tenant_id: tenant.to_string(),
            object_id: oid.to_string(),
            client_id: cid.to_string(),
        })
    })
}
