//! Why a connection went where it did: when a name resolves to its public address although the
//! app could reach an approved private endpoint for it, the hop that drops the traffic (an NSG
//! deny towards the internet, a service refusing its public endpoint) is a consequence, and the
//! DNS setting that sent it there is what a person should change first (issue 15 item 6).

use crate::catalog::{self, Cloud};
use crate::dns::{dependencies, Answerer, Resolution, ResolutionVerdict, PUBLIC_SOURCE};
use crate::path::{DecidedBy, RootCause, Step};
use privlink_model::{DnsName, Model, ResourceId, Site};

/// The DNS root cause of a trace that is not allowed, if resolution is not what the app needs:
/// public DNS put a `privatelink` alias in the chain (so the target has an approved private
/// endpoint), that endpoint sits in a VNet the app reaches, and yet the answer is public.
pub fn dns_root_cause(model: &Model, site: &Site, owner: Option<&ResourceId>, r: &Resolution) -> Option<RootCause> {
    if r.verdict != ResolutionVerdict::Public {
        return None;
    }
    let alias = r
        .chain
        .iter()
        .filter(|c| c.source == PUBLIC_SOURCE)
        .filter_map(|c| DnsName::parse(&c.data).ok())
        .find(is_privatelink_name)?;
    let owner = owner?;
    let reachable = dependencies::reachable_vnets(model, site)?;
    let endpoint = dependencies::approved_endpoints_in_estate(model, owner)
        .into_iter()
        .find(|pe| endpoint_vnet(model, pe).is_some_and(|v| reachable.contains(&v)))?;
    let name = &r.query.name;
    let ip = r.addresses.first().map(|a| a.to_string()).unwrap_or_default();
    let lead = format!(
        "{name} resolves to its public address {ip}, although private endpoint {} for it is approved and reachable",
        endpoint.name()
    );
    let zones: Vec<&ResourceId> = model
        .indexes
        .zones_by_name
        .iter()
        .filter(|(zone_name, _)| alias.is_within(zone_name) && is_privatelink_name(zone_name))
        .flat_map(|(_, ids)| ids)
        .collect();
    let (decided_by, detail) = match (&r.view.answerer, zones.first()) {
        (Answerer::AzureDns { vnet }, Some(zone)) => (
            DecidedBy::new("private-dns-zone", zone),
            format!("{lead}: private zone {} holds its record but is not linked to VNet {}", zone.name(), vnet.name()),
        ),
        (Answerer::AzureDns { vnet }, None) => (
            DecidedBy::new("private-endpoint", &endpoint),
            format!(
                "{lead}: no private DNS zone for {alias} exists, so Azure DNS of VNet {} falls through to public DNS",
                vnet.name()
            ),
        ),
        _ => {
            let setter = site.app_settings_source.clone().unwrap_or_else(|| site.meta.id.clone());
            (
                DecidedBy::new("dns-server", &setter),
                format!(
                    "{lead}: the app's DNS server ({}) does not see the private zones",
                    r.view.dns_servers.first().map(String::as_str).unwrap_or("not Azure DNS")
                ),
            )
        }
    };
    Some(RootCause { step: Step::Dns, decided_by, detail })
}

/// A name in a `privatelink.` zone of the catalog (`kv1.privatelink.vaultcore.azure.net`).
fn is_privatelink_name(name: &DnsName) -> bool {
    let mut current = Some(name.clone());
    while let Some(n) = current {
        if catalog::is_privatelink_zone(Cloud::Public, &n) {
            return true;
        }
        current = n.parent();
    }
    false
}

/// The VNet of a private endpoint's subnet.
fn endpoint_vnet(model: &Model, pe: &ResourceId) -> Option<ResourceId> {
    let subnet = model.resources.private_endpoints.get(pe)?.subnet.as_ref()?;
    model.resources.subnets.get(subnet).map(|s| s.vnet.clone()).or_else(|| subnet.parent())
}
