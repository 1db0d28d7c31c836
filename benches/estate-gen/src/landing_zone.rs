//! The landing zone itself: its shape, the seeded generator and the spokes, apps and backends it
//! draws, which the documents, the template and the expected findings are all written from.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

pub(crate) const SUB: &str = "00000000-0000-0000-0000-00000000a001";
pub(crate) const RG: &str = "rg-landing-zone";
pub(crate) const LOC: &str = "westeurope";
pub(crate) const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
pub(crate) const APPS_PER_SPOKE: usize = 8;
/// The fraction of apps (and of spokes) given a misconfiguration.
pub(crate) const MISCONFIGURED: f64 = 0.05;
/// Documents of the hub: VNet, inbound subnet, resolver, inbound endpoint, five zones, five links.
pub(crate) const HUB_DOCS: usize = 14;
/// Documents per spoke: VNet, endpoint subnet, two peerings.
pub(crate) const SPOKE_DOCS: usize = 4;
/// Documents per app besides its backends: plan, site, subnet, NSG, route table.
pub(crate) const APP_DOCS: usize = 5;
/// Documents per backend: the resource, its private endpoint, NIC, zone group and A record.
pub(crate) const BACKEND_DOCS: usize = 5;

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Svc {
    Sql,
    Kv,
    Redis,
    Blob,
    Oai,
}

pub(crate) const SERVICES: [Svc; 5] = [Svc::Sql, Svc::Kv, Svc::Redis, Svc::Blob, Svc::Oai];

