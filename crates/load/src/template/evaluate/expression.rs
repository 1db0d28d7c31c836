//! Template values: JSON with expressions in strings and property `copy` loops in objects, member
//! access, and the parameters and variables expressions read.

use std::borrow::Cow;

use serde_json::Value as Json;

use super::{Deployment, Env, Eval, Failure, Slot, World};
use crate::template::error::TemplateError;
use crate::template::expr::{parse_template_string, Expr, TemplateString};
use crate::template::functions;
use crate::template::value::{escape_pointer, Object, Value};

impl<'t> World<'t> {
    /// Evaluates a JSON value of the template: expressions in strings, property `copy` loops in objects.
    /// A property name: ARM evaluates a name written as an expression, as AVM's
    /// `"[format('privatelink.blob.{0}', environment().suffixes.storage)]": {…}` relies on. A name
    /// only Azure knows keeps its text (and says so).
    fn property_name(
        &self,
        context: &Deployment<'t>,
        key: &str,
        pointer: &str,
        env: &Env,
    ) -> Result<String, TemplateError> {
        let expr = match parse_template_string(key) {
            Ok(TemplateString::Literal(s)) => return Ok(s),
            Ok(TemplateString::Expression(expr)) => expr,
            Err(error) => return Err(TemplateError::new(pointer, error.to_string()).with_expression(key.to_string())),
        };
        let value = self.eval_expr(context, &expr, env).map_err(|failure| match failure {
            Failure::Here(message) => TemplateError::new(pointer, message).with_expression(key.to_string()),
            Failure::Located(error) => error,
        })?;
        Ok(match value {
            Value::String(s) => s,
            Value::Unknown(u) => {
                self.warn(format!(
                    "at {pointer}: the property name is only known at deploy time ({}); kept as written",
                    u.reason
                ));
                key.to_string()
            }
            other => other.to_arm_string(),
        })
    }

    pub(super) fn eval_json(
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
                    let key_pointer = format!("{pointer}/{}", escape_pointer(key));
                    let name = self.property_name(context, key, &key_pointer, env)?;
                    out.insert(name, self.eval_json(context, value, &key_pointer, env)?);
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

    pub(super) fn eval_expr(&self, context: &Deployment<'t>, expr: &Expr, env: &Env) -> Eval<Value> {
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
    pub(super) fn with_variable<R>(
        &self,
        context: &Deployment<'t>,
        name: &str,
        read: impl FnOnce(&Value) -> Eval<R>,
    ) -> Eval<R> {
        if !matches!(context.variables.borrow().get(&name.to_ascii_lowercase()), Some(Slot::Done(_))) {
            self.variable(context, name)?;
        }
        let variables = context.variables.borrow();
        let Some(Slot::Done(value)) = variables.get(&name.to_ascii_lowercase()) else {
            unreachable!("the variable was just evaluated")
        };
        read(value)
    }

    pub(super) fn eval_args(&self, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Vec<Value>> {
        args.iter().map(|a| self.eval_expr(context, a, env)).collect()
    }

    pub(super) fn parameter(&self, context: &Deployment<'t>, wanted: &str) -> Eval<Value> {
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

    pub(super) fn variable(&self, context: &Deployment<'t>, wanted: &str) -> Eval<Value> {
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
