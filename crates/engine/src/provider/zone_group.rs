//! Private DNS zone groups: the A records Azure writes for an endpoint (azure-semantics.md §1.6).

use super::{
    array_at, children_of, derived_etag, document_id, id_at, properties_mut, str_at, ArmError, Change, DocumentLookup,
    A_RECORD_SET, PRIVATE_ENDPOINT, ZONE_GROUP,
};
use crate::catalog::{self, Cloud};
use privlink_model::{DnsName, ResourceId};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// TTL of the records a zone group writes: 10 s (§1.6 [OBS], S-TTL).
const ZONE_GROUP_RECORD_TTL: u64 = 10;
/// Zone groups per private endpoint (§1.6).
const ZONE_GROUPS_PER_ENDPOINT: usize = 1;
/// Zones per zone group (§1.6).
const ZONES_PER_GROUP: usize = 5;

pub(super) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<Vec<Change>, ArmError> {
    let endpoint_id = id.parent().filter(|p| p.is_type(PRIVATE_ENDPOINT)).ok_or_else(|| {
        ArmError::bad_request("InvalidResourceReference", format!("{id} is not below a private endpoint."))
    })?;
    let endpoint = estate.document(&endpoint_id).ok_or_else(|| {
        ArmError::bad_request("InvalidResourceReference", format!("Private endpoint {endpoint_id} was not found."))
    })?;
    let others = children_of(estate, &endpoint_id, ZONE_GROUP)
        .into_iter()
        .filter(|g| document_id(g).as_ref() != Some(id))
        .count();
    if others + 1 > ZONE_GROUPS_PER_ENDPOINT {
        return Err(ArmError::bad_request(
            "PrivateEndpointCannotHaveMoreThanOneDnsZoneGroup",
            format!("Private endpoint {endpoint_id} already has a private DNS zone group; only one is allowed."),
        ));
    }
    let configs = array_at(document, "/properties/privateDnsZoneConfigs");
    if configs.len() > ZONES_PER_GROUP {
        return Err(ArmError::bad_request(
            "PrivateDnsZoneGroupCannotHaveMoreThanFiveZones",
            format!("Private DNS zone group {id} has {} zones; at most {ZONES_PER_GROUP} are allowed.", configs.len()),
        ));
    }
    let addresses = endpoint_addresses(estate, endpoint);
    let creator = format!(
        "created by private endpoint {} with resource guid {}",
        endpoint_id.name(),
        str_at(endpoint, "/properties/resourceGuid").unwrap_or_default()
    );

    let mut group = document.clone();
    let mut records: BTreeMap<ResourceId, (String, Vec<String>)> = BTreeMap::new();
    let mut completed_configs = Vec::with_capacity(configs.len());
    for config in configs {
        let zone_id = id_at(config, "/properties/privateDnsZoneId").ok_or_else(|| {
            ArmError::bad_request(
                "InvalidResourceReference",
                format!("A zone config of {id} names no privateDnsZoneId."),
            )
        })?;
        let zone_doc = estate.document(&zone_id).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidResourceReference",
                format!("Private DNS zone {zone_id} referenced by {id} was not found."),
            )
        })?;
        let zone_name = str_at(zone_doc, "/name").unwrap_or(zone_id.name());
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (fqdn, ip) in &addresses {
            if let Some(relative) = record_name(fqdn, zone_name) {
                let ips = names.entry(relative).or_default();
                if !ips.contains(ip) {
                    ips.push(ip.clone());
                }
            }
        }
        let record_sets: Vec<Value> = names
            .iter()
            .map(|(name, ips)| {
                json!({
                    "recordType": "A",
                    "recordSetName": name,
                    "fqdn": format!("{name}.{zone_name}"),
                    "ttl": ZONE_GROUP_RECORD_TTL,
                    "ipAddresses": ips,
                    "provisioningState": "Succeeded"
                })
            })
            .collect();
        for (name, ips) in names {
            records.insert(zone_id.child("A", &name), (format!("{name}.{zone_name}."), ips));
        }
        let config_name = str_at(config, "/name").map(str::to_string).unwrap_or_else(|| zone_name.replace('.', "-"));
        let mut completed = config.clone();
        let fields = completed.as_object_mut().ok_or_else(|| {
            ArmError::bad_request("InvalidRequestFormat", format!("A zone config of {id} is not an object."))
        })?;
        fields.insert("name".into(), json!(config_name));
        fields.insert("id".into(), json!(id.child("privateDnsZoneConfigs", &config_name).as_str()));
        properties_mut(&mut completed).insert("recordSets".into(), Value::Array(record_sets));
        completed_configs.push(completed);
    }
    properties_mut(&mut group).insert("privateDnsZoneConfigs".into(), Value::Array(completed_configs));
    properties_mut(&mut group).entry("provisioningState").or_insert_with(|| json!("Succeeded"));

    let mut changes = vec![Change::Put(group)];
    // Records the group wrote before and no longer writes lose the endpoint's addresses.
    if let Some(previous) = estate.document(id) {
        for (record, ips) in written_records(previous) {
            if !records.contains_key(&record) {
                changes.extend(remove_addresses(estate, &record, &ips));
            }
        }
    }
    for (record_id, (fqdn, ips)) in records {
        let mut record = estate.document(&record_id).cloned().unwrap_or_else(
            || json!({ "id": record_id.as_str(), "name": record_id.name(), "type": A_RECORD_SET, "properties": {} }),
        );
        let props = properties_mut(&mut record);
        props.insert("metadata".into(), json!({ "creator": creator }));
        props.insert("ttl".into(), json!(ZONE_GROUP_RECORD_TTL));
        props.insert("fqdn".into(), json!(fqdn));
        props.insert("isAutoRegistered".into(), json!(false));
        let a_records: Vec<Value> = ips.iter().map(|ip| json!({ "ipv4Address": ip })).collect();
        props.insert("aRecords".into(), Value::Array(a_records));
        let etag = derived_etag(&record);
        record.as_object_mut().expect("records are objects").insert("etag".into(), etag);
        changes.push(Change::Put(record));
    }
    Ok(changes)
}

