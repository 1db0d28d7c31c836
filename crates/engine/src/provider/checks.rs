//! Validation Azure performs on writes that change nothing else: subnets in use, duplicate zone
//! links, VNet integration (azure-semantics.md §1.5, §2, §3.2).

use super::{
    array_at, children_of, document_id, documents_of_type, id_at, str_at, subnet_document, ArmError, DocumentLookup,
    NETWORK_INTERFACE, PLAN, PRIVATE_ENDPOINT, SITE, SUBNET, VIRTUAL_NETWORK, ZONE_LINK,
};
use crate::catalog::{self, INTEGRATION_DELEGATION};
use ipnet::IpNet;
use privlink_model::ResourceId;
use serde_json::Value;
use std::collections::BTreeSet;

pub(super) fn before_put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    if id.is_type(ZONE_LINK) {
        check_unique_link(estate, id, document)
    } else if id.is_type(SITE) {
        check_site_integration(estate, id, document)
    } else if id.is_type(PLAN) {
        check_plan_sku(estate, id, document)
    } else if id.is_type(SUBNET) {
        check_subnet_in_vnet(estate, id, document)?;
        check_delegation_change(estate, id, document)
    } else if id.is_type(VIRTUAL_NETWORK) {
        check_vnet_prefixes(id, document)?;
        let listed: BTreeSet<String> = array_at(document, "/properties/subnets")
            .iter()
            .filter_map(|s| str_at(s, "/name"))
            .map(str::to_ascii_lowercase)
            .collect();
        for subnet in existing_subnets(estate, id) {
            if !listed.contains(&subnet.name().to_ascii_lowercase()) {
                check_not_in_use(estate, &subnet)?;
            }
        }
        Ok(())
    } else {
        Ok(())
    }
}

pub(super) fn before_delete(estate: &dyn DocumentLookup, id: &ResourceId) -> Result<(), ArmError> {
    if id.is_type(SUBNET) {
        check_not_in_use(estate, id)
    } else if id.is_type(VIRTUAL_NETWORK) {
        existing_subnets(estate, id).iter().try_for_each(|s| check_not_in_use(estate, s))
    } else {
        Ok(())
    }
}

/// A subnet's address prefixes (`addressPrefix` and `addressPrefixes`), parsed; an error for the
/// first that is not CIDR, or when there is none at all.
fn subnet_prefixes(subnet: &ResourceId, document: &Value) -> Result<Vec<IpNet>, ArmError> {
    let single = str_at(document, "/properties/addressPrefix");
    let many = array_at(document, "/properties/addressPrefixes").iter().filter_map(Value::as_str);
    let texts: Vec<&str> = single.into_iter().chain(many).collect();
    let pooled = !array_at(document, "/properties/ipamPoolPrefixAllocations").is_empty();
    if texts.is_empty() && !pooled {
        // UNVERIFIED: the code for a subnet with no prefix; Azure's generic subnet code is used.
        return Err(ArmError::bad_request(
            "NetcfgInvalidSubnet",
            format!(
                "Subnet '{}' is not valid in virtual network '{}': it has no address prefix.",
                subnet.name(),
                subnet.parent().map(|p| p.name().to_string()).unwrap_or_default()
            ),
        ));
    }
    texts.into_iter().map(|text| parse_prefix(text, subnet)).collect()
}

/// A CIDR prefix as Azure accepts it: an IPv4 or IPv6 address, `/`, a length the family allows.
fn parse_prefix(text: &str, owner: &ResourceId) -> Result<IpNet, ArmError> {
    // InvalidAddressPrefixFormat and its message: Azure/azure-service-operator#997 (a subnet),
    // Azure/avdaccelerator#83 (a VNet's address space).
    text.parse::<IpNet>().map_err(|_| {
        ArmError::bad_request(
            "InvalidAddressPrefixFormat",
            format!(
                "Address prefix {text} of resource {owner} is not formatted correctly. It should follow CIDR notation, \
                 for example 10.0.0.0/24."
            ),
        )
    })
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// A subnet's prefixes lie inside its VNet's address space and overlap no other subnet of it.
fn check_subnet_in_vnet(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    let prefixes = subnet_prefixes(id, document)?;
    let Some(vnet) = id.parent() else { return Ok(()) };
    let Some(vnet_doc) = estate.document(&vnet) else { return Ok(()) };
    let space: Vec<IpNet> = array_at(vnet_doc, "/properties/addressSpace/addressPrefixes")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|p| p.parse().ok())
        .collect();
    let siblings: Vec<(String, Vec<IpNet>)> = existing_subnets(estate, &vnet)
        .into_iter()
        .filter(|other| other != id)
        .filter_map(|other| {
            let doc = subnet_document(estate, &other)?;
            Some((other.name().to_string(), subnet_prefixes(&other, &doc).ok()?))
        })
        .collect();
    check_subnet_placement(id, &vnet, &prefixes, &space, &siblings)
}

