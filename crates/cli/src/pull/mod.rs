//! `privlink pull`: a live estate read through ARM REST into a directory the other commands
//! read with `--estate DIR`. [`plan`] says which reads, [`client`] performs them (paging,
//! throttling), [`redaction`] takes secrets out of app settings, [`output`] writes the result
//! atomically with its manifest, [`credential`] finds the token.

mod client;
pub(crate) mod credential;
mod output;
mod plan;
mod redaction;

pub use output::MANIFEST_FILE;

use anyhow::{bail, Result};
use client::{action_named_in, Answered, Arm, Failure};
use plan::{Answer, Read};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// The exit status of a pull that wrote its output but could not read everything.
pub const PARTIAL: i32 = 3;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  privlink pull --subscription 00000000-0000-0000-0000-000000000001 --out estate/   # with az login
  privlink pull --subscription $SUB --resource-group rg-hub --resource-group rg-app --out estate/
  PRIVLINK_ARM_TOKEN=$(az account get-access-token --query accessToken -o tsv) \\
    privlink pull --subscription $SUB --arm-endpoint https://management.azure.com --out estate/
  privlink check --estate estate/              # and resolve --all-apps, trace --all-apps

The token comes from PRIVLINK_ARM_TOKEN (with --arm-endpoint; the CA from REQUESTS_CA_BUNDLE),
else from the az CLI as the Azure SDKs get it: `az account get-access-token` for az's current
cloud. It is never written to disk. The caller needs Reader on the scopes, and for app settings
the App Service action sites/config/list/action (Website Contributor has it); a refused read is
reported with the permission it lacks, and the pull goes on.

App setting and connection string values are secrets: the pull keeps host names, ports,
WEBSITE_* settings and Key Vault references (what the analysis reads) and writes
'[redacted by privlink pull]' for the rest, unless --keep-secrets. The manifest
(privlink-pull.json) lists what was read, when, from where, with which api-versions, what was
redacted and what failed.

