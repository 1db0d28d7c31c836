//! # DNS110 firewall-dns-proxy-off: DNS queries go to an Azure Firewall whose DNS proxy is off
//!
//! **What it checks.** VNets whose `dhcpOptions.dnsServers`, and apps whose
//! `dnsConfiguration.dnsServers` or `WEBSITE_DNS_SERVER`, name the private address of an Azure
//! Firewall of the estate whose effective DNS proxy flag is false: the attached firewall policy's
//! `dnsSettings.enableProxy` (inherited through `basePolicy`, off when no policy of the chain sets
//! it), or for a firewall without a policy its `additionalProperties["Network.DNS.EnableProxy"]`
//! (on only when it is the string `true`, in any case). An error for each app whose name resolution
//! it breaks; a warning for a VNet no app resolves through, or when a later server answers after
//! the timeout.
//!
//! **Why it breaks.** The firewall listens on port 53 of its private address only while its DNS
//! proxy is on ([Azure Firewall DNS proxy details](https://learn.microsoft.com/azure/firewall/dns-details), [Azure Firewall DNS settings](https://learn.microsoft.com/azure/firewall/dns-settings), FW-DNS-1): with the proxy off nothing answers, every
//! query times out, and no name resolves from that VNet — `getaddrinfo` fails before any
//! connection starts. The spoke wiring of [Azure Firewall DNS settings](https://learn.microsoft.com/azure/firewall/dns-settings) needs the proxy on before the spokes' DNS servers
//! point at the firewall. With the proxy on and no custom servers it asks Azure DNS from the
//! firewall's VNet, so the `privatelink.` zones must be linked to that VNet (DNS101 checks it).
//!
//! **Example.** `vnet-spoke` sets `dhcpOptions.dnsServers` to `10.0.1.4`, the private address of
//! `fw-hub`, whose policy `fwp-hub` has `dnsSettings.enableProxy: false`; `app1`, integrated into
//! `vnet-spoke`, cannot resolve `kv1.vault.azure.net`.
//!
//! **Fix.** Turn the DNS proxy on where it is decided: on the firewall's policy
//! `az network firewall policy update --resource-group RG --name POLICY --enable-dns-proxy true`
//! (`dnsSettings.enableProxy: true`, which a child policy may set over its base policy), or on a
//! firewall without a policy `az network firewall update --resource-group RG --name FIREWALL --enable-dns-proxy true`
//! (`additionalProperties["Network.DNS.EnableProxy"] = "true"`). Alternatively point the DNS
//! setting elsewhere (DNS109 and DNS101 then apply).
//!
//! **Reference.** https://learn.microsoft.com/azure/firewall/dns-settings ·
//! https://learn.microsoft.com/azure/firewall/dns-details

use super::util::{dns_setting_of, integration_vnet, rg, silent_server_consequence, DnsSetting};
use super::Rule;
use crate::deps::{Analysis, Dependency};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::dns::firewall::{firewall_at, ProxySettings};
use privlink_engine::dns::servers::{self, Vantage};
use privlink_engine::dns::{view_of, Querier};
use privlink_model::{AzureFirewall, Model, ResourceId};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS110",
    name: "firewall-dns-proxy-off",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Always,
    check,
};

/// A DNS setting of the estate: where it is, the servers it names in order, and where its queries
/// come from.
pub(crate) struct Configured {
    pub setting: DnsSetting,
    pub servers: Vec<String>,
    /// The VNet the queries leave from (the VNet itself, or the app's integration VNet).
    pub from: Option<ResourceId>,
}

/// Every DNS setting of the estate that names servers: each VNet's `dhcpOptions.dnsServers`, and
/// each app's own DNS servers (with its alternate server last), in setting order.
pub(crate) fn configured(model: &Model) -> Vec<Configured> {
    let mut out = Vec::new();
    for (id, vnet) in &model.resources.virtual_networks {
        if !vnet.dns_servers.is_empty() {
            out.push(Configured {
                setting: DnsSetting::Vnet(id.clone()),
                servers: vnet.dns_servers.iter().map(IpAddr::to_string).collect(),
                from: Some(id.clone()),
            });
        }
    }
    for site in model.resources.sites.values() {
        let Some(setting) = dns_setting_of(model, site).filter(|s| !matches!(s, DnsSetting::Vnet(_))) else {
            continue;
        };
        let from = integration_vnet(model, site);
        let view = view_of(model, &Querier::Site(site.meta.id.clone()));
        out.push(Configured { setting, servers: view.dns_servers, from });
    }
    out.sort_by(|a, b| a.setting.cmp(&b.setting));
    out
}

