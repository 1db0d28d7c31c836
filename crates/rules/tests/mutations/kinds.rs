//! The misconfigurations the property test applies: each is an edit on the ARM documents (by
//! id), as a person or a pipeline would make it, named so that failures are classified by kind.

use super::estate::Estate;
use super::rng::Rng;
use privlink_engine::provider;
use privlink_model::{Model, ResourceId};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Every mutation kind, by the name failures are classified under.
pub const KINDS: &[&str] = &[
    "delete-zone-link",
    "delete-record",
    "delete-zone-group",
    "delete-private-endpoint",
    "nsg-deny-integration-subnet",
    "nsg-deny-endpoint-subnet/Disabled",
    "nsg-deny-endpoint-subnet/Enabled",
    "nsg-deny-endpoint-subnet/NetworkSecurityGroupEnabled",
    "nsg-deny-endpoint-subnet/RouteTableEnabled",
    "udr/None",
    "udr/VirtualAppliance",
    "route-all-off/outboundVnetRouting.allTraffic",
    "route-all-off/outboundVnetRouting.applicationTraffic",
    "route-all-off/vnetRouteAllEnabled",
    "route-all-off/WEBSITE_VNET_ROUTE_ALL",
    "route-all-off/everywhere",
    "website-dns-server/public",
    "website-dns-server/unknown-private",
    "website-dns-server/azure-dns",
    "vnet-dns/unknown",
    "vnet-dns/resolver-inbound-endpoint",
    "vnet-dns/firewall-dns-proxy",
    "vnet-dns/dns-vm",
    "remove-vnet-integration",
    "connection/Pending",
    "connection/Rejected",
    "connection/Disconnected",
    "public-network-access-toggled",
    "firewall-default-action-toggled",
    "peering-disconnected",
    "service-endpoint-removed",
    "remove-site-identity",
    "delete-role-assignment",
    "rbac-authorization-toggled",
    "remove-sql-admin",
];

/// A DNS server no document of the estate describes.
const UNKNOWN_PRIVATE_DNS: &str = "10.250.0.53";

