//! Test support shared by the workspace's tests (a dev-dependency only).
//!
//! Some tests need a tool (`az`, `dig`, `ip`), root, or a fixture beside the repository
//! (`../shared/reference`). On a developer's machine such a test may skip, saying why; under CI
//! (`CI` set to anything non-empty, as CI services do) a test that did not run must not pass, so
//! it fails with the same reason.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why `privlink run` cannot run here (it builds network namespaces and programs nftables): not
/// root, or `ip` (iproute2) or `nft` (nftables) missing. `None` when it can.
pub fn privlink_run_unavailable() -> Option<String> {
    use std::process::Command;
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        return Some("privlink run needs root (network namespaces)".into());
    }
    for (tool, package) in [("ip", "iproute2"), ("nft", "nftables")] {
        if !Command::new(tool).arg("-V").output().is_ok_and(|o| o.status.success()) {
            return Some(format!("`{tool}` is not installed (Debian package {package})"));
        }
    }
    None
}

/// Gives up on a test that cannot run here: prints `SKIPPED <test>: <reason>` and returns, or,
/// when the `CI` environment variable is set and non-empty, panics with the reason. The caller
/// returns right after (`return skip_or_fail("…")`).
#[track_caller]
pub fn skip_or_fail(reason: &str) {
    skip_or_fail_under(std::env::var_os("CI").as_deref(), reason)
}

/// [`skip_or_fail`] with the value of `CI` passed in.
#[track_caller]
pub fn skip_or_fail_under(ci: Option<&OsStr>, reason: &str) {
    // libtest runs each test on a thread named after it.
    let current = std::thread::current();
    let test = current.name().unwrap_or("this test");
    if ci.is_some_and(|value| !value.is_empty()) {
        panic!("{test} cannot run: {reason} (CI is set, so a test that cannot run fails instead of skipping)");
    }
    // Straight to stderr: libtest captures `eprintln!` of a passing test, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
}

/// Every `.json` file under `dir`, recursively, in sorted order: how the CLI reads an `--estate`
/// directory, for tests that load one themselves. Panics naming a directory it cannot read.
pub fn json_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{}: {e}", d.display())).path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The Python with the real client libraries an App Service app uses (`PRIVLINK_CLIENTS_PYTHON`,
/// else the venv `.ci/run` caches at `~/.cache/privlink/clients-venv`), when it imports every
/// module of `modules` (e.g. `"azure.keyvault.secrets, azure.identity"`); `None` otherwise, and
/// the caller skips or fails with [`skip_or_fail`].
pub fn clients_python(modules: &str) -> Option<PathBuf> {
    let python = std::env::var_os("PRIVLINK_CLIENTS_PYTHON").map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/privlink/clients-venv/bin/python"))
    })?;
    let imports = std::process::Command::new(&python).args(["-c", &format!("import {modules}")]).output();
    imports.is_ok_and(|o| o.status.success()).then_some(python)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    #[should_panic(expected = "cannot run: `dig` is not installed (CI is set")]
    fn fails_with_the_reason_under_ci() {
        skip_or_fail_under(Some(&OsString::from("true")), "`dig` is not installed");
    }

    #[test]
    fn fails_under_any_non_empty_ci_value() {
        for value in ["1", "yes", "false"] {
            let outcome = std::panic::catch_unwind(|| skip_or_fail_under(Some(OsStr::new(value)), "no fixture"));
            assert!(outcome.is_err(), "CI={value} must fail the test");
        }
    }

    #[test]
    fn skips_without_ci_or_with_an_empty_ci() {
        skip_or_fail_under(None, "`dig` is not installed");
        skip_or_fail_under(Some(OsStr::new("")), "`dig` is not installed");
    }

    #[test]
    fn the_message_names_the_test() {
        let message = std::panic::catch_unwind(|| skip_or_fail_under(Some(OsStr::new("true")), "no az"))
            .unwrap_err()
            .downcast::<String>()
            .unwrap();
        assert!(message.starts_with("tests::the_message_names_the_test cannot run: no az"), "{message}");
    }
}
