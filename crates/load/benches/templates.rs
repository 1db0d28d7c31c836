//! Evaluating every public template of the reference set (../shared/reference/arm/templates),
//! against a peer measured in the same run: parsing the same files as JSON.
//!
//! Run: `cargo bench -p privlink-load --bench templates`

use privlink_load::template::{evaluate, DeploymentScope, EvaluateOptions, Parameters};
use serde_json::Value;
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/arm/templates");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: {} is missing", dir.display());
        return;
    };
    let mut slugs: Vec<String> = entries.map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    slugs.sort();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/templates");
    // Each template with the parameters its scenario uses: its own file, else
    // scenarios/templates/<slug>/parameters.json.
    let texts: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = slugs
        .iter()
        .map(|s| {
            let t = std::fs::read(dir.join(s).join("azuredeploy.json")).unwrap();
            let p = std::fs::read(dir.join(s).join("azuredeploy.parameters.json"))
                .or_else(|_| std::fs::read(scenarios.join(s).join("parameters.json")))
                .ok();
            (s.clone(), t, p)
        })
        .collect();
    let scope = DeploymentScope::resource_group("00000000-0000-0000-0000-000000000001", "rg-privlink", "westeurope");
    let (mut best_eval, mut best_parse, mut resources) = (f64::MAX, f64::MAX, 0);
    for _ in 0..5 {
        let t = Instant::now();
        for (_, template, params) in &texts {
            std::hint::black_box(serde_json::from_slice::<Value>(template).unwrap());
            if let Some(p) = params {
                std::hint::black_box(serde_json::from_slice::<Value>(p).unwrap());
            }
        }
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        resources = 0;
        for (slug, template, params) in &texts {
            let template: Value = serde_json::from_slice(template).unwrap();
            let parameters = match params {
                Some(p) => Parameters::from_document(&serde_json::from_slice(p).unwrap()).unwrap(),
                None => Parameters::new(),
            };
            match evaluate(&template, &parameters, &scope, &EvaluateOptions::default()) {
                Ok(e) => resources += e.resources.len(),
                Err(e) => panic!("{slug}: {e}"),
            }
        }
        best_eval = best_eval.min(t.elapsed().as_secs_f64());
    }
    println!("{} templates, {resources} resources", texts.len());
    println!("peer  JSON parse only: {:.1} ms", best_parse * 1000.0);
    println!("privlink template evaluation (parse + evaluate): {:.1} ms", best_eval * 1000.0);
    println!("ratio evaluate / parse: {:.1}", best_eval / best_parse);
}
