//! # APP301 integration-subnet-not-delegated: an app's VNet integration subnet is not delegated to App Service
//!
//! **What it checks.** The subnet in an app's `virtualNetworkSubnetId` (or its swift
//! `virtualNetworkConnections` entry) is delegated to `Microsoft.Web/serverFarms`.
//!
//! **Why it breaks.** Regional VNet integration requires the delegation ([App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration)). The
//! portal adds it when it integrates the app; a template or CLI call against an undelegated subnet —
//! or one delegated to another service — fails, so the app in Azure is not integrated and its
//! outbound calls never enter the VNet.
//!
//! **Example.** `app-api` integrates with `snet-integration`, which has no delegation.
//!
//! **Fix.** `az network vnet subnet update -g RG --vnet-name VNET -n SUBNET --delegations Microsoft.Web/serverFarms`.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration#subnet-requirements

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_model::Model;
use serde_json::json;

const SERVICE: &str = catalog::INTEGRATION_DELEGATION;

pub(crate) const RULE: Rule = Rule {
    code: "APP301",
    name: "integration-subnet-not-delegated",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in model.resources.sites.values() {
        let Some(integration) = &site.integration_subnet else { continue };
        let Some(subnet) = model.resources.subnets.get(&integration.value) else { continue };
        if subnet.is_delegated_to(SERVICE) {
            continue;
        }
        let now = if subnet.delegations.is_empty() {
            "has no delegation".to_string()
        } else {
            format!("is delegated to {}", subnet.delegations.join(", "))
        };
        let message = format!(
            "app {} integrates with subnet {} (VNet {}), which {now}; VNet integration needs it delegated to {SERVICE}",
            site.meta.name,
            subnet.meta.name,
            subnet.vnet.name()
        );
        let evidence = vec![json!({
            "site": site.meta.id,
            "setBy": integration.source,
            "subnet": subnet.meta.id,
            "delegations": subnet.delegations,
        })];
        let fix = Fix {
            az: vec![format!(
                "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --delegations {SERVICE}",
                rg(&subnet.meta.id),
                subnet.vnet.name(),
                subnet.meta.name
            )],
            edits: vec![Edit::add(
                &subnet.meta.id,
                "/properties/delegations",
                json!([{"name": "delegation", "properties": {"serviceName": SERVICE}}]),
            )],
        };
        out.push(Finding::new(&RULE, subnet.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
