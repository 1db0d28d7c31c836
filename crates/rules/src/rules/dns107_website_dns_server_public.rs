//! # DNS107 website-dns-server-public: an app that uses private endpoints sends its DNS queries to a public resolver
//!
//! **What it checks.** An app whose settings name the host of a resource with an approved private
//! endpoint (or that names no host and can reach such a resource) does not list a public address (8.8.8.8, 1.1.1.1, 9.9.9.9, … — any public address but
//! Azure's 168.63.129.16) in its `WEBSITE_DNS_SERVER` app setting or its
//! `dnsConfiguration.dnsServers`.
//!
//! **Why it breaks.** These settings replace the DNS servers of the app's integrated VNet
//! ([What is IP address 168.63.129.16?](https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16), [Name resolution in App Service](https://learn.microsoft.com/azure/app-service/overview-name-resolution)). Private DNS zones answer only through Azure DNS (168.63.129.16)
//! queried from a linked VNet, or a resolver that forwards there; a public resolver sees only the
//! public chain, so `{name}.privatelink.…` resolves to the service's public address and the app
//! reaches the public endpoint — refused when public access is off (403, SQL error 47073, timeouts).
//! With several servers the app asks all of them and takes the first answer, so a public one makes
//! resolution flip between private and public. `WEBSITE_DNS_ALT_SERVER` / `dnsAltServer` is a
//! fallback after the list and is not checked.
//!
//! **Example.** `app-api` reads `kv1.vault.azure.net`, which has private endpoint `pe-kv`, and sets
//! `WEBSITE_DNS_SERVER=8.8.8.8`.
//!
//! **Fix.** Remove the public servers so the VNet's DNS applies:
//! `az webapp config appsettings delete -g RG -n APP --setting-names WEBSITE_DNS_SERVER` (or set it
//! to the private servers that remain), and for `dnsConfiguration`
//! `az resource update --ids SITE_ID --remove properties.dnsConfiguration.dnsServers`.
//!
//! **Reference.** https://learn.microsoft.com/azure/app-service/overview-name-resolution

