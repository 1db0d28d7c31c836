//! `privlink check`, `privlink rules`, `privlink rule CODE`.

use crate::estate::{EstateArgs, LoadedEstate};
use anyhow::{bail, Context};
use privlink_model::arm_type;
use privlink_report::baseline::Baseline;
use privlink_report::findings::{self, SarifOptions};
use privlink_rules::{all_rules, documentation, summary, Rule, Severity};
use std::path::PathBuf;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    /// A report for a pull-request comment: summary, findings with their az fixes, and a mermaid
    /// diagram of what is broken.
    Markdown,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

/// `--help-base`: where SARIF's `helpUri` points.
///
/// Without it no rule has a `helpUri`: SARIF wants an absolute URI there, and the only copy of
/// the documentation known to exist is `docs/rules.md` in the checkout privlink was built from,
/// which has no address a code-scanning page could open. Every rule carries its documentation in
/// `help` instead (`text` and `markdown`), which GitHub code scanning shows on the alert, offline.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct HelpBase {
    /// SARIF: the published address of privlink's docs/rules.md (e.g.
    /// https://github.com/ORG/privlink/blob/main/docs/rules.md); each rule's helpUri is URL#code
    /// (the lower-case code, an anchor docs/rules.md holds). Without it rules carry their
    /// documentation in `help` and no helpUri.
    #[arg(long, value_name = "URL")]
    pub help_base: Option<String>,
}

impl HelpBase {
    /// The base `findings::to_sarif_with` takes: empty for none.
    pub fn base(&self) -> &str {
        self.help_base.as_deref().map_or("", |b| b.trim_end_matches('#'))
    }
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink check\n  privlink check --estate exported/ --format sarif > privlink.sarif\n  privlink check --select DNS,PE101 --fail-on warning\n  privlink check --format markdown >> \"$GITHUB_STEP_SUMMARY\"   # findings and a diagram of what is broken\n  privlink check --format json > privlink-baseline.json      # once, on the estate as it is\n  privlink check --baseline privlink-baseline.json           # from then on: only new findings\n\nA baseline is an earlier output of `privlink check --format json` or `--format sarif` (told apart by content), written without --baseline. Findings are matched by fingerprint (code, resource, message; JSON has it as \"fingerprint\", SARIF as partialFingerprints[\"privlink/v1\"]): with --baseline, check reports only the findings the baseline does not hold, in every format, and the exit code counts only those. Load diagnostics are always reported and counted, whether the baseline held them or not: they say the input was not read as written. Text ends with how many known findings are not shown; JSON has \"baseline\": {\"file\", \"known\", \"new\", \"fixed\"}; SARIF results carry baselineState \"new\" (load diagnostics \"unchanged\" when the baseline held them). A baseline that cannot be read or is not a check report is an input error (exit 2).\n\nLoad diagnostics (input that is readable but wrong, such as a prefix 10.0.0.0/33 or a subnet outside its VNet; codes LOAD002..., listed by file and JSON pointer) are reported in every format and count for --fail-on as findings of their severity do; --select and --ignore choose rules only.\n\nAn estate with nothing to analyse (no resources, or only types privlink does not model) is an input error (exit 2), so a gate pointed at the wrong file does not pass; --allow-empty accepts it. An estate without App Service apps but with networks, DNS zones, private endpoints or services is checked by the rules that look at those (a note on stderr says no app was found).\n\nExit codes: 0 no finding (with --baseline: no new finding) or load diagnostic at or above --fail-on, 1 findings, 2 usage or input error (an estate with nothing to analyse included)."
)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
    /// Exit 1 when a finding or a load diagnostic has at least this severity.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub rules: RuleSelection,
    /// Accept an estate with nothing to analyse (no resources privlink models) instead of exiting 2.
    #[arg(long)]
    pub allow_empty: bool,
    /// Report only findings not in FILE, an earlier `check --format json` or `--format sarif`
    /// output (load diagnostics are always reported).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub verbosity: super::Verbosity,
    #[command(flatten)]
    pub help_base: HelpBase,
}

