//! Small helpers shared by rules: naming resources in `az` commands and reading documents.

use privlink_engine::catalog::{self, Cloud, NameHints};
use privlink_model::{Backend, DnsName, Model, PrivateEndpoint, ResourceId};
use serde_json::Value;

/// The resource group of an id, for `--resource-group`.
pub fn rg(id: &ResourceId) -> &str {
    id.resource_group().unwrap_or("RG")
}

/// The body of the document behind `id`.
pub fn body<'a>(model: &'a Model, id: &ResourceId) -> Option<&'a Value> {
    model.documents.get(id).map(|d| &d.body)
}

/// The array at `pointer` of the document behind `id` (empty if absent).
pub fn array(model: &Model, id: &ResourceId, pointer: &str) -> Vec<Value> {
    body(model, id).and_then(|b| b.pointer(pointer)).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The catalog's name hints for a private endpoint's target: the backend's kind, custom
/// subdomain and region when it is in the estate, else the endpoint's region.
pub fn hints<'a>(backend: Option<&'a Backend>, pe: &'a PrivateEndpoint) -> NameHints<'a> {
    NameHints {
        account_kind: backend.and_then(|b| b.resource_kind.as_deref()),
        custom_sub_domain: backend.and_then(|b| b.custom_subdomain.as_deref()),
        region: backend.and_then(|b| b.meta.location.as_deref()).or(pe.meta.location.as_deref()),
        ..NameHints::default()
    }
}

/// What a private endpoint's primary connection targets, as the catalog names it: the target id,
/// its group id, the `privatelink.` zones its records belong in and its customer-visible names.
pub struct EndpointNames {
    pub target: ResourceId,
    pub group_id: String,
    pub zones: Vec<DnsName>,
    pub customer_fqdns: Vec<DnsName>,
}

pub fn endpoint_names(model: &Model, pe: &PrivateEndpoint) -> Option<EndpointNames> {
    let conn = pe.primary_connection()?;
    let target = conn.target.clone()?;
    let group_id = conn.group_ids.first()?.clone();
    let backend = model.resources.backends.get(&target);
    let hints = hints(backend, pe);
    let ty = target.resource_type();
    let zones = catalog::private_zone_names(Cloud::Public, &ty, &group_id, &hints);
    let customer_fqdns = catalog::customer_fqdns(Cloud::Public, &ty, target.name(), &group_id, &hints);
    Some(EndpointNames { target, group_id, zones, customer_fqdns })
}

/// The record a zone group writes for `fqdn` into `zone`: the host label left of the public suffix
/// (`kv1` of `kv1.vault.azure.net` goes to `kv1.privatelink.vaultcore.azure.net`).
pub fn privatelink_name(fqdn: &DnsName, zone: &DnsName) -> Option<DnsName> {
    zone.prepend(fqdn.first_label()).ok()
}

/// The zone ids named `zone`, or a new id for one in `group_of`'s resource group.
pub fn zone_id_for(model: &Model, zone: &DnsName, group_of: &ResourceId) -> (ResourceId, bool) {
    match model.indexes.zones_by_name.get(zone).and_then(|v| v.first()) {
        Some(id) => (id.clone(), true),
        None => {
            let id = format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/privateDnsZones/{}",
                group_of.subscription().unwrap_or("SUBSCRIPTION"),
                rg(group_of),
                zone.as_str()
            );
            (ResourceId::parse(&id).expect("a well-formed zone id"), false)
        }
    }
}

/// The address a private endpoint's NIC holds for `fqdn` (the ipConfiguration whose
/// `privateLinkConnectionProperties.fqdns` names it), else its NIC's first address.
pub fn endpoint_ip(model: &Model, pe: &PrivateEndpoint, fqdn: Option<&DnsName>) -> Option<std::net::IpAddr> {
    let configs: Vec<&privlink_model::NicIpConfiguration> =
        model.endpoint_nics(&pe.meta.id).flat_map(|n| n.ip_configurations.iter()).collect();
    fqdn.and_then(|f| configs.iter().find(|c| c.private_link_fqdns.iter().any(|x| x.eq_ignore_ascii_case(f.as_str()))))
        .or(configs.first())
        .and_then(|c| c.private_ip)
}
