//! # PE101 connection-not-approved: a private endpoint's connection is Pending, Rejected or Disconnected
//!
//! **What it checks.** The connection state of every private endpoint, as the endpoint records it
//! (`privateLinkServiceConnections` / `manualPrivateLinkServiceConnections`) and as the target
//! records it (`privateEndpointConnections`). Both must say `Approved`.
//!
//! **Why it breaks.** Only an approved connection passes traffic ([What is a private endpoint?](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)). An endpoint
//! created through `manualPrivateLinkServiceConnections` (or by someone without the approval
//! permission on the target) waits `Pending` until the target's owner approves it; the NIC and its
//! IP exist all the same, DNS may already point at it, and the app sees timeouts. `Rejected` and
//! `Disconnected` endpoints never carry traffic again: they must be deleted and recreated.
//!
//! **Example.** `pe-sql` asks `sql-app` for `sqlServer` through a manual connection; the server's
//! `privateEndpointConnections` entry is still `Pending`.
//!
//! **Fix.** For `Pending`, the target's owner approves it:
//! `az network private-endpoint-connection approve --id <connection id on the target> --description "Approved"`.
//! For `Rejected` or `Disconnected`, delete the endpoint and create it again (no automatic fix).
//!
//! **Reference.** https://learn.microsoft.com/azure/private-link/manage-private-endpoint

use super::util::{has_name, member_indices, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_model::{BackendConnection, ConnectionStatus, Model, PrivateEndpoint, PrivateLinkConnection, ResourceId};
use serde_json::{json, Value};

pub(crate) const RULE: Rule = Rule {
    code: "PE101",
    name: "connection-not-approved",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(model: &Model, _: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for pe in model.resources.private_endpoints.values() {
        for conn in &pe.connections {
            let backend = conn.target.as_ref().and_then(|t| model.resources.backends.get(t));
            let backend_side: Option<&BackendConnection> =
                backend.and_then(|b| b.connections.iter().find(|c| c.private_endpoint.as_ref() == Some(&pe.meta.id)));
            let status = match backend_side {
                Some(b) if b.status != ConnectionStatus::Approved => b.status.clone(),
                _ => conn.status.clone(),
            };
            if status == ConnectionStatus::Approved {
                continue;
            }
            let target = conn.target.as_ref().map_or_else(
                || conn.target_alias.clone().unwrap_or_else(|| "an unnamed target".into()),
                |t| t.to_string(),
            );
            let message = format!(
                "private endpoint {} connection {} to {} ({}) is {}: no traffic passes until it is Approved{}",
                pe.meta.name,
                conn.name,
                conn.target.as_ref().map_or(target.as_str(), |t| t.name()),
                conn.group_ids.join(", "),
                status.as_str(),
                match status {
                    ConnectionStatus::Pending => "; the target's owner must approve it",
                    _ => "; delete the endpoint and create it again",
                }
            );
            let fix = (status == ConnectionStatus::Pending).then(|| approve(model, pe, conn, backend_side));
            let evidence = vec![json!({
                "privateEndpoint": pe.meta.id,
                "connection": conn.name,
                "manual": conn.manual,
                "target": target,
                "groupIds": conn.group_ids,
                "endpointSideStatus": conn.status.as_str(),
                "targetSideStatus": backend_side.map(|b| b.status.as_str()),
                "targetSideConnection": backend_side.and_then(|b| b.id.as_ref()),
            })];
            out.push(
                Finding::new(
                    &RULE,
                    conn.target.clone().filter(|_| status == ConnectionStatus::Pending).unwrap_or(pe.meta.id.clone()),
                    message,
                )
                .with_evidence(evidence)
                .with_fix(fix),
            );
        }
    }
    out
}

fn approved_state() -> Value {
    json!({"status": "Approved", "description": "Approved", "actionsRequired": "None"})
}

fn approve(
    model: &Model,
    pe: &PrivateEndpoint,
    conn: &PrivateLinkConnection,
    backend_side: Option<&BackendConnection>,
) -> Fix {
    // The connection state of the members of `list` in `doc` that `is_it` picks becomes Approved.
    let approve_members = |doc: &ResourceId, list: &str, is_it: &dyn Fn(&Value) -> bool| -> Vec<Edit> {
        member_indices(model, doc, list, is_it)
            .into_iter()
            .map(|i| {
                Edit::add(doc, format!("{list}/{i}/properties/privateLinkServiceConnectionState"), approved_state())
            })
            .collect()
    };
    let prop = if conn.manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
    let mut edits = approve_members(&pe.meta.id, &format!("/properties/{prop}"), &|c| has_name(c, &conn.name));
    let az = match (conn.target.as_ref(), backend_side) {
        (Some(target), Some(side)) => {
            edits.extend(approve_members(target, "/properties/privateEndpointConnections", &|c| {
                has_name(c, &side.name)
                    || side.id.as_ref().is_some_and(|id| c.get("id").and_then(Value::as_str) == Some(id.as_str()))
            }));
            match &side.id {
                Some(id) => format!("az network private-endpoint-connection approve --id {id} --description \"Approved\""),
                None => format!(
                    "az network private-endpoint-connection approve --resource-group {} --resource-name {} --type {} --name {} --description \"Approved\"",
                    rg(target),
                    target.name(),
                    target.resource_type(),
                    side.name
                ),
            }
        }
        (Some(target), None) => {
            return Fix {
                az: vec![
                    format!("az network private-endpoint-connection list --id {target}"),
                    format!(
                        "az network private-endpoint-connection approve --id <the connection of {} listed above> --description \"Approved\"",
                        pe.meta.name
                    ),
                ],
                edits,
            }
        }
        (None, _) => format!(
            "az network private-endpoint-connection approve --id <the connection of {} on the Private Link service> --description \"Approved\"",
            pe.meta.name
        ),
    };
    Fix { az: vec![az], edits }
}
