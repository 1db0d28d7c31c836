//! The CI integrations as people use them: the GitHub Action (`action.yml`) and the Azure
//! Pipelines template (`ci/azure-pipelines/privlink.yml`) are parsed and their steps checked
//! against the scripts they run (`ci/github/*.sh`, `ci/azure-pipelines/*.sh`); then a scratch git
//! repository gets an estate in two commits (the seed estate, then the SQL private DNS zone's
//! VNet link removed, which breaks the app's name resolution of SQL) and the steps run as the
//! services run them (`ci_integration/emulate.rs`): SARIF and JUnit are written, the job summary
//! says what got worse, the diff step fails the job, and a pull request that changes nothing
//! passes. The `uses:`/`task:` steps (actions/cache, upload-sarif, Cache@2, PublishTestResults@2,
//! PublishPipelineArtifact@1) are the services' own and cannot run here; the build step is
//! replaced by the binary cargo built for the test (it is checked with a stand-in cargo instead).

#[path = "ci_integration/emulate.rs"]
mod emulate;

use emulate::{load_yaml, root, scalar, string_map, AzureRun, GitHubRun};
use privlink_testkit::skip_or_fail;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const SQL_ZONE: &str = "privatelink.database.windows.net";
const SQL_HOST: &str = "sql-privlink-seed.database.windows.net";

fn tools_present() -> bool {
    for tool in ["git", "bash"] {
        if Command::new(tool).arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
            skip_or_fail(&format!("`{tool}` is not installed; the CI scripts need it"));
            return false;
        }
    }
    true
}

/// Every `ci/…/NAME.sh` a command string names.
fn scripts_named(command: &str) -> Vec<String> {
    command
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter_map(|w| w.find("ci/").map(|at| w[at..].to_string()))
        .filter(|w| w.ends_with(".sh"))
        .collect()
}

/// What a script (with the ci/*.sh files it sources) reads from the environment by name, beyond
/// what the runner or agent provides: the `ci_require` names and every `${INPUT_…}`.
fn script_text(script: &str) -> String {
    let path = root().join(script);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{script}: {e}"));
    for shared in ["ci/lib.sh", "ci/check-common.sh", "ci/diff-common.sh"] {
        let name = Path::new(shared).file_name().unwrap().to_str().unwrap();
        if text.contains(&format!("/../{name}")) {
            text.push_str(&std::fs::read_to_string(root().join(shared)).unwrap());
        }
    }
    text
}

/// The names after `prefix` in a YAML text's expressions (`inputs.fail-on` → `fail-on`).
fn referenced(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .filter(|(at, _)| !text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '.' || c == '_'))
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
            rest[..end].to_string()
        })
        .collect()
}

fn required_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("ci_require ") {
            names.extend(rest.split_whitespace().map(str::to_string));
        }
    }
    names
}

