//! The target side of a private endpoint: `{target}/privateEndpointConnections/{name}`.
//!
//! Azure shows a target's connections inline in its GET (`properties.privateEndpointConnections`)
//! and each at its own URL, where the owner approves or rejects it (azure-semantics.md §2.2). Both
//! forms are written, always together; the endpoint's own connection mirrors the state.

use super::endpoint::{connections_of, ConnectionKind};
use super::{array_at, children_of, derived_etag, derived_guid, document_id, id_at, properties_mut, str_at};
use super::{ArmError, Change, DocumentLookup, PRIVATE_ENDPOINT};
use privlink_model::ResourceId;
use serde_json::{json, Value};

const SEGMENT: &str = "privateEndpointConnections";

/// The state of a manual connection nobody has acted on.
pub(super) fn pending_state(connection: &Value) -> Value {
    json!({
        "status": "Pending",
        "description": str_at(connection, "/properties/requestMessage").unwrap_or(""),
        "actionsRequired": "None"
    })
}

fn approved_state() -> Value {
    json!({ "status": "Approved", "description": "Auto-Approved", "actionsRequired": "None" })
}

/// Every connection of a target: the inline entries, overridden by standalone documents of the same name.
fn entries(estate: &dyn DocumentLookup, target_doc: &Value, target: &ResourceId) -> Vec<Value> {
    let mut all: Vec<Value> = array_at(target_doc, &format!("/properties/{SEGMENT}")).to_vec();
    for child in children_of(estate, target, &format!("{}/{SEGMENT}", target.resource_type())) {
        let name = entry_name(&child, target);
        match all.iter_mut().find(|e| entry_name(e, target).eq_ignore_ascii_case(&name)) {
            Some(slot) => *slot = child,
            None => all.push(child),
        }
    }
    all
}

/// An entry's name: `name`, else the last segment of its `id`.
/// An entry's name: its `name`, the last segment of its `id`, or, for an entry written without
/// either (a PUT body can carry one), the name Azure gives a new connection of its endpoint.
fn entry_name(entry: &Value, target: &ResourceId) -> String {
    str_at(entry, "/name")
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| document_id(entry).map(|id| id.name().to_string()))
        .or_else(|| endpoint_of(entry).map(|pe| new_entry_name(&pe, target)))
        .unwrap_or_else(|| format!("connection.{}", derived_guid(&[target.key(), &entry.to_string()])))
}

fn new_entry_name(endpoint: &ResourceId, target: &ResourceId) -> String {
    format!("{}.{}", endpoint.name(), derived_guid(&[endpoint.key(), target.key(), "connection"]))
}

fn endpoint_of(entry: &Value) -> Option<ResourceId> {
    id_at(entry, "/properties/privateEndpoint")
}

/// Records the endpoint's connection on the target (new entries are Approved for automatic
/// connections, Pending for manual ones; an existing entry keeps the state the owner gave it) and
/// returns the state and the target's changes.
pub(super) fn connect(
    estate: &dyn DocumentLookup,
    target_doc: &Value,
    target: &ResourceId,
    endpoint: &ResourceId,
    kind: ConnectionKind,
    connection: &Value,
    previous_state: Option<&Value>,
) -> (Value, Vec<Change>) {
    let existing = entries(estate, target_doc, target).into_iter().find(|e| endpoint_of(e).as_ref() == Some(endpoint));
    let state = match (&existing, previous_state) {
        (Some(entry), Some(_)) => {
            entry.pointer("/properties/privateLinkServiceConnectionState").cloned().unwrap_or_else(approved_state)
        }
        _ if kind == ConnectionKind::Manual => pending_state(connection),
        _ => approved_state(),
    };
    let name = existing.as_ref().map_or_else(|| new_entry_name(endpoint, target), |e| entry_name(e, target));
    let entry = json!({
        "id": target.child(SEGMENT, &name).as_str(),
        "name": name,
        "type": format!("{}/{SEGMENT}", target.resource_type()),
        "properties": {
            "provisioningState": "Succeeded",
            "privateEndpoint": { "id": endpoint.as_str() },
            "groupIds": connection.pointer("/properties/groupIds").cloned().unwrap_or_else(|| json!([])),
            "privateLinkServiceConnectionState": state.clone(),
        }
    });
    (state, write_entry(estate, target_doc, target, entry))
}

/// The target with `entry` in its inline array (replacing one of the same name), and the entry's own document.
fn write_entry(estate: &dyn DocumentLookup, target_doc: &Value, target: &ResourceId, mut entry: Value) -> Vec<Change> {
    let name = entry_name(&entry, target);
    let mut inline = entries(estate, target_doc, target);
    match inline.iter_mut().find(|e| entry_name(e, target).eq_ignore_ascii_case(&name)) {
        Some(slot) => *slot = entry.clone(),
        None => inline.push(entry.clone()),
    }
    let etag = derived_etag(&entry);
    entry.as_object_mut().expect("entries are objects").insert("etag".into(), etag);
    let mut updated = target_doc.clone();
    properties_mut(&mut updated).insert(SEGMENT.into(), Value::Array(inline));
    vec![Change::Put(updated), Change::Put(entry)]
}

