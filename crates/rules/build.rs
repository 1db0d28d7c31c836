//! Turns each rule file's `//!` doc comment into its documentation string, so `privlink rule
//! CODE`, SARIF metadata and docs/rules.md are all generated from the one text beside the code.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "mod.rs"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// (module name, documentation) of every rule file.\npub const RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(&f).unwrap();
        let doc: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.strip_prefix("//! ").or_else(|| l.strip_prefix("//!")).unwrap_or(""))
            .collect();
        let module = f.file_stem().unwrap().to_string_lossy();
        writeln!(out, "    ({module:?}, {:?}),", doc.join("\n")).unwrap();
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_docs.rs"), out).unwrap();
}
