//! Template evaluation: parameters, variables, copy loops, conditions, nested deployments and
//! `reference()`, producing the resource documents Azure would hold after the deployment.
//!
//! Resources are expanded first (condition, copy, type, name, id) and their bodies evaluated on
//! demand, so `reference()` can read a resource of this deployment whatever the order.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::Value as Json;

use super::error::TemplateError;
use super::expr::{parse_template_string, Expr, TemplateString};
use super::functions::{self, arity, str_arg, FunctionResult};
use super::parameters::{override_value, split_override, ParameterValue, Parameters};
use super::scope::{public_cloud_environment, DeploymentScope, EvaluateOptions, ResourceGroupScope};
use super::value::{escape_pointer, Object, Value};

const DEPLOYMENTS_TYPE: &str = "Microsoft.Resources/deployments";

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

enum Slot<'t> {
    Pending { json: &'t Json, pointer: String, copy: bool },
    Evaluating,
    Done(Value),
}

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

struct World<'t> {
    options: &'t EvaluateOptions,
    deployments: RefCell<Vec<Rc<Deployment<'t>>>>,
    instances: RefCell<Vec<Rc<Instance<'t>>>>,
    warnings: RefCell<Vec<String>>,
    guid_counter: Cell<u64>,
}

fn escape(key: &str) -> String {
    escape_pointer(key)
}

impl<'t> World<'t> {
    fn warn(&self, message: String) {
        let mut warnings = self.warnings.borrow_mut();
        if !warnings.contains(&message) {
            warnings.push(message);
        }
    }

