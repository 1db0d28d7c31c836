//! The invariant `check` owes `trace` (issue 15): every dependency `trace --all` reports as not
//! allowed has a finding naming a resource on its path, its host or its backend (an error for a
//! denial, at least a warning for unknown), and every error finding about a dependency is about
//! one that is not allowed. The same for the access step (issue 18): a dependency whose
//! `trace.access` is denied has an error finding whose evidence names it (`app`, `accessTo`), and
//! every error finding naming one so is about a denied one. Identity findings (IAM) do not count
//! for the path, nor path findings for access.

use privlink_engine::access::AccessVerdict;
use privlink_engine::dns::{dependencies, Resolver};
use privlink_engine::path::{FlowVerdict, Trace};
use privlink_engine::trace::{owner_of, trace_all};
use privlink_model::{DnsName, Model};
use privlink_rules::{check, Finding, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// One broken promise, keyed so that the same one in the unmutated estate can be told apart.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub app: String,
    /// `host:port`, as `trace` shows it.
    pub dependency: String,
    /// `undiagnosed denied`, `undiagnosed unknown`, or `unjustified CODE`.
    pub what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.what.strip_prefix("unjustified ") {
            Some(code) => {
                write!(f, "{code} reports an error about {} from {}, whose trace is allowed", self.dependency, self.app)
            }
            None if self.what == "undiagnosed access-denied" => write!(
                f,
                "{} from {}: trace's access step denies it, and no error finding of check names it (app, accessTo)",
                self.dependency, self.app
            ),
            None => write!(
                f,
                "{} from {} is {} by trace, and no finding of check names its path, host or backend",
                self.dependency,
                self.app,
                self.what.trim_start_matches("undiagnosed ")
            ),
        }
    }
}

/// What a finding is about, lower-cased, for matching ids and host names in its text.
fn text_of(f: &Finding) -> String {
    format!("{} {} {}", f.resource, f.message, serde_json::to_string(&f.evidence).unwrap_or_default())
        .to_ascii_lowercase()
}

/// The resources a finding about this trace may name: every deciding resource on the path
/// except the app's own settings (every path starts there), the backend, the name's owner and its
/// private endpoints, and
/// on the DNS step the view's VNet, the zone and the records that answered.
fn path_ids(model: &Model, name: &DnsName, t: &Trace) -> Vec<String> {
    let mut ids: Vec<String> = t
        .hops
        .iter()
        .filter_map(|h| h.decided_by.as_ref())
        .filter(|d| d.kind != "site" && d.kind != "site-setting")
        .map(|d| d.id.clone())
        .collect();
    ids.extend(t.decided_by.as_ref().map(|d| d.id.clone()));
    ids.extend(t.destination.resource.as_ref().map(ToString::to_string));
    if let Some(owner) = owner_of(model, name) {
        // The backend's private endpoints: a finding on one (its connection, its DNS) is about
        // the backend even when the traffic no longer goes through it.
        ids.extend(model.indexes.endpoints_of_target.get(&owner).into_iter().flatten().map(ToString::to_string));
        ids.push(owner.to_string());
    }
    if let Some(r) = &t.resolution {
        let sources = r.chain.iter().map(|c| c.source.clone());
        let found = [&r.view.vnet, &r.zone, &r.record].into_iter().flatten().map(ToString::to_string);
        ids.extend(sources.chain(found).filter(|s| s.starts_with('/')));
    }
    ids.into_iter().map(|i| i.to_ascii_lowercase()).collect()
}

/// The names on the DNS step of the path: the host and every name its answer went through.
fn path_names(name: &DnsName, t: &Trace) -> Vec<String> {
    let mut names = vec![name.to_string()];
    if let Some(r) = &t.resolution {
        names.extend(r.chain.iter().map(|c| c.name.to_string()));
    }
    names
}

/// The host of `host:port`.
fn host_of(to: &str) -> &str {
    to.rsplit_once(':').map_or(to, |(h, _)| h)
}

/// The rule that reports any dependency no other rule explains.
const SAFETY_NET: &str = "NET200";

