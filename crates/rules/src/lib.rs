//! The diagnostic catalogue.
//!
//! A rule is a function of the [`Model`] that may call the engine and returns [`Finding`]s, each
//! with its fix as edits on the ARM documents. Each rule lives in its own file under `rules/`,
//! whose `//!` doc comment is the rule's documentation (what it checks, why it breaks in Azure, an
//! example, the fix, a reference). Codes are never reused: a retired rule keeps its code out of
//! circulation.

pub mod deps;
pub mod finding;
pub mod fix;
pub mod impact;
pub mod rules;
pub mod seed_map;

pub use deps::Analysis;
pub use finding::{fingerprint, Finding, Severity};
pub use fix::{Edit, Fix, FixAvailability, Patch};
pub use rules::{all_rules, Rule};

use privlink_model::Model;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// The documentation of a rule (its file's doc comment).
pub fn documentation(rule: &Rule) -> &'static str {
    RULE_DOCS.iter().find(|(m, _)| *m == rules::module_of(rule)).map(|(_, d)| *d).unwrap_or("")
}

/// The first line of a rule's documentation: its one-sentence summary.
pub fn summary(rule: &Rule) -> &'static str {
    documentation(rule).lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_start_matches("# ").trim()
}

/// Runs the selected rules and returns their findings sorted by (resource, code, message). The
/// safety net (NET200) runs last, on what the others found: it reports only the dependencies they
/// leave unexplained.
pub fn check(model: &Model, selected: impl Fn(&Rule) -> bool) -> Vec<Finding> {
    check_with(model, &Analysis::new(model), selected)
}

/// [`check`] with an analysis the caller keeps (to ask it more after the rules ran, as
/// [`impact`] does).
pub fn check_with(model: &Model, analysis: &Analysis, selected: impl Fn(&Rule) -> bool) -> Vec<Finding> {
    let safety_net = &rules::net200_dependency_unreachable::RULE;
    let mut findings: Vec<Finding> = all_rules()
        .iter()
        .filter(|r| selected(r) && r.code != safety_net.code)
        .flat_map(|r| (r.check)(model, analysis))
        .collect();
    if selected(safety_net) {
        let unexplained = rules::net200_dependency_unreachable::uncovered(model, analysis, &findings);
        findings.extend(unexplained);
    }
    findings.sort_by(|a, b| (&a.resource, a.code, &a.message).cmp(&(&b.resource, b.code, &b.message)));
    findings.dedup_by(|a, b| a.resource == b.resource && a.code == b.code && a.message == b.message);
    findings
}
