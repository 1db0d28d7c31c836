//! Small helpers shared by rules: naming resources in `az` commands and reading documents.

use crate::deps::Dependency;
use crate::fix::{pointer_token, Edit, Fix};
use privlink_engine::catalog::{self, Cloud, NameHints};
use privlink_engine::dns::dependencies::hostnames_in;
use privlink_model::arm_type;
use privlink_model::{Backend, DnsName, Model, PrivateEndpoint, ResourceId, Site, VnetPeering};
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
        region: backend.and_then(|b| b.meta.region()).or_else(|| pe.meta.region()),
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
                "/subscriptions/{}/resourceGroups/{}/providers/{}/{}",
                group_of.subscription().unwrap_or("SUBSCRIPTION"),
                rg(group_of),
                arm_type::PRIVATE_DNS_ZONES,
                zone.as_str()
            );
            (ResourceId::parse(&id).expect("a well-formed zone id"), false)
        }
    }
}

/// The private endpoints whose connection to `target` is approved, as either side records it.
pub fn approved_endpoints(model: &Model, target: &ResourceId) -> Vec<ResourceId> {
    let mut out = privlink_engine::dns::dependencies::approved_endpoints_in_estate(model, target);
    if let Some(b) = model.resources.backends.get(target) {
        out.extend(b.approved_connections().filter_map(|c| c.private_endpoint.clone()));
    }
    out.sort();
    out.dedup();
    out
}

/// The host names an app names in its app settings and connection strings (URLs, `Server=tcp:…`,
/// Key Vault references), each with the setting that names it.
pub fn names_in_settings(site: &Site) -> Vec<(DnsName, String)> {
    let mut out = Vec::new();
    for (k, v) in &site.app_settings {
        out.extend(hostnames_in(v).into_iter().map(|n| (n, k.clone())));
    }
    for (k, cs) in &site.connection_strings {
        out.extend(hostnames_in(&cs.value).into_iter().map(|n| (n, format!("connection string {k}"))));
    }
    out.sort();
    out.dedup();
    out
}

/// The customer-visible host names of a backend: the catalog's names for each group id of its
/// type, and the hosts its document declares (`vaultUri`, `fullyQualifiedDomainName` …).
pub fn backend_hosts(backend: &Backend) -> Vec<DnsName> {
    let hints = NameHints {
        account_kind: backend.resource_kind.as_deref(),
        custom_sub_domain: backend.custom_subdomain.as_deref(),
        region: backend.meta.region(),
        ..NameHints::default()
    };
    let mut out: Vec<DnsName> = catalog::entries_for_type(&backend.resource_type)
        .flat_map(|e| e.group_ids.iter())
        .flat_map(|g| catalog::customer_fqdns(Cloud::Public, &backend.resource_type, &backend.meta.name, g, &hints))
        .collect();
    out.extend(backend.declared_hosts.iter().filter_map(|h| DnsName::parse(h).ok()));
    out.sort();
    out.dedup();
    out
}

/// The indices of the members of the array at `pointer` in the document behind `id` that `is_it`
/// picks.
pub fn member_indices(model: &Model, id: &ResourceId, pointer: &str, is_it: impl Fn(&Value) -> bool) -> Vec<usize> {
    array(model, id, pointer).iter().enumerate().filter(|(_, m)| is_it(m)).map(|(i, _)| i).collect()
}

/// Whether an array member (a zone-group configuration, an IP configuration …) is named `name`.
pub fn has_name(member: &Value, name: &str) -> bool {
    member.get("name").and_then(Value::as_str) == Some(name)
}

/// Creating a private DNS zone, as `az network private-dns zone create` does.
pub fn create_private_zone(zone: &ResourceId) -> Edit {
    Edit::create(zone, serde_json::json!({"location": "global", "properties": {}}))
}

