//! # SEC406 backend-firewall-refuses-app: a backend without a private endpoint refuses the app at its firewall
//!
//! **What it checks.** Traced dependencies that reach a backend's public endpoint (or are dropped
//! on the way to it) where the backend's own gate refuses them, as the trace's service step
//! decides it: public network access is on, but the firewall denies by default and no rule admits
//! the app — a Key Vault, Storage account or Cognitive Services account whose `networkAcls` deny by
//! default with no IP or virtual network rule, or a SQL server with no firewall rule and no
//! virtual network rule for the app. Backends with an approved private endpoint in the estate are
//! left to the DNS and VNet integration rules (the fix there is the private path), and a virtual
//! network rule for a subnet without its service endpoint is SEC405's.
//!
//! **Why it breaks.** The app's traffic arrives from a public address (its outbound address, or
//! the VNet's egress address under route-all) that no rule lists, so the service refuses it: Key
//! Vault 403 `ForbiddenByFirewall`, SQL error 40615, Cognitive Services 403, Storage 403
//! `AuthorizationFailure` ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security), [Azure Storage firewalls and virtual networks](https://learn.microsoft.com/azure/storage/common/storage-network-security)). App Service is not a trusted Azure service for
//! app traffic, so `bypass: AzureServices` does not help ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security)). The seeds call this "Incorrect
//! firewall expectations" (seed 003).
//!
//! **Example.** `kv1` has `publicNetworkAccess: Enabled`, `networkAcls.defaultAction: Deny`, no
//! rules and no private endpoint; `app1`, integrated into `snet-int` with route-all off, names
//! `kv1.vault.azure.net`: refused by the vault's firewall.
//!
//! **Fix.** For an integrated app, admit its integration subnet with a service endpoint and a
//! virtual network rule (the traffic then carries the subnet's private addresses, [App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing), [What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)):
//! `az network vnet subnet update --resource-group RG --vnet-name VNET --name SUBNET --service-endpoints … Microsoft.KeyVault`
//! and `az keyvault network-rule add --resource-group RG --name KV --subnet SUBNET_ID` (Storage:
//! `az storage account network-rule add`, Cognitive Services: `az cognitiveservices account
//! network-rule add`, SQL: `az sql server vnet-rule create`). The edits add the endpoint to the
//! subnet and the rule to the backend. No fix for an app without VNet integration: integrate it,
//! or give the backend a private endpoint.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview ·
//! https://learn.microsoft.com/azure/key-vault/general/network-security ·
//! https://learn.microsoft.com/azure/azure-sql/database/vnet-service-endpoint-rule-overview

use super::util::rg;
use super::Rule;
use crate::deps::{Analysis, PathOutcome, Traced};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog;
use privlink_engine::nsg::is_public;
use privlink_engine::path::{public_endpoint_verdict, service_endpoint_on, FlowVerdict, Step};
use privlink_engine::trace::owner_of;
use privlink_model::{arm_type, Backend, BackendKind, Model, PublicNetworkAccess, ResourceId, Site, Subnet};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "SEC406",
    name: "backend-firewall-refuses-app",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // (backend, app) → the dependencies refused
    let mut refused: BTreeMap<(ResourceId, ResourceId), Vec<Traced>> = BTreeMap::new();
    let reaches_public = |p: &PathOutcome| {
        p.denied_at_step(Step::Service) || (p.verdict == FlowVerdict::Denied && is_public(p.destination.ip))
    };
    for (d, path) in analysis.traced().filter(|(_, p)| reaches_public(p)) {
        let Some(backend) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        if backend.public_network_access != PublicNetworkAccess::Enabled
            && backend.public_network_access != PublicNetworkAccess::Unset
        {
            continue; // SEC404 / APP308 / the DNS rules
        }
        if !analysis.approved_endpoints_for(&d.name).is_empty() {
            continue;
        }
        let subnet = integration_subnet(model, d.site);
        if subnet.is_some_and(|s| backend.virtual_network_rule_for(&s.meta.id).is_some()) {
            continue; // SEC405: the rule exists, the subnet lacks its service endpoint
        }
        let through_vnet = subnet.is_some_and(|s| service_endpoint_on(s, &backend.resource_type).is_some());
        if public_endpoint_verdict(model, &d.site.meta.id, &backend.meta.id, through_vnet) != Some(FlowVerdict::Denied)
        {
            continue;
        }
        refused.entry((backend.meta.id.clone(), d.site.meta.id.clone())).or_default().push((d, path));
    }
    let mut out = Vec::new();
    for ((backend_id, _), deps) in refused {
        let backend = &model.resources.backends[&backend_id];
        let site = deps[0].0.site;
        let mut hosts: Vec<&str> = deps.iter().map(|(_, p)| p.to.as_str()).collect();
        hosts.sort();
        hosts.dedup();
        let why = match backend.kind {
            BackendKind::SqlServer => "has public access on, but no firewall rule or virtual network rule admits the app",
            _ => "has public access on, but its firewall denies by default and no IP or virtual network rule admits the app",
        };
        let lead = format!(
            "{} {why}, and it has no private endpoint: {} → {} is refused at its public endpoint",
            backend.meta.name,
            site.meta.name,
            hosts.join(", ")
        );
        let mut evidence = vec![json!({
            "backend": backend.meta.id,
            "publicNetworkAccess": backend.public_network_access,
            "networkAcls": backend.network_acls,
            "firewallRules": backend.firewall_rules,
        })];
        evidence.extend(deps.iter().map(|(d, _)| analysis.trace_evidence(d)));
        let finding = match (integration_subnet(model, site), catalog::service_endpoint_service(&backend.resource_type))
        {
            (Some(subnet), Some(service)) if rule_command(backend, subnet).is_some() => {
                let message = format!(
                    "{lead}; admit {} through a {service} service endpoint and a virtual network rule",
                    subnet.meta.name
                );
                Finding::new(&RULE, backend_id.clone(), message).with_fix(fix(model, backend, subnet, service))
            }
            (Some(_), _) => Finding::new(
                &RULE,
                backend_id.clone(),
                format!("{lead}; no fix: add a firewall rule for the app's outbound addresses, or a private endpoint"),
            ),
            (None, _) => Finding::new(
                &RULE,
                backend_id.clone(),
                format!(
                    "{lead}; no fix: {} has no VNet integration to admit — integrate it, or give {} a private endpoint",
                    site.meta.name, backend.meta.name
                ),
            ),
        };
        out.push(finding.with_evidence(evidence));
    }
    out
}

