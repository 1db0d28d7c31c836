//! Where the estate comes from: files and directories the user names, or the built-in estate.

use anyhow::{bail, Context, Result};
use privlink_load::Input;
use privlink_model::Model;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod git;

include!(concat!(env!("OUT_DIR"), "/builtin_estate.rs"));

/// `--estate` for every command that reads an estate.
#[derive(clap::Args, Debug, Clone)]
pub struct EstateArgs {
    /// ARM documents to analyse: a file (a resource, an array, a list response, Resource Graph
    /// output, a REST API example, an ARM deployment template, a Terraform plan) or a directory
    /// read recursively in sorted order (a `privlink pull` directory: its manifest is skipped).
    /// Repeatable. Without it, privlink uses its built-in estate (the seeds' architecture).
    /// Terraform: `terraform show -json PLANFILE > plan.json` and pass plan.json (findings name the
    /// Terraform address). Bicep: compile with `bicep build main.bicep` and pass the JSON it writes.
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
    /// What a template parameter with neither a value nor a default becomes: `error` (an input
    /// error listing every such parameter, as Azure refuses the deployment) or `unknown` (an
    /// unknown value, for templates whose parameters a pipeline supplies; what depends on it is
    /// reported as only known at deploy time).
    #[arg(long, value_name = "AS", global = true, default_value = "error")]
    pub unset_parameters: UnsetParametersArg,
    /// Read the estate of a running twin at this URL (`privlink up` prints it). Its CA is taken
    /// from REQUESTS_CA_BUNDLE and its token from IDENTITY_ENDPOINT and IDENTITY_HEADER, which
    /// `privlink up --print-env` sets (or PRIVLINK_ARM_TOKEN, or the twin's --state directory).
    #[arg(long, value_name = "URL", global = true, conflicts_with = "paths")]
    pub twin: Option<String>,
    /// The twin's state directory: read the estate of the twin running there, or its stored
    /// documents when it is not running. For `privlink up`, where the twin keeps its state.
    #[arg(long, value_name = "DIR", global = true)]
    pub state: Option<PathBuf>,
}

/// `--unset-parameters`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsetParametersArg {
    Error,
    Unknown,
}

/// What `privlink up` writes into its state directory while it runs, so readers find it.
pub const RUNNING_FILE: &str = "twin.json";

/// A loaded estate and how to name it in output.
pub struct LoadedEstate {
    pub model: Model,
    pub label: String,
    /// Where the documents came from, so output can point at lines (SARIF, GitHub annotations).
    source: Source,
    /// (file, id as written) → 1-based line of its `"id"`, built on first use.
    id_lines: OnceLock<HashMap<(String, String), usize>>,
    /// The input texts by file name, read on first use (for locating JSON pointers).
    texts: OnceLock<HashMap<String, String>>,
}

/// What an estate was read from. Files are read again when output needs their lines rather than
/// kept: a 100k-resource export is 120 MB that nothing else needs once it is parsed.
enum Source {
    Builtin,
    Files(Vec<PathBuf>),
    Twin,
    /// Files read from a git revision (their lines are not located: no annotation points there).
    Revision,
}

impl LoadedEstate {
    fn new(model: Model, label: String, source: Source) -> LoadedEstate {
        LoadedEstate { model, label, source, id_lines: OnceLock::new(), texts: OnceLock::new() }
    }

    /// Ends the estate without freeing it, for a command whose process exits once its output is
    /// written: freeing a 100k-resource model one allocation at a time took a tenth of `check`.
    pub fn release_at_exit(self) {
        std::mem::forget(self);
    }

    /// The file and 1-based line where a resource's `"id"` is written, if it came from a file.
    pub fn locate(&self, id: &privlink_model::ResourceId) -> Option<(String, usize)> {
        let origin = &self.model.documents.get(id)?.origin;
        let lines = self.id_lines.get_or_init(|| self.index_id_lines());
        let line = lines.get(&(origin.file.to_string(), id.as_str().to_string()))?;
        Some((origin.file.to_string(), *line))
    }

    /// The 1-based line where a JSON pointer into an input file lands: the pointed-at value, or the
    /// object a missing member was expected in (what a load diagnostic points at).
    pub fn locate_pointer(&self, file: &str, pointer: &str) -> Option<usize> {
        let texts = self.texts.get_or_init(|| {
            self.inputs()
                .into_iter()
                .filter_map(|i| Some((i.name, String::from_utf8(i.bytes).ok()?)))
                .filter(|(name, _)| self.model.diagnostics.iter().any(|d| d.file == *name))
                .collect()
        });
        pointer_line(texts.get(file)?, pointer)
    }

