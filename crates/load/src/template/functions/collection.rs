//! Array and object functions (learn.microsoft.com "template-functions-array", "template-functions-object"),
//! plus the CIDR functions (learn.microsoft.com "template-functions-cidr").

use std::net::Ipv4Addr;

use super::{arity, int_arg, str_arg, type_error, FunctionResult};
use crate::template::value::{arm_equals, Object, Value};

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "array" => arity(name, args, 1, 1).map(|_| match &args[0] {
            Value::Array(_) => args[0].clone(),
            other => Value::Array(vec![other.clone()]),
        }),
        "createarray" => Ok(Value::Array(args.to_vec())),
        "createobject" => create_object(args),
        "union" => union(args),
        "intersection" => intersection(args),
        "items" => items(args),
        "range" => range(args),
        "objectkeys" => arity(name, args, 1, 1).and_then(|_| match &args[0] {
            Value::Object(o) => Ok(Value::Array(o.keys().map(|k| Value::from(k.as_str())).collect())),
            other => Err(type_error(name, "an object", other)),
        }),
        "shallowmerge" => shallow_merge(args),
        "flatten" => flatten(args),
        "distinct" => distinct(args),
        "contains" => contains(args),
        "cidrsubnet" => cidr_subnet(args),
        "parsecidr" => parse_cidr_function(args),
        "cidrhost" => cidr_host(args),
        _ => return None,
    };
    Some(result)
}

fn create_object(args: &[Value]) -> FunctionResult {
    if !args.len().is_multiple_of(2) {
        return Err(format!("the function 'createObject' takes pairs of key and value, got {} arguments", args.len()));
    }
    let mut object = Object::new();
    for pair in args.chunks(2) {
        match &pair[0] {
            Value::String(key) => object.insert(key.clone(), pair[1].clone()),
            Value::Unknown(u) => return Ok(Value::Unknown(u.clone())),
            other => return Err(type_error("createObject", "string keys", other)),
        }
    }
    Ok(Value::Object(object))
}

/// Objects merge recursively (later values win); arrays keep the distinct items in order.
fn union(args: &[Value]) -> FunctionResult {
    arity("union", args, 1, usize::MAX)?;
    match &args[0] {
        Value::Object(_) => {
            let mut merged = Object::new();
            for arg in args {
                match arg {
                    Value::Object(o) => merge_into(&mut merged, o),
                    Value::Null => {}
                    other => {
                        return Err(type_error("union", "only objects when the first argument is an object", other))
                    }
                }
            }
            Ok(Value::Object(merged))
        }
        Value::Array(_) => {
            let mut out: Vec<Value> = Vec::new();
            for arg in args {
                match arg {
                    Value::Array(items) => {
                        for item in items {
                            if !out.iter().any(|o| arm_equals(o, item)) {
                                out.push(item.clone());
                            }
                        }
                    }
                    Value::Null => {}
                    other => return Err(type_error("union", "only arrays when the first argument is an array", other)),
                }
            }
            Ok(Value::Array(out))
        }
        Value::Null => union(&args[1..]).or(Ok(Value::Null)),
        other => Err(type_error("union", "objects or arrays", other)),
    }
}

fn merge_into(target: &mut Object, source: &Object) {
    for (key, value) in &source.entries {
        match (target.get(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                let mut nested = existing.clone();
                merge_into(&mut nested, incoming);
                target.insert(key.clone(), Value::Object(nested));
            }
            _ => target.insert(key.clone(), value.clone()),
        }
    }
}

