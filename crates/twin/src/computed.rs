//! Read-only properties that Azure computes, filled in on every write.
//!
//! Clients read them back and break without them: az's `webapp` commands do
//! `app["properties"]["sku"]` (az-cli.md §4), and the private DNS table formatters index
//! `virtualNetworkLinkState` and the zone's record-set and link counters directly. A client's
//! PUT never carries them (they are read-only), so they are recomputed here from the estate.

use crate::store::{document_id, Change, Documents};
use privlink_engine::catalog;
use privlink_model::arm_type;
use privlink_model::ResourceId;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const ZONE_TYPE: &str = arm_type::PRIVATE_DNS_ZONES;
const LINK_TYPE: &str = arm_type::PRIVATE_DNS_ZONE_LINKS;

/// Adds Azure's computed properties to the documents `changes` write, and refreshes the
/// counters of private DNS zones whose children change.
pub fn complete(snapshot: &Documents, mut changes: Vec<Change>) -> Vec<Change> {
    let Ok(after) = snapshot.with_changes(&changes) else {
        // An invalid document is in the set; the store rejects it with the reason.
        return changes;
    };
    let mut zones: BTreeMap<String, ResourceId> = BTreeMap::new();
    for change in &mut changes {
        let id = match change {
            Change::Put(doc) => {
                let Some(id) = document_id(doc) else { continue };
                fill(doc, &id, &after);
                id
            }
            Change::Delete(id) => id.clone(),
        };
        let zone = if id.is_type(ZONE_TYPE) { Some(id) } else { id.parent().filter(|p| p.is_type(ZONE_TYPE)) };
        if let Some(zone) = zone.filter(|z| after.contains(z)) {
            zones.insert(zone.key().to_string(), zone);
        }
    }
    for zone in zones.values() {
        if let Some(mut doc) = after.get(zone).cloned() {
            fill_zone_counters(&mut doc, zone, &after);
            changes.push(Change::Put(doc));
        }
    }
    changes
}

fn fill(doc: &mut Value, id: &ResourceId, after: &Documents) {
    if id.is_type(LINK_TYPE) {
        if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) {
            // Azure reports InProgress briefly, then Completed; the twin links at once.
            properties.insert("virtualNetworkLinkState".into(), json!("Completed"));
        }
    } else if is_record_set(id) {
        let zone = id.parent().map(|z| z.name().to_string()).unwrap_or_default();
        let fqdn = if id.name() == "@" { format!("{zone}.") } else { format!("{}.{zone}.", id.name()) };
        if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) {
            properties.insert("fqdn".into(), json!(fqdn));
            properties.entry("isAutoRegistered").or_insert(json!(false));
            // az's record-set table formatter indexes `metadata` unconditionally.
            properties.entry("metadata").or_insert(json!({}));
        }
    } else if id.is_type(arm_type::SITES) || id.is_type(arm_type::SITE_SLOTS) {
        // A site's sku is its plan's tier.
        let plan_tier = doc
            .pointer("/properties/serverFarmId")
            .and_then(Value::as_str)
            .and_then(|plan| ResourceId::parse(plan).ok())
            .and_then(|plan| after.get(&plan))
            .and_then(|plan| plan.pointer("/sku/tier"))
            .cloned();
        let previous = after.get(id).and_then(|d| d.pointer("/properties/sku")).cloned();
        if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) {
            if let Some(sku) = plan_tier.or_else(|| properties.get("sku").cloned()).or(previous) {
                properties.insert("sku".into(), sku);
            }
        }
    }
}

/// A private DNS record set: a child of a zone other than a virtual network link.
fn is_record_set(id: &ResourceId) -> bool {
    id.parent().is_some_and(|zone| zone.is_type(ZONE_TYPE)) && !id.is_type(LINK_TYPE)
}

fn fill_zone_counters(doc: &mut Value, zone: &ResourceId, after: &Documents) {
    let children: Vec<&Value> = after
        .below(zone)
        .map(|(_, d)| d)
        .filter(|d| document_id(d).and_then(|id| id.parent()).as_ref() == Some(zone))
        .collect();
    let is_link = |d: &&Value| document_id(d).is_some_and(|id| id.is_type(LINK_TYPE));
    let links: Vec<&Value> = children.iter().copied().filter(is_link).collect();
    let record_sets: Vec<&Value> = children.iter().copied().filter(|d| !is_link(d)).collect();
    // Azure creates the zone's SOA record set itself and counts it.
    let has_soa = record_sets.iter().any(|d| document_id(d).is_some_and(|id| id.type_key().ends_with("/soa")));
    let registration_links =
        links.iter().filter(|d| d.pointer("/properties/registrationEnabled") == Some(&Value::Bool(true))).count();
    if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("numberOfRecordSets".into(), json!(record_sets.len() + usize::from(!has_soa)));
        properties.insert("maxNumberOfRecordSets".into(), json!(catalog::MAX_RECORD_SETS_PER_ZONE));
        properties.insert("numberOfVirtualNetworkLinks".into(), json!(links.len()));
        properties.insert("maxNumberOfVirtualNetworkLinks".into(), json!(catalog::MAX_LINKS_PER_ZONE));
        properties.insert("numberOfVirtualNetworkLinksWithRegistration".into(), json!(registration_links));
        properties.insert(
            "maxNumberOfVirtualNetworkLinksWithRegistration".into(),
            json!(catalog::MAX_REGISTRATION_LINKS_PER_ZONE),
        );
    }
}

/// A site's `networkConfig/virtualNetwork` when no document of it is stored: the view of the
/// site's own `virtualNetworkSubnetId` that Azure answers for an integrated app (what
/// `az webapp vnet-integration remove` deletes).
pub fn site_network_config(snapshot: &crate::store::Documents, id: &privlink_model::ResourceId) -> Option<Value> {
    if !(id.is_type(arm_type::SITE_NETWORK_CONFIG) && id.name().eq_ignore_ascii_case("virtualNetwork")) {
        return None;
    }
    let site = snapshot.get(&id.parent()?)?;
    let subnet =
        site.pointer("/properties/virtualNetworkSubnetId").and_then(Value::as_str).filter(|s| !s.is_empty())?;
    Some(serde_json::json!({
        "id": id.as_str(),
        "name": "virtualNetwork",
        "type": arm_type::SITE_NETWORK_CONFIG,
        "properties": {"subnetResourceId": subnet, "swiftSupported": true},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.net";

    #[test]
    fn zone_counters_follow_links_and_record_sets() {
        let link = json!({"id": format!("{ZONE}/virtualNetworkLinks/l"), "properties": {"registrationEnabled": true}});
        let record = json!({"id": format!("{ZONE}/A/www"), "properties": {}});
        let changes = vec![Change::Put(json!({"id": ZONE, "properties": {}})), Change::Put(link), Change::Put(record)];
        let changes = complete(&Documents::default(), changes);
        let after = Documents::default().with_changes(&changes).unwrap();
        let zone = after.get(&ResourceId::parse(ZONE).unwrap()).unwrap();
        assert_eq!(zone["properties"]["numberOfRecordSets"], 2, "A record + the SOA Azure creates");
        assert_eq!(zone["properties"]["numberOfVirtualNetworkLinksWithRegistration"], 1);
        let link = after.get(&ResourceId::parse(&format!("{ZONE}/virtualNetworkLinks/l")).unwrap()).unwrap();
        assert_eq!(link["properties"]["virtualNetworkLinkState"], "Completed");
        let record = after.get(&ResourceId::parse(&format!("{ZONE}/A/www")).unwrap()).unwrap();
        assert_eq!(record["properties"]["fqdn"], "www.z.net.");
    }
}
