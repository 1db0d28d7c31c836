//! The subcommands, one module each: parse the arguments, ask the engine, render.

pub mod check;
pub mod diff;
pub mod dns;
pub mod env;
pub mod graph;
pub mod inventory;
pub mod progress;
pub mod resolve;
pub mod run;
pub mod trace;
pub mod up;

/// `--format` for commands with text and JSON output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// `--verbose`, for the commands whose text names resources.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct Verbosity {
    /// Text output: every ARM id in full and every item of long lists. Without it text names a
    /// resource `name (type)` and lists a few items and how many more; JSON, SARIF, JUnit and
    /// GitHub annotations always carry everything.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

impl Verbosity {
    /// How text names the resources of `model`.
    pub fn names(self, model: &privlink_model::Model) -> privlink_report::display::Names {
        privlink_report::display::Names::new(model, self.verbose)
    }
}

/// Pretty JSON with a trailing newline, so output diffs cleanly.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serialisable");
    s.push('\n');
    s
}

/// Writes a JSON array one element at a time, byte for byte as [`json`] prints the whole array:
/// `--all-apps` over a 100k-resource estate prints a gigabyte that need not be held first.
pub struct JsonArrayOut<W: std::io::Write> {
    out: W,
    empty: bool,
}

impl<W: std::io::Write> JsonArrayOut<W> {
    pub fn new(out: W) -> JsonArrayOut<W> {
        JsonArrayOut { out, empty: true }
    }

    pub fn push<T: serde::Serialize>(&mut self, item: &T) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(item).expect("serialisable");
        self.out.write_all(if self.empty { b"[\n" } else { b",\n" })?;
        self.empty = false;
        // Nested one level deeper than at the top: two more spaces on every line. A newline inside
        // a JSON string is escaped, so each line of the text is a line of the output.
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// The underlying writer, for text written around the array.
    pub fn raw(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(if self.empty { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// Output written as it is made; a reader that stops early (`privlink … | head`) is not an error.
pub fn stream(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM (what `kill` and service
/// managers send). The long-running commands (`up`, `dns`) shut down cleanly on either.
pub async fn interrupted() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{json, JsonArrayOut};
    use serde_json::json as value;

    #[test]
    fn a_streamed_array_prints_as_the_whole_array_does() {
        let cases = [
            value!([]),
            value!([{"app": "a", "traces": []}]),
            value!([{"app": "a", "traces": [{"to": "x:1", "hops": [1, 2]}]}, "two\nlines", {"empty": {}}]),
        ];
        for case in cases {
            let mut bytes = Vec::new();
            let mut out = JsonArrayOut::new(&mut bytes);
            for item in case.as_array().unwrap() {
                out.push(item).unwrap();
            }
            out.finish().unwrap();
            assert_eq!(String::from_utf8(bytes).unwrap(), json(&case));
        }
    }
}
