//! `privlink dns`: the DNS face alone, answering from an estate's files. One server per VNet, per
//! VNet-integrated app and for `internet`, each on its own 127.53.x.y address, answering exactly
//! what `privlink resolve` answers. Never forwards a query anywhere.

use crate::estate::EstateArgs;
use anyhow::Result;
use privlink_twin::dns_face::{start_dns, DnsConfig, ModelSource};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  privlink dns --port 5300\n  dig @127.53.241.225 -p 5300 sql-privlink-seed.database.windows.net   # addresses are printed at start\n\nEach view answers as Azure DNS would from inside that VNet (or app), and `internet` as public DNS.\nNames privlink does not model get SERVFAIL with an Extended DNS Error saying why."
)]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Port every view listens on. Default: 53 when privileged, else 5300; 0 picks a free port.
    #[arg(long)]
    pub port: Option<u16>,
}

pub fn run(args: &Args) -> Result<(String, i32)> {
    let estate = args.estate.load()?;
    let config = match args.port {
        Some(p) => DnsConfig::on_port(p),
        None => DnsConfig::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let dns = start_dns(ModelSource::Model(Box::new(estate.model)), &config).await?;
        print!("privlink DNS for {} on port {}:\n{}Stop with Ctrl-C.\n", estate.label, dns.port, dns.mapping_text());
        use std::io::Write;
        std::io::stdout().flush()?;
        let stop = dns.shutdown_handle();
        tokio::spawn(async move {
            super::interrupted().await;
            stop.shutdown();
        });
        dns.wait().await
    })?;
    Ok((String::new(), 0))
}
