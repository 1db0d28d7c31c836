//! The element access Bicep's access operators compile to (Azure/bicep
//! src/Bicep.Core/Emit/ExpressionConverter.cs): `tryGet` for `.?` and `[?]`, `indexFromEnd` for `[^n]`
//! and `tryIndexFromEnd` for `[?^n]`. A chain such as `a[?^1].b` appends its keys to one call, and a
//! from-end step later in a `tryGet` chain is the key object `{value: n, fromEnd: true}`.

use super::{arity, int_arg, type_error, FunctionResult};
use crate::template::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "tryget" => arity("tryGet", args, 2, usize::MAX)
            .and_then(|_| try_get("tryGet", &args[0], args[1..].iter().map(Key::from_argument))),
        "tryindexfromend" => arity("tryIndexFromEnd", args, 2, usize::MAX).and_then(|_| {
            let keys = std::iter::once(Key::FromEnd(&args[1])).chain(args[2..].iter().map(Key::from_argument));
            try_get("tryIndexFromEnd", &args[0], keys)
        }),
        "indexfromend" => index_from_end(args),
        _ => return None,
    };
    Some(result)
}

/// One step of a safe-access chain.
#[derive(Clone, Copy)]
enum Key<'v> {
    /// A property name or a zero-based index.
    Plain(&'v Value),
    /// A one-based index counted from the end: 1 is the last item.
    FromEnd(&'v Value),
}

impl<'v> Key<'v> {
    fn from_argument(argument: &'v Value) -> Key<'v> {
        if let Value::Object(o) = argument {
            if let (Some(index), Some(Value::Bool(from_end))) = (o.get("value"), o.get("fromEnd")) {
                return if *from_end { Key::FromEnd(index) } else { Key::Plain(index) };
            }
        }
        Key::Plain(argument)
    }

    fn value(self) -> &'v Value {
        match self {
            Key::Plain(v) | Key::FromEnd(v) => v,
        }
    }
}

/// Follows `keys` from `start`; a missing property or an index out of range is `null`, not an error.
fn try_get<'v>(name: &str, start: &Value, keys: impl Iterator<Item = Key<'v>>) -> FunctionResult {
    let mut current = start.clone();
    for key in keys {
        current = match (&current, key, key.value()) {
            (Value::Unknown(_), _, _) => return Ok(current),
            (_, _, Value::Unknown(_)) => return Ok(key.value().clone()),
            (Value::Null, _, _) => return Ok(Value::Null),
            (Value::Object(o), Key::Plain(_), Value::String(k)) => match (o.get(k), &o.runtime_extensible) {
                (Some(v), _) => v.clone(),
                (None, Some(reason)) => return Ok(Value::unknown(reason.clone())),
                (None, None) => return Ok(Value::Null),
            },
            (Value::Array(a), Key::Plain(_), Value::Int(i)) => match usize::try_from(*i).ok().and_then(|i| a.get(i)) {
                Some(v) => v.clone(),
                None => return Ok(Value::Null),
            },
            (Value::Array(a), Key::FromEnd(_), Value::Int(n)) => match from_end(a, *n) {
                Some(v) => v.clone(),
                None => return Ok(Value::Null),
            },
            (Value::Object(_), Key::FromEnd(_), _) => {
                return Err(format!("the function '{name}' cannot count from the end of an object"))
            }
            (Value::Object(_) | Value::Array(_), _, other) => {
                return Err(type_error(name, "a string key or integer index", other))
            }
            (other, _, _) => return Err(type_error(name, "an object or array", other)),
        };
    }
    Ok(current)
}

/// `indexFromEnd(array, n)`: the `n`th item from the end (1 is the last); out of range is an error.
fn index_from_end(args: &[Value]) -> FunctionResult {
    const NAME: &str = "indexFromEnd";
    arity(NAME, args, 2, 2)?;
    let Value::Array(items) = &args[0] else {
        return Err(type_error(NAME, "an array as argument 1", &args[0]));
    };
    let n = int_arg(NAME, args, 1)?;
    from_end(items, n).cloned().ok_or_else(|| {
        format!(
            "the function '{NAME}' got index {n} from the end of an array of {} items; it must be 1 to {0}",
            items.len()
        )
    })
}

