//! Every rule has a positive and a negative scenario, and applying its fix removes the finding.
//!
//! Layout: `scenarios/rules/<CODE>/positive/estate/` and `scenarios/rules/<CODE>/negative/estate/`
//! (ARM documents). The CLI output for each is pinned by `check.cmd`/`check.out` beside them.

use privlink_load::{load, load_documents, Input, Options};
use privlink_model::{Document, Model, Origin};
use privlink_rules::{all_rules, documentation, patch::merge_patch, Finding, Rule};
use std::path::{Path, PathBuf};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/rules")
}

fn load_dir(dir: &Path) -> Model {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let inputs: Vec<Input> =
        files.iter().map(|f| Input::new(f.display().to_string(), std::fs::read(f).unwrap())).collect();
    load(inputs, &Options::default()).unwrap()
}

fn run(rule: &Rule, model: &Model) -> Vec<Finding> {
    privlink_rules::check(model, |r| r.code == rule.code)
}

/// Applies every patch of every finding's fix to the model's documents and reloads.
fn apply_fixes(model: &Model, findings: &[Finding]) -> Model {
    let mut docs = model.documents.clone();
    for f in findings {
        for p in &f.fix.as_ref().expect("finding has a fix").patches {
            let entry = docs.entry(p.document.clone()).or_insert_with(|| Document {
                id: p.document.clone(),
                body: serde_json::json!({"id": p.document.to_string(), "name": p.document.name(), "type": p.document.resource_type()}),
                origin: Origin::new("<fix>", ""),
            });
            merge_patch(&mut entry.body, &p.merge);
        }
    }
    load_documents(docs.into_values().map(|d| (d.body, d.origin)))
}

#[test]
fn every_rule_is_documented_and_has_scenarios_and_working_fixes() {
    let mut problems = Vec::new();
    for rule in all_rules() {
        let doc = documentation(rule);
        for part in ["**What it checks.**", "**Why it breaks.**", "**Example.**", "**Fix.**"] {
            if !doc.contains(part) {
                problems.push(format!("{}: documentation lacks {part}", rule.code));
            }
        }
        if !doc.starts_with(&format!("# {} {}", rule.code, rule.name)) {
            problems.push(format!("{}: documentation must start with '# {} {}'", rule.code, rule.code, rule.name));
        }
        let base = rules_dir().join(rule.code);
        let (pos, neg) = (base.join("positive/estate"), base.join("negative/estate"));
        if !pos.is_dir() || !neg.is_dir() {
            problems.push(format!("{}: missing {} or {}", rule.code, pos.display(), neg.display()));
            continue;
        }
        let positive = load_dir(&pos);
        let findings = run(rule, &positive);
        if findings.is_empty() {
            problems.push(format!("{}: no finding on the positive scenario", rule.code));
            continue;
        }
        let negative = load_dir(&neg);
        let negatives = run(rule, &negative);
        if !negatives.is_empty() {
            problems.push(format!(
                "{}: findings on the negative scenario: {:?}",
                rule.code,
                negatives.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        if findings.iter().all(|f| f.fix.as_ref().is_some_and(|x| !x.patches.is_empty())) {
            let fixed = apply_fixes(&positive, &findings);
            let after = run(rule, &fixed);
            if !after.is_empty() {
                problems.push(format!(
                    "{}: the fix leaves {:?}",
                    rule.code,
                    after.iter().map(|f| &f.message).collect::<Vec<_>>()
                ));
            }
        }
        for f in &findings {
            if f.fix.as_ref().is_some_and(|x| x.az.is_empty()) {
                problems.push(format!("{}: a fix without an az command", rule.code));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut codes: Vec<&str> = all_rules().iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "duplicate codes");
    for c in codes {
        let (family, number) = c.split_at(c.find(|ch: char| ch.is_ascii_digit()).unwrap());
        assert!(["DNS", "PE", "NET", "APP", "SEC"].contains(&family), "{c}");
        assert_eq!(number.len(), 3, "{c}");
    }
}

#[test]
fn seed_map_names_only_existing_rules() {
    for item in privlink_rules::seed_map::SEED_ITEMS {
        for code in item.codes {
            assert!(
                all_rules().iter().any(|r| r.code == *code),
                "seed {} item {:?} names unknown rule {code}",
                item.seed,
                item.item
            );
        }
        assert!(
            !item.codes.is_empty() || !item.note.is_empty(),
            "seed {} item {:?}: no rule and no reason",
            item.seed,
            item.item
        );
    }
}
