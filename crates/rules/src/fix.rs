//! Fixes: the `az` commands a person would run, and the same change as JSON-pointer edits on the
//! ARM documents, from which the JSON merge patch (RFC 7396) of each changed document is derived.

use privlink_model::{Document, ResourceId};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Whether a rule offers a fix (after ruff's `FixAvailability`): the catalogue test checks that a
/// rule declaring one fixes every finding of its positive scenario and that `Never` offers none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    /// Every finding has a fix.
    Always,
    /// Some findings have one; the rule's documentation says when not.
    Sometimes,
    /// No finding has one; the rule's documentation says why.
    Never,
}

/// How to make a finding go away: the `az` commands and the same change as document edits (a test
/// applies the edits and checks the finding disappears).
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub az: Vec<String>,
    pub edits: Vec<Edit>,
}

/// One change to one ARM document. Pointers are JSON pointers (RFC 6901) into the document body.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub document: ResourceId,
    pub op: Op,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Creates the document with these top-level members (ARM takes `id`, `name` and `type` from
    /// its URL): how a fix adds a missing link, record or rule.
    Create(Map<String, Value>),
    /// Sets an object member, inserts before an array index, or appends at `-` (or past the end);
    /// what is missing on the way is created.
    Add { pointer: String, value: Value },
    /// Replaces the value at `pointer`, or adds it where there is none.
    Replace { pointer: String, value: Value },
    /// Removes the value at `pointer`; nothing happens when there is none.
    Remove { pointer: String },
}

impl Edit {
    /// Creates `document` with `body` (a JSON object of top-level members).
    pub fn create(document: &ResourceId, body: Value) -> Self {
        let Value::Object(members) = body else { panic!("a document body is an object") };
        Edit { document: document.clone(), op: Op::Create(members) }
    }

    pub fn add(document: &ResourceId, pointer: impl Into<String>, value: Value) -> Self {
        Edit { document: document.clone(), op: Op::Add { pointer: pointer.into(), value } }
    }

    pub fn replace(document: &ResourceId, pointer: impl Into<String>, value: Value) -> Self {
        Edit { document: document.clone(), op: Op::Replace { pointer: pointer.into(), value } }
    }

    pub fn remove(document: &ResourceId, pointer: impl Into<String>) -> Self {
        Edit { document: document.clone(), op: Op::Remove { pointer: pointer.into() } }
    }

    /// Removes the members `indices` of the array at `pointer`, highest first so that each index
    /// still names the member it was computed for.
    pub fn remove_members(document: &ResourceId, pointer: &str, indices: &[usize]) -> Vec<Self> {
        let mut sorted = indices.to_vec();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        sorted.into_iter().map(|i| Edit::remove(document, format!("{pointer}/{i}"))).collect()
    }
}

/// A JSON pointer token for an object key (`~` and `/` escaped, RFC 6901).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The document `document` is before a fix that creates it: what ARM derives from its URL.
pub fn skeleton(document: &ResourceId) -> Value {
    serde_json::json!({"id": document.to_string(), "name": document.name(), "type": document.resource_type()})
}

/// A document's change as a JSON merge patch (RFC 7396). Applying `merge` to the document (or to
/// an empty one, when the fix creates it) gives the fixed document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Patch {
    pub document: ResourceId,
    pub merge: Value,
}

/// The bodies of the documents `edits` change or create, after the edits, in `documents`' order.
pub fn apply<'a>(
    documents: &BTreeMap<ResourceId, Document>,
    edits: impl IntoIterator<Item = &'a Edit>,
) -> BTreeMap<ResourceId, Value> {
    let mut changed: BTreeMap<ResourceId, Value> = BTreeMap::new();
    for edit in edits {
        let body = changed.entry(edit.document.clone()).or_insert_with(|| {
            documents.get(&edit.document).map_or_else(|| skeleton(&edit.document), |d| d.body.clone())
        });
        apply_op(body, &edit.op);
    }
    changed
}

impl Fix {
    /// One merge patch per document the fix changes, in the order the edits first name them: the
    /// difference between the document before and after the edits.
    pub fn merge_patches(&self, documents: &BTreeMap<ResourceId, Document>) -> Vec<Patch> {
        let after = apply(documents, &self.edits);
        let mut order: Vec<&ResourceId> = Vec::new();
        for e in &self.edits {
            if !order.contains(&&e.document) {
                order.push(&e.document);
            }
        }
        order
            .into_iter()
            .filter_map(|id| {
                let before = documents.get(id).map_or_else(|| skeleton(id), |d| d.body.clone());
                let merge = merge_patch_between(&before, &after[id])?;
                Some(Patch { document: id.clone(), merge })
            })
            .collect()
    }
}

