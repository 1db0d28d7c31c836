//! Writing a pull: the documents, one list-response file per resource group
//! (`SUBSCRIPTION/GROUP.json`, subscription-scope documents in `SUBSCRIPTION/subscription.json`),
//! and the manifest [`MANIFEST_FILE`], written into a temporary directory beside the output and
//! renamed into place, so a reader sees the previous pull or this one, never half of one. The
//! directory is 0700 and its files 0600: they hold estate data.

use anyhow::{bail, Context, Result};
use privlink_model::ResourceId;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest's name. `--estate DIR` skips it when it walks a directory.
pub const MANIFEST_FILE: &str = "privlink-pull.json";

/// Every pulled document by file name (relative to the output directory).
pub fn files_of(documents: &BTreeMap<String, Value>) -> BTreeMap<String, Vec<Value>> {
    let mut files: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for doc in documents.values() {
        let Some(id) = doc.get("id").and_then(Value::as_str).and_then(|t| ResourceId::parse(t).ok()) else { continue };
        let subscription = id.subscription().map(|s| s.to_ascii_lowercase()).unwrap_or_else(|| "tenant".into());
        let file = match id.resource_group() {
            Some(group) => format!("{subscription}/{}.json", safe_name(&group.to_ascii_lowercase())),
            None => format!("{subscription}/subscription.json"),
        };
        files.entry(file).or_default().push(doc.clone());
    }
    files
}

/// A resource group name as a file name (group names allow `.`, `(`, `)`; never `/`).
fn safe_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.()".contains(c) { c } else { '_' }).collect();
    if cleaned.starts_with('.') {
        format!("_{cleaned}")
    } else {
        cleaned
    }
}

/// Writes `files` and `manifest` to `out` atomically.
pub fn write_atomically(out: &Path, files: &BTreeMap<String, Vec<Value>>, manifest: &Value) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out.file_name().with_context(|| format!("{}: not a directory name", out.display()))?.to_string_lossy();
    if out.exists() && !is_replaceable(out) {
        bail!(
            "{}: exists and is not a previous pull (no {MANIFEST_FILE}); choose another --out or remove it",
            out.display()
        );
    }
    let staging = parent.join(format!(".{name}.pull-{}", std::process::id()));
    let result = write_tree(&staging, files, manifest).and_then(|()| swap_into_place(&staging, out));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// A previous pull (it has a manifest) or an empty directory may be replaced.
fn is_replaceable(out: &Path) -> bool {
    out.join(MANIFEST_FILE).is_file() || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none())
}

fn write_tree(staging: &Path, files: &BTreeMap<String, Vec<Value>>, manifest: &Value) -> Result<()> {
    create_private_dir(staging)?;
    for (file, documents) in files {
        let path = staging.join(file);
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        write_private(&path, &json!({ "value": documents }))?;
    }
    write_private(&staging.join(MANIFEST_FILE), manifest)
}

fn swap_into_place(staging: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        return std::fs::rename(staging, out).with_context(|| format!("{}: cannot rename into place", out.display()));
    }
    let name = out.file_name().expect("checked above").to_string_lossy();
    let previous = out.with_file_name(format!(".{name}.previous-{}", std::process::id()));
    std::fs::rename(out, &previous)
        .with_context(|| format!("{}: cannot move the previous pull aside", out.display()))?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&previous, out);
        return Err(e).with_context(|| format!("{}: cannot rename into place", out.display()));
    }
    std::fs::remove_dir_all(&previous)
        .with_context(|| format!("{}: cannot remove the previous pull", previous.display()))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).with_context(|| format!("{}: cannot create", dir.display()))
}

fn write_private(path: &Path, value: &Value) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    file.write_all(&text).and_then(|()| file.sync_all()).with_context(|| format!("{}: cannot write", path.display()))
}

/// Now as RFC 3339 UTC (`2026-01-15T09:00:00Z`).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_go_to_their_group_file() {
        let mut docs = BTreeMap::new();
        docs.insert(
            "a".into(),
            json!({"id": "/subscriptions/S1/resourceGroups/RG-A/providers/Microsoft.Network/virtualNetworks/v"}),
        );
        docs.insert("b".into(), json!({"id": "/subscriptions/S1/resourceGroups/RG-A"}));
        docs.insert("c".into(), json!({"id": "/subscriptions/S1/providers/Microsoft.Authorization/roleAssignments/r"}));
        let files = files_of(&docs);
        assert_eq!(files.keys().collect::<Vec<_>>(), ["s1/rg-a.json", "s1/subscription.json"]);
        assert_eq!(files["s1/rg-a.json"].len(), 2);
    }

    #[test]
    fn a_directory_that_is_not_a_pull_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("estate");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("mine.json"), "{}").unwrap();
        let error = write_atomically(&out, &BTreeMap::new(), &json!({})).unwrap_err();
        assert!(error.to_string().contains("not a previous pull"), "{error}");
        assert!(out.join("mine.json").exists());
        std::fs::remove_file(out.join("mine.json")).unwrap();
        write_atomically(&out, &BTreeMap::new(), &json!({"k": 1})).unwrap();
        write_atomically(&out, &BTreeMap::new(), &json!({"k": 2})).unwrap();
        let manifest: Value = serde_json::from_slice(&std::fs::read(out.join(MANIFEST_FILE)).unwrap()).unwrap();
        assert_eq!(manifest["k"], 2);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging or previous directory is left");
    }
}