#[test]
fn the_action_declares_its_inputs_and_runs_the_scripts() {
    let action = load_yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_hash().expect("inputs");
    let declared: BTreeSet<String> = inputs.keys().filter_map(|k| k.as_str().map(str::to_string)).collect();
    for (name, default) in [
        ("parameters", ""),
        ("fail-on", "error"),
        ("upload-sarif", "true"),
        ("diff", "true"),
        ("working-directory", "."),
    ] {
        let input = &action["inputs"][name];
        assert!(input["description"].as_str().is_some_and(|d| !d.is_empty()), "input {name} has a description");
        assert_eq!(scalar(&input["default"]).as_deref(), Some(default), "input {name}'s default");
    }
    assert_eq!(action["inputs"]["estate"]["required"].as_bool(), Some(true), "estate is required");

    let steps = action["runs"]["steps"].as_vec().unwrap();
    let whole = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert_eq!(
        referenced(&whole, "inputs."),
        declared,
        "every input is used by a step, and every input used is declared"
    );
    let mut run_scripts = BTreeSet::new();
    for step in steps {
        let name = step["name"].as_str().unwrap_or("?");
        if let Some(command) = step["run"].as_str() {
            let scripts = scripts_named(command);
            assert_eq!(scripts.len(), 1, "step {name} runs one script from ci/github: {command}");
            let script = &scripts[0];
            assert!(
                command.contains("${{ github.action_path }}/"),
                "step {name} runs the action's own copy of {script}"
            );
            let text = script_text(script);
            let env: BTreeSet<String> = string_map(&step["env"]).into_iter().map(|(k, _)| k).collect();
            let runner = ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_NAME"];
            for required in required_names(&text) {
                assert!(
                    env.contains(&required) || runner.contains(&required.as_str()),
                    "step {name}: {script} requires {required}, which the step does not set"
                );
            }
            for variable in &env {
                assert!(text.contains(variable), "step {name} sets {variable}, which {script} never reads");
            }
            run_scripts.insert(script.clone());
        }
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("ci/github"))
        .unwrap()
        .map(|e| format!("ci/github/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".sh"))
        .collect();
    assert_eq!(run_scripts, on_disk, "every script in ci/github is a step, and every step's script exists");

    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/cache@")), "{uses:?}");
    let cache = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/cache@"))).unwrap();
    assert!(cache["with"]["path"].as_str().unwrap().contains("${{ github.action_path }}/target"));
    assert!(cache["with"]["key"].as_str().unwrap().contains("steps.cache-key.outputs.key"));
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str() == Some("github/codeql-action/upload-sarif@v3"))
        .expect("the upload-sarif step");
    let condition = upload["if"].as_str().unwrap();
    assert!(condition.contains("always()") && condition.contains("inputs.upload-sarif == 'true'"), "{condition}");
    assert_eq!(upload["with"]["sarif_file"].as_str(), Some("${{ steps.check.outputs.sarif-file }}"));
    let position = |id: &str| steps.iter().position(|s| s["id"].as_str() == Some(id)).unwrap_or(usize::MAX);
    let upload_at =
        steps.iter().position(|s| s["uses"].as_str() == Some("github/codeql-action/upload-sarif@v3")).unwrap();
    let verdict_at = steps.iter().position(|s| s["run"].as_str().is_some_and(|r| r.contains("verdict.sh"))).unwrap();
    assert!(position("build") < position("check") && position("check") < upload_at, "build, check, then upload");
    assert!(upload_at < verdict_at && position("diff") < verdict_at, "the job fails after the upload and the diff");
    assert!(steps[verdict_at]["if"].as_str().unwrap().contains("always()"), "the verdict runs after a failed diff too");
    assert!(steps[position("diff")]["if"].as_str().unwrap().contains("pull_request"), "the diff runs on pull requests");
    for (output, step) in [("sarif-file", "check"), ("worse", "diff")] {
        let value = action["outputs"][output]["value"].as_str().unwrap_or_else(|| panic!("output {output}"));
        assert_eq!(value, format!("${{{{ steps.{step}.outputs.{output} }}}}"));
    }
}

#[test]
fn the_azure_template_declares_its_parameters_and_runs_the_scripts() {
    let workspace = tempfile::tempdir().unwrap();
    let azure = AzureRun::new(workspace.path(), &[("estate", "infra")], &[]);
    let template = &azure.template;
    let names: Vec<&str> = template["parameters"].as_vec().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    for name in ["estate", "parameters", "failOn", "diff"] {
        assert!(names.contains(&name), "parameter {name}: {names:?}");
    }
    assert_eq!(azure.parameter("failOn"), "error");
    assert_eq!(azure.parameter("diff"), "true");
    let whole = std::fs::read_to_string(root().join("ci/azure-pipelines/privlink.yml")).unwrap();
    let declared: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        referenced(&whole, "parameters."),
        declared,
        "every parameter is used by a step, and every one used is declared"
    );
    let steps = azure.steps();
    let task = |name: &'static str| steps.iter().filter(move |s| s["task"].as_str() == Some(name));
    let caches: Vec<String> = task("Cache@2").map(|s| s["inputs"]["path"].as_str().unwrap().to_string()).collect();
    assert!(caches.iter().any(|p| p.ends_with("/target")) && caches.iter().any(|p| p.contains(".cargo")), "{caches:?}");
    let junit = task("PublishTestResults@2").next().expect("PublishTestResults@2");
    assert_eq!(junit["inputs"]["testResultsFormat"].as_str(), Some("JUnit"));
    assert!(junit["inputs"]["failTaskOnFailedTests"].as_str().unwrap().contains("parameters.failOn"));
    let sarif = task("PublishPipelineArtifact@1").next().expect("PublishPipelineArtifact@1");
    assert_eq!(sarif["inputs"]["artifact"].as_str(), Some("CodeAnalysisLogs"));
    let diff = azure.step("diff.sh");
    assert!(diff["condition"].as_str().unwrap().contains("eq(variables['Build.Reason'], 'PullRequest')"));

    let mut run_scripts = BTreeSet::new();
    for step in steps.iter().filter(|s| s["bash"].as_str().is_some()) {
        let scripts = scripts_named(step["bash"].as_str().unwrap());
        assert_eq!(scripts.len(), 1, "{:?}", step["bash"]);
        let text = script_text(&scripts[0]);
        let env: BTreeSet<String> = string_map(&step["env"]).into_iter().map(|(k, _)| k).collect();
        let agent = ["SYSTEM_PULLREQUEST_TARGETBRANCH"];
        for required in required_names(&text) {
            assert!(
                env.contains(&required) || agent.contains(&required.as_str()),
                "{} requires {required}, which its step does not set",
                scripts[0]
            );
        }
        run_scripts.insert(scripts[0].clone());
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("ci/azure-pipelines"))
        .unwrap()
        .map(|e| format!("ci/azure-pipelines/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".sh"))
        .collect();
    assert_eq!(run_scripts, on_disk, "every script in ci/azure-pipelines is a step");
}

/// A scratch repository holding the seed estate at `dir` (relative to the repository root).
struct Scratch {
    repo: PathBuf,
}

impl Scratch {
    fn new(repo: &Path, dir: &str) -> Scratch {
        let scratch = Scratch::init(repo);
        scratch.add_seed(dir);
        scratch.commit("the seed estate");
        scratch
    }

    /// An empty repository.
    fn init(repo: &Path) -> Scratch {
        std::fs::create_dir_all(repo).unwrap();
        let scratch = Scratch { repo: repo.to_path_buf() };
        scratch.git(&["init", "--quiet", "--initial-branch=main"]);
        scratch
    }

    /// Copies the seed estate's documents to `dir`.
    fn add_seed(&self, dir: &str) {
        std::fs::create_dir_all(self.repo.join(dir)).unwrap();
        for entry in std::fs::read_dir(root().join("scenarios/seed-estate")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "json") {
                std::fs::copy(&path, self.repo.join(dir).join(path.file_name().unwrap())).unwrap();
            }
        }
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=privlink test",
                "-c",
                "user.email=test@example.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&self.repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Commits everything; returns the commit id.
    fn commit(&self, message: &str) -> String {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Removes the SQL private DNS zone's VNet link document from `dir/dns.json`.
    fn remove_sql_zone_link(&self, dir: &str) {
        let file = self.repo.join(dir).join("dns.json");
        let mut documents: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let before = documents.len();
        documents.retain(|d| {
            let id = d["id"].as_str().unwrap_or("");
            !(d["type"].as_str() == Some("Microsoft.Network/privateDnsZones/virtualNetworkLinks")
                && id.contains(SQL_ZONE))
        });
        assert_eq!(documents.len(), before - 1, "the seed has one link in {SQL_ZONE}");
        std::fs::write(&file, serde_json::to_string_pretty(&documents).unwrap()).unwrap();
    }
}

#[test]
fn the_github_action_checks_and_diffs_a_pull_request() {
    if !tools_present() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let runner_temp = temp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    // The estate lives under deploy/azure and the caller names it relative to deploy.
    let scratch = Scratch::new(&repo, "deploy/azure");
    let base = scratch.git(&["rev-parse", "HEAD"]);
    scratch.remove_sql_zone_link("deploy/azure");
    scratch.commit("drop the SQL zone's VNet link");

    let inputs = [("estate", "azure"), ("working-directory", "deploy")];
    let mut run = GitHubRun::new(&repo, &runner_temp, &inputs);
    run.base_sha = base.clone();

    let key = run.run_step("cache-key");
    assert_eq!(key.code, 0, "{}", key.log());
    let (k, restore) = (&key.outputs["key"], &key.outputs["restore-key"]);
    assert!(
        k.starts_with("privlink-Linux-") && k.starts_with(restore.as_str()) && k.len() > restore.len(),
        "{k} / {restore}"
    );

    let check = run.run_step("check");
    assert_eq!(
        check.code,
        0,
        "the check step records the exit code and leaves failing to the verdict: {}",
        check.log()
    );
    assert_eq!(check.outputs["exit-code"], "1", "DNS101 is an error");
    let sarif_path = PathBuf::from(&check.outputs["sarif-file"]);
    assert!(sarif_path.starts_with(&runner_temp), "{}", sarif_path.display());
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).expect("the SARIF file parses");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let dns101 = results.iter().find(|r| r["ruleId"] == "DNS101").expect("DNS101 in the SARIF results");
    assert_eq!(
        dns101["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "deploy/azure/dns.json",
        "SARIF paths are relative to the repository root, where code scanning looks"
    );
    assert!(check.stdout.contains("::error file=deploy/azure/dns.json,line="), "annotations: {}", check.stdout);
    assert!(check.summary.contains("privlink check: failed") && check.summary.contains("DNS101"), "{}", check.summary);
    assert!(check.outputs["summary"].starts_with("1 error, "), "{:?}", check.outputs);

    let diff = run.run_step("diff");
    assert_eq!(diff.code, 1, "a dependency got worse: the diff step fails the job\n{}", diff.log());
    let worse: u32 = diff.outputs.get("worse").expect("worse in GITHUB_OUTPUT").parse().unwrap();
    assert!(worse > 0, "{:?}", diff.outputs);
    assert_worse_table_names_sql(&diff.summary);
    assert!(diff.stdout.contains("::error"), "the diff's findings are annotations too: {}", diff.stdout);

    let verdict = run.run_step("verdict");
    assert_eq!(verdict.code, 1, "the verdict fails the job by the check's exit code: {}", verdict.log());

    // fail-on never reports and passes.
    let mut never = GitHubRun::new(
        &repo,
        &runner_temp,
        &[("estate", "azure"), ("working-directory", "deploy"), ("fail-on", "never")],
    );
    never.base_sha = base.clone();
    assert_eq!(never.run_step("check").outputs["exit-code"], "0");
    let diff = never.run_step("diff");
    assert_eq!(diff.code, 0, "{}", diff.log());
    assert!(diff.outputs["worse"].parse::<u32>().unwrap() > 0);
    assert_eq!(never.run_step("verdict").code, 0);

    // A push is not a pull request: no diff.
    let mut push = GitHubRun::new(&repo, &runner_temp, &inputs);
    push.event_name = "push".into();
    let diff = push.run_step("diff");
    assert_eq!(diff.code, 0, "{}", diff.log());
    assert!(diff.summary.is_empty() && !diff.outputs.contains_key("worse"));
}

#[test]
fn a_pull_request_that_changes_nothing_passes() {
    if !tools_present() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let scratch = Scratch::new(&repo, "infra");
    let base = scratch.git(&["rev-parse", "HEAD"]);
    std::fs::write(repo.join("NOTES.md"), "an unrelated change\n").unwrap();
    scratch.commit("docs only");

    let mut run = GitHubRun::new(&repo, temp.path(), &[("estate", "infra")]);
    run.base_sha = base;
    let check = run.run_step("check");
    assert_eq!(check.outputs["exit-code"], "0", "{}", check.log());
    assert!(check.summary.contains("privlink check: passed"), "{}", check.summary);
    let diff = run.run_step("diff");
    assert_eq!(diff.code, 0, "nothing got worse\n{}", diff.log());
    assert_eq!(diff.outputs["worse"], "0");
    assert!(diff.summary.contains("0 worse, "), "the summary says so: {}", diff.summary);
    assert_eq!(run.run_step("verdict").code, 0);
}

#[test]
fn the_pull_request_that_adds_the_estate_passes() {
    if !tools_present() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let scratch = Scratch::init(&repo);
    std::fs::write(repo.join("README.md"), "before privlink\n").unwrap();
    let base = scratch.commit("no estate yet");
    scratch.add_seed("infra");
    scratch.commit("the seed estate");

    let mut run = GitHubRun::new(&repo, temp.path(), &[("estate", "infra")]);
    run.base_sha = base;
    assert_eq!(run.run_step("check").outputs["exit-code"], "0");
    let diff = run.run_step("diff");
    assert_eq!(diff.code, 0, "every dependency is new, none worse\n{}", diff.log());
    assert_eq!(diff.outputs["worse"], "0");
}

#[test]
fn the_azure_template_checks_and_diffs_a_pull_request() {
    if !tools_present() {
        return;
    }
    let workspace = tempfile::tempdir().unwrap();
    let repo = workspace.path().join("s");
    std::os::unix::fs::symlink(root(), workspace.path().join("privlink")).unwrap();
    let scratch = Scratch::new(&repo, "infra");
    // What the agent's fetch of the target branch leaves: origin/main at the base.
    let base = scratch.git(&["rev-parse", "HEAD"]);
    scratch.git(&["update-ref", "refs/remotes/origin/main", &base]);
    scratch.remove_sql_zone_link("infra");
    scratch.commit("drop the SQL zone's VNet link");

    let variables = [("Build.Reason", "PullRequest"), ("System.PullRequest.TargetBranch", "refs/heads/main")];
    let mut run = AzureRun::new(workspace.path(), &[("estate", "infra")], &variables);
    let key = run.run_step("cache-key.sh");
    assert_eq!(key.code, 0, "{}", key.log());
    assert!(key.outputs.contains_key("PRIVLINK_LOCK_HASH") && key.outputs.contains_key("PRIVLINK_SOURCE_HASH"));

    let check = run.run_step("check.sh");
    assert_eq!(check.code, 0, "{}", check.log());
    assert_eq!(check.outputs["PRIVLINK_CHECK_EXIT_CODE"], "1");
    let out = workspace.path().join("a/privlink");
    let junit = std::fs::read_to_string(out.join("privlink-junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).expect("the JUnit file parses");
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(failed.iter().any(|n| n.starts_with("DNS101")), "{failed:?}");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("CodeAnalysisLogs/privlink.sarif")).unwrap()).unwrap();
    assert!(sarif["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["ruleId"] == "DNS101"));
    assert!(
        check.stdout.contains("##vso[task.logissue type=error;sourcepath=infra/dns.json;linenumber="),
        "findings are logged as issues on the file: {}",
        check.stdout
    );
    assert!(check.stdout.contains(&format!("##vso[task.uploadsummary]{}", out.join("privlink-check.md").display())));

    let diff = run.run_step("diff.sh");
    assert_eq!(diff.code, 1, "{}", diff.log());
    assert!(diff.outputs["PRIVLINK_WORSE"].parse::<u32>().unwrap() > 0);
    let summary = out.join("privlink-diff.md");
    assert!(diff.stdout.contains(&format!("##vso[task.uploadsummary]{}", summary.display())), "{}", diff.stdout);
    assert_worse_table_names_sql(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(run.run_step("verdict.sh").code, 1);
}

#[test]
fn the_build_step_builds_the_actions_own_checkout_locked() {
    use std::os::unix::fs::PermissionsExt;
    if !tools_present() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    // A stand-in cargo that records how it was called and leaves a binary where cargo would.
    let cargo = temp.path().join("cargo");
    std::fs::write(
        &cargo,
        "#!/usr/bin/env bash\necho \"$CARGO_TARGET_DIR $*\" >\"$CARGO_LOG\"\nmkdir -p \"$CARGO_TARGET_DIR/release\"\nprintf '#!/bin/sh\\necho privlink 0.0.0\\n' >\"$CARGO_TARGET_DIR/release/privlink\"\nchmod +x \"$CARGO_TARGET_DIR/release/privlink\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let checkout = temp.path().join("action");
    std::fs::create_dir_all(&checkout).unwrap();
    let log = temp.path().join("cargo.log");
    let output = temp.path().join("output");
    let build = || {
        std::fs::write(&output, "").unwrap();
        Command::new("bash")
            .arg(root().join("ci/github/build.sh"))
            .env("ACTION_PATH", &checkout)
            .env("GITHUB_OUTPUT", &output)
            .env("CARGO", &cargo)
            .env("CARGO_LOG", &log)
            .output()
            .unwrap()
    };
    let out = build();
    assert_eq!(out.status.code(), Some(2), "no Cargo.lock: not a privlink checkout");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Cargo.lock is missing"), "{out:?}");

    std::fs::write(checkout.join("Cargo.lock"), "# lock\n").unwrap();
    let out = build();
    assert!(out.status.success(), "{out:?}");
    let c = checkout.display();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().trim(),
        format!("{c}/target build --release --locked -p privlink --manifest-path {c}/Cargo.toml"),
        "a locked release build of the action's own source into its own target directory (the cached one)"
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), format!("privlink={c}/target/release/privlink\n"));
}

#[test]
fn the_cache_key_follows_the_lock_file_and_the_sources() {
    if !tools_present() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let checkout = temp.path();
    std::fs::create_dir_all(checkout.join("crates/cli/src")).unwrap();
    std::fs::write(checkout.join("Cargo.lock"), "# lock 1\n").unwrap();
    std::fs::write(checkout.join("Cargo.toml"), "[workspace]\n").unwrap();
    std::fs::write(checkout.join("crates/cli/src/main.rs"), "fn main() {}\n").unwrap();
    let key = || {
        let output = checkout.join("output");
        std::fs::write(&output, "").unwrap();
        let out = Command::new("bash")
            .arg(root().join("ci/github/cache-key.sh"))
            .env("ACTION_PATH", checkout)
            .env("GITHUB_OUTPUT", &output)
            .env("RUNNER_OS", "Linux")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = std::fs::read_to_string(&output).unwrap();
        let get = |name: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap().to_string();
        (get("key"), get("restore-key"))
    };
    let (first, first_prefix) = key();
    assert_eq!(key().0, first, "the same sources give the same key");
    std::fs::write(checkout.join("crates/cli/src/main.rs"), "fn main() { println!(); }\n").unwrap();
    let (second, second_prefix) = key();
    assert_ne!(second, first, "changed sources: another binary, another key");
    assert_eq!(second_prefix, first_prefix, "... restoring the compiled dependencies of the same Cargo.lock");
    std::fs::write(checkout.join("Cargo.lock"), "# lock 2\n").unwrap();
    assert_ne!(key().1, first_prefix, "another Cargo.lock: other dependencies");
}

/// The Markdown of `privlink diff`: a table of what got worse with its columns, whose row names
/// the SQL dependency.
fn assert_worse_table_names_sql(markdown: &str) {
    let header = markdown
        .lines()
        .find(|l| l.starts_with('|') && l.contains("Dependency"))
        .unwrap_or_else(|| panic!("no table of what got worse:\n{markdown}"));
    for column in ["App", "Dependency", "Before", "After", "Decided by"] {
        assert!(header.contains(column), "column {column}: {header}");
    }
    assert!(
        markdown
            .lines()
            .any(|l| l.starts_with('|') && l.contains("app-flask-privlink") && l.contains("sql-privlink-seed")),
        "a row names the app and its SQL dependency ({SQL_HOST}):\n{markdown}"
    );
}
