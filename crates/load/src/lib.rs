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

/// How deployment templates among the inputs are evaluated: the deployment's scope and parameters.
#[derive(Clone, Debug)]
pub struct TemplateSettings {
    pub subscription: String,
    pub resource_group: String,
    pub location: String,
    /// A parameters file (either `deploymentParameters` form or a bare object), with its name.
    pub parameters: Option<(String, serde_json::Value)>,
    /// `name=value` overrides; a value that parses as JSON is used as JSON, else as a string.
    pub overrides: Vec<String>,
}

impl Default for TemplateSettings {
    fn default() -> Self {
        TemplateSettings {
            subscription: "00000000-0000-0000-0000-000000000001".into(),
            resource_group: "rg-template".into(),
            location: "westeurope".into(),
            parameters: None,
            overrides: Vec::new(),
        }
    }
}

/// Loads an estate from inputs; deployment templates among them are evaluated with the default
/// [`TemplateSettings`].
pub fn load(inputs: &[Input]) -> Result<Model, InputError> {
    load_with(inputs, &TemplateSettings::default())
}

/// Loads an estate; templates are evaluated into the documents Azure would hold after the
/// deployment (what only Azure knows stays an explicit unknown, listed as a diagnostic). A
/// template that cannot be evaluated is an error naming the file, JSON pointer and expression.
pub fn load_with(inputs: &[Input], settings: &TemplateSettings) -> Result<Model, InputError> {
    let collector = documents::collect(inputs)?;
    build_with(collector, settings)
}

/// The documents of an estate before typing: exported documents and what templates evaluated to.
pub struct EstateDocuments {
    pub documents: BTreeMap<ResourceId, Document>,
    pub diagnostics: Vec<LoadDiagnostic>,
    /// The ids that came from templates (an exported document of the same id wins), in template
    /// order: what a deployment would PUT. Deploy-time behaviour (NICs, addresses, zone-group
    /// records, backend connections) is Azure's, so it is applied by the caller, with the engine's
    /// `provider::deploy`, before [`model_from_documents`].
    pub deployed: Vec<ResourceId>,
}

/// Collects and evaluates inputs into documents without typing them.
pub fn documents_with(inputs: &[Input], settings: &TemplateSettings) -> Result<EstateDocuments, InputError> {
    evaluate_with(documents::collect(inputs)?, settings)
}

/// Builds the model from collected documents (templates evaluated with default settings).
pub fn build(collector: DocumentCollector) -> Model {
    build_with(collector, &TemplateSettings::default()).unwrap_or_else(|e| {
        let mut m = Model::default();
        m.diagnostics.push(LoadDiagnostic::new(
            privlink_model::Severity::Error,
            "LOAD015",
            &privlink_model::Origin::new(e.file, ""),
            e.message,
        ));
        m
    })
}

fn build_with(collector: DocumentCollector, settings: &TemplateSettings) -> Result<Model, InputError> {
    let EstateDocuments { documents, diagnostics, .. } = evaluate_with(collector, settings)?;
    Ok(model_from_documents(documents, diagnostics))
}

fn evaluate_with(collector: DocumentCollector, settings: &TemplateSettings) -> Result<EstateDocuments, InputError> {
    let documents::Collected { mut documents, mut diagnostics, templates } = collector.finish();
    let mut deployed = Vec::new();
    for (file, template_json) in templates {
        let mut parameters = match &settings.parameters {
            Some((pfile, p)) => template::Parameters::from_document(p).map_err(|e| InputError {
                file: pfile.clone(),
                line: None,
                column: None,
                message: e.to_string(),
            })?,
            None => template::Parameters::new(),
        };
        for o in &settings.overrides {
            let Some((k, v)) = o.split_once('=') else {
                return Err(InputError {
                    file: file.clone(),
                    line: None,
                    column: None,
                    message: format!("--param '{o}' is not name=value"),
                });
            };
            parameters
                .set(k.trim(), serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_string())));
        }
        let scope = template::DeploymentScope::resource_group(
            &settings.subscription,
            &settings.resource_group,
            &settings.location,
        );
        let options = template::EvaluateOptions {
            existing: documents.iter().map(|(k, d)| (k.key().to_string(), d.body.clone())).collect(),
            ..Default::default()
        };
        let evaluation = template::evaluate(&template_json, &parameters, &scope, &options).map_err(|e| InputError {
            file: file.clone(),
            line: None,
            column: None,
            message: e.to_string(),
        })?;
        let template_order: Vec<ResourceId> = evaluation
            .resources
            .iter()
            .filter_map(|r| ResourceId::parse(r.document.get("id")?.as_str()?).ok())
            .collect();
        let mut collector = DocumentCollector::new();
        for r in evaluation.resources {
            collector.add_document(r.document, privlink_model::Origin::new(file.as_str(), r.source));
        }
        let inner = collector.finish();
        diagnostics.extend(inner.diagnostics);
        let mut inserted = std::collections::BTreeSet::new();
        for (id, doc) in inner.documents {
            if let std::collections::btree_map::Entry::Vacant(slot) = documents.entry(id.clone()) {
                inserted.insert(id);
                slot.insert(doc);
            }
        }
        for id in template_order {
            if inserted.remove(&id) {
                deployed.push(id);
            }
        }
        for u in evaluation.unknowns {
            diagnostics.push(LoadDiagnostic::new(
                privlink_model::Severity::Info,
                "LOAD016",
                &privlink_model::Origin::new(file.as_str(), u.pointer.clone()),
                format!(
                    "{}only known at deploy time: {}",
                    u.resource_id.as_deref().map(|r| format!("{r}: ")).unwrap_or_default(),
                    u.reason
                ),
            ));
        }
        for w in evaluation.warnings {
            diagnostics.push(LoadDiagnostic::new(
                privlink_model::Severity::Warning,
                "LOAD017",
                &privlink_model::Origin::new(file.as_str(), ""),
                w,
            ));
        }
    }
    Ok(EstateDocuments { documents, diagnostics, deployed })
}

/// Types documents that are already keyed by id (the twin's store, a template evaluation).
pub fn model_from_documents(documents: BTreeMap<ResourceId, Document>, mut diagnostics: Vec<LoadDiagnostic>) -> Model {
    let resources = typed::type_documents(&documents, &mut diagnostics);
    validate::check(&resources, &documents, &mut diagnostics);
    Model::new(resources, documents, diagnostics)
}
