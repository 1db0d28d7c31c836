//! What the page shows, computed by the engine on one snapshot of the store.
//!
//! Every word on the page comes from the functions the CLI uses on the same documents: the rows
//! are `privlink trace --all-apps` (`trace_all_indexed`, each trace carrying the resolution
//! `privlink resolve --all` gives), the details are `privlink_report::trace::to_text` and
//! `privlink_report::resolution::to_text`, the findings are `privlink check --format json`, and the
//! diagram is `privlink graph --format svg` (`privlink_report::graph`, on the check's analysis). The page never decides anything: it lays these out.
//!
//! Nothing here carries an app setting's value: rows and traces name hosts and resources, and the
//! findings are the check report, which keeps values out of its evidence.

use crate::dns_face::snapshot::model_of;
use crate::store::Documents;
use privlink_engine::access::AccessVerdict;
use privlink_engine::dns::Resolver;
use privlink_engine::path::{FlowVerdict, RouteIndex, Trace};
use privlink_engine::trace::trace_all_indexed;
use privlink_model::Model;
use privlink_rules::Analysis;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// One snapshot's page: the body of `/ui/api/estate` and each row's detail.
pub struct PageEstate {
    /// What `/ui/api/estate` answers.
    pub summary: Value,
    /// `(app id lower-cased, host:port)` → what `/ui/api/dependency` answers for that row.
    details: BTreeMap<(String, String), Value>,
}

impl PageEstate {
    /// The detail of one row: its trace hop by hop, its DNS chain and the findings that name it.
    pub fn detail(&self, app: &str, to: &str) -> Option<&Value> {
        self.details.get(&(app.to_ascii_lowercase(), to.to_ascii_lowercase()))
    }
}

/// The engine's word for a value that serialises to a string (`allowed`, `public`, `nsg`).
fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Builds the page of `documents`, typing them through the loader's pipeline as the DNS face does.
pub fn compute(documents: &Documents) -> PageEstate {
    let model = model_of(documents);
    compute_for(&model, documents.len())
}

fn compute_for(model: &Model, document_count: usize) -> PageEstate {
    let resolver = Resolver::new(model);
    let routes = RouteIndex::build(model);
    let analysis = Analysis::new(model);
    let findings = privlink_rules::check_with(model, &analysis, |_| true);
    let check: Value = serde_json::from_str(&privlink_report::findings::to_json(&findings, model))
        .unwrap_or_else(|e| json!({"error": format!("the check report did not serialise: {e}")}));

    let finding_index = FindingIndex::of(&check);
    let mut rows = Vec::new();
    let mut details = BTreeMap::new();
    for site in model.resources.sites.values() {
        for trace in trace_all_indexed(model, &resolver, &routes, &site.meta.id) {
            let related = related_findings(&finding_index, &site.meta.id.to_string(), &trace);
            let row = row(site.meta.name.as_str(), &site.meta.id.to_string(), &trace);
            let detail = json!({
                "row": row,
                "trace_text": privlink_report::trace::to_text(&trace),
                "resolution_text": trace.resolution.as_ref().map(privlink_report::resolution::to_text),
                "findings": related,
                "trace": trace,
            });
            details.insert((site.meta.id.key().to_string(), trace.query.to.to_ascii_lowercase()), detail);
            rows.push(row);
        }
    }
    let allowed = rows.iter().filter(|r| r["verdict"] == "allowed").count();
    let summary = json!({
        "documents": document_count,
        "apps": model.resources.sites.len(),
        "dependencies": rows.len(),
        "allowed": allowed,
        "rows": rows,
        "findings": check.get("findings").cloned().unwrap_or_else(|| json!([])),
        "check_summary": check.get("summary").cloned().unwrap_or(Value::Null),
        "diagnostics": check.get("diagnostics").and_then(Value::as_array).map_or(0, Vec::len),
        "diagram": diagram(model, &analysis),
    });
    PageEstate { summary, details }
}

/// One row of the dependency table: the app, `name:port`, the resolution's word and addresses, the
/// trace's verdict and the step that decided it, the access step's verdict.
fn row(app_name: &str, app_id: &str, t: &Trace) -> Value {
    let resolution = t.resolution.as_ref();
    // The hop that decided a connection that is not allowed: the first one that is not allowed.
    let deciding = t.hops.iter().find(|h| h.verdict != FlowVerdict::Allowed);
    let decided_by = t.decided_by.as_ref().or_else(|| deciding.and_then(|h| h.decided_by.as_ref()));
    let (name, port) = match t.query.to.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), port.parse::<u16>().ok()),
        None => (t.query.to.clone(), None),
    };
    json!({
        "app": app_name,
        "app_id": app_id,
        "name": name,
        "port": port,
        "to": t.query.to,
        "resolution": resolution.map(|r| word(&r.verdict)),
        "rcode": resolution.and_then(|r| r.rcode.map(|c| c.as_str())),
        "addresses": resolution.map(|r| r.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>()),
        "verdict": word(&t.verdict),
        "step": deciding.map(|h| word(&h.step)),
        "decided_by": decided_by,
        "change": t.changes,
        "message": t.message,
        "access": t.access.as_ref().map(|a| access_word(a.verdict)),
        "access_reason": t.access.as_ref().map(|a| a.reason.clone()),
    })
}

/// The access step's verdict as `trace` words it (`none`: no Entra sign-in applies).
fn access_word(verdict: AccessVerdict) -> &'static str {
    match verdict {
        AccessVerdict::Granted => "granted",
        AccessVerdict::Denied => "denied",
        AccessVerdict::Indeterminate => "unknown",
        AccessVerdict::None => "none",
    }
}