    fn inputs(&self) -> Vec<Input> {
        match &self.source {
            Source::Builtin => builtin_inputs(),
            Source::Files(files) => {
                files.iter().filter_map(|f| Some(Input::new(f.display().to_string(), std::fs::read(f).ok()?))).collect()
            }
            Source::Twin | Source::Revision => Vec::new(),
        }
    }

    fn index_id_lines(&self) -> HashMap<(String, String), usize> {
        let inputs = self.inputs();
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

/// The 1-based line of the value a JSON pointer (RFC 6901) names in a JSON text; when only its
/// last member is missing, the line of the object that lacks it.
fn pointer_line(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    let tokens: Vec<String> = match pointer {
        "" => Vec::new(),
        p => p.strip_prefix('/')?.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect(),
    };
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    for (i, token) in tokens.iter().enumerate() {
        match child(bytes, at, token) {
            Some(found) => at = found,
            None if i + 1 == tokens.len() && matches!(bytes.get(at), Some(b'{')) => return Some(line_of(at)),
            None => return None,
        }
    }
    Some(line_of(at))
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Where the member `token` of the object, or the element `token` of the array, at `at` starts.
fn child(bytes: &[u8], at: usize, token: &str) -> Option<usize> {
    let (open, close) = match bytes.get(at)? {
        b'{' => (b'{', b'}'),
        b'[' => (b'[', b']'),
        _ => return None,
    };
    let index: Option<usize> = if open == b'[' { Some(token.parse().ok()?) } else { None };
    let mut at = skip_space(bytes, at + 1);
    let mut n = 0;
    while bytes.get(at)? != &close {
        let mut matched = index == Some(n);
        if open == b'{' {
            let end = skip_value(bytes, at)?;
            let key: String = serde_json::from_slice(&bytes[at..end]).ok()?;
            matched = key == token;
            at = skip_space(bytes, end);
            if bytes.get(at)? != &b':' {
                return None;
            }
            at = skip_space(bytes, at + 1);
        }
        if matched {
            return Some(at);
        }
        at = skip_space(bytes, skip_value(bytes, at)?);
        if bytes.get(at) == Some(&b',') {
            at = skip_space(bytes, at + 1);
        }
        n += 1;
    }
    None
}

/// Where the JSON value starting at `at` ends.
fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match bytes.get(i)? {
            b'"' => {
                i += 1;
                while bytes.get(i)? != &b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' if depth == 0 => return Some(i),
            b'}' | b']' => {
                depth -= 1;
                i += 1;
            }
            b',' | b':' if depth == 0 => return Some(i),
            c if c.is_ascii_whitespace() && depth == 0 => return Some(i),
            _ => i += 1,
        }
        if depth == 0 && matches!(bytes.get(i - 1), Some(b'"' | b'}' | b']')) {
            return Some(i);
        }
    }
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
            } else if e.file_name().is_some_and(|n| n == crate::pull::MANIFEST_FILE) {
                // A pull's manifest says how the directory was read; it holds no resources.
                continue;
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

/// Why the twin's documents could not be fetched: it did not answer at all (a stopped twin, whose
/// stored documents can be read instead), or it answered wrongly.
enum FetchError {
    Unreachable(anyhow::Error),
    Failed(anyhow::Error),
}

impl From<FetchError> for anyhow::Error {
    fn from(e: FetchError) -> anyhow::Error {
        match e {
            FetchError::Unreachable(e) | FetchError::Failed(e) => e,
        }
    }
}

/// Where a reader gets the bearer token `/privlink/documents` requires: `PRIVLINK_ARM_TOKEN`, or
/// the managed-identity endpoint with its `IDENTITY_HEADER` (from the environment
/// `privlink up --print-env` prints, or from the state directory).
enum TokenSource {
    Token(String),
    Identity { endpoint: String, header: String },
}

impl TokenSource {
    /// For `--twin URL`: the environment first, then the state directory when one is given.
    fn for_twin_url(state: Option<&Path>) -> Result<TokenSource> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(token) = var(crate::pull::credential::TOKEN_VARIABLE) {
            return Ok(TokenSource::Token(token.trim().to_string()));
        }
        if let (Some(endpoint), Some(header)) = (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
            return Ok(TokenSource::Identity { endpoint, header });
        }
        if let Some(dir) = state {
            let running = dir.join(RUNNING_FILE);
            let text =
                std::fs::read_to_string(&running).with_context(|| format!("{}: cannot read", running.display()))?;
            return TokenSource::from_state(dir, &text);
        }
        bail!(
            "--twin needs a token: set IDENTITY_ENDPOINT and IDENTITY_HEADER (privlink up --print-env does), \
             or {}, or give --state",
            crate::pull::credential::TOKEN_VARIABLE
        )
    }

    /// The identity endpoint named in a running twin's `twin.json` and the header in its state.
    fn from_state(dir: &Path, running_text: &str) -> Result<TokenSource> {
        let running = dir.join(RUNNING_FILE);
        let info: serde_json::Value =
            serde_json::from_str(running_text).with_context(|| format!("{}: not JSON", running.display()))?;
        let endpoint = info["identity_endpoint"]
            .as_str()
            .with_context(|| format!("{}: no \"identity_endpoint\"", running.display()))?;
        let header_file = dir.join(privlink_twin::identity::IDENTITY_HEADER_FILE);
        let header = std::fs::read_to_string(&header_file)
            .with_context(|| format!("{}: cannot read the twin's identity header", header_file.display()))?;
        Ok(TokenSource::Identity { endpoint: endpoint.to_string(), header: header.trim().to_string() })
    }

    async fn token(&self, client: &reqwest::Client) -> Result<String, FetchError> {
        let (endpoint, header) = match self {
            TokenSource::Token(token) => return Ok(token.clone()),
            TokenSource::Identity { endpoint, header } => (endpoint, header),
        };
        let response = client
            .get(endpoint)
            .query(&[("api-version", "2019-08-01"), ("resource", privlink_twin::identity::ARM_AUDIENCES[0])])
            .header("X-IDENTITY-HEADER", header)
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(anyhow::anyhow!("{endpoint}: the twin did not answer: {e}")))?;
        if !response.status().is_success() {
            return Err(FetchError::Failed(anyhow::anyhow!(
                "{endpoint}: the twin refused a token: {}",
                response.status()
            )));
        }
        let body: serde_json::Value =
            response.json().await.map_err(|e| FetchError::Failed(anyhow::anyhow!("{endpoint}: not JSON: {e}")))?;
        body["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| FetchError::Failed(anyhow::anyhow!("{endpoint}: no access_token in the answer")))
    }
}

fn fetch_twin_documents(url: &str, ca_pem: &[u8], token: &TokenSource) -> Result<Vec<serde_json::Value>, FetchError> {
    let url = format!("{}/privlink/documents", url.trim_end_matches('/'));
    let failed = |e: anyhow::Error| FetchError::Failed(e);
    let ca = reqwest::Certificate::from_pem(ca_pem).context("the twin's CA certificate is not PEM").map_err(failed)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| failed(e.into()))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .add_root_certificate(ca)
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .map_err(|e| failed(e.into()))?;
        let bearer = token.token(&client).await?;
        let response = client
            .get(&url)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(anyhow::anyhow!("{url}: the twin did not answer: {e}")))?;
        if !response.status().is_success() {
            return Err(failed(anyhow::anyhow!("{url}: the twin answered {}", response.status())));
        }
        let mut body: serde_json::Value =
            response.json().await.map_err(|e| failed(anyhow::anyhow!("{url}: not JSON: {e}")))?;
        match body["value"].take() {
            serde_json::Value::Array(items) => Ok(items),
            _ => Err(failed(anyhow::anyhow!("{url}: expected {{\"value\": [...]}}"))),
        }
    })
}

