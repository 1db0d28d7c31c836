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

impl Finding {
    /// What identifies this finding across runs and revisions of an estate: its code, resource
    /// (compared as ARM compares ids, without case) and message, as 16 hex digits (FNV-1a, 64 bit).
    /// `check --baseline` and `diff` match findings by it, and SARIF carries it as a partial
    /// fingerprint so code scanning matches them too.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.code, self.resource.key(), &self.message)
    }
}

/// The fingerprint of a finding given by its parts (as a baseline file holds them): see
/// [`Finding::fingerprint`]. `resource` is compared without case.
pub fn fingerprint(code: &str, resource: &str, message: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let resource = resource.to_ascii_lowercase();
    for part in [code.as_bytes(), resource.as_bytes(), message.as_bytes()] {
        // A separator no part contains, so ("AB", "C") and ("A", "BC") differ.
        for byte in part.iter().chain(&[0u8]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn a_fingerprint_ignores_the_case_of_the_resource_only() {
        let id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/privateDnsZones/z";
        let base = fingerprint("DNS101", id, "zone not linked");
        assert_eq!(base.len(), 16);
        assert_eq!(base, fingerprint("DNS101", &id.to_lowercase(), "zone not linked"));
        assert_ne!(base, fingerprint("DNS102", id, "zone not linked"));
        assert_ne!(base, fingerprint("DNS101", id, "zone not Linked"));
        assert_ne!(fingerprint("A", "B", "C"), fingerprint("A", "", "BC"));
    }
}
