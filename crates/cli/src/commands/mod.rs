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