/// Applies `kind` to `estate` (whose unmutated model is `base`) at a random target; `None` when
/// the estate has nothing the kind applies to. Returns what was done, for the failure report.
pub fn apply(kind: &str, estate: &mut Estate, base: &Model, rng: &mut Rng) -> Option<String> {
    let (family, variant) = kind.split_once('/').unwrap_or((kind, ""));
    match family {
        "delete-zone-link" => delete_one(estate, rng, "Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
        "delete-record" => delete_one(estate, rng, "Microsoft.Network/privateDnsZones/A"),
        "delete-zone-group" => delete_zone_group(estate, rng),
        "delete-private-endpoint" => {
            // As Azure does it, through the engine's provider: the NIC, the zone groups with the
            // records they wrote, and the target's connection go with the endpoint; records written
            // by hand stay.
            let pe = rng.choose(&estate.ids_of_type("Microsoft.Network/privateEndpoints"))?.clone();
            let id = ResourceId::parse(&pe).ok()?;
            let documents: BTreeMap<ResourceId, Value> = estate
                .docs
                .values()
                .filter_map(|d| Some((ResourceId::parse(d["id"].as_str()?).ok()?, d.clone())))
                .collect();
            let write = provider::Write { method: provider::WriteMethod::Delete, id: &id, document: None };
            for change in provider::apply(&documents, &write).ok()? {
                match change {
                    provider::Change::Put(doc) => estate.insert(doc),
                    provider::Change::Delete(gone) => delete_with_children(estate, gone.as_str()),
                }
            }
            Some(format!("deleted {pe} as Azure does (its NIC, zone groups and the target's connection with it)"))
        }
        "nsg-deny-integration-subnet" => {
            let subnet = integration_subnets(base, rng)?;
            let destination = rng.pick(&destinations(base)).clone();
            let rule = deny_rule(rng, "Outbound", "*".into(), destination);
            Some(add_nsg_rule(estate, &subnet, rng, rule))
        }
        "nsg-deny-endpoint-subnet" => {
            let subnets: Vec<ResourceId> =
                base.resources.private_endpoints.values().filter_map(|pe| pe.subnet.clone()).collect();
            let subnet = rng.choose(&subnets)?.clone();
            estate.get_mut(subnet.as_str())?["properties"]["privateEndpointNetworkPolicies"] = json!(variant);
            let mut sources = vec!["*".to_string(), "VirtualNetwork".to_string()];
            sources.extend(
                base.resources.sites.values().filter_map(|s| prefix_of(base, &s.integration_subnet.as_ref()?.value)),
            );
            let source = rng.pick(&sources).clone();
            let destination =
                rng.pick(&["*".to_string(), prefix_of(base, &subnet).unwrap_or_else(|| "*".into())]).clone();
            let rule = deny_rule(rng, "Inbound", source, destination);
            Some(format!(
                "privateEndpointNetworkPolicies={variant} on {subnet}; {}",
                add_nsg_rule(estate, &subnet, rng, rule)
            ))
        }
        "udr" => {
            let subnet = integration_subnets(base, rng)?;
            let endpoint_subnets: Vec<(ResourceId, String)> = base
                .resources
                .private_endpoints
                .values()
                .filter_map(|pe| Some((pe.subnet.clone()?, prefix_of(base, pe.subnet.as_ref()?)?)))
                .collect();
            let mut prefixes = vec!["0.0.0.0/0".to_string(), "10.0.0.0/8".to_string()];
            prefixes.extend(endpoint_subnets.iter().map(|(_, p)| p.clone()));
            let prefix = rng.pick(&prefixes).clone();
            let mut props = json!({"addressPrefix": prefix, "nextHopType": variant});
            if variant == "VirtualAppliance" {
                props["nextHopIpAddress"] = json!(rng.pick(&["10.0.0.132", "10.0.2.4", "192.168.1.4"]));
            }
            let mut what = add_route(estate, &subnet, props);
            // A route to an endpoint's subnet beats the endpoint's /32 only where the endpoint
            // subnet's policies apply route tables: half the time, make them.
            if let Some((pe_subnet, _)) =
                endpoint_subnets.iter().find(|(_, p)| *p == prefix).filter(|_| rng.below(2) == 0)
            {
                let policies = *rng.pick(&["RouteTableEnabled", "Enabled"]);
                estate.get_mut(pe_subnet.as_str())?["properties"]["privateEndpointNetworkPolicies"] = json!(policies);
                what.push_str(&format!("; privateEndpointNetworkPolicies={policies} on {pe_subnet}"));
            }
            Some(what)
        }
        "route-all-off" => {
            let site = rng.choose(&base.resources.sites.keys().cloned().collect::<Vec<_>>())?.clone();
            let places: &[&str] = match variant {
                "everywhere" => &[
                    "outboundVnetRouting.allTraffic",
                    "outboundVnetRouting.applicationTraffic",
                    "vnetRouteAllEnabled",
                    "WEBSITE_VNET_ROUTE_ALL",
                ],
                one => &[one][..],
            };
            for place in places.iter().copied() {
                route_all_off(estate, &site, place);
            }
            Some(format!("route-all off ({variant}) on {site}"))
        }
        "website-dns-server" => {
            let site = rng.choose(&base.resources.sites.keys().cloned().collect::<Vec<_>>())?.clone();
            let server = match variant {
                "public" => "8.8.8.8",
                "unknown-private" => UNKNOWN_PRIVATE_DNS,
                _ => "168.63.129.16",
            };
            set_app_setting(estate, &site, "WEBSITE_DNS_SERVER", Some(server));
            Some(format!("WEBSITE_DNS_SERVER={server} on {site}"))
        }
        "vnet-dns" => {
            let server = match variant {
                "unknown" => UNKNOWN_PRIVATE_DNS.to_string(),
                // An Azure Firewall's private address: its DNS proxy, on or off as the estate has it.
                "firewall-dns-proxy" => {
                    let mut ips: Vec<String> = base.indexes.firewall_by_ip.keys().map(ToString::to_string).collect();
                    ips.sort();
                    rng.choose(&ips)?.clone()
                }
                // A VM's NIC (not a private endpoint's, not a resolver's): a DNS VM privlink cannot see.
                "dns-vm" => {
                    let mut ips: Vec<String> = base
                        .resources
                        .network_interfaces
                        .values()
                        .filter(|n| n.private_endpoint.is_none())
                        .flat_map(|n| n.private_ips())
                        .filter(|ip| !base.indexes.resolver_inbound_by_ip.contains_key(ip))
                        .map(|ip| ip.to_string())
                        .collect();
                    ips.sort();
                    rng.choose(&ips)?.clone()
                }
                _ => {
                    let ips: Vec<String> = estate
                        .ids_of_type("Microsoft.Network/dnsResolvers/inboundEndpoints")
                        .iter()
                        .filter_map(|id| {
                            estate.get(id)?["properties"]["ipConfigurations"][0]["privateIpAddress"]
                                .as_str()
                                .map(str::to_string)
                        })
                        .collect();
                    rng.choose(&ips)?.clone()
                }
            };
            let vnets: Vec<ResourceId> = base
                .resources
                .sites
                .values()
                .filter_map(|s| Some(base.resources.subnets.get(&s.integration_subnet.as_ref()?.value)?.vnet.clone()))
                .collect();
            let vnet = rng.choose(&vnets)?.clone();
            estate.get_mut(vnet.as_str())?["properties"]["dhcpOptions"] = json!({"dnsServers": [server]});
            Some(format!("dnsServers [{server}] on {vnet}"))
        }
        "remove-vnet-integration" => {
            let sites: Vec<ResourceId> = base
                .resources
                .sites
                .values()
                .filter(|s| s.integration_subnet.is_some())
                .map(|s| s.meta.id.clone())
                .collect();
            let site = rng.choose(&sites)?.clone();
            let prefix = format!("{}/", site.as_str().to_ascii_lowercase());
            estate.docs.retain(|id, _| {
                !(id.starts_with(&prefix)
                    && (id.contains("/virtualnetworkconnections/") || id.ends_with("/networkconfig/virtualnetwork")))
            });
            let doc = estate.get_mut(site.as_str())?;
            if let Some(p) = doc["properties"].as_object_mut() {
                p.remove("virtualNetworkSubnetId");
            }
            Some(format!("VNet integration removed from {site}"))
        }
        "connection" => {
            let pes: Vec<ResourceId> = base.resources.private_endpoints.keys().cloned().collect();
            let pe = rng.choose(&pes)?.clone();
            set_connection_status(estate, &pe, variant);
            Some(format!("connection of {pe} set to {variant}"))
        }
        "public-network-access-toggled" => {
            let backend = rng.choose(&base.resources.backends.keys().cloned().collect::<Vec<_>>())?.clone();
            let props = &mut estate.get_mut(backend.as_str())?["properties"];
            let now = if props["publicNetworkAccess"].as_str().is_some_and(|v| v.eq_ignore_ascii_case("Disabled")) {
                "Enabled"
            } else {
                "Disabled"
            };
            props["publicNetworkAccess"] = json!(now);
            Some(format!("publicNetworkAccess={now} on {backend}"))
        }
        "firewall-default-action-toggled" => {
            let backends: Vec<ResourceId> = base
                .resources
                .backends
                .keys()
                .filter(|id| {
                    let t = id.type_key();
                    t.contains("keyvault")
                        || t.contains("storage")
                        || t.contains("cognitiveservices")
                        || estate.get(id.as_str()).is_some_and(|d| d["properties"]["networkAcls"].is_object())
                })
                .cloned()
                .collect();
            let backend = rng.choose(&backends)?.clone();
            let props = &mut estate.get_mut(backend.as_str())?["properties"];
            let now = if props["networkAcls"]["defaultAction"].as_str().is_some_and(|v| v.eq_ignore_ascii_case("Deny"))
            {
                "Allow"
            } else {
                "Deny"
            };
            if !props["networkAcls"].is_object() {
                props["networkAcls"] = json!({"bypass": "None"});
            }
            props["networkAcls"]["defaultAction"] = json!(now);
            Some(format!("networkAcls.defaultAction={now} on {backend}"))
        }
        "peering-disconnected" => {
            let peerings = estate.ids_of_type("Microsoft.Network/virtualNetworks/virtualNetworkPeerings");
            let peering = rng.choose(&peerings)?.clone();
            estate.get_mut(&peering)?["properties"]["peeringState"] = json!("Disconnected");
            Some(format!("{peering} Disconnected"))
        }
        "service-endpoint-removed" => {
            let subnets: Vec<String> = estate
                .ids_of_type("Microsoft.Network/virtualNetworks/subnets")
                .into_iter()
                .filter(|id| {
                    estate
                        .get(id)
                        .and_then(|d| d["properties"]["serviceEndpoints"].as_array())
                        .is_some_and(|a| !a.is_empty())
                })
                .collect();
            let subnet = rng.choose(&subnets)?.clone();
            let list = estate.get_mut(&subnet)?["properties"]["serviceEndpoints"].as_array_mut()?;
            let removed = list.remove(rng.below(list.len()));
            Some(format!("service endpoint {removed} removed from {subnet}"))
        }
        "remove-site-identity" => {
            let sites: Vec<ResourceId> = base
                .resources
                .sites
                .values()
                .filter(|s| s.identity.has_system_assigned())
                .map(|s| s.meta.id.clone())
                .collect();
            let site = rng.choose(&sites)?.clone();
            estate.get_mut(site.as_str())?.as_object_mut()?.remove("identity");
            Some(format!("identity removed from {site}"))
        }
        "delete-role-assignment" => delete_one(estate, rng, "Microsoft.Authorization/roleAssignments"),
        "rbac-authorization-toggled" => {
            let vaults: Vec<String> = estate.ids_of_type("Microsoft.KeyVault/vaults");
            let vault = rng.choose(&vaults)?.clone();
            let props = &mut estate.get_mut(&vault)?["properties"];
            let now = props["enableRbacAuthorization"].as_bool() != Some(true);
            props["enableRbacAuthorization"] = json!(now);
            Some(format!("enableRbacAuthorization={now} on {vault}"))
        }
        "remove-sql-admin" => {
            let servers: Vec<ResourceId> = base
                .resources
                .backends
                .values()
                .filter(|b| b.sql_entra_admin.is_some())
                .map(|b| b.meta.id.clone())
                .collect();
            let server = rng.choose(&servers)?.clone();
            if let Some(p) = estate.get_mut(server.as_str())?["properties"].as_object_mut() {
                p.remove("administrators");
            }
            let prefix = format!("{}/administrators/", server.as_str().to_ascii_lowercase());
            estate.docs.retain(|id, _| !id.starts_with(&prefix));
            Some(format!("Entra admin removed from {server}"))
        }
        other => panic!("unknown mutation kind {other}"),
    }
}

/// Deletes one document of type `ty` and the documents under it.
fn delete_one(estate: &mut Estate, rng: &mut Rng, ty: &str) -> Option<String> {
    let id = rng.choose(&estate.ids_of_type(ty))?.clone();
    delete_with_children(estate, &id);
    Some(format!("deleted {id}"))
}

fn delete_with_children(estate: &mut Estate, id: &str) {
    let prefix = format!("{}/", id.to_ascii_lowercase());
    estate.docs.retain(|k, _| !k.starts_with(&prefix));
    estate.remove(id);
}

fn nics_of(estate: &Estate, pe: &str) -> Vec<String> {
    let Some(doc) = estate.get(pe) else { return Vec::new() };
    doc["properties"]["networkInterfaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["id"].as_str().map(str::to_string))
        .collect()
}

/// Deletes a zone group and, as Azure does, the A records it wrote: those in its zones that hold
/// its endpoint's addresses.
fn delete_zone_group(estate: &mut Estate, rng: &mut Rng) -> Option<String> {
    let group = rng.choose(&estate.ids_of_type("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"))?.clone();
    let doc = estate.remove(&group)?;
    let pe = &group[..group.to_ascii_lowercase().find("/privatednszonegroups/")?];
    let addresses: Vec<String> = nics_of(estate, pe)
        .iter()
        .filter_map(|nic| estate.get(nic))
        .flat_map(|n| n["properties"]["ipConfigurations"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["properties"]["privateIPAddress"].as_str().map(str::to_string))
        .collect();
    let zones: Vec<String> = doc["properties"]["privateDnsZoneConfigs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["properties"]["privateDnsZoneId"].as_str().map(|z| format!("{}/a/", z.to_ascii_lowercase())))
        .collect();
    estate.docs.retain(|id, record| {
        let written = record["properties"]["aRecords"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["ipv4Address"].as_str().is_some_and(|ip| addresses.iter().any(|x| x == ip)));
        !(written && zones.iter().any(|z| id.starts_with(z.as_str())))
    });
    Some(format!("deleted {group} and its records"))
}

/// One app's integration subnet, if some app has one.
fn integration_subnets(base: &Model, rng: &mut Rng) -> Option<ResourceId> {
    let subnets: Vec<ResourceId> =
        base.resources.sites.values().filter_map(|s| Some(s.integration_subnet.as_ref()?.value.clone())).collect();
    rng.choose(&subnets).cloned()
}

fn prefix_of(base: &Model, subnet: &ResourceId) -> Option<String> {
    base.resources.subnets.get(subnet)?.prefixes.first().map(ToString::to_string)
}

/// Destination prefixes a deny rule on the app side may name: everything, the VNet, the internet,
/// service tags, and each private endpoint's subnet.
fn destinations(base: &Model) -> Vec<String> {
    let mut out: Vec<String> =
        ["*", "VirtualNetwork", "Internet", "Sql", "AzureKeyVault", "Storage"].iter().map(|s| s.to_string()).collect();
    out.extend(base.resources.private_endpoints.values().filter_map(|pe| prefix_of(base, pe.subnet.as_ref()?)));
    out
}

/// A deny rule's properties; its priority is chosen when it is added.
fn deny_rule(rng: &mut Rng, direction: &str, source: String, destination: String) -> Value {
    json!({
        "direction": direction,
        "access": "Deny",
        "protocol": rng.pick(&["Tcp", "*"]),
        "sourceAddressPrefix": source,
        "sourcePortRange": "*",
        "destinationAddressPrefix": destination,
        "destinationPortRange": rng.pick(&["*", "443", "1433", "6379", "1433-1434", "6380"]),
    })
}

fn resource_group_of(id: &str) -> &str {
    id.find("/providers/").map_or(id, |i| &id[..i])
}

/// The id of the subnet's resource referenced under `property` (`networkSecurityGroup`,
/// `routeTable`), created (empty) and attached when the subnet has none.
fn attached(estate: &mut Estate, subnet: &ResourceId, property: &str, ty: &str, prefix: &str) -> String {
    if let Some(id) = estate.get(subnet.as_str()).and_then(|d| d["properties"][property]["id"].as_str()) {
        if estate.get(id).is_some() {
            return id.to_string();
        }
    }
    let name = format!("{prefix}-mutation-{}", subnet.name());
    let id = format!("{}/providers/{ty}/{name}", resource_group_of(subnet.as_str()));
    estate.insert(json!({"id": id, "name": name, "type": ty, "location": "westeurope", "properties": {}}));
    if let Some(doc) = estate.get_mut(subnet.as_str()) {
        doc["properties"][property] = json!({"id": id});
    }
    id
}

/// Adds `rule` to the NSG of `subnet` at priority 100, 4096 or a random one. A rule already at
/// that priority and direction moves to the nearest free one (Azure refuses two), so the deny
/// really lands above what the NSG allowed there.
fn add_nsg_rule(estate: &mut Estate, subnet: &ResourceId, rng: &mut Rng, mut rule: Value) -> String {
    let nsg = attached(estate, subnet, "networkSecurityGroup", "Microsoft.Network/networkSecurityGroups", "nsg");
    let direction = rule["direction"].as_str().unwrap_or_default().to_string();
    let prefix = format!("{}/securityrules/", nsg.to_ascii_lowercase());
    let same_direction: Vec<(String, u64)> = estate
        .docs
        .iter()
        .filter(|(k, d)| {
            k.starts_with(&prefix)
                && d["properties"]["direction"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&direction))
        })
        .filter_map(|(k, d)| Some((k.clone(), d["properties"]["priority"].as_u64()?)))
        .collect();
    let priority = match rng.below(3) {
        0 => 100,
        1 => 4096,
        _ => 100 + rng.below(3997) as u64,
    };
    let taken = |p: u64| same_direction.iter().any(|(_, q)| *q == p);
    if let Some((holder, _)) = same_direction.iter().find(|(_, q)| *q == priority) {
        let free = (priority + 1..=4096).chain((100..priority).rev()).find(|p| !taken(*p));
        if let (Some(free), Some(doc)) = (free, estate.docs.get_mut(holder)) {
            doc["properties"]["priority"] = json!(free);
        }
    }
    rule["priority"] = json!(priority);
    let name = format!("deny-mutation-{priority}");
    let id = format!("{nsg}/securityRules/{name}");
    let summary = format!("{direction} deny {} at {priority} in {nsg}", rule["destinationPortRange"]);
    let ty = "Microsoft.Network/networkSecurityGroups/securityRules";
    estate.insert(json!({"id": id, "name": name, "type": ty, "properties": rule}));
    summary
}

fn add_route(estate: &mut Estate, subnet: &ResourceId, props: Value) -> String {
    let table = attached(estate, subnet, "routeTable", "Microsoft.Network/routeTables", "rt");
    let name = format!("route-mutation-{}", estate.docs.len());
    let id = format!("{table}/routes/{name}");
    let summary = format!("route {} via {} in {table}", props["addressPrefix"], props["nextHopType"]);
    estate.insert(json!({"id": id, "name": name, "type": "Microsoft.Network/routeTables/routes", "properties": props}));
    summary
}

/// Turns route-all off in one of the four places App Service reads it.
fn route_all_off(estate: &mut Estate, site: &ResourceId, place: &str) {
    let web = format!("{site}/config/web");
    match place {
        "outboundVnetRouting.allTraffic" | "outboundVnetRouting.applicationTraffic" => {
            let field = place.trim_start_matches("outboundVnetRouting.");
            if let Some(doc) = estate.get_mut(site.as_str()) {
                if !doc["properties"]["outboundVnetRouting"].is_object() {
                    doc["properties"]["outboundVnetRouting"] = json!({});
                }
                doc["properties"]["outboundVnetRouting"][field] = json!(false);
            }
        }
        "vnetRouteAllEnabled" => {
            if let Some(doc) = estate.get_mut(site.as_str()) {
                doc["properties"]["vnetRouteAllEnabled"] = json!(false);
                if doc["properties"]["siteConfig"].get("vnetRouteAllEnabled").is_some() {
                    doc["properties"]["siteConfig"]["vnetRouteAllEnabled"] = json!(false);
                }
            }
            if let Some(doc) = estate.get_mut(&web) {
                if doc["properties"].get("vnetRouteAllEnabled").is_some() {
                    doc["properties"]["vnetRouteAllEnabled"] = json!(false);
                }
            }
        }
        _ => set_app_setting(estate, site, "WEBSITE_VNET_ROUTE_ALL", None),
    }
}

/// Sets (or, with `None`, removes) an app setting wherever the site's documents hold settings:
/// the `config/appsettings` document and the inline `siteConfig.appSettings` array.
fn set_app_setting(estate: &mut Estate, site: &ResourceId, name: &str, value: Option<&str>) {
    let appsettings = format!("{site}/config/appsettings");
    let has_doc = estate.get(&appsettings).is_some();
    if let Some(doc) = estate.get_mut(&appsettings) {
        match value {
            Some(v) => doc["properties"][name] = json!(v),
            None => {
                if let Some(p) = doc["properties"].as_object_mut() {
                    p.remove(name);
                }
            }
        }
    }
    for id in [site.to_string(), format!("{site}/config/web")] {
        let Some(doc) = estate.get_mut(&id) else { continue };
        let config = if id == site.as_str() { &mut doc["properties"]["siteConfig"] } else { &mut doc["properties"] };
        let Some(config) = config.as_object_mut() else {
            if id == site.as_str() && !has_doc && value.is_some() {
                doc["properties"]["siteConfig"] = json!({"appSettings": [{"name": name, "value": value}]});
            }
            continue;
        };
        let list = config.entry("appSettings").or_insert_with(|| json!([]));
        let Some(list) = list.as_array_mut() else { continue };
        list.retain(|s| !s["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)));
        if let (Some(v), true) = (value, id == site.as_str() && !has_doc) {
            list.push(json!({"name": name, "value": v}));
        }
    }
}

/// Sets the status of a private endpoint's connection on both sides: the endpoint's
/// `privateLinkServiceConnections` and the target's `privateEndpointConnections`.
fn set_connection_status(estate: &mut Estate, pe: &ResourceId, status: &str) {
    let state = |c: &mut Value| {
        if c["properties"].is_object() {
            c["properties"]["privateLinkServiceConnectionState"]["status"] = json!(status);
        }
    };
    for doc in estate.docs.values_mut() {
        let is_pe = doc["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(pe.as_str()));
        if is_pe {
            for key in ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] {
                if let Some(list) = doc["properties"][key].as_array_mut() {
                    list.iter_mut().for_each(state);
                }
            }
            continue;
        }
        let names_pe = |c: &Value| {
            c["properties"]["privateEndpoint"]["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(pe.as_str()))
        };
        if names_pe(doc) {
            state(doc);
        }
        if let Some(list) = doc["properties"]["privateEndpointConnections"].as_array_mut() {
            list.iter_mut().filter(|c| names_pe(c)).for_each(state);
        }
    }
}
