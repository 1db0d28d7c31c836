//! JSON Merge Patch (RFC 7396), the semantics of ARM's PATCH.

use serde_json::{Map, Value};

/// Applies `patch` to `target` per RFC 7396: objects merge member by member, `null` removes a
/// member, anything else (arrays included) replaces the target whole.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target_fields = target.as_object_mut().expect("made an object above");
    for (key, value) in patch_fields {
        if value.is_null() {
            target_fields.remove(key);
        } else {
            merge_patch(target_fields.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::{json, Value};

    /// The examples of RFC 7396 Appendix A that ARM clients rely on.
    #[test]
    fn follows_rfc_7396_examples() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        let mut doc = json!({"a": ["b"]});
        merge_patch(&mut doc, &json!({"a": ["c"]}));
        assert_eq!(doc, json!({"a": ["c"]}));
        let mut doc = json!({"a": "foo"});
        merge_patch(&mut doc, &json!("bar"));
        assert_eq!(doc, json!("bar"));
        let mut doc = Value::Null;
        merge_patch(&mut doc, &json!({"id": "x"}));
        assert_eq!(doc, json!({"id": "x"}));
    }
}
