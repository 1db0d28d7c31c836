//! The provider against Azure's documented control-plane behaviour: one test per write and its effects.

use super::*;
use serde_json::json;

pub(super) const RG: &str = "/subscriptions/s/resourceGroups/rg";

fn id(text: &str) -> ResourceId {
    ResourceId::parse(text).unwrap()
}

pub(super) fn rid(path: &str) -> ResourceId {
    id(&format!("{RG}/providers/{path}"))
}

fn subnet_doc(name: &str, prefix: &str, delegation: Option<&str>) -> Value {
    let delegations: Vec<Value> =
        delegation.map(|s| json!({ "name": "d", "properties": { "serviceName": s } })).into_iter().collect();
    json!({
        "id": rid(&format!("Microsoft.Network/virtualNetworks/vnet/subnets/{name}")).as_str(),
        "name": name,
        "type": SUBNET,
        "properties": { "addressPrefix": prefix, "delegations": delegations }
    })
}

/// A VNet with a PE subnet (10.0.1.0/24), a delegated integration subnet (10.0.2.0/24) and a plain
/// one (10.0.3.0/24); a Key Vault, an app on an S1 plan and one on an F1 plan, the vault's zone linked.
pub(super) fn estate() -> BTreeMap<ResourceId, Value> {
    let subnets = [
        subnet_doc("pe", "10.0.1.0/24", None),
        subnet_doc("app", "10.0.2.0/24", Some("Microsoft.Web/serverFarms")),
        subnet_doc("plain", "10.0.3.0/24", None),
    ];
    let mut docs = vec![
        json!({ "id": rid("Microsoft.Network/virtualNetworks/vnet").as_str(), "name": "vnet", "type": VIRTUAL_NETWORK,
                "location": "westeurope",
                "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": subnets.to_vec() } }),
        json!({ "id": rid("Microsoft.KeyVault/vaults/kv1").as_str(), "name": "kv1", "type": "Microsoft.KeyVault/vaults",
                "location": "westeurope", "properties": { "publicNetworkAccess": "Disabled" } }),
        json!({ "id": rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net").as_str(),
                "name": "privatelink.vaultcore.azure.net", "type": "Microsoft.Network/privateDnsZones", "location": "global" }),
        json!({ "id": rid("Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net").as_str(),
                "name": "privatelink.azurewebsites.net", "type": "Microsoft.Network/privateDnsZones", "location": "global" }),
        json!({ "id": rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/virtualNetworkLinks/l1").as_str(),
                "name": "l1", "type": ZONE_LINK,
                "properties": { "virtualNetwork": { "id": rid("Microsoft.Network/virtualNetworks/vnet").as_str() } } }),
        json!({ "id": rid("Microsoft.Web/serverfarms/plan-s1").as_str(), "name": "plan-s1", "type": PLAN,
                "location": "westeurope", "sku": { "name": "S1", "tier": "Standard" } }),
        json!({ "id": rid("Microsoft.Web/serverfarms/plan-f1").as_str(), "name": "plan-f1", "type": PLAN,
                "location": "westeurope", "sku": { "name": "F1", "tier": "Free" } }),
        json!({ "id": rid("Microsoft.Web/sites/app1").as_str(), "name": "app1", "type": SITE, "location": "westeurope",
                "properties": { "serverFarmId": rid("Microsoft.Web/serverfarms/plan-s1").as_str() } }),
    ];
    docs.extend(subnets);
    docs.into_iter().map(|d| (document_id(&d).unwrap(), d)).collect()
}

fn commit(estate: &mut BTreeMap<ResourceId, Value>, changes: &[Change]) {
    for change in changes {
        match change {
            Change::Put(doc) => {
                estate.insert(document_id(doc).unwrap(), doc.clone());
            }
            Change::Delete(id) => {
                estate.remove(id);
            }
        }
    }
}

