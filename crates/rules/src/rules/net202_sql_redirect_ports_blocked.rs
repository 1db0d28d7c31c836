//! # NET202 sql-redirect-ports-blocked: an app's NSG allows SQL's 1433 but blocks the Redirect ports to its private endpoint
//!
//! **What it checks.** For every Azure SQL server whose connection policy is `Redirect` (the
//! `Microsoft.Sql/servers/connectionPolicies` document's `properties.connectionType`) and that has an
//! approved private endpoint, every app that names the server and integrates with a subnet that has
//! an NSG may reach the endpoint's address outbound over TCP on 1433 *and* on every port of
//! 1433–65535.
//!
//! **Why it breaks.** Under `Redirect`, a client through a private endpoint logs in on 1433 and is
//! then sent to the database node on another port of 1433–65535 at the same private address (Proxy
//! uses 1433 only; `Default` behaves as Proxy through a private endpoint) — [Azure SQL connectivity settings](https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings), [privlink rules](/docs/rules.md)
//! SQL-2. App traffic to a private address enters the VNet and is filtered by the integration
//! subnet's outbound rules ([App Service virtual network integration routing](https://learn.microsoft.com/azure/app-service/configure-vnet-integration-routing)). An NSG that allows only 1433 lets the login start and then drops
//! the redirected connection: the app sees timeouts after a successful TCP connect.
//!
//! **Severity.** An error when the port privlink follows the redirect to (11000, the first of the
//! range, where the twin's gateway sends clients) is blocked: `privlink trace` then says the
//! connection is denied at its `redirect` hop. A warning when only other ports of 1433–65535 are:
//! Azure picks the node's port, so the app fails whenever its database lives behind one of them.
//!
//! **Example.** `sql1` has `connectionType: Redirect`; `nsg-integration` allows Tcp → VirtualNetwork:1433
//! at 100 and denies everything else at 4000.
//!
//! **Fix.** Widen the rule that admits 1433 to the redirect range
//! (`az network nsg rule update -g RG --nsg-name NSG -n RULE --destination-port-ranges 1433-65535`),
//! or — where only a default rule admits 1433 — add an allow rule for the endpoint's address ahead
//! of the denying one (`az network nsg rule create … --destination-address-prefixes IP/32 --destination-port-ranges 1433-65535`).
//! Setting the server's policy to `Proxy` (`az sql server conn-policy update -g RG -s SERVER --connection-type Proxy`) also works, at some latency cost.
//!
//! **Reference.** https://learn.microsoft.com/azure/azure-sql/database/private-endpoint-overview#use-redirect-connection-policy-with-private-endpoints

