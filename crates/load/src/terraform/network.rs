//! azurerm networking and private DNS resources as ARM documents (Appendix A.1; the attribute
//! names of azurerm 3.x, 4.x and 5.x from A.2 are all read).

use super::plan::Instance;
use super::{enabled, id_ref, object, Ctx, Mapped};
use privlink_model::arm_type;
use privlink_model::{Origin, Severity};
use serde_json::{json, Value};

/// The document skeleton: id, name, type and location.
pub(super) fn document(ctx: &Ctx, inst: &Instance, ty: &str, location: Option<&str>) -> Option<Value> {
    let id = ctx.id_of(inst)?;
    let name = id.rsplit('/').next().unwrap_or_default().to_string();
    let mut doc = json!({ "id": id, "name": name, "type": ty });
    let location = match location {
        Some(l) => Some(l.to_string()),
        None => ctx.known(inst, "location"),
    };
    if let Some(l) = location {
        doc["location"] = Value::String(l);
    }
    Some(doc)
}

/// Maps a networking resource; `false` when `inst` is of another kind.
pub(super) fn map(ctx: &Ctx, inst: &Instance, out: &mut Mapped) -> bool {
    let mut push = |doc: Option<Value>| out.documents.extend(doc);
    match inst.kind {
        "azurerm_resource_group" => push(document(ctx, inst, arm_type::RESOURCE_GROUPS, None)),
        "azurerm_virtual_network" => push(vnet(ctx, inst)),
        "azurerm_subnet" => push(document(ctx, inst, arm_type::SUBNETS, Some("")).map(|mut d| {
            d.as_object_mut().expect("object").remove("location");
            d["properties"] = subnet_properties(ctx, inst, "");
            d
        })),
        "azurerm_network_security_group" => {
            push(document(ctx, inst, arm_type::NETWORK_SECURITY_GROUPS, None).map(|mut d| {
                let rules: Vec<Value> = (0..inst.len("security_rule"))
                    .map(|i| security_rule(ctx, inst, &format!("security_rule.{i}.")))
                    .collect();
                d["properties"] = json!({ "securityRules": rules });
                d
            }))
        }
        "azurerm_network_security_rule" => {
            push(document(ctx, inst, arm_type::SECURITY_RULES, Some("")).map(|mut d| {
                d.as_object_mut().expect("object").remove("location");
                d["properties"] = security_rule(ctx, inst, "")["properties"].take();
                d
            }))
        }
        "azurerm_subnet_network_security_group_association" => {
            if let Some(subnet) = ctx.id(inst, "subnet_id") {
                let nsg = id_ref(ctx.id(inst, "network_security_group_id"));
                out.patches.push((subnet, json!({ "properties": object(vec![("networkSecurityGroup", nsg)]) })));
            }
        }
        "azurerm_subnet_route_table_association" => {
            if let Some(subnet) = ctx.id(inst, "subnet_id") {
                let table = id_ref(ctx.id(inst, "route_table_id"));
                out.patches.push((subnet, json!({ "properties": object(vec![("routeTable", table)]) })));
            }
        }
        "azurerm_route_table" => push(document(ctx, inst, arm_type::ROUTE_TABLES, None).map(|mut d| {
            let routes: Vec<Value> = (0..inst.len("route")).map(|i| route(ctx, inst, &format!("route.{i}."))).collect();
            // 4.x: bgp_route_propagation_enabled; 3.x: disable_bgp_route_propagation.
            let disable = ctx
                .bool(inst, "bgp_route_propagation_enabled")
                .map(|b| !b)
                .or_else(|| ctx.bool(inst, "disable_bgp_route_propagation"));
            d["properties"] =
                object(vec![("routes", Some(json!(routes))), ("disableBgpRoutePropagation", disable.map(Value::Bool))]);
            d
        })),
        "azurerm_route" => push(document(ctx, inst, arm_type::ROUTES, Some("")).map(|mut d| {
            d.as_object_mut().expect("object").remove("location");
            d["properties"] = route(ctx, inst, "")["properties"].take();
            d
        })),
        "azurerm_virtual_network_peering" => {
            push(document(ctx, inst, arm_type::VIRTUAL_NETWORK_PEERINGS, Some("")).map(|mut d| {
                d.as_object_mut().expect("object").remove("location");
                let flag = |a: &str| ctx.bool(inst, a).map(Value::Bool);
                d["properties"] = object(vec![
                    ("remoteVirtualNetwork", id_ref(ctx.id(inst, "remote_virtual_network_id"))),
                    (
                        "allowVirtualNetworkAccess",
                        Some(Value::Bool(ctx.bool(inst, "allow_virtual_network_access").unwrap_or(true))),
                    ),
                    ("allowForwardedTraffic", flag("allow_forwarded_traffic")),
                    ("allowGatewayTransit", flag("allow_gateway_transit")),
                    ("useRemoteGateways", flag("use_remote_gateways")),
                    ("peerCompleteVnets", flag("peer_complete_virtual_networks_enabled")),
                    ("localSubnetNames", non_empty(ctx.strings(inst, "local_subnet_names"))),
                    ("remoteSubnetNames", non_empty(ctx.strings(inst, "remote_subnet_names"))),
                ]);
                d
            }))
        }
        "azurerm_private_endpoint" => private_endpoint(ctx, inst, out),
        "azurerm_private_dns_zone" => {
            push(document(ctx, inst, arm_type::PRIVATE_DNS_ZONES, Some("global")).map(|mut d| {
                d["properties"] = json!({});
                d
            }))
        }
        "azurerm_private_dns_a_record" | "azurerm_private_dns_aaaa_record" | "azurerm_private_dns_cname_record" => {
            push(record_set(ctx, inst))
        }
        "azurerm_private_dns_zone_virtual_network_link" => {
            push(document(ctx, inst, arm_type::PRIVATE_DNS_ZONE_LINKS, Some("global")).map(|mut d| {
                d["properties"] = object(vec![
                    ("virtualNetwork", id_ref(ctx.id(inst, "virtual_network_id"))),
                    ("registrationEnabled", Some(Value::Bool(ctx.bool(inst, "registration_enabled").unwrap_or(false)))),
                    (
                        "resolutionPolicy",
                        Some(Value::String(ctx.known(inst, "resolution_policy").unwrap_or_else(|| "Default".into()))),
                    ),
                    // The link's provisioning completes with the apply.
                    ("virtualNetworkLinkState", Some(json!("Completed"))),
                ]);
                d
            }))
        }
        "azurerm_private_dns_resolver" => push(document(ctx, inst, arm_type::DNS_RESOLVERS, None).map(|mut d| {
            d["properties"] = object(vec![("virtualNetwork", id_ref(ctx.id(inst, "virtual_network_id")))]);
            d
        })),
        "azurerm_private_dns_resolver_inbound_endpoint" => {
            push(document(ctx, inst, arm_type::DNS_RESOLVER_INBOUND_ENDPOINTS, None).map(|mut d| {
                let configs: Vec<Value> = (0..inst.len("ip_configurations"))
                    .map(|i| {
                        let at = |a: &str| format!("ip_configurations.{i}.{a}");
                        object(vec![
                            ("subnet", id_ref(ctx.id(inst, &at("subnet_id")))),
                            (
                                "privateIpAllocationMethod",
                                ctx.known(inst, &at("private_ip_allocation_method")).map(Value::String),
                            ),
                            ("privateIpAddress", ctx.known(inst, &at("private_ip_address")).map(Value::String)),
                        ])
                    })
                    .collect();
                d["properties"] = json!({ "ipConfigurations": configs });
                d
            }))
        }
        "azurerm_private_dns_resolver_outbound_endpoint" => {
            push(document(ctx, inst, arm_type::DNS_RESOLVER_OUTBOUND_ENDPOINTS, None).map(|mut d| {
                d["properties"] = object(vec![("subnet", id_ref(ctx.id(inst, "subnet_id")))]);
                d
            }))
        }
        "azurerm_private_dns_resolver_dns_forwarding_ruleset" => {
            push(document(ctx, inst, arm_type::DNS_FORWARDING_RULESETS, None).map(|mut d| {
                let endpoints: Vec<Value> = ctx
                    .strings(inst, "private_dns_resolver_outbound_endpoint_ids")
                    .into_iter()
                    .map(|id| json!({ "id": id }))
                    .collect();
                d["properties"] = json!({ "dnsResolverOutboundEndpoints": endpoints });
                d
            }))
        }
        "azurerm_private_dns_resolver_forwarding_rule" => {
            push(document(ctx, inst, arm_type::FORWARDING_RULES, Some("")).map(|mut d| {
                d.as_object_mut().expect("object").remove("location");
                let targets: Vec<Value> = (0..inst.len("target_dns_servers"))
                    .map(|i| {
                        object(vec![
                            (
                                "ipAddress",
                                ctx.known(inst, &format!("target_dns_servers.{i}.ip_address")).map(Value::String),
                            ),
                            (
                                "port",
                                Some(json!(ctx.number(inst, &format!("target_dns_servers.{i}.port")).unwrap_or(53))),
                            ),
                        ])
                    })
                    .collect();
                d["properties"] = object(vec![
                    ("domainName", ctx.known(inst, "domain_name").map(Value::String)),
                    ("targetDnsServers", Some(json!(targets))),
                    ("forwardingRuleState", enabled(Some(ctx.bool(inst, "enabled").unwrap_or(true)))),
                ]);
                d
            }))
        }
        "azurerm_private_dns_resolver_virtual_network_link" => {
            push(document(ctx, inst, arm_type::FORWARDING_RULESET_LINKS, Some("")).map(|mut d| {
                d.as_object_mut().expect("object").remove("location");
                d["properties"] = object(vec![("virtualNetwork", id_ref(ctx.id(inst, "virtual_network_id")))]);
                d
            }))
        }
        "azurerm_public_ip" => push(document(ctx, inst, arm_type::PUBLIC_IP_ADDRESSES, None).map(|mut d| {
            d["properties"] = object(vec![
                ("publicIPAllocationMethod", ctx.known(inst, "allocation_method").map(Value::String)),
                ("ipAddress", ctx.known_quiet(inst, "ip_address").map(Value::String)),
            ]);
            d
        })),
        _ => return false,
    }
    true
}

