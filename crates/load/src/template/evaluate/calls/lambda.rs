//! The lambda functions (`map`, `filter`, `sort`, `reduce`, `toObject`, `mapValues`, `groupBy`) and
//! `lambdaVariables` (learn.microsoft.com "template-functions-lambda"). A lambda is not a value: it
//! is read from the call's unevaluated argument and applied with its variables bound.

use super::{Call, Deployment, Env, Eval, World};
use crate::template::expr::Expr;
use crate::template::functions::{self, arity, str_arg};
use crate::template::value::{Object, Unknown, Value};

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    Some(match call.lower {
        "lambda" => Err("lambda() can only be an argument of map, filter, reduce, sort, toObject or mapValues"
            .to_string()
            .into()),
        "map" | "filter" | "sort" | "reduce" | "toobject" | "mapvalues" | "groupby" => {
            call_with_lambda(world, context, call.lower, call.args, env)
        }
        "lambdavariables" => lambda_variables(world, context, call.args, env),
        _ => return None,
    })
}

fn lambda_variables<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
    arity("lambdaVariables", &args, 1, 1)?;
    let wanted = str_arg("lambdaVariables", &args, 0)?;
    env.lambdas
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
        .map(|(_, v)| v.clone())
        .ok_or_else(|| format!("there is no lambda variable '{wanted}' caller").into())
}

fn call_with_lambda<'t>(
    world: &World<'t>,
    context: &Deployment<'t>,
    name: &str,
    args: &[Expr],
    env: &Env,
) -> Eval<Value> {
    let expected = if name == "reduce" { 3 } else { 2 };
    if args.len() < expected || args.len() > expected + usize::from(name == "toobject") {
        return Err(format!("the function '{name}' takes {expected} arguments, got {}", args.len()).into());
    }
    let collection = world.eval_expr(context, &args[0], env)?;
    if let Value::Unknown(u) = &collection {
        return Ok(Value::Unknown(u.clone()));
    }
    let caller = Caller { world, context, env };
    if name == "mapvalues" {
        let Value::Object(object) = collection else {
            return Err(functions::type_error(name, "an object", &collection).into());
        };
        return map_values(&caller, object, &args[1]);
    }
    let items = match collection {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => return Err(functions::type_error(name, "an array", &other).into()),
    };
    match name {
        "map" => map(&caller, items, &args[1]),
        "filter" => filter(&caller, items, &args[1]),
        "sort" => sort(&caller, items, &args[1]),
        "reduce" => reduce(&caller, items, &args[1], &args[2]),
        "toobject" => to_object(&caller, items, &args[1], args.get(2)),
        "groupby" => group_by(&caller, items, &args[1]),
        _ => Err(format!("the function '{name}' is not supported").into()),
    }
}

/// `lambda('a', 'b', body)`, read from the call's unevaluated argument.
struct Lambda<'e> {
    names: Vec<String>,
    body: &'e Expr,
}

impl<'e> Lambda<'e> {
    fn read(expr: &'e Expr) -> Eval<Lambda<'e>> {
        match expr {
            Expr::Call { name, args } if name.eq_ignore_ascii_case("lambda") && !args.is_empty() => {
                let mut names = Vec::new();
                for arg in &args[..args.len() - 1] {
                    match arg {
                        Expr::String(s) => names.push(s.clone()),
                        _ => return Err("lambda() parameter names must be string literals".to_string().into()),
                    }
                }
                Ok(Lambda { names, body: &args[args.len() - 1] })
            }
            _ => Err("expected a lambda(...) argument".to_string().into()),
        }
    }
}

/// Where the lambda function is called: its lambdas see the caller's loops and variables.
struct Caller<'a, 't> {
    world: &'a World<'t>,
    context: &'a Deployment<'t>,
    env: &'a Env,
}

impl Caller<'_, '_> {
    fn apply(&self, lambda: &Lambda<'_>, values: Vec<Value>) -> Eval<Value> {
        let mut inner = self.env.clone();
        for (n, v) in lambda.names.iter().zip(values) {
            inner.lambdas.push((n.clone(), v));
        }
        self.world.eval_expr(self.context, lambda.body, &inner)
    }

