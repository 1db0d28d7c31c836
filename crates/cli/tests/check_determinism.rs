//! `privlink check` output is byte-identical across runs and across input document orders.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn positive_estates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path().join("positive/estate"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn check(estate: &Path, format: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["check", "--format", format, "--fail-on", "never", "--estate"])
        .arg(estate)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}: {}", estate.display(), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The same documents, each file's array reversed and the files renamed so they load in reverse.
fn reordered_copy(estate: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(estate).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let n = files.len();
    for (i, f) in files.iter().enumerate() {
        let mut v: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        if let Value::Array(items) = &mut v {
            items.reverse();
        }
        std::fs::write(into.join(format!("{:03}.json", n - i)), serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }
}

#[test]
fn check_output_does_not_depend_on_runs_or_document_order() {
    let tmp = tempfile::tempdir().unwrap();
    let estates = positive_estates();
    assert!(estates.len() >= 20, "the rules' positive scenarios");
    for (i, estate) in estates.iter().enumerate() {
        for format in ["json", "text", "sarif", "junit"] {
            let first = check(estate, format);
            assert_eq!(first, check(estate, format), "{} {format}: two runs differ", estate.display());
            let copy = tmp.path().join(format!("{i}-{format}"));
            reordered_copy(estate, &copy);
            let reordered = check(&copy, format);
            // SARIF's physical locations are file and line, which a reordered copy changes; the
            // other formats name the estate only by its path, replaced here.
            let normalise =
                |b: &[u8], dir: &Path| String::from_utf8_lossy(b).replace(&dir.display().to_string(), "ESTATE");
            if format != "sarif" {
                assert_eq!(
                    normalise(&first, estate),
                    normalise(&reordered, &copy),
                    "{} {format}: order changes output",
                    estate.display()
                );
            }
        }
    }
}
