//! Progress on stderr for the commands that take a while on a large estate (loading, `check`,
//! `--all-apps`): one line, redrawn in place, erased when done — and only when stderr is a
//! terminal, so CI logs and redirected output stay clean. `PRIVLINK_PROGRESS=always` draws it
//! anyway (for tests), `never` never.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often a line is redrawn at most.
const EVERY: Duration = Duration::from_millis(100);

/// Whether progress is drawn: stderr is a terminal, unless `PRIVLINK_PROGRESS` says otherwise.
pub fn enabled() -> bool {
    match std::env::var("PRIVLINK_PROGRESS").as_deref() {
        Ok("always") => true,
        Ok("never") => false,
        _ => std::io::stderr().is_terminal(),
    }
}

/// One task's progress line: `analysing 4 120 apps… 37%`.
pub struct Progress {
    on: bool,
    what: String,
    total: usize,
    drawn: Option<Instant>,
}

impl Progress {
    /// A task of `total` steps described by `what` (`analysing 4 120 apps`).
    pub fn new(what: impl Into<String>, total: usize) -> Progress {
        let mut p = Progress { on: enabled(), what: what.into(), total, drawn: None };
        p.draw(0, true);
        p
    }

    /// As [`Self::new`], for a task that writes its answer to stdout as it goes: drawn only when
    /// stdout is not the same terminal (the answer redirected to a file), where the two would
    /// interleave.
    pub fn beside_output(what: impl Into<String>, total: usize) -> Progress {
        let forced = std::env::var("PRIVLINK_PROGRESS").as_deref() == Ok("always");
        let mut p = Progress {
            on: enabled() && (forced || !std::io::stdout().is_terminal()),
            what: what.into(),
            total,
            drawn: None,
        };
        p.draw(0, true);
        p
    }

    /// `done` of the steps are done; redrawn at most every 100 ms.
    pub fn step(&mut self, done: usize) {
        self.draw(done, false);
    }

    fn draw(&mut self, done: usize, first: bool) {
        if !self.on || (!first && self.drawn.is_some_and(|t| t.elapsed() < EVERY)) {
            return;
        }
        let line = if self.total > 1 && !first {
            format!("{}… {}%", self.what, done * 100 / self.total)
        } else {
            format!("{}…", self.what)
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = Some(Instant::now());
    }
}

impl Drop for Progress {
    /// The line is erased: what follows on the terminal is the answer alone.
    fn drop(&mut self) {
        if self.on && self.drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// `4 120`: thousands separated by a space, as the progress line shows counts.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_group_thousands() {
        assert_eq!(super::count(7), "7");
        assert_eq!(super::count(4120), "4 120");
        assert_eq!(super::count(100000), "100 000");
    }
}
