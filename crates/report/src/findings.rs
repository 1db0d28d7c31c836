//! `privlink check` output: text for people, JSON for tools, SARIF for code scanning, JUnit for
//! test dashboards, GitHub workflow annotations. Each carries the rules' findings and the estate's
//! load diagnostics (input that is readable but wrong): a gate must not pass an estate that was not
//! read as written.

use crate::baseline::{Comparison, SARIF_FINGERPRINT};
use crate::display::Names;
use crate::load_codes::{load_code, LOAD_CODES};
use privlink_model::{LoadDiagnostic, Model, ResourceId};
use privlink_rules::{all_rules, fingerprint, summary, Finding, Rule, Severity};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

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
    /// Named as `privlink inventory --format json` names them, with a `fingerprint`.
    pub diagnostics: Vec<DiagnosticOut<'a>>,
    pub summary: Summary,
    /// With `check --baseline`: the baseline file and how many findings it knew, how many are new
    /// (the ones listed) and how many of its findings no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a Comparison>,
}

#[derive(Serialize)]
pub struct DiagnosticOut<'a> {
    #[serde(flatten)]
    pub diagnostic: &'a LoadDiagnostic,
    /// See [`diagnostic_fingerprint`].
    pub fingerprint: String,
}

#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub code: &'a str,
    pub severity: Severity,
    pub resource: &'a ResourceId,
    pub message: &'a str,
    /// See [`Finding::fingerprint`]: what `check --baseline` matches findings by.
    pub fingerprint: String,
    pub evidence: &'a [serde_json::Value],
    pub fix: Option<serde_json::Value>,
    pub rule: &'a str,
    /// The Terraform address of the resource, when the estate was read from a Terraform plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_address: Option<&'a str>,
}

/// The Terraform address a resource was mapped from, when the estate came from a Terraform plan.
pub fn terraform_address<'m>(model: &'m Model, id: &ResourceId) -> Option<&'m str> {
    model.documents.get(id)?.origin.address.as_deref()
}

/// Findings and load diagnostics counted together by severity: what `--fail-on` weighs.
pub fn summarize(findings: &[Finding], model: &Model) -> Summary {
    let count = |s: Severity| {
        findings.iter().filter(|f| f.severity == s).count()
            + model.diagnostics.iter().filter(|d| severity_of(d) == s).count()
    };
    Summary {
        error: count(Severity::Error),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        resources: model.documents.len(),
    }
}

/// A load diagnostic's severity on the rules' scale.
pub fn severity_of(d: &LoadDiagnostic) -> Severity {
    match d.severity {
        privlink_model::Severity::Error => Severity::Error,
        privlink_model::Severity::Warning => Severity::Warning,
        privlink_model::Severity::Info => Severity::Info,
    }
}

pub(crate) fn rule_of(code: &str) -> Option<&'static Rule> {
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

/// What identifies a load diagnostic across runs, as [`Finding::fingerprint`] identifies a
/// finding: its code, place (`file#pointer`, the file as the user named it) and message.
pub fn diagnostic_fingerprint(d: &LoadDiagnostic) -> String {
    diagnostic_fingerprint_of(d.code, &d.file, &d.pointer, &d.message)
}

/// [`diagnostic_fingerprint`] from a diagnostic's parts, as a baseline file holds them.
pub fn diagnostic_fingerprint_of(code: &str, file: &str, pointer: &str, message: &str) -> String {
    fingerprint(code, &format!("{file}#{pointer}"), message)
}

/// `check --format json`: the findings, the load diagnostics and their summary.
pub fn to_json(findings: &[Finding], model: &Model) -> String {
    to_json_with(findings, model, None)
}

