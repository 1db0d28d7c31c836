//! From parsed inputs to one document per resource id.
//!
//! Azure returns some children inline (a VNet's subnets, an NSG's rules) and also at their own
//! URL. Both forms become one document per id here: a standalone document wins over the inline
//! copy and the inline copy fills what the standalone one lacks.

use crate::detect::{detect, into_resource_objects, Format};
use crate::input::{pointer_token, Input};
use privlink_engine::catalog::{self, InlineChildren};
use privlink_model::{Document, LoadDiagnostic, Origin, ResourceId, Severity};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a [`DocumentCollector`] gathered.
pub struct Collected {
    pub documents: BTreeMap<ResourceId, Document>,
    pub diagnostics: Vec<LoadDiagnostic>,
    /// Deployment templates found among the inputs, by file name.
    pub templates: Vec<(String, Value)>,
    /// Terraform plans found among the inputs, by file name.
    pub plans: Vec<(String, Value)>,
}

struct Entry {
    doc: Document,
    inline: bool,
}

/// Collects documents from many inputs. Feed inputs in a stable order (the CLI sorts paths).
#[derive(Default)]
pub struct DocumentCollector {
    entries: BTreeMap<ResourceId, Entry>,
    pub diagnostics: Vec<LoadDiagnostic>,
    /// Inputs that were templates or parameters files, by name: the caller routes them elsewhere.
    pub templates: Vec<(String, Value)>,
    /// Inputs that were Terraform plans, by name: mapped to documents by the caller.
    pub plans: Vec<(String, Value)>,
}

impl DocumentCollector {
    pub fn new() -> DocumentCollector {
        DocumentCollector::default()
    }

    /// Adds one parsed input.
    pub fn add_value(&mut self, file: &str, value: Value) {
        self.add_extracted(file, extract(file, value));
    }

    /// Adds what [`extract`] took out of one input (possibly on another thread), in input order.
    pub fn add_extracted(&mut self, file: &str, extracted: Extracted) {
        self.diagnostics.extend(extracted.diagnostics);
        if let Some(t) = extracted.template {
            self.templates.push((file.to_string(), t));
        }
        if let Some(p) = extracted.plan {
            self.plans.push((file.to_string(), p));
        }
        for (doc, inline) in extracted.documents {
            self.insert(doc, inline);
        }
    }

    /// Adds a document produced elsewhere (template evaluation, the twin's store).
    pub fn add_document(&mut self, body: Value, origin: Origin) {
        let mut out = Extracted::default();
        extract_resource(body, origin, false, &mut out);
        self.diagnostics.extend(out.diagnostics);
        for (doc, inline) in out.documents {
            self.insert(doc, inline);
        }
    }

    fn insert(&mut self, doc: Document, inline: bool) {
        let id = doc.id.clone();
        match self.entries.get_mut(&id) {
            None => {
                self.entries.insert(id, Entry { doc, inline });
            }
            Some(existing) => {
                if same_content(&existing.doc.body, &doc.body) {
                    return;
                }
                match (existing.inline, inline) {
                    (true, false) => {
                        let mut body = doc.body.clone();
                        fill_missing(&mut body, &existing.doc.body);
                        *existing = Entry { doc: Document { body, ..doc }, inline: false };
                    }
                    (false, true) => fill_missing(&mut existing.doc.body, &doc.body),
                    _ => self.diagnostics.push(
                        LoadDiagnostic::new(
                            Severity::Warning,
                            "LOAD004",
                            &doc.origin,
                            format!(
                                "{} is defined twice with different content, here and at {}; the first is used",
                                id, existing.doc.origin
                            ),
                        )
                        .about(&id),
                    ),
                }
            }
        }
    }

    pub fn finish(self) -> Collected {
        let documents = self.entries.into_iter().map(|(k, e)| (k, e.doc)).collect();
        Collected { documents, diagnostics: self.diagnostics, templates: self.templates, plans: self.plans }
    }
}

/// What one input holds: its documents in order (inline children flagged), its diagnostics, or
/// the template it is. Pure, so inputs are extracted in parallel.
#[derive(Default)]
pub struct Extracted {
    pub documents: Vec<(Document, bool)>,
    pub diagnostics: Vec<LoadDiagnostic>,
    pub template: Option<Value>,
    pub plan: Option<Value>,
}

