//! Facts shared by the documents and the template: names, ids, addresses and settings derived
//! from one app or backend.

use crate::landing_zone::{id, ip, spoke_base, App, Backend, Mis, Svc};
use serde_json::{json, Value};
use std::net::Ipv4Addr;

pub(crate) fn backend_id(b: &Backend) -> String {
    id(&format!("{}/{}", b.svc.rtype(), b.name))
}
pub(crate) fn pe_name(b: &Backend) -> String {
    format!("pe-{}", b.name)
}
pub(crate) fn fqdn(b: &Backend) -> String {
    format!("{}.{}", b.name, b.svc.suffix())
}
/// Whether the endpoint's record is written by a zone group. Drifted records (missing, stale) are
/// managed by hand: a zone group would rewrite them at every deployment.
pub(crate) fn has_zone_group(b: &Backend) -> bool {
    !matches!(b.mis, Some(Mis::MissingRecord) | Some(Mis::StaleRecord))
}

pub(crate) fn record_ip(b: &Backend, spoke: usize) -> Ipv4Addr {
    if b.mis == Some(Mis::StaleRecord) {
        // An address in the endpoint subnet that no NIC holds: left over from a deleted endpoint.
        ip(spoke_base(spoke), 250)
    } else {
        b.ip
    }
}
pub(crate) fn integration_prefix(a: &App) -> String {
    format!("{}/27", ip(spoke_base(a.spoke), 256 + 32 * a.slot as u32))
}
pub(crate) fn settings(a: &App) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in &a.backends {
        let f = fqdn(b);
        match b.svc {
            Svc::Sql => out.push((
                "SQL_CONNECTION".into(),
                format!("Server=tcp:{f},1433;Database=app;Authentication=Active Directory Default"),
            )),
            Svc::Kv => out
                .push(("APP_SECRET".into(), format!("@Microsoft.KeyVault(SecretUri=https://{f}/secrets/app-secret)"))),
            Svc::Redis => {
                out.push(("REDIS_HOST".into(), f));
                out.push(("REDIS_PORT".into(), "6380".into()));
            }
            Svc::Blob => out.push(("STORAGE_URL".into(), format!("https://{f}/"))),
            Svc::Oai => out.push(("OPENAI_ENDPOINT".into(), format!("https://{f}/"))),
        }
    }
    out.push(("SCM_DO_BUILD_DURING_DEPLOYMENT".into(), "true".into()));
    out
}
pub(crate) fn nsg_rules(a: &App) -> Vec<Value> {
    let rule = |name: &str, prio: u32, access: &str, port: &str, dest: &str| {
        json!({"name": name, "properties": {
            "protocol": if port == "*" { "*" } else { "Tcp" }, "sourcePortRange": "*", "destinationPortRange": port,
            "sourceAddressPrefix": "*", "destinationAddressPrefix": dest, "access": access,
            "priority": prio, "direction": "Outbound"}})
    };
    let mut rules = Vec::new();
    if let Some(p) = a.deny_port {
        rules.push(rule(&format!("deny-{p}-outbound"), 150, "Deny", &p.to_string(), "VirtualNetwork"));
    }
    rules.push(rule("allow-sql-outbound", 200, "Allow", "1433", "VirtualNetwork"));
    rules.push(rule("allow-redis-outbound", 210, "Allow", "6380", "VirtualNetwork"));
    rules.push(rule("allow-https-vnet-outbound", 220, "Allow", "443", "VirtualNetwork"));
    rules.push(rule("allow-aad-outbound", 230, "Allow", "443", "AzureActiveDirectory"));
    rules.push(rule("deny-internet-outbound", 4000, "Deny", "*", "Internet"));
    rules
}
pub(crate) fn pe_connection(b: &Backend, with_state: bool) -> Value {
    let mut c = json!({"name": format!("{}-conn", pe_name(b)), "properties": {
        "privateLinkServiceId": backend_id(b), "groupIds": [b.svc.group()]}});
    if with_state {
        c["properties"]["privateLinkServiceConnectionState"] = if b.mis == Some(Mis::Pending) {
            json!({"status": "Pending", "description": "Please approve", "actionsRequired": "None"})
        } else {
            json!({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
        };
    }
    c
}
pub(crate) fn zone_config_name(zone: &str) -> String {
    zone.replace('.', "-")
}
