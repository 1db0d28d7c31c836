//! # APP309 redis-plaintext-port: an app connects to Azure Cache for Redis on the plain-text port, which is closed
//!
//! **What it checks.** Apps whose settings send them to a Redis cache of the estate on its
//! plain-text port (6379, the `*_PORT` setting beside the `*_HOST` that names the cache) while the
//! cache has `enableNonSslPort: false` — the default — so that the trace is refused by the cache.
//!
//! **Why it breaks.** Azure Cache for Redis listens on TLS 6380 only unless the non-TLS port is
//! enabled ([Azure Cache for Redis with Private Link](https://learn.microsoft.com/azure/azure-cache-for-redis/cache-private-link)); the path through the private endpoint is open, but nothing
//! answers on 6379: the client's connection is reset or times out (the exact client error is
//! unverified, [Azure Cache for Redis with Private Link](https://learn.microsoft.com/azure/azure-cache-for-redis/cache-private-link)). It looks like a network failure and is a client setting.
//!
//! **Example.** `app1` has `REDIS_HOST=redis1.redis.cache.windows.net` and `REDIS_PORT=6379`;
//! `redis1` has `enableNonSslPort: false` and an approved endpoint `pe-redis1`.
//!
//! **Fix.** Connect with TLS on the cache's TLS port, and turn TLS on in the client (`ssl=True`,
//! `rediss://`): `az webapp config appsettings set --resource-group RG --name APP --settings REDIS_PORT=6380`.
//! Enabling the plain-text port instead sends the cache's access key in clear text and is not
//! offered. No fix when no `*_PORT` setting holds the port (the app's code chose it).
//!
//! **Reference.** https://learn.microsoft.com/azure/azure-cache-for-redis/cache-configure#access-ports

use super::util::{app_setting_edits, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Fix, FixAvailability};
use privlink_engine::dns::dependencies::hostnames_in;
use privlink_engine::path::Step;
use privlink_engine::trace::owner_of;
use privlink_model::{BackendKind, DnsName, Model, Site};

pub(crate) const RULE: Rule = Rule {
    code: "APP309",
    name: "redis-plaintext-port",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// The port Azure Cache for Redis serves TLS on unless the document says otherwise (§5.3).
const TLS_PORT: u16 = 6380;

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for (d, path) in analysis.traced().filter(|(_, p)| p.denied_at_step(Step::Service)) {
        let Some(cache) = owner_of(model, &d.name).and_then(|b| model.resources.backends.get(&b)) else { continue };
        let plain_text = cache.redis_port.unwrap_or(6379);
        if cache.kind != BackendKind::Redis || cache.redis_non_ssl_port_enabled || path.destination.port != plain_text {
            continue;
        }
        let tls = cache.redis_ssl_port.unwrap_or(TLS_PORT);
        let message = format!(
            "{} connects to {} on {plain_text}, but {} has enableNonSslPort false and listens on TLS {tls} only: the connection is refused",
            d.site.meta.name, d.name, cache.meta.name
        );
        let finding =
            Finding::new(&RULE, d.site.meta.id.clone(), message).with_evidence(vec![analysis.trace_evidence(d)]);
        let fix = port_setting(d.site, &d.name, plain_text).map(|setting| Fix {
            az: vec![format!(
                "az webapp config appsettings set --resource-group {} --name {} --settings {setting}={tls}",
                rg(&d.site.meta.id),
                d.site.meta.name
            )],
            edits: app_setting_edits(model, d.site, &setting, Some(&tls.to_string())),
        });
        out.push(match fix {
            Some(fix) => finding.with_fix(fix),
            None => {
                let message =
                    format!("{}; no fix: no *_PORT setting holds the port — use TLS on {tls}", finding.message);
                Finding { message, ..finding }
            }
        });
    }
    out
}

/// The `*_PORT` setting beside a `*_HOST`/`*_FQDN` setting naming `host` that holds `port`: where
/// the app reads the port from (as the trace's `DependencyPorts` reads it).
fn port_setting(site: &Site, host: &DnsName, port: u16) -> Option<String> {
    site.app_settings.iter().find_map(|(k, v)| {
        let prefix = k.strip_suffix("_HOST").or_else(|| k.strip_suffix("_FQDN"))?;
        let setting = format!("{prefix}_PORT");
        let holds = site.app_setting(&setting).and_then(|p| p.trim().parse::<u16>().ok()) == Some(port);
        (holds && hostnames_in(v).contains(host)).then_some(setting)
    })
}
