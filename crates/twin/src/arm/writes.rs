//! PUT, PATCH, DELETE and POST actions: the document to store (ARM's read-only fields), the
//! provider's decision settled with structure and computed fields, and the status codes Azure uses.

use super::app_service::{is_singleton_config, singleton_config};
use super::long_running::{is_long_running, with_async_operation};
use super::merge_patch::merge_patch;
use super::preconditions::check_preconditions;
use super::routes::query_param;
use super::scope::{require_container, require_group, require_resource};
use super::MAX_BODY_DEPTH;
use super::{ArmRequest, ArmResponse, ArmState};
use crate::computed;
use crate::identity::random_uuid;
use crate::platform;
use crate::provider::WriteRequest;
use crate::store::{document_id, json_depth, Change, Documents};
use crate::structure::{self, properties_of};
use privlink_engine::provider::{ArmError, WriteMethod};
use privlink_model::arm_type;
use privlink_model::{Region, ResourceId};
use serde_json::{Map, Value};

/// Create or replace. 201 when created, 200 when replaced; Microsoft.Web answers 200 for both
/// (azure-mgmt-web accepts only 200/202 there) and Microsoft.Network adds the async-operation
/// headers az polls.
pub(super) fn put(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    let body = json_object_body(request)?;
    let api_version = query_param(request, "api-version").unwrap_or_default();
    let ((existed, proposed), docs) = state.store.transact(|snapshot| -> Result<_, ArmError> {
        require_container(state, snapshot, id)?;
        let existing = snapshot.get(id).cloned();
        check_preconditions(request, id, existing.as_ref())?;
        let top_level = id.names().count() == 1 || id.namespace().is_none();
        // Role assignments are extension resources of their scope and have no location.
        let located = !id.is_type(arm_type::ROLE_ASSIGNMENTS);
        if top_level && located && body.get("location").and_then(Value::as_str).is_none_or(str::is_empty) {
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
            tenant_id: state.tenant_id.clone(),
            body: Some(body.clone()),
            document: Some(document.clone()),
            existing: existing.clone(),
        };
        let changes = settle(snapshot, state.provider.apply(snapshot, &write)?)?;
        Ok((changes, (existing.is_some(), document)))
    })?;
    let doc = docs.get(id).cloned().unwrap_or(proposed);
    keep_secret_value(state, id, &body, &doc);
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

/// A Key Vault secret PUT through ARM (templates create secrets this way) carries its value, which
/// the provider drops from the document: the value goes to the Key Vault data plane's store, under
/// the version the document now names, as Azure's vault keeps it.
fn keep_secret_value(state: &ArmState, id: &ResourceId, body: &Value, stored: &Value) {
    let Some(value) = body.pointer("/properties/value").and_then(Value::as_str) else { return };
    let (Some(vault), true) = (id.parent(), id.is_type(arm_type::KEY_VAULT_SECRETS)) else { return };
    let Some(version) = stored.pointer("/properties/secretUriWithVersion").and_then(Value::as_str) else { return };
    let now = crate::identity::now_epoch_secs();
    let content_type = body.pointer("/properties/contentType").and_then(Value::as_str).map(str::to_string);
    let version = crate::data_plane::SecretVersion {
        version: version.rsplit('/').next().unwrap_or_default().to_string(),
        value: value.to_string(),
        content_type,
        enabled: body.pointer("/properties/attributes/enabled").and_then(Value::as_bool).unwrap_or(true),
        created: now,
        updated: now,
        tags: Default::default(),
    };
    state.secrets.set(vault.name(), id.name(), version);
}

/// A resource group cannot move: ARM answers 409 when a PUT names another location.
pub(super) fn check_group_location(group: &ResourceId, existing: &Value, body: &Value) -> Result<(), ArmError> {
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
pub(super) fn settle(snapshot: &Documents, changes: Vec<Change>) -> Result<Vec<Change>, ArmError> {
    Ok(computed::complete(snapshot, structure::complete(snapshot, changes)?))
}

/// JSON merge patch (RFC 7396) onto the stored document; synchronous 200.
pub(super) fn patch(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
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
            tenant_id: state.tenant_id.clone(),
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
pub(super) fn delete(state: &ArmState, request: &ArmRequest, id: &ResourceId) -> Result<ArmResponse, ArmError> {
    let api_version = query_param(request, "api-version").unwrap_or_default();
    let (existing, _docs) = state.store.transact(|snapshot| -> Result<_, ArmError> {
        match id.resource_group_id() {
            Some(group) if id.namespace().is_some() => {
                require_group(state, snapshot, &group)?;
            }
            None if id.is_type(arm_type::ROLE_ASSIGNMENTS) => {}
            _ if id.namespace().is_some() => {
                require_group(state, snapshot, id)?;
            }
            _ => {}
        }
        let Some(existing) = snapshot.get(id).cloned().or_else(|| computed::site_network_config(snapshot, id)) else {
            return Ok((Vec::new(), None));
        };
        check_preconditions(request, id, Some(&existing))?;
        let write = WriteRequest {
            method: WriteMethod::Delete,
            id: stored_id(id, Some(&existing)),
            api_version: api_version.clone(),
            tenant_id: state.tenant_id.clone(),
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
    if id.is_type(arm_type::ROLE_ASSIGNMENTS) {
        // Role Assignments - Delete answers the assignment it deleted (azure-mgmt-authorization reads it).
        return Ok(ArmResponse::document(200, existing));
    }
    Ok(ArmResponse::empty(200))
}

/// `POST {resource}/{action}`. The only actions clients need are the `list` of App Service
/// configuration singletons (`config/appsettings/list`), which answer the singleton.
pub(super) fn action(
    state: &ArmState,
    request: &ArmRequest,
    owner: &ResourceId,
    action: &str,
) -> Result<ArmResponse, ArmError> {
    let docs = state.store.snapshot();
    if is_singleton_config(owner) && action.eq_ignore_ascii_case("list") {
        return singleton_config(state, &docs, owner).map(|doc| ArmResponse::document(200, doc));
    }
    let doc = require_resource(state, &docs, owner)?;
    if owner.is_type(arm_type::SITES) && action.eq_ignore_ascii_case("publishxml") {
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
pub(super) fn complete_document(body: Value, id: &ResourceId, existing: Option<&Value>) -> Value {
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
pub(super) fn stored_id(id: &ResourceId, existing: Option<&Value>) -> ResourceId {
    existing.and_then(document_id).unwrap_or_else(|| canonical_id(id))
}

pub(super) fn canonical_id(id: &ResourceId) -> ResourceId {
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

pub(super) fn json_object_body(request: &ArmRequest) -> Result<Value, ArmError> {
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
        Ok(value @ Value::Object(_)) if json_depth(&value) > MAX_BODY_DEPTH => Err(invalid(format!(
            "the body is nested {} levels deep; at most {MAX_BODY_DEPTH} are accepted",
            json_depth(&value)
        ))),
        Ok(value @ Value::Object(_)) => {
            super::request_shape::check_body_shape(&value)?;
            Ok(value)
        }
        Ok(_) => Err(invalid("the body is not a JSON object".to_string())),
        Err(e) => Err(invalid(e.to_string())),
    }
}