fn non_empty(v: Vec<String>) -> Option<Value> {
    (!v.is_empty()).then(|| json!(v))
}

fn vnet(ctx: &Ctx, inst: &Instance) -> Option<Value> {
    let mut d = document(ctx, inst, arm_type::VIRTUAL_NETWORKS, None)?;
    let dns = ctx.strings(inst, "dns_servers");
    // Subnets written inline (`subnet` blocks) are the VNet's children as ARM returns them.
    let id = d["id"].as_str().unwrap_or_default().to_string();
    let subnets: Vec<Value> = (0..inst.len("subnet"))
        .filter_map(|i| {
            let at = format!("subnet.{i}.");
            let name = ctx.known(inst, &format!("{at}name"))?;
            let mut props = subnet_properties(ctx, inst, &at);
            if let Some(nsg) = ctx.id(inst, &format!("{at}security_group")) {
                props["networkSecurityGroup"] = json!({ "id": nsg });
            }
            if let Some(table) = ctx.id(inst, &format!("{at}route_table_id")) {
                props["routeTable"] = json!({ "id": table });
            }
            Some(json!({ "id": format!("{id}/subnets/{name}"), "name": name, "properties": props }))
        })
        .collect();
    d["properties"] = object(vec![
        ("addressSpace", Some(json!({ "addressPrefixes": ctx.strings(inst, "address_space") }))),
        ("dhcpOptions", (!dns.is_empty()).then(|| json!({ "dnsServers": dns }))),
        ("subnets", (!subnets.is_empty()).then(|| json!(subnets))),
    ]);
    Some(d)
}

