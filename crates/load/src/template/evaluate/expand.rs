//! Resource expansion: condition, copy loop, type, name, target scope and id of each resource
//! declaration (and its child resources), before any body is evaluated.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use privlink_model::arm_type;
use serde_json::Value as Json;

use super::{Deployment, Env, Instance, InstanceState, World, DEPLOYMENTS_TYPE};
use crate::template::error::TemplateError;
use crate::template::scope::ResourceGroupScope;
use crate::template::value::Value;

impl<'t> World<'t> {
    pub(super) fn copy_count(
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

    pub(super) fn expand_resource(
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
        // An empty string is taken as omitted, the parent's scope (azure-semantics §18 quirk 10, whose
        // behaviour is UNVERIFIED: a modelling choice).
        let subscription =
            self.optional_string(&context, json, "subscriptionId", pointer, env)?.filter(|s| !s.trim().is_empty());
        let resource_group =
            self.optional_string(&context, json, "resourceGroup", pointer, env)?.filter(|g| !g.trim().is_empty());
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
}

/// The full type and name of a (possibly nested child) resource.
fn qualify(parent: Option<(&str, &Value)>, resource_type: &str, name: &Value) -> (String, Value) {
    let Some((parent_type, parent_name)) = parent else {
        return (resource_type.to_string(), name.clone());
    };
    // A child's type is its full type (`Microsoft.Storage/storageAccounts/blobServices`) or relative
    // to its parent, in one segment or several (`blobServices/containers`): a full type starts
    // with a namespace, which has a dot.
    let is_full = resource_type.split('/').next().is_some_and(|head| head.contains('.'));
    let full_type = if is_full { resource_type.to_string() } else { format!("{parent_type}/{resource_type}") };
    let needed = full_type.split('/').count() - 1;
    let full_name = match (parent_name, name) {
        (_, Value::Unknown(u)) | (Value::Unknown(u), _) => Value::Unknown(u.clone()),
        (Value::String(p), Value::String(n)) if n.split('/').count() < needed => Value::String(format!("{p}/{n}")),
        _ => name.clone(),
    };
    (full_type, full_name)
}

/// `{prefix}/providers/{namespace}/{type1}/{name1}/{type2}/{name2}…`
pub(super) fn build_resource_id(prefix: &str, full_type: &str, full_name: &str) -> Result<String, String> {
    // Resource groups are the one type whose id has no `/providers/` segment.
    if full_type.eq_ignore_ascii_case(arm_type::RESOURCE_GROUPS) && !full_name.contains('/') {
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