/// The edits that set app setting `name` of `site` to `value` (or remove it when `None`) in every
/// document that carries it: `config/appsettings`, `siteConfig.appSettings` of the site and the
/// `appSettings` list of `config/web`.
pub fn app_setting_edits(model: &Model, site: &Site, name: &str, value: Option<&str>) -> Vec<Edit> {
    let mut edits = Vec::new();
    if let Some(src) = &site.app_settings_source {
        if let Some(props) = body(model, src).and_then(|b| b.get("properties")).and_then(Value::as_object) {
            for k in props.keys().filter(|k| k.eq_ignore_ascii_case(name)) {
                let pointer = format!("/properties/{}", pointer_token(k));
                edits.push(match value {
                    Some(v) => Edit::add(src, pointer, Value::String(v.to_string())),
                    None => Edit::remove(src, pointer),
                });
            }
        }
    }
    let lists = [
        (Some(&site.meta.id), "/properties/siteConfig/appSettings"),
        (site.web_config_source.as_ref(), "/properties/appSettings"),
    ];
    for (doc, pointer) in lists {
        let Some(doc) = doc else { continue };
        let members = member_indices(model, doc, pointer, |e| {
            e.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        match value {
            None => edits.extend(Edit::remove_members(doc, pointer, &members)),
            Some(v) => edits.extend(
                members.iter().map(|i| Edit::add(doc, format!("{pointer}/{i}/value"), Value::String(v.to_string()))),
            ),
        }
    }
    edits
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

/// The distinct host names and app names of a group of dependencies, each sorted: how a finding
/// about several dependencies lists them.
pub fn names_and_apps<'a>(deps: &[&'a Dependency]) -> (Vec<String>, Vec<&'a str>) {
    let mut names: Vec<String> = deps.iter().map(|d| d.name.to_string()).collect();
    names.sort();
    names.dedup();
    let mut apps: Vec<&str> = deps.iter().map(|d| d.site.meta.name.as_str()).collect();
    apps.sort();
    apps.dedup();
    (names, apps)
}

/// What a DNS server that does not answer (`what` says which and why) does to the apps behind
/// it: the names `deps` cannot resolve, nothing resolving from there when it is the only server
/// (`silent`), or the wait before the next server is asked.
pub fn silent_server_consequence(what: &str, deps: &[&Dependency], silent: bool) -> String {
    if !deps.is_empty() {
        let (names, apps) = names_and_apps(deps);
        format!("{what}, so no name resolves for {}: {} cannot be resolved", apps.join(", "), names.join(", "))
    } else if silent {
        format!("{what}, so no name resolves from there (no app of the estate resolves through it yet)")
    } else {
        format!("{what}; every query waits for the timeout before the next server is asked")
    }
}

/// Where an app's DNS servers are set: the resource a person changes (azure-semantics §1.8).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DnsSetting {
    /// The integration VNet's `dhcpOptions.dnsServers`.
    Vnet(ResourceId),
    /// The app's `dnsConfiguration.dnsServers`.
    SiteDnsConfiguration(ResourceId),
    /// The app setting `WEBSITE_DNS_SERVER`.
    AppSetting(ResourceId),
}

impl DnsSetting {
    /// The resource that holds the setting.
    pub fn resource(&self) -> &ResourceId {
        match self {
            DnsSetting::Vnet(id) | DnsSetting::SiteDnsConfiguration(id) | DnsSetting::AppSetting(id) => id,
        }
    }

    /// "VNet V sends DNS queries to S" / "app A sets … to S".
    pub fn says(&self, server: &str) -> String {
        match self {
            DnsSetting::Vnet(v) => format!("VNet {} sends DNS queries to {server}", v.name()),
            DnsSetting::SiteDnsConfiguration(s) => {
                format!("app {} sets dnsConfiguration.dnsServers to {server}", s.name())
            }
            DnsSetting::AppSetting(s) => format!("app {} sets WEBSITE_DNS_SERVER to {server}", s.name()),
        }
    }
}

/// Where the DNS server the app uses is configured: the app's own settings first, else its
/// integration VNet (the order App Service applies, azure-semantics §1.8).
pub fn dns_setting_of(model: &Model, site: &Site) -> Option<DnsSetting> {
    if !site.dns_servers.is_empty() {
        return Some(DnsSetting::SiteDnsConfiguration(site.meta.id.clone()));
    }
    if site.app_setting("WEBSITE_DNS_SERVER").is_some_and(|v| !v.trim().is_empty()) {
        return Some(DnsSetting::AppSetting(site.meta.id.clone()));
    }
    let subnet = model.resources.subnets.get(&site.integration_subnet.as_ref()?.value)?;
    Some(DnsSetting::Vnet(subnet.vnet.clone()))
}

/// One side of the peering between two VNets: (from, to, the peering of `from` to `to`, if any).
pub type PeeringSide<'m> = (ResourceId, ResourceId, Option<&'m VnetPeering>);

/// The two sides of the peering between `a` and `b`: `a` to `b`, then `b` to `a`.
pub fn peering_sides<'m>(model: &'m Model, a: &ResourceId, b: &ResourceId) -> [PeeringSide<'m>; 2] {
    let side = |from: &ResourceId, to: &ResourceId| -> Option<&'m VnetPeering> {
        model.resources.peerings.values().find(|p| &p.vnet == from && p.remote_vnet.as_ref() == Some(to))
    };
    [(a.clone(), b.clone(), side(a, b)), (b.clone(), a.clone(), side(b, a))]
}

