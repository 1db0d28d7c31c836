//! Why a template cannot be evaluated, and where.

use std::fmt;

/// A template that cannot be evaluated: where (JSON pointer into the template document), the
/// expression if one failed, and why. The caller names the file with [`TemplateError::in_file`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub file: Option<String>,
    pub pointer: String,
    pub expression: Option<String>,
    pub message: String,
}

impl TemplateError {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        TemplateError { file: None, pointer: pointer.into(), expression: None, message: message.into() }
    }

    pub fn with_expression(mut self, expression: impl Into<String>) -> Self {
        self.expression = Some(expression.into());
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        let pointer = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "at {pointer}: {}", self.message)?;
        if let Some(expression) = &self.expression {
            write!(f, " (in expression `{expression}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateError {}
