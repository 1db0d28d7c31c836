//! Text a person reads in a terminal: resources named `name (type)` with the full id only under
//! `--verbose`, long lists capped with a count, progress on stderr only for a terminal, SARIF's
//! `helpUri` at an anchor docs/rules.md holds, and the README's command list as `--help` has it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn privlink(args: &[&str]) -> Output {
    // Whatever the terminal running the tests, progress is left to the terminal check.
    Command::new(env!("CARGO_BIN_EXE_privlink")).args(args).env_remove("PRIVLINK_PROGRESS").output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = privlink(args);
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "privlink {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A generated landing zone of about 1 000 resources, with unlinked spokes and NSG denials.
fn landing_zone() -> &'static str {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        estate_gen::write(1000, 1, dir.path()).unwrap();
        dir
    });
    Box::leak(dir.path().join("estate.json").display().to_string().into_boxed_str())
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn text_names_resources_and_verbose_gives_the_full_id() {
    let plain = stdout(&["resolve", "--from", "app-flask-privlink", "--all"]);
    assert!(plain.contains("kv-privlink-seed (A record in privatelink.vaultcore.azure.net)"), "{plain}");
    assert!(!plain.contains("/subscriptions/"), "{plain}");
    let verbose = stdout(&["resolve", "--from", "app-flask-privlink", "--all", "--verbose"]);
    assert!(
        verbose.contains("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/A/kv-privlink-seed"),
        "{verbose}"
    );
    assert!(widest(&plain) < 150 && widest(&verbose) > 250, "{} / {}", widest(&plain), widest(&verbose));

    let estate = root().join("scenarios/rules/DNS101/positive/estate");
    let estate = estate.to_str().unwrap();
    let check = stdout(&["check", "--estate", estate]);
    assert!(check.starts_with("privatelink.vaultcore.azure.net (private DNS zone)\n"), "{check}");
    // Only the fix, a command to run as it is, keeps the id.
    for line in check.lines().filter(|l| l.contains("/subscriptions/")) {
        assert!(line.trim_start().starts_with("fix: az "), "{line}");
    }
    let verbose = stdout(&["check", "--estate", estate, "--verbose"]);
    assert!(verbose.contains("\n  /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net\n"));
    // JSON is for tools: the full id, whatever the text does.
    let json = stdout(&["check", "--estate", estate, "--format", "json"]);
    assert!(json.contains("\"resource\": \"/subscriptions/"), "{json}");
}

#[test]
fn blocked_traces_that_end_the_same_way_are_counted_not_repeated() {
    let estate = landing_zone();
    let plain = stdout(&["trace", "--all-apps", "--estate", estate]);
    let verbose = stdout(&["trace", "--all-apps", "--estate", estate, "--verbose"]);
    assert!(plain.contains(" more the same way: "), "no capped group in:\n{plain}");
    assert!(!verbose.contains(" more the same way: "));
    assert!(
        plain.lines().count() * 3 < verbose.lines().count() * 2,
        "{} vs {}",
        plain.lines().count(),
        verbose.lines().count()
    );
    assert!(!plain.contains("/subscriptions/") && verbose.contains("/subscriptions/"));
    // Each app's section: its table, and one trace for each way its dependencies are blocked (at
    // most one per service here: a spoke's unlinked zones are a change each).
    for section in plain.split("\n== ") {
        let app = section.lines().next().unwrap().trim_start_matches("== ");
        let traces = section.matches(&format!("\n{app} -> ")).count();
        assert!(traces <= 6, "{traces} traces shown for {app}:\n{section}");
    }
}

#[test]
fn nothing_reaches_stderr_when_it_is_not_a_terminal() {
    let estate = landing_zone();
    for args in [
        vec!["check", "--estate", estate],
        vec!["trace", "--all-apps", "--estate", estate],
        vec!["resolve", "--all-apps", "--estate", estate],
    ] {
        let out = privlink(&args);
        assert!(out.status.code().is_some_and(|c| c == 0 || c == 1));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "privlink {}", args.join(" "));
    }
    // The same run with progress forced on (what a terminal would see) does draw it, and erases it.
    let forced = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["check", "--estate", estate])
        .env("PRIVLINK_PROGRESS", "always")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&forced.stderr);
    assert!(err.contains("loading 1 file…") && err.contains("analysing ") && err.contains(" apps…"), "{err:?}");
    assert!(err.ends_with("\r\x1b[2K"), "the progress line is erased: {err:?}");
    assert_eq!(forced.stdout, privlink(&["check", "--estate", estate]).stdout, "progress never touches stdout");
}