/// `--select` and `--ignore`: which rules run (`check`) or whose findings count (`diff`).
#[derive(clap::Args, Debug)]
pub struct RuleSelection {
    /// Only these rules: comma-separated codes or code prefixes (`DNS,PE101`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rules: comma-separated codes or code prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
}

impl RuleSelection {
    /// An input error for a code or prefix that names no rule (a typo would select nothing).
    pub fn validate(&self) -> anyhow::Result<()> {
        for p in self.select.iter().chain(&self.ignore) {
            if !all_rules().iter().any(|r| r.code.starts_with(&p.trim().to_ascii_uppercase())) {
                bail!("no rule code starts with '{p}'; `privlink rules` lists them");
            }
        }
        Ok(())
    }

    pub fn selects(&self, rule: &Rule) -> bool {
        let matches =
            |patterns: &[String]| patterns.iter().any(|p| rule.code.starts_with(&p.trim().to_ascii_uppercase()));
        (self.select.is_empty() || matches(&self.select)) && !matches(&self.ignore)
    }
}

/// `--fail-on` as a severity threshold (`None`: never fail).
pub fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.rules.validate()?;
    // The baseline is read first: a gate pointed at a missing baseline fails before any work.
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    args.estate.answer_with(|estate| answer(args, estate, baseline.as_ref()))
}

fn read_baseline(path: &std::path::Path) -> anyhow::Result<Baseline> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the baseline {file}"))?;
    let baseline = Baseline::parse(&file, &bytes)?;
    if baseline.written_with_a_baseline {
        eprintln!(
            "note: the baseline {file} was written by a check with --baseline: it holds only the findings that were new then, so the others are reported again; write a baseline without --baseline"
        );
    }
    Ok(baseline)
}

/// Why the estate gives `check` nothing to analyse, if it does: no resource of a type privlink
/// models. Apps are what privlink checks reachability for, but the rules on networks, DNS zones,
/// private endpoints and services hold for an estate without apps too, so that one is checked.
fn nothing_to_analyse(estate: &LoadedEstate) -> Option<String> {
    let model = &estate.model;
    let loaded = model.documents.len();
    if loaded > model.resources.opaque.len() {
        return None;
    }
    let loaded_from = if loaded == 0 {
        format!("no resources loaded from {}", estate.label)
    } else {
        let mut types = std::collections::BTreeMap::new();
        for id in model.documents.keys() {
            *types.entry(privlink_model::canonical_type(&id.resource_type())).or_insert(0) += 1;
        }
        let types: Vec<String> = types.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
        format!(
            "{loaded} resource{} loaded from {}, none of a type privlink models: {}",
            if loaded == 1 { "" } else { "s" },
            estate.label,
            types.join(", ")
        )
    };
    let mut why = format!(
        "nothing to analyse: the estate has no App Service apps, networks, DNS zones, private endpoints or services ({loaded_from})"
    );
    // What the loader said about the input is often why nothing was found; a few lines name it.
    const SHOWN: usize = 10;
    for d in model.diagnostics.iter().take(SHOWN) {
        why.push_str(&format!("\n  {d}"));
    }
    if model.diagnostics.len() > SHOWN {
        why.push_str(&format!("\n  … and {} more load diagnostics", model.diagnostics.len() - SHOWN));
    }
    why.push_str("\npass --allow-empty if that is expected");
    Some(why)
}

