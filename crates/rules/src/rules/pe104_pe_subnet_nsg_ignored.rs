//! # PE104 pe-subnet-nsg-ignored: an NSG denies traffic to private endpoints on a subnet whose policies make Azure ignore it
//!
//! **What it checks.** Subnets that hold private endpoints and have an NSG with custom inbound
//! `Deny` rules matching an endpoint's address (by prefix, `*`, `VirtualNetwork` or the endpoint's
//! application security groups), while the subnet's `privateEndpointNetworkPolicies` is `Disabled`
//! or `RouteTableEnabled`.
//!
//! **Why it breaks.** Unless the subnet's private endpoint network policies include NSGs
//! (`NetworkSecurityGroupEnabled` or `Enabled`), subnet and NIC NSGs have no effect on traffic to
//! the private endpoints in it ([Manage network policies for private endpoints](https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy); `Disabled` is the default). The deny
//! someone relies on to fence the endpoint off is not enforced: every client that can route to the
//! endpoint reaches it.
//!
//! **Example.** `nsg-pe` on `snet-private-endpoints` has inbound `deny-all-inbound` (4000, Deny,
//! * → *), and the subnet's `privateEndpointNetworkPolicies` is `Disabled`.
//!
//! **Fix.** Make Azure apply the NSG to private endpoint traffic:
//! `az network vnet subnet update --resource-group RG --vnet-name VNET --name SUBNET --private-endpoint-network-policies NetworkSecurityGroupEnabled`
//! (`Enabled` when route-table policies are already on). Check the NSG first allows the clients
//! that should reach the endpoints.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_model::{Access, AddressMatch, Direction, Model};
use serde_json::json;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "PE104",
    name: "pe-subnet-nsg-ignored",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for subnet in model.resources.subnets.values() {
        let (Some(nsg_id), false) = (&subnet.nsg, subnet.private_endpoint_policies.network_security_groups) else {
            continue;
        };
        let Some(nsg) = model.resources.network_security_groups.get(nsg_id) else { continue };
        let endpoints: Vec<_> = model
            .indexes
            .subnet_members
            .get(&subnet.meta.id)
            .into_iter()
            .flatten()
            .filter_map(|id| model.resources.private_endpoints.get(id))
            .map(|pe| {
                let ips: Vec<IpAddr> = model.endpoint_nics(&pe.meta.id).flat_map(|n| n.private_ips()).collect();
                (pe, ips)
            })
            .collect();
        let mut denies = Vec::new();
        for r in nsg.rules.iter().filter(|r| r.direction == Direction::Inbound && r.access == Access::Deny) {
            let hits: Vec<&str> = endpoints
                .iter()
                .filter(|(pe, ips)| {
                    r.destinations.iter().any(|d| match d {
                        AddressMatch::Any => true,
                        AddressMatch::Prefix(p) => ips.iter().any(|ip| p.contains(ip)),
                        AddressMatch::Tag(t) => t.eq_ignore_ascii_case("VirtualNetwork"),
                        AddressMatch::ApplicationSecurityGroup(a) => pe.application_security_groups.contains(a),
                    })
                })
                .map(|(pe, _)| pe.meta.name.as_str())
                .collect();
            if !hits.is_empty() {
                denies.push((r, hits));
            }
        }
        if denies.is_empty() {
            continue;
        }
        let value =
            if subnet.private_endpoint_policies.route_tables { "Enabled" } else { "NetworkSecurityGroupEnabled" };
        let mut pes: Vec<&str> = denies.iter().flat_map(|(_, h)| h.iter().copied()).collect();
        pes.sort();
        pes.dedup();
        let message = format!(
            "NSG {} denies inbound traffic to private endpoint{} {} ({}), but subnet {} has privateEndpointNetworkPolicies {}: Azure does not apply the NSG to private endpoint traffic, so the deny is not enforced",
            nsg.meta.name,
            if pes.len() > 1 { "s" } else { "" },
            pes.join(", "),
            denies.iter().map(|(r, _)| format!("{} {}", r.name, r.priority)).collect::<Vec<_>>().join(", "),
            subnet.meta.name,
            subnet.private_endpoint_policies.as_arm()
        );
        let evidence = denies
            .iter()
            .map(|(r, hits)| json!({"rule": r.id, "priority": r.priority, "privateEndpoints": hits, "privateEndpointNetworkPolicies": subnet.private_endpoint_policies.as_arm()}))
            .collect();
        let fix = Fix {
            az: vec![format!(
                "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --private-endpoint-network-policies {value}",
                rg(&subnet.meta.id),
                subnet.vnet.name(),
                subnet.meta.name
            )],
            edits: vec![Edit::add(&subnet.meta.id, "/properties/privateEndpointNetworkPolicies", json!(value))],
        };
        out.push(Finding::new(&RULE, subnet.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