/// A subnet's properties from `azurerm_subnet` (at "") or an inline `subnet` block (at "subnet.N.").
fn subnet_properties(ctx: &Ctx, inst: &Instance, at: &str) -> Value {
    let a = |x: &str| format!("{at}{x}");
    let mut prefixes = ctx.strings(inst, &a("address_prefixes"));
    if prefixes.is_empty() {
        prefixes.extend(ctx.known(inst, &a("address_prefix")));
    }
    let delegations: Vec<Value> = (0..inst.len(&a("delegation")))
        .map(|i| {
            let d = |x: &str| format!("{at}delegation.{i}.{x}");
            json!({
                "name": ctx.known(inst, &d("name")).unwrap_or_else(|| format!("delegation{i}")),
                "properties": object(vec![
                    ("serviceName", ctx.known(inst, &d("service_delegation.0.name")).map(Value::String)),
                    ("actions", non_empty(ctx.strings(inst, &d("service_delegation.0.actions")))),
                ]),
            })
        })
        .collect();
    // 3.x/4.x: `service_endpoints` (a list); 5.x: `service_endpoint` blocks.
    let mut services = ctx.strings(inst, &a("service_endpoints"));
    for i in 0..inst.len(&a("service_endpoint")) {
        services.extend(ctx.known(inst, &a(&format!("service_endpoint.{i}.service"))));
    }
    let service_endpoints: Vec<Value> = services.into_iter().map(|s| json!({ "service": s })).collect();
    let (prefix, list) = match prefixes.as_slice() {
        [one] => (Some(json!(one)), None),
        _ => (None, Some(json!(prefixes))),
    };
    object(vec![
        ("addressPrefix", prefix),
        ("addressPrefixes", list),
        ("delegations", (!delegations.is_empty()).then(|| json!(delegations))),
        ("serviceEndpoints", (!service_endpoints.is_empty()).then(|| json!(service_endpoints))),
        ("privateEndpointNetworkPolicies", endpoint_policies(ctx, inst, at).map(Value::String)),
        (
            "privateLinkServiceNetworkPolicies",
            ctx.bool(inst, &a("private_link_service_network_policies_enabled"))
                .or_else(|| ctx.bool(inst, &a("enforce_private_link_service_network_policies")).map(|b| !b))
                .map(|b| json!(if b { "Enabled" } else { "Disabled" })),
        ),
    ])
}