use super::util::{app_setting_edits, array, endpoint_names, member_indices, names_in_settings, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::nsg::{is_public, AZURE_HOST_IP};
use privlink_model::{ConnectionStatus, DnsName, Model, ResourceId, Site};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

const SETTING: &str = "WEBSITE_DNS_SERVER";

pub(crate) const RULE: Rule = Rule {
    code: "DNS107",
    name: "website-dns-server-public",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn is_public_resolver(server: &str) -> bool {
    server.trim().parse::<IpAddr>().is_ok_and(|ip| ip != AZURE_HOST_IP && is_public(ip))
}

/// Where `dnsConfiguration.dnsServers` may be written: (document, JSON pointer, the path of the
/// `dnsConfiguration` object as `az resource update` names it, split).
fn dns_config_places(site: &Site) -> Vec<(ResourceId, &'static str, &'static [&'static str])> {
    let mut v: Vec<(ResourceId, &'static str, &'static [&'static str])> = vec![
        (site.meta.id.clone(), "/properties/dnsConfiguration/dnsServers", &["properties", "dnsConfiguration"]),
        (
            site.meta.id.clone(),
            "/properties/siteConfig/dnsConfiguration/dnsServers",
            &["properties", "siteConfig", "dnsConfiguration"],
        ),
    ];
    if let Some(web) = &site.web_config_source {
        v.push((web.clone(), "/properties/dnsConfiguration/dnsServers", &["properties", "dnsConfiguration"]));
    }
    v
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    // Customer-visible names of approved endpoints' targets → the endpoints.
    let mut private: BTreeMap<DnsName, Vec<&str>> = BTreeMap::new();
    for pe in model.resources.private_endpoints.values() {
        if pe.primary_connection().is_none_or(|c| c.status != ConnectionStatus::Approved) {
            continue;
        }
        for f in endpoint_names(model, pe).map(|n| n.customer_fqdns).unwrap_or_default() {
            private.entry(f).or_default().push(&pe.meta.name);
        }
    }
    let mut out = Vec::new();
    for site in model.resources.sites.values() {
        let setting: Vec<String> = site
            .app_setting(SETTING)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let public_setting: Vec<&String> = setting.iter().filter(|s| is_public_resolver(s)).collect();
        let public_config: Vec<&String> = site.dns_servers.iter().filter(|s| is_public_resolver(s)).collect();
        if public_setting.is_empty() && public_config.is_empty() {
            continue;
        }
        let mut named = names_in_settings(site);
        if named.is_empty() {
            // An app that names no host can reach every endpoint of its network (the analysis's
            // dependencies): each one with a private endpoint is resolved publicly too.
            named = analysis
                .dependencies()
                .filter(|d| d.site.meta.id == site.meta.id)
                .map(|d| (d.name.clone(), "an endpoint it can reach".to_string()))
                .collect();
        }
        let depends: Vec<(DnsName, String, Vec<&str>)> =
            named.into_iter().filter_map(|(n, s)| private.get(&n).map(|pes| (n, s, pes.clone()))).collect();
        if depends.is_empty() {
            continue;
        }
        let mut az = Vec::new();
        let mut edits = Vec::new();
        let mut where_set = Vec::new();
        if !public_setting.is_empty() {
            where_set.push(format!(
                "{} in app setting {SETTING}",
                public_setting.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
            let kept: Vec<&str> = setting.iter().filter(|s| !is_public_resolver(s)).map(String::as_str).collect();
            if kept.is_empty() {
                az.push(format!(
                    "az webapp config appsettings delete --resource-group {} --name {} --setting-names {SETTING}",
                    rg(&site.meta.id),
                    site.meta.name
                ));
                edits.extend(app_setting_edits(model, site, SETTING, None));
            } else {
                let value = kept.join(",");
                az.push(format!(
                    "az webapp config appsettings set --resource-group {} --name {} --settings {SETTING}={value}",
                    rg(&site.meta.id),
                    site.meta.name
                ));
                edits.extend(app_setting_edits(model, site, SETTING, Some(&value)));
            }
        }
        if !public_config.is_empty() {
            where_set.push(format!(
                "{} in dnsConfiguration.dnsServers",
                public_config.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
            for (doc, pointer, path) in dns_config_places(site) {
                let public_members =
                    member_indices(model, &doc, pointer, |v| v.as_str().is_some_and(is_public_resolver));
                if public_members.is_empty() {
                    continue;
                }
                let kept: Vec<Value> = array(model, &doc, pointer)
                    .into_iter()
                    .filter(|v| !v.as_str().is_some_and(is_public_resolver))
                    .collect();
                let dotted = path.join(".");
                if kept.is_empty() {
                    az.push(format!("az resource update --ids {doc} --remove {dotted}.dnsServers"));
                    edits.push(Edit::remove(&doc, pointer));
                } else {
                    az.push(format!(
                        "az resource update --ids {doc} --set {dotted}.dnsServers='{}'",
                        Value::Array(kept)
                    ));
                    edits.extend(Edit::remove_members(&doc, pointer, &public_members));
                }
            }
        }
        let (name, via, pes) = &depends[0];
        let mixed = setting.iter().chain(&site.dns_servers).any(|s| !is_public_resolver(s));
        let message = format!(
            "app {} sends DNS queries to public resolver {}, which cannot see private DNS zones: {}{name} ({via}), reached through private endpoint {}, resolves to its public address{}",
            site.meta.name,
            where_set.join(" and "),
            if mixed { "whenever it answers first, " } else { "" },
            pes.join(", "),
            if depends.len() > 1 { format!(", and {} more private name(s) likewise", depends.len() - 1) } else { String::new() }
        );
        let evidence = vec![json!({
            "site": site.meta.id,
            "websiteDnsServer": site.app_setting(SETTING),
            "dnsConfigurationDnsServers": site.dns_servers,
            "publicResolvers": public_setting.iter().chain(&public_config).collect::<Vec<_>>(),
            "privateNames": depends.iter().map(|(n, s, p)| json!({"name": n, "setting": s, "privateEndpoints": p})).collect::<Vec<_>>(),
        })];
        out.push(
            Finding::new(&RULE, site.meta.id.clone(), message).with_evidence(evidence).with_fix(Fix { az, edits }),
        );
    }
    out
}
