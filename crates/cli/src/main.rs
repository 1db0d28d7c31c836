//! The `privlink` command line. It owns the runtime, reads files, and maps outcomes to exit
//! codes: 0 nothing at or above `--fail-on`, 1 findings, 2 usage or input error, 3 a pull that
//! could not read everything.

mod commands;
mod estate;
mod pull;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

// Loading large estates is allocation-heavy; mimalloc roughly halves load time against glibc
// malloc (see crates/load/benches/load.rs). Without the feature the system allocator is used,
// which allocation profilers such as heaptrack can see.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// privlink: a digital twin of Azure private networking for App Service apps.
///
/// From your app, what does this name resolve to, can it be reached, and if not, which record,
/// link, route or rule is why — answered offline from ARM documents, with the evidence.
#[derive(Parser, Debug)]
#[command(name = "privlink", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the diagnostic rules; exit 1 when a finding is at or above --fail-on.
    Check(commands::check::Args),
    /// What a change does: every app's dependencies and the findings, before and after; exit 1
    /// when something got worse.
    Diff(commands::diff::Args),
    /// Serve the estate's DNS views (one DNS server per VNet and app on 127.53.x.y) for dig and resolvers.
    Dns(commands::dns::Args),
    /// The environment App Service hands an app: its settings, the platform's variables, and each
    /// Key Vault reference's status; exit 1 when a reference does not resolve.
    Env(commands::env::Args),
    /// Draw the estate (or one app's paths) as mermaid, DOT, SVG or JSON, coloured by each dependency's trace verdict.
    Graph(commands::graph::Args),
    /// List the estate's resources and the relationships privlink resolved between them.
    Inventory(commands::inventory::Args),
    /// List the diagnostic rules.
    Rules(commands::check::RulesArgs),
    /// Print a rule's documentation: what it checks, why it breaks, an example, the fix.
    Rule(commands::check::RuleArgs),
    /// Read a live estate (subscriptions, resource groups) through ARM into a directory for --estate.
    Pull(pull::Args),
    /// Resolve a name as a site, a VNet or the internet sees it, with the records and settings that decide it.
    Resolve(commands::resolve::Args),
    /// Run a command as the app, in network namespaces built from the estate: its DNS, its
    /// environment, and the backends behind the routes, NSGs and firewalls the engine evaluates.
    Run(commands::run::Args),
    /// Can this app reach HOST:PORT (or everything it depends on, with --all), and if not, what stops it.
    Trace(commands::trace::Args),
    /// Run the live twin: Azure Resource Manager on 127.0.0.1 that the real az CLI and SDKs talk to.
    Up(commands::up::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(a) => commands::check::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Dns(a) => commands::dns::run(a),
        Command::Env(a) => commands::env::run(a),
        Command::Graph(a) => commands::graph::run(a),
        Command::Inventory(a) => commands::inventory::run(a),
        Command::Rules(a) => commands::check::run_rules(a),
        Command::Rule(a) => commands::check::run_rule(a),
        Command::Pull(a) => pull::run(a),
        Command::Resolve(a) => commands::resolve::run(a),
        Command::Run(a) => commands::run::run(a),
        Command::Trace(a) => commands::trace::run(a),
        Command::Up(a) => commands::up::run(a),
    };
    match result {
        Ok((out, code)) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`privlink … | head`) is not an error worth a message.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::from(code as u8)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