#[test]
fn sarif_help_uri_is_an_anchor_of_docs_rules_md() {
    let rules_md = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let base = "https://example.test/privlink/docs/rules.md";
    let sarif: serde_json::Value =
        serde_json::from_str(&stdout(&["check", "--format", "sarif", "--help-base", base])).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let mut checked = 0;
    for rule in rules.iter().filter(|r| !r["id"].as_str().unwrap().starts_with("LOAD")) {
        let uri = rule["helpUri"].as_str().unwrap_or_else(|| panic!("no helpUri: {rule}"));
        let (at, anchor) = uri.split_once('#').unwrap();
        assert_eq!(at, base);
        assert!(rules_md.contains(&format!("<a id=\"{anchor}\"></a>")), "docs/rules.md has no anchor {anchor}");
        assert!(rule["help"]["markdown"].as_str().unwrap().starts_with(&format!("# {}", rule["id"].as_str().unwrap())));
        checked += 1;
    }
    assert!(checked > 30, "{checked} rules");
    // Without a base no rule names an address that does not exist; each still carries its help.
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&["check", "--format", "sarif"])).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert!(driver.get("informationUri").is_none());
    for rule in driver["rules"].as_array().unwrap().iter().filter(|r| !r["id"].as_str().unwrap().starts_with("LOAD")) {
        assert!(rule.get("helpUri").is_none() && rule["help"]["text"].is_string(), "{rule}");
    }
}

/// The README's "Using it" block: one command a line (continuations start with `[`).
fn readme_commands() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block =
        readme.split("## Using it").nth(1).unwrap().split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        let code = line.split(" # ").next().unwrap();
        let words: Vec<&str> = code.split_whitespace().collect();
        let flags = |ws: &[&str]| -> Vec<String> {
            ws.iter()
                .flat_map(|w| w.split(['[', ']', '|', '(', ')']))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap().trim_end_matches("...").to_string())
                .collect()
        };
        match words.iter().position(|w| *w == "privlink") {
            Some(at) => {
                // `privlink rules [--estate PATH] | privlink rule CODE`: two commands on one line.
                for part in words[at..].split(|w| *w == "|").filter(|p| p.first() == Some(&"privlink")) {
                    commands.push((part[1].to_string(), flags(part)));
                }
            }
            None => commands.last_mut().expect("a continuation follows a command").1.extend(flags(&words)),
        }
    }
    commands
}

#[test]
fn the_readme_command_list_is_what_help_says() {
    let commands = readme_commands();
    assert!(commands.len() >= 12, "{commands:?}");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let estate_claim = "Every command that reads an estate (all of the above but `pull`, which writes one, and `rule`)";
    assert!(readme.contains(estate_claim));
    for (command, flags) in &commands {
        let help = String::from_utf8(privlink(&[command, "--help"]).stdout).unwrap();
        let defines =
            |flag: &str| help.lines().any(|l| l.trim_start().starts_with(flag) || l.contains(&format!(", {flag}")));
        for flag in flags {
            assert!(
                defines(flag),
                "README: privlink {command} {flag}, which `privlink {command} --help` does not list"
            );
        }
        if command != "pull" && command != "rule" {
            assert!(defines("--estate"), "README says privlink {command} takes --estate");
        }
    }
    // `rules --estate` answers: how many findings each rule has there.
    let estate = root().join("scenarios/rules/DNS101/positive/estate");
    let rules = stdout(&["rules", "--estate", estate.to_str().unwrap()]);
    let dns101 = rules.lines().find(|l| l.starts_with("DNS101 ")).unwrap();
    assert_eq!(dns101.split_whitespace().nth(3), Some("1"), "{rules}");
    assert!(rules.contains("\n1 finding on "), "{rules}");
}

#[test]
fn check_ends_with_the_next_thing_to_try() {
    let clean = stdout(&["check"]);
    assert!(
        clean.trim_end().lines().last().unwrap().starts_with("Next: privlink trace --from app-flask-privlink --all"),
        "{clean}"
    );
    let estate = root().join("scenarios/rules/DNS101/positive/estate");
    let estate = estate.to_str().unwrap();
    let broken = stdout(&["check", "--estate", estate]);
    let next = broken.trim_end().lines().last().unwrap();
    assert!(
        next.starts_with(&format!("Next: privlink trace --from app-flask-privlink --all --estate {estate}")),
        "{next}"
    );
    // The suggested command runs and names the hop that denies.
    let trace = stdout(&["trace", "--from", "app-flask-privlink", "--all", "--estate", estate]);
    assert!(trace.contains("DENIED") && trace.contains("decided by"), "{trace}");
    let json = stdout(&["check", "--estate", estate, "--format", "json"]);
    assert!(!json.contains("Next:"), "only text suggests");
}
