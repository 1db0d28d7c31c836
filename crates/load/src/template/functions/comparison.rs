//! Comparison and logical functions (learn.microsoft.com "template-functions-comparison",
//! "template-functions-logical"). `and`, `or`, `if` and `coalesce` are evaluated lazily in
//! `evaluate.rs` so that an unknown or failing argument after the deciding one does not matter.

use std::cmp::Ordering;

use super::{arity, bool_arg, type_error, FunctionResult};
use crate::template::value::{arm_equals, Value};

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "equals" => arity(name, args, 2, 2).map(|_| match args.iter().find_map(Value::find_unknown) {
            Some(u) => Value::Unknown(u.clone()),
            None => Value::Bool(arm_equals(&args[0], &args[1])),
        }),
        "not" => arity(name, args, 1, 1).and_then(|_| bool_arg(name, args, 0)).map(|b| Value::Bool(!b)),
        "less" => compare(name, args).map(|o| Value::Bool(o == Ordering::Less)),
        "lessorequals" => compare(name, args).map(|o| Value::Bool(o != Ordering::Greater)),
        "greater" => compare(name, args).map(|o| Value::Bool(o == Ordering::Greater)),
        "greaterorequals" => compare(name, args).map(|o| Value::Bool(o != Ordering::Less)),
        "true" => arity(name, args, 0, 0).map(|_| Value::Bool(true)),
        "false" => arity(name, args, 0, 0).map(|_| Value::Bool(false)),
        "null" => arity(name, args, 0, 0).map(|_| Value::Null),
        _ => return None,
    };
    Some(result)
}

/// Orders two integers or two strings (ordinal, as ARM does).
fn compare(name: &str, args: &[Value]) -> Result<Ordering, String> {
    arity(name, args, 2, 2)?;
    match (&args[0], &args[1]) {
        (Value::Int(a), Value::Int(b)) => Ok(a.cmp(b)),
        (Value::String(a), Value::String(b)) => Ok(a.cmp(b)),
        (a, b) if matches!(a, Value::Int(_) | Value::String(_)) => {
            Err(type_error(name, &format!("two values of the same type ({} first)", a.type_name()), b))
        }
        (a, _) => Err(type_error(name, "integers or strings", a)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;

    #[test]
    fn equality_is_deep_and_keys_are_case_insensitive() {
        let a = Value::from_json(&serde_json::json!({"A": [1, "x"]}));
        let b = Value::from_json(&serde_json::json!({"a": [1, "x"]}));
        assert_eq!(call("equals", vec![a, b]).unwrap(), Value::Bool(true));
        assert_eq!(call("equals", vec![Value::from("a"), Value::from("A")]).unwrap(), Value::Bool(false));
    }

    #[test]
    fn ordering_of_ints_and_strings() {
        assert_eq!(call("less", vec![Value::Int(1), Value::Int(2)]).unwrap(), Value::Bool(true));
        assert_eq!(call("greaterOrEquals", vec![Value::from("b"), Value::from("a")]).unwrap(), Value::Bool(true));
        assert_eq!(call("lessOrEquals", vec![Value::Int(2), Value::Int(2)]).unwrap(), Value::Bool(true));
        assert!(call("less", vec![Value::Int(1), Value::from("a")])
            .unwrap_err()
            .contains("two values of the same type"));
        assert!(call("not", vec![Value::from("true")]).unwrap_err().contains("expects a bool"));
    }

    #[test]
    fn unknown_arguments_make_unknown_results() {
        let unknown = Value::unknown("runtime");
        assert_eq!(call("equals", vec![unknown.clone(), Value::Int(1)]).unwrap(), unknown);
        assert_eq!(call("not", vec![unknown.clone()]).unwrap(), unknown);
    }
}
