//! `privlink check --baseline FILE` as a team adopting privlink uses it: a baseline written once
//! from an estate with findings silences them (exit 0), a problem added afterwards is reported
//! alone (exit 1), through a JSON or a SARIF baseline; SARIF with a baseline stays valid and says
//! each result's baseline state; a baseline that cannot be used is an input error naming the file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of the seed estate whose Key Vault zone is linked only to the hub (one DNS101 error).
fn with_findings() -> PathBuf {
    root().join("scenarios/rules/DNS101/positive/estate")
}

/// What the finding of [`with_findings`] says, in every format.
const KNOWN: &str = "privatelink.vaultcore.azure.net is not linked to vnet-app";

/// A small estate of its own: a private endpoint whose connection is Pending (one PE101 error).
/// Added to [`with_findings`], it is the new problem of a pull request.
fn new_problem() -> PathBuf {
    root().join("scenarios/rules/PE101/positive/estate")
}

fn check(estates: &[&Path], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privlink"));
    command.arg("check");
    for e in estates {
        command.arg("--estate").arg(e);
    }
    command.args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn codes(json: &Value) -> Vec<&str> {
    json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect()
}

/// Writes `privlink check --format FORMAT` of `estates` to `dir/name`, as a team writes its baseline.
fn write_baseline(dir: &Path, name: &str, estates: &[&Path], format: &str) -> PathBuf {
    let out = check(estates, &["--format", format]);
    assert_eq!(out.status.code(), Some(1), "the estate has findings: {}", String::from_utf8_lossy(&out.stderr));
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

fn sarif_validator() -> jsonschema::Validator {
    let schema_text = std::fs::read_to_string(root().join("crates/report/tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap()
}

#[test]
fn every_finding_carries_its_fingerprint_in_json_and_sarif() {
    let json: Value =
        serde_json::from_slice(&check(&[&with_findings(), &new_problem()], &["--format", "json"]).stdout).unwrap();
    let mut prints = Vec::new();
    for f in json["findings"].as_array().unwrap() {
        let (code, resource, message) =
            (f["code"].as_str().unwrap(), f["resource"].as_str().unwrap(), f["message"].as_str().unwrap());
        assert_eq!(f["fingerprint"], privlink_rules::fingerprint(code, resource, message).as_str());
        prints.push(f["fingerprint"].as_str().unwrap().to_string());
    }
    assert_eq!(prints.len(), 2);
    let sarif: Value =
        serde_json::from_slice(&check(&[&with_findings(), &new_problem()], &["--format", "sarif"]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let sarif_prints: Vec<String> =
        results.iter().map(|r| r["partialFingerprints"]["privlink/v1"].as_str().unwrap().to_string()).collect();
    assert_eq!(sarif_prints, prints, "SARIF and JSON name each finding alike");
    assert!(results.iter().all(|r| r.get("baselineState").is_none()), "no baseline, no baseline state");
}

/// Check's text without the line it ends with, the next command to try (`Next: …`).
fn without_next(text: &str) -> &str {
    text.rsplit_once("\nNext: ").map_or(text, |(before, _)| before)
}

#[test]
fn a_json_baseline_silences_the_known_findings_and_a_new_problem_appears_alone() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "privlink-baseline.json", &[&with_findings()], "json");
    let name = baseline.display().to_string();

    let out = check(&[&with_findings()], &["--baseline", &name]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(!text.contains(KNOWN), "{text}");
    assert!(
        without_next(&text).ends_with(&format!("\n1 finding known in the baseline {name} is not shown\n")),
        "{text}"
    );

    let out = check(&[&with_findings(), &new_problem()], &["--baseline", &name]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error   PE101 connection-not-approved") && !text.contains(KNOWN), "{text}");
    let out = check(&[&with_findings(), &new_problem()], &["--baseline", &name, "--format", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(codes(&json), ["PE101"]);
    assert_eq!(json["baseline"], serde_json::json!({"file": name, "known": 1, "new": 1, "fixed": 0}));
    assert_eq!(json["summary"]["error"], 1, "the summary counts what is shown");
    for format in ["junit", "github"] {
        let out = check(&[&with_findings(), &new_problem()], &["--baseline", &name, "--format", format]);
        let shown = stdout(&out);
        assert!(shown.contains("PE101") && !shown.contains(KNOWN), "{format}: {shown}");
    }
}

#[test]
fn a_sarif_baseline_does_the_same_and_sarif_output_says_each_results_baseline_state() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "privlink.sarif", &[&with_findings()], "sarif");
    let name = baseline.display().to_string();

    let out = check(&[&with_findings()], &["--baseline", &name, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(codes(&json).is_empty());
    assert_eq!(json["baseline"]["known"], 1);

    let out = check(&[&with_findings(), &new_problem()], &["--baseline", &name, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> =
        sarif_validator().iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "only the new finding");
    assert_eq!(results[0]["ruleId"], "PE101");
    assert_eq!(results[0]["baselineState"], "new");
    assert_eq!(results[0]["partialFingerprints"]["privlink/v1"].as_str().map(str::len), Some(16));
}

#[test]
fn a_sarif_baseline_without_partial_fingerprints_is_matched_by_rule_resource_and_message() {
    // A SARIF file that went through a tool which dropped partialFingerprints.
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "privlink.sarif", &[&with_findings()], "sarif");
    let mut sarif: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    for r in sarif["runs"][0]["results"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("partialFingerprints");
    }
    std::fs::write(&baseline, sarif.to_string()).unwrap();
    let out = check(&[&with_findings(), &new_problem()], &["--baseline", &baseline.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("PE101") && !text.contains(KNOWN), "{text}");
}

#[test]
fn load_diagnostics_are_always_reported_and_marked_unchanged_when_the_baseline_held_them() {
    let dir = tempfile::tempdir().unwrap();
    let estate = root().join("scenarios/check/load-diagnostics/estate");
    let baseline = write_baseline(dir.path(), "b.json", &[&estate], "json");
    let name = baseline.display().to_string();
    let out = check(&[&estate], &["--baseline", &name]);
    assert_eq!(out.status.code(), Some(1), "load diagnostics still fail the gate");
    let text = stdout(&out);
    assert!(text.contains("LOAD005") && text.contains("LOAD006"), "{text}");
    let out = check(&[&estate], &["--baseline", &name, "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let states: Vec<(&str, &str)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["baselineState"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("LOAD005", "unchanged"), ("LOAD006", "unchanged")]);
    // A baseline from another estate did not hold them: they are new.
    let other = write_baseline(dir.path(), "other.json", &[&with_findings()], "json");
    let out = check(&[&estate], &["--baseline", &other.display().to_string(), "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sarif["runs"][0]["results"].as_array().unwrap().iter().all(|r| r["baselineState"] == "new"));
}

#[test]
fn a_baseline_finding_that_no_longer_occurs_is_counted_as_fixed_for_the_rules_that_ran() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "b.json", &[&with_findings(), &new_problem()], "json");
    let name = baseline.display().to_string();
    let out = check(&[&with_findings()], &["--baseline", &name, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["baseline"], serde_json::json!({"file": name, "known": 1, "new": 0, "fixed": 1}));
    let out = check(&[&with_findings()], &["--baseline", &name]);
    assert!(
        without_next(&stdout(&out)).ends_with("is not shown; 1 of its findings no longer occurs\n"),
        "{}",
        stdout(&out)
    );
    // PE101 did not run: its baseline finding is neither shown nor counted as fixed.
    let out = check(&[&with_findings()], &["--baseline", &name, "--format", "json", "--select", "DNS"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["baseline"]["fixed"], 0);
}

#[test]
fn a_baseline_that_cannot_be_used_is_an_input_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_baseline(dir.path(), "good.json", &[&with_findings()], "json");
    let text = std::fs::read_to_string(&good).unwrap();
    let corrupt = dir.path().join("corrupt.json");
    // Cut inside the first finding's message, as a cancelled job leaves the file.
    std::fs::write(&corrupt, &text[..text.find("\"message\"").unwrap() + 20]).unwrap();
    let inventory = dir.path().join("inventory.json");
    std::fs::write(
        &inventory,
        stdout(&Command::new(env!("CARGO_BIN_EXE_privlink")).args(["inventory", "--format", "json"]).output().unwrap()),
    )
    .unwrap();
    let missing = dir.path().join("missing.json");
    for (file, says) in [
        (&corrupt, "the JSON ends early"),
        (&inventory, "neither \"findings\" nor \"runs\""),
        (&missing, "cannot read the baseline"),
    ] {
        let name = file.display().to_string();
        let out = check(&[&with_findings()], &["--baseline", &name]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&name) && stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty(), "no report a gate could take for a pass");
    }
    let out = check(&[&with_findings()], &["--baseline", &corrupt.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text[..text.find("\"message\"").unwrap()].lines().count();
    assert!(stderr.contains(&format!("corrupt.json:{line}:")), "names the line: {stderr}");
}
