//! The seeds' estate (`scenarios/seed-estate/`), as the engine's tests read it.

#![allow(dead_code)] // each test file uses part of it

use privlink_load::Input;
use privlink_model::Model;

/// The seed estate's files, by name.
pub const FILES: [(&str, &str); 6] = [
    ("network.json", include_str!("../../../../scenarios/seed-estate/network.json")),
    ("endpoints.json", include_str!("../../../../scenarios/seed-estate/endpoints.json")),
    ("dns.json", include_str!("../../../../scenarios/seed-estate/dns.json")),
    ("web.json", include_str!("../../../../scenarios/seed-estate/web.json")),
    ("backends.json", include_str!("../../../../scenarios/seed-estate/backends.json")),
    ("access.json", include_str!("../../../../scenarios/seed-estate/access.json")),
];

/// The seed estate loaded as the CLI loads it.
pub fn seed() -> Model {
    let inputs = FILES.iter().map(|(name, json)| Input::new(*name, json.as_bytes().to_vec())).collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}

/// The seed estate with `edit` applied to its documents (each file's array, by file name) first.
pub fn seed_with(edit: impl Fn(&str, &mut Vec<serde_json::Value>)) -> Model {
    let inputs = FILES
        .iter()
        .map(|(name, json)| {
            let mut docs: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
            edit(name, &mut docs);
            Input::new(*name, serde_json::to_vec(&docs).unwrap())
        })
        .collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}