pub(super) fn put(
    estate: &mut BTreeMap<ResourceId, Value>,
    target: &ResourceId,
    doc: Value,
) -> Result<Vec<Change>, ArmError> {
    let mut doc = doc;
    let fields = doc.as_object_mut().unwrap();
    fields.insert("id".into(), json!(target.as_str()));
    fields.insert("name".into(), json!(target.name()));
    fields.insert("type".into(), json!(target.resource_type()));
    let changes = apply(estate, &Write { method: WriteMethod::Put, id: target, document: Some(&doc) })?;
    commit(estate, &changes);
    Ok(changes)
}

pub(super) fn delete(estate: &mut BTreeMap<ResourceId, Value>, target: &ResourceId) -> Result<Vec<Change>, ArmError> {
    let changes = apply(estate, &Write { method: WriteMethod::Delete, id: target, document: None })?;
    commit(estate, &changes);
    Ok(changes)
}

fn endpoint_body(target: &str, group: &str, subnet: &str, manual: bool) -> Value {
    let connection = json!([{ "name": "conn", "properties": { "privateLinkServiceId": rid(target).as_str(), "groupIds": [group] } }]);
    let (auto, man) = if manual { (json!([]), connection) } else { (connection, json!([])) };
    json!({
        "location": "westeurope",
        "properties": {
            "subnet": { "id": rid(&format!("Microsoft.Network/virtualNetworks/vnet/subnets/{subnet}")).as_str() },
            "privateLinkServiceConnections": auto,
            "manualPrivateLinkServiceConnections": man,
        }
    })
}

fn kv_endpoint(estate: &mut BTreeMap<ResourceId, Value>, name: &str) -> Result<Vec<Change>, ArmError> {
    put(
        estate,
        &rid(&format!("Microsoft.Network/privateEndpoints/{name}")),
        endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", false),
    )
}

fn nic_of(estate: &BTreeMap<ResourceId, Value>, endpoint: &str) -> Value {
    let pe = &estate[&rid(&format!("Microsoft.Network/privateEndpoints/{endpoint}"))];
    estate[&id_at(pe, "/properties/networkInterfaces/0").unwrap()].clone()
}

fn first_ip(nic: &Value) -> &str {
    str_at(nic, "/properties/ipConfigurations/0/properties/privateIPAddress").unwrap()
}

