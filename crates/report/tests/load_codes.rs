//! The table of load diagnostic codes (`privlink_report::load_codes`) names exactly the codes the
//! loader and the CLI emit: a new code without a row, or a row for a code nobody emits, fails here.

use privlink_report::load_codes::LOAD_CODES;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Every `"LOADnnn"` string literal in the source of the crates that emit load diagnostics.
fn emitted_codes() -> BTreeSet<String> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for emitter in ["load/src", "cli/src", "model/src"] {
        rust_files(&crates.join(emitter), &mut files);
    }
    let mut codes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("\"LOAD") {
            let code = &text[at + 1..];
            let digits = code[4..].chars().take_while(char::is_ascii_digit).count();
            if digits == 3 && code[7..].starts_with('"') {
                codes.insert(code[..7].to_string());
            }
        }
    }
    codes
}

#[test]
fn every_emitted_load_code_has_exactly_one_row() {
    let emitted = emitted_codes();
    assert!(
        emitted.contains("LOAD005") && emitted.contains("LOAD018"),
        "the scan finds the loader's codes: {emitted:?}"
    );
    let listed: Vec<&str> = LOAD_CODES.iter().map(|c| c.code).collect();
    let unique: BTreeSet<String> = listed.iter().map(|c| c.to_string()).collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice");
    assert_eq!(unique, emitted, "crates/report/src/load_codes.rs and the emitted codes differ");
    for c in LOAD_CODES {
        assert!(!c.name.is_empty() && c.summary.ends_with('.'), "{}: a name and a summary sentence", c.code);
    }
}
