//! Where the estate comes from: files and directories the user names, or the built-in estate.

use anyhow::{bail, Context, Result};
use privlink_load::Input;
use privlink_model::Model;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/builtin_estate.rs"));

/// `--estate` for every command that reads an estate.
#[derive(clap::Args, Debug, Clone)]
pub struct EstateArgs {
    /// ARM documents to analyse: a file (a resource, an array, a list response, Resource Graph
    /// output, a REST API example) or a directory read recursively in sorted order. Repeatable.
    /// Without it, privlink uses its built-in estate (the seeds' architecture).
    #[arg(long = "estate", value_name = "PATH", global = true)]
    pub paths: Vec<PathBuf>,
    /// Parameters file for ARM deployment templates given with --estate.
    #[arg(long, value_name = "FILE", global = true)]
    pub parameters: Option<PathBuf>,
    /// A template parameter override `name=value` (a JSON value, or a plain string). Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE", global = true)]
    pub params: Vec<String>,
    /// Subscription id templates are deployed into.
    #[arg(long, value_name = "ID", global = true, default_value = "00000000-0000-0000-0000-000000000001")]
    pub subscription: String,
    /// Resource group templates are deployed into.
    #[arg(long, value_name = "NAME", global = true, default_value = "rg-template")]
    pub resource_group: String,
    /// Location of that resource group.
    #[arg(long, value_name = "REGION", global = true, default_value = "westeurope")]
    pub location: String,
    /// Read the estate of a running twin at this URL (`privlink up` prints it). Its CA is taken
    /// from REQUESTS_CA_BUNDLE, which `privlink up --print-env` sets.
    #[arg(long, value_name = "URL", global = true, conflicts_with = "paths")]
    pub twin: Option<String>,
    /// The twin's state directory: read the estate of the twin running there, or its stored
    /// documents when it is not running. For `privlink up`, where the twin keeps its state.
    #[arg(long, value_name = "DIR", global = true)]
    pub state: Option<PathBuf>,
}

/// What `privlink up` writes into its state directory while it runs, so readers find it.
pub const RUNNING_FILE: &str = "twin.json";

/// A loaded estate and how to name it in output.
pub struct Estate {
    pub model: Model,
    pub label: String,
    /// Where the documents came from, so output can point at lines (SARIF, GitHub annotations).
    source: Source,
    /// (file, id as written) → 1-based line of its `"id"`, built on first use.
    id_lines: OnceLock<HashMap<(String, String), usize>>,
}

/// What an estate was read from. Files are read again when output needs their lines rather than
/// kept: a 100k-resource export is 120 MB that nothing else needs once it is parsed.
enum Source {
    Builtin,
    Files(Vec<PathBuf>),
    Twin,
}

impl Estate {
    fn new(model: Model, label: String, source: Source) -> Estate {
        Estate { model, label, source, id_lines: OnceLock::new() }
    }

    /// Ends the estate without freeing it, for a command whose process exits once its output is
    /// written: freeing a 100k-resource model one allocation at a time took a tenth of `check`.
    fn release_at_exit(self) {
        std::mem::forget(self);
    }

    /// The file and 1-based line where a resource's `"id"` is written, if it came from a file.
    pub fn locate(&self, id: &privlink_model::ResourceId) -> Option<(String, usize)> {
        let origin = &self.model.documents.get(id)?.origin;
        let lines = self.id_lines.get_or_init(|| self.index_id_lines());
        let line = lines.get(&(origin.file.to_string(), id.as_str().to_string()))?;
        Some((origin.file.to_string(), *line))
    }

    fn index_id_lines(&self) -> HashMap<(String, String), usize> {
        let inputs = match &self.source {
            Source::Builtin => builtin_inputs(),
            Source::Files(files) => {
                files.iter().filter_map(|f| Some(Input::new(f.display().to_string(), std::fs::read(f).ok()?))).collect()
            }
            Source::Twin => Vec::new(),
        };
        let mut lines = HashMap::new();
        for input in &inputs {
            let Ok(text) = std::str::from_utf8(&input.bytes) else { continue };
            for (id, line) in id_lines(text) {
                lines.entry((input.name.clone(), id.to_string())).or_insert(line);
            }
        }
        lines
    }
}

