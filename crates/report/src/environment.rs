//! `privlink env` output: the environment App Service hands an app, with customer values redacted
//! unless asked for, and each Key Vault reference's status, details and next step.

use crate::table::columns;
use privlink_engine::access::environment::{Environment, Variable};
use serde_json::{json, Value};

/// What a secret value is shown as without `--show-values`.
pub const REDACTED: &str = "<redacted>";

fn shown(v: &Variable, show_values: bool) -> &str {
    if v.secret && !show_values {
        REDACTED
    } else {
        &v.value
    }
}

/// Every modelling choice the environment rests on, sorted.
fn assumptions(env: &Environment) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = env
        .variables
        .iter()
        .flat_map(|v| v.assumptions.iter().chain(v.reference.iter().flat_map(|r| r.assumptions.iter())))
        .copied()
        .collect();
    // By register, then number: A1, I2, I11 (not I11 before I2).
    all.sort_by_key(|a| {
        let digits = a.find(|c: char| c.is_ascii_digit()).unwrap_or(a.len());
        (a[..digits].to_string(), a[digits..].parse::<u32>().unwrap_or(0))
    });
    all.dedup();
    all
}

/// `{"app", "settings": [{"name", "source", "value", "reference"}], …}`.
pub fn to_json(env: &Environment, show_values: bool) -> Value {
    let settings: Vec<Value> = env
        .variables
        .iter()
        .map(|v| {
            json!({
                "name": v.name,
                "source": v.source,
                "value": shown(v, show_values),
                "redacted": v.secret && !show_values,
                "setting": v.setting,
                "reference": v.reference,
                "assumptions": v.assumptions,
            })
        })
        .collect();
    json!({
        "app": env.app,
        "settings": settings,
        "withheld": env.withheld,
        "references": {
            "total": env.references().count(),
            "unresolved": env.references().filter(|(_, r)| !r.resolved()).count(),
        },
        "assumptions": assumptions(env),
    })
}

/// The table, then each unresolved reference's details and what to try next.
pub fn to_text(env: &Environment, show_values: bool) -> String {
    let mut rows = vec![vec!["NAME".into(), "SOURCE".into(), "VALUE".into(), "REFERENCE STATUS".into()]];
    for v in &env.variables {
        let status = v.reference.as_ref().map_or("-", |r| r.status);
        rows.push(vec![v.name.clone(), v.source.as_str().into(), shown(v, show_values).into(), status.into()]);
    }
    let mut out = format!("{}\n", env.app.name());
    out.push_str(&columns(&rows, 2));
    for w in &env.withheld {
        out.push_str(&format!("not in the container: {} ({})\n", w.name, w.reason));
    }
    let unresolved: Vec<_> = env.references().filter(|(_, r)| !r.resolved()).collect();
    let total = env.references().count();
    out.push('\n');
    if total == 0 {
        out.push_str("no Key Vault references\n");
    } else if unresolved.is_empty() {
        out.push_str(&format!("Key Vault references: all {total} resolved\n"));
    } else {
        out.push_str(&format!("Key Vault references: {} of {total} not resolved\n", unresolved.len()));
    }
    for (setting, r) in &unresolved {
        out.push_str(&format!("\n{setting}: {}\n", r.status));
        out.push_str(&format!("  {}\n", r.details));
        if let Some(d) = &r.decided_by {
            out.push_str(&format!("  decided by {} {}\n", d.kind, d.id));
        }
        if let Some(identity) = &r.identity {
            out.push_str(&format!(
                "  identity {identity}{}\n",
                r.principal.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
            ));
        }
        out.push_str("  the app receives the literal reference string\n");
        if let Some(next) = &r.next_step {
            out.push_str(&format!("  next: {next}\n"));
        }
    }
    if unresolved.is_empty() {
        let app = env.app.name();
        let hidden = env.variables.iter().any(|v| v.secret) && !show_values;
        let values = if hidden { "; --show-values prints the redacted values" } else { "" };
        out.push_str(&format!(
            "next: privlink trace --from {app} --all (whether the app reaches what these settings name){values}\n"
        ));
    }
    let all = assumptions(env);
    if !all.is_empty() {
        out.push_str(&format!("assumptions: {}\n", all.join(", ")));
    }
    out
}
