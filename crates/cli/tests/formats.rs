//! `privlink check` machine formats, checked by independent parsers: SARIF output validates against
//! the official SARIF 2.1.0 schema (vendored in `crates/report/tests/data`), and JUnit output is
//! parsed back by an XML parser and counted. Load diagnostics appear in both with their file and
//! JSON pointer; an estate with nothing to analyse fails in every format.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_check(estate: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_privlink")).arg("check").arg("--estate").arg(estate).args(args).output().unwrap()
}

/// Runs `privlink check` on a scenario estate with extra arguments; returns stdout.
fn check(estate: &Path, args: &[&str]) -> String {
    let out = run_check(estate, args);
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 1), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// An estate whose integration subnet is `10.20.0.0/33` (LOAD005) and whose endpoint subnet lies
/// outside its VNet (LOAD006), both inline in `network.json`.
fn diagnostics_estate() -> PathBuf {
    root().join("scenarios/check/load-diagnostics/estate")
}

fn sarif_validator() -> jsonschema::Validator {
    let schema_text = std::fs::read_to_string(root().join("crates/report/tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap()
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator.iter_errors(sarif).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "{what}: ruleIndex names the result's rule");
    }
}

/// Positive scenarios with findings of several rules (each run with every rule selected).
fn estates() -> Vec<PathBuf> {
    ["DNS101", "NET203", "PE101", "APP307"]
        .iter()
        .map(|c| root().join("scenarios/rules").join(c).join("positive/estate"))
        .collect()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for estate in estates() {
        let sarif: serde_json::Value = serde_json::from_str(&check(&estate, &["--format", "sarif"])).unwrap();
        assert_valid_sarif(&validator, &sarif, &estate.display().to_string());
        let mut broken = sarif.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        assert!(!validator.is_valid(&broken), "the schema must reject an unknown result level");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{}: a positive scenario has results", estate.display());
        for r in results {
            assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some_and(|l| l > 0));
        }
    }
}

#[test]
fn junit_parses_back_with_one_case_per_rule_and_resource() {
    for estate in estates() {
        let json: serde_json::Value = serde_json::from_str(&check(&estate, &["--format", "json"])).unwrap();
        let findings = json["findings"].as_array().unwrap();
        let xml = check(&estate, &["--format", "junit"]);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{}: {e}\n{xml}", estate.display()));
        let suites = doc.root_element();
        assert_eq!(suites.tag_name().name(), "testsuites");
        let cases: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        // One case per (rule, resource with a finding), and one passing case for each rule without findings.
        let rules = privlink_rules_count(&estate);
        let mut with_findings: Vec<(&str, &str)> =
            findings.iter().map(|f| (f["code"].as_str().unwrap(), f["resource"].as_str().unwrap())).collect();
        with_findings.sort();
        let codes_with_findings = {
            let mut c: Vec<&str> = with_findings.iter().map(|x| x.0).collect();
            c.dedup();
            c.len()
        };
        let diagnostics = json["diagnostics"].as_array().unwrap().len();
        assert_eq!(cases.len(), findings.len() + rules - codes_with_findings + diagnostics, "{}", estate.display());
        let failures: Vec<&roxmltree::Node> =
            cases.iter().filter(|c| c.children().any(|k| k.has_tag_name("failure"))).collect();
        let expected_failures = findings.iter().filter(|f| f["severity"] != "info").count();
        assert_eq!(failures.len(), expected_failures, "{}", estate.display());
        assert_eq!(suites.attribute("tests"), Some(cases.len().to_string().as_str()));
        assert_eq!(suites.attribute("failures"), Some(expected_failures.to_string().as_str()));
        for f in findings.iter().filter(|f| f["severity"] != "info") {
            let (code, resource) = (f["code"].as_str().unwrap(), f["resource"].as_str().unwrap());
            assert!(
                failures.iter().any(|c| c.attribute("classname") == Some(&format!("privlink.{code}"))
                    && c.attribute("name").is_some_and(|n| n.ends_with(resource))
                    && c.children()
                        .any(|k| k.has_tag_name("failure") && k.attribute("message") == f["message"].as_str())),
                "{}: no failing test case for {code} on {resource}",
                estate.display()
            );
        }
    }
}

