//! Template evaluation: parameters, variables, copy loops, conditions, nested deployments and
//! `reference()`, producing the resource documents Azure would hold after the deployment.
//!
//! Resources are expanded first (condition, copy, type, name, id) and their bodies evaluated on
//! demand, so `reference()` can read a resource of this deployment whatever the order.
//!
//! The evaluation's state (deployments, resource instances) is defined here; `deployment` registers
//! and runs deployments, `expand` expands resources and copy loops, `instance` evaluates resource
//! bodies and nested deployments, `expression` evaluates template values and expressions, and
//! `calls` the functions that need the deployment, each family in its own file.

mod calls;

pub use calls::is_runtime_property;
mod deployment;
mod expand;
mod expression;
mod instance;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use privlink_model::arm_type;
use serde_json::Value as Json;

use super::error::TemplateError;
use super::parameters::{override_value, split_override, ParameterValue, Parameters};
use super::scope::{DeploymentScope, EvaluateOptions};
use super::value::{escape_pointer, Object, Value};

const DEPLOYMENTS_TYPE: &str = arm_type::DEPLOYMENTS;

/// The kind of template, from its `$schema`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateScope {
    ResourceGroup,
    Subscription,
    ManagementGroup,
    Tenant,
}

/// What a template deploys.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub scope: TemplateScope,
    /// The documents Azure would hold, in template order (nested deployments' resources where the
    /// deployment appears). Deployment records and `existing` resources are not included.
    pub resources: Vec<EvaluatedResource>,
    /// Every value only Azure knows, where it sits in `resources` or `outputs`.
    pub unknowns: Vec<UnknownValue>,
    pub warnings: Vec<String>,
    /// The template's outputs by name (unknown values written as `"[unknown] <reason>"`).
    pub outputs: serde_json::Map<String, Json>,
}

/// One resource document and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluatedResource {
    /// `{"id", "name", "type", "location"?, "kind"?, "sku"?, "identity"?, "zones"?, "tags"?, "properties"}`.
    pub document: Json,
    /// JSON pointer of the resource declaration in the template document.
    pub source: String,
}

/// A value only Azure knows: which resource (none for template outputs), where in its document
/// (or `/outputs/<name>/…`), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    pub resource_id: Option<String>,
    pub pointer: String,
    pub reason: String,
}

