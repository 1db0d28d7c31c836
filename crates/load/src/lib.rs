//! ARM documents in, [`Model`] out.
//!
//! The loader reads what Azure stores and returns: single resources, arrays, list responses,
//! Resource Graph output and REST API examples (format detected from content), merges children
//! given inline and on their own, and types every document. Readable but wrong input becomes a
//! [`LoadDiagnostic`] naming the file and JSON pointer; only input that is not JSON at all is an
//! [`InputError`]. Pure: the caller passes the bytes in.

pub mod detect;
pub mod documents;
pub mod input;
pub mod reader;
pub mod template;
mod typed;
mod validate;

pub use documents::DocumentCollector;
pub use input::{Input, InputError};

use privlink_model::{Document, LoadDiagnostic, Model, ResourceId};
use std::collections::BTreeMap;

/// Loads an estate from inputs. Deployment templates found among the inputs are reported as a
/// diagnostic until the template front end evaluates them (see [`template`]).
pub fn load(inputs: &[Input]) -> Result<Model, InputError> {
    let collector = documents::collect(inputs)?;
    Ok(build(collector))
}

/// Builds the model from collected documents.
pub fn build(collector: DocumentCollector) -> Model {
    let documents::Collected { documents, mut diagnostics, templates } = collector.finish();
    for (file, _) in templates {
        diagnostics.push(LoadDiagnostic::new(
            privlink_model::Severity::Error,
            "LOAD015",
            &privlink_model::Origin::new(file, ""),
            "this is an ARM deployment template; template evaluation is not available in this build",
        ));
    }
    model_from_documents(documents, diagnostics)
}

/// Types documents that are already keyed by id (the twin's store, a template evaluation).
pub fn model_from_documents(documents: BTreeMap<ResourceId, Document>, mut diagnostics: Vec<LoadDiagnostic>) -> Model {
    let resources = typed::type_documents(&documents, &mut diagnostics);
    validate::check(&resources, &documents, &mut diagnostics);
    Model::new(resources, documents, diagnostics)
}
