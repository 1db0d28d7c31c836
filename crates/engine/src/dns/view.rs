//! Views: which DNS a querier ends up using (azure-semantics §1.4, §1.8, §3.4, §12); what answers
//! at each server address is decided in [`super::servers`].

use super::servers::{self, Vantage};
use crate::catalog::AZURE_HOST_IP;
use privlink_model::{Model, ResourceId, Site};
use serde::Serialize;
use std::net::IpAddr;

/// Who asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Querier {
    /// A client on the internet: public DNS only.
    Internet,
    /// A VM in this VNet using the VNet's DNS settings.
    VirtualNetwork(ResourceId),
    /// An App Service app, with its own DNS settings layered over its integration VNet's.
    Site(ResourceId),
    /// A client that sends its queries to the DNS server `ip`: from inside `vnet` when given
    /// (`dns:168.63.129.16@VNET` is Azure DNS as that VNet sees it), else from outside every VNet
    /// (an on-premises client, or its forwarder).
    DnsServer { ip: IpAddr, vnet: Option<ResourceId> },
}

impl Querier {
    /// How the querier is named in a resolution's `query.from`: an id, `internet`, or `dns:IP`
    /// (`dns:IP@VNET-ID` from inside a VNet).
    pub fn label(&self) -> String {
        match self {
            Querier::Internet => "internet".into(),
            Querier::VirtualNetwork(id) | Querier::Site(id) => id.to_string(),
            Querier::DnsServer { ip, vnet: None } => format!("dns:{ip}"),
            Querier::DnsServer { ip, vnet: Some(v) } => format!("dns:{ip}@{v}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewKind {
    /// Azure-provided DNS (168.63.129.16) of a VNet: zones linked to that VNet answer.
    AzureDns,
    /// Public DNS only: no private zone is ever consulted.
    Public,
    /// A DNS server privlink does not model.
    CustomDns,
    /// The inbound endpoint of a DNS private resolver of the estate: Azure DNS of its VNet.
    PrivateResolver,
    /// The DNS proxy of an Azure Firewall of the estate (azure-semantics §12): Azure DNS of the
    /// firewall's VNet, or its custom servers; nothing when the proxy is off.
    FirewallDnsProxy,
}

/// What answers the querier's questions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Answerer {
    /// Azure DNS as seen from this VNet: its private zone links and forwarding rulesets.
    AzureDns {
        vnet: ResourceId,
    },
    Public,
    /// privlink cannot say what the server answers; the reason names the server.
    Unknown {
        reason: String,
    },
}

/// The DNS a querier uses, with the settings that decided it.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub kind: ViewKind,
    /// The VNet whose Azure DNS (and so whose zone links) answers, if any.
    pub vnet: Option<ResourceId>,
    /// The DNS servers the querier sends to, in order (alternate server last).
    pub dns_servers: Vec<String>,
    /// The querier: a site or VNet id, `internet`, or `dns:IP` (see [`Querier::label`]).
    #[serde(skip)]
    pub from: String,
    #[serde(skip)]
    pub answerer: Answerer,
    /// Why this view: sentences naming the settings and resources that decided it.
    #[serde(skip)]
    pub explanation: Vec<String>,
}

impl View {
    fn new(from: String, kind: ViewKind, answerer: Answerer, dns_servers: Vec<String>) -> View {
        let vnet = match &answerer {
            Answerer::AzureDns { vnet } => Some(vnet.clone()),
            _ => None,
        };
        View { kind, vnet, dns_servers, from, answerer, explanation: Vec::new() }
    }

    fn unknown(from: String, kind: ViewKind, dns_servers: Vec<String>, reason: String) -> View {
        let mut view = View::new(from, kind, Answerer::Unknown { reason: reason.clone() }, dns_servers);
        view.explanation.push(reason);
        view
    }

