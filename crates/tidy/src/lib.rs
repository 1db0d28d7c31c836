//! The invariants of ARCHITECTURE.md that a reading of the source can check.
//!
//! In the manner of rust-analyzer's `xtask/src/tidy.rs`: a plain test (`tests/tidy.rs`) reads every
//! Rust file of the workspace and fails with each place that breaks one of these. The checks are
//! textual on purpose — they look at lines, not syntax trees — so each says exactly what it matches;
//! a check that needs an exception names the file and why in one of the allowlists below, where a
//! reviewer sees it.
//!
//! - **module-doc**: every source file starts with a `//!` line saying what it is for.
//! - **pure-core**: the pure crates (model, load, engine, rules, report) touch no file system,
//!   environment, socket, clock, process, async runtime or randomness; the CLI passes bytes in.
//! - **azure-facts**: Azure resource type strings (`"Microsoft.Network/…"`) and Azure's well-known
//!   addresses appear only where Azure facts live (`engine::catalog`, the model's type names), so a
//!   fact is written once.
//! - **sim-register**: a modelling choice marked `[SIM]` is written down in one of the registers
//!   (the public DNS model, the provider's table, the data path's assumptions), not scattered.
//! - **file-length**: no source file is over 900 lines unless it says why it is one file.
//! - **crate-graph** (in `Cargo.toml`s): each pure crate depends only on the privlink crates below it
//!   (model ← engine ← load, engine ← rules ← report) and on no async runtime, socket, storage or
//!   randomness crate.

use std::fmt;

/// One place that breaks an invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The file, relative to the workspace root, with `/` separators.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    pub invariant: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: [{}] {}", self.path, self.line, self.invariant, self.message)
    }
}

/// The crates that must stay free of I/O.
const PURE_CRATES: &[&str] =
    &["crates/model/src/", "crates/load/src/", "crates/engine/src/", "crates/rules/src/", "crates/report/src/"];

/// What the pure crates must not use, and what it would mean.
const IMPURE: &[(&str, &str)] = &[
    ("std::fs", "the file system"),
    ("File::open", "the file system"),
    ("File::create", "the file system"),
    ("std::env::", "the environment"),
    ("env::var", "the environment"),
    ("TcpStream", "a socket"),
    ("TcpListener", "a socket"),
    ("UdpSocket", "a socket"),
    ("SystemTime", "the clock"),
    ("Instant::now", "the clock"),
    ("thread::sleep", "the clock"),
    ("std::process", "a process"),
    ("Command::new", "a process"),
    ("tokio::", "an async runtime"),
    ("rand::", "randomness"),
];

/// Where Azure resource type strings may be written: the catalog of Azure facts, the model's names
/// for the types it types, and the loader's typing, whose dispatch by (lower-cased) type is the
/// table that maps each type to its family.
const AZURE_TYPE_HOMES: &[&str] =
    &["crates/engine/src/catalog", "crates/model/src/arm_type.rs", "crates/load/src/typed"];

/// Azure's well-known addresses and the documentation ranges the twin invents public addresses
/// from, with where each may be written.
const WELL_KNOWN_ADDRESSES: &[(&str, &[&str])] = &[
    ("168.63.129.16", &["crates/engine/src/catalog"]),
    ("169.254.169.254", &["crates/engine/src/catalog"]),
    ("192.0.2.", &["crates/engine/src/dns/public.rs"]),
    ("198.51.100.", &["crates/engine/src/dns/public.rs"]),
    ("203.0.113.", &["crates/engine/src/dns/public.rs"]),
];

/// The registers of modelling choices: each `[SIM]` is written down in one of these.
const SIM_REGISTERS: &[&str] = &[
    "crates/engine/src/dns/public.rs",
    "crates/engine/src/provider/mod.rs",
    "crates/engine/src/path/assumptions.rs",
    "crates/engine/src/access/assumptions.rs",
];

/// Files allowed past 900 lines, each with the reason it is one file.
const LONG_FILES: &[(&str, &str)] = &[];

const MAX_LINES: usize = 900;