/// `privateEndpointNetworkPolicies` from whichever spelling the provider version has (A.2): the
/// enum (3.103+), the bool (3.18+) or the inverted `enforce_…` bool (`true` ⇒ policies off).
/// A provider of the versions with several spellings sets them consistently; when they disagree
/// the enum wins and a warning names both.
fn endpoint_policies(ctx: &Ctx, inst: &Instance, at: &str) -> Option<String> {
    let a = |x: &str| format!("{at}{x}");
    let spellings = [
        ("private_endpoint_network_policies", ctx.known_quiet(inst, &a("private_endpoint_network_policies"))),
        (
            "private_endpoint_network_policies_enabled",
            ctx.bool(inst, &a("private_endpoint_network_policies_enabled"))
                .map(|b| if b { "Enabled" } else { "Disabled" }.to_string()),
        ),
        (
            "enforce_private_link_endpoint_network_policies",
            ctx.bool(inst, &a("enforce_private_link_endpoint_network_policies"))
                .map(|b| if b { "Disabled" } else { "Enabled" }.to_string()),
        ),
    ];
    let set: Vec<(&str, String)> = spellings.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    let (first_name, first) = set.first()?.clone();
    // The bools cannot say NetworkSecurityGroupEnabled / RouteTableEnabled: compare on/off only.
    let on = |v: &str| !v.eq_ignore_ascii_case("Disabled");
    for (name, value) in &set[1..] {
        if on(value) != on(&first) {
            ctx.diag(
                Severity::Warning,
                "LOAD021",
                inst,
                &a(name),
                format!("{}: {first_name} = {first} but {name} means {value}; privlink uses {first}", inst.address),
            );
        }
    }
    Some(first)
}

