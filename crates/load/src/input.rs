//! Reading input bytes as JSON, with errors that name the file, line and column.

use serde_json::Value;
use std::fmt;

/// One named input: a file's path (as the user gave it) and its bytes. The CLI reads files; the
/// loader only sees these.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Input {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Input {
        Input { name: name.into(), bytes: bytes.into() }
    }
}

/// Input that cannot be read at all. This is an `Err`, not a diagnostic: nothing in the file can
/// be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// Parses `input` as JSON. A byte-order mark is tolerated (some exported files carry one), and so
/// is what ARM accepts in templates beyond standard JSON: comments, trailing commas and multi-line
/// strings ([`crate::relaxed`]).
pub fn parse_json(input: &Input) -> Result<Value, InputError> {
    let bytes = input.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&input.bytes);
    let strict = serde_json::from_slice(bytes);
    let relaxed = match &strict {
        Err(e) if e.classify() == serde_json::error::Category::Syntax => crate::relaxed::to_strict(bytes),
        _ => None,
    };
    let parsed = match relaxed {
        Some(text) => serde_json::from_slice(&text),
        None => strict,
    };
    parsed.map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends early (truncated file?)",
            serde_json::error::Category::Syntax => "this is not valid JSON",
            serde_json::error::Category::Data => "unexpected JSON data",
            serde_json::error::Category::Io => "the file could not be read",
        };
        let detail = e.to_string();
        // serde_json appends " at line L column C"; we report the position separately.
        let detail = detail.split(" at line ").next().unwrap_or(&detail).to_string();
        InputError {
            file: input.name.clone(),
            line: Some(e.line()),
            column: Some(e.column()),
            message: format!("{what}: {detail}; expected an ARM resource document, an array of them, a list response {{\"value\": [...]}}, Resource Graph output {{\"data\": [...]}} or a REST API example"),
        }
    })
}

/// Escapes one JSON-pointer token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