/// How each side stands, for messages: `to-hub of vnet-app to vnet-hub is Disconnected`.
pub fn peering_states(sides: &[PeeringSide]) -> Vec<String> {
    sides
        .iter()
        .map(|(from, to, p)| match p {
            Some(p) => format!("{} of {} to {} is {}", p.meta.name, from.name(), to.name(), p.state),
            None => format!("{} has no peering to {}", from.name(), to.name()),
        })
        .collect()
}

/// Peers the two VNets both ways, re-creating a side that is not connected (the edits record each
/// side `Connected`, as Azure shows it once both exist).
pub fn peering_fix(sides: &[PeeringSide]) -> Fix {
    let (mut az, mut edits) = (Vec::new(), Vec::new());
    for (from, to, existing) in sides {
        if existing.is_some_and(|p| p.is_connected()) {
            continue;
        }
        let name = existing.map_or_else(|| format!("{}-to-{}", from.name(), to.name()), |p| p.meta.name.clone());
        let id = existing.map_or_else(|| from.child("virtualNetworkPeerings", &name), |p| p.meta.id.clone());
        if existing.is_some() {
            az.push(format!(
                "az network vnet peering delete --resource-group {} --vnet-name {} --name {name}",
                rg(from),
                from.name()
            ));
            edits.push(Edit::replace(&id, "/properties/peeringState", serde_json::json!("Connected")));
        } else {
            edits.push(Edit::create(
                &id,
                serde_json::json!({"properties": {
                    "remoteVirtualNetwork": {"id": to.to_string()},
                    "allowVirtualNetworkAccess": true,
                    "allowForwardedTraffic": false,
                    "peeringState": "Connected",
                }}),
            ));
        }
        az.push(format!(
            "az network vnet peering create --resource-group {} --name {name} --vnet-name {} --remote-vnet {to} --allow-vnet-access",
            rg(from),
            from.name()
        ));
    }
    Fix { az, edits }
}

/// The VNet of the app's integration subnet.
pub fn integration_vnet(model: &Model, site: &Site) -> Option<ResourceId> {
    let subnet = &site.integration_subnet.as_ref()?.value;
    model.resources.subnets.get(subnet).map(|s| s.vnet.clone()).or_else(|| subnet.parent())
}

/// ARM's `guid(a, b, …)` of `parts`: the name a template's `guid(scope, principalId,
/// roleDefinitionId)` gives a role assignment, so a fix and a template that follows the convention
/// write the same document.
pub fn arm_guid(parts: &[&str]) -> String {
    privlink_engine::guid::arm_guid(&parts.join("-"))
}

/// Granting `object_id` (a managed identity) the built-in role `role` at `scope`: the az command
/// and the `roleAssignments` document it creates (named by [`arm_guid`] of scope, principal and
/// role definition id). `None` for a role the catalog does not hold.
pub fn role_assignment_fix(scope: &ResourceId, object_id: &str, role: &str) -> Option<Fix> {
    let definition = catalog::built_in_role_named(role)?;
    let subscription = scope.subscription().unwrap_or("SUBSCRIPTION");
    let provider = arm_type::ROLE_ASSIGNMENTS.split_once('/').map_or("", |(namespace, _)| namespace);
    let definition_id = format!("/subscriptions/{subscription}/providers/{provider}/roleDefinitions/{}", definition.id);
    let name = arm_guid(&[scope.as_str(), object_id, &definition_id]);
    let id = ResourceId::parse(&format!("{scope}/providers/{}/{name}", arm_type::ROLE_ASSIGNMENTS)).ok()?;
    let az = format!(
        "az role assignment create --assignee-object-id {object_id} --assignee-principal-type ServicePrincipal --role \"{role}\" --scope {scope}"
    );
    let body = serde_json::json!({
        "type": arm_type::ROLE_ASSIGNMENTS,
        "properties": {
            "roleDefinitionId": definition_id,
            "principalId": object_id,
            "principalType": "ServicePrincipal",
            "scope": scope.to_string(),
        }
    });
    Some(Fix { az: vec![az], edits: vec![Edit::create(&id, body)] })
}

