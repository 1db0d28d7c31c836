//! # APP304 sku-without-vnet-integration: an app on a Free, Shared or Consumption plan uses VNet integration or a private endpoint
//!
//! **What it checks.** An app that integrates with a subnet, or that an approved private endpoint
//! targets, runs on a plan whose SKU offers both: not Free (`F1`), Shared (`D1`) or the Functions
//! Consumption plan (`Y1`, tier `Dynamic`).
//!
//! **Why it breaks.** Regional VNet integration exists on Basic, Standard, Premium v2/v3/v4 and
//! Elastic Premium plans, and private endpoints for an app on Basic and above and Functions
//! Premium — never on Free, Shared or Consumption ([App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration), [Private endpoints for App Service apps](https://learn.microsoft.com/azure/app-service/overview-private-endpoint)). Azure refuses the
//! integration or the endpoint there, so the app's outbound calls never enter the VNet (private
//! names resolve publicly, private endpoints are unreachable) and no private inbound path exists.
//!
//! **Example.** `app-api` sets `virtualNetworkSubnetId`, but its plan `plan-api` is `F1` (Free).
//!
//! **Fix.** Scale the plan up: `az appservice plan update -g RG -n PLAN --sku S1`. A Consumption
//! plan cannot be scaled to another tier: create an Elastic Premium plan and move the (Windows)
//! function app to it (`az functionapp plan create -g RG -n PLAN --location LOC --sku EP1`, then
//! `az functionapp update -g RG -n APP --plan PLAN`); a Linux function app must be redeployed onto
//! such a plan (no automatic fix).
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-vnet-integration#regional-virtual-network-integration

use super::util::{approved_endpoints, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_model::arm_type;
use privlink_model::{Model, Region, ResourceId};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "APP304",
    name: "sku-without-vnet-integration",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for (plan_id, site_ids) in &model.indexes.sites_of_plan {
        let Some(plan) = model.resources.plans.get(plan_id) else { continue };
        let Some(tier) =
            catalog::app_service_tier_without_networking(plan.sku_name.as_deref(), plan.sku_tier.as_deref())
        else {
            continue;
        };
        let mut uses = Vec::new();
        let mut evidence = Vec::new();
        for site in site_ids.iter().filter_map(|s| model.resources.sites.get(s)) {
            let endpoints = approved_endpoints(model, &site.meta.id);
            let mut what = Vec::new();
            if let Some(s) = &site.integration_subnet {
                what.push(format!("VNet integration with subnet {}", s.value.name()));
            }
            if !endpoints.is_empty() {
                what.push(format!(
                    "private endpoint {}",
                    endpoints.iter().map(ResourceId::name).collect::<Vec<_>>().join(", ")
                ));
            }
            if what.is_empty() {
                continue;
            }
            uses.push(format!("{} ({})", site.meta.name, what.join(" and ")));
            evidence.push(json!({
                "site": site.meta.id,
                "integrationSubnet": site.integration_subnet.as_ref().map(|s| &s.value),
                "privateEndpoints": endpoints,
            }));
        }
        if uses.is_empty() {
            continue;
        }
        let sku = plan.sku_name.as_deref().unwrap_or(tier);
        let dynamic = tier == "Dynamic";
        let fix = if !dynamic {
            Some(Fix {
                az: vec![format!(
                    "az appservice plan update --resource-group {} --name {} --sku S1",
                    rg(plan_id),
                    plan.meta.name
                )],
                edits: [("name", "S1"), ("tier", "Standard"), ("size", "S1"), ("family", "S")]
                    .into_iter()
                    .map(|(key, value)| Edit::add(plan_id, format!("/sku/{key}"), json!(value)))
                    .collect(),
            })
        } else if !plan.is_linux {
            Some(move_to_premium(model, plan_id, site_ids))
        } else {
            None
        };
        let message = format!(
            "plan {} is {sku} ({tier}), which offers neither VNet integration nor private endpoints, but {} {} them{}",
            plan.meta.name,
            uses.join(", "),
            if uses.len() == 1 { "uses" } else { "use" },
            if dynamic && plan.is_linux {
                "; a Linux Consumption app must be redeployed onto an Elastic Premium or Dedicated plan"
            } else {
                ""
            }
        );
        let evidence = std::iter::once(json!({"plan": plan_id, "sku": plan.sku_name, "tier": plan.sku_tier}))
            .chain(evidence)
            .collect();
        out.push(Finding::new(&RULE, plan_id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}

/// A Windows Consumption plan cannot change tier: a new Elastic Premium plan, and the apps moved to it.
fn move_to_premium(model: &Model, plan_id: &ResourceId, site_ids: &[ResourceId]) -> Fix {
    let plan = &model.resources.plans[plan_id];
    let name = format!("{}-premium", plan.meta.name);
    let new_id = ResourceId::parse(&format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{}/{name}",
        plan_id.subscription().unwrap_or("SUBSCRIPTION"),
        rg(plan_id),
        arm_type::SERVER_FARMS
    ))
    .expect("a well-formed plan id");
    let location = plan.meta.location.clone().unwrap_or_else(|| "LOCATION".into());
    let mut az = vec![format!(
        "az functionapp plan create --resource-group {} --name {name} --location {} --sku EP1",
        rg(plan_id),
        Region::new(&location)
    )];
    let mut edits = vec![Edit::create(
        &new_id,
        json!({
            "location": location,
            "kind": "elastic",
            "sku": {"name": "EP1", "tier": "ElasticPremium", "size": "EP1", "family": "EP"},
            "properties": {"reserved": false, "maximumElasticWorkerCount": 20},
        }),
    )];
    for site in site_ids {
        az.push(format!("az functionapp update --resource-group {} --name {} --plan {name}", rg(site), site.name()));
        edits.push(Edit::add(site, "/properties/serverFarmId", json!(new_id.to_string())));
    }
    Fix { az, edits }
}
