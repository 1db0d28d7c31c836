//! `estate-gen`: a hub-and-spoke landing zone of App Service apps with private endpoints, as ARM
//! documents (`estate.json`, GET shapes) and as an equivalent ARM deployment template
//! (`template.json`, copy loops), with a seeded fraction of known misconfigurations whose findings
//! are written to `expected-findings.json`.
//!
//! ```text
//! estate-gen --resources N --seed S --out DIR
//! ```
//!
//! Shape: a hub VNet holding a DNS private resolver (inbound endpoint) and the `privatelink.*`
//! zones, linked to the hub only; spokes of eight apps peered with the hub whose
//! `dhcpOptions.dnsServers` is the resolver's inbound address, so that they resolve through the
//! hub's links (azure-semantics §1.4). Per app: a Linux plan (S1 or P1v3), a site integrated into
//! its own delegated /27 with route-all, an NSG allowing the backends' ports and a route table on
//! that subnet, and 2–4 backends (SQL, Key Vault, Redis, blob storage, Azure OpenAI) with public
//! access disabled, each with a private endpoint in the spoke's endpoint subnet, its NIC, a zone
//! group on the hub zone and the A record the zone group writes.
//!
//! Deterministic: the only randomness is a splitmix64 generator seeded with `--seed`.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;

const SUB: &str = "00000000-0000-0000-0000-00000000a001";
const RG: &str = "rg-landing-zone";
const LOC: &str = "westeurope";
const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
const APPS_PER_SPOKE: usize = 8;
/// The fraction of apps (and of spokes) given a misconfiguration.
const MISCONFIGURED: f64 = 0.05;
/// Documents of the hub: VNet, inbound subnet, resolver, inbound endpoint, five zones, five links.
const HUB_DOCS: usize = 14;
/// Documents per spoke: VNet, endpoint subnet, two peerings.
const SPOKE_DOCS: usize = 4;
/// Documents per app besides its backends: plan, site, subnet, NSG, route table.
const APP_DOCS: usize = 5;
/// Documents per backend: the resource, its private endpoint, NIC, zone group and A record.
const BACKEND_DOCS: usize = 5;

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
enum Svc {
    Sql,
    Kv,
    Redis,
    Blob,
    Oai,
}

const SERVICES: [Svc; 5] = [Svc::Sql, Svc::Kv, Svc::Redis, Svc::Blob, Svc::Oai];

