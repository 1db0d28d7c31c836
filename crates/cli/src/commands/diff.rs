//! `privlink diff`: what a change does to every app's dependencies and to the findings.

use crate::commands::check::{threshold, FailOn, RuleSelection};
use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::{bail, Context, Result};
use privlink_report::findings;
use privlink_report::impact::{self, Labels};
use privlink_rules::impact::{compare, Change, Side};
use privlink_rules::Rule;
use std::path::PathBuf;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
    Markdown,
    Github,
    Sarif,
}

#[derive(clap::Args, Debug)]
#[command(
    group(clap::ArgGroup::new("before_side").required(true).args(["before", "before_git", "before_twin", "before_state"])),
    after_help = "Examples:\n  privlink diff --before main-export/ --after pr-export/\n  privlink diff --before-git origin/main --after infra/ --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n  terraform show -json base.tfplan > base.json; terraform show -json head.tfplan > head.json\n  privlink diff --before base.json --after head.json\n  privlink diff --before snapshot/ --twin https://127.0.0.1:8443   (the live twin against a snapshot)\n\nEach side is any estate input: files and directories, templates (with --parameters, or --before-parameters for the before side), Terraform plans, a twin (--twin / --state for the after side, --before-twin / --before-state for the before side). The after side is --after, else --estate, --twin or --state, else the built-in estate. --before-git REV reads the after side's paths as they are at git revision REV of the repository that holds them.\n\nEvery app's dependencies are compared before and after: how the name resolves from the app, whether the connection gets through and whether the app can sign in. A change is `worse` when any of those moved down (private -> public, nxdomain or indeterminate; allowed -> unknown -> denied; granted -> denied), `better` when one moved up and none down, `changed` when something else differs (addresses, the deciding resource), `new` and `removed` when only one side has the dependency. Findings are matched by code, resource and message; load diagnostics (input that is readable but wrong) by code, resource, JSON pointer and message, whatever the file is called on each side.\n\nExit codes: 0 nothing got worse and no finding or load diagnostic at or above --fail-on was added, 1 otherwise, 2 usage or input error."
)]
pub struct Args {
    /// The after side (the estate the change makes); also given as --estate.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub after: Vec<PathBuf>,
    /// The before side: files or directories as --estate takes them.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub before: Vec<PathBuf>,
    /// The before side is the after side's paths at this git revision (a commit, branch or tag).
    #[arg(long, value_name = "REV")]
    pub before_git: Option<String>,
    /// The before side is the live twin at this URL.
    #[arg(long, value_name = "URL")]
    pub before_twin: Option<String>,
    /// The before side is the twin whose state directory this is.
    #[arg(long, value_name = "DIR")]
    pub before_state: Option<PathBuf>,
    /// Template parameters for the before side (default: --parameters).
    #[arg(long, value_name = "FILE")]
    pub before_parameters: Option<PathBuf>,
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// List every dependency, the unchanged ones too.
    #[arg(long)]
    pub all: bool,
    /// Exit 1 when a finding or load diagnostic at least this severe was added (anything that got
    /// worse always fails, except with `never`).
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub help_base: crate::commands::check::HelpBase,
    #[command(flatten)]
    pub rules: RuleSelection,
}

impl Args {
    fn after_side(&self) -> Result<EstateArgs> {
        if self.after.is_empty() {
            return Ok(self.estate.clone());
        }
        if !self.estate.paths.is_empty() {
            bail!("give the after side once: --after or --estate, not both");
        }
        if self.estate.twin.is_some() || self.estate.state.is_some() {
            bail!("give the after side once: --after or --twin/--state, not both (the before side of a twin is --before-twin/--before-state)");
        }
        Ok(self.estate.with_paths(self.after.clone(), None))
    }

    fn load_before(&self, after: &EstateArgs) -> Result<LoadedEstate> {
        if let Some(rev) = &self.before_git {
            let mut at_revision = after.clone();
            if self.before_parameters.is_some() {
                at_revision.parameters = self.before_parameters.clone();
            }
            return at_revision.load_at_revision(rev).with_context(|| format!("the before side (git revision {rev})"));
        }
        let mut before = self.estate.with_paths(self.before.clone(), self.before_parameters.clone());
        before.twin = self.before_twin.clone();
        before.state = self.before_state.clone();
        before.load().context("the before side")
    }
}

pub fn run(args: &Args) -> Result<(String, i32)> {
    args.rules.validate()?;
    let after_args = args.after_side()?;
    // The two sides are independent until they are compared: each loads and is checked on its
    // own thread (the analysis of each spreads over the cores too).
    let (before, after) = std::thread::scope(|scope| {
        let before = scope.spawn(|| args.load_before(&after_args));
        let after = after_args.load().context("the after side");
        (before.join().expect("loading does not panic"), after)
    });
    let (before, after) = (before?, after?);
    let result = answer(args, &before, &after);
    before.release_at_exit();
    after.release_at_exit();
    result
}

fn answer(args: &Args, before: &LoadedEstate, after: &LoadedEstate) -> Result<(String, i32)> {
    let selected = |r: &Rule| args.rules.selects(r);
    let (before_side, after_side) = std::thread::scope(|scope| {
        let b = scope.spawn(|| Side::check(&before.model, selected));
        let a = Side::check(&after.model, selected);
        (b.join().expect("checking does not panic"), a)
    });
    let impact = compare(&before_side, &after_side);
    let labels = Labels { before: &before.label, after: &after.label, all: args.all };
    let locate = |id: &privlink_model::ResourceId| after.locate(id);
    let out = match args.format {
        DiffFormat::Text => impact::to_text(&impact, &labels),
        DiffFormat::Json => impact::to_json(&impact, &labels, &before.model, &after.model),
        DiffFormat::Markdown => impact::to_markdown(&impact, &labels, &after_side),
        DiffFormat::Github => {
            let locate_pointer = |file: &str, pointer: &str| after.locate_pointer(file, pointer);
            impact::to_github(&impact, &after.model, &locate, &locate_pointer)
        }
        DiffFormat::Sarif => {
            // Only what the change adds, each result `new` against the before side.
            let locate_pointer = |file: &str, pointer: &str| after.locate_pointer(file, pointer);
            let known = before_side.findings.iter().map(privlink_rules::Finding::fingerprint).collect();
            let options = findings::SarifOptions { known: Some(&known), diagnostics: false };
            findings::to_sarif_with(
                &impact.added,
                &after.model,
                args.help_base.base(),
                &locate,
                &locate_pointer,
                &options,
            )
        }
    };
    let failing = threshold(args.fail_on).is_some_and(|t| {
        impact.count(Change::Worse) > 0
            || impact.added.iter().any(|f| f.severity.at_least(t))
            || impact.diagnostics_added.iter().any(|d| d.severity.at_least(t))
    });
    Ok((out, i32::from(failing)))
}
