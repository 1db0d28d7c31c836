//! # DNS109 custom-dns-unverifiable: an app resolves through a DNS server privlink cannot see forwarding to Azure DNS
//!
//! **What it checks.** Apps whose DNS server (the integration VNet's `dhcpOptions.dnsServers`, or
//! the app's own `WEBSITE_DNS_SERVER` / `dnsConfiguration.dnsServers`) is a private address that is
//! neither Azure DNS (168.63.129.16) nor the inbound endpoint of a DNS private resolver of the
//! estate — a DNS VM, an on-premises server — or the DNS proxy of an Azure Firewall whose upstream
//! privlink cannot see (custom servers it does not model, a policy outside the estate), or a server
//! a template gives only at deploy time (`reference()` of a NIC outside the deployment), so that the
//! resolution of the app's dependencies is `indeterminate`. A warning: the server may forward
//! correctly; privlink cannot know.
//!
//! **Why it breaks.** Private zones are answered only by Azure DNS as seen from a VNet linked to
//! them ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration), [Private DNS virtual network links](https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links)); a custom server sees them only if it forwards the services'
//! zones (`vault.azure.net`, `database.windows.net` …, and their `privatelink.` zones) to
//! 168.63.129.16 from a VNet linked to the zones ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration), [What is IP address 168.63.129.16?](https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16)). A server that resolves them
//! recursively on the internet hands the app the public address: the connection goes to the
//! public endpoint and is refused or leaves by the wrong path ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)). The seeds list it twice
//! ("Verify no custom DNS server is overriding private zone resolution", "Validate custom DNS
//! forwarders if you use enterprise DNS").
//!
//! **Example.** `vnet-app` sets `dhcpOptions.dnsServers` to `10.1.3.10`, a DNS VM the estate does
//! not describe; `app1`, integrated into `vnet-app`, names `kv1.vault.azure.net` and
//! `sql1.database.windows.net`: both resolve `indeterminate`.
//!
//! **Fix.** Point the DNS setting at the inbound endpoint of a DNS private resolver of the estate,
//! which answers from Azure DNS of its VNet ([Private endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)):
//! `az network vnet update --resource-group RG --name VNET --dns-servers IP` (for the VNet), or
//! `az webapp config appsettings set --resource-group RG --name APP --settings WEBSITE_DNS_SERVER=IP`
//! (for the app), then link the zones to the resolver's VNet (DNS101 checks it). No fix when the
//! estate holds no resolver inbound endpoint: configure the server to forward the services' zones to
//! 168.63.129.16 from a VNet linked to the private zones, or create a DNS private resolver.
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration#on-premises-workloads-using-a-dns-forwarder ·
//! https://learn.microsoft.com/azure/dns/dns-private-resolver-overview

use super::util::{app_setting_edits, dns_setting_of, integration_vnet, rg, DnsSetting};
use super::Rule;
use crate::deps::{Analysis, Dependency};
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::catalog::AZURE_HOST_IP;
use privlink_engine::dns::firewall::firewall_at;
use privlink_engine::dns::servers::{self, Vantage};
use privlink_engine::dns::{view_of, Answerer, Querier, ResolutionVerdict, ViewKind};
use privlink_model::{Model, ResourceId, Site};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "DNS109",
    name: "custom-dns-unverifiable",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // (setting, server) → the dependencies resolved through it
    let mut unverifiable: BTreeMap<(DnsSetting, String), Vec<&Dependency>> = BTreeMap::new();
    let mut views: BTreeMap<&ResourceId, Option<String>> = BTreeMap::new();
    for d in analysis.dependencies().filter(|d| d.answer.verdict == ResolutionVerdict::Indeterminate) {
        let server = views.entry(&d.site.meta.id).or_insert_with(|| unverifiable_server(model, d.site)).clone();
        let Some(server) = server else { continue };
        let Some(setting) = dns_setting_of(model, d.site) else { continue };
        unverifiable.entry((setting, server)).or_default().push(d);
    }
    let resolver = resolver_inbound_ip(model);
    let mut out = Vec::new();
    for ((setting, server), deps) in unverifiable {
        let (names, apps) = super::util::names_and_apps(&deps);
        let (resource, said) = (setting.resource().clone(), setting.says(&server));
        let what = match server.parse().ok().and_then(|ip| firewall_at(model, ip)) {
            Some((fw, _)) => {
                format!("the DNS proxy of Azure Firewall {}, whose upstream privlink cannot see", fw.meta.name)
            }
            None => "a DNS server privlink cannot see".to_string(),
        };
        let message = format!(
            "{said}, {what} forwarding to Azure DNS ({AZURE_HOST_IP}): {} of {} may resolve to public addresses; it must forward the services' zones to {AZURE_HOST_IP} from a VNet linked to the private zones",
            names.join(", "),
            apps.join(", ")
        );
        let fix = resolver.as_deref().map(|ip| fix_with_resolver(model, &setting, deps[0].site, ip));
        let message = match &fix {
            Some(_) => message,
            None => {
                format!("{message} (no fix: the estate holds no DNS private resolver inbound endpoint to point it at)")
            }
        };
        out.push(
            Finding::new(&RULE, resource, message)
                .with_evidence(deps.iter().take(3).map(|d| analysis.resolution_evidence(d)).collect())
                .with_fix(fix),
        );
    }
    out
}

