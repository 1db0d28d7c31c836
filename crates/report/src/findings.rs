//! `privlink check` output: text for people, JSON for tools, SARIF for code scanning, JUnit for
//! test dashboards, GitHub workflow annotations.

use privlink_model::{Model, ResourceId};
use privlink_rules::{all_rules, summary, Finding, Rule, Severity};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub resources: usize,
}

#[derive(Serialize)]
pub struct CheckReport<'a> {
    pub findings: Vec<FindingOut<'a>>,
    pub summary: Summary,
}

#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub code: &'a str,
    pub severity: Severity,
    pub resource: &'a ResourceId,
    pub message: &'a str,
    pub evidence: &'a [serde_json::Value],
    pub fix: Option<serde_json::Value>,
    pub rule: &'a str,
}

pub fn summarize(findings: &[Finding], model: &Model) -> Summary {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        error: count(Severity::Error),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        resources: model.documents.len(),
    }
}

fn rule_of(code: &str) -> Option<&'static Rule> {
    all_rules().iter().find(|r| r.code == code)
}

fn fix_json(f: &Finding, model: &Model) -> Option<serde_json::Value> {
    let fix = f.fix.as_ref()?;
    let patches = fix.merge_patches(&model.documents);
    // One document patch is the common case; the contract's `patch` is that patch, `patches` all.
    let patch = match patches.as_slice() {
        [one] => json!({"document": one.document, "merge": one.merge}),
        many => {
            json!({"documents": many.iter().map(|p| json!({"document": p.document, "merge": p.merge})).collect::<Vec<_>>()})
        }
    };
    Some(json!({"az": fix.az, "patch": patch, "patches": patches}))
}

pub fn to_json(findings: &[Finding], model: &Model) -> String {
    let report = CheckReport {
        findings: findings
            .iter()
            .map(|f| FindingOut {
                code: f.code,
                severity: f.severity,
                resource: &f.resource,
                message: &f.message,
                evidence: &f.evidence,
                fix: fix_json(f, model),
                rule: rule_of(f.code).map(|r| r.name).unwrap_or(""),
            })
            .collect(),
        summary: summarize(findings, model),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}

fn short(id: &ResourceId) -> String {
    format!("{} ({})", id.name(), privlink_model::canonical_type(&id.resource_type()))
}

/// Grouped by resource, most severe first within a resource; evidence compact; the fix last.
pub fn to_text(findings: &[Finding], model: &Model, estate: &str) -> String {
    let mut out = String::new();
    let mut by_resource: BTreeMap<&ResourceId, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_resource.entry(&f.resource).or_default().push(f);
    }
    for (resource, mut fs) in by_resource {
        fs.sort_by_key(|f| (f.severity, f.code));
        out.push_str(&format!("{}\n  {}\n", short(resource), resource));
        for f in fs {
            let name = rule_of(f.code).map(|r| r.name).unwrap_or("");
            out.push_str(&format!("  {:<7} {} {}: {}\n", f.severity.as_str(), f.code, name, f.message));
            for e in f.evidence.iter().take(6) {
                out.push_str(&format!("          evidence: {}\n", compact(e)));
            }
            if let Some(fix) = &f.fix {
                for az in &fix.az {
                    out.push_str(&format!("          fix: {az}\n"));
                }
            }
        }
        out.push('\n');
    }
    let s = summarize(findings, model);
    out.push_str(&format!(
        "{}: {} error{}, {} warning{}, {} info in {} resources ({})\n",
        if findings.is_empty() { "No findings" } else { "Summary" },
        s.error,
        if s.error == 1 { "" } else { "s" },
        s.warning,
        if s.warning == 1 { "" } else { "s" },
        s.info,
        s.resources,
        estate
    ));
    out
}

/// Evidence names resources by id; in text the name reads better (the full id is in JSON).
fn short_id(s: &str) -> String {
    match ResourceId::parse(s) {
        Ok(id) if s.starts_with("/subscriptions/") => id.name().to_string(),
        _ => s.to_string(),
    }
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => short_id(s),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    match v {
                        serde_json::Value::String(s) => short_id(s),
                        other => other.to_string(),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// Where a resource's `"id"` appears in the input files, for SARIF physical locations. The CLI
/// computes it (it has the files); renderers only place it.
pub type Locator<'a> = &'a dyn Fn(&ResourceId) -> Option<(String, usize)>;

pub fn to_sarif(findings: &[Finding], help_base: &str, locate: Locator) -> String {
    let rules: Vec<serde_json::Value> = all_rules()
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": summary(r)},
                "fullDescription": {"text": privlink_rules::documentation(r)},
                "helpUri": format!("{help_base}#{}", r.code.to_lowercase()),
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "logicalLocations": [{"fullyQualifiedName": f.resource.to_string(), "kind": "resource"}]
            });
            if let Some((file, line)) = locate(&f.resource) {
                location["physicalLocation"] =
                    json!({"artifactLocation": {"uri": file}, "region": {"startLine": line}});
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": all_rules().iter().position(|r| r.code == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [location],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "privlink", "informationUri": "https://github.com/privlink/privlink", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&sarif).expect("serialisable");
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// One test case per rule × resource checked: a failure per finding; rules that found nothing
/// pass once for the estate.
pub fn to_junit(findings: &[Finding], rules_run: &[&Rule], model: &Model) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = findings.iter().filter(|f| f.severity != Severity::Info).count();
    let mut cases = Vec::new();
    for rule in rules_run {
        let fs: Vec<&Finding> = findings.iter().filter(|f| f.code == rule.code).collect();
        if fs.is_empty() {
            cases.push(format!(
                "    <testcase classname=\"privlink.{}\" name=\"{} {}: estate\"/>\n",
                rule.code, rule.code, rule.name
            ));
        }
        for f in fs {
            let body = if f.severity == Severity::Info {
                String::from("/>\n")
            } else {
                format!(
                    "><failure type=\"{}\" message=\"{}\">{}</failure></testcase>\n",
                    f.severity.as_str(),
                    xml_escape(&f.message),
                    xml_escape(&f.resource.to_string())
                )
            };
            cases.push(format!(
                "    <testcase classname=\"privlink.{}\" name=\"{} {}: {}\"{}",
                rule.code,
                rule.code,
                rule.name,
                xml_escape(f.resource.as_str()),
                body
            ));
        }
    }
    out.push_str(&format!(
        "<testsuites name=\"privlink check\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"privlink\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n    <properties><property name=\"resources\" value=\"{}\"/></properties>\n",
        cases.len(),
        cases.len(),
        model.documents.len()
    ));
    for c in cases {
        out.push_str(&c);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// GitHub Actions workflow commands: one annotation per finding.
pub fn to_github(findings: &[Finding], locate: Locator) -> String {
    let mut out = String::new();
    for f in findings {
        let cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let esc = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
        let loc =
            locate(&f.resource).map(|(file, line)| format!("file={},line={line},", esc(&file))).unwrap_or_default();
        out.push_str(&format!("::{cmd} {loc}title={}::{} {}\n", f.code, esc(&f.message), esc(f.resource.as_str())));
    }
    out
}
