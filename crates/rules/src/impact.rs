//! Change impact: what a change to an estate does to every app's dependencies and to the findings.
//!
//! Each side of a change is checked once ([`Side::check`]: one [`Analysis`], shared by the rules
//! and the comparison), then every (app, name, port) the engine traced on either side is compared:
//! how the name resolves from the app, whether the connection gets through, whether the app can
//! sign in. A dependency got **worse** when any of those moved down (private → public, nxdomain or
//! indeterminate; allowed → unknown → denied; granted → indeterminate → denied), **better** when
//! one moved up and none down, **changed** when something else differs (the addresses, what
//! decided), **same** otherwise; **new** and **removed** are dependencies only one side has.
//! Findings are matched by [`Finding::fingerprint`].

use crate::{Analysis, Finding, Rule};
use privlink_engine::access::AccessVerdict;
use privlink_engine::dns::ResolutionVerdict;
use privlink_engine::path::{FlowVerdict, Trace};
use privlink_model::{DnsName, LoadDiagnostic, Model, ResourceId};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

/// One side of a change: the estate, what the engine says about it, and its findings.
pub struct Side<'m> {
    pub model: &'m Model,
    pub analysis: Analysis<'m>,
    pub findings: Vec<Finding>,
}

impl<'m> Side<'m> {
    /// Runs the selected rules on `model`, keeping the analysis they shared for the comparison.
    pub fn check(model: &'m Model, selected: impl Fn(&Rule) -> bool) -> Side<'m> {
        let analysis = Analysis::new(model);
        let findings = crate::check_with(model, &analysis, selected);
        Side { model, analysis, findings }
    }
}

/// A dependency: an app, the name it connects to and the port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DependencyKey {
    pub app: ResourceId,
    pub name: DnsName,
    pub port: u16,
}

/// What the engine says about one dependency on one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// How the name resolves from the app's view.
    pub resolution: ResolutionVerdict,
    pub addresses: Vec<IpAddr>,
    /// Whether the connection gets through.
    pub reachability: FlowVerdict,
    /// For a connection that is not allowed: the resource that decided.
    pub decided_by: Option<String>,
    /// For a connection that is not allowed because of an earlier step (a name that resolved
    /// public although an approved private endpoint is reachable): the resource to change there.
    pub to_change: Option<String>,
    /// Whether the app can sign in to the service (`None` where no access step ran).
    pub access: Option<AccessVerdict>,
}

/// How a dependency changed, worst first (the order output lists them in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Worse,
    Removed,
    New,
    Changed,
    Better,
    Same,
}

impl Change {
    /// In the order the summary counts them.
    pub const ALL: [Change; 6] =
        [Change::Worse, Change::Better, Change::Changed, Change::New, Change::Removed, Change::Same];

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Worse => "worse",
            Change::Removed => "removed",
            Change::New => "new",
            Change::Changed => "changed",
            Change::Better => "better",
            Change::Same => "same",
        }
    }
}

/// One dependency before and after.
#[derive(Clone, Debug)]
pub struct DependencyImpact {
    pub key: DependencyKey,
    pub before: Option<Outcome>,
    pub after: Option<Outcome>,
    pub change: Change,
    /// What differs, in words (`resolution private → public`), in the order of the path.
    pub differences: Vec<String>,
    /// The hop-by-hop traces, for the first [`Impact::DETAILED`] dependencies that did not stay
    /// the same (recomputed: the analysis keeps only the facts).
    pub before_trace: Option<Trace>,
    pub after_trace: Option<Trace>,
}

/// What a change does.
pub struct Impact {
    /// Every dependency of either side, worst change first, then by (app, name, port).
    pub dependencies: Vec<DependencyImpact>,
    /// Findings of the after side that the before side does not have, in check's order.
    pub added: Vec<Finding>,
    /// Findings of the before side that the after side no longer has.
    pub removed: Vec<Finding>,
    /// Load diagnostics of the after side's input that the before side's does not have: input the
    /// change made unreadable as written is worse even where no dependency shows it yet.
    pub diagnostics_added: Vec<LoadDiagnostic>,
    pub diagnostics_removed: Vec<LoadDiagnostic>,
}

impl Impact {
    /// How many changed dependencies get their hop-by-hop traces.
    pub const DETAILED: usize = 25;

    pub fn count(&self, change: Change) -> usize {
        self.dependencies.iter().filter(|d| d.change == change).count()
    }
}

