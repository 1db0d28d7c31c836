//! App Service's Key Vault reference status API (azure-semantics §7.3):
//! `GET {site}/config/configreferences/appsettings` (every reference among the app settings),
//! `GET …/appsettings/{name}` (one) and `POST …/appsettings/refresh` (refetch; answers the list).
//! The statuses are the engine's (`access::references::resolve`) on the live store: nothing is
//! cached, so a write of the app settings, a role assignment or the vault shows in the next read —
//! as App Service refetches every reference when the configuration changes.

use super::routes::require_method;
use super::scope::require_resource;
use super::{ArmRequest, ArmResponse, ArmState};
use crate::dns_face::snapshot::model_of;
use axum::http::Method;
use privlink_engine::access::references::{self, Resolution};
use privlink_engine::dns::Resolver;
use privlink_engine::provider::ArmError;
use privlink_model::{arm_type, ResourceId, Site};
use serde_json::{json, Value};

/// The answer for `rest` (the path after `/providers/{namespace}/`) when it is a config-reference
/// path: `sites/{name}/config/configreferences/appsettings[/{setting}]`; `None` otherwise.
pub(super) fn route(
    state: &ArmState,
    request: &ArmRequest,
    group: &str,
    namespace: &str,
    rest: &[String],
) -> Option<Result<ArmResponse, ArmError>> {
    let is = |i: usize, word: &str| rest.get(i).is_some_and(|s| s.eq_ignore_ascii_case(word));
    let site_type = format!("{namespace}/{}", rest.first()?);
    let is_reference_path = site_type.eq_ignore_ascii_case(arm_type::SITES)
        && is(2, "config")
        && is(3, "configreferences")
        && is(4, "appsettings")
        && rest.len() <= 6;
    if !is_reference_path {
        return None;
    }
    Some(answer(state, request, group, namespace, rest))
}

fn answer(
    state: &ArmState,
    request: &ArmRequest,
    group: &str,
    namespace: &str,
    rest: &[String],
) -> Result<ArmResponse, ArmError> {
    let site_id = ResourceId::parse(&format!("{group}/providers/{namespace}/{}/{}", rest[0], rest[1]))
        .map_err(|e| ArmError::bad_request("InvalidResourceId", e.to_string()))?;
    let docs = state.store.snapshot();
    require_resource(state, &docs, &site_id)?;
    let model = model_of(&docs);
    let resolver = Resolver::new(&model);
    let site = model.resources.sites.get(&site_id).ok_or_else(|| not_found(&site_id, None))?;
    let references: Vec<Value> = site
        .app_settings
        .iter()
        .filter_map(|(name, value)| {
            let resolution = references::resolve(&model, &resolver, site, value)?;
            Some(entry(site, name, value, &resolution))
        })
        .collect();
    match rest.get(5) {
        None => {
            require_method(request, &[Method::GET])?;
            Ok(ArmResponse::json(200, json!({ "value": references })))
        }
        Some(last) if last.eq_ignore_ascii_case("refresh") && request.method == Method::POST => {
            Ok(ArmResponse::json(200, json!({ "value": references })))
        }
        Some(setting) => {
            require_method(request, &[Method::GET])?;
            references
                .into_iter()
                .find(|r| r["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(setting)))
                .map(|r| ArmResponse::json(200, r))
                .ok_or_else(|| not_found(&site_id, Some(setting)))
        }
    }
}

fn not_found(site: &ResourceId, setting: Option<&str>) -> ArmError {
    let what = setting.map_or_else(String::new, |s| format!(" for the app setting '{s}'"));
    ArmError::new(404, "NotFound", format!("No Key Vault reference{what} was found on {site}."))
}

/// One `ApiKVReference`: `identityType` is the identity the reference used, shaped as ARM's
/// `ManagedServiceIdentity`.
fn entry(site: &Site, name: &str, value: &str, r: &Resolution) -> Value {
    let identity_type = match r.identity.as_deref() {
        None => Value::Null,
        Some("system-assigned") => json!({"type": "SystemAssigned"}),
        Some(user_assigned) => json!({"type": "UserAssigned", "userAssignedIdentities": {user_assigned: {}}}),
    };
    json!({
        "id": format!("{}/config/configreferences/appsettings/{name}", site.meta.id),
        "name": name,
        "type": format!("{}/configreferences", arm_type::SITE_CONFIG),
        "location": site.meta.location,
        "properties": {
            "reference": value,
            "status": r.status,
            "vaultName": r.vault,
            "secretName": r.secret,
            "secretVersion": r.version,
            "identityType": identity_type,
            "details": r.details,
            "source": "KeyVault",
            "activeVersion": if r.resolved() { r.version.clone() } else { None },
        }
    })
}
