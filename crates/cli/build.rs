//! Embeds the built-in estate (scenarios/seed-estate/*.json) so `privlink` works with no input.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/seed-estate exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut code = String::from("/// The built-in estate's files: (name shown in messages, contents).\npub const BUILTIN_ESTATE: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        code.push_str(&format!(
            "    (\"scenarios/seed-estate/{name}\", include_bytes!({:?})),\n",
            f.canonicalize().unwrap().display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_estate.rs");
    std::fs::write(out, code).unwrap();
}
