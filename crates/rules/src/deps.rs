//! What the engine says about every dependency of every app: the view, the resolution and the
//! trace, computed once per call and shared by the rules that reason with DNS and paths.

use privlink_engine::dns::{dependencies, view_of, Querier, Rcode, Resolution, Resolver, View};
use privlink_engine::path::RouteIndex;
use privlink_engine::path::{Step, Trace, Verdict};
use privlink_engine::trace::{dependency_port, owner_of, trace_resolved_without_json};
use privlink_model::{ConnectionStatus, DnsName, Model, PrivateEndpoint, RecordType, Site};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// One dependency of one app as the engine sees it.
pub struct Dependency<'m> {
    pub site: &'m Site,
    pub name: DnsName,
    pub view: View,
    pub resolution: Resolution,
    pub trace: Trace,
}

impl Dependency<'_> {
    /// The hop that denied the trace, if the trace was denied.
    pub fn denied_at(&self) -> Option<&privlink_engine::path::Hop> {
        (self.trace.verdict == Verdict::Denied).then(|| self.trace.hops.last()).flatten()
    }

    /// Whether the trace was denied at `step`.
    pub fn denied_at_step(&self, step: Step) -> bool {
        self.denied_at().is_some_and(|h| h.step == step)
    }

    /// The resolution as evidence: the view, the answer, the chain and the reasoning after the view.
    pub fn resolution_evidence(&self) -> Value {
        let r = &self.resolution;
        let view = match (&r.view.vnet, r.view.dns_servers.is_empty()) {
            (Some(v), _) => format!("{} of {}", kind(&r.view), v.name()),
            (None, false) => format!("{} {}", kind(&r.view), r.view.dns_servers.join(",")),
            (None, true) => kind(&r.view),
        };
        let chain: Vec<String> =
            r.chain.iter().map(|c| format!("{} {} {}", c.name, c.record_type.as_str(), c.data)).collect();
        let why: Vec<&str> = r.explanation.iter().skip(self.view.explanation.len()).map(String::as_str).collect();
        json!({
            "app": self.site.meta.id,
            "name": self.name,
            "view": view,
            "answer": match r.rcode {
                Some(Rcode::NoError) => format!(
                    "NOERROR {}{}",
                    serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                    r.addresses.iter().map(|a| format!(" {a}")).collect::<String>()
                ),
                Some(other) => other.as_str().to_string(),
                None => "unknown".to_string(),
            },
            "chain": chain.join("; "),
            "zone": r.zone,
            "why": why.join(" "),
        })
    }

    /// The trace as evidence: each hop's step and verdict, and the deciding hop's detail.
    pub fn trace_evidence(&self) -> Value {
        let t = &self.trace;
        let hops: Vec<String> = t
            .hops
            .iter()
            .map(|h| {
                let step = serde_json::to_value(h.step).ok().and_then(|v| v.as_str().map(str::to_string));
                let verdict = serde_json::to_value(h.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
                format!("{}:{}", step.unwrap_or_default(), verdict.unwrap_or_default())
            })
            .collect();
        json!({
            "app": self.site.meta.id,
            "to": t.query.to,
            "address": t.destination.ip,
            "hops": hops.join(" "),
            "decidedBy": t.decided_by.as_ref().map(|d| &d.id),
            "detail": t.hops.last().map(|h| &h.detail),
            "message": t.message,
        })
    }
}

fn kind(view: &View) -> String {
    serde_json::to_value(view.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// What the engine says about one model, computed lazily at most once per check and shared by
/// the rules that need it (a rule stays a pure function of the model: this is a cache of
/// functions of the same model).
pub struct Analysis<'m> {
    model: &'m Model,
    dependencies: OnceLock<Vec<Dependency<'m>>>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model) -> Analysis<'m> {
        Analysis { model, dependencies: OnceLock::new() }
    }

    /// Every dependency of every app, in (site, name) order (see [`all`]).
    pub fn dependencies(&self) -> &[Dependency<'m>] {
        self.dependencies.get_or_init(|| all(self.model))
    }
}

/// Every dependency of every app of the estate, in (site, name) order: one resolver and one
/// route index for all apps.
pub fn all(model: &Model) -> Vec<Dependency<'_>> {
    let resolver = Resolver::new(model);
    let routes = RouteIndex::build(model);
    let sites: Vec<&Site> = model.resources.sites.values().collect();
    // Apps are independent: split them across cores, then concatenate in site order, so the
    // result does not depend on the split.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if sites.len() < 64 || workers == 1 {
        return sites.into_iter().flat_map(|s| analyse_site(model, &resolver, &routes, s)).collect();
    }
    let chunk = sites.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sites
            .chunks(chunk)
            .map(|part| {
                let (resolver, routes) = (&resolver, &routes);
                scope.spawn(move || {
                    part.iter().flat_map(|s| analyse_site(model, resolver, routes, s)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("analysis does not panic")).collect()
    })
}

fn analyse_site<'m>(model: &'m Model, resolver: &Resolver, routes: &RouteIndex, site: &'m Site) -> Vec<Dependency<'m>> {
    let view = view_of(model, &Querier::Site(site.meta.id.clone()));
    dependencies::site_dependencies(model, site)
        .into_iter()
        .map(|name| {
            // One resolution per dependency, shared by its trace (as `trace --all` computes it);
            // the rules read the resolution itself, so the trace carries no JSON copy.
            let resolution = resolver.resolve(&view, &name, RecordType::A);
            let port = dependency_port(site, &name);
            let trace = trace_resolved_without_json(model, routes, &site.meta.id, &name, port, &resolution);
            Dependency { site, name, view: view.clone(), resolution, trace }
        })
        .collect()
}

/// The approved private endpoints of the estate whose target owns `name` (per the catalog), with
/// the customer-visible name matched: the endpoints that should answer for it.
pub fn approved_endpoints_for<'m>(model: &'m Model, name: &DnsName) -> Vec<&'m PrivateEndpoint> {
    let Some(owner) = owner_of(model, name) else { return Vec::new() };
    model
        .indexes
        .endpoints_of_target
        .get(&owner)
        .into_iter()
        .flatten()
        .filter_map(|id| model.resources.private_endpoints.get(id))
        .filter(|pe| {
            pe.primary_connection().is_some_and(|c| c.status == ConnectionStatus::Approved)
                && crate::rules::util::endpoint_names(model, pe).is_some_and(|n| n.customer_fqdns.contains(name))
        })
        .collect()
}