    /// A predicate's answer (`filter`, `sort`), or the unknown it gave instead.
    fn test(&self, lambda: &Lambda<'_>, values: Vec<Value>, function: &str) -> Eval<Result<bool, Unknown>> {
        match self.apply(lambda, values)? {
            Value::Bool(b) => Ok(Ok(b)),
            Value::Unknown(u) => Ok(Err(u)),
            other => Err(functions::type_error(function, "a lambda returning bool", &other).into()),
        }
    }

    /// The key a lambda gives `item` (`toObject`, `groupBy`), or the unknown it gave instead.
    fn key(&self, lambda: &Lambda<'_>, item: &Value, function: &str) -> Eval<Result<String, Unknown>> {
        match self.apply(lambda, vec![item.clone()])? {
            Value::String(k) => Ok(Ok(k)),
            Value::Unknown(u) => Ok(Err(u)),
            other => Err(functions::type_error(function, "a key lambda returning a string", &other).into()),
        }
    }
}

fn map_values(caller: &Caller<'_, '_>, object: Object, function: &Expr) -> Eval<Value> {
    let function = Lambda::read(function)?;
    let mut out = Object::new();
    for (k, v) in object.entries {
        out.insert(k, caller.apply(&function, vec![v])?);
    }
    Ok(Value::Object(out))
}

fn map(caller: &Caller<'_, '_>, items: Vec<Value>, function: &Expr) -> Eval<Value> {
    let function = Lambda::read(function)?;
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        out.push(caller.apply(&function, vec![item, Value::Int(i as i64)])?);
    }
    Ok(Value::Array(out))
}

fn filter(caller: &Caller<'_, '_>, items: Vec<Value>, function: &Expr) -> Eval<Value> {
    let function = Lambda::read(function)?;
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match caller.test(&function, vec![item.clone(), Value::Int(i as i64)], "filter")? {
            Ok(true) => out.push(item),
            Ok(false) => {}
            Err(u) => return Ok(Value::Unknown(u)),
        }
    }
    Ok(Value::Array(out))
}

fn sort(caller: &Caller<'_, '_>, items: Vec<Value>, function: &Expr) -> Eval<Value> {
    let function = Lambda::read(function)?;
    let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
    // Insertion sort keeps the comparator's errors and unknowns reportable and the order stable.
    for item in items {
        let mut position = sorted.len();
        for (i, existing) in sorted.iter().enumerate() {
            match caller.test(&function, vec![item.clone(), existing.clone()], "sort")? {
                Ok(true) => {
                    position = i;
                    break;
                }
                Ok(false) => {}
                Err(u) => return Ok(Value::Unknown(u)),
            }
        }
        sorted.insert(position, item);
    }
    Ok(Value::Array(sorted))
}

fn reduce(caller: &Caller<'_, '_>, items: Vec<Value>, initial: &Expr, function: &Expr) -> Eval<Value> {
    let mut accumulator = caller.world.eval_expr(caller.context, initial, caller.env)?;
    let function = Lambda::read(function)?;
    for (i, item) in items.into_iter().enumerate() {
        accumulator = caller.apply(&function, vec![accumulator, item, Value::Int(i as i64)])?;
    }
    Ok(accumulator)
}

fn to_object(caller: &Caller<'_, '_>, items: Vec<Value>, key: &Expr, value: Option<&Expr>) -> Eval<Value> {
    let key_function = Lambda::read(key)?;
    let value_function = value.map(Lambda::read).transpose()?;
    let mut out = Object::new();
    for item in items {
        let key = match caller.key(&key_function, &item, "toObject")? {
            Ok(key) => key,
            Err(u) => return Ok(Value::Unknown(u)),
        };
        let value = match &value_function {
            Some(f) => caller.apply(f, vec![item])?,
            None => item,
        };
        out.insert(key, value);
    }
    Ok(Value::Object(out))
}

fn group_by(caller: &Caller<'_, '_>, items: Vec<Value>, function: &Expr) -> Eval<Value> {
    let function = Lambda::read(function)?;
    let mut out = Object::new();
    for item in items {
        let key = match caller.key(&function, &item, "groupBy")? {
            Ok(key) => key,
            Err(u) => return Ok(Value::Unknown(u)),
        };
        let mut group = out.get(&key).and_then(Value::as_array).cloned().unwrap_or_default();
        group.push(item);
        out.insert(key, Value::Array(group));
    }
    Ok(Value::Object(out))
}
