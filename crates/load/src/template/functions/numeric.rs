//! Numeric functions (learn.microsoft.com "template-functions-numeric"): 64-bit integers, and
//! `float()`, which only makes a floating-point value to pass on (to a Logic App, as Learn says).

use super::{arity, int_arg, type_error, FunctionResult};
use crate::template::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "add" => binary(name, args, i64::checked_add),
        "sub" => binary(name, args, i64::checked_sub),
        "mul" => binary(name, args, i64::checked_mul),
        "div" => binary(name, args, |a, b| if b == 0 { None } else { Some(a / b) }),
        "mod" => binary(name, args, |a, b| if b == 0 { None } else { Some(a % b) }),
        "min" => extreme(name, args, true),
        "max" => extreme(name, args, false),
        "float" => to_float(args),
        _ => return None,
    };
    Some(result)
}

fn binary(name: &str, args: &[Value], op: fn(i64, i64) -> Option<i64>) -> FunctionResult {
    arity(name, args, 2, 2)?;
    let (a, b) = (int_arg(name, args, 0)?, int_arg(name, args, 1)?);
    op(a, b).map(Value::Int).ok_or_else(|| {
        if b == 0 && matches!(name, "div" | "mod") {
            format!("the function '{name}' cannot divide {a} by zero")
        } else {
            format!("the function '{name}' overflowed 64-bit integers with {a} and {b}")
        }
    })
}

/// `min`/`max` take integers or one array of integers.
fn extreme(name: &str, args: &[Value], smallest: bool) -> FunctionResult {
    arity(name, args, 1, usize::MAX)?;
    let items: &[Value] = match args {
        [Value::Array(items)] => items,
        _ => args,
    };
    if let Some(u) = items.iter().find(|v| v.is_unknown()) {
        return Ok(u.clone());
    }
    let mut numbers = Vec::new();
    for item in items {
        match item {
            Value::Int(i) => numbers.push(*i),
            other => return Err(type_error(name, "integers", other)),
        }
    }
    let pick = if smallest { numbers.iter().min() } else { numbers.iter().max() };
    pick.map(|n| Value::Int(*n)).ok_or_else(|| format!("the function '{name}' needs at least one integer"))
}

/// `float(arg)`: a string or integer as a floating-point number.
fn to_float(args: &[Value]) -> FunctionResult {
    const NAME: &str = "float";
    arity(NAME, args, 1, 1)?;
    let number = match &args[0] {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| format!("the function '{NAME}' cannot convert '{text}' to a floating-point number"))?,
        other => return Err(type_error(NAME, "a string or integer", other)),
    };
    Ok(Value::Float(number))
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;

    #[test]
    fn arithmetic() {
        assert_eq!(call("add", vec![Value::Int(5), Value::Int(3)]).unwrap(), Value::Int(8));
        assert_eq!(call("sub", vec![Value::Int(7), Value::Int(3)]).unwrap(), Value::Int(4));
        assert_eq!(call("mul", vec![Value::Int(5), Value::Int(3)]).unwrap(), Value::Int(15));
        assert_eq!(call("div", vec![Value::Int(8), Value::Int(3)]).unwrap(), Value::Int(2));
        assert_eq!(call("mod", vec![Value::Int(7), Value::Int(3)]).unwrap(), Value::Int(1));
        assert!(call("div", vec![Value::Int(1), Value::Int(0)]).unwrap_err().contains("by zero"));
        assert!(call("add", vec![Value::Int(1)]).unwrap_err().contains("takes 2 arguments, got 1"));
        assert!(call("add", vec![Value::Int(1), Value::from("2")])
            .unwrap_err()
            .contains("expects an integer as argument 2"));
    }

    #[test]
    fn min_and_max() {
        let array = Value::Array(vec![Value::Int(0), Value::Int(3), Value::Int(2)]);
        assert_eq!(call("min", vec![array.clone()]).unwrap(), Value::Int(0));
        assert_eq!(call("max", vec![array]).unwrap(), Value::Int(3));
        assert_eq!(call("max", vec![Value::Int(4), Value::Int(9)]).unwrap(), Value::Int(9));
        assert!(call("min", vec![Value::Array(vec![])]).unwrap_err().contains("at least one"));
    }

    #[test]
    fn float_converts_strings_and_integers() {
        // learn.microsoft.com "template-functions-numeric": float('3.0') and float(3).
        assert_eq!(call("float", vec![Value::from("3.0")]).unwrap(), Value::Float(3.0));
        assert_eq!(call("float", vec![Value::Int(3)]).unwrap(), Value::Float(3.0));
        assert_eq!(call("float", vec![Value::from("-0.25")]).unwrap().to_json(), serde_json::json!(-0.25));
        for bad in ["three", "", "NaN", "inf"] {
            let error = call("float", vec![Value::from(bad)]).unwrap_err();
            assert!(error.contains("'float' cannot convert"), "{error}");
        }
        assert!(call("float", vec![Value::Bool(true)]).unwrap_err().contains("'float' expects a string or integer"));
        assert!(call("float", vec![]).unwrap_err().contains("'float' takes 1 argument, got 0"));
    }
}
