//! What deployed resources hold: `reference()`, `references()` and the `list*()` functions
//! (learn.microsoft.com "template-functions-resource"). A resource of this deployment is read from
//! its evaluated document, one the caller provided from [`EvaluateOptions::existing`]; anything
//! else, and whatever Azure adds at runtime, is unknown.
//!
//! [`EvaluateOptions::existing`]: crate::template::EvaluateOptions::existing

use std::rc::Rc;

use privlink_model::arm_type;
use serde_json::Value as Json;

use super::{Call, Deployment, Env, Eval, World};
use crate::template::evaluate::Instance;
use crate::template::expr::Expr;
use crate::template::functions::{arity, str_arg};
use crate::template::value::{Object, Value, UNKNOWN_MARKER};

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    Some(match call.lower {
        "reference" => reference(world, context, call.args, env),
        "references" => references(world, context, call.args, env),
        lower if lower.starts_with("list") => world.eval_args(context, call.args, env).map(|args| {
            let target = args.first().map(|a| a.to_arm_string()).unwrap_or_default();
            Value::unknown(format!("{}({target}) is only known at deploy time", call.name))
        }),
        _ => return None,
    })
}

fn reference<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
    arity("reference", &args, 1, 3)?;
    if let Value::Unknown(u) = &args[0] {
        return Ok(Value::Unknown(u.clone()));
    }
    let target = str_arg("reference", &args, 0)?.to_string();
    let full = args.get(2).and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("full"));
    world.reference(context, &target, full)
}

fn references<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
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
            return Err(
                format!("the function 'references' takes 'Full' or 'Properties' as argument 2, got '{other}'").into()
            )
        }
    };
    world.references(context, &collection, full)
}

impl<'t> World<'t> {
    /// `reference()`: the properties (or with `'Full'` the whole document) of a resource this
    /// deployment creates or the caller provided; otherwise unknown.
    fn reference(&self, context: &Deployment<'t>, target: &str, full: bool) -> Eval<Value> {
        let instance = self.find_instance(context, target);
        let runtime_reason = format!("{RUNTIME_PROPERTY} '{target}' is only known at deploy time");
        let document: Option<Value> = match &instance {
            Some(instance) if instance.existing => self.existing_document(instance.id.as_str().unwrap_or(target)),
            Some(instance) => {
                if instance.state.borrow().is_evaluating() {
                    return Ok(Value::unknown(format!("reference('{target}') is part of a reference cycle")));
                }
                let document = self.evaluate_instance(instance)?.document.clone();
                let mut document = Value::Object(with_network_sub_resource_ids(document, &instance.full_type));
                if let Some(deployed) =
                    instance.id.as_str().and_then(|id| self.options.runtime.get(&id.to_ascii_lowercase()))
                {
                    fill_in(&mut document, &Value::from_json(deployed));
                }
                Some(document)
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
}

/// Azure gives each named element of a Microsoft.Network resource's top-level property arrays
/// (subnets, securityRules, ipConfigurations, …) the id `{resource id}/{property}/{name}`; templates
/// read them back with `reference(...).subnets[0].id`.
fn with_network_sub_resource_ids(mut document: Object, full_type: &str) -> Object {
    let Some(Value::String(id)) = document.get("id").cloned() else { return document };
    if !arm_type::is_under(full_type, arm_type::NETWORK_NAMESPACE) {
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

/// How the reason of an unknown runtime property begins: such a value may be known once the
/// template is deployed (see [`EvaluateOptions::runtime`]).
///
/// [`EvaluateOptions::runtime`]: crate::template::EvaluateOptions::runtime
const RUNTIME_PROPERTY: &str = "a runtime property of";

/// Whether an unknown's reason is a runtime property `reference()` could not read.
pub fn is_runtime_property(reason: &str) -> bool {
    reason.contains(RUNTIME_PROPERTY)
}

/// Adds to `evaluated` what the deployed document holds and the template did not write (or left
/// empty or unknown): the properties the platform filled in. Arrays are matched by position.
fn fill_in(evaluated: &mut Value, deployed: &Value) {
    match (evaluated, deployed) {
        (Value::Object(mine), Value::Object(theirs)) => {
            for (key, value) in &theirs.entries {
                if matches!(value, Value::String(s) if s.starts_with(UNKNOWN_MARKER)) {
                    continue;
                }
                match mine.entries.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                    Some((_, slot)) => {
                        let unset = slot.is_unknown() || slot.as_str() == Some("");
                        if unset {
                            *slot = value.clone();
                        } else {
                            fill_in(slot, value);
                        }
                    }
                    None => mine.entries.push((key.clone(), value.clone())),
                }
            }
        }
        (Value::Array(mine), Value::Array(theirs)) => {
            for (slot, value) in mine.iter_mut().zip(theirs) {
                fill_in(slot, value);
            }
        }
        _ => {}
    }
}

/// Marks objects from `reference()` so that properties Azure adds at runtime read as unknown.
pub(super) fn mark_runtime(value: Value, reason: &str) -> Value {
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
