//! Private endpoint PUT and DELETE: the NIC, its addresses, and the target's connection.

use super::{
    array_at, children_of, connection, derived_etag, derived_guid, document_id, id_at, ipam, properties_mut, str_at,
    subnet_document, zone_group, ArmError, Change, DocumentLookup, NETWORK_INTERFACE, ZONE_GROUP,
};
use crate::catalog::{self, Cloud, NameHints};
use privlink_model::{Region, ResourceId};
use serde_json::{json, Value};
use std::net::Ipv4Addr;

/// Which array of the endpoint a connection is in: automatic approval or manual request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnectionKind {
    Automatic,
    Manual,
}

impl ConnectionKind {
    pub(super) fn property(self) -> &'static str {
        match self {
            ConnectionKind::Automatic => "privateLinkServiceConnections",
            ConnectionKind::Manual => "manualPrivateLinkServiceConnections",
        }
    }
}

/// The member an ipConfiguration serves: one per group id (a simulation choice of `provider`).
/// Key Vault `vault` and Cognitive Services `account` name their member `default` (observed in
/// Azure output, seed-estate README); every other group its own id (azurerm: `member_name`
/// defaults to the subresource name).
pub(super) fn default_member_name(group_id: &str) -> String {
    const DEFAULT_MEMBER: &[&str] = &["vault", "account"];
    if DEFAULT_MEMBER.iter().any(|g| g.eq_ignore_ascii_case(group_id)) {
        "default".to_string()
    } else {
        group_id.to_string()
    }
}

/// One ipConfiguration the endpoint's NIC gets.
struct Member {
    group_id: String,
    member_name: String,
    fqdns: Vec<String>,
    address: Ipv4Addr,
    allocation: &'static str,
}

pub(super) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<Vec<Change>, ArmError> {
    let subnet_id = id_at(document, "/properties/subnet").ok_or_else(|| {
        ArmError::bad_request("InvalidResourceReference", format!("Private endpoint {id} does not name a subnet."))
    })?;
    let subnet = subnet_document(estate, &subnet_id).ok_or_else(|| not_found(&subnet_id, id))?;
    if !array_at(&subnet, "/properties/delegations").is_empty() {
        return Err(ArmError::bad_request(
            "PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations",
            format!(
                "Private endpoint {id} cannot be created in subnet {subnet_id} since it has delegations. \
                 Remove the subnet's delegations or choose another subnet."
            ),
        ));
    }
    let prefix = ipam::subnet_prefix(&subnet).ok_or_else(|| {
        ArmError::bad_request("InvalidAddressPrefix", format!("Subnet {subnet_id} has no IPv4 address prefix."))
    })?;
    let connections = connections_of(document);
    if connections.is_empty() {
        return Err(ArmError::bad_request(
            "PrivateEndpointMustHaveOneConnection",
            format!(
                "Private endpoint {id} must have one privateLinkServiceConnection or manualPrivateLinkServiceConnection."
            ),
        ));
    }
    let existing = estate.document(id);
    let nic_id = nic_id(id, document, existing)?;
    let existing_nic = estate.document(&nic_id);
    let mut used = ipam::used_addresses(estate, &subnet_id, Some(&nic_id));

    // One member per group id of each connection, with a static address, the address it held, or the next free one.
    let mut members: Vec<Member> = Vec::new();
    for (_, _, connection) in &connections {
        let Some(target) = id_at(connection, "/properties/privateLinkServiceId") else { continue };
        let target_doc = estate.document(&target);
        let mut groups: Vec<String> =
            array_at(connection, "/properties/groupIds").iter().filter_map(Value::as_str).map(str::to_string).collect();
        if groups.is_empty() {
            groups.push(String::new());
        }
        for group_id in groups {
            let fqdns = customer_fqdns(&target, target_doc, &group_id);
            let static_config = array_at(document, "/properties/ipConfigurations")
                .iter()
                .find(|c| str_at(c, "/properties/groupId").is_some_and(|g| g.eq_ignore_ascii_case(&group_id)));
            let member_name = static_config
                .and_then(|c| str_at(c, "/properties/memberName"))
                .map(str::to_string)
                .unwrap_or_else(|| default_member_name(&group_id));
            let static_address = static_config.and_then(|c| str_at(c, "/properties/privateIPAddress"));
            let (address, allocation) = match static_address {
                Some(text) => {
                    let ip: Ipv4Addr = text.parse().map_err(|_| {
                        ArmError::bad_request(
                            "PrivateIPAddressNotInSubnet",
                            format!("Private static IP address {text} of {id} is not an IPv4 address."),
                        )
                    })?;
                    ipam::check_static(&prefix, ip, &used, &subnet_id)?;
                    (ip, "Static")
                }
                None => match held_address(existing_nic, &subnet_id, &group_id, &member_name)
                    .filter(|ip| prefix.contains(ip) && !ipam::is_reserved(&prefix, *ip) && !used.contains(ip))
                {
                    Some(ip) => (ip, "Dynamic"),
                    None => (ipam::lowest_free(&prefix, &used, &subnet_id)?, "Dynamic"),
                },
            };
            used.insert(address);
            members.push(Member { group_id, member_name, fqdns, address, allocation });
        }
    }

    let resource_guid = str_at(document, "/properties/resourceGuid")
        .or_else(|| existing.and_then(|e| str_at(e, "/properties/resourceGuid")))
        .map(str::to_string)
        .unwrap_or_else(|| derived_guid(&[id.key(), "resourceGuid"]));
    let nic = nic_document(id, document, &nic_id, &subnet_id, &members);
    let mut endpoint = document.clone();
    {
        let props = properties_mut(&mut endpoint);
        props.insert("resourceGuid".into(), json!(resource_guid));
        props.entry("provisioningState").or_insert_with(|| json!("Succeeded"));
        props.insert("networkInterfaces".into(), json!([{ "id": nic_id.as_str() }]));
        let custom_dns: Vec<Value> = members
            .iter()
            .flat_map(|m| m.fqdns.iter().map(move |f| json!({ "fqdn": f, "ipAddresses": [m.address.to_string()] })))
            .collect();
        props.insert("customDnsConfigs".into(), Value::Array(custom_dns));
        for kind in [ConnectionKind::Automatic, ConnectionKind::Manual] {
            props.entry(kind.property()).or_insert_with(|| json!([]));
        }
    }

    let mut changes = Vec::new();
    for (kind, index, connection) in &connections {
        let name = str_at(connection, "/name").unwrap_or("connection").to_string();
        let Some(target) = id_at(connection, "/properties/privateLinkServiceId") else { continue };
        let previous = existing.and_then(|e| connection_state(e, &target));
        let state = match estate.document(&target) {
            Some(target_doc) => {
                let (state, target_changes) =
                    connection::connect(estate, target_doc, &target, id, *kind, connection, previous.as_ref());
                changes.extend(target_changes);
                Some(state)
            }
            None if *kind == ConnectionKind::Manual => Some(connection::pending_state(connection)),
            None => None,
        };
        let entry = endpoint
            .pointer_mut(&format!("/properties/{}/{index}", kind.property()))
            .expect("the connection was read from this index");
        let fields = entry.as_object_mut().expect("connections are objects");
        fields.insert("id".into(), json!(id.child(kind.property(), &name).as_str()));
        fields.insert("type".into(), json!(format!("{}/{}", id.resource_type(), kind.property())));
        let props = properties_mut(entry);
        props.insert("provisioningState".into(), json!("Succeeded"));
        if let Some(state) = state {
            props.insert("privateLinkServiceConnectionState".into(), state);
        }
    }
    let mut all = vec![Change::Put(endpoint), Change::Put(nic)];
    all.extend(changes);
    Ok(all)
}

