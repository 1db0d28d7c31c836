//! The estates the property test mutates: ARM documents keyed by id, loaded the way the CLI loads
//! them, and written back out as a directory the CLI can replay.

use privlink_engine::catalog;
use privlink_load::documents::DocumentCollector;
use privlink_load::Input;
use privlink_model::{Model, Origin};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One estate as documents, one per id (inline children taken out of their parents, so that
/// deleting or editing a child is one edit on one document). Keyed by the lower-cased id: ARM
/// ids are case-insensitive.
#[derive(Clone)]
pub struct Estate {
    pub name: String,
    pub docs: BTreeMap<String, Value>,
}

impl Estate {
    /// Normalises parsed inputs into one document per id, as the loader merges them.
    fn from_collector(name: String, collector: DocumentCollector) -> Option<Estate> {
        let collected = collector.finish();
        if !collected.templates.is_empty() {
            return None;
        }
        let docs = collected
            .documents
            .into_values()
            .map(|d| {
                let mut body = d.body;
                if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                    for children in catalog::inline_children_of(&d.id) {
                        props.remove(children.property);
                    }
                }
                (d.id.to_string().to_ascii_lowercase(), body)
            })
            .collect();
        Some(Estate { name, docs })
    }

    pub fn from_documents(name: String, documents: Vec<Value>) -> Estate {
        let mut c = DocumentCollector::new();
        c.add_value("estate.json", Value::Array(documents));
        Estate::from_collector(name, c).expect("generated documents are not templates")
    }

    /// The estate in a directory of JSON files (`None` for a template estate: it needs a deployment).
    pub fn from_dir(name: String, dir: &Path) -> Option<Estate> {
        let mut files = Vec::new();
        collect_json(dir, &mut files);
        files.sort();
        let inputs: Vec<Input> = files
            .iter()
            .map(|f| Input::new(f.display().to_string(), std::fs::read(f).expect("scenario file is readable")))
            .collect();
        let collector = privlink_load::documents::collect(&inputs).ok()?;
        Estate::from_collector(name, collector)
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.docs.get(&id.to_ascii_lowercase())
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.docs.get_mut(&id.to_ascii_lowercase())
    }

    pub fn insert(&mut self, doc: Value) {
        let id = doc["id"].as_str().expect("a document has an id").to_ascii_lowercase();
        self.docs.insert(id, doc);
    }

    pub fn remove(&mut self, id: &str) -> Option<Value> {
        self.docs.remove(&id.to_ascii_lowercase())
    }

    /// Ids (as written) of the documents of ARM type `ty` (case-insensitive).
    pub fn ids_of_type(&self, ty: &str) -> Vec<String> {
        self.docs
            .values()
            .filter(|d| d["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(ty)))
            .filter_map(|d| d["id"].as_str().map(str::to_string))
            .collect()
    }

    /// Writes one file per document into `dir`, in id order: `privlink --estate DIR` replays it.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (i, doc) in self.docs.values().enumerate() {
            let name =
                doc["name"].as_str().unwrap_or("doc").replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
            let text = serde_json::to_string_pretty(doc).expect("a JSON value serialises");
            std::fs::write(dir.join(format!("{i:04}-{name}.json")), text)?;
        }
        Ok(())
    }
}

/// The model of an estate, loaded as the CLI loads a directory of documents. The one place the
/// test calls the loader's entry points.
pub fn model_of(estate: &Estate) -> Model {
    privlink_load::load_documents(
        estate.docs.values().enumerate().map(|(i, d)| (d.clone(), Origin::new("estate.json", format!("/{i}")))),
    )
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("scenario directory is readable") {
        let p = e.expect("directory entry").path();
        if p.is_dir() {
            collect_json(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
            out.push(p);
        }
    }
}

/// The estates mutations start from: every document estate under `scenarios/` (the seed estate
/// and each scenario's `estate` directory) and small estate-gen landing zones.
pub fn base_estates(generated: &[(usize, u64)]) -> Vec<Estate> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut dirs = vec![root.join("seed-estate")];
    find_estate_dirs(&root, &mut dirs);
    dirs.sort();
    dirs.dedup();
    let mut out: Vec<Estate> = dirs
        .iter()
        .filter_map(|d| {
            let name = d.strip_prefix(&root).unwrap_or(d).display().to_string();
            Estate::from_dir(format!("scenarios/{name}"), d)
        })
        .collect();
    for &(resources, seed) in generated {
        let e = estate_gen::generate(resources, seed);
        out.push(Estate::from_documents(format!("estate-gen {resources} {seed}"), estate_gen::documents(&e)));
    }
    out
}

fn find_estate_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_dir() {
            continue;
        }
        if p.file_name().is_some_and(|n| n == "estate") {
            out.push(p);
        } else {
            find_estate_dirs(&p, out);
        }
    }
}
