//! Views: which DNS a querier ends up using (azure-semantics §1.4, §1.8, §3.4).

use super::public::well_known_resolver;
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
    /// The querier: a site or VNet id, or `internet`.
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
        view.explanation.push("An internet client sees public DNS only; no private zone is consulted (§1.4).".into());
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
    }
}

fn vnet_view(model: &Model, vnet_id: &ResourceId, from: String) -> View {
    let Some(vnet) = model.resources.virtual_networks.get(vnet_id) else {
        return View::unknown(from, ViewKind::CustomDns, Vec::new(), format!("VNet {vnet_id} is not in the estate."));
    };
    if vnet.dns_servers.is_empty() {
        let mut view = View::new(
            from,
            ViewKind::AzureDns,
            Answerer::AzureDns { vnet: vnet_id.clone() },
            vec![AZURE_HOST_IP.to_string()],
        );
        view.explanation.push(format!(
            "VNet {vnet_id} has no dhcpOptions.dnsServers, so it uses Azure-provided DNS ({AZURE_HOST_IP}) with the private zones linked to it (§1.8)."
        ));
        return view;
    }
    let servers: Vec<String> = vnet.dns_servers.iter().map(IpAddr::to_string).collect();
    let origin = format!("VNet {vnet_id} sets dhcpOptions.dnsServers to {}", servers.join(", "));
    classify(model, &servers, Some(vnet_id), origin, from)
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
        return classify(model, &servers, integration_vnet.as_ref(), origin + " (§1.8)", id.to_string());
    }
    match (&site.integration_subnet, integration_vnet) {
        (Some(subnet), Some(vnet)) => {
            let mut view = vnet_view(model, &vnet, id.to_string());
            view.explanation.insert(
                0,
                format!(
                    "Site {id} is VNet-integrated into subnet {} (set by {}), so it uses the DNS settings of VNet {vnet} (§3.4).",
                    subnet.value, subnet.source
                ),
            );
            view
        }
        _ => {
            let mut view = View::new(id.to_string(), ViewKind::Public, Answerer::Public, Vec::new());
            view.explanation.push(format!(
                "Site {id} has no VNet integration and no custom DNS servers: it resolves through Azure DNS without any private zone, i.e. public DNS only (§1.8)."
            ));
            view
        }
    }
}

fn split_servers(value: &str) -> Vec<String> {
    value.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// Classifies the first configured server; the others are fallbacks used only when it does not
/// answer (§1.8), which privlink does not model.
fn classify(
    model: &Model,
    servers: &[String],
    context_vnet: Option<&ResourceId>,
    origin: String,
    from: String,
) -> View {
    let first = servers[0].as_str();
    let mut reasons = vec![format!("{origin}.")];
    if servers.len() > 1 {
        reasons.push(super::public::explain_first_server_answers(first, &servers[1..]));
    }
    let servers = servers.to_vec();
    let Ok(ip) = first.parse::<IpAddr>() else {
        let mut view =
            View::unknown(from, ViewKind::CustomDns, servers, format!("DNS server '{first}' is not an IP address."));
        view.explanation.splice(0..0, reasons);
        return view;
    };
    let mut view = if ip == AZURE_HOST_IP {
        match context_vnet {
            Some(vnet) => {
                let mut v = View::new(from, ViewKind::AzureDns, Answerer::AzureDns { vnet: vnet.clone() }, servers);
                v.explanation.push(format!(
                    "{AZURE_HOST_IP} is Azure-provided DNS; queries from VNet {vnet} see the private zones linked to {vnet} (§1.3)."
                ));
                v
            }
            None => {
                let mut v = View::new(from, ViewKind::Public, Answerer::Public, servers);
                v.explanation.push(format!(
                    "{AZURE_HOST_IP} without VNet integration is Azure DNS with no linked private zone: public DNS only (§1.8)."
                ));
                v
            }
        }
    } else if let Some(inbound_id) = model.indexes.resolver_inbound_by_ip.get(&ip) {
        let resolver = model.resources.inbound_endpoints.get(inbound_id).map(|e| e.resolver.clone());
        let resolver_vnet =
            resolver.as_ref().and_then(|r| model.resources.dns_resolvers.get(r)).and_then(|r| r.vnet.clone());
        match (resolver, resolver_vnet) {
            (Some(resolver), Some(vnet)) => {
                let mut v =
                    View::new(from, ViewKind::PrivateResolver, Answerer::AzureDns { vnet: vnet.clone() }, servers);
                v.explanation.push(format!(
                    "{ip} is inbound endpoint {inbound_id} of DNS private resolver {resolver}, which resolves through Azure DNS of VNet {vnet}: the private zones and forwarding rulesets linked to {vnet} apply (§1.4)."
                ));
                v
            }
            _ => View::unknown(
                from,
                ViewKind::PrivateResolver,
                servers,
                format!("{ip} is inbound endpoint {inbound_id}, but its resolver or the resolver's VNet is not in the estate."),
            ),
        }
    } else if is_public(ip) {
        let mut v = View::new(from, ViewKind::Public, Answerer::Public, servers);
        let who = well_known_resolver(ip).map(|n| format!(" ({n})")).unwrap_or_default();
        v.explanation.push(format!(
            "{ip}{who} is a public resolver: it answers from public DNS and never sees private zones (§1.4)."
        ));
        v
    } else {
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
        let reason = match holder {
            Some((nic, Some(vnet))) => format!(
                "{ip} is NIC {nic} in VNet {vnet}, running DNS server software privlink does not model; it must forward privatelink zones to {AZURE_HOST_IP} from a VNet linked to them (§1.3-5)."
            ),
            Some((nic, None)) => format!(
                "{ip} is NIC {nic}, running DNS server software privlink does not model; it must forward privatelink zones to {AZURE_HOST_IP} from a VNet linked to them (§1.3-5)."
            ),
            None => format!(
                "{ip} is not a resolver privlink knows; it must forward privatelink zones to {AZURE_HOST_IP} from a linked VNet (§1.3-5)."
            ),
        };
        View::unknown(from, ViewKind::CustomDns, servers, reason)
    };
    view.explanation.splice(0..0, reasons);
    view
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