fn integration_subnet<'m>(model: &'m Model, site: &Site) -> Option<&'m Subnet> {
    model.resources.subnets.get(&site.integration_subnet.as_ref()?.value)
}

/// The az command that adds a virtual network rule for `subnet` to `backend`, for the types that have one.
fn rule_command(backend: &Backend, subnet: &Subnet) -> Option<String> {
    let (group, name, subnet_id) = (rg(&backend.meta.id), &backend.meta.name, &subnet.meta.id);
    Some(match backend.kind {
        BackendKind::KeyVault => {
            format!("az keyvault network-rule add --resource-group {group} --name {name} --subnet {subnet_id}")
        }
        BackendKind::Storage => {
            format!("az storage account network-rule add --resource-group {group} --account-name {name} --subnet {subnet_id}")
        }
        BackendKind::CognitiveServices => {
            format!("az cognitiveservices account network-rule add --resource-group {group} --name {name} --subnet {subnet_id}")
        }
        BackendKind::SqlServer => format!(
            "az sql server vnet-rule create --resource-group {group} --server {name} --name {} --subnet {subnet_id}",
            sql_rule_name(subnet)
        ),
        _ => return None,
    })
}

fn sql_rule_name(subnet: &Subnet) -> String {
    format!("allow-{}", subnet.meta.name)
}

fn fix(model: &Model, backend: &Backend, subnet: &Subnet, service: &str) -> Fix {
    let mut az = Vec::new();
    let mut edits = Vec::new();
    if service_endpoint_on(subnet, &backend.resource_type).is_none() {
        let mut endpoints: Vec<String> = subnet.service_endpoints.clone();
        endpoints.push(service.to_string());
        az.push(format!(
            "az network vnet subnet update --resource-group {} --vnet-name {} --name {} --service-endpoints {}",
            rg(&subnet.meta.id),
            subnet.vnet.name(),
            subnet.meta.name,
            endpoints.join(" ")
        ));
        let listed = model.documents.get(&subnet.meta.id).and_then(|d| d.body.pointer("/properties/serviceEndpoints"));
        edits.push(match listed {
            Some(Value::Array(_)) => {
                Edit::add(&subnet.meta.id, "/properties/serviceEndpoints/-", json!({"service": service}))
            }
            _ => Edit::add(&subnet.meta.id, "/properties/serviceEndpoints", json!([{"service": service}])),
        });
    }
    az.extend(rule_command(backend, subnet));
    let backend_id = &backend.meta.id;
    if backend.kind == BackendKind::SqlServer {
        edits.push(Edit::create(
            &backend_id.child("virtualNetworkRules", &sql_rule_name(subnet)),
            json!({"type": format!("{}/virtualNetworkRules", arm_type::SQL_SERVERS), "properties": {"virtualNetworkSubnetId": subnet.meta.id.to_string(), "ignoreMissingVnetServiceEndpoint": false}}),
        ));
    } else {
        let rule = json!({"id": subnet.meta.id.to_string(), "ignoreMissingVnetServiceEndpoint": false});
        let listed =
            model.documents.get(backend_id).and_then(|d| d.body.pointer("/properties/networkAcls/virtualNetworkRules"));
        edits.push(match listed {
            Some(Value::Array(_)) => Edit::add(backend_id, "/properties/networkAcls/virtualNetworkRules/-", rule),
            _ => Edit::add(backend_id, "/properties/networkAcls/virtualNetworkRules", json!([rule])),
        });
    }
    Fix { az, edits }
}