/// Whether the process `twin.json` names still runs. `None` where the platform cannot tell.
fn process_alive(pid: u64) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new(&format!("/proc/{pid}")).exists())
    } else {
        None
    }
}

impl EstateArgs {
    fn load_twin(&self) -> Result<Option<LoadedEstate>> {
        if let Some(url) = &self.twin {
            let ca_path = std::env::var_os("REQUESTS_CA_BUNDLE")
                .map(PathBuf::from)
                .or_else(|| self.state.as_ref().map(|d| d.join("ca.pem")))
                .context(
                    "--twin needs the twin's CA: set REQUESTS_CA_BUNDLE (privlink up --print-env does) or give --state",
                )?;
            let ca =
                std::fs::read(&ca_path).with_context(|| format!("{}: cannot read the twin's CA", ca_path.display()))?;
            let token = TokenSource::for_twin_url(self.state.as_deref())?;
            let documents = fetch_twin_documents(url, &ca, &token)?;
            let model = model_from_twin_documents(documents, url);
            return Ok(Some(LoadedEstate::new(model, format!("twin at {url}"), Source::Twin)));
        }
        let Some(dir) = &self.state else { return Ok(None) };
        let running = dir.join(RUNNING_FILE);
        if let Ok(text) = std::fs::read_to_string(&running) {
            match self.load_running_twin(dir, &text) {
                Ok(estate) => return Ok(Some(estate)),
                // A twin that crashed leaves its twin.json behind: read what it stored.
                Err(FetchError::Unreachable(e)) => {
                    eprintln!(
                        "privlink: {}: the twin it names is not running ({e:#}); reading the stored documents",
                        running.display()
                    );
                }
                Err(FetchError::Failed(e)) => return Err(e),
            }
        }
        let store = privlink_twin::Store::open(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        let documents: Vec<serde_json::Value> = store.snapshot().iter().map(|(_, d)| d.clone()).collect();
        let label = format!("twin state {}", dir.display());
        let model = model_from_twin_documents(documents, &label);
        Ok(Some(LoadedEstate::new(model, label, Source::Twin)))
    }

    /// The estate of the twin a `twin.json` names, if it runs and answers.
    fn load_running_twin(&self, dir: &Path, running_text: &str) -> Result<LoadedEstate, FetchError> {
        let running = dir.join(RUNNING_FILE);
        let info: serde_json::Value = serde_json::from_str(running_text)
            .map_err(|e| FetchError::Failed(anyhow::anyhow!("{}: not JSON: {e}", running.display())))?;
        if let Some(pid) = info["pid"].as_u64() {
            if process_alive(pid) == Some(false) {
                return Err(FetchError::Unreachable(anyhow::anyhow!("process {pid} no longer runs")));
            }
        }
        let url = info["url"]
            .as_str()
            .ok_or_else(|| FetchError::Failed(anyhow::anyhow!("{}: no \"url\"", running.display())))?;
        let ca = std::fs::read(dir.join("ca.pem"))
            .map_err(|e| FetchError::Failed(anyhow::anyhow!("{}: no ca.pem: {e}", dir.display())))?;
        let token = TokenSource::from_state(dir, running_text).map_err(FetchError::Failed)?;
        let documents = fetch_twin_documents(url, &ca, &token)?;
        let model = model_from_twin_documents(documents, url);
        Ok(LoadedEstate::new(model, format!("twin at {url}"), Source::Twin))
    }

    /// The managed-identity endpoint and `IDENTITY_HEADER` of the twin the estate is read from:
    /// for `--twin`, the environment `privlink up --print-env` sets (else the `--state` directory);
    /// for `--state`, the running twin's `twin.json`. `None` when the estate is not a twin's.
    pub fn twin_identity(&self) -> Option<(String, String)> {
        if !self.paths.is_empty() {
            return None;
        }
        if self.twin.is_some() {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            if let (Some(endpoint), Some(header)) = (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
                return Some((endpoint, header));
            }
        }
        let dir = self.state.as_ref()?;
        let text = std::fs::read_to_string(dir.join(RUNNING_FILE)).ok()?;
        match TokenSource::from_state(dir, &text).ok()? {
            TokenSource::Identity { endpoint, header } => Some((endpoint, header)),
            TokenSource::Token(_) => None,
        }
    }

    /// Loads the estate, answers with it, then ends without freeing it (see
    /// [`LoadedEstate::release_at_exit`]): what every one-shot command that reads an estate does.
    pub fn answer_with<T>(&self, answer: impl FnOnce(&LoadedEstate) -> Result<T>) -> Result<T> {
        let estate = self.load()?;
        let result = answer(&estate);
        estate.release_at_exit();
        result
    }

    pub fn load(&self) -> Result<LoadedEstate> {
        if self.paths.is_empty() {
            if let Some(estate) = self.load_twin()? {
                return Ok(estate);
            }
            let model = privlink_load::load(builtin_inputs(), &privlink_load::Options::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            return Ok(LoadedEstate::new(model, "built-in seed estate".into(), Source::Builtin));
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
        let what = format!(
            "loading {} file{}",
            crate::commands::progress::count(files.len()),
            if files.len() == 1 { "" } else { "s" }
        );
        let mut progress = crate::commands::progress::Progress::new(what, files.len());
        let mut inputs = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let bytes = std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
            inputs.push(Input::new(f.display().to_string(), bytes));
            progress.step(i + 1);
        }
        let parameters = match &self.parameters {
            None => None,
            Some(p) => {
                let bytes = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
                Some(Input::new(p.display().to_string(), bytes))
            }
        };
        let label = self.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        self.load_inputs(inputs, parameters, label, Source::Files(files))
    }

    /// The same options for other paths: the other side of a `diff`.
    pub fn with_paths(&self, paths: Vec<PathBuf>, parameters: Option<PathBuf>) -> EstateArgs {
        EstateArgs {
            paths,
            parameters: parameters.or_else(|| self.parameters.clone()),
            twin: None,
            state: None,
            ..self.clone()
        }
    }

    /// The estate's paths (and parameters file) as they are at git revision `rev` of the
    /// repository that holds them: the base of a pull request, without a checkout.
    pub fn load_at_revision(&self, rev: &str) -> Result<LoadedEstate> {
        if self.paths.is_empty() {
            bail!("reading an estate at a git revision needs its paths (--after or --estate)");
        }
        let mut inputs = Vec::new();
        for p in &self.paths {
            inputs.extend(git::files_at(rev, p)?);
        }
        if inputs.is_empty() {
            // The change adds the estate: before it there was nothing, and everything is new.
            eprintln!(
                "note: no .json files under {} at git revision {rev}: that side of the change is empty",
                self.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        let parameters = match &self.parameters {
            None => None,
            Some(p) => match git::files_at(rev, p) {
                Ok(mut files) if files.len() == 1 => files.pop(),
                // A parameters file new in the change has no earlier version: the template's
                // defaults held before it.
                _ => None,
            },
        };
        let label = self.paths.iter().map(|p| format!("{rev}:{}", p.display())).collect::<Vec<_>>().join(", ");
        self.load_inputs(inputs, parameters, label, Source::Revision)
    }

    fn load_inputs(
        &self,
        inputs: Vec<Input>,
        parameters: Option<Input>,
        label: String,
        source: Source,
    ) -> Result<LoadedEstate> {
        let parameters = match parameters {
            None => None,
            Some(input) => Some((
                input.name.clone(),
                privlink_load::input::parse_json(&input).map_err(|e| anyhow::anyhow!("{e}"))?,
            )),
        };
        let templates = privlink_load::TemplateSettings {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            location: self.location.clone(),
            parameters,
            overrides: self.params.clone(),
            unset_parameters: match self.unset_parameters {
                UnsetParametersArg::Error => privlink_load::template::UnsetParameters::Error,
                UnsetParametersArg::Unknown => privlink_load::template::UnsetParameters::Unknown,
            },
        };
        let model =
            privlink_load::load(inputs, &privlink_load::Options { templates }).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(LoadedEstate::new(model, label, source))
    }
}

#[cfg(test)]
mod tests {
    use super::{id_lines, pointer_line};

    #[test]
    fn id_lines_finds_each_id_member_and_its_line() {
        let text = "[\n  {\"id\": \"/a\", \"x\": {\"id\" : \"/b\"}},\n\n  {\"name\": \"id\", \"id\":\"/c\"},\n  {\"ids\": \"/d\", \"id\": 1}\n]";
        assert_eq!(id_lines(text), vec![("/a", 2), ("/b", 2), ("/c", 4)]);
    }

    #[test]
    fn pointer_line_follows_members_and_elements() {
        let text =
            "[\n  {\"a/b\": [1,\n    {\"k\\\"\": \"x\", \"p\": {}}]},\n  {\"q\": \"}\",\n   \"r\": [true, null]}\n]";
        assert_eq!(pointer_line(text, ""), Some(1));
        assert_eq!(pointer_line(text, "/0"), Some(2));
        assert_eq!(pointer_line(text, "/0/a~1b/1/p"), Some(3));
        assert_eq!(pointer_line(text, "/0/a~1b/1/k\""), Some(3));
        assert_eq!(pointer_line(text, "/1/r/1"), Some(5));
        // A missing last member: the object that lacks it; anything else missing: no line.
        assert_eq!(pointer_line(text, "/1/missing"), Some(4));
        assert_eq!(pointer_line(text, "/1/missing/deeper"), None);
        assert_eq!(pointer_line(text, "/2"), None);
        assert_eq!(pointer_line(text, "/0/a~1b/x"), None);
        let flat = "{\"a\": [1, 2], \"b\": {\"c\": 3},\n \"d\": 4, \"e\": 5}";
        assert_eq!(pointer_line(flat, "/e"), Some(2));
        assert_eq!(pointer_line(flat, "/b/c"), Some(1));
    }
}
