//! The engine's decisions about the app's traffic, programmed into the kernel as nftables rules.
//!
//! For every address and port the Azure side answers at, the engine traces the connection from the
//! app (egress, routes, NSG first-match by priority, Private Link, the service's gate) exactly as
//! `privlink trace` does; the kernel then drops what the engine says never arrives — a drop, so
//! the client times out, as in Azure — and lets through what arrives, where the service's face
//! answers (with its own refusal when its gate says so). Rules are compiled per destination from
//! the engine's verdicts rather than by translating each NSG rule and route into a second
//! evaluator, so the kernel cannot disagree with `trace`: one engine decides.
//!
//! What the kernel cannot know, it drops and says so in the rule's comment: a route to an
//! appliance (the packet leaves the model) and any address the estate does not answer at.

use super::hosted::Hosted;
use crate::data_plane::gate::admission_of;
use crate::data_plane::{Admission, Arrival, EngineGate};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

/// The nftables table `privlink run` owns in the Azure namespace.
pub const TABLE: &str = "privlink_run";

/// One decision the kernel enforces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelRule {
    pub address: Ipv4Addr,
    pub ports: (u16, u16),
    pub accept: bool,
    /// Why, in the engine's words: the deciding hop and resource.
    pub why: String,
}

/// The engine's decision for each hosted address and port, traced with the name that resolves
/// there (the first, for an address several names share; any that arrives decides `accept`).
pub fn decide(gate: &EngineGate, app: Ipv4Addr, hosted: &BTreeMap<Ipv4Addr, Hosted>) -> Vec<KernelRule> {
    let mut rules = Vec::new();
    for (address, entry) in hosted {
        for &(first, last) in &entry.ports {
            let mut accept = false;
            let mut why = String::new();
            for name in entry.names.iter().map(Some).chain(entry.names.is_empty().then_some(None)) {
                let arrival = Arrival {
                    client: SocketAddr::V4(SocketAddrV4::new(app, 49152)),
                    local: SocketAddr::V4(SocketAddrV4::new(*address, first)),
                    host: name.map(|n| n.to_string()),
                };
                let trace = gate.trace(&arrival);
                let admission = admission_of(&trace);
                let arrives = !matches!(admission, Admission::Silent { .. });
                let decided = trace
                    .decided_by
                    .as_ref()
                    .map(|d| format!(" by {} {}", d.kind, d.id.rsplit('/').next().unwrap_or(&d.id)))
                    .unwrap_or_default();
                let host = name.map_or_else(|| address.to_string(), |n| n.to_string());
                let text = format!("{host}:{first} {:?}{decided}: {}", trace.verdict, trace.message);
                if arrives || why.is_empty() {
                    why = text;
                }
                if arrives {
                    accept = true;
                    break;
                }
            }
            rules.push(KernelRule { address: *address, ports: (first, last), accept, why });
        }
    }
    rules
}

/// An nftables comment: at most 128 bytes, no quotes.
fn comment(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c == '"' || c == '\\' || c.is_control() { '\'' } else { c }).collect();
    let mut cut = clean.len().min(120);
    while !clean.is_char_boundary(cut) {
        cut -= 1;
    }
    clean[..cut].to_string()
}

/// The addresses besides the backends' that the app reaches: its DNS servers (UDP and TCP 53) and
/// the token service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub dns_servers: Vec<Ipv4Addr>,
    pub identity: SocketAddrV4,
}

/// The whole ruleset, replacing the previous one atomically. Traffic arriving from the app (on
/// `app_link`, the Azure end of its veth) is
/// filtered before routing; replies and everything else pass.
pub fn script(app_link: &str, platform: &Platform, rules: &[KernelRule]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "table inet {TABLE}\ndelete table inet {TABLE}\ntable inet {TABLE} {{");
    let _ = writeln!(s, "  chain app_egress {{\n    type filter hook prerouting priority -150; policy accept;");
    let _ = writeln!(s, "    iifname != \"{app_link}\" accept");
    let _ = writeln!(s, "    ct state established,related accept");
    for server in &platform.dns_servers {
        let _ = writeln!(s, "    ip daddr {server} udp dport 53 accept comment \"DNS server of the app\"");
        let _ = writeln!(s, "    ip daddr {server} tcp dport 53 accept comment \"DNS server of the app\"");
    }
    let _ = writeln!(
        s,
        "    ip daddr {} tcp dport {} accept comment \"App Service token service\"",
        platform.identity.ip(),
        platform.identity.port()
    );
    for rule in rules {
        let ports = if rule.ports.0 == rule.ports.1 {
            rule.ports.0.to_string()
        } else {
            format!("{}-{}", rule.ports.0, rule.ports.1)
        };
        let verdict = if rule.accept { "accept" } else { "drop" };
        let _ =
            writeln!(s, "    ip daddr {} tcp dport {ports} {verdict} comment \"{}\"", rule.address, comment(&rule.why));
    }
    let _ = writeln!(s, "    drop comment \"nothing in the estate answers here: the packet is dropped (timeout)\"");
    let _ = writeln!(s, "  }}\n}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_becomes_one_line_and_the_rest_is_dropped() {
        let platform = Platform {
            dns_servers: vec![Ipv4Addr::new(168, 63, 129, 16)],
            identity: SocketAddrV4::new(Ipv4Addr::new(169, 254, 129, 1), 8081),
        };
        let rules = [
            KernelRule {
                address: Ipv4Addr::new(10, 0, 2, 4),
                ports: (1433, 1433),
                accept: true,
                why: "sql Allowed: \"ok\"".into(),
            },
            KernelRule { address: Ipv4Addr::new(10, 0, 2, 5), ports: (11000, 11999), accept: false, why: "nsg".into() },
        ];
        let text = script("pl1a", &platform, &rules);
        assert!(text.contains("ip daddr 10.0.2.4 tcp dport 1433 accept comment \"sql Allowed: 'ok'\""), "{text}");
        assert!(text.contains("ip daddr 10.0.2.5 tcp dport 11000-11999 drop"), "{text}");
        assert!(text.contains("ip daddr 168.63.129.16 udp dport 53 accept"), "{text}");
        let last_rule = text.lines().rev().find(|l| l.trim_start().starts_with("drop")).unwrap();
        assert!(last_rule.contains("nothing in the estate answers here"));
    }

    #[test]
    fn comments_fit_nftables() {
        let long = "x".repeat(300) + "\"";
        assert!(comment(&long).len() <= 128);
        assert!(!comment("a\"b").contains('"'));
    }
}
