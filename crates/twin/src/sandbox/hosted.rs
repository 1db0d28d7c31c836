//! Where the estate answers, seen from one app: every address a name of the estate can resolve to
//! (from the app's view, and from the internet's when a name resolves public), with the ports its
//! service listens on.

use privlink_engine::catalog::{self, Cloud, PortUsage};
use privlink_engine::dns::{dependencies, view_of, Querier, Rcode, Resolver, View};
use privlink_engine::path::redirect::SQL_REDIRECT_PORT;
use privlink_engine::trace::dependency_port;
use privlink_model::{DnsName, Model, RecordType, ResourceId};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// One address the Azure side holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hosted {
    /// The names that resolve here.
    pub names: BTreeSet<DnsName>,
    /// Port ranges (first, last) the names' services listen on.
    pub ports: BTreeSet<(u16, u16)>,
}

/// The ports a name's service listens on: the catalog's default ports, Azure SQL's redirect port
/// (where its gateway sends clients under the `Redirect` policy), and the port the app's settings
/// name.
pub fn service_ports(model: &Model, site: &ResourceId, name: &DnsName) -> BTreeSet<(u16, u16)> {
    let service = catalog::lookup_fqdn(Cloud::Public, name);
    let mut ports: BTreeSet<(u16, u16)> =
        service.iter().flat_map(|m| m.entry.default_ports().map(|p| (p.first, p.last))).collect();
    if service
        .is_some_and(|m| m.entry.ports.iter().any(|p| p.contains(SQL_REDIRECT_PORT) && p.usage == PortUsage::Redirect))
    {
        ports.insert((SQL_REDIRECT_PORT, SQL_REDIRECT_PORT));
    }
    if let Some(site) = model.resources.sites.get(site) {
        let port = dependency_port(site, name);
        ports.insert((port, port));
    }
    ports
}

/// Every address the estate's names resolve to from `site`'s view or the internet's, IPv4 only
/// (the twin's namespaces carry IPv4).
pub fn hosted(model: &Model, site: &ResourceId) -> BTreeMap<Ipv4Addr, Hosted> {
    let resolver = Resolver::new(model);
    let mut names: BTreeSet<DnsName> = dependencies::endpoint_fqdns(model).into_iter().collect();
    if let Some(s) = model.resources.sites.get(site) {
        names.extend(dependencies::site_dependencies(model, s));
    }
    let views: [View; 2] = [view_of(model, &Querier::Site(site.clone())), View::internet()];
    let mut out: BTreeMap<Ipv4Addr, Hosted> = BTreeMap::new();
    for name in &names {
        let ports = service_ports(model, site, name);
        for view in &views {
            let resolution = resolver.resolve(view, name, RecordType::A);
            if resolution.rcode != Some(Rcode::NoError) {
                continue;
            }
            for address in resolution.addresses.iter().filter_map(|a| match a {
                std::net::IpAddr::V4(v4) => Some(*v4),
                std::net::IpAddr::V6(_) => None,
            }) {
                let entry = out.entry(address).or_default();
                entry.names.insert(name.clone());
                entry.ports.extend(ports.iter().copied());
            }
        }
    }
    out
}
