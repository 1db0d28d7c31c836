//! Azure Firewall and firewall policies: the private address, the subnet, the policy and the DNS
//! proxy settings (azure-semantics §12.1, §12.4).

use super::meta;
use crate::reader::Reader;
use privlink_model::*;
use serde_json::Value;

/// The classic firewall's DNS proxy switch in `properties.additionalProperties` (azure-semantics
/// §12.1: the Azure CLI writes `"true"`/`"false"`; read without regard to case).
const CLASSIC_ENABLE_PROXY: &str = "Network.DNS.EnableProxy";
/// The classic firewall's custom DNS servers, one comma-joined string.
const CLASSIC_SERVERS: &str = "Network.DNS.Servers";

pub(super) fn read_firewall(doc: &Document, rd: &mut Reader) -> AzureFirewall {
    let mut private_ips = Vec::new();
    let mut subnets = Vec::new();
    for i in 0..rd.array("/properties/ipConfigurations").len() {
        let base = format!("/properties/ipConfigurations/{i}/properties");
        if let Some(text) = rd.str(&format!("{base}/privateIPAddress")) {
            private_ips.extend(rd.ip(&format!("{base}/privateIPAddress"), text));
        }
        subnets.extend(rd.reference(&format!("{base}/subnet")));
    }
    if let Some(text) = rd.str("/properties/hubIPAddresses/privateIPAddress") {
        if let Some(ip) = rd.ip("/properties/hubIPAddresses/privateIPAddress", text) {
            if !private_ips.contains(&ip) {
                private_ips.push(ip);
            }
        }
    }
    let extra = "/properties/additionalProperties";
    let proxy_at = format!("{extra}/{CLASSIC_ENABLE_PROXY}");
    let classic_dns_proxy = match rd.get(&proxy_at) {
        None => false,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        // Not the string the service stores, but a JSON boolean says the same.
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            // Diagnosed as the wrong JSON type; the proxy counts as off, as Azure's default.
            let _ = rd.str(&proxy_at);
            false
        }
    };
    let servers_at = format!("{extra}/{CLASSIC_SERVERS}");
    let mut classic_dns_servers = Vec::new();
    if let Some(list) = rd.str(&servers_at) {
        for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            classic_dns_servers.extend(rd.ip(&servers_at, part));
        }
    }
    AzureFirewall {
        meta: meta(doc),
        private_ips,
        subnets,
        virtual_hub: rd.reference("/properties/virtualHub"),
        policy: rd.reference("/properties/firewallPolicy"),
        classic_dns_proxy,
        classic_dns_servers,
        sku_name: rd.string("/properties/sku/name"),
    }
}

pub(super) fn read_firewall_policy(doc: &Document, rd: &mut Reader) -> FirewallPolicy {
    let dns_servers = rd.get("/properties/dnsSettings/servers").map(|_| {
        let mut servers = Vec::new();
        for (i, s) in rd.strings("/properties/dnsSettings/servers").iter().enumerate() {
            servers.extend(rd.ip(&format!("/properties/dnsSettings/servers/{i}"), s));
        }
        servers
    });
    FirewallPolicy {
        meta: meta(doc),
        dns_enable_proxy: rd.bool("/properties/dnsSettings/enableProxy"),
        dns_servers,
        base_policy: rd.reference("/properties/basePolicy"),
    }
}