/// Every prefix inside one of the VNet's `space`, none overlapping a sibling's.
fn check_subnet_placement(
    id: &ResourceId,
    vnet: &ResourceId,
    prefixes: &[IpNet],
    space: &[IpNet],
    siblings: &[(String, Vec<IpNet>)],
) -> Result<(), ArmError> {
    for prefix in prefixes {
        // NetcfgSubnetRangeOutsideVnet, NetcfgSubnetRangesOverlap and their messages:
        // MicrosoftDocs/azure-docs#123869.
        if !space.iter().any(|range| range.contains(prefix)) {
            return Err(ArmError::bad_request(
                "NetcfgSubnetRangeOutsideVnet",
                format!(
                    "Subnet '{}' is not valid because its IP address range is outside the IP address range of \
                     virtual network '{}'.",
                    id.name(),
                    vnet.name()
                ),
            ));
        }
        if siblings.iter().any(|(_, theirs)| theirs.iter().any(|other| overlaps(prefix, other))) {
            return Err(ArmError::bad_request(
                "NetcfgSubnetRangesOverlap",
                format!(
                    "Subnet '{}' is not valid because its IP address range overlaps with that of an existing subnet \
                     in virtual network '{}'.",
                    id.name(),
                    vnet.name()
                ),
            ));
        }
    }
    Ok(())
}

/// A VNet PUT: its address space is CIDR, and its inline subnets fit it and each other.
fn check_vnet_prefixes(id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    let space = array_at(document, "/properties/addressSpace/addressPrefixes")
        .iter()
        .filter_map(Value::as_str)
        .map(|text| parse_prefix(text, id))
        .collect::<Result<Vec<IpNet>, ArmError>>()?;
    let mut placed: Vec<(String, Vec<IpNet>)> = Vec::new();
    for entry in array_at(document, "/properties/subnets") {
        let Some(name) = str_at(entry, "/name") else { continue };
        let subnet = id.child("subnets", name);
        let prefixes = subnet_prefixes(&subnet, entry)?;
        check_subnet_placement(&subnet, id, &prefixes, &space, &placed)?;
        placed.push((name.to_string(), prefixes));
    }
    Ok(())
}

/// The subnets a VNet has now: standalone documents and the VNet's inline entries.
fn existing_subnets(estate: &dyn DocumentLookup, vnet: &ResourceId) -> Vec<ResourceId> {
    let mut subnets: Vec<ResourceId> = children_of(estate, vnet, SUBNET).iter().filter_map(document_id).collect();
    if let Some(doc) = estate.document(vnet) {
        for entry in array_at(doc, "/properties/subnets") {
            if let Some(name) = str_at(entry, "/name") {
                let id = vnet.child("subnets", name);
                if !subnets.contains(&id) {
                    subnets.push(id);
                }
            }
        }
    }
    subnets
}

/// The first resource that uses `subnet`: a NIC's ipConfiguration, a private endpoint, an integrated site.
fn subnet_user(estate: &dyn DocumentLookup, subnet: &ResourceId) -> Option<String> {
    for nic in documents_of_type(estate, NETWORK_INTERFACE) {
        for config in array_at(nic, "/properties/ipConfigurations") {
            if id_at(config, "/properties/subnet").as_ref() == Some(subnet) {
                let config_id = str_at(config, "/id").map(str::to_string);
                return config_id.or_else(|| document_id(nic).map(|id| id.to_string()));
            }
        }
    }
    let by = |ty: &str, pointer: &str| {
        documents_of_type(estate, ty)
            .find(|d| id_at(d, pointer).as_ref() == Some(subnet))
            .and_then(document_id)
            .map(|id| id.to_string())
    };
    by(PRIVATE_ENDPOINT, "/properties/subnet").or_else(|| by(SITE, "/properties/virtualNetworkSubnetId"))
}

fn check_not_in_use(estate: &dyn DocumentLookup, subnet: &ResourceId) -> Result<(), ArmError> {
    match subnet_user(estate, subnet) {
        None => Ok(()),
        Some(user) => Err(ArmError::bad_request(
            "InUseSubnetCannotBeDeleted",
            format!(
                "Subnet {} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the \
                 resources within the subnet. See aka.ms/deletesubnet.",
                subnet.name()
            ),
        )),
    }
}

