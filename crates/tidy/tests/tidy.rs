//! Reads every Rust file of the workspace and fails with every place that breaks an invariant of
//! ARCHITECTURE.md that a reading of the source can check (see `privlink_tidy` for the list).

use privlink_tidy::{check_file, check_manifest, Violation};
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.expect("a directory entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_sources_keep_the_architectures_invariants() {
    let root = workspace_root();
    let mut files = Vec::new();
    for top in ["crates", "benches"] {
        rust_files(&root.join(top), &mut files);
    }
    assert!(
        files.len() > 100,
        "found only {} Rust files under {}: is this the workspace?",
        files.len(),
        root.display()
    );
    let mut violations: Vec<Violation> = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let relative = file.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
        violations.extend(check_file(&relative, &text));
    }
    for crate_dir in std::fs::read_dir(root.join("crates")).expect("crates/").map(|e| e.expect("an entry").path()) {
        let manifest = crate_dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        let relative = manifest.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
        violations.extend(check_manifest(&relative, &text));
    }
    if !violations.is_empty() {
        let listing: Vec<String> = violations.iter().map(ToString::to_string).collect();
        panic!("\n{} place(s) break an invariant of ARCHITECTURE.md:\n\n{}\n", violations.len(), listing.join("\n"));
    }
}
