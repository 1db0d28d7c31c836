//! Runs every scenario under `scenarios/` through the `privlink` binary.
//!
//! A scenario is a directory holding an estate and one or more `NAME.cmd` files: one command line
//! each (starting with `privlink`), run with the scenario directory as the working directory.
//! `NAME.out` is the expected standard output and `NAME.code` the expected exit code (0 when
//! absent). Set `UPDATE_EXPECT=1` to write the outputs instead of comparing — then read every
//! changed file before committing: expected output is reasoned from the Azure semantics, not
//! copied from the program.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn find_cmd_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            find_cmd_files(&e, out);
        } else if e.extension().is_some_and(|x| x == "cmd") {
            out.push(e);
        }
    }
}

/// Splits a command line on whitespace, honouring single and double quotes.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    args.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        args.push(cur);
    }
    args
}

#[test]
fn scenarios() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut cmds = Vec::new();
    find_cmd_files(&scenarios_root(), &mut cmds);
    assert!(!cmds.is_empty(), "no scenarios found under {}", scenarios_root().display());
    let mut failures = Vec::new();
    for cmd_file in &cmds {
        let dir = cmd_file.parent().unwrap();
        let line = std::fs::read_to_string(cmd_file).unwrap();
        let line = line.lines().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).unwrap_or("").trim();
        let args = split_args(line);
        assert_eq!(
            args.first().map(String::as_str),
            Some("privlink"),
            "{}: a command starts with 'privlink'",
            cmd_file.display()
        );
        let output = Command::new(env!("CARGO_BIN_EXE_privlink")).args(&args[1..]).current_dir(dir).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let code = output.status.code().unwrap_or(-1);
        let out_file = cmd_file.with_extension("out");
        let code_file = cmd_file.with_extension("code");
        if update {
            std::fs::write(&out_file, &stdout).unwrap();
            if code != 0 {
                std::fs::write(&code_file, format!("{code}\n")).unwrap();
            } else if code_file.exists() {
                std::fs::remove_file(&code_file).unwrap();
            }
            continue;
        }
        let expected =
            std::fs::read_to_string(&out_file).unwrap_or_else(|_| format!("<missing {}>", out_file.display()));
        let expected_code: i32 = std::fs::read_to_string(&code_file).map(|s| s.trim().parse().unwrap()).unwrap_or(0);
        if stdout != expected || code != expected_code {
            failures.push(format!(
                "{}: `{line}`\n  exit code {code} (expected {expected_code})\n  stderr: {}\n{}",
                cmd_file.strip_prefix(scenarios_root()).unwrap_or(cmd_file).display(),
                String::from_utf8_lossy(&output.stderr).trim(),
                first_difference(&expected, &stdout)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenario commands differ:\n\n{}",
        failures.len(),
        cmds.len(),
        failures.join("\n\n")
    );
    eprintln!("{} scenario commands matched", cmds.len());
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        if e.get(i) != a.get(i) {
            return format!(
                "  first difference at line {}:\n    expected: {}\n    actual:   {}",
                i + 1,
                e.get(i).unwrap_or(&"<end>"),
                a.get(i).unwrap_or(&"<end>")
            );
        }
    }
    "  (outputs differ only in trailing newline)".into()
}
