//! # NET201 nsg-priority-invalid: a security rule's priority is out of range or duplicated
//!
//! **What it checks.** Every custom security rule of a network security group has a priority
//! between 100 and 4096, and no two rules of one direction share a priority.
//!
//! **Why it breaks.** Azure evaluates rules by priority, first match wins, and requires priorities
//! to be unique per direction within 100–4096 ([Network security groups](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview), Learn "Network security
//! groups"). A deployment with such a rule is rejected, so the NSG you think you have is not the
//! one in Azure.
//!
//! **Example.** Two outbound rules `allow-sql` and `allow-redis`, both at priority 100.
//!
//! **Fix.** Give each rule its own priority in range, e.g.
//! `az network nsg rule update -g RG --nsg-name NSG -n RULE --priority 110`.
//!
//! **Reference.** https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules

use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_model::{Direction, Model};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "NET201",
    name: "nsg-priority-invalid",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for nsg in model.resources.network_security_groups.values() {
        let mut taken: BTreeMap<(Direction, i64), Vec<&str>> = BTreeMap::new();
        for r in &nsg.rules {
            taken.entry((r.direction, r.priority)).or_default().push(&r.name);
        }
        // Rules are sorted by (direction, priority, name): the first of a shared priority keeps it.
        let mut kept = std::collections::BTreeSet::new();
        for r in &nsg.rules {
            let in_range = (100..=4096).contains(&r.priority);
            let clash = !kept.insert((r.direction, r.priority));
            if in_range && !clash {
                continue;
            }
            let free = (100..=4096).step_by(10).find(|p| !taken.contains_key(&(r.direction, *p))).unwrap_or(4096);
            let message = if !in_range {
                format!("rule {} has priority {}, outside Azure's 100–4096", r.name, r.priority)
            } else {
                let others: Vec<&str> =
                    taken[&(r.direction, r.priority)].iter().copied().filter(|n| *n != r.name).collect();
                format!("rule {} shares {:?} priority {} with {}", r.name, r.direction, r.priority, others.join(", "))
            };
            let fix = Fix {
                az: vec![format!(
                    "az network nsg rule update --resource-group {} --nsg-name {} --name {} --priority {free}",
                    nsg.meta.id.resource_group().unwrap_or("RG"),
                    nsg.meta.name,
                    r.name
                )],
                edits: vec![Edit::add(&r.id, "/properties/priority", json!(free))],
            };
            out.push(
                Finding::new(&RULE, r.id.clone(), message)
                    .with_evidence(vec![
                        json!({"nsg": nsg.meta.id, "rule": r.id, "priority": r.priority, "direction": r.direction}),
                    ])
                    .with_fix(fix),
            );
            taken.entry((r.direction, free)).or_default().push(&r.name);
        }
    }
    out
}