/// Evaluates a deployment template as Azure would deploy it at `scope`.
pub fn evaluate(
    template: &Json,
    parameters: &Parameters,
    scope: &DeploymentScope,
    options: &EvaluateOptions,
) -> Result<Evaluation, TemplateError> {
    let template_scope = detect_scope(template)?;
    let mut supplied = BTreeMap::new();
    let declared = template.get("parameters").and_then(Json::as_object);
    for name in parameters.names() {
        let key = name.to_ascii_lowercase();
        let value = match parameters.get(name) {
            Some(ParameterValue::Value(v)) => Value::from_json(v),
            Some(ParameterValue::KeyVaultReference { secret_name }) => {
                Value::unknown(format!("the Key Vault secret '{secret_name}' is only known at deploy time"))
            }
            None => continue,
        };
        supplied.insert(key, value);
    }
    for text in &options.overrides {
        let (name, raw) = split_override(text)?;
        let declared_type = declared
            .and_then(|d| d.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, p)| p.get("type"))
            .and_then(Json::as_str)
            .unwrap_or("string");
        supplied.insert(name.to_ascii_lowercase(), Value::from_json(&override_value(name, declared_type, raw)?));
    }
    let world = World {
        options,
        deployments: RefCell::default(),
        instances: RefCell::default(),
        warnings: RefCell::default(),
        guid_counter: Cell::new(0),
    };
    for name in supplied.keys() {
        if !declared.is_some_and(|d| d.keys().any(|k| k.eq_ignore_ascii_case(name))) {
            world.warn(format!("the parameter '{name}' is supplied but the template does not declare it"));
        }
    }
    let root = world.create_deployment(NewDeployment {
        template,
        pointer: String::new(),
        scope: scope.clone(),
        context: None,
        supplied,
        what: "the template".to_string(),
        order: Vec::new(),
    })?;
    world.run(root)?;
    world.report_dependency_cycles();

    let mut evaluation = Evaluation {
        scope: template_scope,
        resources: Vec::new(),
        unknowns: Vec::new(),
        warnings: Vec::new(),
        outputs: serde_json::Map::new(),
    };
    let mut instances = world.instances.borrow().clone();
    instances.sort_by(|a, b| a.order.cmp(&b.order));
    let mut documents: Vec<(Value, Object, String)> = Vec::new();
    // Lower-cased id → place in `documents`: finding a redeclaration by scanning was quadratic.
    let mut placed: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for instance in instances.iter() {
        if instance.existing || instance.full_type.eq_ignore_ascii_case(DEPLOYMENTS_TYPE) {
            continue;
        }
        let evaluated = world.evaluate_instance(instance)?;
        // A resource declared twice (e.g. again in a nested template) is one document in Azure: the
        // later PUT wins, in the place of the first.
        let key = instance.id.as_str().map(str::to_ascii_lowercase);
        let duplicate = key.as_ref().and_then(|k| placed.get(k).copied());
        let entry = (instance.id.clone(), evaluated.document.clone(), instance.pointer.clone());
        match duplicate {
            Some(index) => {
                world.warn(format!(
                    "the resource {} is declared at {} and again at {}; the later declaration wins",
                    instance.id.as_str().unwrap_or_default(),
                    documents[index].2,
                    instance.pointer
                ));
                documents[index] = entry;
            }
            None => {
                if let Some(k) = key {
                    placed.insert(k, documents.len());
                }
                documents.push(entry)
            }
        }
    }
    for (id, document, source) in documents {
        if let Value::Unknown(unknown) = &id {
            // A resource named after a value only Azure knows cannot be placed in the estate.
            evaluation.unknowns.push(UnknownValue {
                resource_id: None,
                pointer: source.clone(),
                reason: format!(
                    "the id of the resource declared here ({}); privlink leaves the resource out",
                    unknown.reason
                ),
            });
            continue;
        }
        let resource_id = id.as_str().map(str::to_string);
        let unknowns = &mut evaluation.unknowns;
        let document = Value::Object(document).to_json_with("", &mut |pointer, unknown| {
            unknowns.push(UnknownValue {
                resource_id: resource_id.clone(),
                pointer: pointer.to_string(),
                reason: unknown.reason.clone(),
            })
        });
        evaluation.resources.push(EvaluatedResource { document, source });
    }
    let root_deployment = world.deployment(root);
    if let Some(outputs) = root_deployment.outputs.borrow().as_ref() {
        for (name, output) in &outputs.entries {
            let value = output.as_object().and_then(|o| o.get("value")).cloned().unwrap_or(Value::Null);
            let unknowns = &mut evaluation.unknowns;
            let json = value.to_json_with(&format!("/outputs/{}", escape_pointer(name)), &mut |pointer, unknown| {
                unknowns.push(UnknownValue {
                    resource_id: None,
                    pointer: pointer.to_string(),
                    reason: unknown.reason.clone(),
                })
            });
            evaluation.outputs.insert(name.clone(), json);
        }
    }
    evaluation.warnings = world.warnings.into_inner();
    Ok(evaluation)
}

/// The template's kind, from `$schema` (learn.microsoft.com "template-syntax#template-format").
pub fn detect_scope(template: &Json) -> Result<TemplateScope, TemplateError> {
    let schema = template
        .get("$schema")
        .and_then(Json::as_str)
        .ok_or_else(|| TemplateError::new("/$schema", "a deployment template needs a `$schema`"))?
        .to_ascii_lowercase();
    if schema.contains("subscriptiondeploymenttemplate") {
        Ok(TemplateScope::Subscription)
    } else if schema.contains("managementgroupdeploymenttemplate") {
        Ok(TemplateScope::ManagementGroup)
    } else if schema.contains("tenantdeploymenttemplate") {
        Ok(TemplateScope::Tenant)
    } else if schema.contains("deploymenttemplate") {
        Ok(TemplateScope::ResourceGroup)
    } else {
        Err(TemplateError::new("/$schema", format!("`{schema}` is not a deployment template schema")))
    }
}