/// Every `"id": "…"` member of a JSON text with the 1-based line it starts on, in text order.
fn id_lines(text: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let (mut line, mut counted) = (1, 0);
    for (at, key) in text.match_indices("\"id\"") {
        let rest = text[at + key.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(':').map(str::trim_start) else { continue };
        let Some(value) = rest.strip_prefix('"') else { continue };
        let Some(end) = value.find('"') else { continue };
        line += text[counted..at].matches('\n').count();
        counted = at;
        out.push((&value[..end], line));
    }
    out
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("{}: cannot list directory", path.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("{}: cannot list directory", path.display()))?;
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect_files(&e, out)?;
            } else if e.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

pub fn builtin_inputs() -> Vec<Input> {
    BUILTIN_ESTATE.iter().map(|(name, bytes)| Input::new(*name, bytes.to_vec())).collect()
}

/// A model from documents as the twin stores them.
fn model_from_twin_documents(documents: Vec<serde_json::Value>, source: &str) -> Model {
    privlink_load::load_documents(
        documents
            .into_iter()
            .enumerate()
            .map(|(i, doc)| (doc, privlink_model::Origin::new(source, format!("/value/{i}")))),
    )
}

fn fetch_twin_documents(url: &str, ca_pem: &[u8]) -> Result<Vec<serde_json::Value>> {
    let url = format!("{}/privlink/documents", url.trim_end_matches('/'));
    let ca = reqwest::Certificate::from_pem(ca_pem).context("the twin's CA certificate is not PEM")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let client = reqwest::Client::builder().add_root_certificate(ca).build()?;
        let response = client.get(&url).send().await.with_context(|| format!("{url}: the twin did not answer"))?;
        if !response.status().is_success() {
            bail!("{url}: the twin answered {}", response.status());
        }
        let mut body: serde_json::Value = response.json().await.with_context(|| format!("{url}: not JSON"))?;
        match body["value"].take() {
            serde_json::Value::Array(items) => Ok(items),
            _ => bail!("{url}: expected {{\"value\": [...]}}"),
        }
    })
}

impl EstateArgs {
    fn load_twin(&self) -> Result<Option<Estate>> {
        if let Some(url) = &self.twin {
            let ca_path = std::env::var_os("REQUESTS_CA_BUNDLE")
                .map(PathBuf::from)
                .or_else(|| self.state.as_ref().map(|d| d.join("ca.pem")))
                .context(
                    "--twin needs the twin's CA: set REQUESTS_CA_BUNDLE (privlink up --print-env does) or give --state",
                )?;
            let ca =
                std::fs::read(&ca_path).with_context(|| format!("{}: cannot read the twin's CA", ca_path.display()))?;
            let documents = fetch_twin_documents(url, &ca)?;
            let model = model_from_twin_documents(documents, url);
            return Ok(Some(Estate::new(model, format!("twin at {url}"), Source::Twin)));
        }
        let Some(dir) = &self.state else { return Ok(None) };
        let running = dir.join(RUNNING_FILE);
        if let Ok(text) = std::fs::read_to_string(&running) {
            let info: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("{}: not JSON", running.display()))?;
            let url = info["url"].as_str().with_context(|| format!("{}: no \"url\"", running.display()))?;
            let ca = std::fs::read(dir.join("ca.pem")).with_context(|| format!("{}: no ca.pem", dir.display()))?;
            let documents = fetch_twin_documents(url, &ca)?;
            let model = model_from_twin_documents(documents, url);
            return Ok(Some(Estate::new(model, format!("twin at {url}"), Source::Twin)));
        }
        let store = privlink_twin::Store::open(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        let documents: Vec<serde_json::Value> = store.snapshot().iter().map(|(_, d)| d.clone()).collect();
        let label = format!("twin state {}", dir.display());
        let model = model_from_twin_documents(documents, &label);
        Ok(Some(Estate::new(model, label, Source::Twin)))
    }

    /// Loads the estate, answers with it, then ends without freeing it (see
    /// [`Estate::release_at_exit`]): what every one-shot command that reads an estate does.
    pub fn answer_with<T>(&self, answer: impl FnOnce(&Estate) -> Result<T>) -> Result<T> {
        let estate = self.load()?;
        let result = answer(&estate);
        estate.release_at_exit();
        result
    }

    pub fn load(&self) -> Result<Estate> {
        if self.paths.is_empty() {
            if let Some(estate) = self.load_twin()? {
                return Ok(estate);
            }
            let model = privlink_load::load(builtin_inputs(), &privlink_load::Options::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            return Ok(Estate::new(model, "built-in seed estate".into(), Source::Builtin));
        }
        let mut files = Vec::new();
        for p in &self.paths {
            collect_files(p, &mut files)?;
        }
        if files.is_empty() {
            bail!(
                "no .json files found under {}",
                self.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        let mut inputs = Vec::new();
        for f in &files {
            let bytes = std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
            inputs.push(Input::new(f.display().to_string(), bytes));
        }
        let parameters = match &self.parameters {
            None => None,
            Some(p) => {
                let bytes = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
                let input = Input::new(p.display().to_string(), bytes);
                Some((
                    input.name.clone(),
                    privlink_load::input::parse_json(&input).map_err(|e| anyhow::anyhow!("{e}"))?,
                ))
            }
        };
        let templates = privlink_load::TemplateSettings {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            location: self.location.clone(),
            parameters,
            overrides: self.params.clone(),
        };
        let model =
            privlink_load::load(inputs, &privlink_load::Options { templates }).map_err(|e| anyhow::anyhow!("{e}"))?;
        let label = self.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        Ok(Estate::new(model, label, Source::Files(files)))
    }
}

#[cfg(test)]
mod tests {
    use super::id_lines;

    #[test]
    fn id_lines_finds_each_id_member_and_its_line() {
        let text = "[\n  {\"id\": \"/a\", \"x\": {\"id\" : \"/b\"}},\n\n  {\"name\": \"id\", \"id\":\"/c\"},\n  {\"ids\": \"/d\", \"id\": 1}\n]";
        assert_eq!(id_lines(text), vec![("/a", 2), ("/b", 2), ("/c", 4)]);
    }
}
