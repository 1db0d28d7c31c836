//! # APP307 keyvault-reference-needs-route-all: a Linux app resolves Key Vault references through a private endpoint without route-all
//!
//! **What it checks.** Linux apps that are VNet-integrated and have an app setting holding a Key
//! Vault reference (`@Microsoft.KeyVault(SecretUri=…)` or `VaultName=…`) to a vault of the estate
//! that is reachable only through an approved private endpoint (public network access `Disabled`,
//! or a firewall that denies by default), while route-all is off: no `vnetRouteAllEnabled`, no
//! `outboundVnetRouting.allTraffic`/`applicationTraffic`, no `WEBSITE_VNET_ROUTE_ALL=1`.
//!
//! **Why it breaks.** App Service resolves references first over the public route and retries
//! through the VNet integration only when the vault refuses; Linux apps whose vault is reached via a
//! private endpoint must have all-traffic routing enabled for that ([Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references),
//! stated by Learn as a current limitation; privlink requires it for Linux, not for Windows: a
//! modelling choice).
//! A failed reference silently delivers the literal `@Microsoft.KeyVault(...)` string to the app
//! ([Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)).
//!
//! **Example.** `app,linux` site integrated into `snet-app`, `OPENAI_API_KEY =
//! @Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/k)`, `kv1` has
//! `publicNetworkAccess: Disabled` and an approved endpoint, `vnetRouteAllEnabled: false`.
//!
//! **Fix.** Turn route-all on:
//! `az webapp config set --resource-group RG --name APP --vnet-route-all-enabled true`.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#access-network-restricted-vaults

use super::util::rg;
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_engine::dns::dependencies::hostnames_in;
use privlink_engine::trace::owner_of;
use privlink_model::{BackendKind, Model, PublicNetworkAccess, Site};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "APP307",
    name: "keyvault-reference-needs-route-all",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn route_all(site: &Site) -> bool {
    site.outbound_vnet_routing.all_traffic == Some(true)
        || site.outbound_vnet_routing.application_traffic == Some(true)
        || site.vnet_route_all_enabled.as_ref().is_some_and(|f| f.value)
        || site.app_setting("WEBSITE_VNET_ROUTE_ALL").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in model.resources.sites.values() {
        let linux = site.is_linux()
            || site.plan.as_ref().and_then(|p| model.resources.plans.get(p)).is_some_and(|p| p.is_linux);
        if !linux || site.integration_subnet.is_none() || route_all(site) {
            continue;
        }
        for (setting, value) in &site.app_settings {
            if !value.trim_start().starts_with(catalog::KEY_VAULT_REFERENCE_PREFIX) {
                continue;
            }
            for name in hostnames_in(value) {
                let Some(vault) = owner_of(model, &name).and_then(|id| model.resources.backends.get(&id)) else {
                    continue;
                };
                let private_only = vault.public_network_access == PublicNetworkAccess::Disabled
                    || vault.network_acls.as_ref().is_some_and(|a| a.denies_by_default());
                let endpoints = analysis.approved_endpoints_for(&name);
                if vault.kind != BackendKind::KeyVault || !private_only || endpoints.is_empty() {
                    continue;
                }
                let edits: Vec<Edit> = std::iter::once(&site.meta.id)
                    .chain(&site.web_config_source)
                    .map(|doc| Edit::add(doc, "/properties/vnetRouteAllEnabled", json!(true)))
                    .collect();
                let message = format!(
                    "Linux app {} resolves Key Vault reference {setting} from {}, reachable only through private endpoint {}, but route-all is off: the reference fails and the app sees the literal @Microsoft.KeyVault(...) string",
                    site.meta.name,
                    vault.meta.name,
                    endpoints[0].meta.name
                );
                let evidence = vec![json!({
                    "app": site.meta.id,
                    "setting": setting,
                    "vault": vault.meta.id,
                    "publicNetworkAccess": format!("{:?}", vault.public_network_access),
                    "privateEndpoint": endpoints[0].meta.id,
                    "vnetRouteAllEnabled": site.vnet_route_all_enabled.as_ref().map(|f| f.value),
                    "outboundVnetRouting": {"allTraffic": site.outbound_vnet_routing.all_traffic, "applicationTraffic": site.outbound_vnet_routing.application_traffic},
                    "WEBSITE_VNET_ROUTE_ALL": site.app_setting("WEBSITE_VNET_ROUTE_ALL"),
                })];
                let fix = Fix {
                    az: vec![format!(
                        "az webapp config set --resource-group {} --name {} --vnet-route-all-enabled true",
                        rg(&site.meta.id),
                        site.meta.name
                    )],
                    edits,
                };
                out.push(Finding::new(&RULE, site.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
            }
        }
    }
    out
}