fn from_end(items: &[Value], n: i64) -> Option<&Value> {
    let n = usize::try_from(n).ok().filter(|n| (1..=items.len()).contains(n))?;
    items.get(items.len() - n)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::call_for_test as call;
    use crate::template::value::Value;

    fn v(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn try_get_returns_null_for_missing_keys_and_indexes() {
        let object = v(json!({"a": {"b": [10, 20]}}));
        assert_eq!(
            call("tryGet", vec![object.clone(), "a".into(), "b".into(), Value::Int(1)]).unwrap(),
            Value::Int(20)
        );
        assert_eq!(call("tryGet", vec![object.clone(), "missing".into()]).unwrap(), Value::Null);
        assert_eq!(call("tryGet", vec![object, "a".into(), "b".into(), Value::Int(5)]).unwrap(), Value::Null);
        assert!(call("tryGet", vec![Value::Int(1), "a".into()])
            .unwrap_err()
            .contains("'tryGet' expects an object or array"));
        assert!(call("tryGet", vec![v(json!([1]))]).unwrap_err().contains("'tryGet' takes at least 2 arguments"));
    }

    #[test]
    fn index_from_end_counts_from_one() {
        let items = v(json!(["a", "b", "c"]));
        assert_eq!(call("indexFromEnd", vec![items.clone(), Value::Int(1)]).unwrap(), Value::from("c"));
        assert_eq!(call("indexFromEnd", vec![items.clone(), Value::Int(3)]).unwrap(), Value::from("a"));
        for out_of_range in [0, 4, -1] {
            let error = call("indexFromEnd", vec![items.clone(), Value::Int(out_of_range)]).unwrap_err();
            assert!(error.contains("'indexFromEnd' got index") && error.contains("it must be 1 to 3"), "{error}");
        }
        let error = call("indexFromEnd", vec![v(json!({"a": 1})), Value::Int(1)]).unwrap_err();
        assert!(error.contains("'indexFromEnd' expects an array as argument 1, got object"), "{error}");
        let error = call("indexFromEnd", vec![items.clone(), "1".into()]).unwrap_err();
        assert!(error.contains("'indexFromEnd' expects an integer as argument 2"), "{error}");
        assert!(call("indexFromEnd", vec![items]).unwrap_err().contains("'indexFromEnd' takes 2 arguments, got 1"));
    }

    #[test]
    fn try_index_from_end_is_null_out_of_range_and_continues_the_chain() {
        let items = v(json!([{"name": "x"}, {"name": "y"}]));
        assert_eq!(
            call("tryIndexFromEnd", vec![items.clone(), Value::Int(1)]).unwrap().to_json(),
            json!({"name": "y"})
        );
        // Bicep's `items[?^2].name` appends the property to the call.
        assert_eq!(
            call("tryIndexFromEnd", vec![items.clone(), Value::Int(2), "name".into()]).unwrap(),
            Value::from("x")
        );
        assert_eq!(call("tryIndexFromEnd", vec![items.clone(), Value::Int(3), "name".into()]).unwrap(), Value::Null);
        assert_eq!(call("tryIndexFromEnd", vec![items.clone(), Value::Int(0)]).unwrap(), Value::Null);
        assert_eq!(call("tryIndexFromEnd", vec![Value::Null, Value::Int(1)]).unwrap(), Value::Null);
        let error = call("tryIndexFromEnd", vec![v(json!({"a": 1})), Value::Int(1)]).unwrap_err();
        assert!(error.contains("'tryIndexFromEnd' cannot count from the end of an object"), "{error}");
        let error = call("tryIndexFromEnd", vec![items.clone(), "1".into()]).unwrap_err();
        assert!(error.contains("'tryIndexFromEnd' expects a string key or integer index"), "{error}");
        assert!(call("tryIndexFromEnd", vec![items])
            .unwrap_err()
            .contains("'tryIndexFromEnd' takes at least 2 arguments"));
    }

    #[test]
    fn try_get_takes_from_end_keys() {
        // Bicep's `obj.?a[^1]` compiles to tryGet(obj, 'a', createObject('value', 1, 'fromEnd', true)).
        let object = v(json!({"a": [1, 2, 3]}));
        let last = v(json!({"value": 1, "fromEnd": true}));
        assert_eq!(call("tryGet", vec![object.clone(), "a".into(), last]).unwrap(), Value::Int(3));
        let first = v(json!({"value": 0, "fromEnd": false}));
        assert_eq!(call("tryGet", vec![object.clone(), "a".into(), first]).unwrap(), Value::Int(1));
        let beyond = v(json!({"value": 4, "fromEnd": true}));
        assert_eq!(call("tryGet", vec![object, "a".into(), beyond]).unwrap(), Value::Null);
    }

    #[test]
    fn unknowns_pass_through() {
        let unknown = Value::unknown("only known at deploy time");
        let items = v(json!([1]));
        assert_eq!(call("tryIndexFromEnd", vec![unknown.clone(), Value::Int(1)]).unwrap(), unknown);
        assert_eq!(call("tryIndexFromEnd", vec![items.clone(), unknown.clone()]).unwrap(), unknown);
        assert_eq!(call("indexFromEnd", vec![items, unknown.clone()]).unwrap(), unknown);
    }
}
