//! Runs a twin until Ctrl-C and prints how to point az at it.
//!
//! `cargo run -p privlink-twin --example twin -- STATE_DIR [PORT [IDENTITY_PORT]] [PRELOAD.json] [dns[=PORT]]`
//!
//! `dns` also starts the DNS face (port 53 when privileged, else 5300; `dns=0` picks a free port)
//! and prints which 127.53.x.y address serves which view.
//!
//! PRELOAD.json holds an array of ARM documents (or `{"value": [...]}`) that seed a new state
//! directory. `privlink up` is the real entry point; this is for trying the twin by hand.

use anyhow::Context;
use privlink_twin::{start, TwinConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let state_dir = args.next().context("usage: twin STATE_DIR [PORT [IDENTITY_PORT]] [PRELOAD.json]")?;
    let mut config = TwinConfig::new(state_dir);
    for arg in args {
        if arg == "dns" {
            config.dns = privlink_twin::DnsConfig::default();
            continue;
        }
        if let Some(port) = arg.strip_prefix("dns=") {
            config.dns = privlink_twin::DnsConfig::on_port(port.parse().context("dns=PORT")?);
            continue;
        }
        if let Ok(port) = arg.parse::<u16>() {
            if config.port == 0 {
                config.port = port;
            } else {
                config.identity_port = Some(port);
            }
            continue;
        }
        let text = std::fs::read_to_string(&arg).with_context(|| format!("reading {arg}"))?;
        let documents: Value = serde_json::from_str(&text).with_context(|| format!("{arg} is not JSON"))?;
        config.preload = match documents {
            Value::Array(items) => items,
            Value::Object(mut fields) => match fields.remove("value") {
                Some(Value::Array(items)) => items,
                _ => vec![Value::Object(fields)],
            },
            _ => anyhow::bail!("{arg}: expected an array of ARM documents"),
        };
    }
    let twin = start(config).await?;
    println!("# privlink twin: ARM at {}, identity at {}", twin.url, twin.identity_endpoint);
    print!("{}", twin.shell_setup());
    if let Some(dns) = &twin.dns {
        println!("# DNS views (dig @ADDRESS -p PORT NAME):");
        for line in dns.mapping_text().lines() {
            println!("#   {line}");
        }
    }
    let stop = twin.shutdown_handle();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.shutdown();
    });
    twin.wait().await
}
