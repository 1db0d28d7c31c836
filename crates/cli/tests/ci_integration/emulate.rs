//! Runs the `run`/`bash` steps of the GitHub Action (`action.yml`) and of the Azure Pipelines
//! template (`ci/azure-pipelines/privlink.yml`) as the services run them: each step's `env` and
//! command are taken from the YAML and their expressions evaluated (`${{ inputs.X }}`, `${{
//! steps.S.outputs.O }}`, `$(Variable)`), each GitHub step gets fresh `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY` files, and what a step sets (outputs, `##vso[task.setvariable]`) is what
//! later steps see. The `uses:`/`task:` steps (actions/cache, upload-sarif, Cache@2,
//! PublishTestResults@2, …) are the services' own and cannot run here; the build step is replaced
//! by the binary cargo built for this test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

pub fn load_yaml(relative: &str) -> Yaml {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    assert_eq!(docs.len(), 1, "{relative}: one YAML document");
    docs.remove(0)
}

/// A YAML scalar as the services read it (strings, and booleans or numbers as written).
pub fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// A mapping's string keys and scalar values, in order.
pub fn string_map(y: &Yaml) -> Vec<(String, String)> {
    y.as_hash()
        .map(|h| h.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?))).collect())
        .unwrap_or_default()
}

/// What a step did.
#[derive(Debug)]
pub struct StepRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// What it appended to GITHUB_STEP_SUMMARY (GitHub).
    pub summary: String,
    /// What it wrote to GITHUB_OUTPUT (GitHub) or set with `##vso[task.setvariable]` (Azure).
    pub outputs: BTreeMap<String, String>,
}

