//! # PE103 static-ip-invalid: a private endpoint's static IP is reserved, outside its subnet or taken
//!
//! **What it checks.** Every `ipConfigurations[].properties.privateIPAddress` of a private endpoint
//! lies inside the endpoint's subnet, is not one of the five addresses Azure reserves in every
//! subnet, and is not held by another network interface.
//!
//! **Why it breaks.** Azure reserves the network address, `x.x.x.1` (gateway), `x.x.x.2` and
//! `x.x.x.3` (Azure DNS) and the last address of every subnet ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview), [App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)). A
//! static address that is reserved, outside the subnet or already in use is refused when the
//! endpoint is created, so the endpoint (and the DNS records pointing at that address) do not exist
//! as written.
//!
//! **Example.** `pe-kv` in `10.1.2.0/24` asks for `10.1.2.3`.
//!
//! **Fix.** Use a free address from the subnet's usable range (`.4` up to the last but one). Static
//! IPs cannot be edited in place: replace the IP configuration
//! (`az network private-endpoint ip-config remove …` then
//! `az network private-endpoint ip-config add … --private-ip-address 10.1.2.10`). No automatic fix
//! when the subnet has no free address left.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets

use super::util::{has_name, member_indices, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use ipnet::{IpNet, Ipv4Net};
use privlink_model::{Model, Subnet};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

pub(crate) const RULE: Rule = Rule {
    code: "PE103",
    name: "static-ip-invalid",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// Why an address is unusable in a subnet, if it is.
fn problem(model: &Model, subnet: &Subnet, ip: IpAddr, own_nics: &[privlink_model::ResourceId]) -> Option<String> {
    let Some(net) = subnet.prefixes.iter().find(|p| p.contains(&ip)) else {
        let prefixes: Vec<String> = subnet.prefixes.iter().map(|p| p.to_string()).collect();
        return Some(format!("outside subnet {} ({})", subnet.meta.name, prefixes.join(", ")));
    };
    if let (IpNet::V4(net), IpAddr::V4(v4)) = (net, ip) {
        let offset = u32::from(v4) - u32::from(net.network());
        if offset <= 3 || v4 == net.broadcast() {
            return Some(format!("one of the five addresses Azure reserves in {net}"));
        }
    }
    let holders: Vec<_> = model
        .indexes
        .nics_by_ip
        .get(&ip)
        .into_iter()
        .flatten()
        .filter(|n| !own_nics.contains(n))
        .map(|n| n.name().to_string())
        .collect();
    (!holders.is_empty()).then(|| format!("already held by {}", holders.join(", ")))
}

/// The lowest usable address of the subnet not taken by a NIC nor in `claimed`.
fn free_address(model: &Model, subnet: &Subnet, claimed: &BTreeSet<IpAddr>) -> Option<Ipv4Addr> {
    let net: Ipv4Net = subnet.prefixes.iter().find_map(|p| match p {
        IpNet::V4(n) => Some(*n),
        IpNet::V6(_) => None,
    })?;
    let (first, last) = (u32::from(net.network()) + 4, u32::from(net.broadcast()).checked_sub(1)?);
    (first..=last).map(Ipv4Addr::from).find(|a| {
        let ip = IpAddr::V4(*a);
        !model.indexes.nics_by_ip.contains_key(&ip) && !claimed.contains(&ip)
    })
}

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut claimed: BTreeSet<IpAddr> = model
        .resources
        .private_endpoints
        .values()
        .flat_map(|pe| pe.ip_configurations.iter().filter_map(|c| c.private_ip))
        .collect();
    for pe in model.resources.private_endpoints.values() {
        let Some(subnet) = pe.subnet.as_ref().and_then(|s| model.resources.subnets.get(s)) else { continue };
        let own_nics = model.indexes.nics_of_endpoint.get(&pe.meta.id).cloned().unwrap_or_default();
        for cfg in &pe.ip_configurations {
            let Some(ip) = cfg.private_ip else { continue };
            let Some(why) = problem(model, subnet, ip, &own_nics) else { continue };
            let replacement = free_address(model, subnet, &claimed);
            let fix = replacement.map(|new_ip| {
            claimed.insert(IpAddr::V4(new_ip));
            let configs = "/properties/ipConfigurations";
            let edits = member_indices(model, &pe.meta.id, configs, |c| has_name(c, &cfg.name))
                .into_iter()
                .map(|i| {
                    Edit::add(&pe.meta.id, format!("{configs}/{i}/properties/privateIPAddress"), json!(new_ip.to_string()))
                })
                .collect();
            let (group, member) = (
                cfg.group_id.clone().unwrap_or_else(|| "GROUP_ID".into()),
                cfg.member_name.clone().or(cfg.group_id.clone()).unwrap_or_else(|| "MEMBER".into()),
            );
                Fix {
                    az: vec![
                        format!(
                            "az network private-endpoint ip-config remove --resource-group {} --endpoint-name {} --name {}",
                            rg(&pe.meta.id),
                            pe.meta.name,
                            cfg.name
                        ),
                        format!(
                            "az network private-endpoint ip-config add --resource-group {} --endpoint-name {} --name {} --group-id {group} --member-name {member} --private-ip-address {new_ip}",
                            rg(&pe.meta.id),
                            pe.meta.name,
                            cfg.name
                        ),
                    ],
                    edits,
                }
            });
            let message = format!(
                "private endpoint {} asks for static IP {ip} (ip configuration {}), which is {why}; Azure refuses it{}",
                pe.meta.name,
                cfg.name,
                replacement.map(|a| format!(" — {a} is free")).unwrap_or_default()
            );
            let evidence = vec![json!({
                "privateEndpoint": pe.meta.id,
                "ipConfiguration": cfg.name,
                "privateIPAddress": ip,
                "subnet": subnet.meta.id,
                "subnetPrefixes": subnet.prefixes,
                "problem": why,
            })];
            out.push(Finding::new(&RULE, pe.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
        }
    }
    out
}
