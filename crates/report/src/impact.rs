//! `privlink diff` output: what a change does to every app's dependencies and to the findings, as
//! text for a terminal or a CI log, JSON for tools, markdown for a pull-request comment or a job
//! summary, and GitHub workflow annotations.

use crate::findings::{
    github_diagnostic, github_escape, github_finding, rule_of, short, terraform_address, Locator, PointerLocator,
};
use crate::graph::{self, GraphOptions, Pick};
use privlink_model::{Model, ResourceId};
use privlink_rules::impact::{word, Change, DependencyImpact, Impact, Outcome, Side};
use privlink_rules::Finding;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What the two sides are called and what to list.
pub struct Labels<'a> {
    pub before: &'a str,
    pub after: &'a str,
    /// List every dependency, the unchanged ones too.
    pub all: bool,
}

fn listed<'i>(impact: &'i Impact, labels: &Labels) -> impl Iterator<Item = &'i DependencyImpact> {
    let all = labels.all;
    impact.dependencies.iter().filter(move |d| all || d.change != Change::Same)
}

/// A resource id as a person names it: `name (type)`; text that is not an ARM id as it is.
fn shown(id: &str) -> String {
    match ResourceId::parse(id) {
        Ok(parsed) if id.starts_with("/subscriptions/") => short(&parsed),
        _ => id.to_string(),
    }
}

/// `private 10.0.0.4, allowed` — the resolution, its addresses, and whether the connection gets through.
fn outcome_text(o: Option<&Outcome>) -> String {
    let Some(o) = o else { return "—".to_string() };
    let mut s = word(&o.resolution);
    if !o.addresses.is_empty() {
        s.push(' ');
        s.push_str(&o.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(","));
    }
    s.push_str(", ");
    s.push_str(&word(&o.reachability));
    if let Some(access) = o.access.filter(|a| *a != privlink_engine::access::AccessVerdict::None) {
        s.push_str(&format!(", sign-in {}", word(&access)));
    }
    s
}

/// The side whose verdict explains the change: before for one for the better (what was fixed),
/// else after.
fn explaining(d: &DependencyImpact) -> Option<&Outcome> {
    match d.change {
        Change::Better | Change::Removed => d.before.as_ref().or(d.after.as_ref()),
        _ => d.after.as_ref().or(d.before.as_ref()),
    }
}

/// The resource that decided on the explaining side.
fn deciding(d: &DependencyImpact) -> Option<&str> {
    explaining(d)?.decided_by.as_deref()
}

/// The resource to change on the explaining side, when that is not what decided: the DNS
/// setting that sent a name public, upstream of the hop that then dropped it.
fn to_change(d: &DependencyImpact) -> Option<&str> {
    explaining(d)?.to_change.as_deref()
}

/// Whether what decided is the before side's (a change for the better: what was fixed).
fn decided_before(d: &DependencyImpact) -> bool {
    matches!(d.change, Change::Better | Change::Removed)
}

/// `decided by deny-internet-outbound (…/securityRules); change privatelink.database.windows.net (…)`.
fn deciding_text(d: &DependencyImpact) -> Option<String> {
    let decided = if decided_before(d) { "was decided by" } else { "decided by" };
    match (deciding(d), to_change(d)) {
        (Some(by), Some(change)) if by != change => Some(format!("{decided} {}; change {}", shown(by), shown(change))),
        (Some(by), _) => Some(format!("{decided} {}", shown(by))),
        (None, Some(change)) => Some(format!("change {}", shown(change))),
        (None, None) => None,
    }
}

fn app_name(d: &DependencyImpact) -> &str {
    d.key.app.name()
}

fn summary_counts(impact: &Impact) -> Value {
    let mut summary = serde_json::Map::new();
    for change in Change::ALL {
        summary.insert(change.as_str().to_string(), json!(impact.count(change)));
    }
    summary.insert("dependencies".into(), json!(impact.dependencies.len()));
    summary.insert("findings_added".into(), json!(impact.added.len()));
    summary.insert("findings_removed".into(), json!(impact.removed.len()));
    summary.insert("diagnostics_added".into(), json!(impact.diagnostics_added.len()));
    summary.insert("diagnostics_removed".into(), json!(impact.diagnostics_removed.len()));
    Value::Object(summary)
}

fn finding_json(f: &Finding, model: &Model) -> Value {
    let mut v = json!({
        "code": f.code,
        "severity": f.severity,
        "resource": f.resource,
        "message": f.message,
        "rule": rule_of(f.code).map_or("", |r| r.name),
        "fingerprint": f.fingerprint(),
    });
    if let Some(address) = terraform_address(model, &f.resource) {
        v["terraform_address"] = json!(address);
    }
    v
}

