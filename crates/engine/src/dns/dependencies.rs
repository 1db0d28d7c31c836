//! The host names an app depends on: those named in its app settings and connection strings,
//! and the customer-visible names of the private endpoint targets the app can route to.

use crate::catalog::{self, Cloud, NameHints};
use privlink_model::arm_type;
use privlink_model::{DnsName, Model, PrivateEndpoint, ResourceId, Site};
use std::collections::BTreeSet;

/// Every host name `site` depends on, sorted and without duplicates: the names in its settings
/// and connection strings, and the customer-visible names of the private endpoints in the VNets it
/// can route to privately (its integration VNet and the VNets peered with it, see
/// [`reachable_vnets`]). An app without VNet integration depends on every endpoint of the estate
/// but its own
/// (privlink shows what each would resolve to from it).
pub fn site_dependencies(model: &Model, site: &Site) -> Vec<DnsName> {
    let mut names = named_hosts(site);
    match reachable_vnets(model, site) {
        Some(vnets) => {
            let endpoints = vnets
                .iter()
                .filter_map(|v| model.indexes.endpoints_of_vnet.get(v))
                .flatten()
                .filter_map(|id| model.resources.private_endpoints.get(id));
            names.extend(fqdns_of(model, endpoints, Some(&site.meta.id)));
            // Endpoints whose subnet is not named cannot be placed: kept, as before.
            let unplaced = model
                .indexes
                .endpoints_without_subnet
                .iter()
                .filter_map(|id| model.resources.private_endpoints.get(id));
            names.extend(fqdns_of(model, unplaced, Some(&site.meta.id)));
        }
        None => names.extend(fqdns_of(model, model.resources.private_endpoints.values(), Some(&site.meta.id))),
    }
    names.into_iter().collect()
}

/// The host names the app itself names: in its app settings (Key Vault references included) and
/// connection strings.
pub fn named_hosts(site: &Site) -> BTreeSet<DnsName> {
    let mut names = BTreeSet::new();
    for value in site.app_settings.values() {
        names.extend(hostnames_in(value));
    }
    for cs in site.connection_strings.values() {
        names.extend(hostnames_in(&cs.value));
    }
    names
}

/// The VNets an integrated app reaches over private addresses: its integration VNet and the remote
/// VNets of that VNet's connected peerings. Peering is not transitive (azure-semantics §4.4: a
/// spoke's routes hold its own range and its peers' ranges; another spoke's range falls to the
/// `10.0.0.0/8 → None` system route), so an endpoint in a spoke two peerings away is not something
/// the app can use. `None` when the app has no VNet integration.
pub fn reachable_vnets(model: &Model, site: &Site) -> Option<BTreeSet<ResourceId>> {
    let subnet = &site.integration_subnet.as_ref()?.value;
    let vnet = model.resources.subnets.get(subnet).map(|s| s.vnet.clone()).or_else(|| subnet.parent())?;
    let mut out = BTreeSet::new();
    for p in model.indexes.peerings_of_vnet.get(&vnet).into_iter().flatten() {
        if let Some(remote) =
            model.resources.peerings.get(p).filter(|p| p.is_connected()).and_then(|p| p.remote_vnet.clone())
        {
            out.insert(remote);
        }
    }
    out.insert(vnet);
    Some(out)
}

/// The customer-visible names of each private endpoint's target, from the catalog (§1.1).
pub fn endpoint_fqdns(model: &Model) -> Vec<DnsName> {
    fqdns_of(model, model.resources.private_endpoints.values(), None).into_iter().collect()
}

/// The names of the endpoints' targets, except `own_site`'s: an app's own private endpoint carries
/// requests to it, not from it, so the app does not depend on it (unless a setting names its host).
fn fqdns_of<'m>(
    model: &'m Model,
    endpoints: impl Iterator<Item = &'m PrivateEndpoint>,
    own_site: Option<&ResourceId>,
) -> BTreeSet<DnsName> {
    let mut names = BTreeSet::new();
    for pe in endpoints {
        for conn in &pe.connections {
            let Some(target) = conn.target.as_ref().filter(|t| Some(*t) != own_site) else { continue };
            let backend = model.resources.backends.get(target);
            let hints = NameHints {
                account_kind: backend.and_then(|b| b.resource_kind.as_deref()),
                custom_sub_domain: backend.and_then(|b| b.custom_subdomain.as_deref()),
                region: backend.and_then(|b| b.meta.region()),
                ..Default::default()
            };
            for group in &conn.group_ids {
                names.extend(catalog::customer_fqdns(
                    Cloud::Public,
                    &target.resource_type(),
                    target.name(),
                    group,
                    &hints,
                ));
            }
        }
    }
    names
}

