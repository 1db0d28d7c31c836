//! The functions that need the deployment, in families as the pure built-ins are
//! (`template::functions`): each family answers for its own names and `None` for any other; a name
//! no family claims is a pure built-in.
//!
//! The families see the unevaluated arguments: `if`, `and`, `or`, `coalesce` and the lambda
//! functions evaluate only what they need, `length(variables('v'))` measures the variable in place.

mod deploy_time;
mod lambda;
mod logical;
mod reference;

pub use reference::is_runtime_property;
mod scope;
mod template_values;

use super::{Deployment, Env, Eval, Failure, World};
use crate::template::expr::Expr;
use crate::template::functions;
use crate::template::value::Value;

/// A function call as written: `name` in the template's spelling, `lower` lower-cased.
struct Call<'e> {
    name: &'e str,
    lower: &'e str,
    args: &'e [Expr],
}

/// A family of functions that need the deployment: it answers for its own names and `None` for any other.
type Family = for<'t> fn(&World<'t>, &Deployment<'t>, &Call<'_>, &Env) -> Option<Eval<Value>>;

/// In this order: `reference` claims every `list*` name before `template_values` claims every dotted
/// (user-defined) one.
const FAMILIES: [Family; 6] =
    [reference::call, template_values::call, logical::call, lambda::call, scope::call, deploy_time::call];

impl<'t> World<'t> {
    pub(super) fn call(&self, context: &Deployment<'t>, name: &str, args: &[Expr], env: &Env) -> Eval<Value> {
        let lower = name.to_ascii_lowercase();
        let call = Call { name, lower: &lower, args };
        if let Some(result) = FAMILIES.iter().find_map(|family| family(self, context, &call, env)) {
            return result;
        }
        let values = self.eval_args(context, args, env)?;
        match functions::call_pure(&lower, &values) {
            // Built-ins are looked up lower-cased; messages should use the template's spelling.
            Some(result) => {
                result.map_err(|m| Failure::Here(m.replacen(&format!("'{lower}'"), &format!("'{name}'"), 1)))
            }
            None => Err(format!("the function '{name}' is not supported by the twin's template evaluator").into()),
        }
    }
}