/// Every violation of the invariant in `model`, in order.
pub fn violations(model: &Model) -> BTreeSet<Violation> {
    let findings = check(model, |_| true);
    let texts: Vec<(String, &Finding)> = findings.iter().map(|f| (text_of(f), f)).collect();
    let resolver = Resolver::new(model);
    let mut out = BTreeSet::new();
    // (app id, host) → verdict, for the reverse direction.
    let mut verdicts: BTreeMap<(String, String), FlowVerdict> = BTreeMap::new();
    // (app id, host:port) → access verdict, for both directions of the access invariant.
    let mut access: BTreeMap<(String, String), AccessVerdict> = BTreeMap::new();
    for site in model.resources.sites.values() {
        let named = dependencies::named_hosts(site);
        let names = dependencies::site_dependencies(model, site);
        let traces = trace_all(model, &resolver, &site.meta.id);
        for (name, t) in names.iter().zip(&traces) {
            let app = site.meta.id.to_string().to_ascii_lowercase();
            verdicts.insert((app.clone(), name.to_string()), t.verdict);
            // As the rules do: an app that names its hosts depends on those; one that names none,
            // on every endpoint it can reach.
            if !(named.is_empty() || named.contains(name)) {
                continue;
            }
            if let Some(a) = &t.access {
                access.insert((app.clone(), t.query.to.to_ascii_lowercase()), a.verdict);
            }
            if t.verdict == FlowVerdict::Allowed {
                continue;
            }
            let ids = path_ids(model, name, t);
            let names = path_names(name, t);
            let severe_enough = |f: &Finding| match t.verdict {
                FlowVerdict::Denied => f.severity == Severity::Error,
                _ => f.severity <= Severity::Warning,
            };
            // A finding names the dependency when it is about a resource on the path, or says
            // the host (or a name its answer went through) or the resource that decided. Not
            // any path id in its text: a VNet's id is in the evidence of most DNS findings.
            let decider = t.decided_by.as_ref().map(|d| d.id.to_ascii_lowercase());
            let named_by = |text: &str, f: &Finding| {
                ids.contains(&f.resource.to_string().to_ascii_lowercase())
                    || names.iter().any(|n| text.contains(n.as_str()))
                    || decider.as_ref().is_some_and(|d| text.contains(d.as_str()))
            };
            // NET200 reports whatever no other rule explains: counting it would let any specific
            // diagnosis regress unseen, so a dependency only it covers is a missing diagnosis.
            let specific = |f: &Finding| f.code != SAFETY_NET && !f.code.starts_with("IAM");
            if !texts.iter().any(|(text, f)| specific(f) && severe_enough(f) && named_by(text, f)) {
                let verdict = serde_json::to_value(t.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
                out.insert(Violation {
                    app: site.meta.name.clone(),
                    dependency: t.query.to.clone(),
                    what: format!("undiagnosed {}", verdict.unwrap_or_default()),
                });
            }
        }
    }
    let errors = || findings.iter().filter(|f| f.severity == Severity::Error);
    let names_access = |f: &Finding, key: &(String, String)| {
        f.evidence.iter().any(|e| {
            e["app"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(&key.0))
                && e["accessTo"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(&key.1))
        })
    };
    for (key, verdict) in &access {
        if *verdict == AccessVerdict::Denied && !errors().any(|f| names_access(f, key)) {
            out.insert(Violation {
                app: key.0.rsplit('/').next().unwrap_or_default().to_string(),
                dependency: key.1.clone(),
                what: "undiagnosed access-denied".into(),
            });
        }
    }
    for f in errors() {
        for e in &f.evidence {
            if let (Some(app), Some(to)) = (e["app"].as_str(), e["accessTo"].as_str()) {
                let key = (app.to_ascii_lowercase(), to.to_ascii_lowercase());
                if access.get(&key) != Some(&AccessVerdict::Denied) {
                    out.insert(Violation {
                        app: key.0.rsplit('/').next().unwrap_or_default().to_string(),
                        dependency: to.to_string(),
                        what: format!("unjustified {} (access)", f.code),
                    });
                }
            }
        }
    }
    for f in errors() {
        for e in &f.evidence {
            let (Some(app), Some(to)) = (e["app"].as_str(), e["to"].as_str().or(e["name"].as_str())) else { continue };
            let key = (app.to_ascii_lowercase(), host_of(to).to_ascii_lowercase());
            if verdicts.get(&key) == Some(&FlowVerdict::Allowed) {
                let app = model.resources.sites.values().find(|s| s.meta.id.to_string().eq_ignore_ascii_case(app));
                out.insert(Violation {
                    app: app.map_or_else(
                        || key.0.rsplit('/').next().unwrap_or_default().to_string(),
                        |s| s.meta.name.clone(),
                    ),
                    dependency: to.to_string(),
                    what: format!("unjustified {}", f.code),
                });
            }
        }
    }
    out
}