    fn deployment(&self, index: usize) -> Rc<Deployment<'t>> {
        self.deployments.borrow()[index].clone()
    }

    /// Registers a deployment.
    fn create_deployment(&self, new: NewDeployment<'t>) -> Result<usize, TemplateError> {
        let NewDeployment { template, pointer, scope, context, supplied, what, order } = new;
        let what = what.as_str();
        let index = self.deployments.borrow().len();
        let mut parameters = BTreeMap::new();
        if let Some(declared) = template.get("parameters").and_then(Json::as_object) {
            for (name, declaration) in declared {
                let key = name.to_ascii_lowercase();
                let parameter_pointer = format!("{pointer}/parameters/{}", escape(name));
                // ARM uses the default when a nested deployment passes null (Bicep's optional module parameters).
                let supplied_value =
                    supplied.get(&key).filter(|v| !(v == &&Value::Null && declaration.get("defaultValue").is_some()));
                let slot = if let Some(value) = supplied_value {
                    Slot::Done(value.clone())
                } else if let Some(default) = declaration.get("defaultValue") {
                    Slot::Pending { json: default, pointer: format!("{parameter_pointer}/defaultValue"), copy: false }
                } else if is_nullable(template, declaration) {
                    Slot::Done(Value::Null)
                } else {
                    return Err(TemplateError::new(
                        parameter_pointer,
                        format!("the parameter '{name}' of {what} has no value and no default: supply it (parameters file or override {name}=value)"),
                    ));
                };
                parameters.insert(key, slot);
            }
        }
        let mut variables = BTreeMap::new();
        if let Some(declared) = template.get("variables").and_then(Json::as_object) {
            for (name, json) in declared {
                if name.eq_ignore_ascii_case("copy") {
                    if let Json::Array(loops) = json {
                        for (i, entry) in loops.iter().enumerate() {
                            let loop_pointer = format!("{pointer}/variables/copy/{i}");
                            let loop_name = entry.get("name").and_then(Json::as_str).ok_or_else(|| {
                                TemplateError::new(&loop_pointer, "a variable copy loop needs a `name`")
                            })?;
                            variables.insert(
                                loop_name.to_ascii_lowercase(),
                                Slot::Pending { json: entry, pointer: loop_pointer, copy: true },
                            );
                        }
                        continue;
                    }
                }
                let slot =
                    Slot::Pending { json, pointer: format!("{pointer}/variables/{}", escape(name)), copy: false };
                variables.insert(name.to_ascii_lowercase(), slot);
            }
        }
        let mut functions = BTreeMap::new();
        if let Some(Json::Array(namespaces)) = template.get("functions") {
            for (i, namespace) in namespaces.iter().enumerate() {
                let prefix = namespace.get("namespace").and_then(Json::as_str).unwrap_or_default();
                if let Some(members) = namespace.get("members").and_then(Json::as_object) {
                    for (name, member) in members {
                        let key = format!("{prefix}.{name}").to_ascii_lowercase();
                        functions.insert(key, (member, format!("{pointer}/functions/{i}/members/{}", escape(name))));
                    }
                }
            }
        }
        let deployment = Deployment {
            template,
            pointer,
            scope,
            context: context.unwrap_or(index),
            parameters: RefCell::new(parameters),
            variables: RefCell::new(variables),
            functions,
            instances: RefCell::default(),
            outputs: RefCell::default(),
            order,
        };
        self.deployments.borrow_mut().push(Rc::new(deployment));
        Ok(index)
    }

    /// Checks each parameter's value against its declared `type` and `allowedValues`, as Azure does
    /// before deploying.
    fn validate_parameters(&self, deployment: &Deployment<'t>) -> Result<(), TemplateError> {
        let Some(declared) = deployment.template.get("parameters").and_then(Json::as_object) else { return Ok(()) };
        for (name, declaration) in declared {
            let pointer = format!("{}/parameters/{}", deployment.pointer, escape(name));
            let value = match self.parameter(deployment, name) {
                Ok(value) => value,
                Err(Failure::Located(error)) => return Err(error),
                Err(Failure::Here(message)) => return Err(TemplateError::new(pointer, message)),
            };
            if value.is_unknown() || value == Value::Null {
                continue;
            }
            let declared_type = declaration.get("type").and_then(Json::as_str).unwrap_or_default().to_ascii_lowercase();
            let matches = match declared_type.as_str() {
                "string" | "securestring" => matches!(value, Value::String(_)),
                "int" => matches!(value, Value::Int(_)),
                "bool" => matches!(value, Value::Bool(_)),
                "array" => matches!(value, Value::Array(_)),
                "object" | "secureobject" => matches!(value, Value::Object(_)),
                _ => true,
            };
            if !matches {
                return Err(TemplateError::new(
                    pointer,
                    format!(
                        "the parameter '{name}' is declared {declared_type} but its value is {} {}",
                        value.type_name(),
                        functions::brief(&value)
                    ),
                ));
            }
            if let Some(Json::Array(allowed)) = declaration.get("allowedValues") {
                let allowed: Vec<Value> = allowed.iter().map(Value::from_json).collect();
                let candidates: Vec<&Value> = match (&value, declared_type.as_str()) {
                    (Value::Array(items), "array") => items.iter().collect(),
                    (other, _) => vec![other],
                };
                if let Some(bad) =
                    candidates.into_iter().find(|c| !allowed.iter().any(|a| super::value::arm_equals(a, c)))
                {
                    return Err(TemplateError::new(
                        pointer,
                        format!(
                            "the parameter '{name}' has the value {}, which is not one of its allowedValues",
                            functions::brief(bad)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Expands and evaluates every resource of a deployment, then its outputs.
    fn run(&self, index: usize) -> Result<(), TemplateError> {
        let deployment = self.deployment(index);
        if deployment.context == index {
            self.validate_parameters(&deployment)?;
        }
        match deployment.template.get("resources") {
            Some(Json::Array(resources)) => {
                for (i, resource) in resources.iter().enumerate() {
                    let pointer = format!("{}/resources/{i}", deployment.pointer);
                    self.expand_resource(index, resource, pointer, None, &Env::default(), None)?;
                }
            }
            Some(Json::Object(resources)) => {
                for (symbolic, resource) in resources {
                    let pointer = format!("{}/resources/{}", deployment.pointer, escape(symbolic));
                    self.expand_resource(index, resource, pointer, None, &Env::default(), Some(symbolic))?;
                }
            }
            _ => {}
        }
        let instances = deployment.instances.borrow().clone();
        for instance_index in instances {
            let instance = self.instances.borrow()[instance_index].clone();
            if !instance.existing {
                self.evaluate_instance(&instance)?;
            }
        }
        let mut outputs = Object::new();
        if let Some(declared) = deployment.template.get("outputs").and_then(Json::as_object) {
            let context = self.deployment(deployment.context);
            for (name, output) in declared {
                let pointer = format!("{}/outputs/{}", deployment.pointer, escape(name));
                if let Some(condition) = output.get("condition") {
                    let value =
                        self.eval_json(&context, condition, &format!("{pointer}/condition"), &Env::default())?;
                    if value == Value::Bool(false) {
                        continue;
                    }
                }
                let value = if let Some(copy) = output.get("copy") {
                    let count = self.copy_count(&context, copy, &format!("{pointer}/copy"), &Env::default())?;
                    let input = copy.get("input").unwrap_or(&Json::Null);
                    let mut items = Vec::new();
                    for i in 0..count {
                        let env = Env::default().with_copy("", i, true);
                        items.push(self.eval_json(&context, input, &format!("{pointer}/copy/input"), &env)?);
                    }
                    Value::Array(items)
                } else {
                    self.eval_json(
                        &context,
                        output.get("value").unwrap_or(&Json::Null),
                        &format!("{pointer}/value"),
                        &Env::default(),
                    )?
                };
                let mut entry = Object::new();
                entry.insert("type", Value::from(output.get("type").and_then(Json::as_str).unwrap_or("object")));
                entry.insert("value", value);
                outputs.insert(name.clone(), Value::Object(entry));
            }
        }
        *deployment.outputs.borrow_mut() = Some(outputs);
        Ok(())
    }

    fn copy_count(
        &self,
        context: &Deployment<'t>,
        copy: &'t Json,
        pointer: &str,
        env: &Env,
    ) -> Result<i64, TemplateError> {
        let count =
            self.eval_json(context, copy.get("count").unwrap_or(&Json::Null), &format!("{pointer}/count"), env)?;
        match count {
            // Azure's limit (learn.microsoft.com "copy-resources"): at most 800 copies per loop.
            Value::Int(n) if n > 800 => Err(TemplateError::new(
                format!("{pointer}/count"),
                format!("a copy count must be at most 800, got {n}"),
            )),
            Value::Int(n) if n >= 0 => Ok(n),
            Value::Unknown(u) => {
                self.warn(format!(
                    "at {pointer}: the copy count is only known at deploy time ({}); no copies were made",
                    u.reason
                ));
                Ok(0)
            }
            other => Err(TemplateError::new(
                format!("{pointer}/count"),
                format!("a copy count must be a non-negative integer, got {}", other.type_name()),
            )),
        }
    }

    fn expand_resource(
        &self,
        deployment_index: usize,
        json: &'t Json,
        pointer: String,
        parent: Option<(&str, &Value)>,
        env: &Env,
        symbolic: Option<&str>,
    ) -> Result<(), TemplateError> {
        let deployment = self.deployment(deployment_index);
        let context = self.deployment(deployment.context);
        if !json.is_object() {
            return Err(TemplateError::new(pointer, "a resource must be a JSON object"));
        }
        if let Some(copy) = json.get("copy") {
            let loop_name = copy.get("name").and_then(Json::as_str).unwrap_or_default().to_string();
            let count = self.copy_count(&context, copy, &format!("{pointer}/copy"), env)?;
            for i in 0..count {
                let loop_env = env.with_copy(&loop_name, i, true);
                let member = symbolic.map(|s| (format!("{s}[{i}]"), s.to_string()));
                self.expand_one(deployment_index, json, &pointer, parent, &loop_env, member)?;
            }
            return Ok(());
        }
        let member = symbolic.map(|s| (s.to_string(), s.to_string()));
        self.expand_one(deployment_index, json, &pointer, parent, env, member)
    }

    fn expand_one(
        &self,
        deployment_index: usize,
        json: &'t Json,
        pointer: &str,
        parent: Option<(&str, &Value)>,
        env: &Env,
        symbolic: Option<(String, String)>,
    ) -> Result<(), TemplateError> {
        let deployment = self.deployment(deployment_index);
        let context = self.deployment(deployment.context);
        if let Some(condition) = json.get("condition") {
            match self.eval_json(&context, condition, &format!("{pointer}/condition"), env)? {
                Value::Bool(false) => return Ok(()),
                Value::Bool(true) => {}
                Value::Unknown(u) => self.warn(format!(
                    "at {pointer}: the condition is only known at deploy time ({}); assuming the resource is deployed",
                    u.reason
                )),
                other => {
                    return Err(TemplateError::new(
                        format!("{pointer}/condition"),
                        format!("a condition must be a bool, got {}", other.type_name()),
                    ))
                }
            }
        }
        let resource_type =
            match self.eval_json(&context, json.get("type").unwrap_or(&Json::Null), &format!("{pointer}/type"), env)? {
                Value::String(t) => t,
                other => {
                    return Err(TemplateError::new(
                        format!("{pointer}/type"),
                        format!("a resource type must be a string, got {}", other.type_name()),
                    ))
                }
            };
        let name =
            self.eval_json(&context, json.get("name").unwrap_or(&Json::Null), &format!("{pointer}/name"), env)?;
        let (full_type, full_name) = qualify(parent, &resource_type, &name);
        let existing = json.get("existing").and_then(Json::as_bool).unwrap_or(false);

        // Where the resource deploys: its own deployment's scope, even when expressions use the parent's (outer scope).
        let mut target_scope = deployment.scope.clone();
        let subscription = self.optional_string(&context, json, "subscriptionId", pointer, env)?;
        let resource_group = self.optional_string(&context, json, "resourceGroup", pointer, env)?;
        if let Some(subscription) = subscription {
            if subscription != target_scope.subscription_id {
                target_scope.subscription_id = subscription;
                if resource_group.is_none() && full_type.eq_ignore_ascii_case(DEPLOYMENTS_TYPE) {
                    target_scope.resource_group = None;
                }
            }
        }
        if let Some(group) = resource_group {
            let same = target_scope.resource_group.as_ref().is_some_and(|rg| rg.name.eq_ignore_ascii_case(&group));
            if !same {
                let location = self.location_of_created_group(&target_scope.subscription_id, &group)?;
                target_scope.resource_group = Some(ResourceGroupScope { name: group, location, tags: BTreeMap::new() });
            }
        }
        let id = match (&full_name, self.optional_value(&context, json, "scope", pointer, env)?) {
            (Value::Unknown(u), _) => Value::Unknown(u.clone()),
            (_, Some(Value::Unknown(u))) => Value::Unknown(u),
            (Value::String(n), scope) => {
                let prefix = match scope {
                    Some(Value::String(s)) if s.starts_with('/') => s.trim_end_matches('/').to_string(),
                    Some(Value::String(s)) if !s.is_empty() => {
                        format!("{}/providers/{}", target_scope.resource_id_prefix(), s.trim_matches('/'))
                    }
                    _ => target_scope.resource_id_prefix(),
                };
                Value::String(
                    build_resource_id(&prefix, &full_type, n)
                        .map_err(|m| TemplateError::new(format!("{pointer}/name"), m))?,
                )
            }
            (other, _) => {
                return Err(TemplateError::new(
                    format!("{pointer}/name"),
                    format!("a resource name must be a string, got {}", other.type_name()),
                ))
            }
        };
        let (symbolic, symbolic_loop) = match symbolic {
            Some((member, loop_name)) => (Some(member), Some(loop_name)),
            None => (None, None),
        };
        let mut order = deployment.order.clone();
        order.push(deployment.instances.borrow().len());
        let instance = Instance {
            deployment: deployment_index,
            order,
            json,
            pointer: pointer.to_string(),
            env: env.clone(),
            full_type: full_type.clone(),
            full_name: full_name.clone(),
            id,
            symbolic,
            symbolic_loop,
            existing,
            target_scope,
            state: RefCell::new(InstanceState::Pending),
        };
        let index = {
            let mut instances = self.instances.borrow_mut();
            instances.push(Rc::new(instance));
            instances.len() - 1
        };
        deployment.instances.borrow_mut().push(index);
        if let Some(Json::Array(children)) = json.get("resources") {
            for (i, child) in children.iter().enumerate() {
                let child_pointer = format!("{pointer}/resources/{i}");
                self.expand_resource(
                    deployment_index,
                    child,
                    child_pointer,
                    Some((&full_type, &full_name)),
                    env,
                    None,
                )?;
            }
        }
        Ok(())
    }

    /// The location of a resource group this evaluation creates (subscription templates), if any.
    fn location_of_created_group(&self, subscription_id: &str, group: &str) -> Result<Option<String>, TemplateError> {
        let id = format!("/subscriptions/{subscription_id}/resourceGroups/{group}");
        let created = self
            .instances
            .borrow()
            .iter()
            .find(|i| i.id.as_str().is_some_and(|i| i.eq_ignore_ascii_case(&id)))
            .cloned();
        let Some(instance) = created else { return Ok(None) };
        let document = self.evaluate_instance(&instance)?.document.clone();
        Ok(document.get("location").and_then(Value::as_str).map(str::to_string))
    }

    fn optional_value(
        &self,
        context: &Deployment<'t>,
        json: &'t Json,
        key: &str,
        pointer: &str,
        env: &Env,
    ) -> Result<Option<Value>, TemplateError> {
        match json.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => Ok(Some(self.eval_json(context, value, &format!("{pointer}/{key}"), env)?)),
        }
    }

    fn optional_string(
        &self,
        context: &Deployment<'t>,
        json: &'t Json,
        key: &str,
        pointer: &str,
        env: &Env,
    ) -> Result<Option<String>, TemplateError> {
        match self.optional_value(context, json, key, pointer, env)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Unknown(u)) => {
                self.warn(format!(
                    "at {pointer}/{key}: only known at deploy time ({}); using the deployment's own",
                    u.reason
                ));
                Ok(None)
            }
            Some(other) => Err(TemplateError::new(
                format!("{pointer}/{key}"),
                format!("expected a string, got {}", other.type_name()),
            )),
        }
    }

    /// Evaluates a resource's body once; a resource being evaluated that is referenced again is a cycle.
    fn evaluate_instance(&self, instance: &Instance<'t>) -> Result<Rc<EvaluatedInstance>, TemplateError> {
        match &*instance.state.borrow() {
            InstanceState::Done(done) => return Ok(done.clone()),
            InstanceState::Evaluating => {
                return Err(TemplateError::new(&instance.pointer, "the resource refers to itself through reference()"));
            }
            InstanceState::Pending => {}
        }
        *instance.state.borrow_mut() = InstanceState::Evaluating;
        let result = self.evaluate_instance_body(instance);
        match result {
            Ok(evaluated) => {
                let evaluated = Rc::new(evaluated);
                *instance.state.borrow_mut() = InstanceState::Done(evaluated.clone());
                Ok(evaluated)
            }
            Err(error) => {
                *instance.state.borrow_mut() = InstanceState::Pending;
                Err(error)
            }
        }
    }

    fn evaluate_instance_body(&self, instance: &Instance<'t>) -> Result<EvaluatedInstance, TemplateError> {
        let deployment = self.deployment(instance.deployment);
        let context = self.deployment(deployment.context);
        let pointer = &instance.pointer;
        let mut document = Object::new();
        document.insert("id", instance.id.clone());
        document.insert("name", last_segment(&instance.full_name));
        document.insert("type", Value::from(instance.full_type.as_str()));
        if instance.full_type.eq_ignore_ascii_case(DEPLOYMENTS_TYPE) {
            let properties = self.run_nested_deployment(instance, &context)?;
            document.insert("properties", properties);
            return Ok(EvaluatedInstance { document });
        }
        for key in ["kind", "location", "extendedLocation", "zones", "sku", "identity", "tags", "properties"] {
            if let Some(json) = instance.json.get(key) {
                let value = self.eval_json(&context, json, &format!("{pointer}/{key}"), &instance.env)?;
                if value != Value::Null || key == "properties" {
                    document.insert(key, value);
                }
            }
        }
        if !document.contains_key("properties") {
            document.insert("properties", Value::Object(Object::new()));
        }
        Ok(EvaluatedInstance { document })
    }

    /// Evaluates a `Microsoft.Resources/deployments` resource: its inner template becomes a deployment
    /// of its own; the result is the deployment's properties (`outputs`, `provisioningState`).
    fn run_nested_deployment(&self, instance: &Instance<'t>, context: &Deployment<'t>) -> Result<Value, TemplateError> {
        let pointer = &instance.pointer;
        let properties = instance.json.get("properties").cloned().unwrap_or(Json::Null);
        let Some(template) = instance.json.get("properties").and_then(|p| p.get("template")) else {
            let reason = if properties.get("templateLink").is_some() {
                format!("the linked template of the deployment at {pointer} is not available to the twin")
            } else {
                format!("the deployment at {pointer} has no inner template")
            };
            self.warn(format!("{reason}; its resources are not evaluated"));
            let mut out = Object::new();
            out.insert("outputs", Value::unknown(format!("outputs of {}", reason)));
            out.runtime_extensible = Some(reason);
            return Ok(Value::Object(out));
        };
        let template_pointer = format!("{pointer}/properties/template");
        let inner_scope = properties
            .get("expressionEvaluationOptions")
            .and_then(|o| o.get("scope"))
            .and_then(Json::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let mut supplied = BTreeMap::new();
        if let Some(Json::Object(parameters)) = instance.json.get("properties").and_then(|p| p.get("parameters")) {
            for (name, entry) in parameters {
                let entry_pointer = format!("{pointer}/properties/parameters/{}", escape(name));
                // Bicep may compute the whole entry (`[if(..., createObject('value', ...), ...)]`).
                let value = match self.eval_json(context, entry, &entry_pointer, &instance.env)? {
                    Value::Object(entry) if entry.contains_key("value") => {
                        entry.get("value").cloned().unwrap_or(Value::Null)
                    }
                    Value::Object(entry) if entry.contains_key("reference") => Value::unknown(format!(
                        "the Key Vault secret for parameter '{name}' is only known at deploy time"
                    )),
                    Value::Unknown(u) => Value::Unknown(u),
                    _ => {
                        return Err(TemplateError::new(entry_pointer, "expected an object with `value` or `reference`"))
                    }
                };
                supplied.insert(name.to_ascii_lowercase(), value);
            }
        }
        let mut scope = instance.target_scope.clone();
        scope.deployment_name = instance.full_name.as_str().unwrap_or("nested").to_string();
        let what = format!("the nested deployment at {pointer}");
        let nested = if inner_scope {
            self.create_deployment(NewDeployment {
                template,
                pointer: template_pointer,
                scope,
                context: None,
                supplied,
                what,
                order: instance.order.clone(),
            })?
        } else {
            let parent = self.deployment(instance.deployment).context;
            self.create_deployment(NewDeployment {
                template,
                pointer: template_pointer,
                scope,
                context: Some(parent),
                supplied: BTreeMap::new(),
                what,
                order: instance.order.clone(),
            })?
        };
        self.run(nested)?;
        let mut out = Object::new();
        let outputs = self.deployment(nested).outputs.borrow().clone().unwrap_or_default();
        out.insert("outputs", Value::Object(outputs));
        out.insert("provisioningState", Value::from("Succeeded"));
        out.insert("mode", Value::from(properties.get("mode").and_then(Json::as_str).unwrap_or("Incremental")));
        Ok(Value::Object(out))
    }

    /// Evaluates a JSON value of the template: expressions in strings, property `copy` loops in objects.
    fn eval_json(
        &self,
        context: &Deployment<'t>,
        json: &'t Json,
        pointer: &str,
        env: &Env,
    ) -> Result<Value, TemplateError> {
        match json {
            Json::String(text) => match parse_template_string(text) {
                Ok(TemplateString::Literal(s)) => Ok(Value::String(s)),
                Ok(TemplateString::Expression(expr)) => {
                    self.eval_expr(context, &expr, env).map_err(|failure| match failure {
                        Failure::Here(message) => TemplateError::new(pointer, message).with_expression(text.clone()),
                        Failure::Located(error) => error,
                    })
                }
                Err(error) => Err(TemplateError::new(pointer, error.to_string()).with_expression(text.clone())),
            },
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.eval_json(context, item, &format!("{pointer}/{i}"), env)?);
                }
                Ok(Value::Array(out))
            }
            Json::Object(map) => {
                let mut out = Object::new();
                let property_loops = match map.get("copy") {
                    Some(Json::Array(loops))
                        if loops.iter().all(|l| l.get("input").is_some() && l.get("name").is_some()) =>
                    {
                        Some(loops)
                    }
                    _ => None,
                };
                for (key, value) in map {
                    if key == "copy" && property_loops.is_some() {
                        continue;
                    }
                    out.insert(
                        key.clone(),
                        self.eval_json(context, value, &format!("{pointer}/{}", escape(key)), env)?,
                    );
                }
                for (i, copy) in property_loops.into_iter().flatten().enumerate() {
                    let loop_pointer = format!("{pointer}/copy/{i}");
                    let name = copy.get("name").and_then(Json::as_str).unwrap_or_default();
                    let count = self.copy_count(context, copy, &loop_pointer, env)?;
                    let mut items = Vec::new();
                    for index in 0..count {
                        let loop_env = env.with_copy(name, index, false);
                        items.push(self.eval_json(
                            context,
                            &copy["input"],
                            &format!("{loop_pointer}/input"),
                            &loop_env,
                        )?);
                    }
                    out.insert(name.to_string(), Value::Array(items));
                }
                Ok(Value::Object(out))
            }
            other => Ok(Value::from_json(other)),
        }
    }

    fn eval_expr(&self, context: &Deployment<'t>, expr: &Expr, env: &Env) -> Eval<Value> {
        match expr {
            Expr::String(s) => Ok(Value::String(s.clone())),
            Expr::Int(i) => Ok(Value::Int(*i)),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Null => Ok(Value::Null),
            Expr::Property { .. } | Expr::Index { .. } if variable_path(expr).is_some() => {
                self.variable_member(context, expr, env)
            }
            Expr::Property { target, name } => {
                let value = self.eval_expr(context, target, env)?;
                Ok(property(&value, name)?)
            }
            Expr::Index { target, index } => {
                let value = self.eval_expr(context, target, env)?;
                let index = self.eval_expr(context, index, env)?;
                Ok(element(&value, &index)?)
            }
            Expr::Call { name, args } => self.call(context, name, args, env),
        }
    }

    /// `variables('v')[i].name` and the like, read in place: copy loops index one large variable
    /// array per iteration, and cloning the whole array for each made 10k resources take 30 s.
    fn variable_member(&self, context: &Deployment<'t>, expr: &Expr, env: &Env) -> Eval<Value> {
        let (variable, path) = variable_path(expr).expect("checked by the caller");
        // Keys first: an index expression may itself read a variable not yet evaluated.
        let mut keys = Vec::with_capacity(path.len());
        for step in &path {
            keys.push(match step {
                Access::Name(name) => Key::Name(name),
                Access::Index(index) => Key::Index(self.eval_expr(context, index, env)?),
            });
        }
        self.with_variable(context, variable, |root| {
            // Walk by reference; only the member reached is cloned.
            let mut current = Cow::Borrowed(root);
            for key in keys {
                let step = |v| match &key {
                    Key::Name(name) => property_ref(v, name),
                    Key::Index(index) => element_ref(v, index),
                };
                current = match current {
                    Cow::Borrowed(v) => step(v)?,
                    Cow::Owned(v) => Cow::Owned(step(&v)?.into_owned()),
                };
            }
            Ok(current.into_owned())
        })
    }

    /// Reads a variable in place, evaluating it first if it has not been.
    fn with_variable<R>(&self, context: &Deployment<'t>, name: &str, read: impl FnOnce(&Value) -> Eval<R>) -> Eval<R> {
        if !matches!(context.variables.borrow().get(&name.to_ascii_lowercase()), Some(Slot::Done(_))) {
            self.variable(context, name)?;
        }
        let variables = context.variables.borrow();
        let Some(Slot::Done(value)) = variables.get(&name.to_ascii_lowercase()) else {
            unreachable!("the variable was just evaluated")
        };
        read(value)
    }

    fn eval_args(&self, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Vec<Value>> {
        args.iter().map(|a| self.eval_expr(context, a, env)).collect()
    }

    fn call(&self, context: &Deployment<'t>, name: &str, args: &[Expr], env: &Env) -> Eval<Value> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            // `length(variables('v'))`, every copy loop's count: measured in place, not on a clone.
            "length" if bare_variable(args).is_some() => {
                let variable = bare_variable(args).expect("matched above");
                self.with_variable(context, variable, |value| {
                    Ok(functions::call_pure("length", std::slice::from_ref(value)).expect("length is a built-in")?)
                })
            }
            "if" => {
                if args.len() != 3 {
                    return Err(format!("the function 'if' takes 3 arguments, got {}", args.len()).into());
                }
                match self.eval_expr(context, &args[0], env)? {
                    Value::Bool(true) => self.eval_expr(context, &args[1], env),
                    Value::Bool(false) => self.eval_expr(context, &args[2], env),
                    Value::Unknown(u) => Ok(Value::Unknown(u)),
                    other => Err(functions_type_error("if", "a bool condition", &other).into()),
                }
            }
            "and" | "or" => {
                if args.len() < 2 {
                    return Err(format!("the function '{lower}' takes at least 2 arguments, got {}", args.len()).into());
                }
                let deciding = lower == "or";
                let mut unknown = None;
                for arg in args {
                    match self.eval_expr(context, arg, env)? {
                        Value::Bool(b) if b == deciding => return Ok(Value::Bool(deciding)),
                        Value::Bool(_) => {}
                        Value::Unknown(u) => unknown = unknown.or(Some(u)),
                        other => return Err(functions_type_error(&lower, "bool arguments", &other).into()),
                    }
                }
                Ok(unknown.map(Value::Unknown).unwrap_or(Value::Bool(!deciding)))
            }
            "coalesce" => {
                for arg in args {
                    match self.eval_expr(context, arg, env)? {
                        Value::Null => continue,
                        other => return Ok(other),
                    }
                }
                Ok(Value::Null)
            }
            "lambda" => Err("lambda() can only be an argument of map, filter, reduce, sort, toObject or mapValues"
                .to_string()
                .into()),
            "map" | "filter" | "sort" | "reduce" | "toobject" | "mapvalues" | "groupby" => {
                self.call_with_lambda(context, &lower, args, env)
            }
            "lambdavariables" => {
                let args = self.eval_args(context, args, env)?;
                arity("lambdaVariables", &args, 1, 1)?;
                let wanted = str_arg("lambdaVariables", &args, 0)?;
                env.lambdas
                    .iter()
                    .rev()
                    .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("there is no lambda variable '{wanted}' here").into())
            }
            "parameters" => {
                let args = self.eval_args(context, args, env)?;
                arity("parameters", &args, 1, 1)?;
                if let Value::Unknown(u) = &args[0] {
                    return Ok(Value::Unknown(u.clone()));
                }
                let wanted = str_arg("parameters", &args, 0)?;
                if let Some(function_parameters) = &env.function_parameters {
                    return function_parameters
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| format!("the function has no parameter '{wanted}'").into());
                }
                self.parameter(context, wanted)
            }
            "variables" => {
                let args = self.eval_args(context, args, env)?;
                arity("variables", &args, 1, 1)?;
                if let Value::Unknown(u) = &args[0] {
                    return Ok(Value::Unknown(u.clone()));
                }
                let wanted = str_arg("variables", &args, 0)?.to_string();
                self.variable(context, &wanted)
            }
            "copyindex" => {
                let args = self.eval_args(context, args, env)?;
                arity("copyIndex", &args, 0, 2)?;
                let (loop_name, offset) = match args.as_slice() {
                    [] => (String::new(), 0),
                    [Value::Int(offset)] => (String::new(), *offset),
                    [Value::String(name)] => (name.to_ascii_lowercase(), 0),
                    [Value::String(name), Value::Int(offset)] => (name.to_ascii_lowercase(), *offset),
                    _ => {
                        return Err("copyIndex() takes an optional loop name and an optional integer offset"
                            .to_string()
                            .into())
                    }
                };
                let found = env.copies.iter().rev().find(|(n, _)| *n == loop_name);
                match found {
                    Some((_, index)) => Ok(Value::Int(index + offset)),
                    None if loop_name.is_empty() => Err("copyIndex() is used outside a copy loop".to_string().into()),
                    None => Err(format!("copyIndex('{loop_name}') is used outside the copy loop '{loop_name}'").into()),
                }
            }
            "resourcegroup" => {
                let args = self.eval_args(context, args, env)?;
                arity("resourceGroup", &args, 0, 0)?;
                resource_group_object(&context.scope).map_err(Failure::from)
            }
            "subscription" => {
                let args = self.eval_args(context, args, env)?;
                arity("subscription", &args, 0, 0)?;
                let scope = &context.scope;
                let mut object = Object::new();
                object.insert("id", Value::from(scope.subscription_resource_id()));
                object.insert("subscriptionId", Value::from(scope.subscription_id.as_str()));
                object.insert("tenantId", Value::from(scope.tenant_id.as_str()));
                object.insert("displayName", Value::from(scope.subscription_display_name.as_str()));
                Ok(Value::Object(object))
            }
            "tenant" => {
                let args = self.eval_args(context, args, env)?;
                arity("tenant", &args, 0, 0)?;
                let mut object = Object::new();
                object.insert("tenantId", Value::from(context.scope.tenant_id.as_str()));
                object.insert("countryCode", Value::unknown("tenant().countryCode is only known at deploy time"));
                object.insert("displayName", Value::unknown("tenant().displayName is only known at deploy time"));
                Ok(Value::Object(object))
            }
            "deployer" => {
                let args = self.eval_args(context, args, env)?;
                arity("deployer", &args, 0, 0)?;
                Ok(deployer_object(&context.scope))
            }
            "managementgroup" => match &context.scope.management_group {
                Some(mg) => {
                    let mut object = Object::new();
                    object.insert("id", Value::from(format!("/providers/Microsoft.Management/managementGroups/{mg}")));
                    object.insert("name", Value::from(mg.as_str()));
                    object.insert("type", Value::from("Microsoft.Management/managementGroups"));
                    object.runtime_extensible =
                        Some("managementGroup() properties are only known at deploy time".into());
                    Ok(Value::Object(object))
                }
                None => Err("managementGroup() is only available in management group deployments".to_string().into()),
            },
            "deployment" => {
                let args = self.eval_args(context, args, env)?;
                arity("deployment", &args, 0, 0)?;
                Ok(deployment_object(context))
            }
            "environment" => {
                let args = self.eval_args(context, args, env)?;
                arity("environment", &args, 0, 0)?;
                Ok(Value::from_json(&public_cloud_environment()))
            }
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "extensionresourceid"
            | "managementgroupresourceid" => {
                let args = self.eval_args(context, args, env)?;
                if let Some(u) =
                    args.iter().find_map(|a| if let Value::Unknown(u) = a { Some(u.clone()) } else { None })
                {
                    return Ok(Value::Unknown(u));
                }
                Ok(resource_id_function(&lower, &args, &context.scope)?)
            }
            "reference" => {
                let args = self.eval_args(context, args, env)?;
                arity("reference", &args, 1, 3)?;
                if let Value::Unknown(u) = &args[0] {
                    return Ok(Value::Unknown(u.clone()));
                }
                let target = str_arg("reference", &args, 0)?.to_string();
                let full = args.get(2).and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("full"));
                self.reference(context, &target, full)
            }
            "references" => {
                let args = self.eval_args(context, args, env)?;
                arity("references", &args, 1, 2)?;
                if let Some(u) = args.iter().find(|a| a.is_unknown()) {
                    return Ok(u.clone());
                }
                let collection = str_arg("references", &args, 0)?.to_string();
                let full = match args.get(1).map(|_| str_arg("references", &args, 1)).transpose()? {
                    None => false,
                    Some(f) if f.eq_ignore_ascii_case("full") => true,
                    Some(f) if f.eq_ignore_ascii_case("properties") => false,
                    Some(other) => {
                        return Err(format!(
                            "the function 'references' takes 'Full' or 'Properties' as argument 2, got '{other}'"
                        )
                        .into())
                    }
                };
                self.references(context, &collection, full)
            }
            "utcnow" => {
                let args = self.eval_args(context, args, env)?;
                Ok(functions::utc_now(&self.options.utc_now, &args)?)
            }
            "newguid" => {
                let args = self.eval_args(context, args, env)?;
                arity("newGuid", &args, 0, 0)?;
                let counter = self.guid_counter.get();
                self.guid_counter.set(counter + 1);
                Ok(Value::String(functions::arm_guid(&format!("{}-newGuid-{counter}", self.options.new_guid_seed))))
            }
            "pickzones" => {
                let args = self.eval_args(context, args, env)?;
                arity("pickZones", &args, 3, 5)?;
                // The twin does not know which regions have availability zones; it answers as for one that does.
                let count = args.get(3).and_then(|v| if let Value::Int(i) = v { Some(*i) } else { None }).unwrap_or(1);
                let offset = args.get(4).and_then(|v| if let Value::Int(i) = v { Some(*i) } else { None }).unwrap_or(0);
                Ok(Value::Array(
                    (1..=3)
                        .skip(offset.max(0) as usize)
                        .take(count.max(0) as usize)
                        .map(|z: i64| Value::from(z.to_string()))
                        .collect(),
                ))
            }
            _ if lower.starts_with("list") => {
                let args = self.eval_args(context, args, env)?;
                let target = args.first().map(|a| a.to_arm_string()).unwrap_or_default();
                Ok(Value::unknown(format!("{name}({target}) is only known at deploy time")))
            }
            _ if lower.contains('.') => self.call_user_function(context, name, &lower, args, env),
            _ => {
                let values = self.eval_args(context, args, env)?;
                match functions::call_pure(&lower, &values) {
                    // Built-ins are looked up lower-cased; messages should use the template's spelling.
                    Some(result) => {
                        result.map_err(|m| Failure::Here(m.replacen(&format!("'{lower}'"), &format!("'{name}'"), 1)))
                    }
                    None => {
                        Err(format!("the function '{name}' is not supported by the twin's template evaluator").into())
                    }
                }
            }
        }
    }

    fn call_user_function(
        &self,
        context: &Deployment<'t>,
        name: &str,
        lower: &str,
        args: &[Expr],
        env: &Env,
    ) -> Eval<Value> {
        let Some((definition, pointer)) = context.functions.get(lower) else {
            return Err(
                format!("the user-defined function '{name}' is not declared in the template's `functions`").into()
            );
        };
        let values = self.eval_args(context, args, env)?;
        let declared = definition.get("parameters").and_then(Json::as_array).cloned().unwrap_or_default();
        if declared.len() != values.len() {
            return Err(
                format!("the function '{name}' takes {} arguments, got {}", declared.len(), values.len()).into()
            );
        }
        let parameters: Vec<(String, Value)> = declared
            .iter()
            .zip(values)
            .map(|(d, v)| (d.get("name").and_then(Json::as_str).unwrap_or_default().to_string(), v))
            .collect();
        let function_env =
            Env { copies: Vec::new(), lambdas: Vec::new(), function_parameters: Some(Rc::new(parameters)) };
        let output = definition.get("output").and_then(|o| o.get("value")).unwrap_or(&Json::Null);
        Ok(self.eval_json(context, output, &format!("{pointer}/output/value"), &function_env)?)
    }

    fn call_with_lambda(&self, context: &Deployment<'t>, name: &str, args: &[Expr], env: &Env) -> Eval<Value> {
        let lambda = |expr: &Expr| -> Eval<(Vec<String>, Expr)> {
            match expr {
                Expr::Call { name, args } if name.eq_ignore_ascii_case("lambda") && !args.is_empty() => {
                    let mut names = Vec::new();
                    for arg in &args[..args.len() - 1] {
                        match arg {
                            Expr::String(s) => names.push(s.clone()),
                            _ => return Err("lambda() parameter names must be string literals".to_string().into()),
                        }
                    }
                    Ok((names, args[args.len() - 1].clone()))
                }
                _ => Err("expected a lambda(...) argument".to_string().into()),
            }
        };
        let apply = |(names, body): &(Vec<String>, Expr), values: Vec<Value>| -> Eval<Value> {
            let mut inner = env.clone();
            for (n, v) in names.iter().zip(values) {
                inner.lambdas.push((n.clone(), v));
            }
            self.eval_expr(context, body, &inner)
        };
        let expected = match name {
            "reduce" => 3,
            "toobject" => 2,
            _ => 2,
        };
        if args.len() < expected || args.len() > expected + usize::from(name == "toobject") {
            return Err(format!("the function '{name}' takes {expected} arguments, got {}", args.len()).into());
        }
        let collection = self.eval_expr(context, &args[0], env)?;
        if let Value::Unknown(u) = &collection {
            return Ok(Value::Unknown(u.clone()));
        }
        if name == "mapvalues" {
            let Value::Object(object) = collection else {
                return Err(functions_type_error(name, "an object", &collection).into());
            };
            let function = lambda(&args[1])?;
            let mut out = Object::new();
            for (k, v) in object.entries {
                out.insert(k, apply(&function, vec![v])?);
            }
            return Ok(Value::Object(out));
        }
        let items = match collection {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => return Err(functions_type_error(name, "an array", &other).into()),
        };
        match name {
            "map" => {
                let function = lambda(&args[1])?;
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    out.push(apply(&function, vec![item, Value::Int(i as i64)])?);
                }
                Ok(Value::Array(out))
            }
            "filter" => {
                let function = lambda(&args[1])?;
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    match apply(&function, vec![item.clone(), Value::Int(i as i64)])? {
                        Value::Bool(true) => out.push(item),
                        Value::Bool(false) => {}
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        other => return Err(functions_type_error("filter", "a lambda returning bool", &other).into()),
                    }
                }
                Ok(Value::Array(out))
            }
            "sort" => {
                let function = lambda(&args[1])?;
                let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
                // Insertion sort keeps the comparator's errors and unknowns reportable and the order stable.
                for item in items {
                    let mut position = sorted.len();
                    for (i, existing) in sorted.iter().enumerate() {
                        match apply(&function, vec![item.clone(), existing.clone()])? {
                            Value::Bool(true) => {
                                position = i;
                                break;
                            }
                            Value::Bool(false) => {}
                            Value::Unknown(u) => return Ok(Value::Unknown(u)),
                            other => return Err(functions_type_error("sort", "a lambda returning bool", &other).into()),
                        }
                    }
                    sorted.insert(position, item);
                }
                Ok(Value::Array(sorted))
            }
            "reduce" => {
                let mut accumulator = self.eval_expr(context, &args[1], env)?;
                let function = lambda(&args[2])?;
                for (i, item) in items.into_iter().enumerate() {
                    accumulator = apply(&function, vec![accumulator, item, Value::Int(i as i64)])?;
                }
                Ok(accumulator)
            }
            "toobject" => {
                let key_function = lambda(&args[1])?;
                let value_function = args.get(2).map(&lambda).transpose()?;
                let mut out = Object::new();
                for item in items {
                    let key = match apply(&key_function, vec![item.clone()])? {
                        Value::String(k) => k,
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        other => {
                            return Err(
                                functions_type_error("toObject", "a key lambda returning a string", &other).into()
                            )
                        }
                    };
                    let value = match &value_function {
                        Some(f) => apply(f, vec![item])?,
                        None => item,
                    };
                    out.insert(key, value);
                }
                Ok(Value::Object(out))
            }
            "groupby" => {
                let function = lambda(&args[1])?;
                let mut out = Object::new();
                for item in items {
                    let key = match apply(&function, vec![item.clone()])? {
                        Value::String(k) => k,
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        other => {
                            return Err(
                                functions_type_error("groupBy", "a key lambda returning a string", &other).into()
                            )
                        }
                    };
                    let mut group = out.get(&key).and_then(Value::as_array).cloned().unwrap_or_default();
                    group.push(item);
                    out.insert(key, Value::Array(group));
                }
                Ok(Value::Object(out))
            }
            _ => Err(format!("the function '{name}' is not supported").into()),
        }
    }

    fn parameter(&self, context: &Deployment<'t>, wanted: &str) -> Eval<Value> {
        let key = wanted.to_ascii_lowercase();
        let pending = match context.parameters.borrow().get(&key) {
            None => return Err(format!("the template has no parameter '{wanted}'").into()),
            Some(Slot::Done(value)) => return Ok(value.clone()),
            Some(Slot::Evaluating) => {
                return Err(format!("the default of parameter '{wanted}' refers to itself").into())
            }
            Some(Slot::Pending { json, pointer, .. }) => (*json, pointer.clone()),
        };
        context.parameters.borrow_mut().insert(key.clone(), Slot::Evaluating);
        let result = self.eval_json(context, pending.0, &pending.1, &Env::default());
        let value = match result {
            Ok(value) => value,
            Err(error) => {
                context
                    .parameters
                    .borrow_mut()
                    .insert(key, Slot::Pending { json: pending.0, pointer: pending.1, copy: false });
                return Err(error.into());
            }
        };
        context.parameters.borrow_mut().insert(key, Slot::Done(value.clone()));
        Ok(value)
    }

    fn variable(&self, context: &Deployment<'t>, wanted: &str) -> Eval<Value> {
        let key = wanted.to_ascii_lowercase();
        let (json, pointer, copy) = match context.variables.borrow().get(&key) {
            None => return Err(format!("the template has no variable '{wanted}'").into()),
            Some(Slot::Done(value)) => return Ok(value.clone()),
            Some(Slot::Evaluating) => return Err(format!("the variable '{wanted}' refers to itself").into()),
            Some(Slot::Pending { json, pointer, copy }) => (*json, pointer.clone(), *copy),
        };
        context.variables.borrow_mut().insert(key.clone(), Slot::Evaluating);
        let result = if copy {
            self.copy_count(context, json, &pointer, &Env::default()).and_then(|count| {
                let mut items = Vec::new();
                for i in 0..count {
                    let env = Env::default().with_copy(wanted, i, false);
                    items.push(self.eval_json(context, &json["input"], &format!("{pointer}/input"), &env)?);
                }
                Ok(Value::Array(items))
            })
        } else {
            self.eval_json(context, json, &pointer, &Env::default())
        };
        match result {
            Ok(value) => {
                context.variables.borrow_mut().insert(key, Slot::Done(value.clone()));
                Ok(value)
            }
            Err(error) => {
                context.variables.borrow_mut().insert(key, Slot::Pending { json, pointer, copy });
                Err(error.into())
            }
        }
    }

    /// `reference()`: the properties (or with `'Full'` the whole document) of a resource this
    /// deployment creates or the caller provided; otherwise unknown.
    fn reference(&self, context: &Deployment<'t>, target: &str, full: bool) -> Eval<Value> {
        let instance = self.find_instance(context, target);
        let runtime_reason = format!("a runtime property of '{target}' is only known at deploy time");
        let document: Option<Value> = match &instance {
            Some(instance) if instance.existing => self.existing_document(instance.id.as_str().unwrap_or(target)),
            Some(instance) => {
                if instance.state.borrow().is_evaluating() {
                    return Ok(Value::unknown(format!("reference('{target}') is part of a reference cycle")));
                }
                let document = self.evaluate_instance(instance)?.document.clone();
                Some(Value::Object(with_network_sub_resource_ids(document, &instance.full_type)))
            }
            None => self.existing_document(target),
        };
        let Some(document) = document else {
            return Ok(Value::unknown(format!(
                "reference('{target}') is to a resource outside this deployment: only known at deploy time"
            )));
        };
        let value = if full {
            document
        } else {
            match &document {
                Value::Object(o) => o.get("properties").cloned().unwrap_or(Value::Object(Object::new())),
                other => other.clone(),
            }
        };
        Ok(mark_runtime(value, &runtime_reason))
    }

    /// `references(collection)`: `reference()` of each deployed member of a symbolic-name copy loop, in
    /// copy-index order; members whose condition is false are left out (learn.microsoft.com
    /// "template-functions-resource#references").
    fn references(&self, context: &Deployment<'t>, collection: &str, full: bool) -> Eval<Value> {
        let Some(Json::Object(resources)) = context.template.get("resources") else {
            return Err(
                "the function 'references' needs a template with symbolic resource names (languageVersion 2.0)"
                    .to_string()
                    .into(),
            );
        };
        let declared = resources.iter().find(|(name, _)| name.eq_ignore_ascii_case(collection));
        match declared {
            None => {
                return Err(format!("the function 'references' found no resource collection '{collection}'").into())
            }
            Some((name, resource)) if resource.get("copy").is_none() => {
                return Err(format!(
                    "the function 'references' takes a resource collection (a copy loop), and '{name}' is a single resource"
                )
                .into())
            }
            Some(_) => {}
        }
        let members: Vec<String> = self
            .instances
            .borrow()
            .iter()
            .filter(|i| self.in_context(context, i))
            .filter(|i| i.symbolic_loop.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(collection)))
            .filter_map(|i| i.symbolic.clone())
            .collect();
        let mut documents = Vec::with_capacity(members.len());
        for member in members {
            documents.push(self.reference(context, &member, full)?);
        }
        Ok(Value::Array(documents))
    }

    fn existing_document(&self, id: &str) -> Option<Value> {
        self.options.existing.get(&id.to_ascii_lowercase()).map(Value::from_json)
    }

    /// Whether expressions evaluated in `context` see `instance` by its name or symbolic name.
    fn in_context(&self, context: &Deployment<'t>, instance: &Instance<'t>) -> bool {
        let deployment = self.deployment(instance.deployment);
        deployment.context == context.context || instance.deployment == context.context
    }

    fn find_instance(&self, context: &Deployment<'t>, target: &str) -> Option<Rc<Instance<'t>>> {
        let instances = self.instances.borrow();
        let in_context = |i: &Instance<'t>| self.in_context(context, i);
        if let Some(found) = instances
            .iter()
            .find(|i| in_context(i) && i.symbolic.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(target)))
        {
            return Some(found.clone());
        }
        if target.starts_with('/') {
            return instances.iter().find(|i| i.id.as_str().is_some_and(|id| id.eq_ignore_ascii_case(target))).cloned();
        }
        instances
            .iter()
            .find(|i| in_context(i) && i.full_name.as_str().is_some_and(|n| n.eq_ignore_ascii_case(target)))
            .cloned()
    }

    /// Reads every resource's `dependsOn` and warns about cycles (Azure rejects such templates).
    fn report_dependency_cycles(&self) {
        let instances = self.instances.borrow().clone();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); instances.len()];
        // (deployment, lower-cased name a dependsOn entry may use) → instances: comparing every
        // entry with every instance was quadratic in a landing zone's thousands of resources.
        let mut named: HashMap<(usize, String), BTreeSet<usize>> = HashMap::new();
        for (index, other) in instances.iter().enumerate() {
            let mut names: Vec<String> = Vec::new();
            names.extend(other.symbolic_loop.clone());
            names.extend(other.symbolic.clone());
            names.extend(other.id.as_str().map(str::to_string));
            if let Some(n) = other.full_name.as_str() {
                names.push(n.to_string());
                names.push(format!("{}/{n}", other.full_type));
            }
            for name in names {
                named.entry((other.deployment, name.to_ascii_lowercase())).or_default().insert(index);
            }
        }
        for (index, instance) in instances.iter().enumerate() {
            let Some(Json::Array(depends_on)) = instance.json.get("dependsOn") else { continue };
            let context = self.deployment(self.deployment(instance.deployment).context);
            for (i, entry) in depends_on.iter().enumerate() {
                let pointer = format!("{}/dependsOn/{i}", instance.pointer);
                let Ok(Value::String(target)) = self.eval_json(&context, entry, &pointer, &instance.env) else {
                    continue;
                };
                if let Some(others) = named.get(&(instance.deployment, target.to_ascii_lowercase())) {
                    edges[index].extend(others.iter().copied());
                }
            }
        }
        let mut state = vec![0u8; instances.len()];
        let mut stack = Vec::new();
        for start in 0..instances.len() {
            if let Some(cycle) = find_cycle(start, &edges, &mut state, &mut stack) {
                let names: Vec<String> = cycle.iter().map(|i| instances[*i].pointer.clone()).collect();
                self.warn(format!("dependsOn cycle: {}", names.join(" -> ")));
            }
        }
    }
}

