//! # SEC403 azure-services-bypass-relied-on: an app reaches a firewalled Key Vault only through the `AzureServices` bypass
//!
//! **What it checks.** A vault whose firewall denies by default (`networkAcls.defaultAction: Deny`)
//! with `bypass: AzureServices` and no approved private endpoint is not used by an app — through a
//! Key Vault reference or a setting or connection string naming the vault's host — unless the app's
//! integration subnet is admitted by a virtual-network rule (with the `Microsoft.KeyVault` service
//! endpoint on that subnet).
//!
//! **Why it breaks.** The `AzureServices` bypass admits Key Vault's fixed list of trusted services.
//! App Service is on it *only* for deploying certificates: an app's own calls and its Key Vault
//! references are ordinary public callers, so the firewall answers `403 ForbiddenByFirewall`
//! ("Client address is not authorized and caller is not a trusted service") and a reference
//! silently delivers the literal `@Microsoft.KeyVault(...)` string ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references),
//! [Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references), [Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security)). The vault's own IP rules may admit the app's outbound addresses, which are not in
//! the estate: they are shown as evidence.
//!
//! **Example.** `kv1` has `defaultAction: Deny`, `bypass: AzureServices`, no private endpoint, and
//! `app-api` sets `DB_PASSWORD=@Microsoft.KeyVault(VaultName=kv1;SecretName=db)`.
//!
//! **Fix.** No automatic fix, because the remedy is a choice privlink cannot make for you (which
//! subnet holds a new endpoint, or whether to admit the subnet instead): give the vault a private
//! endpoint in the app's VNet with a zone group for `privatelink.vaultcore.azure.net` linked to
//! that VNet
//! (`az network private-endpoint create -g RG -n pe-VAULT --vnet-name VNET --subnet PE_SUBNET --private-connection-resource-id VAULT_ID --group-id vault --connection-name pe-VAULT`,
//! `az network private-endpoint dns-zone-group create -g RG --endpoint-name pe-VAULT -n default --private-dns-zone privatelink.vaultcore.azure.net --zone-name vault`),
//! or admit the integration subnet with a service endpoint and
//! `az keyvault network-rule add -g RG -n VAULT --vnet-name VNET --subnet SUBNET`. For Key Vault
//! references on Linux the app also needs route-all ([Key Vault references in App Service](https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)).
//!
//! **Reference.** https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints#trusted-services

use super::util::{approved_endpoints, backend_hosts, names_in_settings};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_engine::catalog;
use privlink_model::arm_type;
use privlink_model::{BackendKind, Model};
use serde_json::json;

pub(crate) const RULE: Rule = Rule {
    code: "SEC403",
    name: "azure-services-bypass-relied-on",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Never,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let service_endpoint = catalog::service_endpoint_service(arm_type::KEY_VAULTS).unwrap_or("Microsoft.KeyVault");
    for b in model.resources.backends.values().filter(|b| b.kind == BackendKind::KeyVault) {
        let Some(acls) = &b.network_acls else { continue };
        if !acls.denies_by_default()
            || !acls.bypasses_azure_services()
            || !approved_endpoints(model, &b.meta.id).is_empty()
        {
            continue;
        }
        let hosts = backend_hosts(b);
        let mut users = Vec::new();
        let mut evidence = vec![json!({
            "vault": b.meta.id,
            "publicNetworkAccess": b.public_network_access,
            "defaultAction": acls.default_action,
            "bypass": acls.bypass,
            "ipRules": acls.ip_rules,
            "virtualNetworkRules": acls.virtual_network_rules,
            "approvedPrivateEndpoints": [],
        })];
        for site in model.resources.sites.values() {
            let settings: Vec<String> =
                names_in_settings(site).into_iter().filter(|(n, _)| hosts.contains(n)).map(|(_, s)| s).collect();
            if settings.is_empty() {
                continue;
            }
            let admitted_subnet = site.integration_subnet.as_ref().is_some_and(|s| {
                acls.virtual_network_rules.contains(&s.value)
                    && model.resources.subnets.get(&s.value).is_some_and(|sub| {
                        sub.service_endpoints.iter().any(|e| e.eq_ignore_ascii_case(service_endpoint))
                    })
            });
            if admitted_subnet {
                continue;
            }
            users.push(format!("{} ({})", site.meta.name, settings.join(", ")));
            evidence.push(json!({"site": site.meta.id, "settings": settings}));
        }
        if users.is_empty() {
            continue;
        }
        let message = format!(
            "key vault {} denies by default and has no approved private endpoint, so {} can pass its firewall only through the AzureServices bypass — which admits App Service for certificate deployment only: app calls and Key Vault references get 403 ForbiddenByFirewall{}",
            b.meta.name,
            users.join(", "),
            if acls.ip_rules.is_empty() {
                String::new()
            } else {
                format!(" unless the app's outbound address is among ipRules {}", acls.ip_rules.join(", "))
            }
        );
        out.push(Finding::new(&RULE, b.meta.id.clone(), message).with_evidence(evidence));
    }
    out
}
