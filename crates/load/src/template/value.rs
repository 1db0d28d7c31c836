//! The values ARM template expressions compute with, including values only Azure knows.

use std::fmt;

/// The prefix an unknown value gets when it is written into an output document.
pub const UNKNOWN_MARKER: &str = "[unknown]";

/// A value that only Azure knows at deploy time (a `listKeys()` result, a runtime property,
/// a resource outside this deployment). The reason travels with it so reports can say why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
}

impl Unknown {
    pub fn new(reason: impl Into<String>) -> Self {
        Unknown { reason: reason.into() }
    }

    /// The string an unknown is written as in documents: `"[unknown] <reason>"`.
    pub fn marker(&self) -> String {
        format!("{UNKNOWN_MARKER} {}", self.reason)
    }
}

/// An ARM object. Property names are compared case-insensitively, as ARM does; insertion
/// order is kept so output documents read like the template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    pub entries: Vec<(String, Value)>,
    /// Set on documents returned by `reference()`: Azure adds runtime properties to them,
    /// so a property the twin does not hold is unknown rather than an error.
    pub runtime_extensible: Option<String>,
}

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, replacing an existing property whatever its case (ARM keeps the first spelling).
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            slot.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(k, _)| k.eq_ignore_ascii_case(key))?;
        Some(self.entries.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }
}

impl FromIterator<(String, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut object = Object::new();
        for (k, v) in iter {
            object.insert(k, v);
        }
        object
    }
}

/// A template value: JSON plus [`Unknown`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// From JSON literals in the template and `float()`; ARM's arithmetic is integers only.
    Float(f64),
    String(String),
    Array(Vec<Value>),
    Object(Object),
    Unknown(Unknown),
}

impl Value {
    pub fn unknown(reason: impl Into<String>) -> Value {
        Value::Unknown(Unknown::new(reason))
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// The first unknown anywhere inside this value, if any.
    pub fn find_unknown(&self) -> Option<&Unknown> {
        match self {
            Value::Unknown(u) => Some(u),
            Value::Array(items) => items.iter().find_map(Value::find_unknown),
            Value::Object(o) => o.entries.iter().find_map(|(_, v)| v.find_unknown()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The ARM type name used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
        }
    }

    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// Converts to JSON, writing each unknown as `"[unknown] <reason>"` and reporting its JSON
    /// pointer (relative to this value) to `on_unknown`.
    pub fn to_json_with(&self, pointer: &str, on_unknown: &mut dyn FnMut(&str, &Unknown)) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or_default(),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(
                items.iter().enumerate().map(|(i, v)| v.to_json_with(&format!("{pointer}/{i}"), on_unknown)).collect(),
            ),
            Value::Object(o) => serde_json::Value::Object(
                o.entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json_with(&format!("{pointer}/{}", escape_pointer(k)), on_unknown)))
                    .collect(),
            ),
            Value::Unknown(u) => {
                on_unknown(pointer, u);
                serde_json::Value::String(u.marker())
            }
        }
    }

    /// Converts to JSON, writing unknowns as marker strings.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_with("", &mut |_, _| {})
    }

    /// ARM's `string()` rendering: strings as themselves, everything else as compact JSON.
    pub fn to_arm_string(&self) -> String {
        match self {
            Value::String(s) => s.clone(),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::Null => String::new(),
            other => other.to_json().to_string(),
        }
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_arm_string())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}

/// Deep equality as ARM's `equals()` sees it: strings case-sensitive, object keys case-insensitive.
pub fn arm_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| arm_equals(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.entries.iter().all(|(k, v)| y.get(k).is_some_and(|w| arm_equals(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknowns_are_written_as_markers_with_their_pointer() {
        let value = Value::Array(vec![Value::Int(1), Value::unknown("listKeys(...) is only known at deploy time")]);
        let mut seen = Vec::new();
        let json = value.to_json_with("/properties", &mut |p, u| seen.push((p.to_string(), u.reason.clone())));
        assert_eq!(json, json!([1, "[unknown] listKeys(...) is only known at deploy time"]));
        assert_eq!(seen, vec![("/properties/1".to_string(), "listKeys(...) is only known at deploy time".to_string())]);
    }

    #[test]
    fn object_keys_are_case_insensitive() {
        let mut o = Object::new();
        o.insert("Name", Value::from("a"));
        o.insert("name", Value::from("b"));
        assert_eq!(o.len(), 1);
        assert_eq!(o.get("NAME"), Some(&Value::from("b")));
    }

    #[test]
    fn json_round_trip() {
        let doc = json!({"a": [1, true, null, "x", {"b": 2.5}]});
        assert_eq!(Value::from_json(&doc).to_json(), doc);
    }
}