/// Detects the format of one parsed input and takes its resource documents out.
pub fn extract(file: &str, value: Value) -> Extracted {
    let mut out = Extracted::default();
    let format = detect(&value);
    match format {
        Format::DeploymentTemplate => {
            out.template = Some(value);
            return out;
        }
        Format::TerraformPlan => {
            out.plan = Some(value);
            return out;
        }
        Format::DeploymentParameters => {
            out.diagnostics.push(LoadDiagnostic::new(
                Severity::Error,
                "LOAD013",
                &Origin::new(file, ""),
                "this is a deployment parameters file, not an estate; pass it with --parameters next to its template",
            ));
            return out;
        }
        Format::Unknown => {
            out.diagnostics.push(LoadDiagnostic::new(
                Severity::Error,
                "LOAD002",
                &Origin::new(file, ""),
                "not an ARM document: expected an object with \"id\" and \"type\", an array of them, {\"value\": [...]}, {\"data\": [...]}, a REST API example, a deployment template or a Terraform plan (terraform show -json)",
            ));
            return out;
        }
        _ => {}
    }
    let file: std::sync::Arc<str> = std::sync::Arc::from(file);
    for item in into_resource_objects(value, &format) {
        match item {
            Ok((obj, pointer)) => extract_resource(obj, Origin::new(file.clone(), pointer), false, &mut out),
            Err(pointer) => out.diagnostics.push(LoadDiagnostic::new(
                Severity::Error,
                "LOAD002",
                &Origin::new(file.clone(), pointer),
                "expected a resource object here",
            )),
        }
    }
    out
}

fn extract_resource(obj: Value, origin: Origin, inline: bool, out: &mut Extracted) {
    let Some(id_text) = obj.get("id").and_then(Value::as_str) else {
        out.diagnostics.push(LoadDiagnostic::new(
            Severity::Error,
            "LOAD007",
            &origin,
            "resource has no \"id\" string; expected the full ARM resource id",
        ));
        return;
    };
    let id = match ResourceId::parse(id_text) {
        Ok(id) => id,
        Err(e) => {
            out.diagnostics.push(LoadDiagnostic::new(Severity::Error, "LOAD003", &origin.at("/id"), e.to_string()));
            return;
        }
    };
    if let Some(ty) = obj.get("type").and_then(Value::as_str) {
        if !ty.eq_ignore_ascii_case(&id.resource_type()) {
            out.diagnostics.push(
                LoadDiagnostic::new(
                    Severity::Warning,
                    "LOAD014",
                    &origin.at("/type"),
                    format!("\"type\" is {ty} but the id names a {}; the id is used", id.resource_type()),
                )
                .about(&id),
            );
        }
    }
    for &InlineChildren { property, segment: child_segment, .. } in catalog::inline_children_of(&id) {
        let Some(children) = obj.pointer(&format!("/properties/{property}")).and_then(Value::as_array) else {
            continue;
        };
        for (i, child) in children.iter().enumerate() {
            let child_origin = origin.at(&format!("/properties/{}/{i}", pointer_token(property)));
            let Some(child_obj) = child.as_object() else {
                out.diagnostics.push(LoadDiagnostic::new(
                    Severity::Error,
                    "LOAD008",
                    &child_origin,
                    format!("expected an object in {property}"),
                ));
                continue;
            };
            let mut filled = child_obj.clone();
            // An inline child is named by its `name`: an `id` that is not a child of this resource
            // (a template that writes the parent's id, `[resourceId(...nsg)]`, into each rule) does
            // not make it another resource.
            let names_a_child = filled
                .get("id")
                .and_then(Value::as_str)
                .and_then(|text| ResourceId::parse(text).ok())
                .is_some_and(|child| child.parent().as_ref() == Some(&id));
            if !names_a_child && filled.get("name").and_then(Value::as_str).is_some() {
                filled.remove("id");
            }
            if !filled.contains_key("id") {
                let Some(name) = filled.get("name").and_then(Value::as_str) else {
                    out.diagnostics.push(LoadDiagnostic::new(
                        Severity::Error,
                        "LOAD007",
                        &child_origin,
                        "inline child has neither \"id\" nor \"name\"",
                    ));
                    continue;
                };
                filled.insert("id".into(), Value::String(id.child(child_segment, name).to_string()));
            }
            if !filled.contains_key("type") {
                filled.insert("type".into(), Value::String(format!("{}/{}", id.resource_type(), child_segment)));
            }
            extract_resource(Value::Object(filled), child_origin, true, out);
        }
    }
    out.documents.push((Document { id, body: obj, origin }, inline));
}

/// Equal apart from `etag`, which Azure changes on every write and exports capture at different times.
fn same_content(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter().filter(|(k, _)| k.as_str() != "etag").map(|(k, v)| (k.clone(), strip(v))).collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    a == b || strip(a) == strip(b)
}

/// Copies keys of `from` that `into` lacks, recursing into objects present in both.
fn fill_missing(into: &mut Value, from: &Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        fill_map(into, from);
    }
}

fn fill_map(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match into.get_mut(k) {
            None => {
                into.insert(k.clone(), v.clone());
            }
            Some(existing) => fill_missing(existing, v),
        }
    }
}

