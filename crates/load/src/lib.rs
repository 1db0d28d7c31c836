//! ARM documents in, [`Model`] out: the one pipeline every reader of an estate uses.
//!
//! ```text
//! inputs ─► documents ─► templates evaluated ─► deployed (engine::provider) ─► typed Model
//! ```
//!
//! The loader reads what Azure stores and returns: single resources, arrays, list responses,
//! Resource Graph output and REST API examples (format detected from content), merges children
//! given inline and on their own, evaluates deployment templates into the documents they PUT and
//! deploys those through the engine's provider (Azure's deploy-time behaviour), and types every
//! document. Readable but wrong input becomes a [`LoadDiagnostic`] naming the file and JSON
//! pointer; only input that is not JSON at all, or a template that cannot be evaluated, is an
//! [`InputError`]. Pure: the caller passes the bytes in.
//!
//! Two entry points: [`load`] for inputs (files, the built-in estate) and [`load_documents`] for
//! documents already held as JSON (a twin's store, what a twin serves, fixed documents).

pub mod detect;
pub mod documents;
pub mod input;
pub mod reader;
mod relaxed;
pub mod template;
pub mod terraform;
mod typed;
mod validate;

pub use input::{Input, InputError};

use documents::DocumentCollector;
use privlink_model::{Document, LoadDiagnostic, Model, Origin, ResourceId, Severity};
use serde_json::Value;
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
    /// What a parameter with neither a value nor a default becomes.
    pub unset_parameters: template::UnsetParameters,
}

impl Default for TemplateSettings {
    fn default() -> Self {
        TemplateSettings {
            subscription: "00000000-0000-0000-0000-000000000001".into(),
            resource_group: "rg-template".into(),
            location: "westeurope".into(),
            parameters: None,
            overrides: Vec::new(),
            unset_parameters: template::UnsetParameters::Error,
        }
    }
}

/// How an estate is loaded.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// How deployment templates among the inputs are evaluated.
    pub templates: TemplateSettings,
}

/// Loads an estate from inputs. Templates are evaluated into the documents Azure would hold after
/// the deployment (what only Azure knows stays an explicit unknown, listed as a diagnostic) and
/// deployed through the engine's provider, so the estate holds what Azure fills in at deploy time
/// (private endpoint NICs and addresses, zone-group records, backend connections); a write Azure
/// would refuse becomes an error diagnostic (`LOAD018`) and the resource stays as the template
/// wrote it. A template that cannot be evaluated is an error naming the file, JSON pointer and
/// expression. The inputs are dropped once parsed, before typing, so their bytes and the typed
/// model are never held together.
pub fn load(inputs: Vec<Input>, options: &Options) -> Result<Model, InputError> {
    let collector = documents::collect(&inputs)?;
    drop(inputs);
    let documents::Collected { documents, diagnostics, templates, plans } = collector.finish();
    if templates.is_empty() && plans.is_empty() {
        return Ok(model_of(documents, diagnostics));
    }
    let deployments = Deployments { templates: &templates, plans: &plans, settings: &options.templates };
    // Azure evaluates `reference()` once the resource is deployed, so it sees what the platform
    // filled in (a firewall's or a NIC's private address). A first deployment finds those values;
    // when a template read one, it is evaluated again with them and deployed afresh.
    let first = deployments.deploy(documents.clone(), diagnostics.clone(), None)?;
    let estate = if first.read_runtime_properties {
        let runtime: BTreeMap<String, Value> =
            first.documents.iter().map(|(id, d)| (id.key().to_string(), d.body.clone())).collect();
        drop(first);
        deployments.deploy(documents, diagnostics, Some(runtime))?
    } else {
        first
    };
    Ok(model_of(estate.documents, estate.diagnostics))
}

/// The templates and plans of an estate, and how templates are evaluated.
struct Deployments<'a> {
    templates: &'a [(String, Value)],
    plans: &'a [(String, Value)],
    settings: &'a TemplateSettings,
}

/// An estate's documents once its templates are evaluated and deployed.
struct DeployedEstate {
    documents: BTreeMap<ResourceId, Document>,
    diagnostics: Vec<LoadDiagnostic>,
    /// Whether a template read a property the platform fills in at deploy time.
    read_runtime_properties: bool,
}

impl Deployments<'_> {
    /// Evaluates the templates and plans over `documents` and deploys what they write.
    fn deploy(
        &self,
        documents: BTreeMap<ResourceId, Document>,
        diagnostics: Vec<LoadDiagnostic>,
        runtime: Option<BTreeMap<String, Value>>,
    ) -> Result<DeployedEstate, InputError> {
        let EstateDocuments { mut documents, mut diagnostics, deployed, read_runtime_properties } =
            evaluate(documents, diagnostics, self, runtime)?;
        deploy(&mut documents, &deployed, &mut diagnostics);
        Ok(DeployedEstate { documents, diagnostics, read_runtime_properties })
    }
}

/// Loads an estate from documents already held as JSON, each with where it came from: the twin's
/// store (already deployed: the twin ran the provider on every write), what a twin serves, or
/// documents a fix was applied to. Inline children are merged as for [`load`].
pub fn load_documents(documents: impl IntoIterator<Item = (Value, Origin)>) -> Model {
    let mut collector = DocumentCollector::new();
    for (body, origin) in documents {
        collector.add_document(body, origin);
    }
    let collected = collector.finish();
    model_of(collected.documents, collected.diagnostics)
}