fn side_json(o: Option<&Outcome>) -> Value {
    match o {
        None => Value::Null,
        Some(o) => json!({
            "resolution": o.resolution,
            "addresses": o.addresses,
            "reachability": o.reachability,
            "decided_by": o.decided_by,
            "to_change": o.to_change,
            "access": o.access,
        }),
    }
}

/// The JSON contract of `privlink diff --format json`. Findings added are the after side's
/// (resources as it names them), findings removed the before side's.
pub fn to_json(impact: &Impact, labels: &Labels, before: &Model, after: &Model) -> String {
    let dependencies: Vec<Value> = listed(impact, labels)
        .map(|d| {
            let mut v = json!({
                "app": d.key.app,
                "name": d.key.name,
                "port": d.key.port,
                "before": side_json(d.before.as_ref()),
                "after": side_json(d.after.as_ref()),
                "change": d.change,
                "differences": d.differences,
            });
            if d.before_trace.is_some() || d.after_trace.is_some() {
                v["traces"] = json!({"before": d.before_trace, "after": d.after_trace});
            }
            v
        })
        .collect();
    let report = json!({
        "before": labels.before,
        "after": labels.after,
        "dependencies": dependencies,
        "findings": {
            "added": impact.added.iter().map(|f| finding_json(f, after)).collect::<Vec<_>>(),
            "removed": impact.removed.iter().map(|f| finding_json(f, before)).collect::<Vec<_>>(),
        },
        "diagnostics": {"added": impact.diagnostics_added, "removed": impact.diagnostics_removed},
        "summary": summary_counts(impact),
    });
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}

/// `2 worse, 0 better, 1 changed, 0 new, 0 removed of 14 dependencies; 1 finding added, 0 removed`.
fn summary_line(impact: &Impact) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} worse, {} better, {} changed, {} new, {} removed of {}; {} added, {} removed",
        impact.count(Change::Worse),
        impact.count(Change::Better),
        impact.count(Change::Changed),
        impact.count(Change::New),
        impact.count(Change::Removed),
        plural(impact.dependencies.len(), "dependency", "dependencies"),
        plural(impact.added.len(), "finding", "findings"),
        impact.removed.len(),
    ) + &match (impact.diagnostics_added.len(), impact.diagnostics_removed.len()) {
        (0, 0) => String::new(),
        (added, removed) => {
            format!("; {added} load diagnostic{} added, {removed} removed", if added == 1 { "" } else { "s" })
        }
    }
}

fn finding_line(sign: char, f: &Finding) -> String {
    let name = rule_of(f.code).map_or("", |r| r.name);
    let message = crate::display::Names::abbreviated().in_text(&f.message);
    format!("{sign} {:<7} {} {name}: {message}  [{}]\n", f.severity.as_str(), f.code, shown(f.resource.as_str()))
}

/// One line per changed dependency, worst first, with what differs and the deciding resource;
/// then the findings added (`+`) and removed (`-`); then the summary.
pub fn to_text(impact: &Impact, labels: &Labels) -> String {
    let mut out = format!("before: {}\nafter:  {}\n\n", labels.before, labels.after);
    let mut any = false;
    for d in listed(impact, labels) {
        any = true;
        let what = match d.change {
            Change::New => format!("new: {}", outcome_text(d.after.as_ref())),
            Change::Removed => format!("removed (was {})", outcome_text(d.before.as_ref())),
            Change::Same => format!("same: {}", outcome_text(d.after.as_ref())),
            _ => d.differences.join(", "),
        };
        out.push_str(&format!("{:<8} {} -> {}:{}  {what}", d.change.as_str(), app_name(d), d.key.name, d.key.port));
        if let Some(by) = deciding_text(d).filter(|_| d.change != Change::Same) {
            out.push_str(&format!("; {by}"));
        }
        out.push('\n');
    }
    if !any {
        out.push_str("no dependency changed\n");
    }
    if !impact.added.is_empty() || !impact.removed.is_empty() {
        out.push_str("\nfindings\n");
        for f in &impact.added {
            out.push_str(&finding_line('+', f));
        }
        for f in &impact.removed {
            out.push_str(&finding_line('-', f));
        }
    }
    if !impact.diagnostics_added.is_empty() || !impact.diagnostics_removed.is_empty() {
        out.push_str("\nload diagnostics (input not read as written)\n");
        for (sign, ds) in [('+', &impact.diagnostics_added), ('-', &impact.diagnostics_removed)] {
            for d in ds {
                out.push_str(&format!("{sign} {d}\n"));
            }
        }
    }
    out.push_str(&format!("\ndiff: {}\n", summary_line(impact)));
    out
}

