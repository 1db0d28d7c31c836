//! What answers at a DNS server address, seen from where the query comes from: Azure DNS
//! (168.63.129.16, only inside a VNet), the inbound endpoint of a DNS private resolver, the DNS
//! proxy of an Azure Firewall (azure-semantics §12), a public resolver, or a server privlink
//! cannot see (a DNS VM, an on-premises server). Views ([`super::view`]) and forwarding rules
//! ([`super::Resolver`]) both ask here.

use super::firewall::proxy_settings;
use super::public;
use super::view::{is_public, Answerer, ViewKind};
use crate::catalog::AZURE_HOST_IP;
use privlink_model::{AzureFirewall, Model, ResourceId, VnetPeering};
use std::net::IpAddr;

/// How many DNS proxies may forward to one another before privlink gives up (a proxy whose custom
/// server is another proxy, or itself).
const MAX_PROXY_DEPTH: usize = 4;

/// Where a query to a DNS server comes from.
#[derive(Clone, Copy, Debug)]
pub enum Vantage<'a> {
    /// From inside this VNet.
    Vnet(&'a ResourceId),
    /// From an App Service app without VNet integration: Azure DNS without any private zone.
    AppWithoutVnet,
    /// From outside every VNet: an on-premises client, or its forwarder.
    Outside,
}

/// What answers at one server address.
#[derive(Clone, Debug)]
pub struct Server {
    pub kind: ViewKind,
    pub answerer: Answerer,
    /// Nothing answers there (a firewall whose DNS proxy is off, or one the query cannot reach):
    /// the client waits, then asks its next server if it has one.
    pub silent: bool,
    /// Why: sentences naming the resources that decided.
    pub explanation: Vec<String>,
}

impl Server {
    fn answers(kind: ViewKind, answerer: Answerer, why: String) -> Server {
        Server { kind, answerer, silent: false, explanation: vec![why] }
    }

    fn unknown(kind: ViewKind, reason: String) -> Server {
        Server {
            kind,
            answerer: Answerer::Unknown { reason: reason.clone() },
            silent: false,
            explanation: vec![reason],
        }
    }

    fn silent(kind: ViewKind, reason: String) -> Server {
        Server { silent: true, ..Server::unknown(kind, reason) }
    }
}

impl Server {
    /// Where a query sent to this server at `ip` ends, as explanations list the choices.
    pub fn leads_from(&self, ip: IpAddr) -> String {
        if self.silent {
            format!("{ip} does not answer")
        } else {
            format!("{ip} leads to {}", describe(&self.answerer))
        }
    }
}

/// A short description of what answers, for sentences that compare servers.
pub fn describe(answerer: &Answerer) -> String {
    match answerer {
        Answerer::AzureDns { vnet } => format!("Azure DNS of VNet {vnet}"),
        Answerer::Public => "public DNS".into(),
        Answerer::Unknown { .. } => "a server privlink cannot see".into(),
    }
}

/// What answers at `ip` for a query from `vantage`.
pub fn at(model: &Model, ip: IpAddr, vantage: Vantage<'_>, depth: usize) -> Server {
    if ip == AZURE_HOST_IP {
        return match vantage {
            Vantage::Vnet(vnet) => Server::answers(
                ViewKind::AzureDns,
                Answerer::AzureDns { vnet: vnet.clone() },
                format!(
                    "{AZURE_HOST_IP} is Azure-provided DNS; queries from VNet {vnet} see the private zones linked to {vnet} (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
                ),
            ),
            Vantage::AppWithoutVnet => Server::answers(
                ViewKind::Public,
                Answerer::Public,
                format!(
                    "{AZURE_HOST_IP} without VNet integration is Azure DNS with no linked private zone: public DNS only (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16)."
                ),
            ),
            Vantage::Outside => Server::unknown(
                ViewKind::AzureDns,
                format!(
                    "{AZURE_HOST_IP} is a virtual address of the Azure host, answered only inside a VNet (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration, https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16): a client outside every VNet cannot ask it."
                ),
            ),
        };
    }
    let mut server = if let Some(inbound_id) = model.indexes.resolver_inbound_by_ip.get(&ip) {
        let resolver = model.resources.inbound_endpoints.get(inbound_id).map(|e| e.resolver.clone());
        let resolver_vnet =
            resolver.as_ref().and_then(|r| model.resources.dns_resolvers.get(r)).and_then(|r| r.vnet.clone());
        match (resolver, resolver_vnet) {
            (Some(resolver), Some(vnet)) => {
                let what = format!("{ip} is inbound endpoint {inbound_id} of DNS private resolver {resolver}");
                let reach = match vantage {
                    Vantage::Vnet(from) => reach(model, from, &vnet),
                    _ => Reach::Yes,
                };
                match reach {
                    Reach::No(why) => Server::silent(ViewKind::PrivateResolver, format!("{what}, in VNet {vnet}. {why}")),
                    reach => {
                        let mut server = Server::answers(
                            ViewKind::PrivateResolver,
                            Answerer::AzureDns { vnet: vnet.clone() },
                            format!(
                                "{what}, which resolves through Azure DNS of VNet {vnet}: the private zones and forwarding rulesets linked to {vnet} apply (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
                            ),
                        );
                        if let Reach::Assumed(note) = reach {
                            server.explanation.insert(0, note);
                        }
                        server
                    }
                }
            }
            _ => Server::unknown(
                ViewKind::PrivateResolver,
                format!("{ip} is inbound endpoint {inbound_id}, but its resolver or the resolver's VNet is not in the estate."),
            ),
        }
    } else if let Some(fw) =
        model.indexes.firewall_by_ip.get(&ip).and_then(|id| model.resources.azure_firewalls.get(id))
    {
        firewall(model, fw, ip, vantage, depth)
    } else if is_public(ip) {
        let who = public::well_known_resolver(ip).map(|n| format!(" ({n})")).unwrap_or_default();
        Server::answers(
            ViewKind::Public,
            Answerer::Public,
            format!("{ip}{who} is a public resolver: it answers from public DNS and never sees private zones (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."),
        )
    } else {
        Server::unknown(ViewKind::CustomDns, unknown_server(model, ip))
    };
    if matches!(vantage, Vantage::Outside) && !server.silent && !is_public(ip) {
        server.explanation.push(public::explain_outside_client_reaches(ip));
    }
    server
}

