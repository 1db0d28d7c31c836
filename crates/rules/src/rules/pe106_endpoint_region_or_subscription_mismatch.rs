//! # PE106 endpoint-region-or-subscription-mismatch: a private endpoint is not in its VNet's region or subscription
//!
//! **What it checks.** A private endpoint's `location` is its virtual network's location, and the
//! endpoint lives in the subscription of its subnet's virtual network.
//!
//! **Why it breaks.** Azure creates a private endpoint only in the same region and subscription as
//! the virtual network it joins; only the *target* may be in another region or subscription
//! ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview), Learn "What is a private endpoint?" properties table). A template or
//! plan that puts it elsewhere fails to deploy, so the endpoint — and the private path that relies
//! on it — does not exist in Azure.
//!
//! **Example.** `pe-sql` has `location: northeurope` but joins `snet-pe` of `vnet-app` in `westeurope`.
//!
//! **Fix.** No automatic fix: neither the region nor the subscription of an endpoint can be
//! changed. Delete it and create it again beside its VNet
//! (`az network private-endpoint create --subscription SUB -g RG -n PE --location VNET_REGION --vnet-name VNET --subnet SUBNET --private-connection-resource-id TARGET --group-id GROUP --connection-name CONN`).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-endpoint-properties

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_model::{Model, Region};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "PE106",
    name: "endpoint-region-or-subscription-mismatch",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for pe in model.resources.private_endpoints.values() {
        let Some(subnet) = &pe.subnet else { continue };
        let Some(vnet_id) = subnet.parent() else { continue };
        let vnet = model.resources.virtual_networks.get(&vnet_id);
        let mut problems = Vec::new();
        let pe_region = pe.meta.location.as_deref();
        let vnet_region = vnet.and_then(|v| v.meta.location.as_deref());
        if let (Some(a), Some(b)) = (pe_region, vnet_region) {
            if Region::new(a) != Region::new(b) {
                problems.push(format!("is in region {a} but its VNet {} is in {b}", vnet_id.name()));
            }
        }
        let pe_sub = pe.meta.id.subscription();
        let vnet_sub = vnet_id.subscription();
        if let (Some(a), Some(b)) = (pe_sub, vnet_sub) {
            if !a.eq_ignore_ascii_case(b) {
                problems.push(format!("is in subscription {a} but its VNet {} is in subscription {b}", vnet_id.name()));
            }
        }
        if problems.is_empty() {
            continue;
        }
        let message = format!(
            "private endpoint {} {}: an endpoint must be in its VNet's region and subscription, so Azure refuses to create it; recreate it beside {}",
            pe.meta.name,
            problems.join(" and "),
            vnet_id.name()
        );
        let evidence = vec![json!({
            "privateEndpoint": pe.meta.id,
            "location": pe_region,
            "subscription": pe_sub,
            "subnet": subnet,
            "vnetLocation": vnet_region,
            "vnetSubscription": vnet_sub,
        })];
        out.push(Finding::new(&RULE, pe.meta.id.clone(), message).with_evidence(evidence));
    }
    out
}
