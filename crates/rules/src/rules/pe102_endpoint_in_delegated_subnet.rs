//! # PE102 endpoint-in-delegated-subnet: a private endpoint sits in a subnet delegated to a service
//!
//! **What it checks.** The subnet of every private endpoint carries no delegation
//! (`properties.delegations`).
//!
//! **Why it breaks.** A delegated subnet belongs to the service it is delegated to; Azure refuses to
//! place a private endpoint in it. An App Service integration subnet (delegated to
//! `Microsoft.Web/serverFarms`) in particular can hold neither the app's nor any other private
//! endpoint ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview), [App Service virtual network integration](https://learn.microsoft.com/azure/app-service/overview-vnet-integration): the integration subnet is not a PE subnet). A template or
//! plan that does this fails to deploy, or the estate you describe is not the one in Azure.
//!
//! **Example.** `pe-kv` is placed in `snet-integration`, delegated to `Microsoft.Web/serverFarms`.
//!
//! **Fix.** Put the endpoint in a subnet of its own without delegation. When nothing uses the
//! delegation, remove it:
//! `az network vnet subnet update -g RG --vnet-name VNET -n SUBNET --remove delegations`.
//! Otherwise delete the endpoint and create it in another subnet
//! (`az network private-endpoint create … --subnet SUBNET_ID`).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-overview#limitations

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_model::Model;
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "PE102",
    name: "endpoint-in-delegated-subnet",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for pe in model.resources.private_endpoints.values() {
        let Some(subnet) = pe.subnet.as_ref().and_then(|s| model.resources.subnets.get(s)) else { continue };
        if subnet.delegations.is_empty() {
            continue;
        }
        // Other users of the delegation: integrated apps (anything in the subnet that is not a PE or its NIC).
        let users: Vec<_> = model
            .indexes
            .subnet_members
            .get(&subnet.meta.id)
            .into_iter()
            .flatten()
            .filter(|m| model.resources.sites.contains_key(*m))
            .collect();
        let fix = if users.is_empty() {
            Some(Fix {
                az: vec![format!(
                    "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --remove delegations",
                    rg(&subnet.meta.id),
                    subnet.vnet.name(),
                    subnet.meta.name
                )],
                edits: vec![Edit::add(&subnet.meta.id, "/properties/delegations", json!([]))],
            })
        } else {
            None
        };
        let message = format!(
            "private endpoint {} is in subnet {}, which is delegated to {}: Azure does not place private endpoints in delegated subnets{}",
            pe.meta.name,
            subnet.meta.name,
            subnet.delegations.join(", "),
            if users.is_empty() {
                String::new()
            } else {
                format!(
                    "; the delegation is used by {}, so move the endpoint to another subnet",
                    users.iter().map(|u| u.name()).collect::<Vec<_>>().join(", ")
                )
            }
        );
        let evidence = vec![json!({
            "privateEndpoint": pe.meta.id,
            "subnet": subnet.meta.id,
            "delegations": subnet.delegations,
            "delegationUsers": users,
        })];
        out.push(Finding::new(&RULE, pe.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