#[test]
fn endpoint_gets_a_nic_with_the_first_free_address_and_the_catalogs_fqdns() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-kv").unwrap();
    let nic = nic_of(&estate, "pe-kv");
    assert_eq!(first_ip(&nic), "10.0.1.4", "five reserved addresses: .0-.3 and .255");
    assert!(nic["name"].as_str().unwrap().starts_with("pe-kv.nic."));
    let plcp = &nic["properties"]["ipConfigurations"][0]["properties"]["privateLinkConnectionProperties"];
    assert_eq!(plcp, &json!({ "groupId": "vault", "requiredMemberName": "default", "fqdns": ["kv1.vault.azure.net"] }));
    let pe = &estate[&rid("Microsoft.Network/privateEndpoints/pe-kv")];
    assert_eq!(
        pe["properties"]["customDnsConfigs"],
        json!([{ "fqdn": "kv1.vault.azure.net", "ipAddresses": ["10.0.1.4"] }])
    );
    assert_eq!(
        pe["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
            ["status"],
        "Approved"
    );
    let vault = &estate[&rid("Microsoft.KeyVault/vaults/kv1")];
    let entry = &vault["properties"]["privateEndpointConnections"][0];
    assert_eq!(entry["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    assert_eq!(entry["properties"]["privateEndpoint"]["id"], rid("Microsoft.Network/privateEndpoints/pe-kv").as_str());
    assert!(estate.contains_key(&id(entry["id"].as_str().unwrap())), "the connection is also its own document");
}

#[test]
fn custom_nic_name_is_used_and_later_endpoints_take_the_next_address() {
    let mut estate = estate();
    let mut body = endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", false);
    body["properties"]["customNetworkInterfaceName"] = json!("pe-a-nic");
    put(&mut estate, &rid("Microsoft.Network/privateEndpoints/pe-a"), body).unwrap();
    kv_endpoint(&mut estate, "pe-b").unwrap();
    assert_eq!(nic_of(&estate, "pe-a")["name"], "pe-a-nic");
    assert_eq!(first_ip(&nic_of(&estate, "pe-b")), "10.0.1.5");
    assert_eq!(
        estate[&rid("Microsoft.KeyVault/vaults/kv1")]["properties"]["privateEndpointConnections"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn re_put_keeps_addresses_and_the_same_input_gives_the_same_changes() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-a").unwrap();
    kv_endpoint(&mut estate, "pe-b").unwrap();
    let before = estate.clone();
    let again = kv_endpoint(&mut estate, "pe-a").unwrap();
    assert_eq!(first_ip(&nic_of(&estate, "pe-a")), "10.0.1.4");
    assert_eq!(first_ip(&nic_of(&estate, "pe-b")), "10.0.1.5");
    let mut copy = before.clone();
    assert_eq!(kv_endpoint(&mut copy, "pe-a").unwrap(), again, "deterministic");
    assert_eq!(derived_guid(&["a", "b"]), derived_guid(&["A", "B"]));
    assert_ne!(derived_guid(&["a", "b"]), derived_guid(&["ab"]));
}

#[test]
fn manual_connection_is_pending_until_the_owner_approves_or_rejects() {
    let mut estate = estate();
    let pe_id = rid("Microsoft.Network/privateEndpoints/pe-m");
    put(&mut estate, &pe_id, endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", true)).unwrap();
    let state = |estate: &BTreeMap<ResourceId, Value>| {
        let pe = &estate[&pe_id];
        let vault = &estate[&rid("Microsoft.KeyVault/vaults/kv1")];
        (
            pe["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]
                ["privateLinkServiceConnectionState"]["status"]
                .clone(),
            vault["properties"]["privateEndpointConnections"][0]["properties"]["privateLinkServiceConnectionState"]
                ["status"]
                .clone(),
        )
    };
    assert_eq!(state(&estate), (json!("Pending"), json!("Pending")));
    let entry_id = id(estate[&rid("Microsoft.KeyVault/vaults/kv1")]["properties"]["privateEndpointConnections"][0]
        ["id"]
        .as_str()
        .unwrap());
    let approve =
        json!({ "properties": { "privateLinkServiceConnectionState": { "status": "Approved", "description": "ok" } } });
    put(&mut estate, &entry_id, approve).unwrap();
    assert_eq!(state(&estate), (json!("Approved"), json!("Approved")));
    assert_eq!(estate[&entry_id]["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    // A re-PUT of the endpoint keeps the owner's decision.
    put(&mut estate, &pe_id, endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", true)).unwrap();
    assert_eq!(state(&estate), (json!("Approved"), json!("Approved")));
    let reject = json!({ "properties": { "privateLinkServiceConnectionState": { "status": "Rejected" } } });
    put(&mut estate, &entry_id, reject).unwrap();
    assert_eq!(state(&estate), (json!("Rejected"), json!("Rejected")));
    delete(&mut estate, &entry_id).unwrap();
    assert_eq!(state(&estate).0, json!("Disconnected"));
    let unknown = rid("Microsoft.KeyVault/vaults/kv1/privateEndpointConnections/nope");
    assert_eq!(put(&mut estate, &unknown, json!({})).unwrap_err().status, 404);
}

#[test]
fn endpoint_in_a_delegated_subnet_is_refused() {
    let mut estate = estate();
    let err = put(
        &mut estate,
        &rid("Microsoft.Network/privateEndpoints/pe"),
        endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "app", false),
    )
    .unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations"));
}

#[test]
fn static_addresses_are_validated_and_kept() {
    let with_static = |ip: &str| {
        let mut body = endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", false);
        body["properties"]["ipConfigurations"] = json!([{ "name": "c", "properties": { "groupId": "vault", "memberName": "default", "privateIPAddress": ip } }]);
        body
    };
    let pe = rid("Microsoft.Network/privateEndpoints/pe");
    for (ip, code) in [
        ("10.0.1.3", "PrivateIPAddressInReservedRange"),
        ("10.0.1.255", "PrivateIPAddressInReservedRange"),
        ("10.0.9.10", "PrivateIPAddressNotInSubnet"),
    ] {
        let err = put(&mut estate(), &pe, with_static(ip)).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (400, code), "{ip}");
    }
    let mut estate = estate();
    put(&mut estate, &pe, with_static("10.0.1.10")).unwrap();
    let nic = nic_of(&estate, "pe");
    assert_eq!(first_ip(&nic), "10.0.1.10");
    assert_eq!(nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAllocationMethod"], "Static");
    let err = put(&mut estate, &rid("Microsoft.Network/privateEndpoints/other"), with_static("10.0.1.10")).unwrap_err();
    assert_eq!(err.code, "PrivateIPAddressInUse");
}

#[test]
fn full_subnet_is_refused() {
    let mut estate = estate();
    let small = subnet_doc("pe", "10.0.1.0/29", None);
    estate.insert(document_id(&small).unwrap(), small);
    for n in 0..3 {
        kv_endpoint(&mut estate, &format!("pe{n}")).unwrap();
    }
    assert_eq!(kv_endpoint(&mut estate, "pe3").unwrap_err().code, "SubnetIsFull", "a /29 has three usable addresses");
}

#[test]
fn zone_group_writes_records_and_deleting_the_endpoint_removes_everything_it_caused() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-kv").unwrap();
    let zone = rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
    let group = rid("Microsoft.Network/privateEndpoints/pe-kv/privateDnsZoneGroups/default");
    let body = json!({ "properties": { "privateDnsZoneConfigs": [
        { "name": "vault", "properties": { "privateDnsZoneId": zone.as_str() } } ] } });
    put(&mut estate, &group, body).unwrap();
    let record = &estate[&zone.child("A", "kv1")];
    assert_eq!(record["properties"]["ttl"], 10);
    assert_eq!(record["properties"]["aRecords"], json!([{ "ipv4Address": "10.0.1.4" }]));
    assert!(record["properties"]["metadata"]["creator"]
        .as_str()
        .unwrap()
        .starts_with("created by private endpoint pe-kv"));
    let sets = &estate[&group]["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"];
    assert_eq!(sets[0]["recordSetName"], "kv1");
    assert_eq!(sets[0]["fqdn"], "kv1.privatelink.vaultcore.azure.net");
    assert_eq!(sets[0]["ipAddresses"], json!(["10.0.1.4"]));

    let nic = document_id(&nic_of(&estate, "pe-kv")).unwrap();
    delete(&mut estate, &rid("Microsoft.Network/privateEndpoints/pe-kv")).unwrap();
    assert!(!estate.contains_key(&nic));
    assert!(!estate.contains_key(&group));
    assert!(!estate.contains_key(&zone.child("A", "kv1")));
    let vault = &estate[&rid("Microsoft.KeyVault/vaults/kv1")];
    assert_eq!(vault["properties"]["privateEndpointConnections"], json!([]));
    assert!(!estate.keys().any(|k| k.key().contains("/privateendpointconnections/")));
}

#[test]
fn zone_group_delete_removes_its_records_and_only_one_group_is_allowed() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-kv").unwrap();
    let zone = rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
    let body = json!({ "properties": { "privateDnsZoneConfigs": [
        { "name": "vault", "properties": { "privateDnsZoneId": zone.as_str() } } ] } });
    let group = rid("Microsoft.Network/privateEndpoints/pe-kv/privateDnsZoneGroups/default");
    put(&mut estate, &group, body.clone()).unwrap();
    let second = rid("Microsoft.Network/privateEndpoints/pe-kv/privateDnsZoneGroups/second");
    assert_eq!(put(&mut estate, &second, body).unwrap_err().code, "PrivateEndpointCannotHaveMoreThanOneDnsZoneGroup");
    delete(&mut estate, &group).unwrap();
    assert!(!estate.contains_key(&zone.child("A", "kv1")));
    let missing = json!({ "properties": { "privateDnsZoneConfigs": [
        { "name": "x", "properties": { "privateDnsZoneId": rid("Microsoft.Network/privateDnsZones/nope.net").as_str() } } ] } });
    assert_eq!(put(&mut estate, &group, missing).unwrap_err().code, "InvalidResourceReference");
}

#[test]
fn web_app_endpoint_serves_the_app_and_its_scm_name() {
    let mut estate = estate();
    put(
        &mut estate,
        &rid("Microsoft.Network/privateEndpoints/pe-app"),
        endpoint_body("Microsoft.Web/sites/app1", "sites", "pe", false),
    )
    .unwrap();
    let nic = nic_of(&estate, "pe-app");
    assert_eq!(
        nic["properties"]["ipConfigurations"][0]["properties"]["privateLinkConnectionProperties"]["fqdns"],
        json!(["app1.azurewebsites.net", "app1.scm.azurewebsites.net"])
    );
    let zone = rid("Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net");
    let body = json!({ "properties": { "privateDnsZoneConfigs": [ { "name": "web", "properties": { "privateDnsZoneId": zone.as_str() } } ] } });
    put(&mut estate, &rid("Microsoft.Network/privateEndpoints/pe-app/privateDnsZoneGroups/default"), body).unwrap();
    for name in ["app1", "app1.scm"] {
        assert_eq!(
            estate[&zone.child("A", name)]["properties"]["aRecords"],
            json!([{ "ipv4Address": "10.0.1.4" }]),
            "{name}"
        );
    }
}

#[test]
fn subnets_in_use_cannot_be_deleted() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-kv").unwrap();
    let subnet = rid("Microsoft.Network/virtualNetworks/vnet/subnets/pe");
    let err = delete(&mut estate, &subnet).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "InUseSubnetCannotBeDeleted"));
    assert!(err.message.contains("pe-kv.nic."), "{}", err.message);
    let vnet = rid("Microsoft.Network/virtualNetworks/vnet");
    let without_pe = json!({ "location": "westeurope", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
        "subnets": [ subnet_doc("app", "10.0.2.0/24", Some("Microsoft.Web/serverFarms")) ] } });
    assert_eq!(put(&mut estate, &vnet, without_pe).unwrap_err().code, "InUseSubnetCannotBeDeleted");
    assert_eq!(delete(&mut estate, &vnet).unwrap_err().code, "InUseSubnetCannotBeDeleted");
    delete(&mut estate, &rid("Microsoft.Network/virtualNetworks/vnet/subnets/plain")).unwrap();
    // An integrated site holds its subnet too.
    let mut site = estate[&rid("Microsoft.Web/sites/app1")].clone();
    site["properties"]["virtualNetworkSubnetId"] =
        json!(rid("Microsoft.Network/virtualNetworks/vnet/subnets/app").as_str());
    put(&mut estate, &rid("Microsoft.Web/sites/app1"), site).unwrap();
    let err = delete(&mut estate, &rid("Microsoft.Network/virtualNetworks/vnet/subnets/app")).unwrap_err();
    assert!(err.message.contains("app1"), "{}", err.message);
}

#[test]
fn delegating_a_subnet_that_holds_nics_is_refused() {
    let mut estate = estate();
    kv_endpoint(&mut estate, "pe-kv").unwrap();
    let subnet = rid("Microsoft.Network/virtualNetworks/vnet/subnets/pe");
    let err =
        put(&mut estate, &subnet, subnet_doc("pe", "10.0.1.0/24", Some("Microsoft.Web/serverFarms"))).unwrap_err();
    assert_eq!(err.code, "SubnetDelegationsCannotChangeWhenSubnetUsedByResource");
    put(&mut estate, &subnet, subnet_doc("pe", "10.0.1.0/24", None)).unwrap();
}

#[test]
fn a_zone_is_linked_to_a_vnet_at_most_once() {
    let mut estate = estate();
    let zone = rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
    let body = json!({ "location": "global", "properties": { "virtualNetwork": { "id": rid("Microsoft.Network/virtualNetworks/vnet").as_str() } } });
    let err = put(&mut estate, &zone.child("virtualNetworkLinks", "l2"), body.clone()).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (409, "Conflict"));
    put(&mut estate, &zone.child("virtualNetworkLinks", "l1"), body).unwrap();
}

#[test]
fn vnet_integration_needs_a_delegated_subnet_and_a_plan_that_offers_it() {
    let mut estate = estate();
    let site_id = rid("Microsoft.Web/sites/app1");
    let integrate = |subnet: &str, plan: &str| {
        json!({ "location": "westeurope", "properties": {
            "serverFarmId": rid(&format!("Microsoft.Web/serverfarms/{plan}")).as_str(),
            "virtualNetworkSubnetId": rid(&format!("Microsoft.Network/virtualNetworks/vnet/subnets/{subnet}")).as_str() } })
    };
    let err = put(&mut estate, &site_id, integrate("plain", "plan-s1")).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "BadRequest"));
    assert!(err.message.contains("missing a delegation to Microsoft.Web/serverFarms"), "{}", err.message);
    let err = put(&mut estate, &site_id, integrate("app", "plan-f1")).unwrap_err();
    assert!(err.message.contains("Free"), "{}", err.message);
    put(&mut estate, &site_id, integrate("app", "plan-s1")).unwrap();
    let shared = json!({ "location": "westeurope", "sku": { "name": "D1" } });
    let err = put(&mut estate, &rid("Microsoft.Web/serverfarms/plan-s1"), shared).unwrap_err();
    assert!(err.message.contains("does not support Regional VNET integration"), "{}", err.message);
}