pub(super) fn delete(estate: &dyn DocumentLookup, id: &ResourceId) -> Result<Vec<Change>, ArmError> {
    let mut changes = estate.document(id).map(|g| removal(estate, g)).unwrap_or_default();
    changes.push(Change::Delete(id.clone()));
    Ok(changes)
}

/// The changes that take a zone group's records out of its zones: the endpoint's addresses leave
/// each record set, and a record set left empty is deleted.
pub(super) fn removal(estate: &dyn DocumentLookup, group: &Value) -> Vec<Change> {
    written_records(group).into_iter().flat_map(|(record, ips)| remove_addresses(estate, &record, &ips)).collect()
}

/// The record sets a zone group document says it wrote, with their addresses.
fn written_records(group: &Value) -> BTreeMap<ResourceId, BTreeSet<String>> {
    let mut out: BTreeMap<ResourceId, BTreeSet<String>> = BTreeMap::new();
    for config in array_at(group, "/properties/privateDnsZoneConfigs") {
        let Some(zone) = id_at(config, "/properties/privateDnsZoneId") else { continue };
        for set in array_at(config, "/properties/recordSets") {
            let Some(name) = str_at(set, "/recordSetName") else { continue };
            let ips = array_at(set, "/ipAddresses").iter().filter_map(Value::as_str).map(str::to_string);
            out.entry(zone.child("A", name)).or_default().extend(ips);
        }
    }
    out
}

fn remove_addresses(estate: &dyn DocumentLookup, record_id: &ResourceId, ips: &BTreeSet<String>) -> Option<Change> {
    let record = estate.document(record_id)?;
    let kept: Vec<Value> = array_at(record, "/properties/aRecords")
        .iter()
        .filter(|r| !str_at(r, "/ipv4Address").is_some_and(|ip| ips.contains(ip)))
        .cloned()
        .collect();
    if kept.is_empty() {
        return Some(Change::Delete(record_id.clone()));
    }
    let mut updated = record.clone();
    properties_mut(&mut updated).insert("aRecords".into(), Value::Array(kept));
    Some(Change::Put(updated))
}

/// (FQDN, address) for every name the endpoint's NICs serve.
fn endpoint_addresses(estate: &dyn DocumentLookup, endpoint: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for nic_ref in array_at(endpoint, "/properties/networkInterfaces") {
        let Some(nic) = id_at(nic_ref, "").and_then(|id| estate.document(&id)) else { continue };
        for config in array_at(nic, "/properties/ipConfigurations") {
            let Some(ip) = str_at(config, "/properties/privateIPAddress") else { continue };
            for fqdn in
                array_at(config, "/properties/privateLinkConnectionProperties/fqdns").iter().filter_map(Value::as_str)
            {
                out.push((fqdn.to_string(), ip.to_string()));
            }
        }
    }
    out
}

/// The record name for `fqdn` in `zone`: its `privatelink` alias (or the name itself) relative to
/// the zone, if it lies below it.
fn record_name(fqdn: &str, zone: &str) -> Option<String> {
    let name = DnsName::parse(fqdn).ok()?;
    let zone = DnsName::parse(zone).ok()?;
    let alias = catalog::privatelink_alias(Cloud::Public, &name).unwrap_or(name);
    let (alias, zone) = (alias.to_string(), zone.to_string());
    alias.strip_suffix(&zone)?.strip_suffix('.').filter(|r| !r.is_empty()).map(str::to_string)
}
