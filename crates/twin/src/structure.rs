//! Structural consistency of the estate, applied to every transaction before it is committed.
//!
//! Two rules hold for all resource types, whatever the [`Provider`](crate::provider::Provider)
//! decided:
//!
//! * Deleting a resource deletes everything below it (a VNet's subnets, a group's resources).
//! * Some child resources live both inline in their parent and at their own URL: a VNet `GET`
//!   lists its `properties.subnets`, and each subnet is also `.../subnets/{name}`. Azure keeps the
//!   two views identical, and so does the twin: a parent `PUT` replaces its set of inline children
//!   (children it no longer lists are deleted, as Azure does), and a child `PUT` or `DELETE`
//!   updates its parent's array. Parent and inline children share one `etag`, as in Azure.

use crate::store::{document_id, Change, Documents};
use privlink_engine::catalog::{self, InlineChildren};
use privlink_engine::provider::ArmError;
use privlink_model::ResourceId;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// If `id` is an inline child, its parent and its kind.
fn inline_parent(id: &ResourceId) -> Option<(ResourceId, &'static InlineChildren)> {
    let parent = id.parent()?;
    let resource_type = id.resource_type();
    let kind = catalog::inline_children_of(&parent)
        .find(|k| resource_type.eq_ignore_ascii_case(&format!("{}/{}", parent.resource_type(), k.segment)))?;
    Some((parent, kind))
}

/// Whether `id` names a child that Azure also embeds in its parent.
pub fn is_inline_child(id: &ResourceId) -> bool {
    inline_parent(id).is_some()
}

/// Completes `changes` so that committing them leaves the estate structurally consistent.
pub fn complete(snapshot: &Documents, changes: Vec<Change>) -> Result<Vec<Change>, ArmError> {
    let mut view = Overlay { base: snapshot, changed: BTreeMap::new(), unidentified: Vec::new() };
    for change in changes {
        match change {
            Change::Put(doc) => view.put(doc)?,
            Change::Delete(id) => view.delete(&id),
        }
    }
    Ok(view.into_changes())
}

/// The snapshot with this transaction's changes laid over it.
struct Overlay<'a> {
    base: &'a Documents,
    /// Lower-cased id → new document, or `None` when deleted.
    changed: BTreeMap<String, Option<Value>>,
    /// Documents without a valid id; the store rejects them with a message naming the document.
    unidentified: Vec<Value>,
}