/// [`to_json`] with the comparison against a baseline (the top-level `"baseline"` key), for
/// `check --baseline`: `findings` are then the new ones only.
pub fn to_json_with(findings: &[Finding], model: &Model, baseline: Option<&Comparison>) -> String {
    let report = CheckReport {
        findings: findings
            .iter()
            .map(|f| FindingOut {
                code: f.code,
                severity: f.severity,
                resource: &f.resource,
                message: &f.message,
                fingerprint: f.fingerprint(),
                evidence: &f.evidence,
                fix: fix_json(f, model),
                rule: rule_of(f.code).map(|r| r.name).unwrap_or(""),
                terraform_address: terraform_address(model, &f.resource),
            })
            .collect(),
        diagnostics: model
            .diagnostics
            .iter()
            .map(|d| DiagnosticOut { diagnostic: d, fingerprint: diagnostic_fingerprint(d) })
            .collect(),
        summary: summarize(findings, model),
        baseline,
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}

pub(crate) fn short(id: &ResourceId) -> String {
    Names::abbreviated().id(id)
}

/// Load diagnostics grouped by file, in the loader's order (most severe first), before the
/// findings: what was not read as written may be why a finding is there or missing.
fn diagnostics_text(diagnostics: &[LoadDiagnostic], names: &Names) -> String {
    let mut out = String::new();
    let mut by_file: BTreeMap<&str, Vec<&LoadDiagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_file.entry(&d.file).or_default().push(d);
    }
    for (file, ds) in by_file {
        out.push_str(&match file {
            "" => "load diagnostics\n".to_string(),
            file => format!("{file} (load diagnostics)\n"),
        });
        for d in ds {
            let name = load_code(d.code).map(|c| c.name).unwrap_or("");
            out.push_str(&format!("  {:<7} {} {}: {}\n", severity_of(d).as_str(), d.code, name, d.message));
            if !d.pointer.is_empty() {
                out.push_str(&format!("          at: {}\n", d.pointer));
            }
            if let Some(resource) = &d.resource {
                out.push_str(&format!("          resource: {}\n", names.id(resource)));
            }
            if let Some(address) = &d.terraform_address {
                out.push_str(&format!("          terraform: {address}\n"));
            }
        }
        out.push('\n');
    }
    out
}

/// Load diagnostics first, then findings grouped by resource, most severe first within a
/// resource; evidence compact; the fix last.
pub fn to_text(findings: &[Finding], model: &Model, estate: &str) -> String {
    to_text_with(findings, model, estate, &Names::new(model, false))
}

