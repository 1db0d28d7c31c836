//! Where a resource came from, so findings can point back at the user's input.

use std::fmt;
use std::sync::Arc;

/// The document a resource was read from: a file (or `<built-in>`, `<twin>`) and the JSON
/// pointer of the resource object inside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: Arc<str>,
    pub pointer: String,
    /// The Terraform address (`module.net.azurerm_subnet.pe`) when the document was mapped from a
    /// Terraform plan: what the user edits, shown beside the ARM id.
    pub address: Option<Arc<str>>,
}

impl Origin {
    pub fn new(file: impl Into<Arc<str>>, pointer: impl Into<String>) -> Origin {
        Origin { file: file.into(), pointer: pointer.into(), address: None }
    }

    /// The same place, naming the Terraform address the document was mapped from.
    pub fn with_address(mut self, address: impl Into<Arc<str>>) -> Origin {
        self.address = Some(address.into());
        self
    }

    /// The same file, a pointer further in.
    pub fn at(&self, suffix: &str) -> Origin {
        Origin {
            file: self.file.clone(),
            pointer: format!("{}{}", self.pointer, suffix),
            address: self.address.clone(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}#{}", self.file, self.pointer)
        }
    }
}
