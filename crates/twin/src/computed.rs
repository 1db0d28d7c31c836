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
///
/// Reads the estate as `changes` would leave it through an [`After`] overlay rather than a copy:
/// copying every document per write, and parsing the id of every record set of a zone to count
/// them, made record-set writes slow down as the zone grew (issue 17, item 7).
pub fn complete(snapshot: &Documents, mut changes: Vec<Change>) -> Vec<Change> {
    let Some(after) = After::new(snapshot, &changes) else {
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
        if let Some(zone) = zone.filter(|z| after.get(z).is_some()) {
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

/// The estate as a list of changes would leave it: the snapshot with the changed documents laid
/// over it, by lower-cased id.
struct After<'a> {
    snapshot: &'a Documents,
    /// Lower-cased id → the document written, or `None` when deleted. Later changes win.
    changed: BTreeMap<String, Option<Value>>,
}

impl<'a> After<'a> {
    /// `None` when a document to write has no valid id.
    fn new(snapshot: &'a Documents, changes: &[Change]) -> Option<After<'a>> {
        let mut changed = BTreeMap::new();
        for change in changes {
            match change {
                Change::Put(doc) => changed.insert(document_id(doc)?.key().to_string(), Some(doc.clone())),
                Change::Delete(id) => changed.insert(id.key().to_string(), None),
            };
        }
        Some(After { snapshot, changed })
    }

    fn get(&self, id: &ResourceId) -> Option<&Value> {
        match self.changed.get(id.key()) {
            Some(state) => state.as_ref(),
            None => self.snapshot.get(id),
        }
    }

    /// The direct children of `parent` as (lower-cased `type/name` below the parent, document),
    /// read from the ids' text alone: ids order by it, so this is one range of the snapshot and
    /// no id is parsed.
    fn children(&self, parent: &ResourceId) -> impl Iterator<Item = (&str, &Value)> {
        let prefix = format!("{}/", parent.key());
        let written: Vec<(&str, &Value)> = self
            .changed
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(key, state)| Some((direct_child(key, &prefix)?, state.as_ref()?)))
            .collect();
        let kept = self
            .snapshot
            .below(parent)
            .filter(|(key, _)| !self.changed.contains_key(*key))
            .filter_map(move |(key, doc)| Some((direct_child(key, &prefix)?, doc)));
        kept.chain(written)
    }
}

/// `type/name` when `key` names a direct child of the resource whose key is `prefix` less its `/`.
fn direct_child<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    key.strip_prefix(prefix).filter(|rest| rest.bytes().filter(|b| *b == b'/').count() == 1)
}

fn fill(doc: &mut Value, id: &ResourceId, after: &After<'_>) {
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

/// A zone's counters: record sets (with the SOA Azure creates), links, links with registration.
#[derive(Debug, PartialEq, Eq)]
struct ZoneCounters {
    record_sets: i64,
    links: i64,
    registration_links: i64,
}

fn link_prefix() -> String {
    format!("{}/", LINK_TYPE.rsplit('/').next().unwrap_or_default().to_ascii_lowercase())
}

fn registers(document: Option<&Value>) -> bool {
    document.and_then(|d| d.pointer("/properties/registrationEnabled")) == Some(&Value::Bool(true))
}

impl After<'_> {
    /// The zone's counters counted from its children (one scan of the zone's keys).
    fn count(&self, zone: &ResourceId) -> ZoneCounters {
        let link_prefix = link_prefix();
        let (mut counters, mut has_soa) = (ZoneCounters { record_sets: 0, links: 0, registration_links: 0 }, false);
        for (child, document) in self.children(zone) {
            if child.starts_with(&link_prefix) {
                counters.links += 1;
                counters.registration_links += i64::from(registers(Some(document)));
            } else {
                counters.record_sets += 1;
                has_soa |= child.starts_with("soa/");
            }
        }
        // Azure creates the zone's SOA record set itself and counts it.
        counters.record_sets += i64::from(!has_soa);
        counters
    }

    /// The stored zone's counters moved by what this write adds and removes below it: O(changes),
    /// not O(record sets). `None` when they must be counted: the zone itself is written (its
    /// document comes from the client), it carries no counters, or the SOA record set changes.
    fn updated(&self, zone: &ResourceId) -> Option<ZoneCounters> {
        if self.changed.contains_key(zone.key()) {
            return None;
        }
        let stored = self.snapshot.get(zone)?.get("properties")?;
        let stored_counter = |name: &str| stored.get(name).and_then(Value::as_i64);
        let mut counters = ZoneCounters {
            record_sets: stored_counter("numberOfRecordSets")?,
            links: stored_counter("numberOfVirtualNetworkLinks")?,
            registration_links: stored_counter("numberOfVirtualNetworkLinksWithRegistration")?,
        };
        let (prefix, link_prefix) = (format!("{}/", zone.key()), link_prefix());
        for (key, written) in self.changed.range(prefix.clone()..).take_while(|(key, _)| key.starts_with(&prefix)) {
            let Some(child) = direct_child(key, &prefix) else { continue };
            if child.starts_with("soa/") {
                return None;
            }
            let before = ResourceId::parse(key).ok().and_then(|id| self.snapshot.get(&id));
            let (was, is) = (i64::from(before.is_some()), i64::from(written.is_some()));
            if child.starts_with(&link_prefix) {
                counters.links += is - was;
                counters.registration_links += i64::from(registers(written.as_ref())) - i64::from(registers(before));
            } else {
                counters.record_sets += is - was;
            }
        }
        let consistent = counters.record_sets >= 1 && counters.links >= 0 && counters.registration_links >= 0;
        consistent.then_some(counters)
    }
}

fn fill_zone_counters(doc: &mut Value, zone: &ResourceId, after: &After<'_>) {
    let counters = after.updated(zone).unwrap_or_else(|| after.count(zone));
    if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("numberOfRecordSets".into(), json!(counters.record_sets));
        properties.insert("maxNumberOfRecordSets".into(), json!(catalog::MAX_RECORD_SETS_PER_ZONE));
        properties.insert("numberOfVirtualNetworkLinks".into(), json!(counters.links));
        properties.insert("maxNumberOfVirtualNetworkLinks".into(), json!(catalog::MAX_LINKS_PER_ZONE));
        properties.insert("numberOfVirtualNetworkLinksWithRegistration".into(), json!(counters.registration_links));
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

    /// The counters a write moves (no scan of the zone) equal the counters counted afresh.
    #[test]
    fn updated_counters_equal_counted_ones() {
        let zone_id = ResourceId::parse(ZONE).unwrap();
        let put = |doc: Value, snapshot: &Documents| {
            let changes = complete(snapshot, vec![Change::Put(doc)]);
            snapshot.with_changes(&changes).unwrap()
        };
        let mut docs = put(json!({"id": ZONE, "properties": {}}), &Documents::default());
        for i in 0..5 {
            docs = put(json!({"id": format!("{ZONE}/A/r{i}"), "properties": {}}), &docs);
        }
        for (name, registration) in [("l1", true), ("l2", false)] {
            let link = json!({"id": format!("{ZONE}/virtualNetworkLinks/{name}"),
                              "properties": {"registrationEnabled": registration}});
            docs = put(link, &docs);
        }
        // Registration turned off on l1, one record deleted, one replaced.
        docs = put(
            json!({"id": format!("{ZONE}/virtualNetworkLinks/l1"), "properties": {"registrationEnabled": false}}),
            &docs,
        );
        let changes = complete(&docs, vec![Change::Delete(ResourceId::parse(&format!("{ZONE}/A/r0")).unwrap())]);
        docs = docs.with_changes(&changes).unwrap();
        docs = put(json!({"id": format!("{ZONE}/A/r1"), "properties": {"ttl": 5}}), &docs);
        let zone = &docs.get(&zone_id).unwrap()["properties"];
        assert_eq!(
            (zone["numberOfRecordSets"].as_i64(), zone["numberOfVirtualNetworkLinks"].as_i64()),
            (Some(5), Some(2))
        );
        assert_eq!(zone["numberOfVirtualNetworkLinksWithRegistration"], 0);
        let fresh = After::new(&docs, &[]).unwrap().count(&zone_id);
        assert_eq!(fresh, ZoneCounters { record_sets: 5, links: 2, registration_links: 0 }, "4 A records + the SOA");
    }
}
