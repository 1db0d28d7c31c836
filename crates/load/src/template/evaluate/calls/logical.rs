//! `if`, `and`, `or` and `coalesce`, which evaluate only the arguments that decide
//! (learn.microsoft.com "template-functions-logical", "template-functions-comparison#coalesce").

use super::{Call, Deployment, Env, Eval, World};
use crate::template::expr::Expr;
use crate::template::functions;
use crate::template::value::Value;

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    Some(match call.lower {
        "if" => if_(world, context, call.args, env),
        "and" | "or" => and_or(world, context, call.lower, call.args, env),
        "coalesce" => coalesce(world, context, call.args, env),
        _ => return None,
    })
}

fn if_<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    if args.len() != 3 {
        return Err(format!("the function 'if' takes 3 arguments, got {}", args.len()).into());
    }
    match world.eval_expr(context, &args[0], env)? {
        Value::Bool(true) => world.eval_expr(context, &args[1], env),
        Value::Bool(false) => world.eval_expr(context, &args[2], env),
        Value::Unknown(u) => Ok(Value::Unknown(u)),
        other => Err(functions::type_error("if", "a bool condition", &other).into()),
    }
}

fn and_or<'t>(world: &World<'t>, context: &Deployment<'t>, lower: &str, args: &[Expr], env: &Env) -> Eval<Value> {
    if args.len() < 2 {
        return Err(format!("the function '{lower}' takes at least 2 arguments, got {}", args.len()).into());
    }
    let deciding = lower == "or";
    let mut unknown = None;
    for arg in args {
        match world.eval_expr(context, arg, env)? {
            Value::Bool(b) if b == deciding => return Ok(Value::Bool(deciding)),
            Value::Bool(_) => {}
            Value::Unknown(u) => unknown = unknown.or(Some(u)),
            other => return Err(functions::type_error(lower, "bool arguments", &other).into()),
        }
    }
    Ok(unknown.map(Value::Unknown).unwrap_or(Value::Bool(!deciding)))
}

fn coalesce<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    for arg in args {
        match world.eval_expr(context, arg, env)? {
            Value::Null => continue,
            other => return Ok(other),
        }
    }
    Ok(Value::Null)
}