fn intersection(args: &[Value]) -> FunctionResult {
    arity("intersection", args, 2, usize::MAX)?;
    match &args[0] {
        Value::Object(first) => {
            let mut out = Object::new();
            for (key, value) in &first.entries {
                let everywhere = args[1..].iter().all(|other| match other {
                    Value::Object(o) => o.get(key).is_some_and(|v| arm_equals(v, value)),
                    _ => false,
                });
                if everywhere {
                    out.insert(key.clone(), value.clone());
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(first) => {
            let mut out: Vec<Value> = Vec::new();
            for item in first {
                let everywhere = args[1..].iter().all(|other| match other {
                    Value::Array(a) => a.iter().any(|v| arm_equals(v, item)),
                    _ => false,
                });
                if everywhere && !out.iter().any(|o| arm_equals(o, item)) {
                    out.push(item.clone());
                }
            }
            Ok(Value::Array(out))
        }
        other => Err(type_error("intersection", "objects or arrays", other)),
    }
}

/// `items()` returns `{key, value}` pairs sorted by key, as the ARM documentation states.
fn items(args: &[Value]) -> FunctionResult {
    arity("items", args, 1, 1)?;
    let Value::Object(object) = &args[0] else {
        return Err(type_error("items", "an object", &args[0]));
    };
    let mut entries: Vec<&(String, Value)> = object.entries.iter().collect();
    entries.sort_by(|a, b| a.0.to_lowercase().cmp(&b.0.to_lowercase()).then(a.0.cmp(&b.0)));
    Ok(Value::Array(
        entries
            .into_iter()
            .map(|(k, v)| {
                let mut pair = Object::new();
                pair.insert("key", Value::from(k.as_str()));
                pair.insert("value", v.clone());
                Value::Object(pair)
            })
            .collect(),
    ))
}

fn range(args: &[Value]) -> FunctionResult {
    arity("range", args, 2, 2)?;
    let (start, count) = (int_arg("range", args, 0)?, int_arg("range", args, 1)?);
    if !(0..=10_000).contains(&count) {
        return Err(format!("the function 'range' needs a count between 0 and 10000, got {count}"));
    }
    Ok(Value::Array((start..start + count).map(Value::Int).collect()))
}

/// `tryGet(value, key, ...)`: null when a key or index is missing instead of an error.
fn shallow_merge(args: &[Value]) -> FunctionResult {
    arity("shallowMerge", args, 1, 1)?;
    let Value::Array(items) = &args[0] else {
        return Err(type_error("shallowMerge", "an array of objects", &args[0]));
    };
    let mut merged = Object::new();
    for item in items {
        match item {
            Value::Object(o) => {
                for (k, v) in &o.entries {
                    merged.insert(k.clone(), v.clone());
                }
            }
            Value::Null => {}
            Value::Unknown(u) => return Ok(Value::Unknown(u.clone())),
            other => return Err(type_error("shallowMerge", "an array of objects", other)),
        }
    }
    Ok(Value::Object(merged))
}

fn flatten(args: &[Value]) -> FunctionResult {
    arity("flatten", args, 1, 1)?;
    let Value::Array(items) = &args[0] else {
        return Err(type_error("flatten", "an array of arrays", &args[0]));
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            Value::Unknown(u) => return Ok(Value::Unknown(u.clone())),
            other => return Err(type_error("flatten", "an array of arrays", other)),
        }
    }
    Ok(Value::Array(out))
}

fn contains(args: &[Value]) -> FunctionResult {
    arity("contains", args, 2, 2)?;
    match &args[0] {
        Value::String(s) => Ok(Value::Bool(s.contains(&args[1].to_arm_string()))),
        Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| arm_equals(i, &args[1])))),
        Value::Object(o) => {
            let key = str_arg("contains", args, 1)?;
            match (o.contains_key(key), &o.runtime_extensible) {
                (false, Some(reason)) => Ok(Value::unknown(reason.clone())),
                (found, _) => Ok(Value::Bool(found)),
            }
        }
        other => Err(type_error("contains", "a string, array or object", other)),
    }
}

fn parse_cidr(name: &str, text: &str) -> Result<(u32, u8), String> {
    let (address, prefix) = text
        .split_once('/')
        .ok_or_else(|| format!("the function '{name}' expects a CIDR such as 10.0.0.0/16, got '{text}'"))?;
    let address: Ipv4Addr =
        address.parse().map_err(|_| format!("the function '{name}' got an invalid IPv4 address in '{text}'"))?;
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| *p <= 32)
        .ok_or_else(|| format!("the function '{name}' got an invalid prefix length in '{text}'"))?;
    Ok((u32::from(address), prefix))
}

fn mask_of(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    }
}