/// The edit giving `site` a managed identity: the system-assigned one (`user_assigned: None`) or
/// the user-assigned identity `user_assigned`, keeping the identities it has.
pub fn identity_edits(site: &Site, user_assigned: Option<&str>) -> Vec<Edit> {
    let has_system = site.identity.has_system_assigned() || user_assigned.is_none();
    let has_user = !site.identity.user_assigned.is_empty() || user_assigned.is_some();
    let kind = match (has_system, has_user) {
        (true, true) => "SystemAssigned, UserAssigned",
        (true, false) => "SystemAssigned",
        _ => "UserAssigned",
    };
    let mut edits = vec![Edit::replace(&site.meta.id, "/identity/type", serde_json::json!(kind))];
    if let Some(id) = user_assigned {
        let pointer = format!("/identity/userAssignedIdentities/{}", pointer_token(id));
        edits.push(Edit::add(&site.meta.id, pointer, serde_json::json!({})));
    }
    edits
}

/// One use of a service whose grant is missing, from a dependency's access step or a Key Vault
/// reference: the site, the backend, the principal's object id and what the use is, with evidence.
pub struct MissingGrant<'m> {
    pub site: &'m Site,
    pub backend: &'m Backend,
    pub object_id: String,
    pub tenant_id: Option<String>,
    pub display_name: String,
    pub cause: privlink_engine::access::Cause,
    pub usage: String,
    pub evidence: Value,
}

/// Every use whose access the engine denies with a cause `wanted` accepts: the dependencies' access
/// steps and the apps' failed Key Vault references, in (site, dependency) then (site, setting) order.
pub fn missing_grants<'a>(
    model: &'a Model,
    analysis: &'a crate::deps::Analysis<'_>,
    wanted: impl Fn(&privlink_engine::access::Cause) -> bool,
) -> Vec<MissingGrant<'a>> {
    use privlink_engine::access::{principal_for_code, principal_for_references, AccessVerdict};
    let mut out = Vec::new();
    for (d, p, a) in analysis.access(AccessVerdict::Denied) {
        let Some(cause) = a.cause.as_ref().filter(|c| wanted(c)) else { continue };
        let Some(backend) =
            privlink_engine::trace::owner_of(model, &d.name).and_then(|o| model.resources.backends.get(&o))
        else {
            continue;
        };
        let Ok(principal) = principal_for_code(model, d.site) else { continue };
        let Some(object_id) = principal.object_id.clone() else { continue };
        out.push(MissingGrant {
            site: d.site,
            backend,
            object_id,
            tenant_id: principal.tenant_id.clone(),
            display_name: principal.display_name.clone(),
            cause: cause.clone(),
            usage: format!("{} → {}", d.site.meta.name, p.to),
            evidence: analysis.access_evidence(d, p, a),
        });
    }
    for r in analysis.failed_references() {
        let Some(cause) = r.resolution.cause.as_ref().filter(|c| wanted(c)) else { continue };
        let vault = r.resolution.vault.as_deref().unwrap_or_default().to_ascii_lowercase();
        let Some(backend) = model
            .indexes
            .backends_by_name
            .get(&vault)
            .into_iter()
            .flatten()
            .filter_map(|id| model.resources.backends.get(id))
            .find(|b| b.kind == privlink_model::BackendKind::KeyVault)
        else {
            continue;
        };
        let Ok(principal) = principal_for_references(model, r.site) else { continue };
        let Some(object_id) = principal.object_id.clone() else { continue };
        out.push(MissingGrant {
            site: r.site,
            backend,
            object_id,
            tenant_id: principal.tenant_id.clone(),
            display_name: principal.display_name.clone(),
            cause: cause.clone(),
            usage: format!("{}'s Key Vault reference in {}", r.site.meta.name, r.setting),
            evidence: r.evidence(),
        });
    }
    out
}

/// The missing grants grouped by (backend, principal), in that order: one finding each.
pub fn by_backend_and_principal(grants: Vec<MissingGrant<'_>>) -> Vec<Vec<MissingGrant<'_>>> {
    let mut groups: std::collections::BTreeMap<(ResourceId, String), Vec<MissingGrant>> = Default::default();
    for g in grants {
        groups.entry((g.backend.meta.id.clone(), g.object_id.to_ascii_lowercase())).or_default().push(g);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod guid_tests {
    #[test]
    fn arm_guid_is_the_value_azure_computes_for_guid_of_the_same_arguments() {
        // Azure/bicep FunctionResolverTests: guid('foo', 'bar', 'baz') as Azure's expression library evaluates it.
        assert_eq!(super::arm_guid(&["foo", "bar", "baz"]), "2ed86837-7c7c-5eaa-9864-dd077fd19b0d");
        assert_eq!(super::arm_guid(&["asdf"]), "228d27cc-6fdb-5934-b7ac-1efccebade04");
    }
}
