//! The seeds' az recipes, run verbatim with the real az CLI (and the Azure SDK for Python) against
//! `privlink up`, each followed by the checks its seed's Verification section promises
//! (scenarios/az/*/verify.sh). Needs `PRIVLINK_AZ` (and `PRIVLINK_PYTHON` for the SDK recipe),
//! which `.ci/run` sets up; without them the test says so and skips, or fails under CI.

use privlink_testkit::skip_or_fail;
use std::path::Path;
use std::process::Command;

#[test]
fn seed_recipes_run_verbatim_against_the_twin() {
    let Some(az) = std::env::var_os("PRIVLINK_AZ").filter(|a| Path::new(a).is_file()) else {
        return skip_or_fail("PRIVLINK_AZ is not set to an az executable (.ci/run installs one)");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/az");
    let mut recipes: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("recipe.sh").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    recipes.sort();
    assert!(recipes.len() >= 3, "the three seed recipes");
    let mut failures = Vec::new();
    for recipe in &recipes {
        if recipe == "python-sdk" && std::env::var_os("PRIVLINK_PYTHON").is_none() {
            skip_or_fail("python-sdk needs PRIVLINK_PYTHON (the venv with the Azure SDK)");
            continue;
        }
        let out = Command::new("bash")
            .arg(root.join("run.sh"))
            .arg(recipe)
            .env("PRIVLINK_BIN", env!("CARGO_BIN_EXE_privlink"))
            .env("PRIVLINK_AZ", &az)
            .output()
            .unwrap();
        if !out.status.success() {
            let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            failures.push(format!("{recipe}:\n{}", tail.join("\n")));
        } else {
            eprintln!("{recipe}: ok");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