/// Why privlink cannot say what a private DNS server answers: it is a NIC of the estate (a DNS
/// VM), or nothing the estate describes.
fn unknown_server(model: &Model, ip: IpAddr) -> String {
    let holder = model.indexes.nics_by_ip.get(&ip).and_then(|nics| nics.first()).map(|nic| {
        let vnet = model
            .resources
            .network_interfaces
            .get(nic)
            .and_then(|n| n.ip_configurations.iter().find(|c| c.private_ip == Some(ip)))
            .and_then(|c| c.subnet.as_ref())
            .and_then(|s| model.resources.subnets.get(s).map(|s| s.vnet.clone()).or_else(|| s.parent()));
        (nic.clone(), vnet)
    });
    match holder {
        Some((nic, Some(vnet))) => format!(
            "{ip} is NIC {nic} in VNet {vnet}, running DNS server software privlink does not model; it must forward privatelink zones to {AZURE_HOST_IP} from a VNet linked to them (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
        ),
        Some((nic, None)) => format!(
            "{ip} is NIC {nic}, running DNS server software privlink does not model; it must forward privatelink zones to {AZURE_HOST_IP} from a VNet linked to them (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
        ),
        None => format!(
            "{ip} is not a resolver privlink knows; it must forward privatelink zones to {AZURE_HOST_IP} from a linked VNet (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)."
        ),
    }
}

/// Whether a query from VNet `from` reaches VNet `to`.
enum Reach {
    Yes,
    Assumed(String),
    No(String),
}

fn reach(model: &Model, from: &ResourceId, to: &ResourceId) -> Reach {
    if from == to {
        return Reach::Yes;
    }
    match peerings_down(model, from, to) {
        None => Reach::Assumed(public::explain_peering_assumed(from, to)),
        Some(down) if down.is_empty() => Reach::Yes,
        Some(down) => {
            let states: Vec<String> = down.iter().map(|p| format!("peering {} is {}", p.meta.id, p.state)).collect();
            Reach::No(public::explain_peering_blocks(from, to, &states.join(" and ")))
        }
    }
}

/// The peerings between VNets `a` and `b` (either direction) that are not `Connected`, in id
/// order; `None` when the estate holds no peering between them (§17.2: traffic flows only while
/// both sides are connected).
pub fn peerings_down<'m>(model: &'m Model, a: &ResourceId, b: &ResourceId) -> Option<Vec<&'m VnetPeering>> {
    let side = |from: &ResourceId, to: &ResourceId| {
        model
            .indexes
            .peerings_of_vnet
            .get(from)
            .into_iter()
            .flatten()
            .filter_map(|p| model.resources.peerings.get(p))
            .find(|p| p.remote_vnet.as_ref() == Some(to))
    };
    let sides: Vec<&VnetPeering> = [side(a, b), side(b, a)].into_iter().flatten().collect();
    if sides.is_empty() {
        return None;
    }
    Some(sides.into_iter().filter(|p| !p.is_connected()).collect())
}

