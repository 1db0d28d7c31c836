//! `privlink diff` end to end: its markdown is GitHub-flavoured markdown with the tables a
//! reviewer reads, it answers what `trace` answers for both sides, and `--before-git` reads the
//! base of a change from git without a checkout.

use privlink_testkit::skip_or_fail;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    repo_root().join("scenarios/seed-estate")
}

fn link_removed() -> PathBuf {
    repo_root().join("scenarios/diff/vnet-link-removed")
}

/// The seed estate with the SQL zone's VNet link removed (`scenarios/diff/vnet-link-removed`).
fn after_link_removed() -> Vec<String> {
    let mut paths: Vec<String> = ["access", "backends", "endpoints", "network", "web"]
        .iter()
        .map(|f| seed().join(format!("{f}.json")).display().to_string())
        .collect();
    paths.push(link_removed().join("dns.json").display().to_string());
    paths
}

fn privlink(dir: &Path, args: &[String]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).current_dir(dir).args(args).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap(), out.status.code().unwrap_or(-1))
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Every table of a GitHub-flavoured markdown text: its rows (the header first) as cell texts.
fn tables(markdown: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    let (mut table, mut row, mut cell): (Vec<Vec<String>>, Vec<String>, Option<String>) = (vec![], vec![], None);
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => table.clear(),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap_or_default()),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => table.push(std::mem::take(&mut row)),
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut table)),
            _ => {}
        }
    }
    tables
}

#[test]
fn the_pull_request_comment_is_a_markdown_table_of_what_got_worse() {
    // The snapshot the scenarios test pins (scenarios/diff/vnet-link-removed/diff-markdown.out).
    let markdown = std::fs::read_to_string(link_removed().join("diff-markdown.out")).unwrap();
    let first = Parser::new_ext(&markdown, Options::ENABLE_TABLES).next();
    assert!(matches!(first, Some(Event::Start(Tag::Heading { .. }))), "the summary line comes first as a heading");
    let tables = tables(&markdown);
    let worse = tables
        .iter()
        .find(|t| t[0].first().is_some_and(|h| h == "Change"))
        .expect("a table of the dependencies that changed");
    assert_eq!(worse[0], ["Change", "App", "Dependency", "Before", "After", "Decided by"]);
    assert_eq!(worse.len(), 2, "one dependency got worse: {worse:?}");
    let row = &worse[1];
    assert_eq!(row[0], "worse");
    assert_eq!(row[1], "app-flask-privlink");
    assert_eq!(row[2], "sql-privlink-seed.database.windows.net:1433");
    assert!(row[3].starts_with("private 10.20.2.4, allowed"), "{row:?}");
    assert!(row[4].starts_with("public 192.0.2.232, denied"), "{row:?}");
    assert!(row[5].contains("privatelink.database.windows.net"), "names the zone to link: {row:?}");
    let findings = tables.iter().find(|t| t[0].first().is_some_and(|h| h == "Severity")).expect("a findings table");
    assert!(findings[1][1].starts_with("DNS101"), "{findings:?}");
    // The hop-by-hop traces are folded in HTML `<details>`, which GitHub renders collapsed.
    let html: String = Parser::new_ext(&markdown, Options::ENABLE_TABLES)
        .filter_map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Some(h.to_string()),
            _ => None,
        })
        .collect();
    assert!(html.contains("<details>") && html.contains("</details>"), "{html}");
}

/// The trace of `to` (`host:port`) from `app` among `trace --all-apps --format json` output.
fn trace_of<'t>(traces: &'t [Value], app: &str, to: &str) -> &'t Value {
    traces
        .iter()
        .flat_map(|a| a["traces"].as_array().into_iter().flatten().chain(std::iter::once(a)))
        .find(|t| t["query"]["from"].as_str().is_some_and(|f| f.eq_ignore_ascii_case(app)) && t["query"]["to"] == to)
        .unwrap_or_else(|| panic!("trace has no {app} -> {to}"))
}