impl InstanceState {
    fn is_evaluating(&self) -> bool {
        matches!(self, InstanceState::Evaluating)
    }
}

fn find_cycle(node: usize, edges: &[Vec<usize>], state: &mut [u8], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
    match state[node] {
        2 => return None,
        1 => {
            let start = stack.iter().position(|n| *n == node).unwrap_or(0);
            let mut cycle = stack[start..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        _ => {}
    }
    state[node] = 1;
    stack.push(node);
    for next in &edges[node] {
        if let Some(cycle) = find_cycle(*next, edges, state, stack) {
            state[node] = 2;
            stack.pop();
            return Some(cycle);
        }
    }
    stack.pop();
    state[node] = 2;
    None
}

fn functions_type_error(name: &str, expected: &str, got: &Value) -> String {
    functions::type_error(name, expected, got)
}

/// Whether an undeclared value of a parameter is null (lv2 `nullable`, directly or via its `$ref`).
fn is_nullable(template: &Json, declaration: &Json) -> bool {
    if declaration.get("nullable").and_then(Json::as_bool) == Some(true) {
        return true;
    }
    let Some(reference) = declaration.get("$ref").and_then(Json::as_str) else { return false };
    let Some(path) = reference.strip_prefix('#') else { return false };
    template.pointer(path).and_then(|d| d.get("nullable")).and_then(Json::as_bool) == Some(true)
}

/// Azure gives each named element of a Microsoft.Network resource's top-level property arrays
/// (subnets, securityRules, ipConfigurations, …) the id `{resource id}/{property}/{name}`; templates
/// read them back with `reference(...).subnets[0].id`.
fn with_network_sub_resource_ids(mut document: Object, full_type: &str) -> Object {
    let Some(Value::String(id)) = document.get("id").cloned() else { return document };
    if !full_type.to_ascii_lowercase().starts_with("microsoft.network/") {
        return document;
    }
    if let Some(Value::Object(mut properties)) = document.get("properties").cloned() {
        for (key, value) in properties.entries.iter_mut() {
            if let Value::Array(items) = value {
                for item in items.iter_mut() {
                    if let Value::Object(element) = item {
                        if let (Some(Value::String(name)), false) =
                            (element.get("name").cloned(), element.contains_key("id"))
                        {
                            element.entries.insert(0, ("id".to_string(), Value::String(format!("{id}/{key}/{name}"))));
                        }
                    }
                }
            }
        }
        document.insert("properties", Value::Object(properties));
    }
    document
}

/// Marks objects from `reference()` so that properties Azure adds at runtime read as unknown.
fn mark_runtime(value: Value, reason: &str) -> Value {
    match value {
        Value::Object(mut object) => {
            object.entries = object.entries.into_iter().map(|(k, v)| (k, mark_runtime(v, reason))).collect();
            object.runtime_extensible = Some(reason.to_string());
            Value::Object(object)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| mark_runtime(v, reason)).collect()),
        other => other,
    }
}

/// One step of a member access: `.name` or `[index]`.
enum Access<'e> {
    Name(&'e str),
    Index(&'e Expr),
}

/// A step with its index evaluated.
enum Key<'e> {
    Name(&'e str),
    Index(Value),
}

/// `variables('literal')` as a call's only argument: the variable's name.
fn bare_variable(args: &[Expr]) -> Option<&str> {
    match args {
        [Expr::Call { name, args }] if name.eq_ignore_ascii_case("variables") => match args.as_slice() {
            [Expr::String(variable)] => Some(variable),
            _ => None,
        },
        _ => None,
    }
}

/// `variables('literal')` followed by property and index steps: the variable's name and the steps
/// in order; `None` for any other expression.
fn variable_path(expr: &Expr) -> Option<(&str, Vec<Access<'_>>)> {
    let mut steps = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Property { target, name } => {
                steps.push(Access::Name(name));
                current = target;
            }
            Expr::Index { target, index } => {
                steps.push(Access::Index(index));
                current = target;
            }
            Expr::Call { name, args } if name.eq_ignore_ascii_case("variables") && !steps.is_empty() => {
                let [Expr::String(variable)] = args.as_slice() else { return None };
                steps.reverse();
                return Some((variable, steps));
            }
            _ => return None,
        }
    }
}

