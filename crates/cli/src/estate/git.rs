//! Estate files as they are at a git revision, read with the `git` command (no checkout, no work
//! tree touched): what `privlink diff --before-git REV` compares the working tree's files against.

use anyhow::{bail, Context, Result};
use privlink_load::Input;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every estate file under `path` (a file or a directory, as `--estate` takes them) at `rev`:
/// `.json` files in path order, a pull's manifest skipped, or the file itself when `path` names
/// one. Each input is named `REV:PATH` with PATH from the repository's top, as git names it.
pub fn files_at(rev: &str, path: &Path) -> Result<Vec<Input>> {
    // Run git where the path is (or its nearest directory that still exists: the change may have
    // deleted it), naming the path relative to there.
    let (dir, relative) = anchor(path);
    let listing = git(&dir, &["ls-tree", "-r", "-z", "--name-only", "--full-name", rev, "--", &relative])
        .with_context(|| format!("{}: cannot list it at git revision {rev}", path.display()))?;
    let names: Vec<&str> =
        listing.split(|b| *b == 0).filter(|n| !n.is_empty()).filter_map(|n| std::str::from_utf8(n).ok()).collect();
    // `ls-tree -r` lists blobs only: one entry with the path's own name is the file it names.
    let given_file = names.len() == 1 && Path::new(names[0]).file_name() == path.file_name();
    let wanted: Vec<&str> = names
        .into_iter()
        .filter(|n| {
            given_file
                || (Path::new(n).extension().is_some_and(|x| x.eq_ignore_ascii_case("json"))
                    && Path::new(n).file_name().is_none_or(|f| f != crate::pull::MANIFEST_FILE))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let contents = read_blobs(&dir, rev, &wanted)?;
    Ok(wanted.iter().zip(contents).map(|(name, bytes)| Input::new(format!("{rev}:{name}"), bytes)).collect())
}

/// The nearest existing directory of `path` and `path` relative to it (`.` for the directory).
fn anchor(path: &Path) -> (PathBuf, String) {
    let mut dir =
        if path.is_dir() { path.to_path_buf() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
    let mut rest: Vec<String> = Vec::new();
    if !path.is_dir() {
        rest.push(path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
    }
    while !dir.as_os_str().is_empty() && !dir.is_dir() {
        rest.push(dir.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
        dir = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    rest.reverse();
    let relative = if rest.is_empty() { ".".to_string() } else { rest.join("/") };
    (dir, relative)
}

/// The blobs `REV:NAME` (names relative to the repository's top), through one `git cat-file --batch`.
fn read_blobs(dir: &Path, rev: &str, names: &[&str]) -> Result<Vec<Vec<u8>>> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git: is it installed?")?;
    let mut stdin = child.stdin.take().expect("piped");
    let requests: String = names.iter().map(|n| format!("{rev}:{n}\n")).collect();
    // Written from a thread: git answers while it reads, and a full pipe would stall both.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut blobs = Vec::with_capacity(names.len());
    for name in names {
        let mut header = String::new();
        out.read_line(&mut header)?;
        let mut fields = header.split_whitespace();
        let (_, kind, size) = (fields.next(), fields.next(), fields.next());
        let size: usize = match (kind, size.and_then(|s| s.parse().ok())) {
            (Some("blob"), Some(size)) => size,
            _ => bail!("{rev}:{name}: git cannot read it ({})", header.trim()),
        };
        let mut bytes = vec![0; size];
        out.read_exact(&mut bytes)?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)?;
        blobs.push(bytes);
    }
    writer.join().expect("the writer does not panic")?;
    child.wait()?;
    Ok(blobs)
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().context("cannot run git: is it installed?")?;
    if !out.status.success() {
        bail!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}