/// Every violation in one file. `path` is relative to the workspace root, with `/` separators.
pub fn check_file(path: &str, text: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut report = |line: usize, invariant: &'static str, message: String| {
        out.push(Violation { path: path.to_string(), line, invariant, message })
    };
    if !text.starts_with("//!") {
        report(1, "module-doc", "the file does not start with a `//!` line saying what it is for".into());
    }
    let line_count = text.lines().count();
    if line_count > MAX_LINES && !LONG_FILES.iter().any(|(p, _)| *p == path) {
        report(
            line_count,
            "file-length",
            format!("{line_count} lines: split it along its seams (or list it in LONG_FILES with why)"),
        );
    }
    if path.starts_with("crates/tidy/") {
        // The checks name what they look for.
        return out;
    }
    let test_file = is_test_path(path);
    let pure = PURE_CRATES.iter().any(|c| path.starts_with(c));
    let mut in_tests = test_file;
    let mut next_is_test_item = false;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().copied().enumerate() {
        let number = index + 1;
        let test_item = std::mem::take(&mut next_is_test_item);
        if line.trim() == "#[cfg(test)]" {
            if lines.get(index + 1).is_some_and(|next| next.trim_end().ends_with(';')) {
                // A one-line test item (`mod tests;`, a constant): only it is test code.
                next_is_test_item = true;
            } else {
                // Unit tests sit at the end of a file, after this attribute.
                in_tests = true;
            }
        }
        let code = code_of(line);
        if pure {
            if let Some((pattern, what)) = IMPURE.iter().find(|(pattern, _)| code.contains(pattern)) {
                report(
                    number,
                    "pure-core",
                    format!("`{pattern}` uses {what}; the pure crates take their input as values"),
                );
            }
        }
        if in_tests || test_item {
            continue;
        }
        if line.contains("[SIM]") && !SIM_REGISTERS.contains(&path) {
            report(
                number,
                "sim-register",
                "a [SIM] modelling choice outside its registers: write it down in one".into(),
            );
        }
        if let Some(ty) = azure_type_in(code) {
            if !is_home(path, AZURE_TYPE_HOMES) {
                report(
                    number,
                    "azure-facts",
                    format!(
                        "the Azure type `{ty}` is written here: name it through the catalog or the model's type names"
                    ),
                );
            }
        }
        for (address, homes) in WELL_KNOWN_ADDRESSES {
            if code.contains(address) && !is_home(path, homes) {
                report(
                    number,
                    "azure-facts",
                    format!("the well-known address `{address}` is written here: use its named constant"),
                );
            }
        }
    }
    out
}

fn is_home(path: &str, homes: &[&str]) -> bool {
    homes.iter().any(|h| path == *h || path.starts_with(&format!("{h}/")) || path.starts_with(&format!("{h}.")))
}

/// Integration tests, benches and test-only modules.
fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.contains("/tests/")
        || path.contains("/benches/")
        || path.starts_with("benches/")
        || name == "tests.rs"
        || name.ends_with("_tests.rs")
}

/// The code of a line without its comment: a whole-line comment is nothing, and a trailing ` //`
/// comment is cut (a `//` inside a string such as a URL has no space before it).
fn code_of(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return "";
    }
    match line.find(" // ") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// The first `Microsoft.Namespace/type` in a line of code, in any casing (the typing code compares