/// [`to_text`], naming resources with `names`: abbreviated, the resource's full id under its
/// name, evidence lists capped; everything whole with `--verbose`. A fix's `az` command is always
/// whole, to be run as it is.
pub fn to_text_with(findings: &[Finding], model: &Model, estate: &str, names: &Names) -> String {
    let mut out = diagnostics_text(&model.diagnostics, names);
    let mut by_resource: BTreeMap<&ResourceId, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_resource.entry(&f.resource).or_default().push(f);
    }
    for (resource, mut fs) in by_resource {
        fs.sort_by_key(|f| (f.severity, f.code));
        if names.is_verbose() {
            out.push_str(&format!("{}\n  {resource}\n", short(resource)));
        } else {
            out.push_str(&format!("{}\n", names.id(resource)));
        }
        if let Some(address) = terraform_address(model, resource) {
            out.push_str(&format!("  terraform: {address}\n"));
        }
        for f in fs {
            let name = rule_of(f.code).map(|r| r.name).unwrap_or("");
            out.push_str(&format!("  {:<7} {} {}: {}\n", f.severity.as_str(), f.code, name, names.message(&f.message)));
            let shown = if names.is_verbose() { f.evidence.len() } else { f.evidence.len().min(EVIDENCE_SHOWN) };
            for e in &f.evidence[..shown] {
                evidence_text(e, names, &mut out);
            }
            if shown < f.evidence.len() {
                out.push_str(&format!(
                    "          … and {} more evidence (--verbose or --format json shows all)\n",
                    f.evidence.len() - shown
                ));
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
    let from_loading = match model.diagnostics.len() {
        0 => String::new(),
        1 => "; 1 is a load diagnostic".to_string(),
        n => format!("; {n} are load diagnostics"),
    };
    out.push_str(&format!(
        "{}: {} error{}, {} warning{}, {} info in {} resources ({}){from_loading}\n",
        if findings.is_empty() && model.diagnostics.is_empty() { "No findings" } else { "Summary" },
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

/// How many evidence entries a finding shows in text (all with `--verbose`).
const EVIDENCE_SHOWN: usize = 6;

/// A value longer than this goes on a line of its own (prose, such as an explanation).
const INLINE_VALUE: usize = 72;

/// One evidence entry: `evidence: key=value …`, resources by name, lists capped, values too long
/// for the line (explanations) on lines of their own.
fn evidence_text(v: &serde_json::Value, names: &Names, out: &mut String) {
    let serde_json::Value::Object(m) = v else {
        out.push_str(&format!("          evidence: {}\n", compact(v, names)));
        return;
    };
    let mut inline = Vec::new();
    let mut long = Vec::new();
    for (k, v) in m {
        let text = compact(v, names);
        if text.chars().count() > INLINE_VALUE {
            long.push(format!("            {k}: {text}\n"));
        } else {
            inline.push(format!("{k}={text}"));
        }
    }
    out.push_str(&format!("          evidence: {}\n", inline.join(" ")).replace("evidence: \n", "evidence:\n"));
    for line in long {
        out.push_str(&line);
    }
}

/// Evidence names resources by id; in text the name reads better (the full id is in JSON and
/// with `--verbose`). A list shows its first items and how many more.
fn compact(v: &serde_json::Value, names: &Names) -> String {
    match v {
        serde_json::Value::String(s) => names.in_text(s),
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| compact(i, names)).collect();
            format!("[{}]", names.list(&items, ", "))
        }
        serde_json::Value::Object(m) => {
            let entries: Vec<String> =
                m.iter().map(|(k, v)| format!("{}: {}", names.text_id(k), compact(v, names))).collect();
            format!("{{{}}}", entries.join("; "))
        }
        other => other.to_string(),
    }
}

/// Where a resource's `"id"` appears in the input files, for SARIF physical locations. The CLI
/// computes it (it has the files); renderers only place it.
pub type Locator<'a> = &'a dyn Fn(&ResourceId) -> Option<(String, usize)>;

/// The 1-based line a JSON pointer into an input file lands on, for load diagnostics.
pub type PointerLocator<'a> = &'a dyn Fn(&str, &str) -> Option<usize>;

/// What [`to_sarif_with`] adds to or leaves out of the SARIF log.
#[derive(Clone, Copy, Debug)]
pub struct SarifOptions<'a> {
    /// The fingerprints of a baseline's findings and load diagnostics (see
    /// [`crate::baseline::Baseline::fingerprints`]). When given, every result carries a
    /// `baselineState`: `"unchanged"` when its fingerprint is among these, `"new"` otherwise.
    /// When `None`, no result carries one.
    pub known: Option<&'a HashSet<String>>,
    /// Whether the estate's load diagnostics are results (`check` always reports them; a
    /// comparison of two revisions may leave them out).
    pub diagnostics: bool,
}

impl Default for SarifOptions<'_> {
    /// What `check` writes without `--baseline`: no baseline state, load diagnostics included.
    fn default() -> Self {
        SarifOptions { known: None, diagnostics: true }
    }
}

/// SARIF 2.1.0: a rule descriptor per rule (its documentation as `help`, and `helpUri` =
/// `help_base#code` when `help_base` is not empty) and per load diagnostic code; a result per finding
/// (located at its resource's `"id"` line) and per load diagnostic (its file, and its JSON pointer
/// as a logical location and in the result's properties). Every result carries its fingerprint as
/// `partialFingerprints["privlink/v1"]`. The same as [`to_sarif_with`] and
/// `SarifOptions::default()`.
pub fn to_sarif(
    findings: &[Finding],
    model: &Model,
    help_base: &str,
    locate: Locator,
    locate_pointer: PointerLocator,
) -> String {
    to_sarif_with(findings, model, help_base, locate, locate_pointer, &SarifOptions::default())
}

/// [`to_sarif`] with options: a baseline's fingerprints, which give every result a
/// `baselineState` (`"new"` or `"unchanged"`), and whether load diagnostics are results.
pub fn to_sarif_with(
    findings: &[Finding],
    model: &Model,
    help_base: &str,
    locate: Locator,
    locate_pointer: PointerLocator,
    options: &SarifOptions,
) -> String {
    let diagnostics: &[LoadDiagnostic] = if options.diagnostics { &model.diagnostics } else { &[] };
    let identify = |result: &mut serde_json::Value, print: String| {
        if let Some(known) = options.known {
            result["baselineState"] = json!(if known.contains(&print) { "unchanged" } else { "new" });
        }
        result["partialFingerprints"] = json!({ SARIF_FINGERPRINT: print });
    };
    let mut rules: Vec<serde_json::Value> = all_rules()
        .iter()
        .map(|r| {
            let documentation = privlink_rules::documentation(r);
            let mut rule = json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": summary(r)},
                "fullDescription": {"text": documentation},
                "help": {"text": documentation, "markdown": documentation},
                "defaultConfiguration": {"level": level(r.severity)},
            });
            if !help_base.is_empty() {
                rule["helpUri"] = json!(format!("{help_base}#{}", r.code.to_lowercase()));
            }
            rule
        })
        .collect();
    rules.extend(LOAD_CODES.iter().map(|c| {
        json!({
            "id": c.code,
            "name": c.name,
            "shortDescription": {"text": format!("{} {}: {}", c.code, c.name, c.summary)},
            "defaultConfiguration": {"level": level(c.severity)},
        })
    }));
    let mut results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "logicalLocations": [{"fullyQualifiedName": f.resource.to_string(), "kind": "resource"}]
            });
            if let Some((file, line)) = locate(&f.resource) {
                location["physicalLocation"] =
                    json!({"artifactLocation": {"uri": file}, "region": {"startLine": line}});
            }
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": all_rules().iter().position(|r| r.code == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [location],
            });
            if let Some(address) = terraform_address(model, &f.resource) {
                // The resource as the pull request's author wrote it, beside the ARM id.
                result["locations"][0]["logicalLocations"]
                    .as_array_mut()
                    .expect("built above")
                    .push(json!({"fullyQualifiedName": address, "kind": "resource", "name": "terraform"}));
                result["properties"] = json!({"terraform_address": address});
            }
            identify(&mut result, f.fingerprint());
            result
        })
        .collect();
    results.extend(diagnostics.iter().map(|d| {
        let mut result = sarif_diagnostic(d, locate, locate_pointer);
        identify(&mut result, diagnostic_fingerprint(d));
        result
    }));
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "privlink", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&sarif).expect("serialisable");
    s.push('\n');
    s
}

