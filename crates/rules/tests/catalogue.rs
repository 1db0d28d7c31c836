//! Every rule has a positive and a negative scenario; its findings carry its code and severity;
//! a rule that declares a fix fixes every finding of its positive scenario, and applying the fix's
//! edits removes the finding; a rule that declares none offers none.
//!
//! Layout: `scenarios/rules/<CODE>/<case>/estate/` (ARM documents; `positive` and `negative` at
//! least; a case named `positive-…` or `negative-…` is checked as `positive` or `negative` is). The CLI output for each is pinned by `check.cmd`/`check.out` beside them, and the
//! documents the rule's fixes change or create, after the fixes, by `check.fixed.json`. Set
//! `UPDATE_EXPECT=1` to write `check.fixed.json` instead of comparing — then read every changed file:
//! it must be what Azure would hold after the fix.

use privlink_load::{load, load_documents, Input, Options};
use privlink_model::{Document, Model, Origin, ResourceId};
use privlink_rules::{all_rules, documentation, fix, Analysis, Finding, FixAvailability, Rule};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/rules")
}

fn load_dir(dir: &Path) -> Model {
    let files = privlink_testkit::json_files_under(dir);
    let inputs: Vec<Input> =
        files.iter().map(|f| Input::new(f.display().to_string(), std::fs::read(f).unwrap())).collect();
    load(inputs, &Options::default()).unwrap()
}

/// The rule's own findings, straight from its check (not filtered by code).
fn run(rule: &Rule, model: &Model) -> Vec<Finding> {
    (rule.check)(model, &Analysis::new(model))
}

/// The case directories of a rule (`positive`, `negative`, …): those holding an `estate/`.
fn cases(rule: &Rule) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(rules_dir().join(rule.code)) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.join("estate").is_dir()).collect();
    out.sort();
    out
}

/// The documents the findings' fixes change or create, after every edit of every fix.
fn fixed_documents(model: &Model, findings: &[Finding]) -> BTreeMap<ResourceId, serde_json::Value> {
    fix::apply(&model.documents, findings.iter().flat_map(|f| f.fix.iter().flat_map(|x| &x.edits)))
}

/// The model with the fixed documents in place of the originals.
fn apply_fixes(model: &Model, findings: &[Finding]) -> Model {
    let mut docs = model.documents.clone();
    for (id, body) in fixed_documents(model, findings) {
        let origin = docs.get(&id).map_or_else(|| Origin::new("<fix>", ""), |d| d.origin.clone());
        docs.insert(id.clone(), Document { id, body, origin });
    }
    load_documents(docs.into_values().map(|d| (d.body, d.origin)))
}

/// Code, severity and fix availability of each finding, as the rule declares them.
fn declared_problems(rule: &Rule, case: &str, findings: &[Finding]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in findings {
        let at = format!("{} {case} ({})", rule.code, f.message);
        if f.code != rule.code {
            problems.push(format!("{at}: finding has code {}", f.code));
        }
        if f.severity != rule.severity && Some(f.severity) != rule.secondary_severity {
            problems.push(format!("{at}: severity {} is not the rule's", f.severity));
        }
        match (&f.fix, rule.fix) {
            (Some(_), FixAvailability::Never) => problems.push(format!("{at}: a fix, though the rule declares none")),
            (None, FixAvailability::Always) => problems.push(format!("{at}: no fix, though the rule always has one")),
            (Some(x), _) if x.az.is_empty() || x.edits.is_empty() => {
                problems.push(format!("{at}: a fix needs az commands and document edits"))
            }
            _ => {}
        }
    }
    problems
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
        for case in cases(rule) {
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            let model = load_dir(&case.join("estate"));
            let findings = run(rule, &model);
            problems.extend(declared_problems(rule, &name, &findings));
            // `negative-…` and `positive-…` cases are held to what `negative` and `positive` are.
            let kind = name.split_once('-').map_or(name.as_str(), |(k, _)| k);
            match kind {
                "negative" if !findings.is_empty() => problems.push(format!(
                    "{}: findings on the negative scenario: {:?}",
                    rule.code,
                    findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                )),
                "positive" if findings.is_empty() => {
                    problems.push(format!("{}: no finding on the positive scenario", rule.code))
                }
                "positive" if rule.fix != FixAvailability::Never => {
                    if findings.iter().any(|f| f.fix.is_none()) {
                        problems.push(format!("{}: a finding of the positive scenario has no fix", rule.code));
                    }
                    let after = run(rule, &apply_fixes(&model, &findings));
                    if !after.is_empty() {
                        problems.push(format!(
                            "{}: the fix leaves {:?}",
                            rule.code,
                            after.iter().map(|f| &f.message).collect::<Vec<_>>()
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `check.fixed.json`: the documents the fixes change or create, after the fixes, keyed by id.
fn render_fixed(documents: &BTreeMap<ResourceId, serde_json::Value>) -> String {
    let by_id: serde_json::Map<String, serde_json::Value> =
        documents.iter().map(|(id, body)| (id.to_string(), body.clone())).collect();
    let mut s = serde_json::to_string_pretty(&by_id).expect("serialisable");
    s.push('\n');
    s
}

#[test]
fn every_fixed_document_is_pinned() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut problems = Vec::new();
    for rule in all_rules() {
        for case in cases(rule) {
            let model = load_dir(&case.join("estate"));
            let fixed = fixed_documents(&model, &run(rule, &model));
            let path = case.join("check.fixed.json");
            let expected = std::fs::read_to_string(&path).ok();
            let actual = (!fixed.is_empty()).then(|| render_fixed(&fixed));
            if expected == actual {
                continue;
            }
            if update {
                match &actual {
                    Some(text) => std::fs::write(&path, text).unwrap(),
                    None => std::fs::remove_file(&path).unwrap(),
                }
            } else {
                problems.push(format!(
                    "{}: {} differs from the fixed documents (UPDATE_EXPECT=1 rewrites it):\n{}",
                    rule.code,
                    path.display(),
                    actual.as_deref().unwrap_or("(no fix: the file should not exist)\n")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn codes_are_unique_and_well_formed() {
    let codes: Vec<&str> = all_rules().iter().map(|r| r.code).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "codes must be listed in order, once each: {codes:?}");
    for c in codes {
        let (family, number) = c.split_at(c.find(|ch: char| ch.is_ascii_digit()).unwrap());
        assert!(["DNS", "PE", "NET", "APP", "SEC", "IAM"].contains(&family), "{c}");
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