/// lower-cased types).
fn azure_type_in(code: &str) -> Option<&str> {
    const PREFIX: &str = "microsoft.";
    let lower = code.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(PREFIX) {
        let start = from + found;
        // `graph.microsoft.com/` is a host name, not a namespace.
        let in_host_name = code[..start].ends_with(|c: char| c == '.' || c == '-' || c.is_ascii_alphanumeric());
        let namespace = &code[start + PREFIX.len()..];
        let namespace_len = namespace.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(namespace.len());
        let slash = start + PREFIX.len() + namespace_len;
        if !in_host_name && namespace_len > 0 && code[slash..].starts_with('/') {
            let end = code[slash + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/'))
                .map_or(code.len(), |e| slash + 1 + e);
            return Some(&code[start..end]);
        }
        from = start + PREFIX.len();
    }
    None
}

/// The privlink crates each pure crate may depend on (normal dependencies; dev-dependencies are
/// the tests' and free).
const CRATE_GRAPH: &[(&str, &[&str])] = &[
    ("crates/model/Cargo.toml", &[]),
    ("crates/engine/Cargo.toml", &["privlink-model"]),
    ("crates/load/Cargo.toml", &["privlink-model", "privlink-engine"]),
    ("crates/rules/Cargo.toml", &["privlink-model", "privlink-engine"]),
    ("crates/report/Cargo.toml", &["privlink-model", "privlink-engine", "privlink-rules"]),
];

/// Crates that would bring I/O, a clock or randomness into a pure crate.
const IMPURE_CRATES: &[&str] =
    &["tokio", "axum", "axum-server", "hyper", "reqwest", "rustls", "redb", "rand", "getrandom", "mio", "socket2"];

/// Violations of the crate graph in one manifest. `path` is relative to the workspace root.
pub fn check_manifest(path: &str, text: &str) -> Vec<Violation> {
    let Some((_, allowed)) = CRATE_GRAPH.iter().find(|(p, _)| *p == path) else { return Vec::new() };
    let mut out = Vec::new();
    let mut in_dependencies = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        let Some(name) = line.split(['=', '.', ' ']).next().filter(|n| in_dependencies && !n.is_empty()) else {
            continue;
        };
        if name.starts_with("privlink-") && !allowed.contains(&name) {
            let message = format!("depends on `{name}`: a pure crate depends only on {allowed:?}");
            out.push(Violation { path: path.to_string(), line: index + 1, invariant: "crate-graph", message });
        } else if IMPURE_CRATES.contains(&name) {
            let message = format!("depends on `{name}`: the pure crates do no I/O");
            out.push(Violation { path: path.to_string(), line: index + 1, invariant: "crate-graph", message });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invariants(path: &str, text: &str) -> Vec<&'static str> {
        check_file(path, text).into_iter().map(|v| v.invariant).collect()
    }

    #[test]
    fn a_file_without_a_module_doc_is_reported() {
        assert_eq!(invariants("crates/cli/src/x.rs", "use std::fs;\n"), ["module-doc"]);
        assert!(invariants("crates/cli/src/x.rs", "//! Why.\nuse std::fs;\n").is_empty());
    }

    #[test]
    fn io_in_a_pure_crate_is_reported_with_its_line_and_kind() {
        let v =
            check_file("crates/engine/src/dns/mod.rs", "//! DNS.\nfn f() {\n    let _ = std::fs::read(\"x\");\n}\n");
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!((v[0].line, v[0].invariant), (3, "pure-core"));
        assert!(v[0].message.contains("file system"));
        // The same line is fine in a face, and a comment mentioning it is fine anywhere.
        assert!(invariants("crates/twin/src/store.rs", "//! Store.\nlet _ = std::fs::read(\"x\");\n").is_empty());
        assert!(invariants("crates/engine/src/a.rs", "//! A.\n// never std::fs here\n").is_empty());
        for line in ["let now = SystemTime::now();", "let v = std::env::var(\"CI\");", "let s = UdpSocket::bind(a);"] {
            assert_eq!(invariants("crates/load/src/a.rs", &format!("//! A.\n{line}\n")), ["pure-core"], "{line}");
        }
    }

    #[test]
    fn an_azure_type_outside_the_catalog_is_reported() {
        let text = "//! Rules.\nif id.is_type(\"Microsoft.Network/privateDnsZones\") {}\n";
        let v = check_file("crates/rules/src/rules/dns101.rs", text);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].message.contains("Microsoft.Network/privateDnsZones"), "{}", v[0]);
        assert!(invariants("crates/engine/src/catalog/table.rs", text).is_empty());
        assert!(invariants("crates/model/src/arm_type.rs", text).is_empty());
        // Lower-cased, as code comparing type keys writes it.
        assert_eq!(
            invariants("crates/twin/src/store.rs", "//! S.\nlet k = \"microsoft.network/virtualnetworks/subnets\";\n"),
            ["azure-facts"]
        );
        // Mentions in comments, namespaces alone and test modules are not facts written twice.
        assert!(invariants("crates/rules/src/a.rs", "//! A `Microsoft.Network/virtualNetworks`.\n").is_empty());
        assert!(invariants("crates/rules/src/a.rs", "//! A.\nlet ns = \"Microsoft.Network\";\n").is_empty());
        assert!(invariants("crates/twin/src/a.rs", "//! A.\nlet url = \"https://graph.microsoft.com/\";\n").is_empty());
        assert!(invariants(
            "crates/rules/src/a.rs",
            "//! A.\n#[cfg(test)]\nconst T: &str = \"Microsoft.Web/sites\";\n"
        )
        .is_empty());
        assert!(invariants("crates/rules/tests/a.rs", "//! A.\nconst T: &str = \"Microsoft.Web/sites\";\n").is_empty());
        // A test module in a file of its own does not hide the rest of the file.
        let text = "//! A.\n#[cfg(test)]\nmod tests;\nconst T: &str = \"Microsoft.Web/sites\";\n";
        assert_eq!(invariants("crates/rules/src/a.rs", text), ["azure-facts"]);
    }

    #[test]
    fn a_well_known_address_outside_its_home_is_reported() {
        assert_eq!(
            invariants("crates/engine/src/dns/view.rs", "//! V.\nconst A: &str = \"168.63.129.16\";\n"),
            ["azure-facts"]
        );
        assert!(invariants("crates/engine/src/catalog/addresses.rs", "//! V.\nconst A: &str = \"168.63.129.16\";\n")
            .is_empty());
        assert_eq!(invariants("crates/twin/src/x.rs", "//! X.\nlet ip = \"203.0.113.7\";\n"), ["azure-facts"]);
    }

    #[test]
    fn a_sim_marker_outside_the_registers_is_reported() {
        assert_eq!(invariants("crates/twin/src/dns_face/packet.rs", "//! P.\n/// [SIM] one hour.\n"), ["sim-register"]);
        assert!(invariants("crates/engine/src/dns/public.rs", "//! P.\n/// [SIM] one hour.\n").is_empty());
    }

    #[test]
    fn a_long_file_is_reported() {
        let text = format!("//! Long.\n{}", "fn f() {}\n".repeat(MAX_LINES));
        assert_eq!(invariants("crates/engine/src/x.rs", &text), ["file-length"]);
    }

    #[test]
    fn a_pure_crate_depending_upward_or_on_io_is_reported() {
        let manifest = "[package]\nname = \"privlink-engine\"\n\n[dependencies]\nprivlink-model.workspace = true\nprivlink-load.workspace = true\ntokio = { workspace = true }\n\n[dev-dependencies]\nprivlink-load.workspace = true\n";
        let v = check_manifest("crates/engine/Cargo.toml", manifest);
        let lines: Vec<usize> = v.iter().map(|v| v.line).collect();
        assert_eq!(lines, [6, 7], "{v:?}");
        assert!(v[0].message.contains("privlink-load"));
        assert!(check_manifest("crates/twin/Cargo.toml", manifest).is_empty(), "the twin is not pure");
    }
}
