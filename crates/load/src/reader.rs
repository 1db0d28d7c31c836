//! Typed reads from one document, turning wrong input into diagnostics that name the place.

use privlink_model::{DnsName, LoadDiagnostic, Origin, ResourceId, Severity};
use serde_json::Value;
use std::net::IpAddr;

/// Reads fields of one resource document. Every failed read records a diagnostic with the file,
/// the JSON pointer and what was expected, and returns `None` so loading continues.
pub struct Reader<'a> {
    pub id: &'a ResourceId,
    pub body: &'a Value,
    pub origin: &'a Origin,
    pub diagnostics: &'a mut Vec<LoadDiagnostic>,
    /// Every document of the estate: a reference to one of them takes the casing of that
    /// document's own id, so output does not depend on how each reference was typed.
    pub documents: &'a std::collections::BTreeMap<ResourceId, privlink_model::Document>,
}

impl<'a> Reader<'a> {
    pub fn diag(&mut self, severity: Severity, code: &'static str, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(LoadDiagnostic::new(severity, code, &self.origin.at(pointer), message).about(self.id));
    }

    fn wrong_type(&mut self, pointer: &str, expected: &str, found: &Value) {
        let found = match found {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        self.diag(Severity::Error, "LOAD008", pointer, format!("expected {expected}, found {found}"));
    }

    /// The value at `pointer`; `None` when it is absent, null, or a value only Azure knows (a
    /// template's unknown, already reported once as `LOAD016`): what privlink cannot know is
    /// left out, never validated as if it were the text of its marker.
    pub fn get(&self, pointer: &str) -> Option<&'a Value> {
        lookup(self.body, pointer).filter(|v| !v.is_null() && !is_unknown(v))
    }

    pub fn str(&mut self, pointer: &str) -> Option<&'a str> {
        let v = self.get(pointer)?;
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                self.wrong_type(pointer, "a string", v);
                None
            }
        }
    }

    pub fn string(&mut self, pointer: &str) -> Option<String> {
        self.str(pointer).map(str::to_string)
    }

    /// A boolean; ARM sometimes serialises booleans as strings ("true"), which is accepted.
    pub fn bool(&mut self, pointer: &str) -> Option<bool> {
        let v = self.get(pointer)?;
        match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.wrong_type(pointer, "a boolean", v);
                None
            }
        }
    }

    pub fn int(&mut self, pointer: &str) -> Option<i64> {
        let v = self.get(pointer)?;
        match v {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                self.wrong_type(pointer, "an integer", v);
                None
            }
        }
    }

    pub fn array(&mut self, pointer: &str) -> &'a [Value] {
        match self.get(pointer) {
            None => &[],
            Some(Value::Array(a)) => a,
            Some(v) => {
                self.wrong_type(pointer, "an array", v);
                &[]
            }
        }
    }

    /// Strings of an array (non-strings are diagnosed and skipped).
    pub fn strings(&mut self, pointer: &str) -> Vec<String> {
        let arr = self.array(pointer);
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            if is_unknown(v) {
                continue;
            }
            match v.as_str() {
                Some(s) => out.push(s.to_string()),
                None => self.wrong_type(&format!("{pointer}/{i}"), "a string", v),
            }
        }
        out
    }

    /// The estate's own spelling of `id` (the casing of the resource's document), if it is in the estate.
    pub fn canonical(&self, id: ResourceId) -> ResourceId {
        self.documents.get_key_value(&id).map(|(k, _)| k.clone()).unwrap_or(id)
    }

    pub fn parse_id(&mut self, pointer: &str, text: &str) -> Option<ResourceId> {
        match ResourceId::parse(text) {
            Ok(id) => Some(self.documents.get_key_value(&id).map(|(k, _)| k.clone()).unwrap_or(id)),
            Err(e) => {
                self.diag(Severity::Error, "LOAD003", pointer, e.to_string());
                None
            }
        }
    }

    /// A resource reference: either `{"id": "..."}` at `pointer` or a bare id string.
    pub fn reference(&mut self, pointer: &str) -> Option<ResourceId> {
        let v = self.get(pointer)?;
        let (text, at) = match v {
            Value::String(s) => (s.as_str(), pointer.to_string()),
            Value::Object(o) => match o.get("id") {
                Some(unknown) if is_unknown(unknown) => return None,
                Some(Value::String(s)) => (s.as_str(), format!("{pointer}/id")),
                Some(Value::Null) | None => return None,
                Some(other) => {
                    self.wrong_type(&format!("{pointer}/id"), "a resource id string", other);
                    return None;
                }
            },
            other => {
                self.wrong_type(pointer, "a resource reference {\"id\": \"...\"}", other);
                return None;
            }
        };
        self.parse_id(&at, text)
    }

    /// References from an array of `{"id": ...}` objects.
    pub fn references(&mut self, pointer: &str) -> Vec<ResourceId> {
        let n = self.array(pointer).len();
        (0..n).filter_map(|i| self.reference(&format!("{pointer}/{i}"))).collect()
    }

    pub fn prefix(&mut self, pointer: &str, text: &str) -> Option<ipnet::IpNet> {
        match text.trim().parse::<ipnet::IpNet>() {
            Ok(net) if net.trunc() == net => Some(net),
            Ok(net) => {
                self.diag(
                    Severity::Error,
                    "LOAD005",
                    pointer,
                    format!("prefix {text} has host bits set; Azure requires the network address ({})", net.trunc()),
                );
                None
            }
            Err(_) => {
                self.diag(
                    Severity::Error,
                    "LOAD005",
                    pointer,
                    format!("'{text}' is not a valid IP prefix; expected CIDR notation such as 10.0.1.0/24"),
                );
                None
            }
        }
    }

    pub fn ip(&mut self, pointer: &str, text: &str) -> Option<IpAddr> {
        match text.trim().parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                self.diag(Severity::Error, "LOAD010", pointer, format!("'{text}' is not a valid IP address"));
                None
            }
        }
    }

    pub fn dns_name(&mut self, pointer: &str, text: &str) -> Option<DnsName> {
        match DnsName::parse(text) {
            Ok(n) => Some(n),
            Err(e) => {
                self.diag(Severity::Error, "LOAD011", pointer, e.to_string());
                None
            }
        }
    }

    pub fn missing(&mut self, pointer: &str, what: &str) {
        if lookup(self.body, pointer).is_some_and(holds_unknown) {
            // Present but only known at deploy time: LOAD016 already says so.
            return;
        }
        self.diag(Severity::Error, "LOAD007", pointer, format!("required field is missing: expected {what}"));
    }
}