pub(super) fn delete(estate: &dyn DocumentLookup, id: &ResourceId) -> Result<Vec<Change>, ArmError> {
    let mut changes = vec![Change::Delete(id.clone())];
    let Some(endpoint) = estate.document(id) else { return Ok(changes) };
    for nic in array_at(endpoint, "/properties/networkInterfaces") {
        if let Some(nic) = id_at(nic, "") {
            changes.push(Change::Delete(nic));
        }
    }
    for group in children_of(estate, id, ZONE_GROUP) {
        changes.extend(zone_group::removal(estate, &group));
        if let Some(group_id) = document_id(&group) {
            changes.push(Change::Delete(group_id));
        }
    }
    for (_, _, connection) in connections_of(endpoint) {
        if let Some(target) = id_at(connection, "/properties/privateLinkServiceId") {
            changes.extend(connection::disconnect(estate, &target, id));
        }
    }
    Ok(changes)
}

/// The endpoint's connections: (kind, index in its array, connection).
pub(super) fn connections_of(endpoint: &Value) -> Vec<(ConnectionKind, usize, &Value)> {
    [ConnectionKind::Automatic, ConnectionKind::Manual]
        .into_iter()
        .flat_map(|kind| {
            array_at(endpoint, &format!("/properties/{}", kind.property()))
                .iter()
                .enumerate()
                .map(move |(i, c)| (kind, i, c))
        })
        .collect()
}

/// The state the endpoint's connection to `target` has.
fn connection_state(endpoint: &Value, target: &ResourceId) -> Option<Value> {
    connections_of(endpoint)
        .into_iter()
        .find(|(_, _, c)| id_at(c, "/properties/privateLinkServiceId").as_ref() == Some(target))
        .and_then(|(_, _, c)| c.pointer("/properties/privateLinkServiceConnectionState").cloned())
}

