//! Private addresses the platform allocates when a resource asks for a dynamic one: a network
//! interface's `Dynamic` ipConfigurations, an Azure Firewall's address in `AzureFirewallSubnet`,
//! a DNS private resolver inbound endpoint's `Dynamic` address (azure-semantics §2.3, §12.1).
//!
//! Azure gives each the lowest free non-reserved address of its subnet; templates read it back
//! with `reference(...).ipConfigurations[0].properties.privateIPAddress` (a spoke's DNS server or
//! a route's next hop is the firewall's address). A firewall's and a resolver's subnets are
//! dedicated to them, so their first address is `.4` whatever else the estate holds; a NIC's is
//! the lowest its subnet has free when it is written (a simulation choice: see the register in
//! the module above).
//!
//! A re-PUT keeps the address the resource holds; a static address is left as written.

use super::{array_at, document_id, id_at, ipam, str_at, subnet_document, ArmError, DocumentLookup, NETWORK_INTERFACE};
use privlink_model::{arm_type, ResourceId};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Where one kind of resource keeps its ipConfigurations' subnet, address and allocation method.
struct Layout {
    ty: &'static str,
    /// Below each ipConfiguration: where its fields are.
    fields: &'static str,
    address: &'static str,
    method: &'static str,
    /// Whether an ipConfiguration without an allocation method is dynamic. A firewall's has none:
    /// it always takes one from its subnet.
    dynamic_by_default: bool,
}

const LAYOUTS: [Layout; 3] = [
    Layout {
        ty: NETWORK_INTERFACE,
        fields: "/properties",
        address: "privateIPAddress",
        method: "privateIPAllocationMethod",
        dynamic_by_default: true,
    },
    Layout {
        ty: arm_type::AZURE_FIREWALLS,
        fields: "/properties",
        address: "privateIPAddress",
        method: "privateIPAllocationMethod",
        dynamic_by_default: true,
    },
    Layout {
        ty: arm_type::DNS_RESOLVER_INBOUND_ENDPOINTS,
        fields: "",
        address: "privateIpAddress",
        method: "privateIpAllocationMethod",
        dynamic_by_default: true,
    },
];

/// Whether a PUT of `id` may need addresses allocated.
pub(super) fn allocates(id: &ResourceId) -> bool {
    LAYOUTS.iter().any(|l| id.is_type(l.ty))
}

/// `document` with every dynamic ipConfiguration holding an address: the one the stored resource
/// holds, else the lowest free one of its subnet. A subnet the estate does not hold, or one
/// without an IPv4 prefix, leaves the configuration as written: Azure knows its address, we don't.
pub(super) fn complete(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<Value, ArmError> {
    let Some(layout) = LAYOUTS.iter().find(|l| id.is_type(l.ty)) else { return Ok(document.clone()) };
    let mut document = document.clone();
    let held = estate.document(id).map(|d| addresses_by_configuration(layout, d)).unwrap_or_default();
    let count = array_at(&document, "/properties/ipConfigurations").len();
    let mut taken_here: BTreeSet<(ResourceId, Ipv4Addr)> = BTreeSet::new();
    for i in 0..count {
        let config_pointer = format!("/properties/ipConfigurations/{i}{}", layout.fields);
        let Some(config) = document.pointer(&config_pointer) else { continue };
        if str_at(config, &format!("/{}", layout.address)).is_some_and(|a| !a.is_empty()) {
            continue;
        }
        let dynamic = match str_at(config, &format!("/{}", layout.method)) {
            Some(method) => method.eq_ignore_ascii_case("Dynamic"),
            None => layout.dynamic_by_default,
        };
        let Some(subnet_id) = id_at(config, "/subnet") else { continue };
        if !dynamic {
            continue;
        }
        let name = configuration_name(&document, i);
        let address = match held.iter().find(|(n, _)| *n == name).map(|(_, a)| *a) {
            Some(address) => address,
            None => {
                let Some(subnet) = subnet_document(estate, &subnet_id) else { continue };
                let Some(prefix) = ipam::subnet_prefix(&subnet) else { continue };
                let mut used = used_in(estate, layout, &subnet_id, id);
                used.extend(taken_here.iter().filter(|(s, _)| *s == subnet_id).map(|(_, a)| *a));
                ipam::lowest_free(&prefix, &used, &subnet_id)?
            }
        };
        taken_here.insert((subnet_id, address));
        if let Some(Value::Object(fields)) = document.pointer_mut(&config_pointer) {
            fields.insert(layout.address.to_string(), Value::String(address.to_string()));
            fields.insert(layout.method.to_string(), Value::String("Dynamic".to_string()));
        }
    }
    Ok(document)
}

/// The name of the `i`th ipConfiguration (its index when it has none), to match a re-PUT's
/// configuration with the stored one.
fn configuration_name(document: &Value, i: usize) -> String {
    str_at(document, &format!("/properties/ipConfigurations/{i}/name"))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| i.to_string())
}

fn addresses_by_configuration(layout: &Layout, document: &Value) -> Vec<(String, Ipv4Addr)> {
    (0..array_at(document, "/properties/ipConfigurations").len())
        .filter_map(|i| {
            let pointer = format!("/properties/ipConfigurations/{i}{}/{}", layout.fields, layout.address);
            Some((configuration_name(document, i), str_at(document, &pointer)?.parse().ok()?))
        })
        .collect()
}

/// Addresses resources of the same kind (and, for a NIC, every NIC) hold in `subnet`, except
/// `excluded`'s own.
fn used_in(
    estate: &dyn DocumentLookup,
    layout: &Layout,
    subnet: &ResourceId,
    excluded: &ResourceId,
) -> BTreeSet<Ipv4Addr> {
    if layout.ty == NETWORK_INTERFACE {
        return ipam::used_addresses(estate, subnet, Some(excluded));
    }
    let mut used = BTreeSet::new();
    for other in estate.of_type(layout.ty) {
        if document_id(other).as_ref() == Some(excluded) {
            continue;
        }
        for i in 0..array_at(other, "/properties/ipConfigurations").len() {
            let config = format!("/properties/ipConfigurations/{i}{}", layout.fields);
            if id_at(other, &format!("{config}/subnet")).as_ref() != Some(subnet) {
                continue;
            }
            if let Some(address) = str_at(other, &format!("{config}/{}", layout.address)).and_then(|a| a.parse().ok()) {
                used.insert(address);
            }
        }
    }
    used
}
