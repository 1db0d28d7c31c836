//! Parity: inside `privlink run`, with real packets, every dependency of every app ends the way
//! `privlink trace` says it does.
//!
//! For every estate under `scenarios/trace/` and every rule's positive estate, and every app in
//! it, `trace --all-apps` gives each dependency's verdict; then `privlink run --app APP` runs this
//! test binary again inside the app's namespace ([`PROBE_ENV`] set), where it resolves each name
//! with the system resolver, connects, and does the protocol's first exchange
//! (`privlink_twin::sandbox::probe`). The outcome must equal the trace's: allowed ⇒ the service
//! answers (or refuses the sign-in where the trace's access step is denied); a denial at DNS ⇒ the
//! name does not resolve; a drop on the path ⇒ a timeout; the service's refusal ⇒ its error
//! (SQL's number, the HTTP status) or a reset. The addresses the app resolved must be the trace's.
//!
//! Needs root, iproute2 and nftables; skipped with a message on a laptop without them, a failure
//! under CI. Every namespace is created and removed by `privlink run` itself.

use privlink_testkit::{privlink_run_unavailable, skip_or_fail};
use privlink_twin::sandbox::probe::{probe_all, Exchange, Outcome, ProbeResult, ProbeSpec};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const PROBE_ENV: &str = "PRIVLINK_PARITY_PROBE";
const PROBE_TEST: &str = "probe_entry_inside_the_app_namespace";
const RESULT_PREFIX: &str = "PARITY-RESULTS ";

fn privlink() -> &'static str {
    env!("CARGO_BIN_EXE_privlink")
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The part of this test that runs inside the app's namespace: `privlink run` starts it (as an
/// ignored test, so a plain `cargo test` does not count it) with the specs in [`PROBE_ENV`]; it
/// prints what every probe saw.
#[test]
#[ignore = "the probe's entry point inside privlink run's namespace, started by the parity test"]
fn probe_entry_inside_the_app_namespace() {
    let specs = std::env::var(PROBE_ENV).expect("started by the parity test with the probe specs");
    let specs: Vec<ProbeSpec> = serde_json::from_str(&specs).expect("specs are JSON");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let results = runtime.block_on(probe_all(specs));
    println!("{RESULT_PREFIX}{}", serde_json::to_string(&results).unwrap());
}

/// The estates: every trace scenario's and every rule's positive case's.
fn estates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (dir, case) in [("trace", None), ("rules", Some("positive"))] {
        let Ok(entries) = std::fs::read_dir(scenarios().join(dir)) else { continue };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            let estate = match case {
                Some(case) => entry.join(case).join("estate"),
                None => entry.join("estate"),
            };
            if estate.exists() {
                out.push(estate);
            }
        }
    }
    out
}

/// What the trace says the app sees.
fn expected(trace: &Value) -> Outcome {
    let resolution = &trace["resolution"];
    let resolved =
        resolution["rcode"] == "NOERROR" && resolution["addresses"].as_array().is_some_and(|a| !a.is_empty());
    if !resolution.is_null() && !resolved {
        return Outcome::Dns;
    }
    let message = trace["message"].as_str().unwrap_or_default();
    let last_step = trace["hops"].as_array().and_then(|h| h.last()).map(|h| h["step"].clone()).unwrap_or_default();
    let access = &trace["access"];
    // The app has no identity: its client library gets no token, whatever the service's network
    // rules would have said; only a packet the path drops fails earlier, at the connect.
    let no_token = access["verdict"] == "denied" && access["decided_by"]["kind"] == "site";
    let dropped = trace["verdict"] != "allowed" && last_step != "service";
    if no_token && !dropped {
        return Outcome::Unauthorized;
    }
    match trace["verdict"].as_str() {
        Some("allowed") if access["verdict"] == "denied" => Outcome::Unauthorized,
        Some("allowed") => Outcome::Ok,
        Some("denied") if last_step == "service" => {
            if message.starts_with("connection reset") {
                Outcome::Reset
            } else if message.starts_with("no answer") {
                Outcome::Timeout
            } else {
                Outcome::Refused(refusal_code(message))
            }
        }
        _ => Outcome::Timeout,
    }
}

/// `Error 47073: …` ⇒ 47073; an HTTP service's refusal ⇒ its status (403 unless the text says).
fn refusal_code(message: &str) -> u32 {
    if let Some(rest) = message.strip_prefix("Error ") {
        if let Some(number) = rest.split(':').next().and_then(|n| n.trim().parse().ok()) {
            return number;
        }
    }
    message
        .split(|c: char| !c.is_ascii_digit())
        .find_map(|n| n.parse().ok().filter(|n| (400..600).contains(n)))
        .unwrap_or(403)
}

