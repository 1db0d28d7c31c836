//! `privlink trace` output.

use crate::display::Names;
use privlink_engine::access::{Access, AccessVerdict};
use privlink_engine::path::{FlowVerdict, Trace};

fn access_word(v: AccessVerdict) -> &'static str {
    match v {
        AccessVerdict::Granted => "granted",
        AccessVerdict::Denied => "DENIED",
        AccessVerdict::Indeterminate => "unknown",
        AccessVerdict::None => "-",
    }
}

/// The access step as the last hop: the principal, the audience and what decided.
fn access_hop(a: &Access, names: &Names, out: &mut String) {
    let who = match (&a.identity, &a.principal) {
        (Some(identity), Some(p)) => format!(" [{identity} {p} for {}]", a.audience.as_deref().unwrap_or("-")),
        (Some(identity), None) => format!(" [{identity} for {}]", a.audience.as_deref().unwrap_or("-")),
        _ => String::new(),
    };
    let word = if a.verdict == AccessVerdict::None { "none" } else { access_word(a.verdict) };
    out.push_str(&format!("  {:<12} {:<8} {}{who}\n", "access", word, names.in_text(&a.reason)));
    if let Some(d) = &a.decided_by {
        out.push_str(&format!("  {:<12} {:<8} decided by {} {}\n", "", "", d.kind, names.text_id(&d.id)));
    }
}

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
    to_text_with(t, &Names::abbreviated())
}

/// [`to_text`], naming resources with `names` (abbreviated, or whole with `--verbose`).
pub fn to_text_with(t: &Trace, names: &Names) -> String {
    let mut out = format!("{} -> {} ({})\n", short(&t.query.from), t.query.to, t.query.protocol);
    if let Some(c) = &t.root_cause {
        let step = serde_json::to_value(c.step).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("  {:<12} {:<8} {}\n", step, "cause", names.in_text(&c.detail)));
        out.push_str(&format!(
            "  {:<12} {:<8} decided by {} {}\n",
            "",
            "",
            c.decided_by.kind,
            names.text_id(&c.decided_by.id)
        ));
    }
    for h in &t.hops {
        let step = serde_json::to_value(h.step).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("  {:<12} {:<8} {}\n", step, verdict(h.verdict), names.in_text(&h.detail)));
        if let Some(d) = &h.decided_by {
            out.push_str(&format!("  {:<12} {:<8} decided by {} {}\n", "", "", d.kind, names.text_id(&d.id)));
        }
    }
    if let Some(a) = &t.access {
        access_hop(a, names, &mut out);
    }
    out.push_str(&format!("verdict: {}", verdict(t.verdict)));
    if !t.message.is_empty() {
        out.push_str(&format!(" — {}", names.in_text(&t.message)));
    }
    out.push('\n');
    if let Some(a) =
        t.access.as_ref().filter(|a| matches!(a.verdict, AccessVerdict::Denied | AccessVerdict::Indeterminate))
    {
        out.push_str(&format!("access: {} — {}\n", access_word(a.verdict), names.in_text(&a.reason)));
    }
    // Only a denial names something to change; an unknown verdict names where the model ends.
    // With a root cause only it is named: changing the hop that dropped the traffic would open
    // the wrong path (the public one).
    for d in &t.changes {
        out.push_str(&format!("change: {} {}\n", d.kind, names.text_id(&d.id)));
    }
    if let (Some(d), FlowVerdict::Unknown) = (&t.decided_by, t.verdict) {
        out.push_str(&format!("undecided at: {} {}\n", d.kind, names.text_id(&d.id)));
    }
    out
}

/// One line per dependency, then the details of every trace that is not allowed.
pub fn to_table(traces: &[Trace]) -> String {
    to_table_with(traces, &Names::abbreviated())
}

/// [`to_table`], naming resources with `names`.
pub fn to_table_with(traces: &[Trace], names: &Names) -> String {
    let mut rows =
        vec![vec!["VERDICT".to_string(), "DESTINATION".into(), "ADDRESS".into(), "ACCESS".into(), "DECIDED BY".into()]];
    for t in traces {
        let last = t.hops.last();
        let by = t
            .decided_by
            .as_ref()
            .or_else(|| last.and_then(|h| h.decided_by.as_ref()))
            .map(|d| format!("{} {}", d.kind, names.text_id(&d.id)))
            .unwrap_or_default();
        let addr = if t.destination.ip.is_unspecified() { "-".to_string() } else { t.destination.ip.to_string() };
        let access = t.access.as_ref().map_or("-", |a| access_word(a.verdict)).to_string();
        rows.push(vec![verdict(t.verdict).to_string(), t.query.to.clone(), addr, access, by]);
    }
    let mut out = crate::table::columns(&rows, 0);
    let blocked: Vec<&Trace> = traces
        .iter()
        .filter(|t| {
            t.verdict != FlowVerdict::Allowed || t.access.as_ref().is_some_and(|a| a.verdict == AccessVerdict::Denied)
        })
        .collect();
    let reachable = traces.iter().filter(|t| t.verdict == FlowVerdict::Allowed).count();
    out.push_str(&format!("\n{reachable} of {} dependencies reachable", traces.len()));
    let denied =
        traces.iter().filter(|t| t.access.as_ref().is_some_and(|a| a.verdict == AccessVerdict::Denied)).count();
    if denied > 0 {
        out.push_str(&format!("; {denied} refuse the app's sign-in"));
    }
    out.push('\n');
    // Traces that end the same way (the same verdict, decided by and to be changed at the same
    // resources) read the same hop by hop: the first is shown, the others counted and named.
    let mut groups: Vec<(String, Vec<&Trace>)> = Vec::new();
    for t in blocked {
        let key = if names.is_verbose() { t.query.to.clone() } else { same_ending(t) };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ts)) => ts.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    for (_, ts) in groups {
        out.push('\n');
        out.push_str(&to_text_with(ts[0], names));
        if ts.len() > 1 {
            let others: Vec<&str> = ts[1..].iter().map(|t| t.query.to.as_str()).collect();
            out.push_str(&format!(
                "… and {} more the same way: {} (--verbose shows each)\n",
                others.len(),
                names.list(&others, ", ")
            ));
        }
    }
    out
}

/// What makes two blocked traces read the same: their verdicts and the resources that decided
/// and that are to change.
fn same_ending(t: &Trace) -> String {
    let ids = |ds: &mut dyn Iterator<Item = &privlink_engine::path::DecidedBy>| {
        ds.map(|d| format!("{} {}", d.kind, d.id.to_ascii_lowercase())).collect::<Vec<_>>().join(",")
    };
    let decided = t.decided_by.iter().chain(t.hops.last().and_then(|h| h.decided_by.as_ref()));
    format!(
        "{}|{}|{}|{}|{}",
        verdict(t.verdict),
        t.access.as_ref().map_or("-", |a| access_word(a.verdict)),
        ids(&mut decided.into_iter()),
        ids(&mut t.changes.iter()),
        t.root_cause.as_ref().map(|c| c.decided_by.id.to_ascii_lowercase()).unwrap_or_default()
    )
}