fn answer(args: &Args, estate: &LoadedEstate, baseline: Option<&Baseline>) -> anyhow::Result<(String, i32)> {
    if !args.allow_empty {
        if let Some(why) = nothing_to_analyse(estate) {
            bail!(why);
        }
    }
    if estate.model.resources.sites.is_empty() && !estate.model.documents.is_empty() {
        eprintln!(
            "note: the estate has no App Service apps ({}): only the rules on networks, DNS zones, private endpoints and services had something to check",
            arm_type::SITES
        );
    }
    let selected = |r: &Rule| args.rules.selects(r);
    let apps = estate.model.resources.sites.len();
    let analysing = super::progress::Progress::new(
        format!("analysing {} app{}", super::progress::count(apps), if apps == 1 { "" } else { "s" }),
        apps,
    );
    let analysis = privlink_rules::Analysis::new(&estate.model);
    let found = privlink_rules::check_with(&estate.model, &analysis, selected);
    drop(analysing);
    let rules_run: Vec<&Rule> = all_rules().iter().filter(|r| selected(r)).collect();
    // With a baseline, only the findings it does not hold go on: to every format and the exit code.
    let (found, comparison) = match baseline {
        Some(b) => {
            let (new, comparison) = b.new_findings(found, |code| rules_run.iter().any(|r| r.code == code));
            (new, Some(comparison))
        }
        None => (found, None),
    };
    let known = baseline.map(Baseline::fingerprints);
    let sarif_options = SarifOptions { known: known.as_ref(), ..SarifOptions::default() };
    let locate = |id: &privlink_model::ResourceId| estate.locate(id);
    let locate_pointer = |file: &str, pointer: &str| estate.locate_pointer(file, pointer);
    let out = match args.format {
        CheckFormat::Text => {
            let mut text =
                findings::to_text_with(&found, &estate.model, &estate.label, &args.verbosity.names(&estate.model));
            if let Some(c) = &comparison {
                text.push_str(&c.text_line());
            }
            text.push_str(&next_step(&found, estate, &args.estate));
            text
        }
        CheckFormat::Json => findings::to_json_with(&found, &estate.model, comparison.as_ref()),
        CheckFormat::Sarif => findings::to_sarif_with(
            &found,
            &estate.model,
            args.help_base.base(),
            &locate,
            &locate_pointer,
            &sarif_options,
        ),
        CheckFormat::Junit => findings::to_junit(&found, &rules_run, &estate.model),
        CheckFormat::Github => findings::to_github(&found, &estate.model, &locate, &locate_pointer),
        CheckFormat::Markdown => {
            privlink_report::check_markdown::to_markdown(&found, &estate.model, &analysis, &estate.label)
        }
    };
    let failing = threshold(args.fail_on).is_some_and(|t| {
        found.iter().any(|f| f.severity.at_least(t))
            || estate.model.diagnostics.iter().any(|d| findings::severity_of(d).at_least(t))
    });
    Ok((out, if failing { 1 } else { 0 }))
}

/// The `--estate` flags that name the same files again, for a suggested next command.
pub(super) fn estate_flags(args: &EstateArgs) -> String {
    let mut inputs = String::new();
    for path in &args.paths {
        let path = path.display().to_string();
        let quoted = if path.contains(char::is_whitespace) { format!("'{path}'") } else { path };
        inputs.push_str(&format!(" --estate {quoted}"));
    }
    inputs
}

/// The line text ends with: the next command worth running. With findings about an app, its
/// trace (which names the hop that denies); with other findings, the first rule's documentation;
/// with none, the estate's picture and the live twin.
fn next_step(found: &[privlink_rules::Finding], estate: &LoadedEstate, args: &EstateArgs) -> String {
    let inputs = estate_flags(args);
    let app_of = |f: &privlink_rules::Finding| {
        f.evidence.iter().find_map(|e| {
            let id = privlink_model::ResourceId::parse(e.get("app")?.as_str()?).ok()?;
            estate.model.resources.sites.get(&id).map(|s| s.meta.name.clone())
        })
    };
    if let Some(app) = found.iter().find_map(app_of) {
        return format!(
            "\nNext: privlink trace --from {app} --all{inputs}   # the hop that denies it, and what decided\n"
        );
    }
    if let Some(f) = found.first() {
        return format!("\nNext: privlink rule {}   # what it checks, why it breaks, the fix\n", f.code);
    }
    if !estate.model.diagnostics.is_empty() {
        return "\nNext: correct the input where the load diagnostics point (file and JSON pointer), then privlink check again\n".into();
    }
    let also = if inputs.is_empty() { "" } else { " (both take the same --estate)" };
    match estate.model.resources.sites.values().next() {
        Some(site) => format!(
            "\nNext: privlink trace --from {} --all{inputs}   # each dependency hop by hop; privlink graph draws the estate, privlink up runs it as a live twin{also}\n",
            site.meta.name
        ),
        None => format!("\nNext: privlink graph{inputs} to draw the estate, or privlink up{inputs} to run it as a live twin\n"),
    }
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink rules\n  privlink rules --estate exported/     # with how many findings each rule has there\n  privlink rules --markdown > docs/rules.md"
)]
pub struct RulesArgs {
    /// Print the whole catalogue as Markdown (what docs/rules.md holds).
    #[arg(long, conflicts_with_all = ["paths", "twin", "state"])]
    pub markdown: bool,
    /// With --estate (or --twin, --state): a FINDINGS column, how many findings each rule has on
    /// that estate. Without, the catalogue alone.
    #[command(flatten)]
    pub estate: EstateArgs,
}