/// How many rules `privlink rules` lists (every rule runs without --select).
fn privlink_rules_count(_estate: &Path) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).arg("rules").output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| l.split_whitespace().next().is_some_and(is_code)).count()
}

fn is_code(s: &str) -> bool {
    let digits = s.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()) && s.len() > 3
}

#[test]
fn sarif_carries_each_load_diagnostic_with_its_file_and_pointer() {
    let validator = sarif_validator();
    let estate = diagnostics_estate();
    let sarif: serde_json::Value = serde_json::from_str(&check(&estate, &["--format", "sarif"])).unwrap();
    assert_valid_sarif(&validator, &sarif, "load diagnostics");
    let file = estate.join("network.json").display().to_string();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    for (code, pointer) in [
        ("LOAD005", "/0/properties/subnets/0/properties/addressPrefix"),
        ("LOAD006", "/0/properties/subnets/1/properties/addressPrefix"),
    ] {
        let r = results.iter().find(|r| r["ruleId"] == code).unwrap_or_else(|| panic!("no {code} result"));
        assert_eq!(r["level"], "error");
        let location = &r["locations"][0];
        assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], file.as_str());
        assert_eq!(r["properties"]["pointer"], pointer);
        let line = location["physicalLocation"]["region"]["startLine"].as_u64().expect("the pointer's line") as usize;
        let text = std::fs::read_to_string(estate.join("network.json")).unwrap();
        assert!(text.lines().nth(line - 1).unwrap().contains("\"addressPrefix\""), "{code}: line {line}");
        assert!(location["logicalLocations"].as_array().unwrap().iter().any(|l| l["name"] == pointer));
    }
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "LOAD005" && r["defaultConfiguration"]["level"] == "error"));
}

#[test]
fn junit_has_a_failing_case_per_error_diagnostic_naming_file_and_pointer() {
    let estate = diagnostics_estate();
    let xml = check(&estate, &["--format", "junit"]);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let file = estate.join("network.json").display().to_string();
    let cases: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    for (code, pointer) in [
        ("LOAD005", "/0/properties/subnets/0/properties/addressPrefix"),
        ("LOAD006", "/0/properties/subnets/1/properties/addressPrefix"),
    ] {
        let case = cases
            .iter()
            .find(|c| c.attribute("classname") == Some(&format!("privlink.{code}")))
            .unwrap_or_else(|| panic!("no test case for {code}\n{xml}"));
        assert!(case.attribute("name").unwrap().ends_with(&format!("{file}#{pointer}")), "{xml}");
        assert_eq!(case.attribute("file"), Some(file.as_str()));
        let failure = case.children().find(|k| k.has_tag_name("failure")).expect("an error diagnostic fails");
        assert_eq!(failure.attribute("type"), Some("error"));
    }
    let failures = cases.iter().filter(|c| c.children().any(|k| k.has_tag_name("failure"))).count();
    assert_eq!(doc.root_element().attribute("failures"), Some(failures.to_string().as_str()));
}

#[test]
fn an_estate_with_nothing_to_analyse_fails_in_every_format_unless_allowed() {
    let empty = root().join("scenarios/check/empty/estate");
    let unrelated = root().join("scenarios/check/unrelated/estate");
    for (estate, says) in [(&empty, "no resources loaded from"), (&unrelated, "Microsoft.Compute/virtualMachines ×1")]
    {
        for format in ["text", "json", "sarif", "junit", "github"] {
            let out = run_check(estate, &["--format", format, "--fail-on", "never"]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{} {format}: {stderr}", estate.display());
            assert!(stderr.contains("nothing to analyse") && stderr.contains(says), "{stderr}");
            assert!(stderr.contains(&estate.display().to_string()), "names what was loaded: {stderr}");
            assert!(out.stdout.is_empty(), "no report that a tool could take for a pass");
        }
    }
    let out = run_check(&empty, &["--format", "sarif", "--allow-empty"]);
    assert_eq!(out.status.code(), Some(0));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&sarif_validator(), &sarif, "empty estate, allowed");
}
