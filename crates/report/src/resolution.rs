//! `privlink resolve` output: a `dig`-like text rendering of a [`Resolution`], and a table for
//! several. JSON is the [`Resolution`] itself, serialised.

use crate::display::Names;
use crate::table::columns;
use privlink_engine::dns::{Resolution, PUBLIC_SOURCE};
use std::net::IpAddr;

/// One resolution, read like `dig`: the question, the ANSWER section, where each record came
/// from, and why.
pub fn to_text(r: &Resolution) -> String {
    to_text_with(r, &Names::abbreviated())
}

/// [`to_text`], naming resources with `names` (abbreviated, or whole with `--verbose`).
pub fn to_text_with(r: &Resolution, names: &Names) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "; privlink resolve {} {} from {}\n",
        r.query.name,
        r.query.record_type.as_str(),
        r.query.from
    ));
    let vnet = r.view.vnet.as_ref().map(|v| names.id(v)).unwrap_or_else(|| "-".into());
    let servers = if r.view.dns_servers.is_empty() { "-".to_string() } else { r.view.dns_servers.join(", ") };
    out.push_str(&format!(
        ";; view: {}  vnet: {vnet}  dns servers: {servers}\n",
        serde_json::to_value(r.view.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    ));
    out.push_str(&format!(
        ";; status: {}  verdict: {}\n\n",
        r.rcode.map_or("unknown", |c| c.as_str()),
        serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    ));
    out.push_str(";; QUESTION SECTION:\n");
    out.push_str(&format!(";{}.\t\tIN\t{}\n\n", r.query.name, r.query.record_type.as_str()));
    out.push_str(";; ANSWER SECTION:\n");
    let rows: Vec<Vec<String>> = r
        .chain
        .iter()
        .map(|c| {
            let data = if c.record_type.as_str() == "CNAME" { format!("{}.", c.data) } else { c.data.clone() };
            vec![format!("{}.", c.name), c.ttl.to_string(), "IN".into(), c.record_type.as_str().into(), data]
        })
        .collect();
    out.push_str(&columns(&rows, 0));
    out.push_str("\n;; SOURCES:\n");
    for c in &r.chain {
        out.push_str(&format!(";; {} {}: {}\n", c.name, c.record_type.as_str(), names.in_text(&c.source)));
    }
    out.push_str("\n;; WHY:\n");
    for e in &r.explanation {
        out.push_str(&format!(";; - {}\n", names.in_text(e)));
    }
    out
}

/// Several resolutions, one row each: name, status, verdict, addresses, and what answered.
pub fn to_table(resolutions: &[Resolution]) -> String {
    to_table_with(resolutions, &Names::abbreviated())
}

/// [`to_table`], naming resources with `names`.
pub fn to_table_with(resolutions: &[Resolution], names: &Names) -> String {
    let mut rows =
        vec![vec!["NAME".to_string(), "STATUS".into(), "VERDICT".into(), "ADDRESSES".into(), "ANSWERED BY".into()]];
    for r in resolutions {
        let addresses: Vec<String> = r.addresses.iter().map(IpAddr::to_string).collect();
        let answered = match (&r.record, &r.zone) {
            (Some(record), _) => names.id(record),
            (None, Some(zone)) => names.id(zone),
            (None, None) if r.chain.last().is_some_and(|c| c.source == PUBLIC_SOURCE) => PUBLIC_SOURCE.into(),
            _ => "-".into(),
        };
        rows.push(vec![
            r.query.name.to_string(),
            r.rcode.map_or("unknown", |c| c.as_str()).into(),
            serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            if addresses.is_empty() { "-".into() } else { addresses.join(",") },
            answered,
        ]);
    }
    columns(&rows, 0)
}