/// Whether `value` is a template value only Azure knows, as evaluation writes it.
pub fn is_unknown(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.starts_with(crate::template::UNKNOWN_MARKER))
}

/// Whether `value` is, or holds, a value only Azure knows (`{"id": "[unknown] …"}`).
pub fn holds_unknown(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(holds_unknown),
        Value::Object(fields) => fields.values().any(holds_unknown),
        other => is_unknown(other),
    }
}

/// Objects with at most this many keys are searched by comparing keys: ARM objects are small, and
/// hashing a key with the map's SipHash costs more than a few short comparisons.
const SCAN_KEYS: usize = 12;

/// Resolves a JSON pointer (RFC 6901) without allocating for tokens that need no unescaping.
/// `serde_json::Value::pointer` allocates per token; typing reads ~20 fields per resource, so this
/// is most of the difference on large estates (crates/load/benches/load.rs).
pub fn lookup<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut current = value;
    for token in rest.split('/') {
        current = match current {
            Value::Object(map) => {
                if token.contains('~') {
                    map.get(&token.replace("~1", "/").replace("~0", "~"))?
                } else if map.len() <= SCAN_KEYS {
                    map.iter().find_map(|(k, v)| (k == token).then_some(v))?
                } else {
                    map.get(token)?
                }
            }
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::lookup;
    use serde_json::json;

    #[test]
    fn lookup_agrees_with_serde_json_pointer() {
        let v = json!({"a": {"b/c": [1, {"d~e": true}]}, "": 0});
        for p in ["", "/a", "/a/b~1c", "/a/b~1c/0", "/a/b~1c/1/d~0e", "/a/x", "/a/b~1c/9", "/", "/a/b~1c/x"] {
            assert_eq!(lookup(&v, p), v.pointer(p), "{p}");
        }
    }
}
