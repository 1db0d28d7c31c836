//! The built-in seed estate is healthy: no rule reports a warning or an error on it.
//!
//! `RULE=PE101 cargo test -p privlink-rules --test seed_estate -- --ignored --nocapture` prints a rule's (or, without `RULE`, every rule's)
//! findings on its positive scenario, for reading messages while writing rules.

use privlink_load::{load, Input, Options};
use privlink_model::Model;
use privlink_rules::{all_rules, check, Severity};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn load_dir(dir: &Path) -> Model {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let inputs: Vec<Input> =
        files.iter().map(|f| Input::new(f.display().to_string(), std::fs::read(f).unwrap())).collect();
    load(inputs, &Options::default()).unwrap()
}

#[test]
fn seed_estate_has_no_warning_or_error() {
    let model = load_dir(&root().join("seed-estate"));
    let findings: Vec<String> = check(&model, |_| true)
        .into_iter()
        .filter(|f| f.severity.at_least(Severity::Warning))
        .map(|f| format!("{} {}: {}", f.code, f.resource, f.message))
        .collect();
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

#[test]
#[ignore]
fn show_positive_findings() {
    let only = std::env::var("RULE").ok();
    for rule in all_rules().iter().filter(|r| only.as_deref().is_none_or(|o| o == r.code)) {
        let model = load_dir(&root().join("rules").join(rule.code).join("positive/estate"));
        for f in check(&model, |r| r.code == rule.code) {
            println!("{} {} {}\n  {}", f.code, f.severity.as_str(), f.resource.name(), f.message);
            println!("  evidence: {}", serde_json::to_string(&f.evidence).unwrap());
            for az in f.fix.iter().flat_map(|x| &x.az) {
                println!("  $ {az}");
            }
            let docs: Vec<&str> = f.fix.iter().flat_map(|x| &x.edits).map(|e| e.document.name()).collect();
            println!("  edited: {docs:?}");
        }
    }
}
