//! The same estate, given in another document order and with references cased differently,
//! gives byte-identical output.

use privlink_load::{load, Input, Options};
use privlink_report::inventory::Inventory;
use serde_json::Value;
use std::path::Path;

fn seed_inputs() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().to_string(),
                serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap(),
            )
        })
        .collect()
}

fn is_resource(map: &serde_json::Map<String, Value>) -> bool {
    map.contains_key("id") && (map.contains_key("type") || map.contains_key("properties") || map.contains_key("name"))
}

/// Lower-cases every id that is a *reference* (not a resource's own id) and reverses arrays of
/// resources.
fn scramble(v: &mut Value, own_id: bool) {
    match v {
        Value::String(s) if !own_id && s.starts_with("/subscriptions/") => *s = s.to_lowercase(),
        Value::Array(items) => {
            if items.iter().all(|i| i.as_object().is_some_and(is_resource)) {
                items.reverse();
            }
            for i in items {
                scramble(i, false);
            }
        }
        Value::Object(map) => {
            let resource = is_resource(map);
            for (k, val) in map.iter_mut() {
                scramble(val, resource && k == "id");
            }
        }
        _ => {}
    }
}

fn inventory_json(inputs: &[(String, Value)]) -> String {
    let inputs: Vec<Input> =
        inputs.iter().map(|(n, v)| Input::new(n.clone(), serde_json::to_vec(v).unwrap())).collect();
    let model = load(inputs, &Options::default()).unwrap();
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let analysis = privlink_rules::Analysis::new(&model);
    let graph = privlink_report::graph::build(&model, &analysis, &Default::default());
    serde_json::to_string_pretty(&Inventory::new(&model, "seed")).unwrap()
        + &Inventory::new(&model, "seed").to_text()
        + &privlink_report::graph::to_mermaid(&graph)
        + &privlink_report::graph::to_svg(&graph)
}

#[test]
fn document_order_and_reference_casing_do_not_change_output() {
    let original = seed_inputs();
    let mut scrambled = original.clone();
    scrambled.reverse();
    for (_, v) in &mut scrambled {
        scramble(v, false);
    }
    assert_ne!(serde_json::to_string(&original).unwrap(), serde_json::to_string(&scrambled).unwrap());
    assert_eq!(inventory_json(&original), inventory_json(&scrambled));
}