fn one_or_many(ctx: &Ctx, inst: &Instance, single: &str, plural: &str, at: &str) -> Vec<(String, Value)> {
    let many = ctx.strings(inst, &format!("{at}{plural}"));
    let (s, p) = (camel(single), camel(plural));
    match ctx.known(inst, &format!("{at}{single}")) {
        Some(one) if !one.is_empty() => vec![(s, json!(one))],
        _ if !many.is_empty() => vec![(p, json!(many))],
        _ => Vec::new(),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A security rule (`azurerm_network_security_rule` at "", or an inline `security_rule.N.`).
fn security_rule(ctx: &Ctx, inst: &Instance, at: &str) -> Value {
    let a = |x: &str| format!("{at}{x}");
    let mut props = serde_json::Map::new();
    for (single, plural) in [
        ("source_port_range", "source_port_ranges"),
        ("destination_port_range", "destination_port_ranges"),
        ("source_address_prefix", "source_address_prefixes"),
        ("destination_address_prefix", "destination_address_prefixes"),
    ] {
        for (k, v) in one_or_many(ctx, inst, single, plural, at) {
            props.insert(k, v);
        }
    }
    for (attr, key) in
        [("protocol", "protocol"), ("access", "access"), ("direction", "direction"), ("description", "description")]
    {
        if let Some(v) = ctx.known(inst, &a(attr)) {
            props.insert(key.into(), json!(v));
        }
    }
    if let Some(p) = ctx.number(inst, &a("priority")) {
        props.insert("priority".into(), json!(p));
    }
    json!({ "name": ctx.known(inst, &a("name")).unwrap_or_default(), "properties": props })
}

fn route(ctx: &Ctx, inst: &Instance, at: &str) -> Value {
    let a = |x: &str| format!("{at}{x}");
    json!({
        "name": ctx.known(inst, &a("name")).unwrap_or_default(),
        "properties": object(vec![
            ("addressPrefix", ctx.known(inst, &a("address_prefix")).map(Value::String)),
            ("nextHopType", ctx.known(inst, &a("next_hop_type")).map(Value::String)),
            ("nextHopIpAddress", ctx.known(inst, &a("next_hop_in_ip_address")).map(Value::String)),
        ]),
    })
}

fn record_set(ctx: &Ctx, inst: &Instance) -> Option<Value> {
    let ty = match inst.kind {
        "azurerm_private_dns_a_record" => "A",
        "azurerm_private_dns_aaaa_record" => "AAAA",
        _ => "CNAME",
    };
    let mut d = document(ctx, inst, &format!("{}/{ty}", arm_type::PRIVATE_DNS_ZONES), Some(""))?;
    d.as_object_mut().expect("object").remove("location");
    let records = ctx.strings(inst, "records");
    let data = match ty {
        "A" => ("aRecords", json!(records.iter().map(|r| json!({ "ipv4Address": r })).collect::<Vec<_>>())),
        "AAAA" => ("aaaaRecords", json!(records.iter().map(|r| json!({ "ipv6Address": r })).collect::<Vec<_>>())),
        _ => ("cnameRecord", object(vec![("cname", ctx.known(inst, "record").map(Value::String))])),
    };
    d["properties"] = object(vec![("ttl", ctx.number(inst, "ttl").map(|t| json!(t))), (data.0, Some(data.1))]);
    Some(d)
}

/// A private endpoint and its zone group (Appendix A.1, first rows).
fn private_endpoint(ctx: &Ctx, inst: &Instance, out: &mut Mapped) {
    let Some(mut d) = document(ctx, inst, arm_type::PRIVATE_ENDPOINTS, None) else { return };
    let id = d["id"].as_str().unwrap_or_default().to_string();
    let (mut automatic, mut manual) = (Vec::new(), Vec::new());
    for i in 0..inst.len("private_service_connection") {
        let a = |x: &str| format!("private_service_connection.{i}.{x}");
        let target = ctx
            .id(inst, &a("private_connection_resource_id"))
            .or_else(|| ctx.known(inst, &a("private_connection_resource_alias")));
        let connection = json!({
            "name": ctx.known(inst, &a("name")).unwrap_or_default(),
            "properties": object(vec![
                ("privateLinkServiceId", target.map(Value::String)),
                ("groupIds", non_empty(ctx.strings(inst, &a("subresource_names")))),
                ("requestMessage", ctx.known(inst, &a("request_message")).map(Value::String)),
            ]),
        });
        if ctx.bool(inst, &a("is_manual_connection")).unwrap_or(false) {
            manual.push(connection);
        } else {
            automatic.push(connection);
        }
    }
    let ip_configurations: Vec<Value> = (0..inst.len("ip_configuration"))
        .map(|i| {
            let a = |x: &str| format!("ip_configuration.{i}.{x}");
            let group = ctx.known(inst, &a("subresource_name"));
            json!({
                "name": ctx.known(inst, &a("name")).unwrap_or_default(),
                "properties": object(vec![
                    ("privateIPAddress", ctx.known(inst, &a("private_ip_address")).map(Value::String)),
                    ("memberName", ctx.known(inst, &a("member_name")).or_else(|| group.clone()).map(Value::String)),
                    ("groupId", group.map(Value::String)),
                ]),
            })
        })
        .collect();
    d["properties"] = object(vec![
        ("subnet", id_ref(ctx.id(inst, "subnet_id"))),
        ("customNetworkInterfaceName", ctx.known(inst, "custom_network_interface_name").map(Value::String)),
        ("privateLinkServiceConnections", Some(json!(automatic))),
        ("manualPrivateLinkServiceConnections", Some(json!(manual))),
        ("ipConfigurations", (!ip_configurations.is_empty()).then(|| json!(ip_configurations))),
    ]);
    out.documents.push(d);
    for i in 0..inst.len("private_dns_zone_group") {
        let a = |x: &str| format!("private_dns_zone_group.{i}.{x}");
        let Some(name) = ctx.known(inst, &a("name")) else { continue };
        let configs: Vec<Value> = ctx
            .strings(inst, &a("private_dns_zone_ids"))
            .into_iter()
            .map(|zone| {
                let zone_name = zone.rsplit('/').next().unwrap_or_default().replace('.', "-");
                json!({ "name": zone_name, "properties": { "privateDnsZoneId": zone } })
            })
            .collect();
        out.documents.push(json!({
            "id": format!("{id}/privateDnsZoneGroups/{name}"),
            "name": name,
            "type": arm_type::PRIVATE_DNS_ZONE_GROUPS,
            "properties": { "privateDnsZoneConfigs": configs },
        }));
    }
}

/// A peering is `Connected` when the plan has the other direction too, else `Initiated` (§17.2).
pub(super) fn settle_peerings(documents: &mut [(Value, Origin, &Instance)]) {
    let peerings: Vec<(String, String)> = documents
        .iter()
        .filter(|(d, _, _)| d["type"] == arm_type::VIRTUAL_NETWORK_PEERINGS)
        .filter_map(|(d, _, _)| {
            let id = d["id"].as_str()?;
            let local = id[..id.to_ascii_lowercase().find("/virtualnetworkpeerings/")?].to_ascii_lowercase();
            Some((local, d.pointer("/properties/remoteVirtualNetwork/id")?.as_str()?.to_ascii_lowercase()))
        })
        .collect();
    for (d, _, _) in documents.iter_mut() {
        if d["type"] != arm_type::VIRTUAL_NETWORK_PEERINGS {
            continue;
        }
        let id = d["id"].as_str().unwrap_or_default().to_ascii_lowercase();
        let local = id.split("/virtualnetworkpeerings/").next().unwrap_or_default().to_string();
        let remote = d
            .pointer("/properties/remoteVirtualNetwork/id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let both = peerings.iter().any(|(l, r)| *l == remote && *r == local);
        d["properties"]["peeringState"] = json!(if both { "Connected" } else { "Initiated" });
    }
}
