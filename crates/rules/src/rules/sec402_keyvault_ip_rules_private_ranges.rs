//! # SEC402 keyvault-ip-rules-private-ranges: a Key Vault firewall IP rule names a private (RFC 1918) range
//!
//! **What it checks.** No entry of a vault's `networkAcls.ipRules` lies in 10.0.0.0/8,
//! 172.16.0.0/12 or 192.168.0.0/16.
//!
//! **Why it breaks.** Key Vault's IP rules admit *public* source addresses only; private ranges are
//! rejected ([Key Vault network security](https://learn.microsoft.com/azure/key-vault/general/network-security)). Traffic from a VNet never reaches the public endpoint with its
//! private address anyway: it arrives through a private endpoint (always allowed) or a service
//! endpoint (admitted by a `virtualNetworkRules` entry). A private range in `ipRules` is therefore a
//! deployment error or a rule that never matches — usually a sign that someone expects it to let
//! their VNet in, which it does not.
//!
//! **Example.** `kv1` has `ipRules: [{"value": "10.1.0.0/16"}]` to admit the app's VNet.
//!
//! **Fix.** Remove the rule (`az keyvault network-rule remove -g RG -n VAULT --ip-address 10.1.0.0/16`)
//! and admit the VNet properly: a private endpoint, or a virtual-network rule on a subnet with the
//! `Microsoft.KeyVault` service endpoint.
//!
//! **Reference.** https://learn.microsoft.com/azure/key-vault/general/network-security

use super::util::{member_indices, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use ipnet::IpNet;
use privlink_engine::nsg::is_rfc1918;
use privlink_model::{BackendKind, Model};
use serde_json::{json, Value};
use std::net::IpAddr;

pub(crate) const RULE: Rule = Rule {
    code: "SEC402",
    name: "keyvault-ip-rules-private-ranges",
    severity: Severity::Warning,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

/// Whether an `ipRules` value (an address or a CIDR) lies wholly in RFC 1918 space.
fn is_private_rule(value: &str) -> bool {
    let value = value.trim();
    if let Ok(net) = value.parse::<IpNet>() {
        return is_rfc1918(net.network()) && is_rfc1918(net.broadcast());
    }
    value.parse::<IpAddr>().is_ok_and(is_rfc1918)
}

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in model.resources.backends.values().filter(|b| b.kind == BackendKind::KeyVault) {
        let Some(acls) = &b.network_acls else { continue };
        let private: Vec<&String> = acls.ip_rules.iter().filter(|r| is_private_rule(r)).collect();
        if private.is_empty() {
            continue;
        }
        let ip_rules = "/properties/networkAcls/ipRules";
        let private_members = member_indices(model, &b.meta.id, ip_rules, |r| {
            r.get("value").and_then(Value::as_str).is_some_and(is_private_rule)
        });
        let list = private.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let message = format!(
            "key vault {} lists private range{} {list} in its firewall ipRules: Key Vault admits only public addresses there, so {} never let{} a VNet in (use a private endpoint or a virtual-network rule)",
            b.meta.name,
            if private.len() == 1 { "" } else { "s" },
            if private.len() == 1 { "it" } else { "they" },
            if private.len() == 1 { "s" } else { "" },
        );
        let evidence = vec![json!({
            "vault": b.meta.id,
            "privateIpRules": private,
            "ipRules": acls.ip_rules,
            "defaultAction": acls.default_action,
            "virtualNetworkRules": acls.virtual_network_rules,
        })];
        let fix = Fix {
            az: private
                .iter()
                .map(|r| {
                    format!(
                        "az keyvault network-rule remove --resource-group {} --name {} --ip-address {r}",
                        rg(&b.meta.id),
                        b.meta.name
                    )
                })
                .collect(),
            edits: Edit::remove_members(&b.meta.id, ip_rules, &private_members),
        };
        out.push(Finding::new(&RULE, b.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