fn property(value: &Value, name: &str) -> Result<Value, String> {
    property_ref(value, name).map(Cow::into_owned)
}

fn element(value: &Value, index: &Value) -> Result<Value, String> {
    element_ref(value, index).map(Cow::into_owned)
}

/// `value.name`, borrowed when it is there to borrow.
fn property_ref<'v>(value: &'v Value, name: &str) -> Result<Cow<'v, Value>, String> {
    match value {
        Value::Object(object) => match (object.get(name), &object.runtime_extensible) {
            (Some(v), _) => Ok(Cow::Borrowed(v)),
            (None, Some(reason)) => Ok(Cow::Owned(Value::unknown(reason.clone()))),
            (None, None) => {
                let available: Vec<&str> = object.keys().map(String::as_str).collect();
                Err(format!("the object has no property '{name}' (it has: {})", available.join(", ")))
            }
        },
        Value::Unknown(u) => Ok(Cow::Owned(Value::Unknown(u.clone()))),
        other => Err(format!("cannot read property '{name}' of {} {}", other.type_name(), functions::brief(other))),
    }
}

/// `value[index]`, borrowed when it is there to borrow.
fn element_ref<'v>(value: &'v Value, index: &Value) -> Result<Cow<'v, Value>, String> {
    match (value, index) {
        (Value::Unknown(u), _) | (_, Value::Unknown(u)) => Ok(Cow::Owned(Value::Unknown(u.clone()))),
        (Value::Array(items), Value::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| items.get(i))
            .map(Cow::Borrowed)
            .ok_or_else(|| format!("index {i} is out of range for an array of {} items", items.len())),
        (Value::Object(_), Value::String(key)) => property_ref(value, key),
        (Value::String(s), Value::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| s.chars().nth(i))
            .map(|c| Cow::Owned(Value::String(c.to_string())))
            .ok_or_else(|| format!("index {i} is out of range for a string of length {}", s.chars().count())),
        (target, index) => Err(format!("cannot index {} with {}", target.type_name(), index.type_name())),
    }
}