/// Removes the endpoint's connections from the target (the endpoint is being deleted).
pub(super) fn disconnect(estate: &dyn DocumentLookup, target: &ResourceId, endpoint: &ResourceId) -> Vec<Change> {
    let Some(target_doc) = estate.document(target) else { return Vec::new() };
    let all = entries(estate, target_doc, target);
    let (gone, kept): (Vec<Value>, Vec<Value>) =
        all.into_iter().partition(|e| endpoint_of(e).as_ref() == Some(endpoint));
    if gone.is_empty() {
        return Vec::new();
    }
    let mut updated = target_doc.clone();
    properties_mut(&mut updated).insert(SEGMENT.into(), Value::Array(kept));
    let mut changes = vec![Change::Put(updated)];
    changes.extend(gone.iter().map(|e| Change::Delete(target.child(SEGMENT, &entry_name(e, target)))));
    changes
}

/// The owner approves or rejects: `PUT {target}/privateEndpointConnections/{name}` with a new
/// `privateLinkServiceConnectionState`.
pub(super) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<Vec<Change>, ArmError> {
    let (target, target_doc, existing) = find(estate, id)?;
    let mut state = existing
        .pointer("/properties/privateLinkServiceConnectionState")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(asked)) = document.pointer("/properties/privateLinkServiceConnectionState") {
        for (k, v) in asked {
            state.insert(k.clone(), v.clone());
        }
    }
    state.entry("actionsRequired").or_insert_with(|| json!("None"));
    let state = Value::Object(state);
    let mut entry = existing.clone();
    let fields = entry.as_object_mut().expect("entries are objects");
    fields.insert("id".into(), json!(target.child(SEGMENT, &entry_name(&existing, &target)).as_str()));
    fields.insert("name".into(), json!(entry_name(&existing, &target)));
    fields.insert("type".into(), json!(format!("{}/{SEGMENT}", target.resource_type())));
    properties_mut(&mut entry).insert("privateLinkServiceConnectionState".into(), state.clone());
    properties_mut(&mut entry).insert("provisioningState".into(), json!("Succeeded"));
    let mut changes = write_entry(estate, &target_doc, &target, entry);
    changes.extend(mirror_on_endpoint(estate, &existing, &target, state));
    Ok(changes)
}

/// The owner removes the connection: the endpoint's side becomes `Disconnected` (§2.2).
pub(super) fn delete(estate: &dyn DocumentLookup, id: &ResourceId) -> Result<Vec<Change>, ArmError> {
    let Ok((target, target_doc, existing)) = find(estate, id) else {
        return Ok(vec![Change::Delete(id.clone())]);
    };
    let name = entry_name(&existing, &target);
    let kept: Vec<Value> = entries(estate, &target_doc, &target)
        .into_iter()
        .filter(|e| !entry_name(e, &target).eq_ignore_ascii_case(&name))
        .collect();
    let mut updated = target_doc.clone();
    properties_mut(&mut updated).insert(SEGMENT.into(), Value::Array(kept));
    let mut changes = vec![Change::Put(updated), Change::Delete(id.clone())];
    let disconnected = json!({
        "status": "Disconnected",
        "description": "Connection removed by the resource owner.",
        "actionsRequired": "None"
    });
    changes.extend(mirror_on_endpoint(estate, &existing, &target, disconnected));
    Ok(changes)
}

/// The target, its document and the entry `id` names.
fn find(estate: &dyn DocumentLookup, id: &ResourceId) -> Result<(ResourceId, Value, Value), ArmError> {
    let not_found = || {
        ArmError::new(
            404,
            "PrivateEndpointConnectionNotFound",
            format!("Private endpoint connection {} was not found.", id.as_str()),
        )
    };
    let target = id.parent().ok_or_else(not_found)?;
    let target_doc = estate.document(&target).ok_or_else(not_found)?.clone();
    let existing = entries(estate, &target_doc, &target)
        .into_iter()
        .find(|e| entry_name(e, &target).eq_ignore_ascii_case(id.name()))
        .ok_or_else(not_found)?;
    Ok((target, target_doc, existing))
}

/// The endpoint's connection to `target` takes `state`.
fn mirror_on_endpoint(estate: &dyn DocumentLookup, entry: &Value, target: &ResourceId, state: Value) -> Vec<Change> {
    let Some(endpoint_id) = endpoint_of(entry).filter(|e| e.is_type(PRIVATE_ENDPOINT)) else { return Vec::new() };
    let Some(endpoint) = estate.document(&endpoint_id) else { return Vec::new() };
    let positions: Vec<(ConnectionKind, usize)> = connections_of(endpoint)
        .into_iter()
        .filter(|(_, _, c)| id_at(c, "/properties/privateLinkServiceId").as_ref() == Some(target))
        .map(|(kind, i, _)| (kind, i))
        .collect();
    if positions.is_empty() {
        return Vec::new();
    }
    let mut updated = endpoint.clone();
    for (kind, i) in positions {
        if let Some(connection) = updated.pointer_mut(&format!("/properties/{}/{i}", kind.property())) {
            properties_mut(connection).insert("privateLinkServiceConnectionState".into(), state.clone());
        }
    }
    vec![Change::Put(updated)]
}
