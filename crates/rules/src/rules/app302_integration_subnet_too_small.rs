//! # APP302 integration-subnet-too-small: an app's VNet integration subnet is smaller than /28
//!
//! **What it checks.** Every IPv4 prefix of an app's integration subnet is a /28 or larger.
//!
//! **Why it breaks.** App Service needs at least a /28 for an existing integration subnet (/26
//! recommended, and the minimum for multi-plan subnet join): every plan instance takes an address,
//! scaling temporarily doubles that, and Azure reserves five addresses per subnet
//! ([App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)). A smaller subnet is refused when the app is integrated.
//!
//! **Example.** `app-api` integrates with `snet-integration` = `10.1.1.0/29` (3 usable addresses).
//!
//! **Fix.** Widen the subnet (it must not overlap its neighbours), e.g.
//! `az network vnet subnet update -g RG --vnet-name VNET -n SUBNET --address-prefixes 10.1.1.0/26`.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration#subnet-requirements

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use ipnet::{IpNet, Ipv4Net};
use privlink_model::Model;
use serde_json::json;

/// The smallest integration subnet App Service accepts (§3.2).
const MIN_PREFIX: u8 = 28;

pub(crate) const RULE: Rule = Rule {
    code: "APP302",
    name: "integration-subnet-too-small",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for site in model.resources.sites.values() {
        let Some(integration) = &site.integration_subnet else { continue };
        let Some(subnet) = model.resources.subnets.get(&integration.value) else { continue };
        let small: Vec<Ipv4Net> = subnet
            .prefixes
            .iter()
            .filter_map(|p| match p {
                IpNet::V4(n) if n.prefix_len() > MIN_PREFIX => Some(*n),
                _ => None,
            })
            .collect();
        let Some(first) = small.first() else { continue };
        if !seen.insert(subnet.meta.id.clone()) {
            continue;
        }
        let wider = Ipv4Net::new(first.network(), MIN_PREFIX).expect("valid prefix length").trunc();
        let apps: Vec<&str> = model
            .indexes
            .subnet_members
            .get(&subnet.meta.id)
            .into_iter()
            .flatten()
            .filter(|m| model.resources.sites.contains_key(*m))
            .map(|m| m.name())
            .collect();
        let message = format!(
            "integration subnet {} of {} is {first} ({} usable addresses); App Service needs at least a /{MIN_PREFIX} (/26 recommended)",
            subnet.meta.name,
            apps.join(", "),
            (1u32 << (32 - first.prefix_len())).saturating_sub(5)
        );
        let evidence = vec![json!({
            "subnet": subnet.meta.id,
            "prefixes": subnet.prefixes,
            "sites": apps,
        })];
        let fix = Fix {
            az: vec![format!(
                "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --address-prefixes {wider}",
                rg(&subnet.meta.id),
                subnet.vnet.name(),
                subnet.meta.name
            )],
            edits: vec![
                Edit::add(&subnet.meta.id, "/properties/addressPrefix", json!(wider.to_string())),
                Edit::remove(&subnet.meta.id, "/properties/addressPrefixes"),
            ],
        };
        out.push(Finding::new(&RULE, subnet.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
