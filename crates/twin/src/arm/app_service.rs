//! App Service resources the face serves without a stored document of their own: configuration
//! singletons (`sites/{n}/config/{name}`) and `virtualNetworkConnections`.

use super::scope::require_resource;
use super::ArmState;
use crate::store::Documents;
use privlink_engine::provider::ArmError;
use privlink_model::arm_type;
use privlink_model::ResourceId;
use serde_json::{json, Value};

/// App Service configuration singletons: `sites/{n}/config/{appsettings,web,…}`.
pub(super) fn is_singleton_config(id: &ResourceId) -> bool {
    id.is_type(arm_type::SITE_CONFIG) || id.is_type(arm_type::SLOT_CONFIG)
}

/// A configuration singleton exists whenever its site does; unset, it has empty settings
/// (`config/web` starts from the site's `siteConfig`).
pub(super) fn singleton_config(state: &ArmState, docs: &Documents, id: &ResourceId) -> Result<Value, ArmError> {
    let site_id = id.parent().expect("a config singleton has a site");
    let site = require_resource(state, docs, &site_id)?;
    if let Some(doc) = docs.get(id) {
        return Ok(doc.clone());
    }
    let properties = if id.name().eq_ignore_ascii_case("web") {
        site.pointer("/properties/siteConfig").cloned().unwrap_or_else(|| json!({}))
    } else {
        json!({})
    };
    let mut doc = json!({
        "id": site_id.child("config", id.name()).to_string(),
        "name": id.name(),
        "type": id.resource_type(),
        "properties": properties,
    });
    if let Some(location) = site.get("location") {
        doc["location"] = location.clone();
    }
    Ok(doc)
}

/// `GET sites/{n}/virtualNetworkConnections`: a bare array (az-cli.md §4), one entry for the
/// regional VNet integration named by the site's `virtualNetworkSubnetId`.
pub(super) fn site_vnet_connections(site_id: &ResourceId, site: &Value) -> Vec<Value> {
    let Some(subnet) = site.pointer("/properties/virtualNetworkSubnetId").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Ok(subnet_id) = ResourceId::parse(subnet) else {
        return Vec::new();
    };
    vec![json!({
        "id": site_id.child("virtualNetworkConnections", subnet_id.name()).to_string(),
        "name": subnet_id.name(),
        "type": arm_type::SITE_VIRTUAL_NETWORK_CONNECTIONS,
        "location": site.get("location").cloned().unwrap_or(Value::Null),
        "properties": {
            "vnetResourceId": subnet,
            "certThumbprint": null,
            "certBlob": null,
            "routes": null,
            "resyncRequired": false,
            "dnsServers": null,
            "isSwift": true
        }
    })]
}