/// Parses and collects many inputs. Parsing and extraction are spread over the machine's cores
/// (pure work on bytes already read); documents are then added in input order, so the result does
/// not depend on scheduling. A large input that is one JSON array (an export, `az resource list`)
/// is split by element, so a single 100 MB file is parsed on every core too.
pub fn collect(inputs: &[Input]) -> Result<DocumentCollector, crate::InputError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut jobs: Vec<Job> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        match large_array_items(input, workers) {
            Some(items) => {
                let chunk = items.len().div_ceil(workers).max(1);
                let items: std::sync::Arc<[&serde_json::value::RawValue]> = items.into();
                for start in (0..items.len()).step_by(chunk) {
                    let end = (start + chunk).min(items.len());
                    jobs.push(Job { input: index, items: Some((items.clone(), start..end)) });
                }
                if items.is_empty() {
                    jobs.push(Job { input: index, items: Some((items, 0..0)) });
                }
            }
            None => jobs.push(Job { input: index, items: None }),
        }
    }
    // Jobs are dealt round-robin so that each worker gets a share of every split input.
    let results: Vec<(usize, Result<Extracted, crate::InputError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(jobs.len()).max(1))
            .map(|w| {
                let jobs = &jobs;
                scope.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .skip(w)
                        .step_by(workers)
                        .map(|(n, job)| (n, job.run(&inputs[job.input])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<_> =
            handles.into_iter().flat_map(|h| h.join().expect("JSON parsing does not panic")).collect();
        all.sort_by_key(|(n, _)| *n);
        all
    });
    let mut c = DocumentCollector::new();
    for (n, extracted) in results {
        c.add_extracted(&inputs[jobs[n].input].name, extracted?);
    }
    Ok(c)
}

/// Inputs smaller than this are parsed whole: splitting costs a second pass over the bytes.
const SPLIT_ARRAY_BYTES: usize = 4 << 20;

/// One unit of parsing work: a whole input, or a range of the elements of a large top-level array.
struct Job<'i> {
    input: usize,
    items: Option<(std::sync::Arc<[&'i serde_json::value::RawValue]>, std::ops::Range<usize>)>,
}

impl Job<'_> {
    fn run(&self, input: &Input) -> Result<Extracted, crate::InputError> {
        let Some((items, range)) = &self.items else {
            return crate::input::parse_json(input).map(|v| extract(&input.name, v));
        };
        let file: std::sync::Arc<str> = std::sync::Arc::from(input.name.as_str());
        let mut out = Extracted::default();
        for i in range.clone() {
            let origin = Origin::new(file.clone(), format!("/{i}"));
            match serde_json::from_str::<Value>(items[i].get()) {
                Ok(v) if v.is_object() => extract_resource(v, origin, false, &mut out),
                // The whole input was valid JSON, so an element parses; what is not an object is reported.
                _ => out.diagnostics.push(LoadDiagnostic::new(
                    Severity::Error,
                    "LOAD002",
                    &origin,
                    "expected a resource object here",
                )),
            }
        }
        Ok(out)
    }
}

/// The elements of `input` when it is a large top-level JSON array worth splitting across
/// `workers`; `None` otherwise, and for input that is not valid JSON (the whole-input parse then
/// reports where it breaks).
fn large_array_items(input: &Input, workers: usize) -> Option<Vec<&serde_json::value::RawValue>> {
    let bytes = input.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&input.bytes);
    if workers < 2 || bytes.len() < SPLIT_ARRAY_BYTES || bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[')
    {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A top-level array above the split threshold, with one element that is not an object.
    fn large_array() -> Input {
        let mut items: Vec<Value> = (0..6_000)
            .map(|i| {
                serde_json::json!({
                    "id": format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet{i}"),
                    "type": "Microsoft.Network/virtualNetworks",
                    "location": "westeurope",
                    "properties": {
                        "addressSpace": {"addressPrefixes": [format!("10.{}.{}.0/24", i / 256, i % 256)]},
                        "subnets": [{"name": "a", "properties": {"addressPrefix": format!("10.{}.{}.0/26", i / 256, i % 256)}}],
                        "padding": "x".repeat(700),
                    }
                })
            })
            .collect();
        items[4_321] = Value::from(42);
        let bytes = serde_json::to_vec(&items).unwrap();
        assert!(bytes.len() > SPLIT_ARRAY_BYTES, "the test input must take the split path");
        Input::new("big.json", bytes)
    }

    #[test]
    fn a_split_array_gives_what_parsing_it_whole_gives() {
        let input = large_array();
        let split = collect(std::slice::from_ref(&input)).unwrap().finish();
        let mut whole = DocumentCollector::new();
        whole.add_value(&input.name, crate::input::parse_json(&input).unwrap());
        let whole = whole.finish();
        assert_eq!(split.documents.len(), 12_000 - 2, "5,999 VNets and their subnets");
        assert!(split.documents.keys().eq(whole.documents.keys()));
        for (a, b) in split.documents.values().zip(whole.documents.values()) {
            assert_eq!((&a.body, a.origin.to_string()), (&b.body, b.origin.to_string()));
        }
        let shown = |c: &Collected| c.diagnostics.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
        assert_eq!(shown(&split), shown(&whole));
        assert!(shown(&split).iter().any(|d| d.contains("LOAD002") && d.contains("/4321")), "{:?}", shown(&split));
    }
}
