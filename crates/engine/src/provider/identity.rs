//! Managed identities (azure-semantics §6.1): a resource's `identity` block and user-assigned
//! identity resources get the ids Entra ID would give them.
//!
//! Enabling `SystemAssigned` gives the resource `identity.principalId` and `identity.tenantId`;
//! they are kept across later writes and dropped when the identity is removed. Each entry of
//! `identity.userAssignedIdentities` gets the named identity's `{principalId, clientId}`; an id
//! that names no identity is refused. A `Microsoft.ManagedIdentity/userAssignedIdentities` PUT
//! gets `tenantId`, `principalId` and `clientId`.

use super::{derived_guid, str_at, ArmError, DocumentLookup};
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Map, Value};

/// The principal (object) id Entra ID gives the system-assigned identity of `id`, or the
/// user-assigned identity `id` (derived from the lower-cased id; a registered modelling choice).
pub fn principal_id(id: &ResourceId) -> String {
    derived_guid(&["managed-identity-principal", id.as_str()])
}

/// The client (application) id of the identity of `id` (like [`principal_id`]).
pub fn client_id(id: &ResourceId) -> String {
    derived_guid(&["managed-identity-client", id.as_str()])
}

/// Which kinds an `identity.type` names: `SystemAssigned`, `UserAssigned`, both
/// (`"SystemAssigned, UserAssigned"`), or neither (`None`). Compared without regard to case.
fn kinds(identity_type: &str) -> (bool, bool) {
    let parts: Vec<String> = identity_type.split(',').map(|p| p.trim().to_ascii_lowercase()).collect();
    (parts.iter().any(|p| p == "systemassigned"), parts.iter().any(|p| p == "userassigned"))
}

/// `document` with its `identity` block completed, or `None` when it has none to complete. A site
/// PUT without `identity` keeps the identity it had (a registered modelling choice: App Service is taken to treat the absent block as
/// no change).
pub(super) fn complete(
    estate: &dyn DocumentLookup,
    id: &ResourceId,
    document: &Value,
    tenant_id: &str,
) -> Result<Option<Value>, ArmError> {
    let existing = estate.document(id).and_then(|d| d.get("identity")).filter(|i| i.is_object());
    let given = document.get("identity").filter(|i| i.is_object());
    let identity = match (given, existing) {
        (Some(given), _) => given,
        (None, Some(existing)) if id.is_type(arm_type::SITES) || id.is_type(arm_type::SITE_SLOTS) => existing,
        _ => return Ok(None),
    };
    let (system, user) = kinds(str_at(identity, "/type").unwrap_or("None"));
    let mut out = Map::new();
    out.insert("type".to_string(), identity.get("type").cloned().unwrap_or_else(|| json!("None")));
    if system {
        let had = existing.filter(|e| kinds(str_at(e, "/type").unwrap_or_default()).0);
        let kept = |key: &str| had.and_then(|e| str_at(e, &format!("/{key}"))).map(str::to_string);
        out.insert("principalId".to_string(), json!(kept("principalId").unwrap_or_else(|| principal_id(id))));
        out.insert("tenantId".to_string(), json!(kept("tenantId").unwrap_or_else(|| tenant_id.to_string())));
    }
    if user {
        let mut assigned = Map::new();
        let entries = identity.get("userAssignedIdentities").and_then(Value::as_object).cloned().unwrap_or_default();
        for (key, value) in entries {
            if value.is_null() {
                // ARM's way of removing one identity from the map.
                continue;
            }
            assigned.insert(key.clone(), user_assigned_entry(estate, id, &key)?);
        }
        out.insert("userAssignedIdentities".to_string(), Value::Object(assigned));
    }
    let mut completed = document.clone();
    if let Some(fields) = completed.as_object_mut() {
        fields.insert("identity".to_string(), Value::Object(out));
    }
    Ok(Some(completed))
}

/// `{principalId, clientId}` of the user-assigned identity `key` names, or ARM's refusal.
fn user_assigned_entry(estate: &dyn DocumentLookup, owner: &ResourceId, key: &str) -> Result<Value, ArmError> {
    let refuse = || {
        // The code and the message's frame: Azure/azure-cli#31837, Azure/azure-libraries-for-net#690.
        // UNVERIFIED: the inner status and text for an identity that does not exist.
        ArmError::bad_request(
            "FailedIdentityOperation",
            format!(
                "Identity operation for resource '{owner}' failed with error 'Failed to perform resource identity \
                 operation. Status: 'NotFound'. Response: 'The user assigned identity '{key}' was not found.''."
            ),
        )
    };
    let uami = ResourceId::parse(key).map_err(|_| refuse())?;
    if !uami.is_type(arm_type::USER_ASSIGNED_IDENTITIES) {
        return Err(refuse());
    }
    let document = estate.document(&uami).ok_or_else(refuse)?;
    let ids = |key: &str| str_at(document, &format!("/properties/{key}")).map(str::to_string);
    Ok(json!({
        "principalId": ids("principalId").unwrap_or_else(|| principal_id(&uami)),
        "clientId": ids("clientId").unwrap_or_else(|| client_id(&uami)),
    }))
}

/// A user-assigned identity PUT: its `tenantId`, `principalId` and `clientId`, kept once given.
pub(super) fn complete_user_assigned(
    estate: &dyn DocumentLookup,
    id: &ResourceId,
    document: &Value,
    tenant_id: &str,
) -> Value {
    let existing = estate.document(id);
    let kept = |key: &str| existing.and_then(|e| str_at(e, &format!("/properties/{key}"))).map(str::to_string);
    let mut completed = document.clone();
    let properties = super::properties_mut(&mut completed);
    properties.insert("tenantId".to_string(), json!(kept("tenantId").unwrap_or_else(|| tenant_id.to_string())));
    properties.insert("principalId".to_string(), json!(kept("principalId").unwrap_or_else(|| principal_id(id))));
    properties.insert("clientId".to_string(), json!(kept("clientId").unwrap_or_else(|| client_id(id))));
    completed
}