/// `parseCidr(network)` for IPv4: network, netmask, broadcast, first and last usable address, prefix.
fn parse_cidr_function(args: &[Value]) -> FunctionResult {
    arity("parseCidr", args, 1, 1)?;
    let (address, prefix) = parse_cidr("parseCidr", str_arg("parseCidr", args, 0)?)?;
    let mask = mask_of(prefix);
    let network = address & mask;
    let broadcast = network | !mask;
    // /31 and /32 have no network and broadcast address to reserve.
    let (first, last) = if prefix >= 31 { (network, broadcast) } else { (network + 1, broadcast - 1) };
    let mut object = Object::new();
    object.insert("network", Value::from(Ipv4Addr::from(network).to_string()));
    object.insert("netmask", Value::from(Ipv4Addr::from(mask).to_string()));
    object.insert("broadcast", Value::from(Ipv4Addr::from(broadcast).to_string()));
    object.insert("firstUsable", Value::from(Ipv4Addr::from(first).to_string()));
    object.insert("lastUsable", Value::from(Ipv4Addr::from(last).to_string()));
    object.insert("cidr", Value::Int(i64::from(prefix)));
    Ok(Value::Object(object))
}

/// `cidrHost(network, hostIndex)`: the usable address at `hostIndex`, counting from the first usable one.
fn cidr_host(args: &[Value]) -> FunctionResult {
    arity("cidrHost", args, 2, 2)?;
    let (address, prefix) = parse_cidr("cidrHost", str_arg("cidrHost", args, 0)?)?;
    let index = int_arg("cidrHost", args, 1)?;
    let network = address & mask_of(prefix);
    let usable = if prefix >= 31 { 1u64 << (32 - prefix) } else { (1u64 << (32 - prefix)) - 2 };
    let first = if prefix >= 31 { network } else { network + 1 };
    if index < 0 || index as u64 >= usable {
        return Err(format!(
            "the function 'cidrHost' got host index {index}, but the network has {usable} usable addresses"
        ));
    }
    Ok(Value::String(Ipv4Addr::from(first + index as u32).to_string()))
}

/// `cidrSubnet(network, newCIDR, subnetIndex)` for IPv4.
fn cidr_subnet(args: &[Value]) -> FunctionResult {
    arity("cidrSubnet", args, 3, 3)?;
    let (network, prefix) = parse_cidr("cidrSubnet", str_arg("cidrSubnet", args, 0)?)?;
    let new_prefix = int_arg("cidrSubnet", args, 1)?;
    let index = int_arg("cidrSubnet", args, 2)?;
    if new_prefix < i64::from(prefix) || new_prefix > 32 {
        return Err(format!("the function 'cidrSubnet' needs a new prefix between {prefix} and 32, got {new_prefix}"));
    }
    let count = 1u64 << (new_prefix as u32 - u32::from(prefix));
    if index < 0 || index as u64 >= count {
        return Err(format!(
            "the function 'cidrSubnet' got subnet index {index}, but only {count} /{new_prefix} subnets fit"
        ));
    }
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    let size = 1u64 << (32 - new_prefix as u32);
    let start = (u64::from(network & mask) + index as u64 * size) as u32;
    Ok(Value::String(format!("{}/{new_prefix}", Ipv4Addr::from(start))))
}

