//! What the engine says about every dependency of every app: the view, the resolution, the trace
//! and its access step, computed once per call and shared by the rules that reason with DNS, paths
//! and identities.

use crate::rules::util::{endpoint_names, privatelink_name, EndpointNames};
use privlink_engine::access::{references, Access, AccessVerdict};
use privlink_engine::dns::{
    dependencies, view_of, Answerer, Querier, Rcode, Resolution, ResolutionVerdict, Resolver, View,
};
use privlink_engine::path::{DecidedBy, Destination, FlowVerdict, RouteIndex, Step, Trace};
use privlink_engine::trace::{owner_of, trace_resolved, DependencyPorts};
use privlink_model::{ConnectionStatus, DnsName, Model, PrivateEndpoint, RecordType, ResourceId, Site};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One dependency of one app as the engine sees it: the facts the rules decide on. At 100k
/// resources an estate has over 100k dependencies, so the full resolution and trace (explanations,
/// chains, hop details: kilobytes each) are not kept; [`Analysis::resolution_evidence`] and
/// [`Analysis::trace_evidence`] recompute them for the few dependencies a finding cites.
pub struct Dependency<'m> {
    pub site: &'m Site,
    pub name: DnsName,
    /// The port the app connects on: the first setting that names the host, else the service's.
    pub port: u16,
    /// The VNet whose Azure DNS (and so whose zone links) answers the app, if any.
    pub view_vnet: Option<ResourceId>,
    pub answer: Answer,
    /// How the connection ended, for the hosts the app names (see [`Analysis::dependencies`]).
    pub path: Option<PathOutcome>,
}

/// What the app's resolver answered for a dependency.
#[derive(Clone)]
pub struct Answer {
    pub rcode: Option<Rcode>,
    pub verdict: ResolutionVerdict,
    /// The private zone that gave the final answer (record or NXDOMAIN), if one did.
    pub zone: Option<ResourceId>,
    /// The name the final answer is about: the last CNAME target of the chain, else the name asked.
    pub final_name: DnsName,
    /// The addresses answered, in the resolver's order.
    pub addresses: Box<[std::net::IpAddr]>,
}

/// A traced dependency with how its connection ended, as [`Analysis::traced`] yields them.
pub type Traced<'a, 'm> = (&'a Dependency<'m>, &'a PathOutcome);

/// How the connection to a dependency ended.
pub struct PathOutcome {
    pub verdict: FlowVerdict,
    pub destination: Destination,
    /// `host:port`, as `trace` shows it.
    pub to: String,
    /// For a denied connection: the step that denied it and what decided there.
    pub denied: Option<(Step, Option<DecidedBy>)>,
    /// For a connection that is not allowed (denied or unknown): the resource that decided.
    pub decided_by: Option<DecidedBy>,
    /// The trace's access step when it denies or cannot tell; a granted or not-applicable one is
    /// dropped (at 100k dependencies nearly all are, and the rules report only these).
    pub access: Option<Box<Access>>,
    /// The access step's verdict, whatever it is (`None` where the trace has no access step).
    pub access_verdict: Option<AccessVerdict>,
    /// For a connection that is not allowed: what to change, when that is not what decided (the
    /// DNS setting that sent the name public, where the trace names a root cause).
    pub to_change: Option<DecidedBy>,
}

impl PathOutcome {
    /// What decided a denial, if the connection was denied.
    pub fn denied_by(&self) -> Option<&DecidedBy> {
        self.denied.as_ref().and_then(|(_, by)| by.as_ref())
    }

    /// Whether the connection was denied at `step`.
    pub fn denied_at_step(&self, step: Step) -> bool {
        self.denied.as_ref().is_some_and(|(s, _)| *s == step)
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
    /// Built once and shared by the analysis and the evidence. Routes are built per app instead
    /// (each app has its own integration subnet), on the worker that traces it, and dropped with it.
    resolver: OnceLock<Resolver<'m>>,
    /// In site order, in the batches the analysis computed them in (not copied into one vector:
    /// at 100k resources that copy alone is 50 MB).
    dependencies: OnceLock<Vec<Vec<Dependency<'m>>>>,
    endpoints: OnceLock<EndpointIndex<'m>>,
    references: OnceLock<Vec<FailedReference<'m>>>,
}

/// A Key Vault reference of an app setting or connection string that App Service would not
/// resolve, as `access::references::resolve` says.
pub struct FailedReference<'m> {
    pub site: &'m Site,
    /// `app setting NAME` or `connection string NAME`.
    pub setting: String,
    pub resolution: references::Resolution,
}

impl FailedReference<'_> {
    /// The reference as evidence (no setting value: it may hold a secret when it is not a reference).
    pub fn evidence(&self) -> Value {
        let r = &self.resolution;
        json!({
            "app": self.site.meta.id,
            "setting": self.setting,
            "status": r.status,
            "vault": r.vault,
            "secret": r.secret,
            "identity": r.identity,
            "details": r.details,
        })
    }
}