impl StepRun {
    pub fn log(&self) -> String {
        format!("exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Replaces each `${{ … }}` in `text` by `evaluate(expression)`; `A || B` takes the first
/// non-empty operand, as GitHub's `||` does for strings.
fn template_expressions(text: &str, evaluate: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap_or_else(|| panic!("unclosed expression in {text}")) + start;
        let expression = rest[start + 3..end].trim();
        let value = expression.split("||").map(|e| evaluate(e.trim())).find(|v| !v.is_empty()).unwrap_or_default();
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn run(command: &str, cwd: &Path, env: &[(String, String)]) -> (i32, String, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(command)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        // The scratch repository's git must not read this machine's git configuration.
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One run of the GitHub Action: its inputs, the event, and each step's outputs so far.
pub struct GitHubRun {
    pub action: Yaml,
    pub workspace: PathBuf,
    pub temp: PathBuf,
    pub inputs: BTreeMap<String, String>,
    pub event_name: String,
    pub base_sha: String,
    pub steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl GitHubRun {
    pub fn new(workspace: &Path, temp: &Path, inputs: &[(&str, &str)]) -> GitHubRun {
        let mut steps = BTreeMap::new();
        // The build step's output: the binary cargo built for this test, not a release build.
        steps.insert(
            "build".to_string(),
            BTreeMap::from([("privlink".to_string(), env!("CARGO_BIN_EXE_privlink").to_string())]),
        );
        GitHubRun {
            action: load_yaml("action.yml"),
            workspace: workspace.to_path_buf(),
            temp: temp.to_path_buf(),
            inputs: inputs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            event_name: "pull_request".to_string(),
            base_sha: String::new(),
            steps,
        }
    }

    fn evaluate(&self, expression: &str) -> String {
        if let Some(name) = expression.strip_prefix("inputs.") {
            if let Some(v) = self.inputs.get(name) {
                return v.clone();
            }
            let input = &self.action["inputs"][name];
            assert!(!input.is_badvalue(), "action.yml refers to an undeclared input {name}");
            return scalar(&input["default"]).unwrap_or_default();
        }
        if let Some(rest) = expression.strip_prefix("steps.") {
            let (step, output) = rest.split_once(".outputs.").unwrap_or_else(|| panic!("unsupported {expression}"));
            return self.steps.get(step).and_then(|o| o.get(output)).cloned().unwrap_or_default();
        }
        match expression {
            "github.action_path" => root().display().to_string(),
            "github.event.pull_request.base.sha" => self.base_sha.clone(),
            "github.event_name" => self.event_name.clone(),
            "runner.temp" => self.temp.display().to_string(),
            "runner.os" => "Linux".to_string(),
            _ => panic!("the test cannot evaluate ${{{{ {expression} }}}}: teach it"),
        }
    }

    /// The step with this id, or whose `run` names this script.
    pub fn step(&self, id_or_script: &str) -> &Yaml {
        let steps = self.action["runs"]["steps"].as_vec().expect("runs.steps");
        steps
            .iter()
            .find(|s| {
                s["id"].as_str() == Some(id_or_script) || s["run"].as_str().is_some_and(|r| r.contains(id_or_script))
            })
            .unwrap_or_else(|| panic!("action.yml has no step {id_or_script}"))
    }

    /// Runs the step with this id as the runner would (the `if:` aside: the caller chooses).
    pub fn run_step(&mut self, id: &str) -> StepRun {
        let step = self.step(id).clone();
        let command = step["run"].as_str().unwrap_or_else(|| panic!("step {id} is not a run step"));
        assert_eq!(step["shell"].as_str(), Some("bash"), "step {id} runs in bash");
        let n = self.steps.len();
        let output_file = self.temp.join(format!("output-{n}-{id}"));
        let summary_file = self.temp.join(format!("summary-{n}-{id}"));
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(&summary_file, "").unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("CI".into(), "true".into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
            ("GITHUB_EVENT_NAME".into(), self.event_name.clone()),
            ("GITHUB_WORKSPACE".into(), self.workspace.display().to_string()),
            ("GITHUB_ACTION_PATH".into(), root().display().to_string()),
            ("GITHUB_OUTPUT".into(), output_file.display().to_string()),
            ("GITHUB_STEP_SUMMARY".into(), summary_file.display().to_string()),
            ("RUNNER_OS".into(), "Linux".into()),
            ("RUNNER_TEMP".into(), self.temp.display().to_string()),
        ];
        for (k, v) in string_map(&step["env"]) {
            env.push((k, template_expressions(&v, &|e| self.evaluate(e))));
        }
        let command = template_expressions(command, &|e| self.evaluate(e));
        let cwd = match step["working-directory"].as_str() {
            Some(dir) => self.workspace.join(template_expressions(dir, &|e| self.evaluate(e))),
            None => self.workspace.clone(),
        };
        let (code, stdout, stderr) = run(&command, &cwd, &env);
        let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output_file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        self.steps.insert(id.to_string(), outputs.clone());
        StepRun { code, stdout, stderr, summary: std::fs::read_to_string(&summary_file).unwrap(), outputs }
    }
}

/// One job using the Azure Pipelines template: its parameters, the agent's variables, and what
/// the steps set so far.
pub struct AzureRun {
    pub template: Yaml,
    pub parameters: BTreeMap<String, String>,
    pub variables: BTreeMap<String, String>,
}

impl AzureRun {
    /// `workspace` is $(Pipeline.Workspace): the caller's repository is checked out at `s` in it,
    /// and privlink at `privlink` (the test links it to this checkout).
    pub fn new(workspace: &Path, parameters: &[(&str, &str)], variables: &[(&str, &str)]) -> AzureRun {
        let staging = workspace.join("a");
        std::fs::create_dir_all(&staging).unwrap();
        let mut all: BTreeMap<String, String> = BTreeMap::from([
            ("Pipeline.Workspace".to_string(), workspace.display().to_string()),
            ("Build.SourcesDirectory".to_string(), workspace.join("s").display().to_string()),
            ("Build.ArtifactStagingDirectory".to_string(), staging.display().to_string()),
            ("Agent.OS".to_string(), "Linux".to_string()),
            // The build step's variable: the binary cargo built for this test.
            ("PRIVLINK".to_string(), env!("CARGO_BIN_EXE_privlink").to_string()),
        ]);
        all.extend(variables.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        AzureRun {
            template: load_yaml("ci/azure-pipelines/privlink.yml"),
            parameters: parameters.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            variables: all,
        }
    }

    pub fn parameter(&self, name: &str) -> String {
        if let Some(v) = self.parameters.get(name) {
            return v.clone();
        }
        let declared = self.template["parameters"].as_vec().unwrap().iter().find(|p| p["name"].as_str() == Some(name));
        let declared = declared.unwrap_or_else(|| panic!("the template refers to an undeclared parameter {name}"));
        scalar(&declared["default"]).unwrap_or_else(|| panic!("parameter {name} has no default and the test gave none"))
    }

    /// `${{ parameters.X }}` at compile time, then `$(Variable)` macros at run time (an unknown
    /// variable stays as written, as the agent leaves it).
    fn expand(&self, text: &str) -> String {
        let compiled = template_expressions(text, &|e| {
            let name = e.strip_prefix("parameters.").unwrap_or_else(|| panic!("unsupported template expression {e}"));
            self.parameter(name)
        });
        let mut out = String::new();
        let mut rest = compiled.as_str();
        while let Some(start) = rest.find("$(") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find(')').unwrap() + start;
            let name = &rest[start + 2..end];
            match self.variables.get(name) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[start..=end]),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Every step of the template, the `${{ if }}` blocks flattened.
    pub fn steps(&self) -> Vec<Yaml> {
        flatten_steps(self.template["steps"].as_vec().expect("steps"))
    }

    /// The bash step whose script names `script`.
    pub fn step(&self, script: &str) -> Yaml {
        self.steps()
            .into_iter()
            .find(|s| s["bash"].as_str().is_some_and(|b| b.contains(script)))
            .unwrap_or_else(|| panic!("the template has no bash step running {script}"))
    }

    /// Runs the bash step that runs `script`, with the environment the agent gives it: every
    /// variable (dots as underscores, upper case) and the step's `env`.
    pub fn run_step(&mut self, script: &str) -> StepRun {
        let step = self.step(script);
        let mut env: Vec<(String, String)> = vec![("TF_BUILD".into(), "True".into())];
        for (k, v) in &self.variables {
            env.push((k.replace('.', "_").to_uppercase(), v.clone()));
        }
        for (k, v) in string_map(&step["env"]) {
            env.push((k, self.expand(&v)));
        }
        let command = self.expand(step["bash"].as_str().unwrap());
        let cwd = PathBuf::from(self.expand(step["workingDirectory"].as_str().unwrap_or("$(Build.SourcesDirectory)")));
        let (code, stdout, stderr) = run(&command, &cwd, &env);
        let mut outputs = BTreeMap::new();
        for line in stdout.lines() {
            let Some(rest) = line.strip_prefix("##vso[task.setvariable variable=") else { continue };
            let (properties, value) = rest.split_once(']').unwrap();
            let name = properties.split(';').next().unwrap().to_string();
            outputs.insert(name.clone(), value.to_string());
            self.variables.insert(name, value.to_string());
        }
        StepRun { code, stdout, stderr, summary: String::new(), outputs }
    }
}

pub fn flatten_steps(steps: &[Yaml]) -> Vec<Yaml> {
    let mut out = Vec::new();
    for s in steps {
        let conditional = s.as_hash().and_then(|h| {
            let (k, v) = h.iter().next()?;
            (h.len() == 1 && k.as_str()?.starts_with("${{")).then_some(v)
        });
        match conditional.and_then(Yaml::as_vec) {
            Some(inner) => out.extend(flatten_steps(inner)),
            None => out.push(s.clone()),
        }
    }
    out
}