/// Compares the two sides of a change.
pub fn compare(before: &Side, after: &Side) -> Impact {
    let before_deps = keyed(&before.analysis);
    let after_deps = keyed(&after.analysis);
    let mut keys: Vec<&DependencyKey> = before_deps.keys().chain(after_deps.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut dependencies: Vec<DependencyImpact> = keys
        .into_iter()
        .map(|key| {
            let b = before_deps.get(key).map(|(_, o)| o.clone());
            let a = after_deps.get(key).map(|(_, o)| o.clone());
            let (change, differences) = classify(b.as_ref(), a.as_ref());
            DependencyImpact {
                key: key.clone(),
                before: b,
                after: a,
                change,
                differences,
                before_trace: None,
                after_trace: None,
            }
        })
        .collect();
    dependencies.sort_by(|x, y| (x.change, &x.key).cmp(&(y.change, &y.key)));
    for d in dependencies.iter_mut().filter(|d| d.change != Change::Same).take(Impact::DETAILED) {
        d.before_trace = before_deps.get(&d.key).map(|(dep, _)| before.analysis.trace(dep));
        d.after_trace = after_deps.get(&d.key).map(|(dep, _)| after.analysis.trace(dep));
    }
    let (added, removed) = compare_findings(&before.findings, &after.findings);
    let (diagnostics_added, diagnostics_removed) =
        compare_diagnostics(&before.model.diagnostics, &after.model.diagnostics);
    Impact { dependencies, added, removed, diagnostics_added, diagnostics_removed }
}

/// The load diagnostics only `after` has, and those only `before` has. They are matched by code,
/// resource, JSON pointer and message, not by file: the two sides name the same file differently
/// (`REV:infra/network.json` read from git against `infra/network.json` in the work tree).
pub fn compare_diagnostics(
    before: &[LoadDiagnostic],
    after: &[LoadDiagnostic],
) -> (Vec<LoadDiagnostic>, Vec<LoadDiagnostic>) {
    fn key(d: &LoadDiagnostic) -> (&str, Option<&str>, &str, &str) {
        (d.code, d.resource.as_ref().map(ResourceId::key), &d.pointer, &d.message)
    }
    let known_before: HashSet<_> = before.iter().map(key).collect();
    let known_after: HashSet<_> = after.iter().map(key).collect();
    let added = after.iter().filter(|d| !known_before.contains(&key(d))).cloned().collect();
    let removed = before.iter().filter(|d| !known_after.contains(&key(d))).cloned().collect();
    (added, removed)
}

/// The findings only `after` has, and those only `before` has, matched by fingerprint.
pub fn compare_findings(before: &[Finding], after: &[Finding]) -> (Vec<Finding>, Vec<Finding>) {
    let prints = |fs: &[Finding]| fs.iter().map(Finding::fingerprint).collect::<HashSet<String>>();
    let (known_before, known_after) = (prints(before), prints(after));
    let added = after.iter().filter(|f| !known_before.contains(&f.fingerprint())).cloned().collect();
    let removed = before.iter().filter(|f| !known_after.contains(&f.fingerprint())).cloned().collect();
    (added, removed)
}

type Keyed<'a, 'm> = BTreeMap<DependencyKey, (&'a crate::deps::Dependency<'m>, Outcome)>;

/// The traced dependencies: those the app names (or every endpoint it can reach, when it names
/// none), as `check` weighs them. An endpoint the app could reach but does not use breaks nothing
/// when it breaks.
fn keyed<'a, 'm>(analysis: &'a Analysis<'m>) -> Keyed<'a, 'm> {
    analysis
        .traced()
        .map(|(d, p)| {
            let key = DependencyKey { app: d.site.meta.id.clone(), name: d.name.clone(), port: d.port };
            let outcome = Outcome {
                resolution: d.answer.verdict,
                addresses: d.answer.addresses.to_vec(),
                reachability: p.verdict,
                decided_by: p.decided_by.as_ref().map(|b| b.id.clone()),
                to_change: p.to_change.as_ref().map(|b| b.id.clone()),
                access: p.access_verdict,
            };
            (key, (d, outcome))
        })
        .collect()
}

/// Higher is better: a private answer is what a dependency behind a private endpoint needs.
fn resolution_rank(v: ResolutionVerdict) -> u8 {
    u8::from(v == ResolutionVerdict::Private)
}

fn reachability_rank(v: FlowVerdict) -> u8 {
    match v {
        FlowVerdict::Allowed => 2,
        FlowVerdict::Unknown => 1,
        FlowVerdict::Denied => 0,
    }
}

/// A granted sign-in and no sign-in at all (a key or password) both let the app in.
fn access_rank(v: AccessVerdict) -> u8 {
    match v {
        AccessVerdict::Granted | AccessVerdict::None => 2,
        AccessVerdict::Indeterminate => 1,
        AccessVerdict::Denied => 0,
    }
}

/// The name JSON output gives a verdict (`private`, `allowed`, `granted`): the same word in text,
/// markdown and JSON.
pub fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn addresses(a: &[IpAddr]) -> String {
    if a.is_empty() {
        "no address".to_string()
    } else {
        a.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(",")
    }
}

/// The change of one dependency and what differs, in words.
fn classify(before: Option<&Outcome>, after: Option<&Outcome>) -> (Change, Vec<String>) {
    let (b, a) = match (before, after) {
        (Some(b), Some(a)) => (b, a),
        (None, _) => return (Change::New, Vec::new()),
        (_, None) => return (Change::Removed, Vec::new()),
    };
    let (mut worse, mut better, mut differences) = (false, false, Vec::new());
    let mut weigh = |rank_before: u8, rank_after: u8, what: String| {
        worse |= rank_after < rank_before;
        better |= rank_after > rank_before;
        differences.push(what);
    };
    if b.resolution != a.resolution {
        weigh(
            resolution_rank(b.resolution),
            resolution_rank(a.resolution),
            format!("resolution {} → {}", word(&b.resolution), word(&a.resolution)),
        );
    }
    if b.addresses != a.addresses {
        weigh(0, 0, format!("addresses {} → {}", addresses(&b.addresses), addresses(&a.addresses)));
    }
    if b.reachability != a.reachability {
        weigh(
            reachability_rank(b.reachability),
            reachability_rank(a.reachability),
            format!("reachability {} → {}", word(&b.reachability), word(&a.reachability)),
        );
    }
    // What decides follows the reachability; on its own it is a change worth naming.
    if b.decided_by != a.decided_by && b.reachability == a.reachability {
        let name = |d: &Option<String>| d.as_deref().map_or("nothing".to_string(), short_name);
        weigh(0, 0, format!("decided by {} → {}", name(&b.decided_by), name(&a.decided_by)));
    }
    if b.access != a.access {
        let rank = |v: Option<AccessVerdict>| v.map_or(2, access_rank);
        let name = |v: Option<AccessVerdict>| v.map_or("no access step".to_string(), |v| word(&v));
        weigh(rank(b.access), rank(a.access), format!("access {} → {}", name(b.access), name(a.access)));
    }
    let change = match (worse, better, differences.is_empty()) {
        (true, _, _) => Change::Worse,
        (false, true, _) => Change::Better,
        (false, false, false) => Change::Changed,
        (false, false, true) => Change::Same,
    };
    (change, differences)
}

/// The last segment of an ARM id (what a person calls the resource), else the text itself.
fn short_name(id: &str) -> String {
    id.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(id).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(resolution: ResolutionVerdict, reachability: FlowVerdict) -> Outcome {
        Outcome {
            resolution,
            addresses: vec!["10.0.0.4".parse().unwrap()],
            reachability,
            decided_by: None,
            to_change: None,
            access: Some(AccessVerdict::Granted),
        }
    }

    #[test]
    fn going_public_or_being_denied_is_worse_and_the_reverse_better() {
        use FlowVerdict::*;
        use ResolutionVerdict::*;
        let private = outcome(Private, Allowed);
        for after in [outcome(Public, Allowed), outcome(Nxdomain, Denied), outcome(Private, Unknown)] {
            assert_eq!(classify(Some(&private), Some(&after)).0, Change::Worse, "{after:?}");
            assert_eq!(classify(Some(&after), Some(&private)).0, Change::Better, "{after:?}");
        }
        let mut denied_sign_in = private.clone();
        denied_sign_in.access = Some(AccessVerdict::Denied);
        assert_eq!(classify(Some(&private), Some(&denied_sign_in)).0, Change::Worse);
        // Better on one axis and worse on another is worse: a gate must not pass it.
        let public_but_allowed = outcome(Public, Allowed);
        let private_but_denied = outcome(Private, Denied);
        assert_eq!(classify(Some(&private_but_denied), Some(&public_but_allowed)).0, Change::Worse);
    }

    #[test]
    fn load_diagnostics_match_whatever_each_side_calls_the_file() {
        let diagnostic = |file: &str, message: &str| LoadDiagnostic {
            severity: privlink_model::Severity::Error,
            code: "LOAD005",
            file: file.to_string(),
            pointer: "/0/properties/addressSpace/addressPrefixes/0".to_string(),
            resource: None,
            message: message.to_string(),
            terraform_address: None,
        };
        let before = [diagnostic("HEAD~1:infra/network.json", "'10.0.0.0/33' is not a valid IP prefix")];
        let same = [diagnostic("infra/network.json", "'10.0.0.0/33' is not a valid IP prefix")];
        let (added, removed) = compare_diagnostics(&before, &same);
        assert!(added.is_empty() && removed.is_empty(), "{added:?} {removed:?}");
        let other = [diagnostic("infra/network.json", "'10.0.0.0/34' is not a valid IP prefix")];
        let (added, removed) = compare_diagnostics(&before, &other);
        assert_eq!((added.len(), removed.len()), (1, 1));
        assert_eq!(added[0].message, other[0].message);
    }

    #[test]
    fn a_new_address_is_a_change_and_nothing_is_the_same() {
        let before = outcome(ResolutionVerdict::Private, FlowVerdict::Allowed);
        let mut after = before.clone();
        after.addresses = vec!["10.0.0.5".parse().unwrap()];
        let (change, why) = classify(Some(&before), Some(&after));
        assert_eq!((change, why), (Change::Changed, vec!["addresses 10.0.0.4 → 10.0.0.5".to_string()]));
        assert_eq!(classify(Some(&before), Some(&before)), (Change::Same, Vec::new()));
        assert_eq!(classify(None, Some(&before)).0, Change::New);
        assert_eq!(classify(Some(&before), None).0, Change::Removed);
    }
}
