//! `privlink check --format markdown`: for a pull-request comment or a job summary — a summary,
//! the findings with their `az` fixes, and a mermaid diagram of what is broken (the apps and the
//! dependencies that are denied or unknown), or of the whole estate when nothing is.

use crate::findings::{rule_of, severity_of, short};
use crate::graph::{self, GraphOptions, Pick, Verdict};
use privlink_model::Model;
use privlink_rules::{Analysis, Finding, Severity};

/// How many findings the table shows before it says how many more there are (a comment holds
/// 65 536 characters).
const TABLE_ROWS: usize = 50;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The markdown report of `findings` on `model` (whose analysis the check shared).
pub fn to_markdown(findings: &[Finding], model: &Model, analysis: &Analysis, label: &str) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let diagnostics = model.diagnostics.len();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    let icon = if errors > 0 || model.diagnostics.iter().any(|d| severity_of(d) == Severity::Error) {
        "❌"
    } else if findings.is_empty() && diagnostics == 0 {
        "✅"
    } else {
        "⚠️"
    };
    let mut out = format!(
        "### {icon} privlink check: {} ({errors} error, {warnings} warning, {infos} info)\n\n",
        plural(findings.len(), "finding", "findings")
    );
    let mut verdicts = (0, 0, 0);
    for d in analysis.dependencies() {
        match graph::verdict_of(d) {
            Some(Verdict::Allowed) => verdicts.0 += 1,
            Some(Verdict::Denied) => verdicts.1 += 1,
            Some(Verdict::Unknown) => verdicts.2 += 1,
            None => {}
        }
    }
    out.push_str(&format!(
        "Estate: {} · {} · dependencies: {} allowed, {} denied, {} unknown",
        code(label),
        plural(model.resources.sites.len(), "app", "apps"),
        verdicts.0,
        verdicts.1,
        verdicts.2
    ));
    if diagnostics > 0 {
        out.push_str(&format!(" · {}", plural(diagnostics, "load diagnostic", "load diagnostics")));
    }
    out.push_str(".\n");
    if !findings.is_empty() {
        out.push_str("\n#### Findings\n\n| Severity | Code | Resource | Message | Fix |\n|---|---|---|---|---|\n");
        for f in findings.iter().take(TABLE_ROWS) {
            let fix = f.fix.as_ref().map_or_else(
                || "—".to_string(),
                |fix| {
                    if fix.az.is_empty() {
                        "—".to_string()
                    } else {
                        fix.az.iter().map(|a| code(a)).collect::<Vec<_>>().join("<br>")
                    }
                },
            );
            out.push_str(&format!(
                "| {} | {} {} | {} | {} | {} |\n",
                f.severity.as_str(),
                f.code,
                rule_of(f.code).map_or("", |r| r.name),
                code(&short(&f.resource)),
                cell(&f.message),
                cell(&fix)
            ));
        }
        if findings.len() > TABLE_ROWS {
            out.push_str(&format!(
                "\n… and {} more (`privlink check --format json` lists them all).\n",
                findings.len() - TABLE_ROWS
            ));
        }
    }
    if diagnostics > 0 {
        out.push_str("\n#### Load diagnostics (input not read as written)\n\n| Severity | Code | File | Message |\n|---|---|---|---|\n");
        for d in model.diagnostics.iter().take(TABLE_ROWS) {
            let at = if d.pointer.is_empty() { d.file.clone() } else { format!("{}#{}", d.file, d.pointer) };
            out.push_str(&format!("| {} | {} | {} | {} |\n", d.severity.as_str(), d.code, code(&at), cell(&d.message)));
        }
        if diagnostics > TABLE_ROWS {
            out.push_str(&format!("\n… and {} more.\n", diagnostics - TABLE_ROWS));
        }
    }
    let broken = verdicts.1 + verdicts.2;
    let options = GraphOptions::default();
    let (title, diagram) = if broken > 0 {
        let pick = |d: &privlink_rules::deps::Dependency| match graph::verdict_of(d) {
            Some(Verdict::Denied | Verdict::Unknown) => Pick::Draw,
            _ => Pick::Skip,
        };
        ("What is broken", graph::build_with(model, analysis, &options, &pick))
    } else {
        ("The estate", graph::build(model, analysis, &options))
    };
    out.push_str(&format!("\n#### {title}\n\n"));
    if broken == 0 {
        out.push_str(&format!("All {} dependencies of the estate's apps are allowed.\n\n", verdicts.0));
    } else {
        out.push_str(
            "Red: denied (at the step named), amber: unknown; a red border marks the resource that decided.\n\n",
        );
    }
    if !diagram.nodes.is_empty() {
        out.push_str(&format!("```mermaid\n{}```\n", graph::to_mermaid(&diagram)));
    }
    out
}