/// Whether no server of `c` answers: every one is silent from where its queries come from.
pub(crate) fn nothing_answers(model: &Model, c: &Configured) -> bool {
    let vantage = c.from.as_ref().map_or(Vantage::AppWithoutVnet, Vantage::Vnet);
    c.servers.iter().all(|s| s.parse::<IpAddr>().is_ok_and(|ip| servers::at(model, ip, vantage, 0).silent))
}

/// The apps whose DNS is `setting`, with the dependencies they cannot resolve at all.
pub(crate) fn unresolved<'a, 'm>(
    model: &Model,
    analysis: &'a Analysis<'m>,
    setting: &DnsSetting,
) -> Vec<&'a Dependency<'m>> {
    analysis
        .dependencies()
        .filter(|d| d.answer.rcode.is_none() && dns_setting_of(model, d.site).as_ref() == Some(setting))
        .collect()
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in configured(model) {
        // The firewalls with the proxy off that the setting names, once each.
        let mut off: BTreeMap<&ResourceId, (IpAddr, &AzureFirewall, ProxySettings)> = BTreeMap::new();
        for ip in c.servers.iter().filter_map(|s| s.parse::<IpAddr>().ok()) {
            if let Some((fw, Ok(settings))) = firewall_at(model, ip) {
                if !settings.enabled {
                    off.entry(&fw.meta.id).or_insert((ip, fw, settings));
                }
            }
        }
        if off.is_empty() {
            continue;
        }
        let silent = nothing_answers(model, &c);
        let deps = if silent { unresolved(model, analysis, &c.setting) } else { Vec::new() };
        for (ip, fw, settings) in off.into_values() {
            let said = c.setting.says(&ip.to_string());
            let what = format!(
                "{said}, the private address of Azure Firewall {}, whose DNS proxy is off ({}): nothing answers there",
                fw.meta.name,
                decided(fw, &settings)
            );
            let message = silent_server_consequence(&what, &deps, silent);
            let mut evidence: Vec<serde_json::Value> =
                deps.iter().take(3).map(|d| analysis.resolution_evidence(d)).collect();
            evidence.push(json!({"firewall": fw.meta.id, "address": ip.to_string(), "dnsProxy": false, "decidedBy": settings.decided_by}));
            let finding = Finding::new(&RULE, c.setting.resource().clone(), message)
                .with_evidence(evidence)
                .with_fix(enable_proxy(fw, &settings));
            out.push(if deps.is_empty() { finding.at_secondary_severity(&RULE) } else { finding });
        }
    }
    out
}

/// Which setting keeps the proxy off, in a few words.
fn decided(fw: &AzureFirewall, settings: &ProxySettings) -> String {
    if settings.decided_by == fw.meta.id {
        "additionalProperties Network.DNS.EnableProxy is not \"true\"".to_string()
    } else {
        format!("firewall policy {} leaves dnsSettings.enableProxy off", settings.decided_by.name())
    }
}

/// Turns the proxy on where it is decided: the attached policy, or the classic firewall.
fn enable_proxy(fw: &AzureFirewall, settings: &ProxySettings) -> Fix {
    let at = &settings.decided_by;
    if *at == fw.meta.id {
        return Fix {
            az: vec![format!(
                "az network firewall update --resource-group {} --name {} --enable-dns-proxy true",
                rg(at),
                at.name()
            )],
            edits: vec![Edit::replace(at, "/properties/additionalProperties/Network.DNS.EnableProxy", json!("true"))],
        };
    }
    Fix {
        az: vec![format!(
            "az network firewall policy update --resource-group {} --name {} --enable-dns-proxy true",
            rg(at),
            at.name()
        )],
        edits: vec![Edit::replace(at, "/properties/dnsSettings/enableProxy", json!(true))],
    }
}
