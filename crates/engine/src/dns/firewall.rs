//! The DNS proxy of an Azure Firewall: whether it is on and which upstream servers it uses, from
//! the firewall's policy (and that policy's `basePolicy` chain) or, for a firewall without a
//! policy, its classic `additionalProperties` (azure-semantics §12.1).

use super::public;
use privlink_model::{AzureFirewall, Model, ResourceId};
use std::net::IpAddr;

/// Longest `basePolicy` chain followed (a longer one, or a cycle, is not something Azure accepts).
const MAX_POLICY_DEPTH: usize = 8;

/// What a firewall's DNS proxy does, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxySettings {
    /// The effective `enableProxy`.
    pub enabled: bool,
    /// Custom upstream servers; empty means Azure DNS from the firewall's VNet (§12.2).
    pub servers: Vec<IpAddr>,
    /// The resource whose settings decided: the attached policy, or the firewall itself.
    pub decided_by: ResourceId,
    /// One sentence naming the settings that decided.
    pub why: String,
}

/// The effective DNS proxy settings of `fw`; `Err` says why privlink cannot tell (a policy of the
/// chain is not in the estate and the settings depend on it).
pub fn proxy_settings(model: &Model, fw: &AzureFirewall) -> Result<ProxySettings, String> {
    let id = &fw.meta.id;
    let Some(attached) = &fw.policy else {
        let servers = fw.classic_dns_servers.clone();
        let state = if fw.classic_dns_proxy { "\"true\"" } else { "not \"true\"" };
        let upstream = upstream_text(&servers);
        return Ok(ProxySettings {
            enabled: fw.classic_dns_proxy,
            why: format!(
                "Azure Firewall {id} has no firewall policy, so its own additionalProperties decide: Network.DNS.EnableProxy is {state}{} (https://learn.microsoft.com/azure/firewall/dns-settings).",
                if fw.classic_dns_proxy { format!(", upstream {upstream}") } else { String::new() }
            ),
            servers,
            decided_by: id.clone(),
        });
    };
    let mut enabled: Option<(bool, ResourceId)> = None;
    let mut servers: Option<(Vec<IpAddr>, ResourceId)> = None;
    let mut chain: Vec<ResourceId> = Vec::new();
    let mut next = Some(attached.clone());
    while let Some(policy_id) = next.take() {
        if chain.contains(&policy_id) || chain.len() >= MAX_POLICY_DEPTH {
            return Err(format!(
                "The basePolicy chain of firewall policy {attached} loops or is longer than {MAX_POLICY_DEPTH}; privlink cannot say whether the DNS proxy of Azure Firewall {id} is on."
            ));
        }
        chain.push(policy_id.clone());
        let Some(policy) = model.resources.firewall_policies.get(&policy_id) else {
            return Err(format!(
                "Azure Firewall {id} uses firewall policy {attached}, whose DNS settings apply (https://learn.microsoft.com/azure/firewall/dns-settings), but policy {policy_id} is not in the estate: privlink cannot say whether the DNS proxy is on."
            ));
        };
        if enabled.is_none() {
            enabled = policy.dns_enable_proxy.map(|e| (e, policy_id.clone()));
        }
        if servers.is_none() {
            servers = policy.dns_servers.clone().map(|s| (s, policy_id.clone()));
        }
        if enabled.is_some() && servers.is_some() {
            break;
        }
        next = policy.base_policy.clone();
    }
    let said_by = |from: &ResourceId| {
        if from == attached {
            String::new()
        } else {
            format!(" (inherited from base policy {from})")
        }
    };
    let (on, on_text) = match &enabled {
        Some((e, from)) => (*e, format!("dnsSettings.enableProxy is {e}{}", said_by(from))),
        None => {
            (false, "no policy of the chain sets dnsSettings.enableProxy, so the proxy is off (the default)".into())
        }
    };
    let servers = servers.map(|(s, _)| s).unwrap_or_default();
    let mut why = format!(
        "Azure Firewall {id} uses firewall policy {attached}, whose DNS settings replace the firewall's own (https://learn.microsoft.com/azure/firewall/dns-settings): {on_text}"
    );
    if on {
        why.push_str(&format!(", upstream {}", upstream_text(&servers)));
    }
    if chain.len() > 1 {
        why.push_str(&format!(" {}", public::explain_policy_inheritance()));
    }
    why.push('.');
    Ok(ProxySettings { enabled: on, servers, decided_by: attached.clone(), why })
}

fn upstream_text(servers: &[IpAddr]) -> String {
    if servers.is_empty() {
        "Azure DNS (no custom servers)".to_string()
    } else {
        let list: Vec<String> = servers.iter().map(IpAddr::to_string).collect();
        format!("custom servers {}", list.join(", "))
    }
}

/// The firewall of the estate whose private address is `ip`, with its proxy settings.
pub fn firewall_at(model: &Model, ip: IpAddr) -> Option<(&AzureFirewall, Result<ProxySettings, String>)> {
    let fw = model.indexes.firewall_by_ip.get(&ip).and_then(|id| model.resources.azure_firewalls.get(id))?;
    Some((fw, proxy_settings(model, fw)))
}
