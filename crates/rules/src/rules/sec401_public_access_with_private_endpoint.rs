//! # SEC401 public-access-with-private-endpoint: a backend with an approved private endpoint still accepts public traffic
//!
//! **What it checks.** A resource that has an approved private endpoint connection sets
//! `publicNetworkAccess` to `Disabled` (or `SecuredByPerimeter`), or at least closes its firewall
//! (`networkAcls.defaultAction: Deny`). Only types the service catalog gives a public name: a
//! Private Link Service (`Microsoft.Network/privateLinkServices`) has approved connections but no
//! public endpoint and no `publicNetworkAccess`.
//!
//! **Why it breaks.** A private endpoint never removes public access by itself ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview),
//! [Private endpoints for App Service apps](https://learn.microsoft.com/azure/app-service/overview-private-endpoint) for apps): the public endpoint keeps answering, so the isolation the endpoint was made for
//! does not exist, and a client with broken private DNS silently keeps working over the internet
//! until someone closes public access. When the property is absent the service default applies,
//! which for Redis is disputed between sources ([Azure Cache for Redis with Private Link](https://learn.microsoft.com/azure/azure-cache-for-redis/cache-private-link): ARM says `Enabled`); it is treated as enabled.
//!
//! **Example.** `sql-app` has an approved endpoint `pe-sql` and `publicNetworkAccess: Enabled`.
//!
//! **Fix.** Close the public endpoint once every client uses the private one, e.g.
//! `az resource update --ids ID --set properties.publicNetworkAccess=Disabled`
//! (or `az sql server update --enable-public-network false`, `az keyvault update --public-network-access Disabled`).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-overview#network-security-of-private-endpoints

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::{self, Cloud};
use privlink_model::{BackendKind, ConnectionStatus, Model, PublicNetworkAccess};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "SEC401",
    name: "public-access-with-private-endpoint",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in model.resources.backends.values().filter(|b| has_public_endpoint(&b.resource_type)) {
        let from_endpoints = model.indexes.endpoints_of_target.get(&b.meta.id).into_iter().flatten().filter(|pe| {
            model.resources.private_endpoints.get(*pe).is_some_and(|pe| {
                pe.connections
                    .iter()
                    .any(|c| c.target.as_ref() == Some(&b.meta.id) && c.status == ConnectionStatus::Approved)
            })
        });
        let mut approved: Vec<_> = b.approved_connections().filter_map(|c| c.private_endpoint.clone()).collect();
        approved.extend(from_endpoints.cloned());
        approved.sort();
        approved.dedup();
        if approved.is_empty() {
            continue;
        }
        let setting = match b.public_network_access {
            PublicNetworkAccess::Enabled => "publicNetworkAccess is Enabled",
            PublicNetworkAccess::Unset => "publicNetworkAccess is not set (the service default, Enabled, applies)",
            _ => continue,
        };
        if b.network_acls.as_ref().is_some_and(|a| a.denies_by_default()) {
            continue;
        }
        let az = match b.kind {
            BackendKind::SqlServer => format!(
                "az sql server update --resource-group {} --name {} --enable-public-network false",
                b.meta.id.resource_group().unwrap_or("RG"),
                b.meta.name
            ),
            BackendKind::KeyVault => format!(
                "az keyvault update --resource-group {} --name {} --public-network-access Disabled",
                b.meta.id.resource_group().unwrap_or("RG"),
                b.meta.name
            ),
            _ => format!("az resource update --ids {} --set properties.publicNetworkAccess=Disabled", b.meta.id),
        };
        let message = format!(
            "{} ({}) is reached through private endpoint {} but {setting} and no firewall denies by default: its public endpoint stays open beside the private one",
            b.meta.name,
            b.resource_type,
            approved.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
        );
        let evidence = vec![json!({
            "resource": b.meta.id,
            "publicNetworkAccess": b.public_network_access,
            "networkAcls": b.network_acls,
            "approvedPrivateEndpoints": approved,
        })];
        let fix = Fix {
            az: vec![az],
            edits: vec![Edit::add(&b.meta.id, "/properties/publicNetworkAccess", json!("Disabled"))],
        };
        out.push(Finding::new(&RULE, b.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}

/// Whether the catalog knows a public name for the type: only then is there a public endpoint to
/// close. A Private Link Service (or any type the catalog gives no public suffix) has none, and no
/// `publicNetworkAccess` a fix could set.
fn has_public_endpoint(resource_type: &str) -> bool {
    catalog::entries_for_type(resource_type).any(|e| !e.public_suffixes(Cloud::Public).is_empty())
}
