//! Resource bodies, evaluated once and on demand (so `reference()` sees them in any order), nested
//! deployments, and the `dependsOn` cycle check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::Value as Json;

use super::{Deployment, EvaluatedInstance, Instance, InstanceState, NewDeployment, World, DEPLOYMENTS_TYPE};
use crate::template::error::TemplateError;
use crate::template::value::{escape_pointer, Object, Value};

impl<'t> World<'t> {
    /// Evaluates a resource's body once; a resource being evaluated that is referenced again is a cycle.
    pub(super) fn evaluate_instance(&self, instance: &Instance<'t>) -> Result<Rc<EvaluatedInstance>, TemplateError> {
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
        // An extension resource declared the older way (`Microsoft.Network/networkSecurityGroups/
        // providers/diagnosticSettings` named `Microsoft.Insights/default`) is stored with the
        // type its id names: `Microsoft.Insights/diagnosticSettings`.
        let stored_type = instance
            .id
            .as_str()
            .filter(|_| instance.full_type.to_ascii_lowercase().contains("/providers/"))
            .and_then(|id| privlink_model::ResourceId::parse(id).ok())
            .map(|id| id.resource_type().to_string())
            .unwrap_or_else(|| instance.full_type.clone());
        document.insert("type", Value::from(stored_type.as_str()));
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
                let entry_pointer = format!("{pointer}/properties/parameters/{}", escape_pointer(name));
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

    /// Reads every resource's `dependsOn` and warns about cycles (Azure rejects such templates).
    pub(super) fn report_dependency_cycles(&self) {
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
    pub(super) fn is_evaluating(&self) -> bool {
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

fn last_segment(name: &Value) -> Value {
    match name {
        Value::String(n) => Value::String(n.rsplit('/').next().unwrap_or(n).to_string()),
        other => other.clone(),
    }
}