/// The provider refuses VNet integration exactly on the plans the catalog says lack it, for every
/// SKU name the catalog lists, with and without `sku.tier` (a Flex Consumption `FC1` plan without
/// a tier integrates).
#[test]
fn vnet_integration_is_refused_exactly_where_the_catalog_says_the_plan_lacks_it() {
    let site_id = rid("Microsoft.Web/sites/app1");
    let plan_id = rid("Microsoft.Web/serverfarms/plan-x");
    for tier in crate::catalog::app_service_plan_tiers() {
        for sku_name in tier.sku_names {
            for sku_tier in [None, Some(tier.tier)] {
                let mut estate = estate();
                let sku = match sku_tier {
                    Some(t) => json!({ "name": sku_name, "tier": t }),
                    None => json!({ "name": sku_name }),
                };
                put(&mut estate, &plan_id, json!({ "location": "westeurope", "sku": sku })).unwrap();
                let site = json!({ "location": "westeurope", "properties": {
                    "serverFarmId": plan_id.as_str(),
                    "virtualNetworkSubnetId": rid("Microsoft.Network/virtualNetworks/vnet/subnets/app").as_str() } });
                let refused = put(&mut estate, &site_id, site).is_err();
                let lacks = crate::catalog::app_service_tier_without_networking(Some(sku_name), sku_tier).is_some();
                assert_eq!(refused, lacks, "sku {sku_name} tier {sku_tier:?}");
                assert_eq!(lacks, !tier.networking, "sku {sku_name} tier {sku_tier:?}");
            }
        }
    }
}