/// The full type and name of a (possibly nested child) resource.
fn qualify(parent: Option<(&str, &Value)>, resource_type: &str, name: &Value) -> (String, Value) {
    let Some((parent_type, parent_name)) = parent else {
        return (resource_type.to_string(), name.clone());
    };
    let full_type =
        if resource_type.contains('/') { resource_type.to_string() } else { format!("{parent_type}/{resource_type}") };
    let needed = full_type.split('/').count() - 1;
    let full_name = match (parent_name, name) {
        (_, Value::Unknown(u)) | (Value::Unknown(u), _) => Value::Unknown(u.clone()),
        (Value::String(p), Value::String(n)) if n.split('/').count() < needed => Value::String(format!("{p}/{n}")),
        _ => name.clone(),
    };
    (full_type, full_name)
}

fn last_segment(name: &Value) -> Value {
    match name {
        Value::String(n) => Value::String(n.rsplit('/').next().unwrap_or(n).to_string()),
        other => other.clone(),
    }
}

/// `{prefix}/providers/{namespace}/{type1}/{name1}/{type2}/{name2}…`
pub(crate) fn build_resource_id(prefix: &str, full_type: &str, full_name: &str) -> Result<String, String> {
    // Resource groups are the one type whose id has no `/providers/` segment.
    if full_type.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") && !full_name.contains('/') {
        let subscription = prefix.split("/resourceGroups/").next().unwrap_or(prefix);
        return Ok(format!("{subscription}/resourceGroups/{full_name}"));
    }
    let types: Vec<&str> = full_type.split('/').collect();
    let names: Vec<&str> = full_name.split('/').collect();
    if types.len() < 2 || names.len() != types.len() - 1 {
        return Err(format!(
            "the resource name '{full_name}' has {} segment(s) but the type '{full_type}' needs {}",
            names.len(),
            types.len().saturating_sub(1)
        ));
    }
    let mut id = format!("{prefix}/providers/{}", types[0]);
    for (t, n) in types[1..].iter().zip(&names) {
        id.push_str(&format!("/{t}/{n}"));
    }
    Ok(id)
}

