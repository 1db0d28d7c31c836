//! The seeds' estate (`scenarios/seed-estate/`), as the engine's tests read it.

#![allow(dead_code)] // each test file uses part of it

use privlink_load::Input;
use privlink_model::Model;

/// The seed estate's files, by name.
pub const FILES: [(&str, &str); 5] = [
    ("network.json", include_str!("../../../../scenarios/seed-estate/network.json")),
    ("endpoints.json", include_str!("../../../../scenarios/seed-estate/endpoints.json")),
    ("dns.json", include_str!("../../../../scenarios/seed-estate/dns.json")),
    ("web.json", include_str!("../../../../scenarios/seed-estate/web.json")),
    ("backends.json", include_str!("../../../../scenarios/seed-estate/backends.json")),
];

/// The seed estate loaded as the CLI loads it.
pub fn seed() -> Model {
    let inputs = FILES.iter().map(|(name, json)| Input::new(*name, json.as_bytes().to_vec())).collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}