/// Where expression evaluation is: copy loop indexes, lambda variables, user-function parameters.
#[derive(Clone, Debug, Default)]
struct Env {
    /// `(loop name, index)`; the resource or output loop is also recorded under the name "".
    copies: Vec<(String, i64)>,
    lambdas: Vec<(String, Value)>,
    function_parameters: Option<Rc<Vec<(String, Value)>>>,
}

impl Env {
    fn with_copy(&self, name: &str, index: i64, is_resource_loop: bool) -> Env {
        let mut env = self.clone();
        if is_resource_loop {
            env.copies.push((String::new(), index));
        }
        env.copies.push((name.to_ascii_lowercase(), index));
        env
    }
}

/// A failure inside an expression: a message for the current place, or an error already located.
enum Failure {
    Here(String),
    Located(TemplateError),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Here(message)
    }
}

impl From<TemplateError> for Failure {
    fn from(error: TemplateError) -> Self {
        Failure::Located(error)
    }
}

type Eval<T> = Result<T, Failure>;

/// A parameter or variable: evaluated on first use, so declarations may come in any order.
enum Slot<'t> {
    Pending { json: &'t Json, pointer: String, copy: bool },
    Evaluating,
    Done(Value),
}

/// The template and each nested deployment, registered once.
struct Deployment<'t> {
    template: &'t Json,
    pointer: String,
    scope: DeploymentScope,
    /// The deployment whose parameters, variables and functions expressions see (a nested
    /// deployment with the default `outer` evaluation scope uses its parent's).
    context: usize,
    parameters: RefCell<BTreeMap<String, Slot<'t>>>,
    variables: RefCell<BTreeMap<String, Slot<'t>>>,
    functions: BTreeMap<String, (&'t Json, String)>,
    instances: RefCell<Vec<usize>>,
    outputs: RefCell<Option<Object>>,
    /// Sort key prefix: a nested deployment's resources are listed where the deployment is declared.
    order: Vec<usize>,
}

enum InstanceState {
    Pending,
    Evaluating,
    Done(Rc<EvaluatedInstance>),
}

struct EvaluatedInstance {
    document: Object,
}

/// One expanded resource (a copy loop makes one per index); its body is evaluated on demand.
struct Instance<'t> {
    deployment: usize,
    order: Vec<usize>,
    json: &'t Json,
    pointer: String,
    env: Env,
    full_type: String,
    full_name: Value,
    id: Value,
    /// The language-version-2 symbolic name, with `[index]` for copy loop members.
    symbolic: Option<String>,
    symbolic_loop: Option<String>,
    existing: bool,
    /// Where a nested deployment deploys (its `subscriptionId`/`resourceGroup`).
    target_scope: DeploymentScope,
    state: RefCell<InstanceState>,
}

/// What a deployment is created from; `context` is `Some(parent)` for an outer-scope nested template.
struct NewDeployment<'t> {
    template: &'t Json,
    pointer: String,
    scope: DeploymentScope,
    context: Option<usize>,
    supplied: BTreeMap<String, Value>,
    what: String,
    order: Vec<usize>,
}

/// One evaluation: every deployment and resource instance, by index in the order registered.
struct World<'t> {
    options: &'t EvaluateOptions,
    deployments: RefCell<Vec<Rc<Deployment<'t>>>>,
    instances: RefCell<Vec<Rc<Instance<'t>>>>,
    warnings: RefCell<Vec<String>>,
    /// How many `newGuid()` calls so far: each answers a different, reproducible GUID.
    guid_counter: Cell<u64>,
}

#[cfg(test)]
mod tests;
