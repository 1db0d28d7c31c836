//! The live twin's page in a real browser: `privlink up` on the built-in estate, its printed
//! `/ui?token=…` address opened in Debian's headless chromium (driven by playwright-core,
//! `tests/browser/ui-live.js`), 4 of 4 dependencies allowed; then the SQL zone's VNet link is
//! deleted through the ARM face and the SQL row reads "public / denied" within 2 seconds, as
//! `privlink trace` says on the same state. Screenshots go to `target/ui-screenshots/`.
//!
//! Needs node, chromium (`PRIVLINK_CHROMIUM`, default `/usr/bin/chromium`) and playwright-core
//! (`PRIVLINK_BROWSER_NODE_MODULES`, default `~/.cache/privlink/node-browser/node_modules`, which
//! `.ci/run` installs from `tests/browser/package-lock.json`); skips without them, fails under CI.

use privlink_testkit::skip_or_fail;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SQL_LINK: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/privateDnsZones/privatelink.database.windows.net/virtualNetworkLinks/link-vnet-app";
const SQL: &str = "sql-privlink-seed.database.windows.net:1433";
/// How long after the write the page may take to show it (the acceptance).
const WITHIN: Duration = Duration::from_secs(2);

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory holding playwright-core, or why the test cannot run.
fn node_modules() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("PRIVLINK_BROWSER_NODE_MODULES") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
            cache.join("privlink/node-browser/node_modules")
        }
    };
    if dir.join("playwright-core/package.json").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "playwright-core is not installed in {} (.ci/run installs tests/browser/package-lock.json there; or set PRIVLINK_BROWSER_NODE_MODULES)",
            dir.display()
        ))
    }
}

/// Where the test's screenshots go: `target/ui-screenshots/` beside this test binary's profile.
fn screenshots_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/ui_browser-HASH
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| repository().join("target"));
    target.join("ui-screenshots")
}

/// Stops the twin on every way out of the test, a failed assertion included.
struct Up(Child);

impl Drop for Up {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn bearer_token(state: &Path, identity_endpoint: &str) -> String {
    let header = std::fs::read_to_string(state.join("identity-header")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let reply = reqwest::Client::new()
            .get(format!("{identity_endpoint}?resource=https://management.core.windows.net/&api-version=2019-08-01"))
            .header("X-IDENTITY-HEADER", header.trim())
            .send()
            .await
            .unwrap();
        reply.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    })
}

fn row<'a>(seen: &'a Value, phase: &str, to: &str) -> &'a Value {
    seen[phase]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["to"] == to)
        .unwrap_or_else(|| panic!("{phase}: no row {to}"))
}

