//! The rules' recall and precision on a large, varied estate: `benches/estate-gen` builds a
//! hub-and-spoke landing zone of ~2,000 resources with seeded misconfigurations (unlinked spoke,
//! missing record, stale record, pending connection, NSG deny, missing route-all) and writes the
//! findings they must produce; `privlink check` must report exactly those (code, resource) pairs —
//! no more, no fewer — from the documents and from the equivalent deployment template.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

type Pairs = BTreeSet<(String, String)>;

fn check(args: &[&str]) -> Pairs {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "findings exit 1: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["resource"].as_str().unwrap().to_string()))
        .collect()
}

fn expected(dir: &Path) -> Pairs {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("expected-findings.json")).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["resource"].as_str().unwrap().to_string()))
        .collect()
}

fn assert_same(what: &str, got: &Pairs, want: &Pairs) {
    let missed: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    assert!(missed.is_empty() && extra.is_empty(), "{what}: missed (recall) {missed:#?}\nextra (precision) {extra:#?}");
}

#[test]
fn check_finds_exactly_the_seeded_misconfigurations() {
    for seed in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let summary = estate_gen::write(2000, seed, dir.path()).unwrap();
        let want = expected(dir.path());
        assert!(want.len() >= 6, "every kind is seeded: {summary}");
        let estate = dir.path().join("estate.json");
        let got = check(&["check", "--format", "json", "--estate", estate.to_str().unwrap()]);
        assert_same(&format!("estate.json, seed {seed}"), &got, &want);
        let template = dir.path().join("template.json");
        let got = check(&[
            "check",
            "--format",
            "json",
            "--estate",
            template.to_str().unwrap(),
            "--subscription",
            "00000000-0000-0000-0000-00000000a001",
            "--resource-group",
            "rg-landing-zone",
        ]);
        assert_same(&format!("template.json, seed {seed}"), &got, &want);
    }
}

/// Past ARM's 800-iteration limit the generator splits each copy loop into loops that read
/// `copyIndex(offset)`; split at 7 here, the template still deploys to the same estate and findings.
#[test]
fn split_copy_loops_deploy_the_same_estate() {
    let dir = tempfile::tempdir().unwrap();
    estate_gen::write(2000, 3, dir.path()).unwrap();
    let estate = estate_gen::generate(2000, 3);
    let split = estate_gen::template_with_copy_limit(&estate, 7);
    let loops = split["resources"].as_array().unwrap().iter().filter(|r| r.get("copy").is_some()).count();
    let unsplit = estate_gen::template(&estate);
    assert!(loops > unsplit["resources"].as_array().unwrap().len(), "the loops were split: {loops}");
    let split_path = dir.path().join("split.json");
    std::fs::write(&split_path, serde_json::to_vec(&split).unwrap()).unwrap();
    let scope = ["--subscription", "00000000-0000-0000-0000-00000000a001", "--resource-group", "rg-landing-zone"];
    let inventory = |path: &Path| {
        let mut args = vec!["inventory", "--format", "json", "--estate", path.to_str().unwrap()];
        args.extend(scope);
        let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("estate");
        v
    };
    assert_eq!(inventory(&split_path), inventory(&dir.path().join("template.json")));
    let mut args = vec!["check", "--format", "json", "--estate", split_path.to_str().unwrap()];
    args.extend(scope);
    assert_same("split template", &check(&args), &expected(dir.path()));
}
