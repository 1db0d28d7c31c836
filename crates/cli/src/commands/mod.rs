pub mod check;
pub mod dns;
pub mod inventory;
pub mod resolve;
pub mod trace;
pub mod up;

/// `--format` for commands with text and JSON output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Pretty JSON with a trailing newline, so output diffs cleanly.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serialisable");
    s.push('\n');
    s
}
