//! The engine's answer for one connection: the trace from the app to the address the client
//! connected to, with the name it asked for, as [`Admission`].

use super::{Admission, Arrival, Gate};
use arc_swap::ArcSwap;
use privlink_engine::access::Access;
use privlink_engine::path::{self, DnsContext, FlowVerdict, Step, Trace};
use privlink_engine::trace::{access_to, owner_of};
use privlink_model::{DnsName, Model, Protocol, ResourceId};
use std::sync::Arc;

/// Decides every connection of one app from the estate the run follows.
pub struct EngineGate {
    site: ResourceId,
    model: ArcSwap<Model>,
}

impl EngineGate {
    pub fn new(site: ResourceId, model: Arc<Model>) -> EngineGate {
        EngineGate { site, model: ArcSwap::new(model) }
    }

    /// Follows a change of the estate: the next connection is decided on `model`.
    pub fn replace(&self, model: Arc<Model>) {
        self.model.store(model);
    }

    pub fn model(&self) -> Arc<Model> {
        self.model.load_full()
    }

    pub fn site(&self) -> &ResourceId {
        &self.site
    }

    /// The engine's trace of this connection.
    pub fn trace(&self, arrival: &Arrival) -> Trace {
        let model = self.model.load();
        let name = arrival.host.as_deref().and_then(|h| DnsName::parse(h).ok());
        let owner = name.as_ref().and_then(|n| owner_of(&model, n));
        let dns = DnsContext { host: name.as_ref().map(|n| n.to_string()), backend: owner.clone() };
        let mut trace =
            path::trace_from_site(&model, &self.site, arrival.local.ip(), arrival.local.port(), Protocol::Tcp, dns);
        let owner = owner.or_else(|| trace.destination.resource.clone());
        trace.access = Some(access_to(&model, &self.site, owner.as_ref()));
        trace
    }
}

impl Gate for EngineGate {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>) {
        let trace = self.trace(arrival);
        (admission_of(&trace), Some(trace))
    }
}

/// How a face acts on a trace: admitted when the engine allows the path; the service's own
/// answer when its gate (the last hop, `service`) refuses; silence for anything dropped before it.
/// A trace that ends in SQL's `redirect` hop got through to the gateway whatever that hop says:
/// the gateway sends the client on, and the redirected connection is decided when it arrives.
pub fn admission_of(trace: &Trace) -> Admission {
    let message = trace.message.clone();
    if trace.hops.last().is_some_and(|h| h.step == Step::Redirect) {
        return Admission::Redirected {
            access: Box::new(trace.access.clone().unwrap_or_else(Access::none_for_unknown_service)),
            port: path::redirect::SQL_REDIRECT_PORT,
        };
    }
    match trace.verdict {
        FlowVerdict::Allowed => Admission::Admitted {
            access: Box::new(trace.access.clone().unwrap_or_else(Access::none_for_unknown_service)),
        },
        FlowVerdict::Denied if trace.hops.last().is_some_and(|h| h.step == Step::Service) => {
            if message.starts_with("connection reset") {
                Admission::Reset { message }
            } else if message.starts_with("no answer") {
                Admission::Silent { message }
            } else {
                Admission::Refused { message }
            }
        }
        _ => Admission::Silent { message },
    }
}
