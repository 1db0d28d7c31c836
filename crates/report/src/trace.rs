//! `privlink trace` output.

use privlink_engine::path::{FlowVerdict, Trace};

fn verdict(v: FlowVerdict) -> &'static str {
    match v {
        FlowVerdict::Allowed => "allowed",
        FlowVerdict::Denied => "DENIED",
        FlowVerdict::Unknown => "unknown",
    }
}

fn short(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_string()
}

/// One trace, hop by hop, with what decided each hop.
pub fn to_text(t: &Trace) -> String {
    let mut out = format!("{} -> {} ({})\n", short(&t.query.from), t.query.to, t.query.protocol);
    if let Some(c) = &t.root_cause {
        let step = serde_json::to_value(c.step).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("  {:<12} {:<8} {}\n", step, "cause", c.detail));
        out.push_str(&format!("  {:<12} {:<8} decided by {} {}\n", "", "", c.decided_by.kind, c.decided_by.id));
    }
    for h in &t.hops {
        let step = serde_json::to_value(h.step).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("  {:<12} {:<8} {}\n", step, verdict(h.verdict), h.detail));
        if let Some(d) = &h.decided_by {
            out.push_str(&format!("  {:<12} {:<8} decided by {} {}\n", "", "", d.kind, d.id));
        }
    }
    out.push_str(&format!("verdict: {}", verdict(t.verdict)));
    if !t.message.is_empty() {
        out.push_str(&format!(" — {}", t.message));
    }
    out.push('\n');
    // Only a denial names something to change; an unknown verdict names where the model ends.
    // With a root cause only it is named: changing the hop that dropped the traffic would open
    // the wrong path (the public one).
    for d in &t.changes {
        out.push_str(&format!("change: {} {}\n", d.kind, d.id));
    }
    if let (Some(d), FlowVerdict::Unknown) = (&t.decided_by, t.verdict) {
        out.push_str(&format!("undecided at: {} {}\n", d.kind, d.id));
    }
    out
}

/// One line per dependency, then the details of every trace that is not allowed.
pub fn to_table(traces: &[Trace]) -> String {
    let mut rows = vec![vec!["VERDICT".to_string(), "DESTINATION".into(), "ADDRESS".into(), "DECIDED BY".into()]];
    for t in traces {
        let last = t.hops.last();
        let by = t
            .decided_by
            .as_ref()
            .or_else(|| last.and_then(|h| h.decided_by.as_ref()))
            .map(|d| format!("{} {}", d.kind, short(&d.id)))
            .unwrap_or_default();
        let addr = if t.destination.ip.is_unspecified() { "-".to_string() } else { t.destination.ip.to_string() };
        rows.push(vec![verdict(t.verdict).to_string(), t.query.to.clone(), addr, by]);
    }
    let mut out = crate::table::columns(&rows, 0);
    let blocked: Vec<&Trace> = traces.iter().filter(|t| t.verdict != FlowVerdict::Allowed).collect();
    out.push_str(&format!("\n{} of {} dependencies reachable\n", traces.len() - blocked.len(), traces.len()));
    for t in blocked {
        out.push('\n');
        out.push_str(&to_text(t));
    }
    out
}
