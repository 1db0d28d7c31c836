//! `privlink graph`: snapshots of the mermaid and SVG of the built-in estate and every trace
//! scenario's estate (`scenarios/graph/<name>.mmd`, `.svg`; `UPDATE_EXPECT=1` rewrites them), the
//! SVG parsed as XML, every diagram (and the markdown reports' diagrams) parsed by mermaid's own
//! parser through mermaid-cli, collapsing on a generated landing zone, and `--from`'s errors.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn privlink(args: &[&str], dir: &Path) -> (String, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(args).current_dir(dir).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// (snapshot name, `--estate` directory or `None` for the built-in estate).
fn estates() -> Vec<(String, Option<PathBuf>)> {
    let mut out = vec![("seed-estate".to_string(), None)];
    let trace = root().join("scenarios/trace");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&trace).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for d in dirs {
        if d.join("estate").is_dir() {
            out.push((format!("trace-{}", d.file_name().unwrap().to_string_lossy()), Some(d.join("estate"))));
        }
    }
    out
}

fn graph_of(estate: &Option<PathBuf>, format: &str) -> (String, i32) {
    let mut args = vec!["graph", "--format", format];
    let path;
    if let Some(e) = estate {
        path = e.display().to_string();
        args.extend(["--estate", &path]);
    }
    let (out, code, err) = privlink(&args, &root());
    assert!(code == 0 || code == 1, "privlink {}: exit {code}: {err}", args.join(" "));
    (out, code)
}