fn spec_of(trace: &Value) -> Option<ProbeSpec> {
    let to = trace["query"]["to"].as_str()?;
    let (host, port) = to.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let access = &trace["access"];
    let audience = (access["verdict"] != "none").then(|| access["audience"].as_str().map(str::to_string)).flatten();
    Some(ProbeSpec { host: host.to_string(), port, exchange: Exchange::for_name(host, port), audience })
}

fn run_inside(estate: &Path, app: &str, specs: &[ProbeSpec]) -> Result<Vec<ProbeResult>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(privlink())
        .args(["run", "--estate"])
        .arg(estate)
        .args(["--app", app, "--host-port", "0", "--env"])
        .arg(format!("{PROBE_ENV}={}", serde_json::to_string(specs).unwrap()))
        .arg("--")
        .arg(exe)
        .args(["--exact", PROBE_TEST, "--ignored", "--nocapture", "--test-threads", "1"])
        .output()
        .map_err(|e| format!("privlink run: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.split_once(RESULT_PREFIX).map(|(_, r)| r)).ok_or_else(|| {
        format!(
            "privlink run exited {:?} without results\nstdout: {stdout}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    serde_json::from_str(line).map_err(|e| format!("results: {e}"))
}

#[test]
fn every_dependency_inside_privlink_run_ends_as_trace_says() {
    if let Some(reason) = privlink_run_unavailable() {
        return skip_or_fail(&reason);
    }
    let mut mismatches = Vec::new();
    let mut compared = 0;
    // SQL logins the trace follows through the `Redirect` policy, with how they ended inside.
    let mut redirects = Vec::new();
    for estate in estates() {
        let output = Command::new(privlink())
            .args(["trace", "--all-apps", "--format", "json", "--estate"])
            .arg(&estate)
            .output()
            .unwrap();
        let Ok(apps) = serde_json::from_slice::<Vec<Value>>(&output.stdout) else {
            mismatches.push(format!(
                "{}: trace --all-apps gave no JSON: {}",
                estate.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
            continue;
        };
        for app in apps {
            let app_id = app["app"].as_str().unwrap_or_default().to_string();
            let traces: Vec<&Value> = app["traces"].as_array().map(|t| t.iter().collect()).unwrap_or_default();
            let specs: Vec<ProbeSpec> = traces.iter().filter_map(|t| spec_of(t)).collect();
            if specs.is_empty() {
                continue;
            }
            let results = match run_inside(&estate, &app_id, &specs) {
                Ok(r) => r,
                Err(e) => {
                    mismatches.push(format!("{} {app_id}: {e}", estate.display()));
                    continue;
                }
            };
            for (trace, result) in traces.iter().zip(&results) {
                compared += 1;
                let redirect = trace["hops"].as_array().and_then(|h| h.last()).is_some_and(|h| h["step"] == "redirect");
                if redirect {
                    redirects.push(format!("{:?} {}", result.outcome, result.detail));
                }
                let want = expected(trace);
                let want_addresses: Vec<String> = trace["resolution"]["addresses"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                let got_addresses: Vec<String> = result.addresses.iter().map(ToString::to_string).collect();
                let addresses_agree = trace["resolution"].is_null() || want_addresses.first() == got_addresses.first();
                if want != result.outcome || !addresses_agree {
                    mismatches.push(format!(
                        "{} {} → {}:{}\n    trace: {want:?} at {want_addresses:?} ({})\n    run:   {:?} at {got_addresses:?} ({})",
                        estate.strip_prefix(scenarios()).unwrap_or(&estate).display(),
                        app_id.rsplit('/').next().unwrap_or_default(),
                        result.host,
                        result.port,
                        trace["message"].as_str().unwrap_or_default(),
                        result.outcome,
                        result.detail
                    ));
                }
            }
        }
    }
    println!("compared {compared} dependencies inside privlink run");
    assert!(mismatches.is_empty(), "{} of {compared} disagree:\n{}", mismatches.len(), mismatches.join("\n"));
    assert!(compared > 50, "only {compared} dependencies were compared");
    // NET202's positive estate redirects into an NSG drop, service-endpoint-allowed's SQL gets
    // through its redirect: both ways inside the run follow the gateway's routing.
    println!("{} SQL logins went through the Redirect policy: {redirects:?}", redirects.len());
    assert!(redirects.iter().any(|r| r.starts_with("Timeout") && r.contains("routed to")), "{redirects:?}");
    assert!(redirects.iter().any(|r| r.starts_with("Ok") && r.contains("routed to")), "{redirects:?}");
}
