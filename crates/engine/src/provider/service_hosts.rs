//! The host names a service's resource reports once it exists: SQL's `fullyQualifiedDomainName`,
//! Key Vault's `vaultUri`, Redis's `hostName`, a storage account's `primaryEndpoints`. Azure
//! derives them from the name and the cloud's suffixes (the catalog's table); templates read them
//! back with `reference()` to build app settings and connection strings.
//!
//! Only what the document does not already hold is filled in.

use crate::catalog::{customer_fqdns, Cloud, NameHints};
use privlink_model::{arm_type, ResourceId};
use serde_json::{Map, Value};

/// `document` with the host names Azure reports for it.
pub(super) fn complete(id: &ResourceId, document: &Value) -> Value {
    let mut document = document.clone();
    let host = |group: &str| {
        customer_fqdns(Cloud::Public, id.resource_type().as_ref(), id.name(), group, &NameHints::default())
            .into_iter()
            .next()
            .map(|name| name.to_string())
    };
    let Some(properties) = document.get_mut("properties").and_then(Value::as_object_mut) else { return document };
    let mut fill = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            properties.entry(key).or_insert(Value::String(value));
        }
    };
    if id.is_type(arm_type::SQL_SERVERS) {
        fill("fullyQualifiedDomainName", host("sqlServer"));
    } else if id.is_type(arm_type::KEY_VAULTS) {
        fill("vaultUri", host("vault").map(|h| format!("https://{h}/")));
    } else if id.is_type(arm_type::REDIS) {
        fill("hostName", host("redisCache"));
    } else if id.is_type(arm_type::STORAGE_ACCOUNTS) {
        let mut endpoints = Map::new();
        for group in ["blob", "queue", "table", "file", "web", "dfs"] {
            if let Some(h) = host(group) {
                endpoints.insert(group.to_string(), Value::String(format!("https://{h}/")));
            }
        }
        if !endpoints.is_empty() {
            properties.entry("primaryEndpoints").or_insert(Value::Object(endpoints));
        }
    }
    document
}