#[test]
fn the_page_turns_the_sql_row_public_denied_within_two_seconds_of_the_link_deletion() {
    let chromium = std::env::var("PRIVLINK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if !Path::new(&chromium).is_file() {
        return skip_or_fail(&format!("{chromium} is not installed (Debian package chromium; .ci/run installs it)"));
    }
    if !Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return skip_or_fail("node is not installed (Debian packages nodejs npm; .ci/run installs them)");
    }
    let modules = match node_modules() {
        Ok(dir) => dir,
        Err(why) => return skip_or_fail(&why),
    };

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut child = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["up", "--no-dns", "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let up = Up(child);
    // The address is printed on the line that announces the twin's page, and nowhere else.
    let (found, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Page of the live estate: ") {
                let _ = found.send(url.trim().to_string());
            }
        }
    });
    let ui_url = printed.recv_timeout(Duration::from_secs(60)).expect("privlink up prints the page's address");
    assert!(ui_url.starts_with("https://127.0.0.1:") && ui_url.contains("/ui?token="), "{ui_url}");
    let token = ui_url.split_once("token=").unwrap().1;
    let running: Value = serde_json::from_slice(&std::fs::read(state.join("twin.json")).unwrap()).unwrap();
    assert!(!running.to_string().contains(token), "twin.json must not hold the page token");
    let arm_url = running["url"].as_str().unwrap();
    let bearer = bearer_token(&state, running["identity_endpoint"].as_str().unwrap());

    let shots = screenshots_dir();
    std::fs::create_dir_all(&shots).unwrap();
    for old in ["before.png", "after.png", "after-trace.png"] {
        let _ = std::fs::remove_file(shots.join(old));
    }
    let started = Instant::now();
    let mut node = Command::new("node")
        .arg(repository().join("tests/browser/ui-live.js"))
        .env("NODE_PATH", &modules)
        .env("PRIVLINK_UI_URL", &ui_url)
        .env("PRIVLINK_ARM_URL", arm_url)
        .env("PRIVLINK_ARM_TOKEN", &bearer)
        .env("PRIVLINK_DELETE_ID", SQL_LINK)
        .env("PRIVLINK_WATCH_TO", SQL)
        .env("PRIVLINK_SCREENSHOTS", &shots)
        .env("PRIVLINK_CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = started + Duration::from_secs(120);
    while node.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = node.kill();
            panic!("the browser script did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = node.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser script failed:\n{stderr}");
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("the script's output is not JSON ({e}):\n{}", String::from_utf8_lossy(&output.stdout))
    });
    eprintln!("browser saw: {seen:#}");

    // Before: the built-in estate as the seeds draw it works.
    assert_eq!(seen["before"]["summary"].as_str().unwrap().split(" (").next(), Some("4 of 4 dependencies allowed"));
    let before = seen["before"]["rows"].as_array().unwrap();
    assert_eq!(before.len(), 4, "{before:#?}");
    assert!(before.iter().all(|r| r["result"] == "private / allowed"), "{before:#?}");
    assert_eq!(seen["failures"], Value::Array(Vec::new()), "requests failed or the page threw");
    assert_eq!(seen["diagram"], "image", "the estate diagram (privlink graph's SVG) is shown");

    // The write, and the page within 2 s of it.
    let status = seen["delete_status"].as_u64();
    assert!(matches!(status, Some(200 | 202)), "the link deletion through the ARM face answered {status:?}");
    let turned =
        seen["turned_ms"].as_u64().unwrap_or_else(|| panic!("the SQL row never turned: {}", seen["wait_error"]));
    assert!(turned <= WITHIN.as_millis() as u64, "the SQL row turned {turned} ms after the write, more than 2 s");
    assert_eq!(row(&seen, "after", SQL)["result"], "public / denied");
    for other in seen["after"]["rows"].as_array().unwrap().iter().filter(|r| r["to"] != SQL) {
        assert_eq!(other["result"], "private / allowed", "only the SQL row changes: {other}");
    }
    assert!(seen["after"]["summary"].as_str().unwrap().starts_with("3 of 4 dependencies allowed"));
    let detail = &seen["detail"];
    assert!(detail["trace"].as_str().unwrap().contains("verdict: DENIED"), "{detail:#}");
    assert!(detail["resolution"].as_str().unwrap().contains("verdict: public"), "{detail:#}");
    let fixes = detail["findings"].as_array().unwrap();
    assert!(
        fixes.iter().any(|f| f["code"] == "DNS101"
            && f["fix"].as_str().unwrap().starts_with("az network private-dns link vnet create")),
        "the row's findings show the zone-not-linked fix: {fixes:#?}"
    );

    // One engine: `privlink trace` on the same live state says what the page says.
    let trace = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["trace", "--from", "app-flask-privlink", "--to", SQL, "--state"])
        .arg(&state)
        .output()
        .unwrap();
    let trace_text = String::from_utf8_lossy(&trace.stdout);
    assert_eq!(trace.status.code(), Some(1), "{trace_text}");
    assert!(detail["trace"].as_str().unwrap() == trace_text, "page:\n{}\ntrace:\n{trace_text}", detail["trace"]);

    for shot in ["before.png", "after.png", "after-trace.png"] {
        let size = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{}: a screenshot of the page ({size} bytes)", shots.join(shot).display());
    }
    eprintln!("screenshots in {}; the SQL row turned {turned} ms after the write", shots.display());
    drop(up);
}
