//! What a rule reports: a finding takes its code and severity from its rule.

use crate::fix::Fix;
use crate::rules::Rule;
use privlink_model::ResourceId;
pub use privlink_model::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    /// The resource a person must change.
    pub resource: ResourceId,
    pub message: String,
    /// Structured evidence: resolution chains, trace hops, the records and links looked at.
    pub evidence: Vec<serde_json::Value>,
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding of `rule` about `resource`, at the rule's severity, without evidence or fix.
    pub fn new(rule: &Rule, resource: ResourceId, message: impl Into<String>) -> Self {
        Finding {
            code: rule.code,
            severity: rule.severity,
            resource,
            message: message.into(),
            evidence: Vec::new(),
            fix: None,
        }
    }

    pub fn with_evidence(mut self, evidence: Vec<serde_json::Value>) -> Self {
        self.evidence = evidence;
        self
    }

    /// The fix (or `None` where this finding has none: a rule whose fix is `Sometimes`).
    pub fn with_fix(mut self, fix: impl Into<Option<Fix>>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Reports this finding at the rule's `secondary_severity` instead of its default: for a rule
    /// that checks two things of different weight under one code.
    pub fn at_secondary_severity(mut self, rule: &Rule) -> Self {
        self.severity = rule.secondary_severity.expect("the rule declares a secondary severity");
        self
    }
}