/// What answers DNS at `ip` among the estate's resources that sit in a VNet, and that VNet: a DNS
/// private resolver's inbound endpoint, or an Azure Firewall.
pub fn home_of(model: &Model, ip: IpAddr) -> Option<(ResourceId, ResourceId)> {
    if let Some(inbound) = model.indexes.resolver_inbound_by_ip.get(&ip) {
        let vnet = model
            .resources
            .inbound_endpoints
            .get(inbound)
            .and_then(|e| model.resources.dns_resolvers.get(&e.resolver))
            .and_then(|r| r.vnet.clone())?;
        return Some((inbound.clone(), vnet));
    }
    let fw = model.indexes.firewall_by_ip.get(&ip)?;
    Some((fw.clone(), model.resources.azure_firewalls.get(fw)?.vnet()?))
}

/// An Azure Firewall's private address: its DNS proxy, if it is on (§12.2, §12.3).
fn firewall(model: &Model, fw: &AzureFirewall, ip: IpAddr, vantage: Vantage<'_>, depth: usize) -> Server {
    let kind = ViewKind::FirewallDnsProxy;
    let id = &fw.meta.id;
    let fw_vnet = fw.vnet();
    let mut notes = Vec::new();
    if let (Vantage::Vnet(from), Some(to)) = (vantage, &fw_vnet) {
        match reach(model, from, to) {
            Reach::Yes => {}
            Reach::Assumed(note) => notes.push(note),
            Reach::No(why) => {
                return Server::silent(kind, format!("{ip} is the private address of Azure Firewall {id}. {why}"))
            }
        }
    }
    let settings = match proxy_settings(model, fw) {
        Ok(s) => s,
        Err(why) => return Server::unknown(kind, format!("{ip} is the private address of Azure Firewall {id}. {why}")),
    };
    if !settings.enabled {
        let mut server = Server::silent(kind, public::explain_firewall_proxy_off(ip, id, &settings.why));
        server.explanation.splice(0..0, notes);
        return server;
    }
    let intro =
        format!("{ip} is the private address of Azure Firewall {id}, where its DNS proxy listens. {}", settings.why);
    let mut server = if settings.servers.is_empty() {
        match &fw_vnet {
            Some(vnet) => Server::answers(
                kind,
                Answerer::AzureDns { vnet: vnet.clone() },
                format!(
                    "{intro} The proxy asks Azure DNS from the firewall's own VNet {vnet}: the private zones linked to {vnet} apply, not those of the client's VNet (https://learn.microsoft.com/azure/firewall/dns-details)."
                ),
            ),
            None => Server::unknown(
                kind,
                format!(
                    "{intro} The firewall sits in secured virtual hub {}, whose Azure DNS privlink does not model.",
                    fw.virtual_hub.as_ref().map_or_else(|| "(not named)".to_string(), ToString::to_string)
                ),
            ),
        }
    } else if depth >= MAX_PROXY_DEPTH {
        Server::unknown(
            kind,
            format!("{intro} DNS proxies forward to one another more than {MAX_PROXY_DEPTH} times; privlink gives up."),
        )
    } else {
        custom_servers(model, fw, &settings.servers, fw_vnet.as_ref(), depth, intro)
    };
    server.explanation.splice(0..0, notes);
    server
}

/// A DNS proxy with custom servers: one picked at random per query, unhealthy ones skipped (§12.2).
fn custom_servers(
    model: &Model,
    fw: &AzureFirewall,
    servers: &[IpAddr],
    fw_vnet: Option<&ResourceId>,
    depth: usize,
    intro: String,
) -> Server {
    let kind = ViewKind::FirewallDnsProxy;
    let from = fw_vnet.map_or(Vantage::Outside, Vantage::Vnet);
    let upstream: Vec<(IpAddr, Server)> = servers.iter().map(|s| (*s, at(model, *s, from, depth + 1))).collect();
    let answering: Vec<&(IpAddr, Server)> = upstream.iter().filter(|(_, s)| !s.silent).collect();
    let Some((_, first)) = answering.first() else {
        let why: Vec<String> = upstream.iter().flat_map(|(_, s)| s.explanation.clone()).collect();
        return Server::unknown(
            kind,
            format!(
                "{intro} {} No custom server answers, and the proxy has no fallback to Azure DNS (https://learn.microsoft.com/azure/firewall/dns-details); what the client then sees is not documented.",
                why.join(" ")
            ),
        );
    };
    if answering.iter().all(|(_, s)| s.answerer == first.answerer) {
        let mut explanation = vec![intro];
        if servers.len() > 1 {
            let list: Vec<String> = servers.iter().map(IpAddr::to_string).collect();
            explanation.push(public::explain_proxy_servers_agree(&list, &describe(&first.answerer)));
        }
        explanation.extend(first.explanation.iter().cloned());
        return Server { kind, answerer: first.answerer.clone(), silent: false, explanation };
    }
    let choices: Vec<String> = upstream.iter().map(|(ip, s)| s.leads_from(*ip)).collect();
    let mut server = Server::unknown(kind, public::explain_proxy_servers_disagree(&fw.meta.id, &choices));
    server.explanation.insert(0, intro);
    server
}
