//! docs/rules.md is generated from the rules' doc comments; this test fails when it is stale.

use std::path::Path;
use std::process::Command;

#[test]
fn rules_markdown_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(["rules", "--markdown"]).output().unwrap();
    assert!(out.status.success());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == String::from_utf8(out.stdout).unwrap(),
        "docs/rules.md is stale: run `cargo run -p privlink -- rules --markdown > docs/rules.md`"
    );
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("privlink-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("truncated.json");
    std::fs::write(&file, "[{\"id\": \"/subscriptions/s/resourceGroups/rg\",\n  \"type\": ").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(["inventory", "--estate"]).arg(&file).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.json:2:") && err.contains("ends early"), "{err}");
    assert!(out.stdout.is_empty(), "nothing half-written to stdout");
}

#[test]
fn unknown_rule_selection_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(["check", "--select", "XYZ"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule code starts with 'XYZ'"));
}