impl Svc {
    fn rtype(self) -> &'static str {
        match self {
            Svc::Sql => "Microsoft.Sql/servers",
            Svc::Kv => "Microsoft.KeyVault/vaults",
            Svc::Redis => "Microsoft.Cache/Redis",
            Svc::Blob => "Microsoft.Storage/storageAccounts",
            Svc::Oai => "Microsoft.CognitiveServices/accounts",
        }
    }
    fn group(self) -> &'static str {
        match self {
            Svc::Sql => "sqlServer",
            Svc::Kv => "vault",
            Svc::Redis => "redisCache",
            Svc::Blob => "blob",
            Svc::Oai => "account",
        }
    }
    fn zone(self) -> &'static str {
        match self {
            Svc::Sql => "privatelink.database.windows.net",
            Svc::Kv => "privatelink.vaultcore.azure.net",
            Svc::Redis => "privatelink.redis.cache.windows.net",
            Svc::Blob => "privatelink.blob.core.windows.net",
            Svc::Oai => "privatelink.openai.azure.com",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Svc::Sql => "database.windows.net",
            Svc::Kv => "vault.azure.net",
            Svc::Redis => "redis.cache.windows.net",
            Svc::Blob => "blob.core.windows.net",
            Svc::Oai => "openai.azure.com",
        }
    }
    fn port(self) -> u16 {
        match self {
            Svc::Sql => 1433,
            Svc::Redis => 6380,
            _ => 443,
        }
    }
    fn api(self) -> &'static str {
        match self {
            Svc::Sql => "2023-08-01-preview",
            Svc::Kv => "2023-07-01",
            Svc::Redis => "2023-08-01",
            Svc::Blob => "2023-05-01",
            Svc::Oai => "2023-05-01",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Svc::Sql => "sql",
            Svc::Kv => "kv",
            Svc::Redis => "redis",
            Svc::Blob => "st",
            Svc::Oai => "oai",
        }
    }
    fn name(self, app: usize) -> String {
        match self {
            Svc::Blob => format!("st{app:06}lz"),
            s => format!("{}-lz-{app:06}", s.key()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mis {
    MissingRecord,
    StaleRecord,
    Pending,
    NsgDeny,
    NoRouteAll,
}

const APP_MISCONFIGURATIONS: [Mis; 5] =
    [Mis::MissingRecord, Mis::StaleRecord, Mis::Pending, Mis::NsgDeny, Mis::NoRouteAll];

struct Backend {
    svc: Svc,
    name: String,
    ip: Ipv4Addr,
    mis: Option<Mis>,
}

struct App {
    idx: usize,
    spoke: usize,
    slot: usize,
    premium: bool,
    backends: Vec<Backend>,
    deny_port: Option<u16>,
    route_all: bool,
}

struct Spoke {
    unlinked: bool,
    apps: Vec<usize>,
}

fn id(path: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/{path}")
}
fn ip(base: u32, offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(base + offset)
}
/// Hub 10.0.0.0/20; spoke k is the (k+1)-th /20 of 10.0.0.0/8.
fn spoke_base(k: usize) -> u32 {
    u32::from(Ipv4Addr::new(10, 0, 0, 0)) + ((k as u32 + 1) << 12)
}
fn vnet_name(k: usize) -> String {
    format!("vnet-spoke-{k:04}")
}
fn site_name(a: usize) -> String {
    format!("app-lz-{a:06}")
}
fn zone_id(zone: &str) -> String {
    id(&format!("Microsoft.Network/privateDnsZones/{zone}"))
}
fn resolver_ip() -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, 4)
}

/// A generated landing zone.
pub struct Estate {
    spokes: Vec<Spoke>,
    apps: Vec<App>,
}

/// The estate for `resources` documents (about) and `seed`.
pub fn generate(resources: usize, seed: u64) -> Estate {
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
    Estate { spokes, apps }
}

// ---------------------------------------------------------------------------------------------
// Facts shared by the documents and the template.

fn backend_id(b: &Backend) -> String {
    id(&format!("{}/{}", b.svc.rtype(), b.name))
}
fn pe_name(b: &Backend) -> String {
    format!("pe-{}", b.name)
}
fn fqdn(b: &Backend) -> String {
    format!("{}.{}", b.name, b.svc.suffix())
}
/// Whether the endpoint's record is written by a zone group. Drifted records (missing, stale) are
/// managed by hand: a zone group would rewrite them at every deployment.
fn has_zone_group(b: &Backend) -> bool {
    !matches!(b.mis, Some(Mis::MissingRecord) | Some(Mis::StaleRecord))
}

fn record_ip(b: &Backend, spoke: usize) -> Ipv4Addr {
    if b.mis == Some(Mis::StaleRecord) {
        // An address in the endpoint subnet that no NIC holds: left over from a deleted endpoint.
        ip(spoke_base(spoke), 250)
    } else {
        b.ip
    }
}
fn integration_prefix(a: &App) -> String {
    format!("{}/27", ip(spoke_base(a.spoke), 256 + 32 * a.slot as u32))
}
fn settings(a: &App) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in &a.backends {
        let f = fqdn(b);
        match b.svc {
            Svc::Sql => out.push((
                "SQL_CONNECTION".into(),
                format!("Server=tcp:{f},1433;Database=app;Authentication=Active Directory Default"),
            )),
            Svc::Kv => out
                .push(("APP_SECRET".into(), format!("@Microsoft.KeyVault(SecretUri=https://{f}/secrets/app-secret)"))),
            Svc::Redis => {
                out.push(("REDIS_HOST".into(), f));
                out.push(("REDIS_PORT".into(), "6380".into()));
            }
            Svc::Blob => out.push(("STORAGE_URL".into(), format!("https://{f}/"))),
            Svc::Oai => out.push(("OPENAI_ENDPOINT".into(), format!("https://{f}/"))),
        }
    }
    out.push(("SCM_DO_BUILD_DURING_DEPLOYMENT".into(), "true".into()));
    out
}
fn nsg_rules(a: &App) -> Vec<Value> {
    let rule = |name: &str, prio: u32, access: &str, port: &str, dest: &str| {
        json!({"name": name, "properties": {
            "protocol": if port == "*" { "*" } else { "Tcp" }, "sourcePortRange": "*", "destinationPortRange": port,
            "sourceAddressPrefix": "*", "destinationAddressPrefix": dest, "access": access,
            "priority": prio, "direction": "Outbound"}})
    };
    let mut rules = Vec::new();
    if let Some(p) = a.deny_port {
        rules.push(rule(&format!("deny-{p}-outbound"), 150, "Deny", &p.to_string(), "VirtualNetwork"));
    }
    rules.push(rule("allow-sql-outbound", 200, "Allow", "1433", "VirtualNetwork"));
    rules.push(rule("allow-redis-outbound", 210, "Allow", "6380", "VirtualNetwork"));
    rules.push(rule("allow-https-vnet-outbound", 220, "Allow", "443", "VirtualNetwork"));
    rules.push(rule("allow-aad-outbound", 230, "Allow", "443", "AzureActiveDirectory"));
    rules.push(rule("deny-internet-outbound", 4000, "Deny", "*", "Internet"));
    rules
}
fn pe_connection(b: &Backend, with_state: bool) -> Value {
    let mut c = json!({"name": format!("{}-conn", pe_name(b)), "properties": {
        "privateLinkServiceId": backend_id(b), "groupIds": [b.svc.group()]}});
    if with_state {
        c["properties"]["privateLinkServiceConnectionState"] = if b.mis == Some(Mis::Pending) {
            json!({"status": "Pending", "description": "Please approve", "actionsRequired": "None"})
        } else {
            json!({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
        };
    }
    c
}
fn zone_config_name(zone: &str) -> String {
    zone.replace('.', "-")
}

// ---------------------------------------------------------------------------------------------
// estate.json: the documents as Azure's GET APIs return them (the fields privlink reads, ids of
// inline children, connection states and the NICs and records Azure creates).

fn doc(ty: &str, path: &str, name: &str, location: Option<&str>, properties: Value) -> Value {
    let mut d = json!({"id": id(path), "name": name, "type": ty});
    if let Some(l) = location {
        d["location"] = json!(l);
    }
    d["properties"] = properties;
    d
}

/// The estate as ARM documents (GET shapes).
pub fn documents(e: &Estate) -> Vec<Value> {
    let mut out = Vec::new();
    let hub = id("Microsoft.Network/virtualNetworks/vnet-hub");
    let inbound_subnet = format!("{hub}/subnets/snet-dns-inbound");
    out.push(doc(
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/virtualNetworks/vnet-hub",
        "vnet-hub",
        Some(LOC),
        json!({"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": ["10.0.0.0/20"]}}),
    ));
    out.push(doc(
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-dns-inbound",
        "snet-dns-inbound",
        None,
        json!({"addressPrefix": "10.0.0.0/28", "delegations": [{"name": "dns-resolver", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}],
               "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
    ));
    out.push(doc(
        "Microsoft.Network/dnsResolvers",
        "Microsoft.Network/dnsResolvers/dnspr-hub",
        "dnspr-hub",
        Some(LOC),
        json!({"virtualNetwork": {"id": hub}, "provisioningState": "Succeeded"}),
    ));
    out.push(doc(
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "Microsoft.Network/dnsResolvers/dnspr-hub/inboundEndpoints/in-hub",
        "in-hub",
        Some(LOC),
        json!({"ipConfigurations": [{"privateIpAddress": resolver_ip().to_string(), "privateIpAllocationMethod": "Static", "subnet": {"id": inbound_subnet}}]}),
    ));
    for svc in SERVICES {
        let z = svc.zone();
        out.push(doc(
            "Microsoft.Network/privateDnsZones",
            &format!("Microsoft.Network/privateDnsZones/{z}"),
            z,
            Some("global"),
            json!({"provisioningState": "Succeeded"}),
        ));
        out.push(doc(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            &format!("Microsoft.Network/privateDnsZones/{z}/virtualNetworkLinks/link-vnet-hub"),
            "link-vnet-hub",
            Some("global"),
            json!({"virtualNetwork": {"id": hub}, "registrationEnabled": false, "resolutionPolicy": "Default", "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}),
        ));
    }
    for (k, spoke) in e.spokes.iter().enumerate() {
        let v = vnet_name(k);
        let prefix = format!("{}/20", ip(spoke_base(k), 0));
        let dns: Vec<String> = if spoke.unlinked { vec![] } else { vec![resolver_ip().to_string()] };
        out.push(doc(
            "Microsoft.Network/virtualNetworks",
            &format!("Microsoft.Network/virtualNetworks/{v}"),
            &v,
            Some(LOC),
            json!({"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": [prefix]}, "dhcpOptions": {"dnsServers": dns}}),
        ));
        out.push(doc(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("Microsoft.Network/virtualNetworks/{v}/subnets/snet-private-endpoints"),
            "snet-private-endpoints",
            None,
            json!({"addressPrefix": format!("{}/24", ip(spoke_base(k), 0)), "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
        ));
        let peering = |from: &str, to: &str, to_prefix: &str| {
            doc(
                "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                &format!("Microsoft.Network/virtualNetworks/{from}/virtualNetworkPeerings/peer-{from}-to-{to}"),
                &format!("peer-{from}-to-{to}"),
                None,
                json!({"remoteVirtualNetwork": {"id": id(&format!("Microsoft.Network/virtualNetworks/{to}"))},
                       "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": false,
                       "useRemoteGateways": false, "peeringState": "Connected", "peeringSyncLevel": "FullyInSync",
                       "remoteAddressSpace": {"addressPrefixes": [to_prefix]}}),
            )
        };
        out.push(peering(&v, "vnet-hub", "10.0.0.0/20"));
        out.push(peering("vnet-hub", &v, &prefix));
    }
    for a in &e.apps {
        let v = vnet_name(a.spoke);
        let s = site_name(a.idx);
        let plan = format!("plan-lz-{:06}", a.idx);
        let snet = format!("snet-{s}");
        let nsg = format!("nsg-{s}");
        let rt = format!("rt-{s}");
        let (sku, tier) = if a.premium { ("P1v3", "PremiumV3") } else { ("S1", "Standard") };
        let mut p = doc(
            "Microsoft.Web/serverfarms",
            &format!("Microsoft.Web/serverfarms/{plan}"),
            &plan,
            Some(LOC),
            json!({"reserved": true, "provisioningState": "Succeeded"}),
        );
        p["kind"] = json!("linux");
        p["sku"] = json!({"name": sku, "tier": tier, "size": sku, "capacity": 1});
        out.push(p);
        let app_settings: Vec<Value> = settings(a).into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        let mut site = doc(
            "Microsoft.Web/sites",
            &format!("Microsoft.Web/sites/{s}"),
            &s,
            Some(LOC),
            json!({"serverFarmId": id(&format!("Microsoft.Web/serverfarms/{plan}")), "reserved": true, "httpsOnly": true,
                   "publicNetworkAccess": "Enabled", "defaultHostName": format!("{s}.azurewebsites.net"),
                   "virtualNetworkSubnetId": id(&format!("Microsoft.Network/virtualNetworks/{v}/subnets/{snet}")),
                   "vnetRouteAllEnabled": a.route_all, "outboundVnetRouting": {"applicationTraffic": a.route_all},
                   "keyVaultReferenceIdentity": "SystemAssigned",
                   "siteConfig": {"linuxFxVersion": "PYTHON|3.12", "appSettings": app_settings}}),
        );
        site["kind"] = json!("app,linux");
        site["identity"] = json!({"type": "SystemAssigned"});
        out.push(site);
        out.push(doc(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("Microsoft.Network/virtualNetworks/{v}/subnets/{snet}"),
            &snet,
            None,
            json!({"addressPrefix": integration_prefix(a),
                   "networkSecurityGroup": {"id": id(&format!("Microsoft.Network/networkSecurityGroups/{nsg}"))},
                   "routeTable": {"id": id(&format!("Microsoft.Network/routeTables/{rt}"))},
                   "delegations": [{"name": "delegation", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}],
                   "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}),
        ));
        let nsg_path = format!("Microsoft.Network/networkSecurityGroups/{nsg}");
        let rules: Vec<Value> = nsg_rules(a)
            .into_iter()
            .map(|mut r| {
                let n = r["name"].as_str().unwrap().to_string();
                r["id"] = json!(id(&format!("{nsg_path}/securityRules/{n}")));
                r["type"] = json!("Microsoft.Network/networkSecurityGroups/securityRules");
                r
            })
            .collect();
        out.push(doc(
            "Microsoft.Network/networkSecurityGroups",
            &nsg_path,
            &nsg,
            Some(LOC),
            json!({"securityRules": rules}),
        ));
        out.push(doc(
            "Microsoft.Network/routeTables",
            &format!("Microsoft.Network/routeTables/{rt}"),
            &rt,
            Some(LOC),
            json!({"disableBgpRoutePropagation": false, "routes": [{"name": "to-onprem",
                   "id": id(&format!("Microsoft.Network/routeTables/{rt}/routes/to-onprem")),
                   "properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway"}}]}),
        ));
        let pe_subnet = id(&format!("Microsoft.Network/virtualNetworks/{v}/subnets/snet-private-endpoints"));
        for b in &a.backends {
            let pe = pe_name(b);
            let pe_id = id(&format!("Microsoft.Network/privateEndpoints/{pe}"));
            let nic = format!("{pe}-nic");
            let nic_id = id(&format!("Microsoft.Network/networkInterfaces/{nic}"));
            let status = if b.mis == Some(Mis::Pending) { "Pending" } else { "Approved" };
            let pec = json!([{"id": format!("{}/privateEndpointConnections/{pe}-conn", backend_id(b)), "name": format!("{pe}-conn"),
                "properties": {"privateEndpoint": {"id": pe_id}, "groupIds": [b.svc.group()],
                    "privateLinkServiceConnectionState": {"status": status, "description": "", "actionsRequired": "None"}}}]);
            out.push(backend_doc(b, Some(pec)));
            let (auto, manual) = if b.mis == Some(Mis::Pending) {
                (json!([]), json!([pe_connection(b, true)]))
            } else {
                (json!([pe_connection(b, true)]), json!([]))
            };
            out.push(doc(
                "Microsoft.Network/privateEndpoints",
                &format!("Microsoft.Network/privateEndpoints/{pe}"),
                &pe,
                Some(LOC),
                json!({"provisioningState": "Succeeded", "subnet": {"id": pe_subnet}, "privateLinkServiceConnections": auto,
                       "manualPrivateLinkServiceConnections": manual, "customNetworkInterfaceName": nic,
                       "networkInterfaces": [{"id": nic_id}], "ipConfigurations": []}),
            ));
            out.push(nic_doc(b, &nic, &pe_id, &pe_subnet));
            if has_zone_group(b) {
                out.push(doc(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                &format!("Microsoft.Network/privateEndpoints/{pe}/privateDnsZoneGroups/default"),
                "default",
                None,
                json!({"provisioningState": "Succeeded", "privateDnsZoneConfigs": [{"name": zone_config_name(b.svc.zone()),
                    "properties": {"privateDnsZoneId": zone_id(b.svc.zone()), "recordSets": [{"recordType": "A",
                        "recordSetName": b.name, "fqdn": format!("{}.{}", b.name, b.svc.zone()), "ttl": 10,
                        "ipAddresses": [b.ip.to_string()]}]}}]}),
            ));
            }
            if b.mis != Some(Mis::MissingRecord) {
                out.push(doc(
                    "Microsoft.Network/privateDnsZones/A",
                    &format!("Microsoft.Network/privateDnsZones/{}/A/{}", b.svc.zone(), b.name),
                    &b.name,
                    None,
                    json!({"ttl": 10, "fqdn": format!("{}.{}.", b.name, b.svc.zone()), "isAutoRegistered": false,
                           "aRecords": [{"ipv4Address": record_ip(b, a.spoke).to_string()}]}),
                ));
            }
        }
    }
    out
}

/// A backend's document; `pec` are its `privateEndpointConnections` (Azure writes them; a template
/// does not).
fn backend_doc(b: &Backend, pec: Option<Value>) -> Value {
    let n = &b.name;
    let f = fqdn(b);
    let mut props = match b.svc {
        Svc::Sql => {
            json!({"version": "12.0", "fullyQualifiedDomainName": f, "publicNetworkAccess": "Disabled", "minimalTlsVersion": "1.2"})
        }
        Svc::Kv => {
            json!({"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": true,
            "vaultUri": format!("https://{f}/"), "publicNetworkAccess": "Disabled",
            "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []}})
        }
        Svc::Redis => json!({"sku": {"name": "Standard", "family": "C", "capacity": 1}, "enableNonSslPort": false,
            "minimumTlsVersion": "1.2", "publicNetworkAccess": "Disabled", "hostName": f, "port": 6379, "sslPort": 6380}),
        Svc::Blob => {
            json!({"publicNetworkAccess": "Disabled", "allowBlobPublicAccess": false, "minimumTlsVersion": "TLS1_2",
            "supportsHttpsTrafficOnly": true, "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
            "primaryEndpoints": {"blob": format!("https://{f}/")}})
        }
        Svc::Oai => {
            json!({"customSubDomainName": n, "endpoint": format!("https://{f}/"), "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []}})
        }
    };
    if let Some(pec) = pec {
        props["privateEndpointConnections"] = pec;
    }
    let mut d = doc(b.svc.rtype(), &format!("{}/{n}", b.svc.rtype()), n, Some(LOC), props);
    match b.svc {
        Svc::Sql => d["kind"] = json!("v12.0"),
        Svc::Blob => {
            d["kind"] = json!("StorageV2");
            d["sku"] = json!({"name": "Standard_LRS", "tier": "Standard"});
        }
        Svc::Oai => {
            d["kind"] = json!("OpenAI");
            d["sku"] = json!({"name": "S0"});
        }
        _ => {}
    }
    d
}

fn nic_doc(b: &Backend, nic: &str, pe_id: &str, pe_subnet: &str) -> Value {
    let member = if b.svc == Svc::Sql || b.svc == Svc::Redis { b.svc.group() } else { "default" };
    doc(
        "Microsoft.Network/networkInterfaces",
        &format!("Microsoft.Network/networkInterfaces/{nic}"),
        nic,
        Some(LOC),
        json!({"ipConfigurations": [{"name": "privateEndpointIpConfig", "properties": {"privateIPAddress": b.ip.to_string(),
            "privateIPAllocationMethod": "Dynamic", "subnet": {"id": pe_subnet}, "primary": true,
            "privateLinkConnectionProperties": {"groupId": b.svc.group(), "requiredMemberName": member, "fqdns": [fqdn(b)]}}}],
            "privateEndpoint": {"id": pe_id}}),
    )
}

// ---------------------------------------------------------------------------------------------
// template.json: the same estate as a deployment template with copy loops over variables.

fn copy_resource(name: &str, ty: &str, api: &str, item_name: &str, mut body: Value) -> Value {
    let mut r = json!({
        "type": ty,
        "apiVersion": api,
        "name": item_name,
        "copy": {"name": name, "count": format!("[length(variables('{name}'))]")},
    });
    for (k, v) in body.as_object_mut().unwrap().iter_mut() {
        r[k] = v.take();
    }
    r
}

/// `[variables('K')[copyIndex()].field]`
fn it(var: &str, field: &str) -> String {
    format!("[variables('{var}')[copyIndex()].{field}]")
}

/// Azure Resource Manager's limit on the iterations of one copy loop.
pub const ARM_COPY_LIMIT: usize = 800;

/// The estate as a deployment template with copy loops, none longer than ARM allows.
pub fn template(e: &Estate) -> Value {
    template_with_copy_limit(e, ARM_COPY_LIMIT)
}

/// As [`template`], with every copy loop over a longer variable array split into loops of at most
/// `limit` iterations: loop `k` counts its share and reads `copyIndex(k * limit)`.
pub fn template_with_copy_limit(e: &Estate, limit: usize) -> Value {
    let mut t = unchunked_template(e);
    let lengths: BTreeMap<String, usize> = t["variables"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_array()?.len())))
        .collect();
    let resources = std::mem::take(t["resources"].as_array_mut().unwrap());
    let mut out = Vec::new();
    for r in resources {
        let Some(count) = r.pointer("/copy/count").and_then(Value::as_str) else {
            out.push(r);
            continue;
        };
        let var = count.trim_start_matches("[length(variables('").trim_end_matches("'))]");
        let len = lengths.get(var).copied().unwrap_or(0);
        if len <= limit {
            out.push(r);
            continue;
        }
        let text = serde_json::to_string(&r).unwrap();
        let loop_name = r["copy"]["name"].as_str().unwrap().to_string();
        for (k, offset) in (0..len).step_by(limit).enumerate() {
            let mut chunk: Value =
                serde_json::from_str(&text.replace("copyIndex()", &format!("copyIndex({offset})"))).unwrap();
            chunk["copy"] = json!({"name": format!("{loop_name}{k}"), "count": (len - offset).min(limit)});
            out.push(chunk);
        }
    }
    t["resources"] = Value::Array(out);
    t
}

fn unchunked_template(e: &Estate) -> Value {
    let mut vars = serde_json::Map::new();
    let mut resources: Vec<Value> = Vec::new();
    let zones: Vec<&str> = SERVICES.iter().map(|s| s.zone()).collect();
    vars.insert("zones".into(), json!(zones));
    vars.insert("resolverIp".into(), json!(resolver_ip().to_string()));
    resources.push(json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet-hub", "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/20"]}}}));
    resources.push(json!({"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-09-01", "name": "vnet-hub/snet-dns-inbound",
        "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"],
        "properties": {"addressPrefix": "10.0.0.0/28", "delegations": [{"name": "dns-resolver", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}],
            "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}));
    resources.push(json!({"type": "Microsoft.Network/dnsResolvers", "apiVersion": "2022-07-01", "name": "dnspr-hub", "location": LOC,
        "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"}}}));
    resources.push(json!({"type": "Microsoft.Network/dnsResolvers/inboundEndpoints", "apiVersion": "2022-07-01", "name": "dnspr-hub/in-hub", "location": LOC,
        "dependsOn": ["[resourceId('Microsoft.Network/dnsResolvers', 'dnspr-hub')]"],
        "properties": {"ipConfigurations": [{"privateIpAddress": "[variables('resolverIp')]", "privateIpAllocationMethod": "Static",
            "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-hub', 'snet-dns-inbound')]"}}]}}));
    resources.push(copy_resource(
        "zones",
        "Microsoft.Network/privateDnsZones",
        "2020-06-01",
        "[variables('zones')[copyIndex()]]",
        json!({"location": "global", "properties": {}}),
    ));
    resources.push(copy_resource("zones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "2020-06-01",
        "[concat(variables('zones')[copyIndex()], '/link-vnet-hub')]",
        json!({"location": "global", "dependsOn": ["[resourceId('Microsoft.Network/privateDnsZones', variables('zones')[copyIndex()])]"],
            "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"}, "registrationEnabled": false, "resolutionPolicy": "Default"}})));
    // The copy name must be unique per resource: links reuse the zones array through its own copy name.
    resources.last_mut().unwrap()["copy"] = json!({"name": "zoneLinks", "count": "[length(variables('zones'))]"});

    let spokes: Vec<Value> = e
        .spokes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            json!({"name": vnet_name(k), "prefix": format!("{}/20", ip(spoke_base(k), 0)), "pePrefix": format!("{}/24", ip(spoke_base(k), 0)),
                "dnsServers": if s.unlinked { json!([]) } else { json!([resolver_ip().to_string()]) }})
        })
        .collect();
    vars.insert("spokes".into(), json!(spokes));
    resources.push(copy_resource("spokes", "Microsoft.Network/virtualNetworks", "2023-09-01", &it("spokes", "name"),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": [it("spokes", "prefix")]}, "dhcpOptions": {"dnsServers": it("spokes", "dnsServers")}}})));
    let mut r = copy_resource(
        "spokes",
        "Microsoft.Network/virtualNetworks/subnets",
        "2023-09-01",
        &format!("[concat({}, '/snet-private-endpoints')]", &it("spokes", "name")[1..it("spokes", "name").len() - 1]),
        json!({"dependsOn": [format!("[resourceId('Microsoft.Network/virtualNetworks', variables('spokes')[copyIndex()].name)]")],
            "properties": {"addressPrefix": it("spokes", "pePrefix"), "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}),
    );
    r["copy"]["name"] = json!("spokePeSubnets");
    resources.push(r);
    let peering_props = |remote: &str, prefix: &str| {
        json!({"remoteVirtualNetwork": {"id": format!("[resourceId('Microsoft.Network/virtualNetworks', {remote})]")},
            "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": false, "useRemoteGateways": false,
            "remoteAddressSpace": {"addressPrefixes": [prefix]}})
    };
    let mut r = copy_resource("spokes", "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "2023-09-01",
        "[concat(variables('spokes')[copyIndex()].name, '/peer-', variables('spokes')[copyIndex()].name, '-to-vnet-hub')]",
        json!({"properties": peering_props("'vnet-hub'", "10.0.0.0/20")}));
    r["copy"]["name"] = json!("spokeToHub");
    resources.push(r);
    let mut r = copy_resource(
        "spokes",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "2023-09-01",
        "[concat('vnet-hub/peer-vnet-hub-to-', variables('spokes')[copyIndex()].name)]",
        json!({"properties": peering_props("variables('spokes')[copyIndex()].name", &it("spokes", "prefix"))}),
    );
    r["copy"]["name"] = json!("hubToSpoke");
    resources.push(r);

    // Apps: plan, site, integration subnet, NSG, route table.
    let apps: Vec<Value> = e
        .apps
        .iter()
        .map(|a| {
            let s = site_name(a.idx);
            let (sku, tier) = if a.premium { ("P1v3", "PremiumV3") } else { ("S1", "Standard") };
            json!({"site": s, "plan": format!("plan-lz-{:06}", a.idx), "sku": sku, "tier": tier, "vnet": vnet_name(a.spoke),
                "subnet": format!("snet-{s}"), "prefix": integration_prefix(a), "nsg": format!("nsg-{s}"), "rt": format!("rt-{s}"),
                "routeAll": a.route_all, "nsgRules": nsg_rules(a),
                "appSettings": settings(a).into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>()})
        })
        .collect();
    vars.insert("apps".into(), json!(apps));
    let app = |f: &str| it("apps", f);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Web/serverfarms",
        "2023-12-01",
        &app("plan"),
        json!({"location": LOC, "kind": "linux", "sku": {"name": app("sku"), "tier": app("tier"), "size": app("sku"), "capacity": 1}, "properties": {"reserved": true}}),
    );
    r["copy"]["name"] = json!("plans");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/networkSecurityGroups",
        "2023-09-01",
        &app("nsg"),
        json!({"location": LOC, "properties": {"securityRules": app("nsgRules")}}),
    );
    r["copy"]["name"] = json!("nsgs");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/routeTables",
        "2023-09-01",
        &app("rt"),
        json!({"location": LOC, "properties": {"disableBgpRoutePropagation": false,
            "routes": [{"name": "to-onprem", "properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway"}}]}}),
    );
    r["copy"]["name"] = json!("routeTables");
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Network/virtualNetworks/subnets",
        "2023-09-01",
        "[concat(variables('apps')[copyIndex()].vnet, '/', variables('apps')[copyIndex()].subnet)]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/networkSecurityGroups', variables('apps')[copyIndex()].nsg)]",
                "[resourceId('Microsoft.Network/routeTables', variables('apps')[copyIndex()].rt)]"],
            "properties": {"addressPrefix": app("prefix"),
                "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', variables('apps')[copyIndex()].nsg)]"},
                "routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', variables('apps')[copyIndex()].rt)]"},
                "delegations": [{"name": "delegation", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}],
                "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}}),
    );
    r["copy"] =
        json!({"name": "integrationSubnets", "count": "[length(variables('apps'))]", "mode": "serial", "batchSize": 1});
    resources.push(r);
    let mut r = copy_resource(
        "apps",
        "Microsoft.Web/sites",
        "2023-12-01",
        &app("site"),
        json!({"location": LOC, "kind": "app,linux", "identity": {"type": "SystemAssigned"},
            "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', variables('apps')[copyIndex()].plan)]"],
            "properties": {"serverFarmId": "[resourceId('Microsoft.Web/serverfarms', variables('apps')[copyIndex()].plan)]",
                "reserved": true, "httpsOnly": true, "publicNetworkAccess": "Enabled",
                "virtualNetworkSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('apps')[copyIndex()].vnet, variables('apps')[copyIndex()].subnet)]",
                "vnetRouteAllEnabled": app("routeAll"), "outboundVnetRouting": {"applicationTraffic": app("routeAll")},
                "keyVaultReferenceIdentity": "SystemAssigned",
                "siteConfig": {"linuxFxVersion": "PYTHON|3.12", "appSettings": app("appSettings")}}}),
    );
    r["copy"]["name"] = json!("sites");
    resources.push(r);

    // Backends, one copy loop per service; endpoints, NICs, zone groups and records.
    let all: Vec<(&App, &Backend)> = e.apps.iter().flat_map(|a| a.backends.iter().map(move |b| (a, b))).collect();
    for svc in SERVICES {
        let key = format!("backends_{}", svc.key());
        let items: Vec<Value> =
            all.iter().filter(|(_, b)| b.svc == svc).map(|(_, b)| json!({"name": b.name})).collect();
        if items.is_empty() {
            continue;
        }
        vars.insert(key.clone(), json!(items));
        let probe = Backend { svc, name: "NAME".into(), ip: Ipv4Addr::UNSPECIFIED, mis: None };
        let d = backend_doc(&probe, None);
        // The document with its name made an expression.
        let text = serde_json::to_string(&d["properties"])
            .unwrap()
            .replace("NAME", "', variables('KEY')[copyIndex()].name, '");
        let props: Value = serde_json::from_str(&text).unwrap();
        let props = exprify(props, &key);
        let mut body = json!({"location": LOC, "properties": props});
        for extra in ["kind", "sku"] {
            if let Some(v) = d.get(extra) {
                body[extra] = v.clone();
            }
        }
        resources.push(copy_resource(&key, svc.rtype(), svc.api(), &it(&key, "name"), body));
    }
    let pes: Vec<Value> = all
        .iter()
        .map(|(a, b)| {
            let conn = pe_connection(b, false);
            let (auto, manual) =
                if b.mis == Some(Mis::Pending) { (json!([]), json!([conn])) } else { (json!([conn]), json!([])) };
            json!({"name": pe_name(b), "vnet": vnet_name(a.spoke), "auto": auto, "manual": manual, "ip": b.ip.to_string(),
                "group": b.svc.group(), "member": if b.svc == Svc::Sql || b.svc == Svc::Redis { b.svc.group() } else { "default" },
                "fqdn": fqdn(b), "zone": b.svc.zone(), "zoneConfig": zone_config_name(b.svc.zone())})
        })
        .collect();
    vars.insert("endpoints".into(), json!(pes));
    let pe = |f: &str| it("endpoints", f);
    let pe_subnet = "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('endpoints')[copyIndex()].vnet, 'snet-private-endpoints')]";
    resources.push(copy_resource("endpoints", "Microsoft.Network/privateEndpoints", "2023-09-01", &pe("name"),
        json!({"location": LOC, "properties": {"subnet": {"id": pe_subnet}, "privateLinkServiceConnections": pe("auto"),
            "manualPrivateLinkServiceConnections": pe("manual"), "customNetworkInterfaceName": "[concat(variables('endpoints')[copyIndex()].name, '-nic')]"}})));
    // What Azure creates at deployment: the endpoint's NIC. privlink's template evaluator does not
    // model deploy-time behaviour yet, so the template states it.
    let mut r = copy_resource(
        "endpoints",
        "Microsoft.Network/networkInterfaces",
        "2023-09-01",
        "[concat(variables('endpoints')[copyIndex()].name, '-nic')]",
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "privateEndpointIpConfig", "properties": {"privateIPAddress": pe("ip"),
            "privateIPAllocationMethod": "Dynamic", "subnet": {"id": pe_subnet}, "primary": true,
            "privateLinkConnectionProperties": {"groupId": pe("group"), "requiredMemberName": pe("member"), "fqdns": [pe("fqdn")]}}}],
            "privateEndpoint": {"id": "[resourceId('Microsoft.Network/privateEndpoints', variables('endpoints')[copyIndex()].name)]"}}}),
    );
    r["copy"]["name"] = json!("endpointNics");
    resources.push(r);
    // Endpoints whose record drifted (missing or stale) have no zone group: a zone group would
    // write the record at deployment and heal the drift (as Azure does), so the drift exists only
    // where the record is managed by hand.
    let zone_groups: Vec<Value> = all
        .iter()
        .filter(|(_, b)| has_zone_group(b))
        .map(|(_, b)| json!({"name": pe_name(b), "zone": b.svc.zone(), "zoneConfig": zone_config_name(b.svc.zone())}))
        .collect();
    vars.insert("zoneGroups".into(), json!(zone_groups));
    let zg = |f: &str| it("zoneGroups", f);
    resources.push(copy_resource(
        "zoneGroups",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "2023-09-01",
        "[concat(variables('zoneGroups')[copyIndex()].name, '/default')]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/privateEndpoints', variables('zoneGroups')[copyIndex()].name)]"],
            "properties": {"privateDnsZoneConfigs": [{"name": zg("zoneConfig"),
                "properties": {"privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', variables('zoneGroups')[copyIndex()].zone)]"}}]}}),
    ));
    // The A records: those the zone groups write (stated with the same values), and the hand-managed
    // ones of drifted endpoints as they are: missing or stale.
    let records: Vec<Value> = all
        .iter()
        .filter(|(_, b)| b.mis != Some(Mis::MissingRecord))
        .map(|(a, b)| json!({"zone": b.svc.zone(), "name": b.name, "ip": record_ip(b, a.spoke).to_string()}))
        .collect();
    vars.insert("records".into(), json!(records));
    resources.push(copy_resource("records", "Microsoft.Network/privateDnsZones/A", "2020-06-01",
        "[concat(variables('records')[copyIndex()].zone, '/', variables('records')[copyIndex()].name)]",
        json!({"dependsOn": ["[resourceId('Microsoft.Network/privateDnsZones', variables('records')[copyIndex()].zone)]"],
            "properties": {"ttl": 10, "aRecords": [{"ipv4Address": it("records", "ip")}]}})));

    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "privlink estate-gen", "note": "Deploy with --resource-group rg-landing-zone --subscription 00000000-0000-0000-0000-00000000a001. Azure (and privlink's provider) creates private endpoint NICs and zone-group A records at deployment; the template also states them, with the same values, so the documents match estate.json name for name. Endpoints whose record drifted have no zone group: their records are managed by hand."},
        "parameters": {},
        "variables": vars,
        "resources": resources,
    })
}