impl Overlay<'_> {
    fn get(&self, id: &ResourceId) -> Option<&Value> {
        match self.changed.get(id.key()) {
            Some(state) => state.as_ref(),
            None => self.base.get(id),
        }
    }

    /// Ids of the documents strictly below `ancestor` in this view.
    fn ids_below(&self, ancestor: &ResourceId) -> Vec<ResourceId> {
        let prefix = format!("{}/", ancestor.key());
        let mut ids: BTreeMap<String, ResourceId> = BTreeMap::new();
        for (key, doc) in self.base.below(ancestor) {
            if let Some(id) = document_id(doc) {
                ids.insert(key.to_string(), id);
            }
        }
        for (key, state) in self.changed.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)) {
            match state.as_ref().and_then(document_id) {
                Some(id) => {
                    ids.insert(key.clone(), id);
                }
                None => {
                    ids.remove(key);
                }
            }
        }
        ids.into_values().collect()
    }

    fn delete(&mut self, id: &ResourceId) {
        for below in self.ids_below(id) {
            self.changed.insert(below.key().to_string(), None);
        }
        self.changed.insert(id.key().to_string(), None);
        if let Some((parent, kind)) = inline_parent(id) {
            if let Some(mut parent_doc) = self.get(&parent).cloned() {
                if let Some(entries) = parent_doc.pointer_mut(&format!("/properties/{}", kind.property)) {
                    if let Some(entries) = entries.as_array_mut() {
                        entries.retain(|e| !same_name(e, id.name()));
                    }
                }
                self.changed.insert(parent.key().to_string(), Some(parent_doc));
            }
        }
    }

    fn put(&mut self, mut doc: Value) -> Result<(), ArmError> {
        let Some(id) = document_id(&doc) else {
            self.unidentified.push(doc);
            return Ok(());
        };
        let etag = doc.get("etag").cloned();
        for kind in catalog::inline_children_of(&id) {
            let child_type = format!("{}/{}", id.resource_type(), kind.segment);
            let entries = match doc.pointer(&format!("/properties/{}", kind.property)) {
                Some(Value::Array(entries)) => entries.clone(),
                _ => Vec::new(),
            };
            let mut kept: Vec<String> = Vec::new();
            let mut completed_entries = Vec::with_capacity(entries.len());
            for entry in entries {
                let child = complete_child(entry, &id, kind, &child_type, etag.as_ref())?;
                let child_id = document_id(&child).expect("complete_child sets a valid id");
                kept.push(child_id.key().to_string());
                self.changed.insert(child_id.key().to_string(), Some(child.clone()));
                completed_entries.push(child);
            }
            for existing in self.ids_below(&id) {
                let is_this_kind = existing.parent().as_ref() == Some(&id) && existing.is_type(&child_type);
                if is_this_kind && !kept.iter().any(|k| k == existing.key()) {
                    // Deleting through `delete` would rewrite the parent we are about to store.
                    for below in self.ids_below(&existing) {
                        self.changed.insert(below.key().to_string(), None);
                    }
                    self.changed.insert(existing.key().to_string(), None);
                }
            }
            properties_of(&mut doc).insert(kind.property.to_string(), Value::Array(completed_entries));
        }
        if let Some((parent, kind)) = inline_parent(&id) {
            if let Some(mut parent_doc) = self.get(&parent).cloned() {
                let entries = properties_of(&mut parent_doc)
                    .entry(kind.property.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !entries.is_array() {
                    *entries = Value::Array(Vec::new());
                }
                let entries = entries.as_array_mut().expect("made an array above");
                match entries.iter_mut().find(|e| same_name(e, id.name())) {
                    Some(entry) => *entry = doc.clone(),
                    None => entries.push(doc.clone()),
                }
                if let (Some(etag), Some(parent_fields)) = (&etag, parent_doc.as_object_mut()) {
                    parent_fields.insert("etag".to_string(), etag.clone());
                }
                self.changed.insert(parent.key().to_string(), Some(parent_doc));
            }
        }
        self.changed.insert(id.key().to_string(), Some(doc));
        Ok(())
    }

    fn into_changes(self) -> Vec<Change> {
        let mut changes = Vec::with_capacity(self.changed.len() + self.unidentified.len());
        for (key, state) in self.changed {
            match state {
                Some(doc) => changes.push(Change::Put(doc)),
                None => {
                    if let Some(id) = ResourceId::parse(&key).ok().filter(|id| self.base.contains(id)) {
                        changes.push(Change::Delete(id));
                    }
                }
            }
        }
        changes.extend(self.unidentified.into_iter().map(Change::Put));
        changes
    }
}

/// Turns an inline entry into the child's full document.
fn complete_child(
    entry: Value,
    parent: &ResourceId,
    kind: &InlineChildren,
    child_type: &str,
    etag: Option<&Value>,
) -> Result<Value, ArmError> {
    let Value::Object(mut fields) = entry else {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            format!("Each entry of properties.{} must be a JSON object.", kind.property),
        ));
    };
    let name = match fields.get("name").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => match fields.get("id").and_then(Value::as_str).and_then(|id| ResourceId::parse(id).ok()) {
            Some(id) => id.name().to_string(),
            None => {
                return Err(ArmError::bad_request(
                    "InvalidRequestFormat",
                    format!("An entry of properties.{} has neither a name nor an id.", kind.property),
                ))
            }
        },
    };
    let id = parent.child(kind.segment, &name);
    fields.insert("id".to_string(), Value::String(id.to_string()));
    fields.insert("name".to_string(), Value::String(name));
    fields.insert("type".to_string(), Value::String(child_type.to_string()));
    if let Some(etag) = etag {
        fields.insert("etag".to_string(), etag.clone());
    }
    let mut child = Value::Object(fields);
    properties_of(&mut child).insert("provisioningState".to_string(), Value::String("Succeeded".to_string()));
    Ok(child)
}