#[test]
fn snapshots_of_mermaid_and_svg_are_current() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let dir = root().join("scenarios/graph");
    let mut stale = Vec::new();
    for (name, estate) in estates() {
        for (format, ext) in [("mermaid", "mmd"), ("svg", "svg")] {
            let (out, _) = graph_of(&estate, format);
            let file = dir.join(format!("{name}.{ext}"));
            if update {
                std::fs::write(&file, &out).unwrap();
            } else if std::fs::read_to_string(&file).ok().as_deref() != Some(out.as_str()) {
                stale.push(file.display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "stale graph snapshots (UPDATE_EXPECT=1 rewrites them):\n{}", stale.join("\n"));
}

#[test]
fn svg_is_well_formed_xml_with_a_node_per_graph_node() {
    for (name, estate) in estates() {
        let (svg, _) = graph_of(&estate, "svg");
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: the SVG is not XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{name}");
        let (json, _) = graph_of(&estate, "json");
        let graph: serde_json::Value = serde_json::from_str(&json).unwrap();
        let drawn = doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node "))).count();
        assert_eq!(drawn, graph["nodes"].as_array().unwrap().len(), "{name}: one <g class=\"node …\"> per node");
        let deps = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge dependency")))
            .count();
        let edges = graph["edges"].as_array().unwrap().iter().filter(|e| e["kind"] == "dependency").count();
        assert_eq!(deps, edges, "{name}: one dependency edge per traced dependency");
    }
}

#[test]
fn the_built_in_estate_draws_four_allowed_dependencies_and_a_broken_one_marks_what_decided() {
    let (mmd, code) = graph_of(&None, "mermaid");
    assert_eq!(code, 0);
    assert!(mmd.starts_with("flowchart LR\n"));
    for name in ["sql-privlink-seed.database.windows.net:1433", "kv-privlink-seed.vault.azure.net:443"] {
        assert!(mmd.contains(&format!("{name}<br/>private · allowed")), "{name} allowed in:\n{mmd}");
    }
    assert!(!mmd.contains("/subscriptions/"), "no ARM id is a mermaid id or label");
    let estate = root().join("scenarios/trace/nsg-deny-integration/estate");
    let (json, code) = graph_of(&Some(estate), "json");
    assert_eq!(code, 1, "a denied dependency exits 1");
    let g: serde_json::Value = serde_json::from_str(&json).unwrap();
    let dep = g["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "dependency").unwrap();
    assert_eq!(dep["verdict"], "denied");
    assert_eq!(dep["dependency"]["step"], "nsg");
    let deciding: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["deciding"] == true)
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(deciding, ["network-security-group"], "the NSG whose rule denied is marked");
}

#[test]
fn from_draws_one_app_and_an_unknown_app_is_an_error_listing_the_apps() {
    let estate = root().join("scenarios/trace/service-endpoint-missing/estate");
    let estate = estate.display().to_string();
    let (json, _, _) = privlink(&["graph", "--estate", &estate, "--format", "json"], &root());
    let all: serde_json::Value = serde_json::from_str(&json).unwrap();
    let apps = |g: &serde_json::Value| g["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "app").count();
    assert!(apps(&all) > 1, "the scenario has several apps");
    let first = all["nodes"].as_array().unwrap().iter().find(|n| n["kind"] == "app").unwrap();
    let name = first["label"][0].as_str().unwrap();
    let (json, _, _) = privlink(&["graph", "--estate", &estate, "--format", "json", "--from", name], &root());
    let one: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(apps(&one), 1);
    let (out, code, err) = privlink(&["graph", "--estate", &estate, "--from", "no-such-app"], &root());
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no-such-app") && err.contains(name), "{err}");
}

#[test]
fn a_landing_zone_of_similar_spokes_collapses_into_a_small_diagram() {
    let dir = tempfile::tempdir().unwrap();
    estate_gen::write(3000, 7, dir.path()).unwrap();
    let estate = dir.path().join("estate.json").display().to_string();
    let (json, _, err) = privlink(&["graph", "--estate", &estate, "--format", "json"], &root());
    let g: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {err}"));
    let apps = g["apps"].as_u64().unwrap() as usize;
    let drawn = g["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "app").count();
    let nodes = g["nodes"].as_array().unwrap().len();
    assert!(apps >= 100, "the generated estate has {apps} apps");
    assert!(drawn * 5 <= apps, "{drawn} app nodes drawn for {apps} apps");
    assert!(nodes < apps, "{nodes} nodes for {apps} apps");
    assert!(
        g["nodes"].as_array().unwrap().iter().any(|n| n["count"].as_u64().unwrap() > 10),
        "a collapsed node says how many it stands for"
    );
    let (uncollapsed, _, _) = privlink(&["graph", "--estate", &estate, "--format", "json", "--collapse", "0"], &root());
    let u: serde_json::Value = serde_json::from_str(&uncollapsed).unwrap();
    assert_eq!(u["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "app").count(), apps);
    assert_eq!(u["verdicts"], g["verdicts"], "collapsing draws less, counts the same");
}

/// mermaid-cli's `mmdc` (PRIVLINK_MMDC, else on the PATH), with its puppeteer config.
fn mmdc() -> Option<(PathBuf, PathBuf)> {
    let config = root().join("tests/mermaid/puppeteer.json");
    let mmdc = std::env::var_os("PRIVLINK_MMDC").map(PathBuf::from).or_else(|| {
        let local = root().join("tests/mermaid/node_modules/.bin/mmdc");
        local.exists().then_some(local)
    })?;
    (mmdc.exists() && Path::new("/usr/bin/chromium").exists()).then_some((mmdc, config))
}

fn render(mmdc: &Path, config: &Path, input: &Path, output: &Path) -> Result<(), String> {
    let out = Command::new(mmdc)
        .arg("--quiet")
        .arg("-p")
        .arg(config)
        .arg("-i")
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .map_err(|e| format!("{}: {e}", mmdc.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

#[test]
fn mermaid_parses_every_diagram() {
    let Some((mmdc, config)) = mmdc() else {
        return privlink_testkit::skip_or_fail(
            "mermaid-cli is not installed (PRIVLINK_MMDC unset and no tests/mermaid/node_modules; `.ci/run` installs it) or /usr/bin/chromium is missing",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let mut diagrams: Vec<(String, String)> =
        estates().into_iter().map(|(name, estate)| (name, graph_of(&estate, "mermaid").0)).collect();
    // The markdown reports' diagrams: check on a broken estate, diff of a deleted zone link.
    let broken = root().join("scenarios/trace/nsg-deny-integration/estate").display().to_string();
    let (check, _, _) = privlink(&["check", "--estate", &broken, "--format", "markdown"], &root());
    diagrams.push(("check-markdown".into(), mermaid_block(&check)));
    let diff_dir = root().join("scenarios/diff/vnet-link-removed");
    let cmd = std::fs::read_to_string(diff_dir.join("diff-markdown.cmd")).unwrap();
    let line = cmd.lines().find(|l| l.starts_with("privlink ")).unwrap();
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let (diff, _, _) = privlink(&args, &diff_dir);
    diagrams.push(("diff-markdown".into(), mermaid_block(&diff)));
    // One markdown file with every diagram: one browser start for all; on a failure each is
    // rendered alone to name the one mermaid refuses.
    let all = dir.path().join("all.md");
    let text: String = diagrams.iter().map(|(n, d)| format!("## {n}\n\n```mermaid\n{d}```\n\n")).collect();
    std::fs::write(&all, text).unwrap();
    if render(&mmdc, &config, &all, &dir.path().join("all-out.md")).is_ok() {
        let svgs = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"))
            .count();
        assert_eq!(svgs, diagrams.len(), "mermaid-cli rendered every diagram");
        return;
    }
    let mut failures = Vec::new();
    for (name, diagram) in &diagrams {
        let input = dir.path().join(format!("{name}.mmd"));
        std::fs::write(&input, diagram).unwrap();
        if let Err(e) = render(&mmdc, &config, &input, &dir.path().join(format!("{name}.svg"))) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(!failures.is_empty(), "the combined render failed but each diagram rendered alone");
    panic!("mermaid refuses:\n{}", failures.join("\n\n"));
}

fn mermaid_block(markdown: &str) -> String {
    let start = markdown.find("```mermaid\n").unwrap_or_else(|| panic!("no mermaid block in:\n{markdown}")) + 11;
    let end = markdown[start..].find("```").unwrap() + start;
    markdown[start..end].to_string()
}

#[test]
fn the_readme_diagram_is_privlink_graph_of_the_built_in_estate() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.find("## The built-in estate").expect("README has a section \"The built-in estate\"");
    let (mmd, _) = graph_of(&None, "mermaid");
    assert!(
        mermaid_block(&readme[section..]) == mmd,
        "README.md's diagram is stale: replace its ```mermaid block under \"The built-in estate\" with `cargo run -p privlink -- graph`"
    );
}

#[test]
fn renderer_dot_lays_out_through_graphviz_when_asked() {
    if Command::new("dot").arg("-V").output().is_err() {
        return privlink_testkit::skip_or_fail("Graphviz `dot` is not installed (.ci/run installs graphviz)");
    }
    let (svg, code, err) = privlink(&["graph", "--format", "svg", "--renderer", "dot"], &root());
    assert_eq!(code, 0, "{err}");
    // Graphviz writes a DOCTYPE.
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&svg, options).unwrap();
    let text: String = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("sql-privlink-seed.database.windows.net:1433"), "dot drew the dependency labels");
    let (dot, _, _) = privlink(&["graph", "--format", "dot"], &root());
    assert!(dot.starts_with("digraph estate {") && dot.contains("subgraph cluster_vnet_app"));
}
