//! `trace`: name resolution from the app's DNS view ([`crate::dns`]) composed with the path of the
//! connection ([`crate::path`]), as azure-semantics §9 orders them.

use crate::access;
use crate::catalog::{self, Cloud, PortUsage};
use crate::dns::{dependencies, view_of, Querier, Rcode, Resolution, Resolver};
use crate::path::{self, DecidedBy, DnsContext, DnsStop, FlowVerdict, Trace};
use crate::root_cause;
use privlink_model::{DnsName, Model, Protocol, RecordType, ResourceId};
use std::net::IpAddr;

/// The resource of the estate whose customer-visible name `name` is, per the catalog: a backend
/// of the matching type named (or custom-subdomained) like the host label, else a site of that
/// name; the first by id when several match. Two hash lookups (`backends_by_name`, `sites_by_name`).
pub fn owner_of(model: &Model, name: &DnsName) -> Option<ResourceId> {
    let m = catalog::lookup_fqdn(Cloud::Public, name)?;
    let label = m.host_label.to_ascii_lowercase();
    model
        .indexes
        .backends_by_name
        .get(&label)
        .into_iter()
        .flatten()
        .filter_map(|id| model.resources.backends.get(id))
        .find(|b| m.entry.is_type(&b.resource_type))
        .map(|b| b.meta.id.clone())
        .or_else(|| model.indexes.sites_by_name.get(&label).and_then(|v| v.first()).cloned())
}

/// The port a client uses for a service by default (the catalog's first default port), 443 else.
pub fn default_port(name: &DnsName) -> u16 {
    catalog::lookup_fqdn(Cloud::Public, name)
        .and_then(|m| m.entry.default_ports().find(|p| p.usage == PortUsage::Default).map(|p| p.first))
        .unwrap_or(443)
}

/// Traces `host:port` from a site: resolve with the site's view, then follow the path.
pub fn trace_host(model: &Model, resolver: &Resolver, site_id: &ResourceId, host: &str, port: u16) -> Trace {
    if let Ok(ip) = host.parse::<IpAddr>() {
        let ctx = DnsContext { host: None, backend: None };
        return path::trace_from_site(model, site_id, ip, port, Protocol::Tcp, ctx);
    }
    let name = match DnsName::parse(host) {
        Ok(n) => n,
        Err(e) => {
            let stop = DnsStop {
                verdict: FlowVerdict::Unknown,
                decided_by: None,
                detail: e.to_string(),
                message: e.to_string(),
            };
            return path::stopped_at_dns(site_id, host, port, stop);
        }
    };
    let view = view_of(model, &Querier::Site(site_id.clone()));
    let resolution = resolver.resolve(&view, &name, RecordType::A);
    let trace = trace_resolved(model, &path::RouteIndex::default(), site_id, &name, port, &resolution);
    Trace { resolution: Some(resolution), ..trace }
}

/// Traces a connection to `name:port` whose resolution from the site's view is `r`. The trace's
/// `resolution` stays empty: a caller that wants it there moves its [`Resolution`] in, and one that
/// keeps the resolution itself (the rules' analysis, 100k dependencies) holds it only once.
pub fn trace_resolved(
    model: &Model,
    index: &path::RouteIndex,
    site_id: &ResourceId,
    name: &DnsName,
    port: u16,
    r: &Resolution,
) -> Trace {
    let Some(ip) = r.addresses.first().copied().filter(|_| r.rcode == Some(Rcode::NoError)) else {
        let (verdict, decided_by, message) = match r.rcode {
            Some(Rcode::NxDomain) => (
                FlowVerdict::Denied,
                r.zone.as_ref().map(|z| DecidedBy::new("dns", z)),
                format!("getaddrinfo failed: {name} does not exist (NXDOMAIN)"),
            ),
            Some(Rcode::ServFail) => {
                (FlowVerdict::Denied, None, format!("getaddrinfo failed: {name}: server failure (SERVFAIL)"))
            }
            _ => (FlowVerdict::Unknown, None, format!("privlink cannot tell what {name} resolves to from this app")),
        };
        let detail = r.explanation.last().cloned().unwrap_or_else(|| message.clone());
        let mut trace =
            path::stopped_at_dns(site_id, name.as_str(), port, DnsStop { verdict, decided_by, detail, message });
        trace.access = Some(access_to(model, site_id, owner_of(model, name).as_ref()));
        return trace;
    };
    let owner = owner_of(model, name);
    let ctx = DnsContext { host: Some(name.to_string()), backend: owner.clone() };
    let mut trace = path::trace_from_site_indexed(model, index, site_id, ip, port, Protocol::Tcp, ctx);
    trace.access = Some(access_to(model, site_id, owner.as_ref()));
    if trace.verdict == FlowVerdict::Allowed {
        return trace;
    }
    let cause =
        model.resources.sites.get(site_id).and_then(|s| root_cause::dns_root_cause(model, s, owner.as_ref(), r));
    trace.with_root_cause(cause)
}