use super::util::{approved_endpoints, backend_hosts, names_in_settings, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::nsg::{evaluate, Flow, FlowEndpoint, NsgDecision, TagOptions, TagScope};
use privlink_engine::path::redirect::SQL_REDIRECT_PORT;
use privlink_engine::path::Step;
use privlink_engine::trace::owner_of;
use privlink_model::{Access, BackendKind, Direction, Model, PortRange, Protocol, ResourceId, Site};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

const FIRST: u16 = 1433;
const LAST: u16 = 65535;

pub(crate) const RULE: Rule = Rule {
    code: "NET202",
    name: "sql-redirect-ports-blocked",
    severity: Severity::Error,
    secondary_severity: Some(Severity::Warning),
    fix: FixAvailability::Sometimes,
    check,
};

/// An address of the subnet for the app's side of the flow: the first one Azure hands out (x.x.x.4).
fn source_of(model: &Model, subnet: &ResourceId) -> Option<IpAddr> {
    let prefix = model.resources.subnets.get(subnet)?.prefixes.iter().find(|p| p.addr().is_ipv4())?;
    let IpAddr::V4(base) = prefix.network() else { return None };
    Some(IpAddr::V4(Ipv4Addr::from(u32::from(base).saturating_add(4))))
}

/// Ports where the NSG's outbound decision can change: the edges of every outbound rule's ranges.
fn candidate_ports(model: &Model, nsg: &ResourceId) -> BTreeSet<u16> {
    // The port the trace follows the redirect to is always tried: it decides the severity.
    let mut ports: BTreeSet<u16> = [FIRST + 1, SQL_REDIRECT_PORT, LAST].into_iter().collect();
    if let Some(n) = model.resources.network_security_groups.get(nsg) {
        for r in n.rules.iter().chain(&n.default_rules).filter(|r| r.direction == Direction::Outbound) {
            for p in &r.destination_ports {
                for edge in [p.first.saturating_sub(1), p.first, p.last, p.last.saturating_add(1)] {
                    if edge > FIRST {
                        ports.insert(edge);
                    }
                }
            }
        }
    }
    ports
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for sql in model.resources.backends.values().filter(|b| b.kind == BackendKind::SqlServer) {
        let policy = sql.sql_connection_policy.as_deref().unwrap_or("Default");
        if !policy.eq_ignore_ascii_case("Redirect") {
            continue;
        }
        let endpoints = approved_endpoints(model, &sql.meta.id);
        let ips: Vec<(ResourceId, IpAddr)> = endpoints
            .iter()
            .flat_map(|pe| model.endpoint_nics(pe).flat_map(|n| n.private_ips()).map(move |ip| (pe.clone(), ip)))
            .collect();
        if ips.is_empty() {
            continue;
        }
        let hosts = backend_hosts(sql);
        for site in model.resources.sites.values() {
            let named: Vec<String> =
                names_in_settings(site).into_iter().filter(|(n, _)| hosts.contains(n)).map(|(_, s)| s).collect();
            if named.is_empty() {
                continue;
            }
            let redirect_denied = analysis.traced().any(|(d, p)| {
                d.site.meta.id == site.meta.id
                    && p.denied_at_step(Step::Redirect)
                    && owner_of(model, &d.name).as_ref() == Some(&sql.meta.id)
            });
            out.extend(check_site(model, sql, site, &named, &ips, policy).map(|f| {
                if redirect_denied {
                    f
                } else {
                    f.at_secondary_severity(&RULE)
                }
            }));
        }
    }
    out
}

fn check_site(
    model: &Model,
    sql: &privlink_model::Backend,
    site: &Site,
    named: &[String],
    ips: &[(ResourceId, IpAddr)],
    policy: &str,
) -> Option<Finding> {
    let subnet_id = &site.integration_subnet.as_ref()?.value;
    let nsg_id = model.resources.subnets.get(subnet_id)?.nsg.clone()?;
    let nsg = model.resources.network_security_groups.get(&nsg_id)?;
    let source = source_of(model, subnet_id)?;
    let scope = TagScope::for_subnet(model, subnet_id, TagOptions::default());
    let decide = |ip: IpAddr, port: u16| -> NsgDecision {
        let flow = Flow {
            source: FlowEndpoint::ip(source),
            destination: FlowEndpoint::ip(ip),
            source_port: None,
            destination_port: port,
            protocol: Protocol::Tcp,
        };
        evaluate(model, &nsg_id, Direction::Outbound, &flow, &scope)
    };
    let ports = candidate_ports(model, &nsg_id);
    // The first endpoint address where 1433 passes but some redirect port does not.
    for (pe, ip) in ips {
        let login = decide(*ip, FIRST);
        if login.access != Access::Allow {
            continue; // 1433 itself is blocked: another problem, not this one
        }
        let mut blocked: BTreeMap<String, (Vec<u16>, Option<i64>)> = BTreeMap::new();
        let mut blocking_ids: BTreeMap<String, ResourceId> = BTreeMap::new();
        for port in &ports {
            let d = decide(*ip, *port);
            if d.access == Access::Deny {
                if let Some(id) = &d.rule {
                    blocking_ids.insert(d.rule_name.clone(), id.clone());
                }
                let e = blocked.entry(d.rule_name.clone()).or_insert((Vec::new(), d.priority));
                e.0.push(*port);
            }
        }
        if blocked.is_empty() {
            continue;
        }
        let blocked_text: Vec<String> = blocked
            .iter()
            .map(|(rule, (ports, prio))| {
                format!(
                    "{rule}{} denies redirect ports ({})",
                    prio.map_or(String::new(), |p| format!(" (priority {p})")),
                    ports.iter().map(u16::to_string).take(3).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let fix = fix_for(model, &nsg_id, &login, *ip, sql.meta.name.as_str(), &blocked);
        let resource = login.rule.clone().filter(|_| !login.is_default).unwrap_or_else(|| nsg_id.clone());
        let message = format!(
            "SQL server {} uses the Redirect connection policy, so app {} ({}) reaches private endpoint {} at {ip} on 1433 and then on ports up to 65535; NSG {} on its integration subnet allows 1433 ({}) but {}: connections are redirected into a drop",
            sql.meta.name,
            site.meta.name,
            named.join(", "),
            pe.name(),
            nsg.meta.name,
            login.rule_name,
            blocked_text.join("; ")
        );
        let evidence = vec![json!({
            "sqlServer": sql.meta.id,
            "connectionPolicy": policy,
            "site": site.meta.id,
            "integrationSubnet": subnet_id,
            "privateEndpoint": pe,
            "address": ip,
            "nsg": nsg_id,
            "port1433": login,
            "blocked": blocked
                .iter()
                .map(|(r, (p, prio))| json!({"rule": r, "id": blocking_ids.get(r), "priority": prio, "ports": p}))
                .collect::<Vec<_>>(),
        })];
        return Some(Finding::new(&RULE, resource, message).with_evidence(evidence).with_fix(fix));
    }
    None
}

fn fix_for(
    model: &Model,
    nsg_id: &ResourceId,
    login: &NsgDecision,
    ip: IpAddr,
    sql_name: &str,
    blocked: &BTreeMap<String, (Vec<u16>, Option<i64>)>,
) -> Option<Fix> {
    let nsg = &model.resources.network_security_groups[nsg_id];
    if let (Some(rule_id), false) = (&login.rule, login.is_default) {
        let rule = nsg.rules.iter().find(|r| &r.id == rule_id)?;
        let base = rule.destination_ports.iter().find(|p| p.contains(FIRST))?;
        let wide = PortRange { first: base.first.min(FIRST), last: LAST };
        let text =
            |p: &PortRange| if p.first == p.last { p.first.to_string() } else { format!("{}-{}", p.first, p.last) };
        // The widened range replaces every range it covers; the others stay.
        let mut ranges: Vec<String> = vec![text(&wide)];
        ranges.extend(
            rule.destination_ports.iter().filter(|p| !(wide.first <= p.first && p.last <= wide.last)).map(text),
        );
        // One range is written as `destinationPortRange`, several as `destinationPortRanges`.
        let edits = if ranges.len() == 1 {
            vec![
                Edit::add(rule_id, "/properties/destinationPortRange", json!(ranges[0])),
                Edit::remove(rule_id, "/properties/destinationPortRanges"),
            ]
        } else {
            vec![
                Edit::remove(rule_id, "/properties/destinationPortRange"),
                Edit::add(rule_id, "/properties/destinationPortRanges", json!(ranges)),
            ]
        };
        return Some(Fix {
            az: vec![format!(
                "az network nsg rule update --resource-group {} --nsg-name {} --name {} --destination-port-ranges {}",
                rg(nsg_id),
                nsg.meta.name,
                rule.name,
                ranges.join(" ")
            )],
            edits,
        });
    }
    // Only a default rule admits 1433: a new allow rule ahead of every denying custom rule.
    let below = blocked.values().filter_map(|(_, p)| *p).min().unwrap_or(4097).min(4097);
    let taken: BTreeSet<i64> =
        nsg.rules.iter().filter(|r| r.direction == Direction::Outbound).map(|r| r.priority).collect();
    let priority = (100..below).rev().find(|p| !taken.contains(p))?;
    let name = format!("allow-sql-redirect-{sql_name}");
    let prefix = format!("{ip}/32");
    Some(Fix {
        az: vec![format!(
            "az network nsg rule create --resource-group {} --nsg-name {} --name {name} --priority {priority} --direction Outbound --access Allow --protocol Tcp --destination-address-prefixes {prefix} --destination-port-ranges {FIRST}-{LAST}",
            rg(nsg_id),
            nsg.meta.name
        )],
        edits: vec![Edit::create(
            &nsg_id.child("securityRules", &name),
            json!({"properties": {
                "priority": priority,
                "direction": "Outbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourceAddressPrefix": "*",
                "sourcePortRange": "*",
                "destinationAddressPrefix": prefix,
                "destinationPortRange": format!("{FIRST}-{LAST}"),
            }}),
        )],
    })
}
