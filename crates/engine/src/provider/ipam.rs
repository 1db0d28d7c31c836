//! Private IP addresses of a subnet: what is reserved, what is used, what comes next.
//!
//! Azure reserves five addresses in every subnet (azure-semantics.md §2.3, Virtual Network FAQ
//! "Are there any restrictions on using IP addresses within these subnets?"): the network address,
//! `.1` (default gateway), `.2` and `.3` (Azure DNS mapping) and the last (broadcast).

use super::{array_at, id_at, str_at, ArmError, DocumentLookup};
use ipnet::Ipv4Net;
use privlink_model::ResourceId;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Addresses at the start of every subnet Azure keeps for itself (network, gateway, two DNS).
const RESERVED_AT_START: u32 = 4;
/// Addresses at the end of every subnet Azure keeps (broadcast).
const RESERVED_AT_END: u32 = 1;

/// A subnet's IPv4 prefix: `addressPrefix`, else the first IPv4 entry of `addressPrefixes`.
pub fn subnet_prefix(subnet: &Value) -> Option<Ipv4Net> {
    let single = str_at(subnet, "/properties/addressPrefix").into_iter();
    let many = array_at(subnet, "/properties/addressPrefixes").iter().filter_map(Value::as_str);
    single.chain(many).find_map(|p| p.parse::<Ipv4Net>().ok()).map(|n| n.trunc())
}

/// Whether Azure reserves `ip` in `prefix`.
pub fn is_reserved(prefix: &Ipv4Net, ip: Ipv4Addr) -> bool {
    let (first, last) = (u32::from(prefix.network()), u32::from(prefix.broadcast()));
    let at = u32::from(ip);
    at < first.saturating_add(RESERVED_AT_START) || at > last.saturating_sub(RESERVED_AT_END)
}

/// The addresses NICs hold in `subnet`, except those of `excluded_nic`.
pub fn used_addresses(
    estate: &dyn DocumentLookup,
    subnet: &ResourceId,
    excluded_nic: Option<&ResourceId>,
) -> BTreeSet<Ipv4Addr> {
    let mut used = BTreeSet::new();
    for nic in estate.interfaces_in(subnet) {
        if excluded_nic.is_some_and(|ex| super::document_id(nic).as_ref() == Some(ex)) {
            continue;
        }
        for config in array_at(nic, "/properties/ipConfigurations") {
            if id_at(config, "/properties/subnet").as_ref() != Some(subnet) {
                continue;
            }
            if let Some(ip) = str_at(config, "/properties/privateIPAddress").and_then(|a| a.parse().ok()) {
                used.insert(ip);
            }
        }
    }
    used
}

/// The lowest address of `prefix` that is neither reserved nor in `used`.
pub fn lowest_free(prefix: &Ipv4Net, used: &BTreeSet<Ipv4Addr>, subnet: &ResourceId) -> Result<Ipv4Addr, ArmError> {
    let first = u32::from(prefix.network()).saturating_add(RESERVED_AT_START);
    let last = u32::from(prefix.broadcast()).saturating_sub(RESERVED_AT_END);
    (first..=last).map(Ipv4Addr::from).find(|ip| !used.contains(ip)).ok_or_else(|| {
        ArmError::bad_request(
            "SubnetIsFull",
            format!(
                "Subnet {} with address prefix {prefix} does not have enough capacity for 1 IP addresses.",
                subnet.name()
            ),
        )
    })
}

/// Checks a static address asked for in `subnet`.
pub fn check_static(
    prefix: &Ipv4Net,
    ip: Ipv4Addr,
    used: &BTreeSet<Ipv4Addr>,
    subnet: &ResourceId,
) -> Result<(), ArmError> {
    if !prefix.contains(&ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressNotInSubnet",
            format!(
                "Private static IP address {ip} does not belong to the range of subnet prefix {prefix} of subnet {}.",
                subnet.as_str()
            ),
        ));
    }
    if is_reserved(prefix, ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressInReservedRange",
            format!(
                "Private static IP address {ip} falls within reserved IP range of subnet prefix {prefix} of subnet {}.",
                subnet.as_str()
            ),
        ));
    }
    if used.contains(&ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressInUse",
            format!("IP address {ip} is already in use in subnet {}.", subnet.as_str()),
        ));
    }
    Ok(())
}
