//! Azure SQL's `Redirect` connection policy: after the login on 1433 the gateway sends the client
//! to the database node, and the client connects again, to another port (11000–11999 over the
//! public endpoint; through a private endpoint a port in 1433–65535, §5.2 and §15). The connection
//! works only when that second connection gets through as well, so the trace follows it as one
//! more hop: the same address on [`SQL_REDIRECT_PORT`], through the same egress, routes, NSGs and
//! service gate.

use super::{DnsContext, FlowVerdict, Hop, RouteIndex, Step, Trace};
use privlink_model::{Backend, BackendKind, Model, Protocol, ResourceId};

/// The port the twin's gateway redirects to, and the one the trace follows: the first of the
/// Redirect range (assumptions A11; Azure picks the node's port, which clients cannot know ahead).
pub const SQL_REDIRECT_PORT: u16 = 11000;

/// The port every Azure SQL connection starts on, at the gateway.
pub const SQL_GATEWAY_PORT: u16 = 1433;

/// Whether a client inside Azure that reached `backend`'s gateway is redirected: the policy is
/// `Redirect`, or `Default` over the public endpoint (assumptions A3).
pub fn sql_redirects(backend: &Backend, via_private_endpoint: bool) -> bool {
    if backend.kind != BackendKind::SqlServer {
        return false;
    }
    let policy = backend.sql_connection_policy.as_deref().unwrap_or("Default");
    policy.eq_ignore_ascii_case("Redirect") || (!via_private_endpoint && policy.eq_ignore_ascii_case("Default"))
}

/// The SQL server an allowed trace to its gateway reached, when its policy redirects the client.
pub fn redirecting_server<'m>(model: &'m Model, trace: &Trace) -> Option<&'m Backend> {
    if trace.verdict != FlowVerdict::Allowed || trace.destination.port != SQL_GATEWAY_PORT {
        return None;
    }
    let backend = model.resources.backends.get(trace.destination.resource.as_ref()?)?;
    let via_private_endpoint = model.endpoint_owning_ip(trace.destination.ip).is_some();
    sql_redirects(backend, via_private_endpoint).then_some(backend)
}

/// Adds the redirected connection to an allowed trace to a SQL gateway whose policy redirects;
/// any other trace is returned as it is.
pub(super) fn follow_redirect(
    model: &Model,
    index: &RouteIndex,
    site_id: &ResourceId,
    dns: &DnsContext,
    trace: Trace,
) -> Trace {
    let Some(server) = redirecting_server(model, &trace) else {
        return trace;
    };
    let ip = trace.destination.ip;
    let leg = super::trace_from_site_indexed(model, index, site_id, ip, SQL_REDIRECT_PORT, Protocol::Tcp, dns.clone());
    let policy = server.sql_connection_policy.as_deref().unwrap_or("Default");
    let mut trace = trace;
    // What the port changes: the NSG's decision when the leg gets through, else the hop that stopped it.
    let deciding = match leg.verdict {
        FlowVerdict::Allowed => leg.hops.iter().rev().find(|h| h.step == Step::Nsg),
        _ => leg.hops.iter().rev().find(|h| h.verdict == leg.verdict),
    }
    .or(leg.hops.last());
    let how = deciding.map_or_else(String::new, |h| format!(": {}", h.detail));
    let decided_by = leg.decided_by.clone().or_else(|| deciding.and_then(|h| h.decided_by.clone()));
    let detail = format!(
        "{} uses the {policy} connection policy, so after the login the client connects again to {ip}:{SQL_REDIRECT_PORT} (assumptions A11); that connection is {}{how}",
        server.meta.name,
        leg.verdict.as_str()
    );
    trace.hops.push(Hop { step: Step::Redirect, verdict: leg.verdict, decided_by, detail });
    if leg.verdict != FlowVerdict::Allowed {
        trace.verdict = leg.verdict;
        trace.decided_by = leg.decided_by;
        trace.message = format!("redirected to port {SQL_REDIRECT_PORT}: {}", leg.message);
        trace = trace.with_root_cause(None);
    }
    trace
}