/// A table cell: pipes escaped, no line breaks (GitHub-flavoured markdown ends a row at one).
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// HTML text inside `<summary>`.
fn html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn dependency_table(out: &mut String, rows: &[&DependencyImpact]) {
    out.push_str("| Change | App | Dependency | Before | After | Decided by |\n|---|---|---|---|---|---|\n");
    for d in rows {
        let by = match (deciding(d), to_change(d)) {
            (Some(by), Some(change)) if by != change => {
                format!("{}, change {}", code(&shown(by)), code(&shown(change)))
            }
            (Some(by), _) => code(&shown(by)),
            (None, Some(change)) => format!("change {}", code(&shown(change))),
            (None, None) => "—".to_string(),
        };
        let by = if decided_before(d) && by != "—" { format!("before: {by}") } else { by };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            d.change.as_str(),
            cell(app_name(d)),
            code(&format!("{}:{}", d.key.name, d.key.port)),
            cell(&outcome_text(d.before.as_ref())),
            cell(&outcome_text(d.after.as_ref())),
            cell(&by),
        ));
    }
}

fn findings_table(out: &mut String, findings: &[Finding]) {
    out.push_str("| Severity | Rule | Resource | Message |\n|---|---|---|---|\n");
    for f in findings {
        out.push_str(&format!(
            "| {} | {} {} | {} | {} |\n",
            f.severity.as_str(),
            f.code,
            rule_of(f.code).map_or("", |r| r.name),
            code(&shown(f.resource.as_str())),
            cell(&f.message)
        ));
    }
}

/// How many rows a markdown table shows before it says how many more there are: a pull-request
/// comment holds 65 536 characters.
const TABLE_ROWS: usize = 50;

/// For a pull-request comment or a job summary: a summary line, a table of what got worse, the
/// other changes and the findings, a mermaid diagram of the changed dependencies on the after
/// side (`after`; worse edges marked), then each detailed dependency's hops before and after, folded.
pub fn to_markdown(impact: &Impact, labels: &Labels, after: &Side) -> String {
    let worse = impact.count(Change::Worse);
    let headline = match (worse, impact.added.len() + impact.diagnostics_added.len()) {
        (0, 0) if impact.dependencies.iter().all(|d| d.change == Change::Same) && impact.removed.is_empty() => {
            "no app's dependencies changed".to_string()
        }
        (0, 0) => "nothing got worse".to_string(),
        (w, _) => {
            let (a, l) = (impact.added.len(), impact.diagnostics_added.len());
            let mut headline = format!(
                "{w} {} got worse, {a} finding{} added",
                if w == 1 { "dependency" } else { "dependencies" },
                if a == 1 { "" } else { "s" }
            );
            if l > 0 {
                headline.push_str(&format!(", {l} load diagnostic{} added", if l == 1 { "" } else { "s" }));
            }
            headline
        }
    };
    let icon =
        if worse > 0 || !impact.added.is_empty() || !impact.diagnostics_added.is_empty() { "❌" } else { "✅" };
    let mut out = format!("### {icon} privlink: {headline}\n\n");
    out.push_str(&format!("{}.\n\n", summary_line(impact)));
    out.push_str(&format!("Before: {} · after: {}\n", code(labels.before), code(labels.after)));
    let section = |out: &mut String, title: &str, rows: Vec<&DependencyImpact>| {
        if rows.is_empty() {
            return;
        }
        out.push_str(&format!("\n#### {title}\n\n"));
        dependency_table(out, &rows[..rows.len().min(TABLE_ROWS)]);
        if rows.len() > TABLE_ROWS {
            out.push_str(&format!(
                "\n… and {} more (`privlink diff --format json` lists them all).\n",
                rows.len() - TABLE_ROWS
            ));
        }
    };
    let listed: Vec<&DependencyImpact> = listed(impact, labels).collect();
    section(&mut out, "What got worse", listed.iter().copied().filter(|d| d.change == Change::Worse).collect());
    section(&mut out, "Other changes", listed.iter().copied().filter(|d| d.change != Change::Worse).collect());
    for (title, findings) in [("Findings added", &impact.added), ("Findings removed", &impact.removed)] {
        if findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {title}\n\n"));
        findings_table(&mut out, &findings[..findings.len().min(TABLE_ROWS)]);
        if findings.len() > TABLE_ROWS {
            out.push_str(&format!("\n… and {} more.\n", findings.len() - TABLE_ROWS));
        }
    }
    if !impact.diagnostics_added.is_empty() {
        out.push_str("\n#### Load diagnostics added (input not read as written)\n\n| Severity | Code | File | Message |\n|---|---|---|---|\n");
        for d in impact.diagnostics_added.iter().take(TABLE_ROWS) {
            let at = if d.pointer.is_empty() { d.file.clone() } else { format!("{}#{}", d.file, d.pointer) };
            out.push_str(&format!("| {} | {} | {} | {} |\n", d.severity.as_str(), d.code, code(&at), cell(&d.message)));
        }
        if impact.diagnostics_added.len() > TABLE_ROWS {
            out.push_str(&format!("\n… and {} more.\n", impact.diagnostics_added.len() - TABLE_ROWS));
        }
    }
    diagram(&mut out, impact, after);
    let detailed: Vec<&DependencyImpact> =
        impact.dependencies.iter().filter(|d| d.before_trace.is_some() || d.after_trace.is_some()).collect();
    if !detailed.is_empty() {
        out.push_str("\n#### Hop by hop\n");
    }
    for d in detailed {
        out.push_str(&format!(
            "\n<details><summary>{} {} → {}:{}: {}</summary>\n\n",
            d.change.as_str(),
            html(app_name(d)),
            html(d.key.name.as_str()),
            d.key.port,
            html(&d.differences.join(", "))
        ));
        for (side, trace) in [("Before", &d.before_trace), ("After", &d.after_trace)] {
            match trace {
                Some(t) => {
                    out.push_str(&format!("{side}:\n\n```text\n{}\n```\n\n", crate::trace::to_text(t).trim_end()))
                }
                None => out.push_str(&format!("{side}: no such dependency.\n\n")),
            }
        }
        out.push_str("</details>\n");
    }
    out
}