#[test]
fn diff_answers_what_trace_answers_on_both_sides() {
    let after = after_link_removed();
    let mut diff_args = args(&["diff", "--all", "--format", "json", "--before", seed().to_str().unwrap(), "--after"]);
    diff_args.extend(after.iter().cloned());
    let (out, err, code) = privlink(&repo_root(), &diff_args);
    assert_eq!(code, 1, "the link removal makes SQL worse: {err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let sides = [("before", vec![seed().display().to_string()]), ("after", after)];
    for (side, paths) in sides {
        let mut trace_args = args(&["trace", "--all-apps", "--format", "json"]);
        for p in &paths {
            trace_args.push("--estate".into());
            trace_args.push(p.clone());
        }
        let (out, err, _) = privlink(&repo_root(), &trace_args);
        let traces: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let traces = traces.as_array().unwrap();
        let dependencies = diff["dependencies"].as_array().unwrap();
        assert_eq!(dependencies.len(), 4, "every dependency of the seed app, with --all");
        for d in dependencies {
            let (app, to) = (d["app"].as_str().unwrap(), format!("{}:{}", d["name"].as_str().unwrap(), d["port"]));
            let t = trace_of(traces, app, &to);
            let o = &d[side];
            assert_eq!(o["reachability"], t["verdict"], "{side} {to}");
            assert_eq!(o["resolution"], t["resolution"]["verdict"], "{side} {to}");
            assert_eq!(o["addresses"], t["resolution"]["addresses"], "{side} {to}");
            assert_eq!(o["decided_by"], t["decided_by"]["id"].as_str().map_or(Value::Null, Value::from), "{side} {to}");
            assert_eq!(o["access"], t["access"]["verdict"], "{side} {to}");
        }
    }
    let sql = diff["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "sql-privlink-seed.database.windows.net")
        .unwrap();
    assert_eq!(sql["change"], "worse");
    assert_eq!(diff["summary"]["worse"], 1);
    assert_eq!(diff["summary"]["same"], 3);
    assert_eq!(diff["findings"]["added"][0]["code"], "DNS101");
}

fn git(dir: &Path, list: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=privlink test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(list)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {list:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn copy_seed_into(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(seed()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn before_git_reads_the_base_of_a_change_from_git() {
    if Command::new("git").arg("--version").output().is_err() {
        skip_or_fail("git is not installed: `privlink diff --before-git` needs it");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let repo = repo.path();
    git(repo, &["init", "-q", "-b", "main"]);
    copy_seed_into(&repo.join("infra"));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "the seed estate"]);
    std::fs::copy(link_removed().join("dns.json"), repo.join("infra/dns.json")).unwrap();
    git(repo, &["commit", "-q", "-am", "remove the SQL zone's link"]);

    // The base commit against the head, from the repository's top and from a subdirectory.
    for (cwd, path) in [(repo.to_path_buf(), "infra"), (repo.join("infra"), ".")] {
        let (out, err, code) =
            privlink(&cwd, &args(&["diff", "--before-git", "HEAD~1", "--after", path, "--format", "json"]));
        assert_eq!(code, 1, "{err}");
        let diff: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(diff["summary"]["worse"], 1, "{out}");
        assert!(diff["before"].as_str().unwrap().starts_with("HEAD~1:"), "{}", diff["before"]);
    }
    // The working tree against HEAD: nothing changed yet.
    let (out, err, code) = privlink(repo, &args(&["diff", "--before-git", "HEAD", "--after", "infra"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no dependency changed"), "{out}");
    // A revision that does not exist is an input error that names it.
    let (_, err, code) = privlink(repo, &args(&["diff", "--before-git", "no-such-branch", "--after", "infra"]));
    assert_eq!(code, 2);
    assert!(err.contains("no-such-branch"), "{err}");
    // An estate the change adds: before it there was nothing, so every dependency is new.
    copy_seed_into(&repo.join("second"));
    git(repo, &["add", "second"]);
    git(repo, &["commit", "-q", "-m", "a second estate"]);
    let (out, err, code) =
        privlink(repo, &args(&["diff", "--before-git", "HEAD~1", "--after", "second", "--format", "json"]));
    let diff: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(diff["summary"]["new"], 4, "{out}");
    assert!(err.contains("that side of the change is empty"), "{err}");
    // The seed estate has no findings: nothing added fails the gate.
    assert_eq!(code, 0, "{out}");
}

#[test]
fn fail_on_never_reports_but_does_not_fail() {
    let mut list = args(&["diff", "--fail-on", "never", "--before", seed().to_str().unwrap(), "--after"]);
    list.extend(after_link_removed());
    let (out, _, code) = privlink(&repo_root(), &list);
    assert_eq!(code, 0);
    assert!(out.contains("1 worse"), "{out}");
}

#[test]
fn sarif_holds_only_the_findings_the_change_adds_as_new() {
    let mut list = args(&["diff", "--format", "sarif", "--before", seed().to_str().unwrap(), "--after"]);
    list.extend(after_link_removed());
    let (out, err, code) = privlink(&repo_root(), &list);
    assert_eq!(code, 1, "{err}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let schema_text =
        std::fs::read_to_string(repo_root().join("crates/report/tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["ruleId"], "DNS101");
    assert_eq!(results[0]["baselineState"], "new");
    // Located in the after side's file that holds the zone, so code scanning marks that line.
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("dns.json"), "{uri}");
}

/// A twin's state directory holding `documents` (what a twin that ran and stopped leaves).
fn stored_twin(dir: &Path, documents: Vec<Value>) {
    let store = privlink_twin::Store::open(dir).unwrap();
    store.commit(documents.into_iter().map(privlink_twin::Change::Put).collect()).unwrap();
}

fn documents_of(paths: &[String]) -> Vec<Value> {
    paths
        .iter()
        .flat_map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            v.as_array().cloned().unwrap_or_else(|| vec![v])
        })
        .collect()
}

#[test]
fn a_twin_is_either_side_of_a_change() {
    let dir = tempfile::tempdir().unwrap();
    stored_twin(dir.path(), documents_of(&after_link_removed()));
    let state = dir.path().to_str().unwrap();
    // The twin's estate after the link's deletion, against the seed files it started from.
    let (out, err, code) = privlink(
        &repo_root(),
        &args(&["diff", "--format", "json", "--before", seed().to_str().unwrap(), "--state", state]),
    );
    let diff: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!((code, &diff["summary"]["worse"]), (1, &Value::from(1)), "{out}");
    assert!(diff["after"].as_str().unwrap().starts_with("twin state"), "{}", diff["after"]);
    // And the other way round: the seed estate repairs what the twin holds.
    let (out, err, code) = privlink(
        &repo_root(),
        &args(&["diff", "--format", "json", "--before-state", state, "--after", seed().to_str().unwrap()]),
    );
    let diff: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!((code, &diff["summary"]["better"]), (0, &Value::from(1)), "{out}");
    assert_eq!(diff["findings"]["removed"][0]["code"], "DNS101");
    // A twin and files both given as the after side is an input error, not one of them ignored.
    let (_, err, code) = privlink(
        &repo_root(),
        &args(&["diff", "--before", seed().to_str().unwrap(), "--after", seed().to_str().unwrap(), "--state", state]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--after or --twin/--state"), "{err}");
}
