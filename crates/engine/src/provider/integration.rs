//! Regional VNet integration of an App Service app through its `networkConfig/virtualNetwork`
//! child, as `az webapp vnet-integration remove` (DELETE) and templates (PUT) use it. The site's
//! own `virtualNetworkSubnetId` is the integration (azure-semantics §3.1): writing the child
//! writes the site, and removing it disconnects the app and its swift connection entries.

use super::{children_of, document_id, str_at, Change, DocumentLookup};
use privlink_model::arm_type;
use privlink_model::ResourceId;
use serde_json::{json, Value};

pub(crate) const NETWORK_CONFIG: &str = arm_type::SITE_NETWORK_CONFIG;
const SWIFT_CONNECTIONS: &str = arm_type::SITE_VIRTUAL_NETWORK_CONNECTIONS;

/// Whether `id` is a site's `networkConfig/virtualNetwork`.
pub(crate) fn is_integration(id: &ResourceId) -> bool {
    id.is_type(NETWORK_CONFIG) && id.name().eq_ignore_ascii_case("virtualNetwork")
}

fn site_of(estate: &dyn DocumentLookup, id: &ResourceId) -> Option<(ResourceId, Value)> {
    let site = id.parent()?;
    Some((site.clone(), estate.document(&site)?.clone()))
}

/// PUT: the site takes the subnet; the child is stored as written.
pub(crate) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Vec<Change> {
    let mut changes = vec![Change::Put(document.clone())];
    if let (Some((_, mut site)), Some(subnet)) = (site_of(estate, id), str_at(document, "/properties/subnetResourceId"))
    {
        site["properties"]["virtualNetworkSubnetId"] = json!(subnet);
        changes.push(Change::Put(site));
    }
    changes
}

/// DELETE: the app leaves the subnet; its swift connection entries go with it.
pub(crate) fn delete(estate: &dyn DocumentLookup, id: &ResourceId) -> Vec<Change> {
    let mut changes = vec![Change::Delete(id.clone())];
    if let Some((site_id, mut site)) = site_of(estate, id) {
        if let Some(props) = site.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert("virtualNetworkSubnetId".into(), Value::Null);
        }
        changes.push(Change::Put(site));
        for connection in children_of(estate, &site_id, SWIFT_CONNECTIONS) {
            if let Some(cid) = document_id(&connection) {
                changes.push(Change::Delete(cid));
            }
        }
    }
    changes
}