/// Host names inside one setting value: bare FQDNs, URLs, `Server=tcp:host,1433` connection
/// strings, `host:port` lists, and Key Vault references (`SecretUri=…` or `VaultName=…`).
pub fn hostnames_in(value: &str) -> Vec<DnsName> {
    let mut names = Vec::new();
    let trimmed = value.trim();
    if let Some(inner) = trimmed.strip_prefix(catalog::KEY_VAULT_REFERENCE_PREFIX).and_then(|r| r.strip_suffix(')')) {
        for part in inner.split(';') {
            if let Some((key, vault)) = part.split_once('=') {
                if key.trim().eq_ignore_ascii_case("VaultName") {
                    names.extend(catalog::customer_fqdns(
                        Cloud::Public,
                        arm_type::KEY_VAULTS,
                        vault.trim(),
                        "vault",
                        &NameHints::default(),
                    ));
                }
            }
        }
    }
    for token in trimmed.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '=' | '"' | '\'' | '(' | ')')) {
        if let Some(name) = host_of(token) {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The host in a token such as `https://h:443/p`, `tcp:h`, `h:6380` or `user@h`, if it looks like
/// a host name: at least two labels, an alphabetic top-level label, and either a catalogued
/// service suffix or at least three labels (so `app.py` or `3.12` are not taken for hosts).
fn host_of(token: &str) -> Option<DnsName> {
    let mut rest = token.trim();
    if let Some((_, after)) = rest.split_once("://") {
        rest = after;
    }
    rest = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((_, host)) = rest.rsplit_once('@') {
        rest = host;
    }
    if let Some((left, right)) = rest.split_once(':') {
        rest = if right.chars().all(|c| c.is_ascii_digit()) { left } else { right };
    }
    if !rest.contains('.') {
        return None;
    }
    let name = DnsName::parse(rest).ok()?;
    let tld = name.labels().next_back()?;
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let known = catalog::lookup_fqdn(Cloud::Public, &name).is_some();
    (known || name.label_count() >= 3).then_some(name)
}

/// The private endpoints of the estate with an approved connection to `target`, by id (the
/// target's own record of connections to endpoints the estate does not hold is not consulted).
pub fn approved_endpoints_in_estate(model: &Model, target: &ResourceId) -> Vec<ResourceId> {
    let mut out: Vec<ResourceId> = model
        .indexes
        .endpoints_of_target
        .get(target)
        .into_iter()
        .flatten()
        .filter(|pe| {
            model.resources.private_endpoints.get(*pe).is_some_and(|p| {
                p.connections.iter().any(|c| {
                    c.target.as_ref() == Some(target) && c.status == privlink_model::ConnectionStatus::Approved
                })
            })
        })
        .cloned()
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &str) -> Vec<String> {
        hostnames_in(v).iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn finds_hosts_in_the_usual_shapes() {
        assert_eq!(names("sql1.database.windows.net"), ["sql1.database.windows.net"]);
        assert_eq!(names("https://kv1.vault.azure.net/"), ["kv1.vault.azure.net"]);
        assert_eq!(
            names("Server=tcp:sql1.database.windows.net,1433;Database=db;Authentication=Active Directory Default"),
            ["sql1.database.windows.net"]
        );
        assert_eq!(names("r1.redis.cache.windows.net:6380,password=x,ssl=True"), ["r1.redis.cache.windows.net"]);
        assert_eq!(
            names("@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/s)"),
            ["kv1.vault.azure.net"]
        );
        assert_eq!(names("@Microsoft.KeyVault(VaultName=kv2;SecretName=s)"), ["kv2.vault.azure.net"]);
        assert_eq!(
            names("Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=k"),
            ["ns1.servicebus.windows.net"]
        );
    }

    #[test]
    fn ignores_values_that_are_not_hosts() {
        for v in ["6380", "1", "db-flask", "PYTHON|3.12", "3.12", "app.py", "gunicorn app:app", "true"] {
            assert!(hostnames_in(v).is_empty(), "{v}");
        }
    }
}