/// The documents of an estate before deployment and typing: exported documents and what
/// templates evaluated to.
struct EstateDocuments {
    documents: BTreeMap<ResourceId, Document>,
    diagnostics: Vec<LoadDiagnostic>,
    /// The ids that came from templates (an exported document of the same id wins), in template
    /// order: what a deployment would PUT.
    deployed: Vec<ResourceId>,
    /// Whether an unknown came from a property Azure adds at deploy time (`reference()`).
    read_runtime_properties: bool,
}

fn evaluate(
    mut documents: BTreeMap<ResourceId, Document>,
    mut diagnostics: Vec<LoadDiagnostic>,
    deployments: &Deployments<'_>,
    runtime: Option<BTreeMap<String, Value>>,
) -> Result<EstateDocuments, InputError> {
    let settings = deployments.settings;
    let (templates, plans) = (deployments.templates, deployments.plans);
    let mut deployed = Vec::new();
    let mut read_runtime_properties = false;
    for (file, plan) in plans {
        let translated = terraform::translate(file, plan, &settings.subscription);
        add_deployed(
            &mut documents,
            &mut deployed,
            &mut diagnostics,
            translated.documents,
            translated.order.iter().filter_map(|id| ResourceId::parse(id).ok()),
        );
        diagnostics.extend(translated.diagnostics);
    }
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
            unset_parameters: settings.unset_parameters,
            runtime: runtime.clone().unwrap_or_default(),
            ..Default::default()
        };
        let evaluation = template::evaluate(template_json, &parameters, &scope, &options).map_err(|e| InputError {
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
        add_deployed(
            &mut documents,
            &mut deployed,
            &mut diagnostics,
            evaluation.resources.into_iter().map(|r| (r.document, Origin::new(file.as_str(), r.source))),
            template_order,
        );
        for u in evaluation.unknowns {
            read_runtime_properties |= template::is_runtime_property(&u.reason);
            diagnostics.push(LoadDiagnostic::new(
                Severity::Info,
                "LOAD016",
                &Origin::new(file.as_str(), u.pointer.clone()),
                format!(
                    "{}only known at deploy time: {}",
                    u.resource_id.as_deref().map(|r| format!("{r}: ")).unwrap_or_default(),
                    u.reason
                ),
            ));
        }
        for w in evaluation.warnings {
            diagnostics.push(LoadDiagnostic::new(Severity::Warning, "LOAD017", &Origin::new(file.as_str(), ""), w));
        }
    }
    Ok(EstateDocuments { documents, diagnostics, deployed, read_runtime_properties })
}

/// Adds what a template or plan deploys, in its `order`, to the estate's documents; an exported
/// document of the same id wins.
fn add_deployed(
    documents: &mut BTreeMap<ResourceId, Document>,
    deployed: &mut Vec<ResourceId>,
    diagnostics: &mut Vec<LoadDiagnostic>,
    new: impl IntoIterator<Item = (Value, Origin)>,
    order: impl IntoIterator<Item = ResourceId>,
) {
    let mut collector = DocumentCollector::new();
    for (body, origin) in new {
        collector.add_document(body, origin);
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
    for id in order {
        if inserted.remove(&id) {
            deployed.push(id);
        }
    }
}

/// Deploys the resources templates evaluated to through the engine's provider, in dependency order;
/// each write Azure would refuse becomes a `LOAD018` error diagnostic.
fn deploy(
    documents: &mut BTreeMap<ResourceId, Document>,
    deployed: &[ResourceId],
    diagnostics: &mut Vec<LoadDiagnostic>,
) {
    for failure in privlink_engine::provider::deploy(documents, deployed) {
        if let Some(document) = documents.get(&failure.id) {
            // A write that Azure judges on something privlink cannot see: a value only known at
            // deploy time (reported as LOAD016) or a resource outside the estate (LOAD009). Azure
            // may well accept it; saying it would fail would contradict those diagnostics.
            let unknowable = reader::holds_unknown(&document.body)
                || (failure.error.code == "InvalidResourceReference" && references_outside(&document.body, documents));
            if unknowable {
                continue;
            }
        }
        let origin = documents.get(&failure.id).map(|d| d.origin.clone()).unwrap_or_else(|| Origin::new("", ""));
        diagnostics.push(LoadDiagnostic::new(
            Severity::Error,
            "LOAD018",
            &origin,
            format!(
                "{}: the deployment would fail: {} ({}) {}",
                failure.id, failure.error.code, failure.error.status, failure.error.message
            ),
        ));
    }
}

/// Whether `body` names a resource id that is not in the estate.
fn references_outside(body: &Value, documents: &BTreeMap<ResourceId, Document>) -> bool {
    match body {
        Value::String(text) if text.starts_with('/') => {
            ResourceId::parse(text).is_ok_and(|id| id.namespace().is_some() && !documents.contains_key(&id))
        }
        Value::Array(items) => items.iter().any(|item| references_outside(item, documents)),
        Value::Object(fields) => fields.iter().any(|(key, value)| key != "id" && references_outside(value, documents)),
        _ => false,
    }
}

/// Types documents keyed by id and checks their references.
fn model_of(documents: BTreeMap<ResourceId, Document>, mut diagnostics: Vec<LoadDiagnostic>) -> Model {
    let resources = typed::type_documents(&documents, &mut diagnostics);
    validate::check(&resources, &documents, &mut diagnostics);
    Model::new(resources, documents, diagnostics)
}