fn same_name(entry: &Value, name: &str) -> bool {
    entry.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// `doc.properties` as a mutable map, created (or replaced, if it was not an object) as needed.
pub fn properties_of(doc: &mut Value) -> &mut Map<String, Value> {
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let fields = doc.as_object_mut().expect("made an object above");
    let properties = fields.entry("properties".to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !properties.is_object() {
        *properties = Value::Object(Map::new());
    }
    properties.as_object_mut().expect("made an object above")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use serde_json::json;

    const VNET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

    fn commit(store: &Store, changes: Vec<Change>) {
        let snapshot = store.snapshot();
        store.commit(complete(&snapshot, changes).unwrap()).unwrap();
    }

    fn id(text: &str) -> ResourceId {
        ResourceId::parse(text).unwrap()
    }

    #[test]
    fn inline_children_are_mirrored_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let vnet = json!({"id": VNET, "etag": "1", "properties": {"subnets": [{"name": "a", "properties": {}}]}});
        commit(&store, vec![Change::Put(vnet)]);
        let docs = store.snapshot();
        let a = docs.get(&id(&format!("{VNET}/subnets/a"))).expect("inline subnet is its own document");
        assert_eq!(a["type"], "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(a["etag"], "1");

        commit(&store, vec![Change::Put(json!({"id": format!("{VNET}/subnets/b"), "etag": "2", "name": "b"}))]);
        let docs = store.snapshot();
        let vnet = docs.get(&id(VNET)).unwrap();
        let names: Vec<_> = vnet["properties"]["subnets"].as_array().unwrap().iter().map(|s| &s["name"]).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(vnet["etag"], "2");

        commit(&store, vec![Change::Delete(id(&format!("{VNET}/subnets/A")))]);
        let docs = store.snapshot();
        assert_eq!(docs.get(&id(VNET)).unwrap()["properties"]["subnets"].as_array().unwrap().len(), 1);

        // A parent PUT that no longer lists a child deletes it, as Azure does.
        commit(&store, vec![Change::Put(json!({"id": VNET, "properties": {"subnets": []}}))]);
        assert!(store.snapshot().below(&id(VNET)).next().is_none());
    }

    /// An NSG's `defaultSecurityRules` are inline children like its `securityRules`: each is also a
    /// document at `.../defaultSecurityRules/{name}`, which is what Azure serves there.
    #[test]
    fn default_security_rules_are_mirrored_like_security_rules() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let nsg = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n";
        let rule = json!({"name": "DenyAllInBound", "properties": {"access": "Deny", "priority": 65500}});
        commit(&store, vec![Change::Put(json!({"id": nsg, "properties": {"defaultSecurityRules": [rule]}}))]);
        let docs = store.snapshot();
        let child = docs.get(&id(&format!("{nsg}/defaultSecurityRules/DenyAllInBound"))).expect("its own document");
        assert_eq!(child["type"], "Microsoft.Network/networkSecurityGroups/defaultSecurityRules");
        assert_eq!(child["properties"]["access"], "Deny");

        commit(&store, vec![Change::Delete(id(&format!("{nsg}/defaultSecurityRules/DenyAllInBound")))]);
        let docs = store.snapshot();
        assert_eq!(docs.get(&id(nsg)).unwrap()["properties"]["defaultSecurityRules"], json!([]));
    }

    #[test]
    fn deleting_a_resource_deletes_what_lies_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let zone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.net";
        commit(&store, vec![Change::Put(json!({"id": zone})), Change::Put(json!({"id": format!("{zone}/A/www")}))]);
        commit(&store, vec![Change::Delete(id("/subscriptions/s/resourceGroups/RG"))]);
        assert!(store.snapshot().is_empty());
    }
}