/// The changed dependencies that the after side still has, drawn with its verdicts.
fn diagram(out: &mut String, impact: &Impact, after: &Side) {
    let changed: BTreeMap<(&ResourceId, &str, u16), Change> = impact
        .dependencies
        .iter()
        .filter(|d| d.change != Change::Same && d.after.is_some())
        .map(|d| ((&d.key.app, d.key.name.as_str(), d.key.port), d.change))
        .collect();
    if changed.is_empty() {
        return;
    }
    let pick = |d: &privlink_rules::deps::Dependency| match changed.get(&(&d.site.meta.id, d.name.as_str(), d.port)) {
        Some(Change::Worse) => Pick::DrawWorse,
        Some(_) => Pick::Draw,
        None => Pick::Skip,
    };
    let g = graph::build_with(after.model, &after.analysis, &GraphOptions::default(), &pick);
    if g.dependency_edges().next().is_none() {
        return;
    }
    out.push_str("\n#### What changed, drawn\n\nThe changed dependencies after the change: green allowed, red denied, amber unknown; WORSE marks what got worse, a red border the resource that decided.\n\n");
    out.push_str(&format!("```mermaid\n{}```\n", graph::to_mermaid(&g)));
}

/// GitHub workflow commands: one annotation per load diagnostic added, an error per dependency
/// that got worse (on the after side's file of the resource to change when it has one), a notice
/// per one that got better, then one annotation per finding added.
pub fn to_github(impact: &Impact, after: &Model, locate: Locator, locate_pointer: PointerLocator) -> String {
    let mut out = String::new();
    for d in &impact.diagnostics_added {
        out.push_str(&github_diagnostic(d, locate, locate_pointer, " (new)"));
    }
    for d in impact.dependencies.iter().filter(|d| matches!(d.change, Change::Worse | Change::Better)) {
        let loc = to_change(d)
            .or(deciding(d))
            .and_then(|id| ResourceId::parse(id).ok())
            .and_then(|id| locate(&id))
            .map(|(file, line)| format!("file={},line={line},", github_escape(&file)))
            .unwrap_or_default();
        let command = if d.change == Change::Worse { "error" } else { "notice" };
        out.push_str(&format!(
            "::{command} {loc}title=privlink diff: {} {}::{}",
            d.change.as_str(),
            github_escape(app_name(d)),
            github_escape(&format!("{} -> {}:{}: {}", app_name(d), d.key.name, d.key.port, d.differences.join(", ")))
        ));
        if let Some(by) = deciding_text(d) {
            out.push_str(&github_escape(&format!("; {by}")));
        }
        out.push('\n');
    }
    for f in &impact.added {
        out.push_str(&github_finding(f, after, locate, " (new)"));
    }
    out
}
