//! What a rule reports.

use privlink_model::ResourceId;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Whether this severity is at or above `threshold` (error > warning > info).
    pub fn at_least(&self, threshold: Severity) -> bool {
        *self <= threshold
    }
}

/// A change to one ARM document, as a JSON merge patch (RFC 7396). Applying it to a document
/// that does not exist creates it: that is how a fix adds a missing link or record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Patch {
    pub document: ResourceId,
    pub merge: serde_json::Value,
}

/// How to make a finding go away: the `az` commands a person would run and the same change as
/// document patches (a test applies the patches and checks the finding disappears).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    pub az: Vec<String>,
    pub patches: Vec<Patch>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
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