/// Every private endpoint's catalog names, computed once: rules look them up per dependency and
/// per record set, which at 100k resources means hundreds of thousands of lookups.
struct EndpointIndex<'m> {
    names: HashMap<ResourceId, EndpointNames>,
    /// The record a zone group would write (`kv1.privatelink.vaultcore.azure.net`) → the endpoints
    /// whose names put it there, in endpoint id order: (endpoint, zone, customer-visible name).
    by_record: HashMap<DnsName, Vec<(&'m PrivateEndpoint, DnsName, DnsName)>>,
}

impl<'m> EndpointIndex<'m> {
    fn build(model: &'m Model) -> EndpointIndex<'m> {
        let mut names = HashMap::new();
        let mut by_record: HashMap<DnsName, Vec<_>> = HashMap::new();
        for pe in model.resources.private_endpoints.values() {
            let Some(n) = endpoint_names(model, pe) else { continue };
            for fqdn in &n.customer_fqdns {
                for zone in &n.zones {
                    if let Some(record) = privatelink_name(fqdn, zone) {
                        by_record.entry(record).or_default().push((pe, zone.clone(), fqdn.clone()));
                    }
                }
            }
            names.insert(pe.meta.id.clone(), n);
        }
        EndpointIndex { names, by_record }
    }
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model) -> Analysis<'m> {
        Analysis {
            model,
            resolver: OnceLock::new(),
            dependencies: OnceLock::new(),
            endpoints: OnceLock::new(),
            references: OnceLock::new(),
        }
    }

    fn endpoint_index(&self) -> &EndpointIndex<'m> {
        self.endpoints.get_or_init(|| EndpointIndex::build(self.model))
    }

    /// What a private endpoint's primary connection targets, as the catalog names it (see
    /// [`endpoint_names`]); `None` without a connection, target or group id.
    pub fn endpoint_names(&self, pe: &PrivateEndpoint) -> Option<&EndpointNames> {
        self.endpoint_index().names.get(&pe.meta.id)
    }

    /// The endpoints whose zone group would write the record `record`, in endpoint id order, with
    /// the zone and the customer-visible name it is written for.
    pub fn endpoints_writing(&self, record: &DnsName) -> &[(&'m PrivateEndpoint, DnsName, DnsName)] {
        self.endpoint_index().by_record.get(record).map_or(&[], Vec::as_slice)
    }

    /// The approved private endpoints of the estate whose target owns `name` (per the catalog),
    /// with the customer-visible name matched: the endpoints that should answer for it.
    pub fn approved_endpoints_for(&self, name: &DnsName) -> Vec<&'m PrivateEndpoint> {
        let Some(owner) = owner_of(self.model, name) else { return Vec::new() };
        self.model
            .indexes
            .endpoints_of_target
            .get(&owner)
            .into_iter()
            .flatten()
            .filter_map(|id| self.model.resources.private_endpoints.get(id))
            .filter(|pe| {
                pe.primary_connection().is_some_and(|c| c.status == ConnectionStatus::Approved)
                    && self.endpoint_names(pe).is_some_and(|n| n.customer_fqdns.contains(name))
            })
            .collect()
    }

    fn resolver(&self) -> &Resolver<'m> {
        self.resolver.get_or_init(|| {
            // The endpoint index is needed next by the same rules: build it alongside.
            std::thread::scope(|scope| {
                scope.spawn(|| self.endpoint_index());
                Resolver::new(self.model)
            })
        })
    }

    /// Every dependency of every app, in (site, name) order (see [`all`]), each resolved from the
    /// app's view. The hosts the app names itself (settings, connection strings) are traced too;
    /// the other endpoints it could reach are traced only when it names no host at all: an NSG or
    /// route that blocks an endpoint nobody uses breaks nothing, and at 100k resources an app can
    /// reach ten times more endpoints than it uses.
    pub fn dependencies(&self) -> impl Iterator<Item = &Dependency<'m>> {
        self.dependencies.get_or_init(|| all(self.model, self.resolver())).iter().flatten()
    }

    /// The dependencies that were traced, with how their connection ended.
    pub fn traced(&self) -> impl Iterator<Item = (&Dependency<'m>, &PathOutcome)> {
        self.dependencies().filter_map(|d| Some((d, d.path.as_ref()?)))
    }

    /// The traced dependencies whose access step has `verdict` (denied or indeterminate), with it.
    pub fn access(&self, verdict: AccessVerdict) -> impl Iterator<Item = (&Dependency<'m>, &PathOutcome, &Access)> {
        self.traced().filter_map(move |(d, p)| Some((d, p, p.access.as_deref().filter(|a| a.verdict == verdict)?)))
    }

    /// Every Key Vault reference of every app that App Service would not resolve (status other than
    /// `Resolved` or privlink's `Indeterminate`), in (site, setting) order. Only values that start
    /// like a reference are parsed, so the cost is in the references, not the settings.
    pub fn failed_references(&self) -> &[FailedReference<'m>] {
        self.references.get_or_init(|| {
            let mut out = Vec::new();
            for site in self.model.resources.sites.values() {
                let settings = site.app_settings.iter().map(|(k, v)| (format!("app setting {k}"), v.as_str()));
                let strings =
                    site.connection_strings.iter().map(|(k, c)| (format!("connection string {k}"), c.value.as_str()));
                for (setting, value) in settings.chain(strings) {
                    if !value.trim_start().starts_with(privlink_engine::catalog::KEY_VAULT_REFERENCE_PREFIX) {
                        continue;
                    }
                    let Some(resolution) = references::resolve(self.model, self.resolver(), site, value) else {
                        continue;
                    };
                    if !resolution.resolved() && resolution.status != "Indeterminate" {
                        out.push(FailedReference { site, setting, resolution });
                    }
                }
            }
            out
        })
    }

    /// The access step of `d` as evidence: the app, the dependency (`accessTo`, `host:port`) and
    /// what the engine decided. The invariant test matches denials to findings by `app` and
    /// `accessTo`.
    pub fn access_evidence(&self, d: &Dependency, p: &PathOutcome, a: &Access) -> Value {
        json!({
            "app": d.site.meta.id,
            "accessTo": p.to,
            "verdict": a.verdict,
            "identity": a.identity,
            "principal": a.principal,
            "audience": a.audience,
            "dataAction": a.data_action,
            "decidedBy": a.decided_by.as_ref().map(|d| &d.id),
            "reason": a.reason,
        })
    }

    /// The resolution of `d` as evidence: the view, the answer, the chain and the reasoning after the view.
    pub fn resolution_evidence(&self, d: &Dependency) -> Value {
        let view = view_of(self.model, &Querier::Site(d.site.meta.id.clone()));
        let r = self.resolver().resolve(&view, &d.name, RecordType::A);
        let shown_view = match (&r.view.vnet, r.view.dns_servers.is_empty()) {
            (Some(v), _) => format!("{} of {}", kind(&r.view), v.name()),
            (None, false) => format!("{} {}", kind(&r.view), r.view.dns_servers.join(",")),
            (None, true) => kind(&r.view),
        };
        let chain: Vec<String> =
            r.chain.iter().map(|c| format!("{} {} {}", c.name, c.record_type.as_str(), c.data)).collect();
        let why: Vec<&str> = r.explanation.iter().skip(view.explanation.len()).map(String::as_str).collect();
        json!({
            "app": d.site.meta.id,
            "name": d.name,
            "view": shown_view,
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

    /// The whole trace of `d`, hop by hop with its access step, recomputed (see [`Dependency`]).
    pub fn trace(&self, d: &Dependency) -> Trace {
        let view = view_of(self.model, &Querier::Site(d.site.meta.id.clone()));
        let r = self.resolver().resolve(&view, &d.name, RecordType::A);
        trace_of(self.model, &routes_of(self.model, d.site), d.site, &DependencyPorts::of(d.site), &d.name, &r)
    }

    /// The trace of `d` as evidence: each hop's step and verdict, and the deciding hop's detail.
    pub fn trace_evidence(&self, d: &Dependency) -> Value {
        let t = self.trace(d);
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
            "app": d.site.meta.id,
            "to": t.query.to,
            "address": t.destination.ip,
            "hops": hops.join(" "),
            "decidedBy": t.decided_by.as_ref().map(|d| &d.id),
            "detail": t.hops.last().map(|h| &h.detail),
            "message": t.message,
        })
    }
}