impl Svc {
    pub(crate) fn rtype(self) -> &'static str {
        match self {
            Svc::Sql => "Microsoft.Sql/servers",
            Svc::Kv => "Microsoft.KeyVault/vaults",
            Svc::Redis => "Microsoft.Cache/Redis",
            Svc::Blob => "Microsoft.Storage/storageAccounts",
            Svc::Oai => "Microsoft.CognitiveServices/accounts",
        }
    }
    pub(crate) fn group(self) -> &'static str {
        match self {
            Svc::Sql => "sqlServer",
            Svc::Kv => "vault",
            Svc::Redis => "redisCache",
            Svc::Blob => "blob",
            Svc::Oai => "account",
        }
    }
    pub(crate) fn zone(self) -> &'static str {
        match self {
            Svc::Sql => "privatelink.database.windows.net",
            Svc::Kv => "privatelink.vaultcore.azure.net",
            Svc::Redis => "privatelink.redis.cache.windows.net",
            Svc::Blob => "privatelink.blob.core.windows.net",
            Svc::Oai => "privatelink.openai.azure.com",
        }
    }
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Svc::Sql => "database.windows.net",
            Svc::Kv => "vault.azure.net",
            Svc::Redis => "redis.cache.windows.net",
            Svc::Blob => "blob.core.windows.net",
            Svc::Oai => "openai.azure.com",
        }
    }
    pub(crate) fn port(self) -> u16 {
        match self {
            Svc::Sql => 1433,
            Svc::Redis => 6380,
            _ => 443,
        }
    }
    pub(crate) fn api(self) -> &'static str {
        match self {
            Svc::Sql => "2023-08-01-preview",
            Svc::Kv => "2023-07-01",
            Svc::Redis => "2023-08-01",
            Svc::Blob => "2023-05-01",
            Svc::Oai => "2023-05-01",
        }
    }
    pub(crate) fn key(self) -> &'static str {
        match self {
            Svc::Sql => "sql",
            Svc::Kv => "kv",
            Svc::Redis => "redis",
            Svc::Blob => "st",
            Svc::Oai => "oai",
        }
    }
    pub(crate) fn name(self, app: usize) -> String {
        match self {
            Svc::Blob => format!("st{app:06}lz"),
            s => format!("{}-lz-{app:06}", s.key()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mis {
    MissingRecord,
    StaleRecord,
    Pending,
    NsgDeny,
    NoRouteAll,
}

pub(crate) const APP_MISCONFIGURATIONS: [Mis; 5] =
    [Mis::MissingRecord, Mis::StaleRecord, Mis::Pending, Mis::NsgDeny, Mis::NoRouteAll];

pub(crate) struct Backend {
    pub(crate) svc: Svc,
    pub(crate) name: String,
    pub(crate) ip: Ipv4Addr,
    pub(crate) mis: Option<Mis>,
}

pub(crate) struct App {
    pub(crate) idx: usize,
    pub(crate) spoke: usize,
    pub(crate) slot: usize,
    pub(crate) premium: bool,
    pub(crate) backends: Vec<Backend>,
    pub(crate) deny_port: Option<u16>,
    pub(crate) route_all: bool,
}

pub(crate) struct Spoke {
    pub(crate) unlinked: bool,
    pub(crate) apps: Vec<usize>,
}

pub(crate) fn id(path: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/{path}")
}
pub(crate) fn ip(base: u32, offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(base + offset)
}
/// Hub 10.0.0.0/20; spoke k is the (k+1)-th /20 of 10.0.0.0/8.
pub(crate) fn spoke_base(k: usize) -> u32 {
    u32::from(Ipv4Addr::new(10, 0, 0, 0)) + ((k as u32 + 1) << 12)
}
pub(crate) fn vnet_name(k: usize) -> String {
    format!("vnet-spoke-{k:04}")
}
pub(crate) fn site_name(a: usize) -> String {
    format!("app-lz-{a:06}")
}
pub(crate) fn zone_id(zone: &str) -> String {
    id(&format!("Microsoft.Network/privateDnsZones/{zone}"))
}
pub(crate) fn resolver_ip() -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, 4)
}

/// A generated landing zone.
pub struct LandingZone {
    pub(crate) spokes: Vec<Spoke>,
    pub(crate) apps: Vec<App>,
}

/// The estate for `resources` documents (about) and `seed`.
pub fn generate(resources: usize, seed: u64) -> LandingZone {
    let mut rng = Rng(seed ^ 0x5EED_1A7D_0000_0000);
    let mut spokes: Vec<Spoke> = Vec::new();
    let mut apps: Vec<App> = Vec::new();
    let mut count = HUB_DOCS;
    // Next endpoint address offset per spoke (x.x.0.4 onwards: five addresses are reserved).
    let mut next_pe: Vec<u32> = Vec::new();
    while count < resources || apps.is_empty() {
        if spokes.last().is_none_or(|s| s.apps.len() == APPS_PER_SPOKE) {
            spokes.push(Spoke { unlinked: false, apps: Vec::new() });
            next_pe.push(4);
            count += SPOKE_DOCS;
        }
        let k = spokes.len() - 1;
        let idx = apps.len();
        let mut svcs = SERVICES.to_vec();
        rng.shuffle(&mut svcs);
        svcs.truncate(2 + rng.below(3));
        svcs.sort_by_key(|s| SERVICES.iter().position(|x| x == s));
        let backends = svcs
            .into_iter()
            .map(|svc| {
                let off = next_pe[k];
                next_pe[k] += 1;
                Backend { svc, name: svc.name(idx), ip: ip(spoke_base(k), off), mis: None }
            })
            .collect::<Vec<_>>();
        count += APP_DOCS + BACKEND_DOCS * backends.len();
        let slot = spokes[k].apps.len();
        spokes[k].apps.push(idx);
        apps.push(App { idx, spoke: k, slot, premium: rng.below(3) == 0, backends, deny_port: None, route_all: true });
    }
    // Unlinked spokes: Azure-provided DNS in the spoke instead of the hub's resolver.
    if spokes.len() > 1 {
        let n = ((spokes.len() as f64 * MISCONFIGURED).round() as usize).max(1);
        let mut ks: Vec<usize> = (0..spokes.len()).collect();
        rng.shuffle(&mut ks);
        for &k in ks.iter().take(n) {
            spokes[k].unlinked = true;
        }
    }
    // App misconfigurations, one per app, every kind at least once, only in linked spokes.
    let mut eligible: Vec<usize> = apps.iter().filter(|a| !spokes[a.spoke].unlinked).map(|a| a.idx).collect();
    rng.shuffle(&mut eligible);
    let n = ((apps.len() as f64 * MISCONFIGURED).round() as usize).max(APP_MISCONFIGURATIONS.len());
    let mut used = BTreeSet::new();
    for i in 0..n {
        let kind = APP_MISCONFIGURATIONS[i % APP_MISCONFIGURATIONS.len()];
        let fits = |a: &App| kind != Mis::NoRouteAll || a.backends.iter().any(|b| b.svc == Svc::Kv);
        let Some(&a) = eligible.iter().find(|&&a| !used.contains(&a) && fits(&apps[a])) else { continue };
        used.insert(a);
        let app = &mut apps[a];
        match kind {
            Mis::NsgDeny => {
                let b = rng.below(app.backends.len());
                app.deny_port = Some(app.backends[b].svc.port());
            }
            Mis::NoRouteAll => app.route_all = false,
            _ => {
                let b = rng.below(app.backends.len());
                app.backends[b].mis = Some(kind);
            }
        }
    }
    LandingZone { spokes, apps }
}