/// Which findings of the check report are about which row: by the resource a finding names (what
/// a trace says to change) and by the `(app, host)` pairs its evidence objects name (`app` with
/// `name`, `to` or `accessTo`, as the rules' evidence spells them). Built once per snapshot: an
/// estate of 10k resources has over 10k rows and an evidence list can be long.
struct FindingIndex {
    by_resource: HashMap<String, Vec<usize>>,
    by_app_host: HashMap<(String, String), Vec<usize>>,
}

impl FindingIndex {
    fn of(check: &Value) -> FindingIndex {
        let mut index = FindingIndex { by_resource: HashMap::new(), by_app_host: HashMap::new() };
        let findings = check.get("findings").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for (i, f) in findings.iter().enumerate() {
            let resource = f["resource"].as_str().unwrap_or_default().to_ascii_lowercase();
            index.by_resource.entry(resource).or_default().push(i);
            for evidence in f["evidence"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let Some(app) = evidence.get("app").and_then(Value::as_str) else { continue };
                for key in ["name", "to", "accessTo"] {
                    let Some(host) = evidence.get(key).and_then(Value::as_str) else { continue };
                    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
                    let entry = index.by_app_host.entry((app.to_ascii_lowercase(), host.to_ascii_lowercase()));
                    let list = entry.or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        index
    }
}

/// The indices (into the check report's findings) of those about the trace's row: the resource it
/// says to change, or evidence about this app and this host. In finding order, once each.
fn related_findings(index: &FindingIndex, app_id: &str, t: &Trace) -> Vec<usize> {
    let host = t.query.to.rsplit_once(':').map_or(t.query.to.as_str(), |(h, _)| h).to_ascii_lowercase();
    let mut related: Vec<usize> = t
        .changes
        .iter()
        .filter_map(|c| index.by_resource.get(&c.id.to_ascii_lowercase()))
        .chain(index.by_app_host.get(&(app_id.to_ascii_lowercase(), host)))
        .flatten()
        .copied()
        .collect();
    related.sort_unstable();
    related.dedup();
    related
}

/// The estate diagram as `privlink graph --format svg` draws it, with the verdict counts it shows.
fn diagram(model: &Model, analysis: &Analysis) -> Value {
    let graph = privlink_report::graph::build(model, analysis, &privlink_report::graph::GraphOptions::default());
    json!({
        "available": true,
        "svg": privlink_report::graph::to_svg(&graph),
        "apps": graph.apps,
        "verdicts": graph.verdicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use privlink_model::Origin;

    fn seed_model() -> Model {
        seed_model_without("")
    }

    /// The built-in estate without the documents whose id ends with `dropped` (none for "").
    fn seed_model_without(dropped: &str) -> Model {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
        let mut documents = Vec::new();
        for file in privlink_testkit::json_files_under(&dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            let items = match value {
                Value::Array(items) => items,
                other => vec![other],
            };
            let kept =
                items.into_iter().filter(|d| dropped.is_empty() || !d["id"].as_str().unwrap().ends_with(dropped));
            documents.extend(kept.map(|d| (d, Origin::new(file.display().to_string(), ""))));
        }
        privlink_load::load_documents(documents)
    }

    #[test]
    fn the_seed_estate_has_four_allowed_dependencies_each_with_its_detail() {
        let model = seed_model();
        let page = compute_for(&model, model.documents.len());
        let rows = page.summary["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert_eq!(page.summary["allowed"], 4);
        for row in rows {
            assert_eq!(row["resolution"], "private", "{row}");
            assert_eq!(row["verdict"], "allowed", "{row}");
            let detail = page.detail(row["app_id"].as_str().unwrap(), row["to"].as_str().unwrap()).unwrap();
            assert!(detail["trace_text"].as_str().unwrap().contains("verdict: allowed"), "{detail}");
            assert!(detail["resolution_text"].as_str().unwrap().contains(";; ANSWER SECTION:"), "{detail}");
        }
        let diagram = &page.summary["diagram"];
        assert_eq!(diagram["available"], true);
        assert!(
            diagram["svg"].as_str().unwrap().starts_with("<svg")
                || diagram["svg"].as_str().unwrap().starts_with("<?xml")
        );
        assert_eq!(diagram["verdicts"]["allowed"], 4, "the diagram counts what the table shows");
    }

    #[test]
    fn an_unlinked_sql_zone_reads_public_denied_with_the_finding_and_its_az_fix() {
        let model = seed_model_without("privatelink.database.windows.net/virtualNetworkLinks/link-vnet-app");
        let page = compute_for(&model, model.documents.len());
        let rows = page.summary["rows"].as_array().unwrap();
        let sql = rows.iter().find(|r| r["name"] == "sql-privlink-seed.database.windows.net").unwrap();
        assert_eq!((sql["resolution"].as_str(), sql["verdict"].as_str()), (Some("public"), Some("denied")), "{sql}");
        assert_eq!(page.summary["allowed"], 3);
        let detail = page.detail(sql["app_id"].as_str().unwrap(), sql["to"].as_str().unwrap()).unwrap();
        let findings = page.summary["findings"].as_array().unwrap();
        let related: Vec<&Value> =
            detail["findings"].as_array().unwrap().iter().map(|i| &findings[i.as_u64().unwrap() as usize]).collect();
        let dns101 =
            related.iter().find(|f| f["code"] == "DNS101").expect("the zone-not-linked finding explains the row");
        assert!(dns101["fix"]["az"][0].as_str().unwrap().starts_with("az network private-dns link vnet create"));
        let kv = rows.iter().find(|r| r["name"] == "kv-privlink-seed.vault.azure.net").unwrap();
        let kv_detail = page.detail(kv["app_id"].as_str().unwrap(), kv["to"].as_str().unwrap()).unwrap();
        assert_eq!(kv_detail["findings"], json!([]), "no finding is about a dependency that works");
    }
}