/// The server that answers `site` when privlink cannot see what it answers: a DNS server it does
/// not model, or the DNS proxy of a firewall whose upstream it cannot see (custom servers, a policy
/// outside the estate). `None` when the answer is known, or when nothing answers at all (DNS110 and
/// DNS111 say why): servers where nothing answers are passed over, as the app does (§1.8).
fn unverifiable_server(model: &Model, site: &Site) -> Option<String> {
    let view = view_of(model, &Querier::Site(site.meta.id.clone()));
    let unknown = matches!(view.answerer, Answerer::Unknown { .. });
    if !unknown || !matches!(view.kind, ViewKind::CustomDns | ViewKind::FirewallDnsProxy) {
        return None;
    }
    let from = integration_vnet(model, site);
    let vantage = from.as_ref().map_or(Vantage::AppWithoutVnet, Vantage::Vnet);
    view.dns_servers
        .iter()
        .find(|s| s.parse::<IpAddr>().map_or(true, |ip| !servers::at(model, ip, vantage, 0).silent))
        .cloned()
        .or_else(|| {
            // A template gave the VNet a DNS server only Azure knows (`reference()` of a NIC
            // outside the deployment): just as unverifiable.
            let vnet = model.resources.virtual_networks.get(from.as_ref()?)?;
            vnet.dns_servers_unknown.as_ref().map(|_| "a value only known at deploy time".to_string())
        })
}

/// The lowest address of an inbound endpoint of a DNS private resolver of the estate.
fn resolver_inbound_ip(model: &Model) -> Option<String> {
    model.indexes.resolver_inbound_by_ip.keys().min().map(ToString::to_string)
}

/// Points the setting at a resolver inbound endpoint.
fn fix_with_resolver(model: &Model, setting: &DnsSetting, site: &Site, ip: &str) -> Fix {
    match setting {
        DnsSetting::Vnet(vnet) => Fix {
            az: vec![format!(
                "az network vnet update --resource-group {} --name {} --dns-servers {ip}",
                rg(vnet),
                vnet.name()
            )],
            edits: vec![Edit::replace(vnet, "/properties/dhcpOptions/dnsServers", json!([ip]))],
        },
        DnsSetting::SiteDnsConfiguration(s) => Fix {
            az: vec![format!("az resource update --ids {s} --set properties.dnsConfiguration.dnsServers=\"['{ip}']\"")],
            edits: vec![Edit::replace(s, "/properties/dnsConfiguration/dnsServers", json!([ip]))],
        },
        DnsSetting::AppSetting(s) => Fix {
            az: vec![format!(
                "az webapp config appsettings set --resource-group {} --name {} --settings WEBSITE_DNS_SERVER={ip}",
                rg(s),
                s.name()
            )],
            edits: app_setting_edits(model, site, "WEBSITE_DNS_SERVER", Some(ip)),
        },
    }
}
