//! Deployments: registering one (its parameters, variables and user functions), checking its
//! parameters as Azure does before deploying, and running it (resources, then outputs).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value as Json;

use super::{Deployment, Env, Failure, NewDeployment, Slot, World};
use crate::template::error::TemplateError;
use crate::template::functions;
use crate::template::scope::UnsetParameters;
use crate::template::value::{arm_equals, escape_pointer, Object, Value};

impl<'t> World<'t> {
    pub(super) fn warn(&self, message: String) {
        let mut warnings = self.warnings.borrow_mut();
        if !warnings.contains(&message) {
            warnings.push(message);
        }
    }

    pub(super) fn deployment(&self, index: usize) -> Rc<Deployment<'t>> {
        self.deployments.borrow()[index].clone()
    }

    /// Registers a deployment.
    pub(super) fn create_deployment(&self, new: NewDeployment<'t>) -> Result<usize, TemplateError> {
        let NewDeployment { template, pointer, scope, context, supplied, what, order } = new;
        let what = what.as_str();
        let index = self.deployments.borrow().len();
        let mut parameters = BTreeMap::new();
        // Azure lists every parameter without a value in one error, not the first one only.
        let mut unset: Vec<(String, String)> = Vec::new();
        let is_root = pointer.is_empty();
        if let Some(declared) = template.get("parameters").and_then(Json::as_object) {
            for (name, declaration) in declared {
                let key = name.to_ascii_lowercase();
                let parameter_pointer = format!("{pointer}/parameters/{}", escape_pointer(name));
                // ARM uses the default when a nested deployment passes null (Bicep's optional module parameters).
                let supplied_value =
                    supplied.get(&key).filter(|v| !(v == &&Value::Null && declaration.get("defaultValue").is_some()));
                let slot = if let Some(value) = supplied_value {
                    Slot::Done(value.clone())
                } else if let Some(default) = declaration.get("defaultValue") {
                    Slot::Pending { json: default, pointer: format!("{parameter_pointer}/defaultValue"), copy: false }
                } else if is_nullable(template, declaration) {
                    Slot::Done(Value::Null)
                } else if is_root && self.options.unset_parameters == UnsetParameters::Unknown {
                    Slot::Done(Value::unknown(format!(
                        "the parameter '{name}' has no value (--unset-parameters unknown): a pipeline supplies it at deploy time"
                    )))
                } else {
                    unset.push((name.clone(), parameter_pointer));
                    continue;
                };
                parameters.insert(key, slot);
            }
        }
        if let Some((first, first_pointer)) = unset.first() {
            let message = if unset.len() == 1 {
                format!("the parameter '{first}' of {what} has no value and no default: supply it (parameters file or override {first}=value)")
            } else {
                let names: Vec<String> = unset.iter().map(|(n, _)| format!("'{n}'")).collect();
                format!(
                    "{} parameters of {what} have no value and no default: {}; supply them (parameters file or overrides such as {first}=value)",
                    unset.len(),
                    names.join(", ")
                )
            };
            let hint = if is_root { ", or evaluate with --unset-parameters unknown" } else { "" };
            return Err(TemplateError::new(first_pointer.clone(), format!("{message}{hint}")));
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
                let slot = Slot::Pending {
                    json,
                    pointer: format!("{pointer}/variables/{}", escape_pointer(name)),
                    copy: false,
                };
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
                        functions
                            .insert(key, (member, format!("{pointer}/functions/{i}/members/{}", escape_pointer(name))));
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
            let pointer = format!("{}/parameters/{}", deployment.pointer, escape_pointer(name));
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
                // An array value is allowed when it is one of the allowed values (allowedValues of
                // arrays, as azure-quickstart-templates `oms-azure-storage-analytics-solution`
                // declares) or when each of its elements is.
                let whole_allowed = allowed.iter().any(|a| arm_equals(a, &value));
                let candidates: Vec<&Value> = match (&value, declared_type.as_str()) {
                    _ if whole_allowed => Vec::new(),
                    (Value::Array(items), "array") => items.iter().collect(),
                    (other, _) => vec![other],
                };
                // ARM compares strings without regard to case here (azure-semantics §18 quirk 6), and
                // the supplied casing is what the template then sees.
                let admits = |a: &Value, c: &Value| match (a, c) {
                    (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
                    _ => arm_equals(a, c),
                };
                if let Some(bad) = candidates.into_iter().find(|c| !allowed.iter().any(|a| admits(a, c))) {
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
    pub(super) fn run(&self, index: usize) -> Result<(), TemplateError> {
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
                    let pointer = format!("{}/resources/{}", deployment.pointer, escape_pointer(symbolic));
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
                let pointer = format!("{}/outputs/{}", deployment.pointer, escape_pointer(name));
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
