//! Azure SQL's Microsoft Entra administrator and Entra-only authentication (azure-semantics §13.5):
//! `servers/{s}/administrators/ActiveDirectory` and `servers/{s}/azureADOnlyAuthentications/Default`
//! are child resources, and the server's own GET reports both in `properties.administrators`.

use super::{str_at, Change, DocumentLookup};
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Value};

/// Whether the server has Entra-only authentication on: its child, else its `administrators`.
fn ad_only(estate: &dyn DocumentLookup, server: &ResourceId) -> bool {
    let child = server.child("azureADOnlyAuthentications", "Default");
    if let Some(doc) = estate.document(&child) {
        return doc.pointer("/properties/azureADOnlyAuthentication").and_then(Value::as_bool).unwrap_or(false);
    }
    estate
        .document(server)
        .and_then(|s| s.pointer("/properties/administrators/azureADOnlyAuthentication"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The server document with `properties.administrators` replaced by `administrators` (removed
/// when `None`), if the server exists.
fn server_with(estate: &dyn DocumentLookup, server: &ResourceId, administrators: Option<Value>) -> Option<Change> {
    let mut doc = estate.document(server)?.clone();
    let properties = super::properties_mut(&mut doc);
    match administrators {
        Some(value) => properties.insert("administrators".to_string(), value),
        None => properties.remove("administrators"),
    };
    doc["etag"] = super::derived_etag(&doc);
    Some(Change::Put(doc))
}

/// PUT of the Entra administrator: the child as written (with the server's Entra-only state) and
/// the server's `administrators`.
pub(super) fn put_administrator(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Vec<Change> {
    let Some(server) = id.parent() else { return vec![Change::Put(document.clone())] };
    let only = ad_only(estate, &server);
    let mut admin = document.clone();
    let properties = super::properties_mut(&mut admin);
    properties.entry("administratorType").or_insert(json!("ActiveDirectory"));
    properties.insert("azureADOnlyAuthentication".to_string(), json!(only));
    let text = |key: &str| str_at(&admin, &format!("/properties/{key}")).map(str::to_string);
    let mut summary = json!({
        "administratorType": text("administratorType"),
        "login": text("login"),
        "sid": text("sid"),
        "tenantId": text("tenantId"),
        "azureADOnlyAuthentication": only,
    });
    if let Some(principal_type) = text("principalType") {
        summary["principalType"] = json!(principal_type);
    }
    let mut changes = vec![Change::Put(admin)];
    changes.extend(server_with(estate, &server, Some(summary)));
    changes
}

/// DELETE of the Entra administrator: the child and the server's `administrators`.
pub(super) fn delete_administrator(estate: &dyn DocumentLookup, id: &ResourceId) -> Vec<Change> {
    let mut changes = vec![Change::Delete(id.clone())];
    if let Some(server) = id.parent() {
        changes.extend(server_with(estate, &server, None));
    }
    changes
}

/// PUT (or DELETE, which turns it off) of `azureADOnlyAuthentications/Default`: the child, the
/// administrator child's read-only copy and the server's `administrators`.
pub(super) fn put_ad_only(estate: &dyn DocumentLookup, id: &ResourceId, document: Option<&Value>) -> Vec<Change> {
    let enabled = document
        .and_then(|d| d.pointer("/properties/azureADOnlyAuthentication"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut changes = vec![match document {
        Some(doc) => Change::Put(doc.clone()),
        None => Change::Delete(id.clone()),
    }];
    let Some(server) = id.parent() else { return changes };
    let admin_id = server.child("administrators", "ActiveDirectory");
    if let Some(admin) = estate.document(&admin_id) {
        let mut admin = admin.clone();
        super::properties_mut(&mut admin).insert("azureADOnlyAuthentication".to_string(), json!(enabled));
        changes.push(Change::Put(admin));
    }
    let current = estate.document(&server).and_then(|s| s.pointer("/properties/administrators")).cloned();
    if let Some(mut administrators) = current.filter(Value::is_object) {
        administrators["azureADOnlyAuthentication"] = json!(enabled);
        changes.extend(server_with(estate, &server, Some(administrators)));
    }
    changes
}

/// Whether `id` is one of the two Entra children of a SQL server.
pub(super) fn kind(id: &ResourceId) -> Option<SqlEntraChild> {
    if id.is_type(arm_type::SQL_ADMINISTRATORS) {
        Some(SqlEntraChild::Administrator)
    } else if id.is_type(arm_type::SQL_AD_ONLY_AUTHENTICATIONS) {
        Some(SqlEntraChild::AdOnly)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SqlEntraChild {
    Administrator,
    AdOnly,
}