fn delegation_services(subnet: &Value) -> BTreeSet<String> {
    array_at(subnet, "/properties/delegations")
        .iter()
        .filter_map(|d| str_at(d, "/properties/serviceName"))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Delegations cannot change while NICs use the subnet (MicrosoftDocs/azure-docs#39112).
fn check_delegation_change(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    let Some(existing) = subnet_document(estate, id) else { return Ok(()) };
    let (before, after) = (delegation_services(&existing), delegation_services(document));
    if before == after {
        return Ok(());
    }
    let nic_user = documents_of_type(estate, NETWORK_INTERFACE).find_map(|nic| {
        array_at(nic, "/properties/ipConfigurations")
            .iter()
            .find(|c| id_at(c, "/properties/subnet").as_ref() == Some(id))
            .and_then(|c| str_at(c, "/id").map(str::to_string).or_else(|| document_id(nic).map(|i| i.to_string())))
    });
    match nic_user {
        None => Ok(()),
        Some(user) => Err(ArmError::bad_request(
            "SubnetDelegationsCannotChangeWhenSubnetUsedByResource",
            format!(
                "Delegations of subnet {id} cannot be changed from [{}] to [{}] because it is being used by the resource {user}.",
                before.into_iter().collect::<Vec<_>>().join(","),
                after.into_iter().collect::<Vec<_>>().join(",")
            ),
        )),
    }
}

/// At most one link between a zone and a VNet (§1.5).
fn check_unique_link(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    let (Some(zone), Some(vnet)) = (id.parent(), id_at(document, "/properties/virtualNetwork")) else { return Ok(()) };
    let duplicate = children_of(estate, &zone, ZONE_LINK)
        .into_iter()
        .filter(|l| document_id(l).as_ref() != Some(id))
        .find(|l| id_at(l, "/properties/virtualNetwork").as_ref() == Some(&vnet));
    match duplicate.and_then(|l| document_id(&l)) {
        None => Ok(()),
        Some(other) => Err(ArmError::new(
            409,
            "Conflict",
            format!(
                "A virtual network cannot be linked to the same private DNS zone more than once: {vnet} is already \
                 linked to {} by {}.",
                zone.name(),
                other.name()
            ),
        )),
    }
}

/// A site's `virtualNetworkSubnetId` needs a subnet delegated to `Microsoft.Web/serverFarms` and a
/// plan whose SKU offers VNet integration (§3.2).
fn check_site_integration(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    let Some(subnet_id) = str_at(document, "/properties/virtualNetworkSubnetId").filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let subnet_id = ResourceId::parse(subnet_id).map_err(|e| {
        ArmError::bad_request(
            "BadRequest",
            format!("virtualNetworkSubnetId '{subnet_id}' of {id} is not a subnet id: {e}"),
        )
    })?;
    let subnet = subnet_document(estate, &subnet_id).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidResourceReference",
            format!("Subnet {subnet_id} referenced by {id} was not found."),
        )
    })?;
    if !delegation_services(&subnet).contains(&INTEGRATION_DELEGATION.to_ascii_lowercase()) {
        let vnet = subnet_id.parent().map(|v| v.name().to_string()).unwrap_or_default();
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Subnet {} in VNET {vnet} is missing a delegation to {INTEGRATION_DELEGATION}. Please add the \
                 delegation and try again.",
                subnet_id.name()
            ),
        ));
    }
    let plan = id_at(document, "/properties/serverFarmId").and_then(|p| estate.document(&p));
    if let Some(tier) = plan.and_then(tier_without_integration) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "App Service plan tier '{tier}' does not support regional virtual network integration; use Basic, \
                 Standard, Premium or Elastic Premium."
            ),
        ));
    }
    Ok(())
}

/// A plan cannot move to a SKU without VNet integration while apps use it (Azure/bicep#6725).
fn check_plan_sku(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<(), ArmError> {
    if tier_without_integration(document).is_none() {
        return Ok(());
    }
    let integrated = documents_of_type(estate, SITE).any(|site| {
        id_at(site, "/properties/serverFarmId").as_ref() == Some(id)
            && str_at(site, "/properties/virtualNetworkSubnetId").is_some_and(|s| !s.is_empty())
    });
    if integrated {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The new SKU does not support Regional VNET integration which some apps are still using. Please \
             disconnect apps from Regional VNET integration and try again.",
        ));
    }
    Ok(())
}

/// The plan's tier if it is one without VNet integration, as the catalog decides it.
fn tier_without_integration(plan: &Value) -> Option<&'static str> {
    catalog::app_service_tier_without_networking(str_at(plan, "/sku/name"), str_at(plan, "/sku/tier"))
}