fn resource_id_segments(function: &str, args: &[Value]) -> Result<(String, String), String> {
    let strings: Vec<String> = args
        .iter()
        .map(|a| match a {
            Value::String(s) => Ok(s.clone()),
            other => Err(functions_type_error(function, "string arguments", other)),
        })
        .collect::<Result<_, _>>()?;
    let Some(resource_type) = strings.first() else {
        return Err(format!("the function '{function}' needs a resource type and names"));
    };
    let names = strings[1..].join("/");
    Ok((resource_type.clone(), names))
}

/// `resourceId`, `subscriptionResourceId`, `tenantResourceId`, `extensionResourceId`,
/// `managementGroupResourceId` (learn.microsoft.com "template-functions-resource").
fn resource_id_function(function: &str, args: &[Value], scope: &DeploymentScope) -> FunctionResult {
    let display = match function {
        "resourceid" => "resourceId",
        "subscriptionresourceid" => "subscriptionResourceId",
        "tenantresourceid" => "tenantResourceId",
        "extensionresourceid" => "extensionResourceId",
        _ => "managementGroupResourceId",
    };
    arity(display, args, 2, usize::MAX)?;
    // The first argument containing '/' is the resource type; arguments before it are scope.
    let type_index = args
        .iter()
        .position(|a| a.as_str().is_some_and(|s| s.contains('/')) && !a.as_str().is_some_and(|s| s.starts_with('/')))
        .ok_or_else(|| {
            format!("the function '{display}' needs a resource type such as 'Microsoft.Network/virtualNetworks'")
        })?;
    let (leading, rest) = args.split_at(type_index);
    let (resource_type, names) = resource_id_segments(display, rest)?;
    let leading: Vec<&str> = leading.iter().map(|a| a.as_str().unwrap_or_default()).collect();
    let prefix = match (function, leading.as_slice()) {
        ("resourceid", []) => scope.resource_id_prefix(),
        ("resourceid", [group]) => format!("/subscriptions/{}/resourceGroups/{group}", scope.subscription_id),
        ("resourceid", [subscription, group]) => format!("/subscriptions/{subscription}/resourceGroups/{group}"),
        ("subscriptionresourceid", []) => scope.subscription_resource_id(),
        ("subscriptionresourceid", [subscription]) => format!("/subscriptions/{subscription}"),
        ("tenantresourceid", []) => String::new(),
        ("extensionresourceid", [base]) => base.trim_end_matches('/').to_string(),
        ("managementgroupresourceid", []) => {
            format!(
                "/providers/Microsoft.Management/managementGroups/{}",
                scope.management_group.clone().unwrap_or_default()
            )
        }
        ("managementgroupresourceid", [group]) => format!("/providers/Microsoft.Management/managementGroups/{group}"),
        _ => {
            return Err(format!("the function '{display}' got {} argument(s) before the resource type", leading.len()))
        }
    };
    if function == "extensionresourceid" && leading.is_empty() {
        return Err("the function 'extensionResourceId' needs the id of the resource it extends first".to_string());
    }
    build_resource_id(&prefix, &resource_type, &names).map(Value::String)
}

