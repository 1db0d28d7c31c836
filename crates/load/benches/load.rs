//! Loading time for large estates, against a peer measured in the same run: parsing the same
//! bytes into `serde_json::Value` and nothing else (the floor any JSON loader pays).
//!
//! Run: `cargo bench -p privlink-load --bench load` (release mode). Prints wall times and the
//! ratio load / parse-only for ~100k resources made by replicating the built-in estate.

use privlink_load::{load, load_documents, Input, Options};
use std::path::Path;
use std::time::Instant;

// The same allocator as the privlink binary, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The seed estate's documents, replicated `copies` times into distinct resource groups (ids and
/// cross-references rewritten) so every copy is a self-contained estate.
fn replicate(copies: usize) -> Vec<Input> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    let mut inputs = Vec::new();
    for (name, text) in &texts {
        let mut all = String::from("[");
        for i in 0..copies {
            let copy = text.replace("rg-privlink-seed", &format!("rg-privlink-{i:06}"));
            let inner = copy.trim().trim_start_matches('[').trim_end_matches(']');
            if i > 0 {
                all.push(',');
            }
            all.push_str(inner);
        }
        all.push(']');
        inputs.push(Input::new(name.clone(), all.into_bytes()));
    }
    inputs
}

fn main() {
    let copies = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let inputs = replicate(copies);
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    if std::env::var_os("PHASES").is_some() {
        phases(&inputs);
    }
    let mut best_parse = f64::MAX;
    let mut best_load = f64::MAX;
    let mut resources = 0;
    for _ in 0..3 {
        let t = Instant::now();
        for i in &inputs {
            let v: serde_json::Value = serde_json::from_slice(&i.bytes).unwrap();
            std::hint::black_box(v);
        }
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
        let batch = inputs.clone();
        let t = Instant::now();
        let model = load(batch, &Options::default()).unwrap();
        best_load = best_load.min(t.elapsed().as_secs_f64());
        assert!(model.diagnostics.is_empty(), "{:?}", &model.diagnostics[..3.min(model.diagnostics.len())]);
        resources = model.documents.len();
    }
    println!(
        "estate: {resources} resources ({copies} copies of the seed estate), {:.1} MiB of JSON",
        bytes as f64 / 1048576.0
    );
    println!("peer  serde_json parse only: {:.3} s", best_parse);
    println!("privlink load (parse + merge + type + index): {:.3} s", best_load);
    println!("ratio load / parse: {:.2}", best_load / best_parse);
}

#[allow(dead_code)]
fn phases(inputs: &[Input]) {
    let t = Instant::now();
    let parsed: Vec<serde_json::Value> = inputs.iter().map(|i| serde_json::from_slice(&i.bytes).unwrap()).collect();
    println!("  parse (1 thread): {:.3}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut c = privlink_load::documents::DocumentCollector::new();
    for (i, v) in inputs.iter().zip(parsed) {
        c.add_value(&i.name, v);
    }
    println!("  add documents: {:.3}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let collected = c.finish();
    let docs: Vec<_> = collected.documents.into_values().map(|d| (d.body, d.origin)).collect();
    println!("  finish: {:.3}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let m = load_documents(docs);
    println!("  collect again+type+validate+index: {:.3}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    drop(m);
    println!("  drop: {:.3}", t.elapsed().as_secs_f64());
}