Exit status: 0 everything was read; 3 the output was written but some reads failed (listed in the
manifest and on standard error); 2 nothing was written (no credential, or an error).")]
pub struct Args {
    /// A subscription to read. Repeatable.
    #[arg(long = "subscription", value_name = "ID", required = true)]
    pub subscriptions: Vec<String>,
    /// Read only these resource groups (in every --subscription). Repeatable.
    #[arg(long = "resource-group", value_name = "NAME")]
    pub resource_groups: Vec<String>,
    /// The directory to write; replaced whole if it holds a previous pull.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The ARM endpoint (default: az's current cloud's). Required with PRIVLINK_ARM_TOKEN.
    #[arg(long, value_name = "URL")]
    pub arm_endpoint: Option<String>,
    /// Write app setting and connection string values as read, secrets included.
    #[arg(long)]
    pub keep_secrets: bool,
    /// How many ARM calls may be in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// A read in the manifest: what, with which api-version, what came of it.
struct Record {
    read: Read,
    outcome: Result<(usize, usize, u32), Failure>,
}

/// What a pull gathered.
#[derive(Default)]
struct Gathered {
    /// Documents by lower-cased id.
    documents: BTreeMap<String, Value>,
    records: Vec<Record>,
    /// (id, setting name) of each value redacted.
    redacted: Vec<(String, String)>,
    api_versions: BTreeMap<String, String>,
}

pub fn run(args: &Args) -> Result<(String, i32)> {
    let credential = credential::obtain(args.arm_endpoint.as_deref())?;
    let roots = credential::trusted_roots()?;
    let endpoint = credential.endpoint.clone();
    let arm = Arm::new(&endpoint, credential.token, roots)?;
    let started = output::now_utc();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let gathered = runtime.block_on(gather(arm, args));
    let failed: Vec<&Record> = gathered.records.iter().filter(|r| r.outcome.is_err()).collect();
    if !gathered.records.is_empty() && failed.len() == gathered.records.len() {
        let first = failed[0].outcome.as_ref().expect_err("failed");
        bail!(
            "{endpoint}: every read failed; the first, {}: {} {}",
            failed[0].read.describe(),
            first.code,
            first.message
        );
    }
    let files = output::files_of(&gathered.documents);
    let manifest = manifest(args, &endpoint, &credential.source, &started, &gathered, &files);
    output::write_atomically(&args.out, &files, &manifest)?;
    let mut err = std::io::stderr().lock();
    for record in &failed {
        let f = record.outcome.as_ref().expect_err("failed");
        let status = f.status.map_or("no answer".to_string(), |s| s.to_string());
        let _ = writeln!(
            err,
            "warning: {} failed ({status} {}): {}{}",
            record.read.describe(),
            f.code,
            f.message,
            missing_permission(record).map(|p| format!(" [missing permission: {p}]")).unwrap_or_default()
        );
    }
    let _ = writeln!(
        err,
        "privlink pull: {} documents from {} reads into {}{}",
        gathered.documents.len(),
        gathered.records.len(),
        args.out.display(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; {} reads failed (see {MANIFEST_FILE})", failed.len())
        }
    );
    Ok((String::new(), if failed.is_empty() { 0 } else { PARTIAL }))
}

/// Performs the plan: the initial reads, then what each answer leads to, at most
/// `--concurrency` calls at a time.
async fn gather(arm: Arm, args: &Args) -> Gathered {
    let arm = std::sync::Arc::new(arm);
    let mut queue: VecDeque<Read> =
        args.subscriptions.iter().flat_map(|s| plan::initial_reads(s, &args.resource_groups)).collect();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut running = tokio::task::JoinSet::new();
    let mut gathered = Gathered::default();
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    loop {
        while running.len() < usize::from(args.concurrency) {
            let Some(read) = queue.pop_front() else { break };
            if !seen.insert((read.method.to_string(), read.path.to_ascii_lowercase())) {
                continue;
            }
            progress.total += 1;
            let arm = arm.clone();
            running.spawn(async move {
                let outcome = arm.perform(&read).await;
                (read, outcome)
            });
        }
        progress.draw();
        let Some(done) = running.join_next().await else { break };
        let Ok((read, outcome)) = done else { continue };
        progress.done += 1;
        let follow_ups = take_answer(&mut gathered, &read, outcome, args.keep_secrets);
        queue.extend(follow_ups);
    }
    progress.finish();
    gathered
}

/// Records a read's outcome and keeps its documents; returns the reads it leads to.
fn take_answer(g: &mut Gathered, read: &Read, outcome: Result<Answered, Failure>, keep_secrets: bool) -> Vec<Read> {
    let answered = match outcome {
        Ok(a) => a,
        Err(f) if read.optional && matches!(f.status, Some(400 | 404)) => {
            g.records.push(Record { read: read.clone(), outcome: Ok((0, 1, f.retries)) });
            return Vec::new();
        }
        Err(f) => {
            g.records.push(Record { read: read.clone(), outcome: Err(f) });
            return Vec::new();
        }
    };
    let mut follow = Vec::new();
    let mut kept = 0;
    let items = |body: &Value| -> Vec<Value> {
        match body {
            Value::Array(items) => items.clone(),
            other => other["value"].as_array().cloned().unwrap_or_default(),
        }
    };
    match &read.answer {
        Answer::Discovery { scope } => {
            let types: BTreeSet<String> = items(&answered.body)
                .iter()
                .filter_map(|d| d.get("id").and_then(Value::as_str))
                .filter_map(|id| privlink_model::ResourceId::parse(id).ok())
                .map(|id| id.resource_type())
                .collect();
            let mut unknown: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut by_lower: BTreeMap<String, String> = BTreeMap::new();
            for ty in types {
                by_lower.entry(ty.to_ascii_lowercase()).or_insert(ty);
            }
            for ty in by_lower.into_values() {
                match privlink_engine::catalog::api_version(&ty) {
                    Some(version) => {
                        g.api_versions.insert(ty.clone(), version.to_string());
                        follow.push(plan::type_list(scope, &ty, version));
                    }
                    None => unknown.entry(ty.split('/').next().unwrap_or_default().to_string()).or_default().push(ty),
                }
            }
            for (namespace, types) in unknown {
                follow.push(plan::provider_read(scope, &namespace, types));
            }
        }
        Answer::Provider { scope, types } => {
            for ty in types {
                if let Some(version) = plan::api_version_from_metadata(&answered.body, ty) {
                    g.api_versions.insert(ty.clone(), version.clone());
                    follow.push(plan::type_list(scope, ty, &version));
                }
            }
        }
        Answer::Documents | Answer::BareArray => {
            for doc in items(&answered.body) {
                follow.extend(plan::children_of(&doc, &read.api_version));
                kept += keep(g, doc);
            }
        }
        Answer::Document => kept += keep(g, answered.body),
        Answer::Settings => {
            let mut doc = answered.body;
            let empty = doc.get("properties").and_then(Value::as_object).is_none_or(|p| p.is_empty());
            if !empty {
                if !keep_secrets {
                    let id = doc.get("id").and_then(Value::as_str).unwrap_or(&read.path).to_string();
                    for name in redaction::redact_settings_document(&mut doc) {
                        g.redacted.push((id.clone(), name));
                    }
                }
                kept += keep(g, doc);
            }
        }
    }
    g.records.push(Record { read: read.clone(), outcome: Ok((kept, answered.pages, answered.retries)) });
    follow
}

fn keep(g: &mut Gathered, mut doc: Value) -> usize {
    // ARM does not return a secret's value in its reads; should a service ever do, it is still
    // never written, whatever `--keep-secrets` says (that flag is about app settings).
    redaction::drop_secret_value(&mut doc);
    match doc.get("id").and_then(Value::as_str) {
        Some(id) => {
            g.documents.insert(id.to_ascii_lowercase(), doc);
            1
        }
        None => 0,
    }
}

/// The permission a refused read lacks: as ARM named it, else the one the plan says it needs.
fn missing_permission(record: &Record) -> Option<String> {
    let f = record.outcome.as_ref().err()?;
    (f.status == Some(403)).then(|| action_named_in(&f.message).unwrap_or_else(|| record.read.permission.clone()))
}

fn manifest(
    args: &Args,
    endpoint: &str,
    credential: &str,
    started: &str,
    g: &Gathered,
    files: &BTreeMap<String, Vec<Value>>,
) -> Value {
    let mut records: Vec<&Record> = g.records.iter().collect();
    records.sort_by(|a, b| a.read.path.cmp(&b.read.path).then(a.read.method.cmp(b.read.method)));
    let reads: Vec<Value> = records
        .iter()
        .filter(|r| r.outcome.is_ok())
        .map(|r| {
            let (documents, pages, retries) = *r.outcome.as_ref().expect("filtered");
            json!({"method": r.read.method, "path": r.read.path, "apiVersion": r.read.api_version,
                   "documents": documents, "pages": pages, "retries": retries})
        })
        .collect();
    let failed: Vec<Value> = records
        .iter()
        .filter_map(|r| {
            let f = r.outcome.as_ref().err()?;
            Some(json!({"method": r.read.method, "path": r.read.path, "apiVersion": r.read.api_version,
                        "status": f.status, "code": f.code, "message": f.message, "retries": f.retries,
                        "missingPermission": missing_permission(r)}))
        })
        .collect();
    let redacted: Vec<Value> = g.redacted.iter().map(|(id, name)| json!({"id": id, "setting": name})).collect();
    json!({
        "pulledBy": format!("privlink {}", env!("CARGO_PKG_VERSION")),
        "startedAt": started,
        "finishedAt": output::now_utc(),
        "endpoint": endpoint,
        "credential": credential,
        "subscriptions": args.subscriptions,
        "resourceGroups": args.resource_groups,
        "complete": failed.is_empty(),
        "secrets": if args.keep_secrets { "kept (--keep-secrets)" } else { "redacted" },
        "apiVersions": g.api_versions,
        "files": files.iter().map(|(f, docs)| json!({"file": f, "documents": docs.len()})).collect::<Vec<_>>(),
        "reads": reads,
        "failed": failed,
        "redacted": redacted,
    })
}

/// Progress on standard error: a bar redrawn in place when it is a terminal, else nothing (the
/// summary line at the end says what was read).
struct Progress {
    terminal: bool,
    total: usize,
    done: usize,
}

impl Progress {
    fn new(terminal: bool) -> Progress {
        Progress { terminal, total: 0, done: 0 }
    }

    fn draw(&self) {
        if !self.terminal || self.total == 0 {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * self.done / self.total;
        eprint!("\r[{}{}] {}/{} reads", "#".repeat(filled), " ".repeat(WIDTH - filled), self.done, self.total);
    }

    fn finish(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}