/// The access step from a site to the resource a name belongs to.
pub fn access_to(model: &Model, site_id: &ResourceId, owner: Option<&ResourceId>) -> access::Access {
    let site = model.resources.sites.get(site_id);
    let backend = owner.and_then(|o| model.resources.backends.get(o));
    match (site, backend) {
        (Some(site), Some(backend)) => {
            let database = access::database_named_by(model, site, backend);
            access::decide(model, site, backend, database.as_ref())
        }
        _ => access::Access::none_for_unknown_service(),
    }
}

/// Every dependency of the site (the same list as `resolve --all`), each with its service's port.
pub fn trace_all(model: &Model, resolver: &Resolver, site_id: &ResourceId) -> Vec<Trace> {
    trace_all_indexed(model, resolver, &path::RouteIndex::default(), site_id)
}

/// As [`trace_all`], with routes from `index` (built by [`path::RouteIndex::build`] on the same
/// model), for many apps over one model.
pub fn trace_all_indexed(
    model: &Model,
    resolver: &Resolver,
    index: &path::RouteIndex,
    site_id: &ResourceId,
) -> Vec<Trace> {
    let Some(site) = model.resources.sites.get(site_id) else { return Vec::new() };
    let view = view_of(model, &Querier::Site(site_id.clone()));
    let ports = DependencyPorts::of(site);
    dependencies::site_dependencies(model, site)
        .iter()
        .map(|name| {
            let port = ports.port(name);
            let r = resolver.resolve(&view, name, RecordType::A);
            let trace = trace_resolved(model, index, site_id, name, port, &r);
            Trace { resolution: Some(r), ..trace }
        })
        .collect()
}

/// The port the app uses for `name`: a `*_PORT` setting beside a setting naming the host
/// (`REDIS_HOST` + `REDIS_PORT`), else the service's default port.
pub fn dependency_port(site: &privlink_model::Site, name: &DnsName) -> u16 {
    DependencyPorts::of(site).port(name)
}

/// The ports an app's settings give its hosts (`REDIS_HOST` + `REDIS_PORT`), read once per app:
/// an app has dozens of dependencies and settings, so reading them per dependency is quadratic.
pub struct DependencyPorts {
    /// (host names a `*_HOST`/`*_FQDN` setting names, the port of its `*_PORT` sibling), in setting order.
    hosts: Vec<(Vec<DnsName>, u16)>,
}

impl DependencyPorts {
    pub fn of(site: &privlink_model::Site) -> DependencyPorts {
        let mut hosts = Vec::new();
        for (k, v) in &site.app_settings {
            // Only a `*_HOST`/`*_FQDN` setting with a `*_PORT` beside it can say; parse its value last.
            let Some(prefix) = k.strip_suffix("_HOST").or_else(|| k.strip_suffix("_FQDN")) else { continue };
            let Some(port) = site.app_setting(&format!("{prefix}_PORT")).and_then(|p| p.trim().parse().ok()) else {
                continue;
            };
            hosts.push((dependencies::hostnames_in(v), port));
        }
        DependencyPorts { hosts }
    }

    /// The port for `name`: the first setting that names it, else the service's default port.
    pub fn port(&self, name: &DnsName) -> u16 {
        self.hosts.iter().find(|(names, _)| names.contains(name)).map_or_else(|| default_port(name), |(_, p)| *p)
    }
}
