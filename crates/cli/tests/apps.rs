//! The seeds' Flask app inside the twin (scenarios/apps/run.sh): `privlink up`, the seed's az
//! commands and privlink check's fixes with the real az CLI, then the app under `privlink run`
//! with the real client libraries (azure-identity, azure-keyvault-secrets, redis, mssql-python)
//! and Debian's redis-server — healthy, broken by deleting the SQL zone's VNet link (47073 on a
//! public address), healthy again after check's fix. Needs root, nftables, redis-server,
//! `PRIVLINK_AZ` and `PRIVLINK_CLIENTS_PYTHON` (`.ci/run` provides them); skips with the reason on
//! a laptop, fails under CI.

use privlink_testkit::{privlink_run_unavailable, skip_or_fail};
use std::path::Path;
use std::process::Command;

fn missing() -> Option<String> {
    if let Some(reason) = privlink_run_unavailable() {
        return Some(reason);
    }
    for (tool, package) in [("redis-server", "redis-server"), ("curl", "curl")] {
        if !Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Some(format!("`{tool}` is not installed (Debian package {package})"));
        }
    }
    for var in ["PRIVLINK_AZ", "PRIVLINK_CLIENTS_PYTHON"] {
        if !std::env::var_os(var).is_some_and(|p| Path::new(&p).is_file()) {
            return Some(format!("{var} is not set to an executable (.ci/run installs one)"));
        }
    }
    None
}

#[test]
fn the_seeds_flask_app_is_healthy_broken_by_one_az_change_and_healthy_after_the_fix() {
    if let Some(reason) = missing() {
        return skip_or_fail(&reason);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/apps/run.sh");
    let out = Command::new("bash").arg(script).env("PRIVLINK_BIN", env!("CARGO_BIN_EXE_privlink")).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "scenarios/apps/run.sh failed:\n{log}");
    for step in ["healthy:", "sql: 192.0.2.", "== ok:"] {
        assert!(log.contains(step), "the run did not show `{step}`:\n{log}");
    }
}
