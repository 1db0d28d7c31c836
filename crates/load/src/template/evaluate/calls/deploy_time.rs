//! Values fixed when Azure runs the deployment: `utcNow()` and `newGuid()` (from
//! [`EvaluateOptions`](crate::template::EvaluateOptions), so that evaluation stays deterministic)
//! and `pickZones()`.

use super::{Call, Deployment, Env, Eval, World};
use crate::template::expr::Expr;
use crate::template::functions::{self, arity};
use crate::template::value::Value;

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    Some(match call.lower {
        "utcnow" => world
            .eval_args(context, call.args, env)
            .and_then(|args| Ok(functions::utc_now(&world.options.utc_now, &args)?)),
        "newguid" => new_guid(world, context, call.args, env),
        "pickzones" => pick_zones(world, context, call.args, env),
        _ => return None,
    })
}

fn new_guid<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
    arity("newGuid", &args, 0, 0)?;
    let counter = world.guid_counter.get();
    world.guid_counter.set(counter + 1);
    Ok(Value::String(functions::arm_guid(&format!("{}-newGuid-{counter}", world.options.new_guid_seed))))
}

fn pick_zones<'t>(world: &World<'t>, context: &Deployment<'t>, args: &[Expr], env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, args, env)?;
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