/// Every dependency of every app of the estate, in (site, name) order: one resolver and one
/// route index for all apps.
fn all<'m>(model: &'m Model, resolver: &Resolver<'m>) -> Vec<Vec<Dependency<'m>>> {
    let sites: Vec<&Site> = model.resources.sites.values().collect();
    // Apps are independent: workers take batches of apps in turn (apps differ in how many
    // dependencies they have, so fixed halves leave a core idle), then the batches are put back
    // in site order, so the result does not depend on scheduling.
    const BATCH: usize = 32;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if sites.len() < 2 * BATCH || workers == 1 {
        let mut answers = Answers::default();
        return vec![sites.into_iter().flat_map(|s| analyse_site(model, resolver, &mut answers, s)).collect()];
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut batches: Vec<(usize, Vec<Dependency<'m>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (sites, next) = (&sites, &next);
                scope.spawn(move || {
                    let (mut done, mut answers) = (Vec::new(), Answers::default());
                    loop {
                        let start = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                        let Some(batch) = sites.get(start..(start + BATCH).min(sites.len())) else { break };
                        done.push((
                            start,
                            batch.iter().flat_map(|s| analyse_site(model, resolver, &mut answers, s)).collect(),
                        ));
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("analysis does not panic")).collect()
    });
    batches.sort_by_key(|(start, _)| *start);
    batches.into_iter().map(|(_, deps)| deps).collect()
}

/// The trace of one dependency from its resolution, as `trace --all` computes it.
fn trace_of(
    model: &Model,
    routes: &RouteIndex,
    site: &Site,
    ports: &DependencyPorts,
    name: &DnsName,
    r: &Resolution,
) -> Trace {
    trace_resolved(model, routes, &site.meta.id, name, ports.port(name), r)
}

/// The effective routes of the app's integration subnet (none without VNet integration).
fn routes_of(model: &Model, site: &Site) -> RouteIndex {
    site.integration_subnet.as_ref().map(|s| RouteIndex::for_subnet(model, &s.value)).unwrap_or_default()
}

/// Answers already given, by answering server and name. What a name resolves to depends only on
/// the server that answers (the view's answerer), not on which app asks: in a landing zone every
/// spoke forwards to the hub's resolver, so each name is resolved once, not once per app.
#[derive(Default)]
struct Answers(HashMap<Answerer, HashMap<DnsName, Answer>>);

impl Answer {
    fn of(name: &DnsName, r: &Resolution) -> Answer {
        let final_name = r
            .chain
            .iter()
            .rev()
            .find(|c| c.record_type == RecordType::CNAME)
            .and_then(|c| DnsName::parse(&c.data).ok())
            .unwrap_or_else(|| name.clone());
        Answer {
            rcode: r.rcode,
            verdict: r.verdict,
            zone: r.zone.clone(),
            final_name,
            addresses: r.addresses.clone().into_boxed_slice(),
        }
    }
}

fn analyse_site<'m>(
    model: &'m Model,
    resolver: &Resolver<'m>,
    answers: &mut Answers,
    site: &'m Site,
) -> Vec<Dependency<'m>> {
    let view = view_of(model, &Querier::Site(site.meta.id.clone()));
    let ports = DependencyPorts::of(site);
    let answers = answers.0.entry(view.answerer.clone()).or_default();
    let named = dependencies::named_hosts(site);
    let routes = routes_of(model, site);
    dependencies::site_dependencies(model, site)
        .into_iter()
        .map(|name| {
            let traced = named.is_empty() || named.contains(&name);
            let (answer, path) = match answers.get(&name) {
                Some(answer) if !traced => (answer.clone(), None),
                _ => {
                    let resolution = resolver.resolve(&view, &name, RecordType::A);
                    let answer = Answer::of(&name, &resolution);
                    answers.insert(name.clone(), answer.clone());
                    let path = traced.then(|| {
                        let mut trace = trace_of(model, &routes, site, &ports, &name, &resolution);
                        let access_verdict = trace.access.as_ref().map(|a| a.verdict);
                        let access = trace
                            .access
                            .take()
                            .filter(|a| matches!(a.verdict, AccessVerdict::Denied | AccessVerdict::Indeterminate))
                            .map(Box::new);
                        let denied = (trace.verdict == FlowVerdict::Denied)
                            .then(|| trace.hops.last().map(|h| (h.step, h.decided_by.clone())))
                            .flatten();
                        let to_change = trace
                            .root_cause
                            .take()
                            .filter(|_| trace.verdict != FlowVerdict::Allowed)
                            .map(|c| c.decided_by);
                        let decided_by = (trace.verdict != FlowVerdict::Allowed).then_some(trace.decided_by).flatten();
                        PathOutcome {
                            decided_by,
                            verdict: trace.verdict,
                            destination: trace.destination,
                            to: trace.query.to,
                            denied,
                            access,
                            access_verdict,
                            to_change,
                        }
                    });
                    (answer, path)
                }
            };
            Dependency { site, port: ports.port(&name), view_vnet: view.vnet.clone(), answer, path, name }
        })
        .collect()
}