fn sarif_diagnostic(d: &LoadDiagnostic, locate: Locator, locate_pointer: PointerLocator) -> serde_json::Value {
    let mut logical = Vec::new();
    if !d.pointer.is_empty() {
        logical.push(
            json!({"name": d.pointer, "fullyQualifiedName": format!("{}#{}", d.file, d.pointer), "kind": "value"}),
        );
    }
    if let Some(resource) = &d.resource {
        logical.push(json!({"fullyQualifiedName": resource.to_string(), "kind": "resource"}));
    }
    let mut location = json!({});
    if !logical.is_empty() {
        location["logicalLocations"] = json!(logical);
    }
    if !d.file.is_empty() {
        location["physicalLocation"] = json!({"artifactLocation": {"uri": d.file}});
        if let Some(line) = diagnostic_line(d, locate, locate_pointer) {
            location["physicalLocation"]["region"] = json!({"startLine": line});
        }
    }
    json!({
        "ruleId": d.code,
        "ruleIndex": all_rules().len() + LOAD_CODES.iter().position(|c| c.code == d.code).unwrap_or(0),
        "level": level(severity_of(d)),
        "message": {"text": d.message},
        "locations": [location],
        "properties": {"file": d.file, "pointer": d.pointer},
    })
}

/// The line the diagnostic's JSON pointer lands on or, failing that, the line of its resource's
/// `"id"` when that resource is written in the same file.
fn diagnostic_line(d: &LoadDiagnostic, locate: Locator, locate_pointer: PointerLocator) -> Option<usize> {
    if let Some(line) = locate_pointer(&d.file, &d.pointer) {
        return Some(line);
    }
    let (file, line) = locate(d.resource.as_ref()?)?;
    (file == d.file).then_some(line)
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
/// pass once for the estate. Then one test case per load diagnostic, failing as a finding of its
/// severity would (error and warning fail, info passes).
pub fn to_junit(findings: &[Finding], rules_run: &[&Rule], model: &Model) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = findings.iter().filter(|f| f.severity != Severity::Info).count()
        + model.diagnostics.iter().filter(|d| severity_of(d) != Severity::Info).count();
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
    for d in &model.diagnostics {
        let name = load_code(d.code).map(|c| c.name).unwrap_or("");
        let place = if d.pointer.is_empty() { d.file.clone() } else { format!("{}#{}", d.file, d.pointer) };
        let body = if severity_of(d) == Severity::Info {
            String::from("/>\n")
        } else {
            format!(
                "><failure type=\"{}\" message=\"{}\">{}</failure></testcase>\n",
                severity_of(d).as_str(),
                xml_escape(&d.message),
                xml_escape(&place)
            )
        };
        cases.push(format!(
            "    <testcase classname=\"privlink.{}\" name=\"{} {}: {}\" file=\"{}\"{}",
            d.code,
            d.code,
            name,
            xml_escape(&place),
            xml_escape(&d.file),
            body
        ));
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

fn github_command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a workflow command's message.
pub(crate) fn github_escape(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`file=`), where `,` and `:` end the value.
fn github_property(s: &str) -> String {
    github_escape(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one annotation per load diagnostic (on its file and the line
/// its JSON pointer lands on, the pointer in the message), then one per finding.
pub fn to_github(findings: &[Finding], model: &Model, locate: Locator, locate_pointer: PointerLocator) -> String {
    let mut out = String::new();
    for d in &model.diagnostics {
        out.push_str(&github_diagnostic(d, locate, locate_pointer, ""));
    }
    for f in findings {
        out.push_str(&github_finding(f, model, locate, ""));
    }
    out
}

/// One load diagnostic as a workflow command, on its file and the line its JSON pointer lands on
/// (the pointer in the message); `title_suffix` follows the code in the title.
pub(crate) fn github_diagnostic(
    d: &LoadDiagnostic,
    locate: Locator,
    locate_pointer: PointerLocator,
    title_suffix: &str,
) -> String {
    let mut loc = String::new();
    if !d.file.is_empty() {
        loc = format!("file={},", github_property(&d.file));
        if let Some(line) = diagnostic_line(d, locate, locate_pointer) {
            loc.push_str(&format!("line={line},"));
        }
    }
    let at = if d.pointer.is_empty() { String::new() } else { format!(" (at {})", d.pointer) };
    format!(
        "::{} {loc}title={}{title_suffix}::{}{}\n",
        github_command(severity_of(d)),
        d.code,
        github_escape(&d.message),
        github_escape(&at)
    )
}

/// One finding as a workflow command, on its resource's file and line; `title_suffix` follows
/// the code in the title (`diff` marks added findings ` (new)`).
pub(crate) fn github_finding(f: &Finding, model: &Model, locate: Locator, title_suffix: &str) -> String {
    let loc = locate(&f.resource)
        .map(|(file, line)| format!("file={},line={line},", github_escape(&file)))
        .unwrap_or_default();
    let terraform = terraform_address(model, &f.resource).map(|a| format!(" (terraform: {a})")).unwrap_or_default();
    format!(
        "::{} {loc}title={}{title_suffix}::{} {}{}\n",
        github_command(f.severity),
        f.code,
        github_escape(&f.message),
        github_escape(f.resource.as_str()),
        github_escape(&terraform)
    )
}