/// `distinct(array)`: the array without repeated items (compared as `equals` does), first ones kept.
fn distinct(args: &[Value]) -> FunctionResult {
    arity("distinct", args, 1, 1)?;
    let Value::Array(items) = &args[0] else {
        return Err(type_error("distinct", "an array", &args[0]));
    };
    if let Some(unknown) = args[0].find_unknown() {
        return Ok(Value::Unknown(unknown.clone()));
    }
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !kept.iter().any(|k| arm_equals(k, item)) {
            kept.push(item.clone());
        }
    }
    Ok(Value::Array(kept))
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn union_merges_objects_deeply_and_arrays_distinctly() {
        let merged = call("union", vec![v(json!({"a": 1, "n": {"x": 1}})), v(json!({"b": 2, "n": {"y": 2}}))]).unwrap();
        assert_eq!(merged.to_json(), json!({"a": 1, "n": {"x": 1, "y": 2}, "b": 2}));
        let merged = call("union", vec![v(json!(["one", "two"])), v(json!(["two", "three"]))]).unwrap();
        assert_eq!(merged.to_json(), json!(["one", "two", "three"]));
        assert!(call("union", vec![v(json!({})), v(json!([]))]).unwrap_err().contains("only objects"));
    }

    #[test]
    fn intersection_items_range() {
        assert_eq!(
            call("intersection", vec![v(json!(["a", "b"])), v(json!(["b", "c"]))]).unwrap().to_json(),
            json!(["b"])
        );
        assert_eq!(
            call("items", vec![v(json!({"b": 2, "a": 1}))]).unwrap().to_json(),
            json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}])
        );
        assert_eq!(call("range", vec![Value::Int(1), Value::Int(3)]).unwrap().to_json(), json!([1, 2, 3]));
        assert!(call("range", vec![Value::Int(1), Value::Int(-1)]).unwrap_err().contains("count between"));
    }

    #[test]
    fn object_helpers() {
        assert_eq!(call("createObject", vec!["a".into(), Value::Int(1)]).unwrap().to_json(), json!({"a": 1}));
        assert!(call("createObject", vec!["a".into()]).unwrap_err().contains("pairs"));
        assert_eq!(call("objectKeys", vec![v(json!({"a": 1, "b": 2}))]).unwrap().to_json(), json!(["a", "b"]));
        assert_eq!(
            call("shallowMerge", vec![v(json!([{"a": {"x": 1}}, {"a": {"y": 2}}]))]).unwrap().to_json(),
            json!({"a": {"y": 2}})
        );
        assert_eq!(call("flatten", vec![v(json!([[1], [2, 3]]))]).unwrap().to_json(), json!([1, 2, 3]));
        assert_eq!(call("array", vec![Value::Int(1)]).unwrap().to_json(), json!([1]));
    }

    #[test]
    fn contains_for_strings_arrays_objects() {
        assert_eq!(call("contains", vec!["OneTwo".into(), "Two".into()]).unwrap(), Value::Bool(true));
        assert_eq!(call("contains", vec!["OneTwo".into(), "two".into()]).unwrap(), Value::Bool(false));
        assert_eq!(call("contains", vec![v(json!({"One": 1})), "one".into()]).unwrap(), Value::Bool(true));
        assert_eq!(call("contains", vec![v(json!([1, 2])), Value::Int(3)]).unwrap(), Value::Bool(false));
    }

    #[test]
    fn cidr_subnet_splits_networks() {
        // learn.microsoft.com "template-functions-cidr": cidrSubnet('10.144.0.0/20', 24, 2) is 10.144.2.0/24.
        assert_eq!(
            call("cidrSubnet", vec!["10.144.0.0/20".into(), Value::Int(24), Value::Int(2)]).unwrap(),
            "10.144.2.0/24".into()
        );
        assert!(call("cidrSubnet", vec!["10.144.0.0/20".into(), Value::Int(24), Value::Int(16)])
            .unwrap_err()
            .contains("only 16"));
        // The same page's parseCidr and cidrHost examples.
        assert_eq!(
            call("parseCidr", vec!["10.144.0.0/20".into()]).unwrap().to_json(),
            json!({"network": "10.144.0.0", "netmask": "255.255.240.0", "broadcast": "10.144.15.255", "firstUsable": "10.144.0.1", "lastUsable": "10.144.15.254", "cidr": 20})
        );
        assert_eq!(call("cidrHost", vec!["10.144.3.0/24".into(), Value::Int(2)]).unwrap(), "10.144.3.3".into());
        assert!(call("cidrHost", vec!["10.144.3.0/24".into(), Value::Int(254)]).unwrap_err().contains("254 usable"));
        assert!(call("parseCidr", vec!["10.0.0.0".into()]).unwrap_err().contains("expects a CIDR"));
    }

    #[test]
    fn distinct_keeps_first_occurrences() {
        // The cases of Bicep's Functions_LF baseline; the expected values are ours, from the description.
        assert_eq!(
            call("distinct", vec![v(json!(["a", "b", "a", "c", "b"]))]).unwrap().to_json(),
            json!(["a", "b", "c"])
        );
        assert_eq!(call("distinct", vec![v(json!([1, 2, 3, 1, 2, 4]))]).unwrap().to_json(), json!([1, 2, 3, 4]));
        assert_eq!(
            call("distinct", vec![v(json!([{"a": 1}, {"a": 1}, {"b": 2}]))]).unwrap().to_json(),
            json!([{"a": 1}, {"b": 2}])
        );
        assert!(call("distinct", vec![Value::from("aab")]).unwrap_err().contains("'distinct' expects an array"));
        assert!(call("distinct", vec![]).unwrap_err().contains("'distinct' takes 1 argument, got 0"));
        let unknown = Value::unknown("only known at deploy time");
        assert_eq!(call("distinct", vec![Value::Array(vec![Value::Int(1), unknown.clone()])]).unwrap(), unknown);
    }
}
