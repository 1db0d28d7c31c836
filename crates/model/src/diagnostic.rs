//! Problems found while loading: input that is readable but wrong.

use crate::{Origin, ResourceId};
use serde::Serialize;
use std::fmt;

/// How serious a load diagnostic or a rule's finding is; ordered most severe first.
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

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A load diagnostic: the place in the input, what is wrong, and which resource it concerns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LoadDiagnostic {
    pub severity: Severity,
    /// Stable code (`LOAD001` …) so CI can filter.
    pub code: &'static str,
    pub file: String,
    pub pointer: String,
    pub resource: Option<ResourceId>,
    pub message: String,
    /// The Terraform address of the resource, when the input was a Terraform plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_address: Option<String>,
}

impl fmt::Display for LoadDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.severity, self.code, self.file)?;
        if !self.pointer.is_empty() {
            write!(f, "#{}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl LoadDiagnostic {
    pub fn new(severity: Severity, code: &'static str, origin: &Origin, message: impl Into<String>) -> Self {
        LoadDiagnostic {
            severity,
            code,
            file: origin.file.to_string(),
            pointer: origin.pointer.clone(),
            resource: None,
            message: message.into(),
            terraform_address: origin.address.as_deref().map(str::to_string),
        }
    }

    pub fn about(mut self, id: &ResourceId) -> Self {
        self.resource = Some(id.clone());
        self
    }
}