#[test]
fn deploy_applies_template_resources_in_dependency_order() {
    let base = estate();
    let origin = Origin::new("t.json", "");
    let mut documents: BTreeMap<ResourceId, Document> = base
        .iter()
        .map(|(k, v)| (k.clone(), Document { id: k.clone(), body: v.clone(), origin: origin.clone() }))
        .collect();
    let pe_b = rid("Microsoft.Network/privateEndpoints/pe-b");
    let pe_a = rid("Microsoft.Network/privateEndpoints/pe-a");
    let group = pe_b.child("privateDnsZoneGroups", "default");
    let zone = rid("Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net");
    let mut add = |id: &ResourceId, mut body: Value| {
        body["id"] = json!(id.as_str());
        body["type"] = json!(id.resource_type());
        body["name"] = json!(id.name());
        documents.insert(id.clone(), Document { id: id.clone(), body, origin: Origin::new("t.json", "/resources/0") });
    };
    add(
        &group,
        json!({ "properties": { "privateDnsZoneConfigs": [ { "name": "z", "properties": { "privateDnsZoneId": zone.as_str() } } ] } }),
    );
    add(&pe_b, endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "pe", false));
    add(&pe_a, endpoint_body("Microsoft.KeyVault/vaults/kv1", "vault", "app", false));
    let failures = deploy(&mut documents, &[group.clone(), pe_b.clone(), pe_a.clone()]);
    assert_eq!(failures.len(), 1, "pe-a sits in a delegated subnet");
    assert_eq!(failures[0].id, pe_a);
    assert_eq!(
        documents[&zone.child("A", "kv1")].body["properties"]["aRecords"],
        json!([{ "ipv4Address": "10.0.1.4" }])
    );
    let nic = id_at(&documents[&pe_b].body, "/properties/networkInterfaces/0").unwrap();
    assert_eq!(documents[&nic].origin.file.as_ref(), "t.json");
}