/// The RFC 7396 merge patch that turns `before` into `after`, or `None` when they are equal:
/// changed and added members in `after`'s order, then `null` for each removed one. Arrays are
/// replaced whole, as the RFC has it.
pub fn merge_patch_between(before: &Value, after: &Value) -> Option<Value> {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut out = Map::new();
            for (k, av) in a {
                match b.get(k) {
                    Some(bv) => {
                        if let Some(p) = merge_patch_between(bv, av) {
                            out.insert(k.clone(), p);
                        }
                    }
                    None => {
                        out.insert(k.clone(), av.clone());
                    }
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (b, a) if b == a => None,
        (_, a) => Some(a.clone()),
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Splits a pointer into its parent's tokens and the last token.
fn split(pointer: &str) -> (Vec<String>, String) {
    let mut tokens: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    let last = tokens.pop().expect("a pointer below the document root");
    (tokens, last)
}

/// The container the parent tokens name. With `create`, what is missing or not a container on the
/// way becomes one (an array where the next token is an index or `-`, else an object), as a merge
/// patch would make it.
fn parent<'a>(root: &'a mut Value, tokens: &[String], last: &str, create: bool) -> Option<&'a mut Value> {
    let mut cur = root;
    for (k, t) in tokens.iter().enumerate() {
        let next = tokens.get(k + 1).map_or(last, String::as_str);
        cur = match cur {
            Value::Object(m) => {
                if create && !m.get(t).is_some_and(|c| c.is_object() || c.is_array()) {
                    let is_index = next == "-" || next.parse::<usize>().is_ok();
                    m.insert(t.clone(), if is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) });
                }
                m.get_mut(t)?
            }
            Value::Array(v) => v.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn apply_op(body: &mut Value, op: &Op) {
    match op {
        Op::Create(members) => {
            if !body.is_object() {
                *body = Value::Object(Map::new());
            }
            let doc = body.as_object_mut().expect("just made an object");
            doc.extend(members.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Op::Add { pointer, value } | Op::Replace { pointer, value } => {
            let (tokens, last) = split(pointer);
            let insert = matches!(op, Op::Add { .. });
            match parent(body, &tokens, &last, true) {
                Some(Value::Array(v)) => match last.parse::<usize>().ok().filter(|i| *i < v.len()) {
                    Some(i) if insert => v.insert(i, value.clone()),
                    Some(i) => v[i] = value.clone(),
                    None => v.push(value.clone()),
                },
                Some(Value::Object(m)) => {
                    m.insert(last, value.clone());
                }
                _ => {}
            }
        }
        Op::Remove { pointer } => {
            let (tokens, last) = split(pointer);
            match parent(body, &tokens, &last, false) {
                Some(Value::Array(v)) => {
                    if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < v.len()) {
                        v.remove(i);
                    }
                }
                Some(Value::Object(m)) => {
                    m.shift_remove(&last);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn documents(body: Value) -> (ResourceId, BTreeMap<ResourceId, Document>) {
        let id =
            ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv").unwrap();
        let doc = Document { id: id.clone(), body, origin: privlink_model::Origin::new("t", "") };
        (id.clone(), BTreeMap::from([(id, doc)]))
    }

    #[test]
    fn editing_an_array_member_patches_the_whole_array() {
        let (id, docs) = documents(
            json!({"properties": {"networkAcls": {"ipRules": [{"value": "10.0.0.1"}, {"value": "203.0.113.7"}, {"value": "10.0.0.2"}]}}}),
        );
        let fix = Fix { az: vec![], edits: Edit::remove_members(&id, "/properties/networkAcls/ipRules", &[0, 2]) };
        let patches = fix.merge_patches(&docs);
        assert_eq!(
            patches,
            vec![Patch {
                document: id,
                merge: json!({"properties": {"networkAcls": {"ipRules": [{"value": "203.0.113.7"}]}}})
            }]
        );
    }

    #[test]
    fn removed_members_become_null_and_unchanged_ones_are_left_out() {
        let (id, docs) = documents(json!({"properties": {"a": 1, "b": [1], "c": {"d": "e"}}}));
        let fix = Fix {
            az: vec![],
            edits: vec![
                Edit::remove(&id, "/properties/a"),
                Edit::replace(&id, "/properties/b/0", json!(1)),
                Edit::add(&id, "/properties/c/f", json!("g")),
                Edit::remove(&id, "/properties/absent"),
            ],
        };
        let merge = &fix.merge_patches(&docs)[0].merge;
        assert_eq!(merge.to_string(), json!({"properties": {"c": {"f": "g"}, "a": null}}).to_string());
    }

    #[test]
    fn creating_a_document_patches_its_body_beside_what_arm_takes_from_the_url() {
        let (_, docs) = documents(json!({}));
        let link = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z/virtualNetworkLinks/l",
        )
        .unwrap();
        let fix = Fix { az: vec![], edits: vec![Edit::create(&link, json!({"location": "global", "properties": {}}))] };
        assert_eq!(fix.merge_patches(&docs)[0].merge.to_string(), r#"{"location":"global","properties":{}}"#);
        let after = apply(&docs, &fix.edits);
        assert_eq!(after[&link]["name"], "l");
        assert_eq!(after[&link]["location"], "global");
    }

    #[test]
    fn add_appends_at_dash_and_inserts_at_an_index() {
        let (id, docs) = documents(json!({"properties": {"rules": ["a", "c"]}}));
        let edits =
            [Edit::add(&id, "/properties/rules/-", json!("d")), Edit::add(&id, "/properties/rules/1", json!("b"))];
        assert_eq!(apply(&docs, &edits)[&id], json!({"properties": {"rules": ["a", "b", "c", "d"]}}));
    }
}
