//! # APP303 integration-subnet-shared: an app's VNet integration subnet holds other resources or other plans
//!
//! **What it checks.** The subnet an app integrates with holds nothing but App Service: no private
//! endpoint and no other network interface (error), and apps of only one App Service plan (warning
//! when apps of two or more plans share it).
//!
//! **Why it breaks.** A regional VNet integration subnet is delegated to `Microsoft.Web/serverFarms`
//! and belongs to App Service: it cannot be the private-endpoint subnet, and an app's own private
//! endpoint cannot share it ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview), [App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)). Other resources in it block or break the
//! integration — and App Service needs the addresses as it scales. Several plans may share one
//! subnet only through multi-plan subnet join (MPSJ): plans of one subscription, a subnet of /26 or
//! more, and enough addresses for every instance of every plan while scaling doubles them ([App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)).
//!
//! **Example.** `pe-sql` was created in `snet-integration`, the subnet `app-api` integrates with.
//!
//! **Fix.** No automatic fix: a private endpoint's subnet cannot be changed, so delete the endpoint
//! and create it again in the private-endpoint subnet
//! (`az network private-endpoint create -g RG -n PE --vnet-name VNET --subnet PE_SUBNET …`); move
//! other NICs out (`az network nic ip-config update -g RG --nic-name NIC -n IPCONFIG --subnet OTHER`);
//! give a second plan its own delegated subnet (`az webapp vnet-integration add -g RG -n APP --vnet VNET --subnet SUBNET`),
//! or confirm that MPSJ's conditions hold.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration#subnet-requirements

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_model::arm_type;
use privlink_model::Model;
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "APP303",
    name: "integration-subnet-shared",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut integration_subnets = std::collections::BTreeSet::new();
    for site in model.resources.sites.values() {
        if let Some(s) = &site.integration_subnet {
            integration_subnets.insert(s.value.clone());
        }
    }
    for subnet_id in integration_subnets {
        let members = model.indexes.subnet_members.get(&subnet_id).cloned().unwrap_or_default();
        let sites: Vec<_> = members.iter().filter_map(|m| model.resources.sites.get(m)).collect();
        let site_names: Vec<&str> = sites.iter().map(|s| s.meta.name.as_str()).collect();
        let subnet_name = model.resources.subnets.get(&subnet_id).map_or(subnet_id.name(), |s| s.meta.name.as_str());
        let vnet_name = subnet_id.parent().map(|v| v.name().to_string()).unwrap_or_default();
        for m in &members {
            let (what, detail) = if let Some(pe) = model.resources.private_endpoints.get(m) {
                let target = pe.primary_connection().and_then(|c| c.target.as_ref());
                let to_sites = target.is_some_and(|t| t.is_type(arm_type::SITES));
                (
                    format!("private endpoint {}", pe.meta.name),
                    match target {
                        Some(t) if to_sites => format!(
                            " (to app {}: an app's private endpoint cannot share its integration subnet)",
                            t.name()
                        ),
                        Some(t) => format!(" (to {})", t.name()),
                        None => String::new(),
                    },
                )
            } else if let Some(nic) = model.resources.network_interfaces.get(m) {
                if nic.private_endpoint.is_some() {
                    continue; // reported through its private endpoint
                }
                let ips: Vec<String> = nic.private_ips().map(|ip| ip.to_string()).collect();
                (format!("network interface {}", nic.meta.name), format!(" ({})", ips.join(", ")))
            } else {
                continue;
            };
            let message = format!(
                "{what}{detail} sits in subnet {subnet_name} (VNet {vnet_name}), the VNet integration subnet of {}; that subnet belongs to App Service alone",
                site_names.join(", ")
            );
            let evidence = vec![json!({
                "subnet": subnet_id,
                "resource": m,
                "integratedSites": sites.iter().map(|s| &s.meta.id).collect::<Vec<_>>(),
            })];
            out.push(Finding::new(&RULE, m.clone(), message).with_evidence(evidence));
        }
        let mut by_plan: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for s in &sites {
            let plan = s.plan.as_ref().map_or_else(|| format!("(no plan: {})", s.meta.name), |p| p.to_string());
            by_plan.entry(plan).or_default().push(&s.meta.name);
        }
        if by_plan.len() < 2 {
            continue;
        }
        let plans_text: Vec<String> = by_plan
            .iter()
            .map(|(p, apps)| format!("{} ({})", p.rsplit('/').next().unwrap_or(p), apps.join(", ")))
            .collect();
        let subscriptions: std::collections::BTreeSet<&str> =
            by_plan.keys().filter_map(|p| p.split('/').nth(2)).collect();
        let smallest = model
            .resources
            .subnets
            .get(&subnet_id)
            .and_then(|s| s.prefixes.iter().filter(|p| p.addr().is_ipv4()).map(|p| p.prefix_len()).max());
        let mut conditions = Vec::new();
        if subscriptions.len() > 1 {
            conditions.push("the plans are in different subscriptions, which MPSJ does not allow".to_string());
        }
        if let Some(len) = smallest.filter(|l| *l > 26) {
            conditions.push(format!("the subnet is a /{len}, smaller than the /26 MPSJ needs"));
        }
        let message = format!(
            "integration subnet {subnet_name} (VNet {vnet_name}) is shared by {} plans: {}; only multi-plan subnet join allows that{}",
            by_plan.len(),
            plans_text.join("; "),
            if conditions.is_empty() {
                " (plans of one subscription, enough addresses for every instance while scaling doubles them)".to_string()
            } else {
                format!(", and {}", conditions.join(" and "))
            }
        );
        let evidence = vec![json!({
            "subnet": subnet_id,
            "plans": by_plan,
            "prefixes": model.resources.subnets.get(&subnet_id).map(|s| &s.prefixes),
        })];
        out.push(Finding::new(&RULE, subnet_id.clone(), message).at_secondary_severity(&RULE).with_evidence(evidence));
    }
    out
}