#[test]
fn a_backend_connection_written_without_a_name_is_named_not_a_panic() {
    // A PUT body may carry an inline connection with neither `name` nor `id`.
    let mut estate = estate();
    let vault = rid("Microsoft.KeyVault/vaults/kv1");
    let pe = rid("Microsoft.Network/privateEndpoints/pe1");
    estate.get_mut(&vault).unwrap()["properties"]["privateEndpointConnections"] = json!([{"properties": {
        "privateEndpoint": {"id": pe.as_str()}, "privateLinkServiceConnectionState": {"status": "Approved"}}}]);
    let changes = kv_endpoint(&mut estate, "pe1").expect("the endpoint is created");
    let connection_ids: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Put(doc) => doc["id"].as_str().map(str::to_string),
            Change::Delete(_) => None,
        })
        .filter(|id| id.contains("/privateEndpointConnections/"))
        .collect();
    assert!(!connection_ids.is_empty());
    assert!(
        connection_ids.iter().all(|id| id.rsplit('/').next().is_some_and(|n| n.starts_with("pe1."))),
        "{connection_ids:?}"
    );
}

#[test]
fn removing_vnet_integration_disconnects_the_app_and_its_swift_connections() {
    let mut estate = estate();
    let site = rid("Microsoft.Web/sites/app1");
    let subnet = rid("Microsoft.Network/virtualNetworks/vnet/subnets/app");
    estate.insert(
        site.clone(),
        json!({"id": site.as_str(), "name": "app1", "type": "Microsoft.Web/sites",
        "properties": {"virtualNetworkSubnetId": subnet.as_str()}}),
    );
    let swift = site.child("virtualNetworkConnections", "app");
    estate.insert(
        swift.clone(),
        json!({"id": swift.as_str(), "name": "app", "type": "Microsoft.Web/sites/virtualNetworkConnections",
        "properties": {"vnetResourceId": subnet.as_str(), "isSwift": true}}),
    );
    let config = site.child("networkConfig", "virtualNetwork");
    let changes = delete(&mut estate, &config).expect("a delete");
    assert!(estate[&site]["properties"]["virtualNetworkSubnetId"].is_null(), "{changes:?}");
    assert!(!estate.contains_key(&swift));
    // And a PUT of the same child integrates the app again.
    let body = json!({"id": config.as_str(), "name": "virtualNetwork", "type": "Microsoft.Web/sites/networkConfig",
        "properties": {"subnetResourceId": subnet.as_str(), "swiftSupported": true}});
    put(&mut estate, &config, body).expect("a put");
    assert_eq!(estate[&site]["properties"]["virtualNetworkSubnetId"], subnet.as_str());
}