    pub fn internet() -> View {
        let mut view = View::new("internet".into(), ViewKind::Public, Answerer::Public, Vec::new());
        view.explanation.push("An internet client sees public DNS only; no private zone is consulted (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration).".into());
        view
    }
}

/// The view of `querier` in `model`.
pub fn view_of(model: &Model, querier: &Querier) -> View {
    match querier {
        Querier::Internet => View::internet(),
        Querier::VirtualNetwork(vnet) => vnet_view(model, vnet, vnet.to_string()),
        Querier::Site(site) => match model.resources.sites.get(site) {
            Some(s) => site_view(model, s),
            None => View::unknown(
                site.to_string(),
                ViewKind::CustomDns,
                Vec::new(),
                format!("Site {site} is not in the estate."),
            ),
        },
        Querier::DnsServer { ip, vnet } => dns_server_view(model, *ip, vnet.as_ref(), querier.label()),
    }
}

/// The view of a client that asks `ip` directly: from inside `vnet`, or from outside every VNet.
fn dns_server_view(model: &Model, ip: IpAddr, vnet: Option<&ResourceId>, from: String) -> View {
    let servers = vec![ip.to_string()];
    match vnet {
        Some(vnet) if !model.resources.virtual_networks.contains_key(vnet) => {
            View::unknown(from, ViewKind::CustomDns, servers, format!("VNet {vnet} is not in the estate."))
        }
        Some(vnet) => classify(
            model,
            &servers,
            Vantage::Vnet(vnet),
            format!("A client in VNet {vnet} sends its queries to {ip}, whatever the VNet's own DNS settings say"),
            from,
        ),
        None => classify(
            model,
            &servers,
            Vantage::Outside,
            format!("A client outside every VNet of the estate (on premises, or its DNS forwarder) sends its queries to {ip}"),
            from,
        ),
    }
}

fn vnet_view(model: &Model, vnet_id: &ResourceId, from: String) -> View {
    let Some(vnet) = model.resources.virtual_networks.get(vnet_id) else {
        return View::unknown(from, ViewKind::CustomDns, Vec::new(), format!("VNet {vnet_id} is not in the estate."));
    };
    if let Some(reason) = &vnet.dns_servers_unknown {
        let servers: Vec<String> = vnet.dns_servers.iter().map(IpAddr::to_string).collect();
        return View::unknown(
            from,
            ViewKind::CustomDns,
            servers,
            format!(
                "VNet {vnet_id} sets dhcpOptions.dnsServers to a value only known at deploy time ({reason}): what answers its queries is unknown."
            ),
        );
    }
    if vnet.dns_servers.is_empty() {
        let mut view = View::new(
            from,
            ViewKind::AzureDns,
            Answerer::AzureDns { vnet: vnet_id.clone() },
            vec![AZURE_HOST_IP.to_string()],
        );
        view.explanation.push(format!(
            "VNet {vnet_id} has no dhcpOptions.dnsServers, so it uses Azure-provided DNS ({AZURE_HOST_IP}) with the private zones linked to it (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16)."
        ));
        return view;
    }
    let servers: Vec<String> = vnet.dns_servers.iter().map(IpAddr::to_string).collect();
    let origin = format!("VNet {vnet_id} sets dhcpOptions.dnsServers to {}", servers.join(", "));
    classify(model, &servers, Vantage::Vnet(vnet_id), origin, from)
}

fn site_view(model: &Model, site: &Site) -> View {
    let id = &site.meta.id;
    let integration_vnet = site.integration_subnet.as_ref().map(|s| {
        model
            .resources
            .subnets
            .get(&s.value)
            .map(|sub| sub.vnet.clone())
            .or_else(|| s.value.parent())
            .unwrap_or_else(|| s.value.clone())
    });
    let settings_source = site.app_settings_source.as_ref().unwrap_or(id);
    let (mut servers, origin) = if !site.dns_servers.is_empty() {
        (
            site.dns_servers.clone(),
            format!("Site {id} sets dnsConfiguration.dnsServers to {}", site.dns_servers.join(", ")),
        )
    } else if let Some(v) = site.app_setting("WEBSITE_DNS_SERVER").filter(|v| !v.trim().is_empty()) {
        let list: Vec<String> = split_servers(v);
        (
            list,
            format!("App setting WEBSITE_DNS_SERVER={v} in {settings_source} overrides the DNS servers of site {id}"),
        )
    } else {
        (Vec::new(), String::new())
    };
    if !servers.is_empty() {
        let alt =
            site.dns_alt_server.clone().map(|a| (a, format!("dnsConfiguration.dnsAltServer of {id}"))).or_else(|| {
                site.app_setting("WEBSITE_DNS_ALT_SERVER")
                    .filter(|v| !v.trim().is_empty())
                    .map(|a| (a.trim().to_string(), format!("app setting WEBSITE_DNS_ALT_SERVER in {settings_source}")))
            });
        let mut origin = origin;
        if let Some((alt, said_by)) = alt {
            origin.push_str(&format!("; {said_by} appends {alt} as the fallback server"));
            servers.push(alt);
        }
        let vantage = integration_vnet.as_ref().map_or(Vantage::AppWithoutVnet, Vantage::Vnet);
        return classify(
            model,
            &servers,
            vantage,
            origin + " (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16)",
            id.to_string(),
        );
    }
    match (&site.integration_subnet, integration_vnet) {
        (Some(subnet), Some(vnet)) => {
            let mut view = vnet_view(model, &vnet, id.to_string());
            view.explanation.insert(
                0,
                format!(
                    "Site {id} is VNet-integrated into subnet {} (set by {}), so it uses the DNS settings of VNet {vnet} (https://learn.microsoft.com/azure/app-service/overview-name-resolution).",
                    subnet.value, subnet.source
                ),
            );
            view
        }
        _ => {
            let mut view = View::new(id.to_string(), ViewKind::Public, Answerer::Public, Vec::new());
            view.explanation.push(format!(
                "Site {id} has no VNet integration and no custom DNS servers: it resolves through Azure DNS without any private zone, i.e. public DNS only (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16)."
            ));
            view
        }
    }
}

fn split_servers(value: &str) -> Vec<String> {
    value.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The view of a querier that sends its queries to `servers`, in order, from `vantage`. The first
/// server answers (the others only when it does not, §1.8); one where nothing answers (a firewall
/// whose DNS proxy is off, one the query cannot reach) hands over to the next.
fn classify(model: &Model, servers: &[String], vantage: Vantage<'_>, origin: String, from: String) -> View {
    let mut reasons = vec![format!("{origin}.")];
    if servers.len() > 1 {
        reasons.push(super::public::explain_first_server_answers(&servers[0], &servers[1..]));
    }
    for (i, text) in servers.iter().enumerate() {
        let Ok(ip) = text.parse::<IpAddr>() else {
            let mut view = View::unknown(
                from,
                ViewKind::CustomDns,
                servers.to_vec(),
                format!("DNS server '{text}' is not an IP address."),
            );
            view.explanation.splice(0..0, reasons);
            return view;
        };
        let server = servers::at(model, ip, vantage, 0);
        if server.silent {
            if let Some(next) = servers.get(i + 1) {
                reasons.extend(server.explanation);
                reasons.push(super::public::explain_next_server(ip, next));
                continue;
            }
        }
        let mut view = View::new(from, server.kind, server.answerer, servers.to_vec());
        reasons.extend(server.explanation);
        view.explanation = reasons;
        return view;
    }
    View::unknown(from, ViewKind::CustomDns, servers.to_vec(), "No DNS server is configured.".into())
}

/// Globally routable: not private, loopback, link-local, shared (100.64/10) or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || ip == AZURE_HOST_IP)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// RFC 1918 / unique-local.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}