/// Turns strings containing the `', variables('KEY')[copyIndex()].name, '` splice into
/// `[concat('…', variables(…).name, '…')]` expressions.
fn exprify(v: Value, key: &str) -> Value {
    match v {
        Value::String(s) if s.contains("variables('KEY')") => {
            let s = s.replace("KEY", key);
            Value::String(format!("[concat('{s}')]").replace("concat('', ", "concat(").replace(", '')]", ")]"))
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| exprify(x, key)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, exprify(x, key))).collect()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------

/// The findings the seeded misconfigurations must produce: `{code, resource}`, sorted, unique.
pub fn expected(e: &Estate) -> Vec<Value> {
    let mut set: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for a in &e.apps {
        if e.spokes[a.spoke].unlinked {
            // Azure-provided DNS of the spoke, which no zone is linked to: every dependency's zone.
            for s in e.spokes[a.spoke].apps.iter().flat_map(|&o| e.apps[o].backends.iter()) {
                set.insert(("DNS101", zone_id(s.svc.zone())));
            }
        }
        if let Some(p) = a.deny_port {
            set.insert((
                "NET203",
                id(&format!(
                    "Microsoft.Network/networkSecurityGroups/nsg-{}/securityRules/deny-{p}-outbound",
                    site_name(a.idx)
                )),
            ));
        }
        if !a.route_all {
            set.insert(("APP307", id(&format!("Microsoft.Web/sites/{}", site_name(a.idx)))));
        }
        for b in &a.backends {
            match b.mis {
                Some(Mis::MissingRecord) => {
                    set.insert(("DNS102", zone_id(b.svc.zone())));
                    // No zone group and no record anywhere: the endpoint has no DNS at all.
                    set.insert(("DNS105", id(&format!("Microsoft.Network/privateEndpoints/{}", pe_name(b)))));
                }
                Some(Mis::StaleRecord) => {
                    set.insert((
                        "DNS108",
                        id(&format!("Microsoft.Network/privateDnsZones/{}/A/{}", b.svc.zone(), b.name)),
                    ));
                }
                Some(Mis::Pending) => {
                    set.insert(("PE101", backend_id(b)));
                }
                _ => {}
            }
        }
    }
    set.into_iter().map(|(c, r)| json!({"code": c, "resource": r})).collect()
}

/// Counts: resources, spokes, apps, backends and misconfigurations by kind.
pub fn summary(e: &Estate, docs: usize) -> Value {
    let count = |m: Mis| {
        e.apps
            .iter()
            .map(|a| match m {
                Mis::NsgDeny => a.deny_port.is_some() as usize,
                Mis::NoRouteAll => !a.route_all as usize,
                _ => a.backends.iter().filter(|b| b.mis == Some(m)).count(),
            })
            .sum::<usize>()
    };
    json!({
        "resources": docs,
        "spokes": e.spokes.len(),
        "apps": e.apps.len(),
        "backends": e.apps.iter().map(|a| a.backends.len()).sum::<usize>(),
        "misconfigurations": {
            "unlinkedSpoke": e.spokes.iter().filter(|s| s.unlinked).count(),
            "missingRecord": count(Mis::MissingRecord),
            "staleRecord": count(Mis::StaleRecord),
            "pendingConnection": count(Mis::Pending),
            "nsgDeny": count(Mis::NsgDeny),
            "missingRouteAll": count(Mis::NoRouteAll),
        }
    })
}

/// Writes `estate.json`, `template.json` and `expected-findings.json` into `out`; returns the summary.
pub fn write(resources: usize, seed: u64, out: &Path) -> std::io::Result<Value> {
    let estate = generate(resources, seed);
    let docs = documents(&estate);
    std::fs::create_dir_all(out)?;
    let put = |name: &str, v: &Value| {
        let mut text = serde_json::to_string_pretty(v).expect("JSON");
        text.push('\n');
        std::fs::write(out.join(name), text)
    };
    put("estate.json", &Value::Array(docs.clone()))?;
    put("template.json", &template(&estate))?;
    put("expected-findings.json", &Value::Array(expected(&estate)))?;
    Ok(summary(&estate, docs.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed_and_sized_as_asked() {
        let a = generate(2000, 7);
        let b = generate(2000, 7);
        let (da, db) = (documents(&a), documents(&b));
        assert_eq!(da, db);
        assert_eq!(template(&a), template(&b));
        assert_eq!(expected(&a), expected(&b));
        assert!((2000..2030).contains(&da.len()), "{}", da.len());
        assert_ne!(documents(&generate(2000, 8)), da, "another seed gives another estate");
        let kinds = &summary(&a, da.len())["misconfigurations"];
        for k in ["unlinkedSpoke", "missingRecord", "staleRecord", "pendingConnection", "nsgDeny", "missingRouteAll"] {
            assert!(kinds[k].as_u64().unwrap() >= 1, "{k}");
        }
    }

    #[test]
    fn ids_are_unique() {
        let docs = documents(&generate(5000, 3));
        let ids: BTreeSet<String> = docs.iter().map(|d| d["id"].as_str().unwrap().to_ascii_lowercase()).collect();
        assert_eq!(ids.len(), docs.len());
    }
}
