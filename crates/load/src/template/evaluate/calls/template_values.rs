//! What the template itself declares: `parameters()`, `variables()` (and `length(variables('v'))`,
//! measured in place), `copyIndex()`, and user-defined functions (`namespace.name(...)`).

use std::rc::Rc;

use serde_json::Value as Json;

use super::{Call, Deployment, Env, Eval, World};
use crate::template::expr::Expr;
use crate::template::functions::{self, arity, str_arg};
use crate::template::value::Value;

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    Some(match call.lower {
        // `length(variables('v'))`, every copy loop's count: measured in place, not on a clone.
        "length" => {
            let variable = bare_variable(call.args)?;
            world.with_variable(context, variable, |value| {
                Ok(functions::call_pure("length", std::slice::from_ref(value)).expect("length is a built-in")?)
            })
        }
        "parameters" => parameters(world, context, call.args, env),
        "variables" => variables(world, context, call.args, env),
        "copyindex" => copy_index(world, context, call.args, env),
        lower if lower.contains('.') => call_user_function(world, context, call.name, lower, call.args, env),
        _ => return None,
    })
}

fn parameters<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
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
    world.parameter(context, wanted)
}

fn variables<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
    arity("variables", &args, 1, 1)?;
    if let Value::Unknown(u) = &args[0] {
        return Ok(Value::Unknown(u.clone()));
    }
    let wanted = str_arg("variables", &args, 0)?.to_string();
    world.variable(context, &wanted)
}

fn copy_index<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
    arity("copyIndex", &args, 0, 2)?;
    let (loop_name, offset) = match args.as_slice() {
        [] => (String::new(), 0),
        [Value::Int(offset)] => (String::new(), *offset),
        [Value::String(name)] => (name.to_ascii_lowercase(), 0),
        [Value::String(name), Value::Int(offset)] => (name.to_ascii_lowercase(), *offset),
        _ => return Err("copyIndex() takes an optional loop name and an optional integer offset".to_string().into()),
    };
    let found = env.copies.iter().rev().find(|(n, _)| *n == loop_name);
    match found {
        Some((_, index)) => Ok(Value::Int(index + offset)),
        None if loop_name.is_empty() => Err("copyIndex() is used outside a copy loop".to_string().into()),
        None => Err(format!("copyIndex('{loop_name}') is used outside the copy loop '{loop_name}'").into()),
    }
}

fn call_user_function<'t>(
    world: &World<'t>,
    context: &Deployment<'t>,
    name: &str,
    lower: &str,
    args: &[Expr],
    env: &Env,
) -> Eval<Value> {
    let Some((definition, pointer)) = context.functions.get(lower) else {
        return Err(format!("the user-defined function '{name}' is not declared in the template's `functions`").into());
    };
    let values = world.eval_args(context, args, env)?;
    let declared = definition.get("parameters").and_then(Json::as_array).cloned().unwrap_or_default();
    if declared.len() != values.len() {
        return Err(format!("the function '{name}' takes {} arguments, got {}", declared.len(), values.len()).into());
    }
    let parameters: Vec<(String, Value)> = declared
        .iter()
        .zip(values)
        .map(|(d, v)| (d.get("name").and_then(Json::as_str).unwrap_or_default().to_string(), v))
        .collect();
    let function_env = Env { copies: Vec::new(), lambdas: Vec::new(), function_parameters: Some(Rc::new(parameters)) };
    let output = definition.get("output").and_then(|o| o.get("value")).unwrap_or(&Json::Null);
    Ok(world.eval_json(context, output, &format!("{pointer}/output/value"), &function_env)?)
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