pub fn run_rules(args: &RulesArgs) -> anyhow::Result<(String, i32)> {
    if args.markdown {
        return Ok((rules_markdown(), 0));
    }
    let named = !args.estate.paths.is_empty() || args.estate.twin.is_some() || args.estate.state.is_some();
    if !named {
        return Ok((rules_table(None), 0));
    }
    args.estate.answer_with(|estate| {
        let found = privlink_rules::check(&estate.model, |_| true);
        let mut table = rules_table(Some(&found));
        let s = if found.len() == 1 { "" } else { "s" };
        table.push_str(&format!("\n{} finding{s} on {}; `privlink check` lists them\n", found.len(), estate.label));
        Ok((table, 0))
    })
}

/// The catalogue, one rule a line; with findings, how many each rule has.
fn rules_table(found: Option<&[privlink_rules::Finding]>) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if found.is_some() {
        rows.push(["CODE", "SEVERITY", "NAME", "FINDINGS", "CHECKS"].map(String::from).to_vec());
    }
    for r in all_rules() {
        let mut row = vec![r.code.to_string(), r.severity.as_str().to_string(), r.name.to_string()];
        if let Some(found) = found {
            row.push(found.iter().filter(|f| f.code == r.code).count().to_string());
        }
        row.push(summary(r).split_once(": ").map_or("", |x| x.1).to_string());
        rows.push(row);
    }
    privlink_report::table::columns(&rows, 0)
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  privlink rule NET201")]
pub struct RuleArgs {
    /// The rule's code, e.g. DNS101.
    pub code: String,
}

pub fn run_rule(args: &RuleArgs) -> anyhow::Result<(String, i32)> {
    let Some(rule) = all_rules().iter().find(|r| r.code.eq_ignore_ascii_case(&args.code)) else {
        bail!("no rule {}; `privlink rules` lists them", args.code);
    };
    Ok((format!("{}\n", documentation(rule)), 0))
}

/// docs/rules.md, generated from the rules' documentation.
pub fn rules_markdown() -> String {
    let mut out = String::from("# privlink rules\n\nGenerated from the rules' doc comments by `privlink rules --markdown`; a test fails when this file is stale.\n\n");
    for r in all_rules() {
        out.push_str(&format!(
            "- [{} {}](#{}) ({}): {}\n",
            r.code,
            r.name,
            r.code.to_lowercase(),
            r.severity.as_str(),
            summary(r).split_once(": ").map_or("", |x| x.1)
        ));
    }
    for r in all_rules() {
        out.push_str(&format!("\n<a id=\"{}\"></a>\n\n", r.code.to_lowercase()));
        out.push_str(&documentation(r).replacen("# ", "## ", 1));
        out.push('\n');
    }
    out.push_str("\n## Seed troubleshooting items → rules\n\nEach troubleshooting item of the five seed recipes and the rules that catch it (`crates/rules/src/seed_map.rs`).\n\n| Seed | Heading | Item | Rules |\n|---|---|---|---|\n");
    for i in privlink_rules::seed_map::SEED_ITEMS {
        let codes: Vec<String> = i.codes.iter().map(|c| format!("[{c}](#{})", c.to_lowercase())).collect();
        let rules = match (codes.is_empty(), i.note.is_empty()) {
            (true, _) => format!("— {}", i.note),
            (false, true) => codes.join(", "),
            (false, false) => format!("{} ({})", codes.join(", "), i.note),
        };
        out.push_str(&format!("| {} | {} | {} | {rules} |\n", i.seed, i.heading, i.item.replace('|', "\\|")));
    }
    out
}
