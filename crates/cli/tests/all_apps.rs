//! `resolve --all-apps` and `trace --all-apps` are written app by app as they are computed; what
//! they print for each app must be what `--from APP --all` prints for it, on a generated landing
//! zone with a hundred apps.

use serde_json::Value;
use std::process::Command;

fn privlink(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(args).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_app_gets_what_all_gives_it() {
    let dir = tempfile::tempdir().unwrap();
    estate_gen::write(2000, 5, dir.path()).unwrap();
    let estate = dir.path().join("estate.json");
    let estate = estate.to_str().unwrap();
    for (command, key) in [("resolve", "resolutions"), ("trace", "traces")] {
        let all = privlink(&[command, "--all-apps", "--estate", estate, "--format", "json"]);
        let apps = all.as_array().unwrap();
        assert!(apps.len() > 50, "{command}: {} apps", apps.len());
        let ids: Vec<&str> = apps.iter().map(|a| a["app"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| id.to_ascii_lowercase());
        assert_eq!(ids, sorted, "{command}: apps in id order");
        for app in [&apps[0], &apps[apps.len() / 2], &apps[apps.len() - 1]] {
            let id = app["app"].as_str().unwrap();
            let one = privlink(&[command, "--from", id, "--all", "--estate", estate, "--format", "json"]);
            assert_eq!(app[key], one, "{command} --all-apps for {id}");
        }
    }
}