fn not_found(reference: &ResourceId, by: &ResourceId) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!(
            "Resource {reference} referenced by resource {by} was not found. Please make sure that the referenced \
             resource exists, and that both resources are in the same region."
        ),
    )
}

/// The NIC's id: `customNetworkInterfaceName`, else the NIC the endpoint already has, else
/// `{pe}.nic.{guid}` (a simulation choice of `provider`); in the endpoint's resource group.
fn nic_id(endpoint: &ResourceId, document: &Value, existing: Option<&Value>) -> Result<ResourceId, ArmError> {
    if let Some(held) = existing.and_then(|e| id_at(e, "/properties/networkInterfaces/0")) {
        return Ok(held);
    }
    let name = match str_at(document, "/properties/customNetworkInterfaceName").filter(|n| !n.is_empty()) {
        Some(custom) => custom.to_string(),
        None => format!("{}.nic.{}", endpoint.name(), derived_guid(&[endpoint.key(), "nic"])),
    };
    let group = endpoint.resource_group_id().ok_or_else(|| {
        ArmError::bad_request("InvalidResourceReference", format!("{endpoint} is not in a resource group."))
    })?;
    ResourceId::parse(&format!("{}/providers/{NETWORK_INTERFACE}/{name}", group.as_str())).map_err(|e| {
        ArmError::bad_request("InvalidResourceName", format!("Network interface name '{name}' is not valid: {e}"))
    })
}

/// The address the endpoint's NIC already holds for a member in `subnet`.
fn held_address(nic: Option<&Value>, subnet: &ResourceId, group_id: &str, member: &str) -> Option<Ipv4Addr> {
    array_at(nic?, "/properties/ipConfigurations").iter().find_map(|c| {
        let same_member = str_at(c, "/properties/privateLinkConnectionProperties/groupId")
            .is_some_and(|g| g.eq_ignore_ascii_case(group_id))
            && str_at(c, "/properties/privateLinkConnectionProperties/requiredMemberName")
                .is_some_and(|m| m.eq_ignore_ascii_case(member));
        let same_subnet = id_at(c, "/properties/subnet").as_ref() == Some(subnet);
        if same_member && same_subnet {
            str_at(c, "/properties/privateIPAddress")?.parse().ok()
        } else {
            None
        }
    })
}

/// The customer-visible names of `target` for `group_id`, from the catalog.
fn customer_fqdns(target: &ResourceId, target_doc: Option<&Value>, group_id: &str) -> Vec<String> {
    let hints = NameHints {
        account_kind: target_doc.and_then(|d| str_at(d, "/kind")),
        custom_sub_domain: target_doc.and_then(|d| str_at(d, "/properties/customSubDomainName")),
        region: target_doc.and_then(|d| str_at(d, "/location")).map(Region::new),
        dns_prefix: target_doc.and_then(|d| str_at(d, "/properties/dnsZone")),
        partition_id: None,
    };
    catalog::customer_fqdns(Cloud::Public, &target.resource_type(), target.name(), group_id, &hints)
        .into_iter()
        .map(|n| n.to_string())
        .collect()
}

fn nic_document(
    endpoint: &ResourceId,
    document: &Value,
    nic_id: &ResourceId,
    subnet: &ResourceId,
    members: &[Member],
) -> Value {
    let configs: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let name =
                format!("privateEndpointIpConfig.{}", derived_guid(&[endpoint.key(), &m.group_id, &m.member_name]));
            json!({
                "name": name,
                "id": nic_id.child("ipConfigurations", &name).as_str(),
                "type": format!("{NETWORK_INTERFACE}/ipConfigurations"),
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateIPAddress": m.address.to_string(),
                    "privateIPAllocationMethod": m.allocation,
                    "subnet": { "id": subnet.as_str() },
                    "primary": i == 0,
                    "privateIPAddressVersion": "IPv4",
                    "privateLinkConnectionProperties": {
                        "groupId": m.group_id,
                        "requiredMemberName": m.member_name,
                        "fqdns": m.fqdns,
                    }
                }
            })
        })
        .collect();
    let mut nic = json!({
        "name": nic_id.name(),
        "id": nic_id.as_str(),
        "type": NETWORK_INTERFACE,
        "location": document.get("location").cloned().unwrap_or(Value::Null),
        "kind": "Regular",
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": derived_guid(&[nic_id.key(), "resourceGuid"]),
            "ipConfigurations": configs,
            "dnsSettings": { "dnsServers": [], "appliedDnsServers": [] },
            "enableIPForwarding": false,
            "privateEndpoint": { "id": endpoint.as_str() },
            "nicType": "Standard"
        }
    });
    let etag = derived_etag(&nic);
    nic.as_object_mut().expect("built as an object").insert("etag".into(), etag);
    nic
}