fn resource_group_object(scope: &DeploymentScope) -> Result<Value, String> {
    let Some(group) = &scope.resource_group else {
        return Err("resourceGroup() is only available in resource group deployments".to_string());
    };
    let mut object = Object::new();
    object.insert("id", Value::from(scope.resource_group_id().unwrap_or_default()));
    object.insert("name", Value::from(group.name.as_str()));
    object.insert("type", Value::from("Microsoft.Resources/resourceGroups"));
    object.insert(
        "location",
        match &group.location {
            Some(l) => Value::from(l.as_str()),
            None => {
                Value::unknown(format!("the location of resource group '{}' is only known at deploy time", group.name))
            }
        },
    );
    object
        .insert("tags", Value::Object(group.tags.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect()));
    let mut properties = Object::new();
    properties.insert("provisioningState", Value::from("Succeeded"));
    object.insert("properties", Value::Object(properties));
    Ok(Value::Object(object))
}

/// `deployer()`: the principal running the deployment. Its object id and user principal name are only
/// known to Azure; its tenant is the one the deployment runs in (ARM takes tokens from the
/// subscription's tenant), the value `tenant()` and `subscription()` report.
fn deployer_object(scope: &DeploymentScope) -> Value {
    let mut object = Object::new();
    object.insert(
        "objectId",
        Value::unknown("deployer().objectId is the deploying principal's: only known at deploy time"),
    );
    object.insert("tenantId", Value::from(scope.tenant_id.as_str()));
    object.insert(
        "userPrincipalName",
        Value::unknown("deployer().userPrincipalName is the deploying principal's: only known at deploy time"),
    );
    Value::Object(object)
}

fn deployment_object(context: &Deployment<'_>) -> Value {
    let mut template = Object::new();
    for key in ["$schema", "contentVersion"] {
        if let Some(value) = context.template.get(key) {
            template.insert(key, Value::from_json(value));
        }
    }
    let mut properties = Object::new();
    properties.insert("template", Value::Object(template));
    properties.insert("mode", Value::from("Incremental"));
    properties.insert("provisioningState", Value::from("Accepted"));
    let mut object = Object::new();
    object.insert("name", Value::from(context.scope.deployment_name.as_str()));
    if context.scope.resource_group.is_none() {
        if let Some(location) = &context.scope.location {
            object.insert("location", Value::from(location.as_str()));
        }
    }
    object.insert("properties", Value::Object(properties));
    Value::Object(
        mark_runtime(Value::Object(object), "this deployment() property is only known at deploy time")
            .as_object()
            .cloned()
            .unwrap_or_default(),
    )
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
