//! Documents to typed resources.

use crate::reader::Reader;
use privlink_engine::catalog;
use privlink_model::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;

fn meta(doc: &Document) -> Meta {
    Meta {
        id: doc.id.clone(),
        name: doc.id.name().to_string(),
        location: doc.body.get("location").and_then(Value::as_str).map(str::to_string),
        origin: doc.origin.clone(),
    }
}

/// Types every document into `resources`; what no typed resource covers becomes opaque.
pub fn type_documents(documents: &BTreeMap<ResourceId, Document>, diagnostics: &mut Vec<LoadDiagnostic>) -> Resources {
    // Each document types on its own, so the first pass is split across cores; the parts are
    // keyed by id and merged, so the result does not depend on the split.
    let all: Vec<&Document> = documents.values().collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = all.len().div_ceil(workers).max(1);
    let parts: Vec<FirstPass> = if all.len() < 2_000 || workers == 1 {
        vec![first_pass(&all, documents)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                all.chunks(chunk).map(|part| scope.spawn(move || first_pass(part, documents))).collect();
            handles.into_iter().map(|h| h.join().expect("typing does not panic")).collect()
        })
    };
    let mut r = Resources::default();
    let mut site_children: Vec<&Document> = Vec::new();
    let mut backend_children: Vec<&Document> = Vec::new();
    for mut part in parts {
        r.append(&mut part.resources);
        site_children.append(&mut part.site_children);
        backend_children.append(&mut part.backend_children);
        diagnostics.append(&mut part.diagnostics);
    }
    finish(documents, r, site_children, backend_children, diagnostics)
}

/// What the per-document pass produces for one slice of the documents.
struct FirstPass<'d> {
    resources: Resources,
    /// Documents that refine another resource, applied after all resources exist.
    site_children: Vec<&'d Document>,
    backend_children: Vec<&'d Document>,
    diagnostics: Vec<LoadDiagnostic>,
}

fn first_pass<'d>(docs: &[&'d Document], documents: &BTreeMap<ResourceId, Document>) -> FirstPass<'d> {
    let mut r = Resources::default();
    let mut site_children: Vec<&Document> = Vec::new();
    let mut backend_children: Vec<&Document> = Vec::new();
    let mut diagnostics = Vec::new();
    for &doc in docs {
        let ty = doc.id.type_key();
        let mut rd =
            Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics: &mut diagnostics, documents };
        match ty.as_str() {
            "microsoft.network/virtualnetworks" => {
                let v = read_vnet(doc, &mut rd);
                r.virtual_networks.insert(doc.id.clone(), v);
            }
            "microsoft.network/virtualnetworks/subnets" => {
                let s = read_subnet(doc, &mut rd);
                r.subnets.insert(doc.id.clone(), s);
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                let p = read_peering(doc, &mut rd);
                r.peerings.insert(doc.id.clone(), p);
            }
            "microsoft.network/networksecuritygroups" => {
                let n = NetworkSecurityGroup { meta: meta(doc), rules: Vec::new(), default_rules: Vec::new() };
                r.network_security_groups.insert(doc.id.clone(), n);
            }
            "microsoft.network/networksecuritygroups/securityrules"
            | "microsoft.network/networksecuritygroups/defaultsecurityrules" => {}
            "microsoft.network/routetables" => {
                let disable = rd.bool("/properties/disableBgpRoutePropagation").unwrap_or(false);
                let t = RouteTable { meta: meta(doc), routes: Vec::new(), disable_bgp_route_propagation: disable };
                r.route_tables.insert(doc.id.clone(), t);
            }
            "microsoft.network/routetables/routes" => {}
            "microsoft.network/networkinterfaces" => {
                let n = read_nic(doc, &mut rd);
                r.network_interfaces.insert(doc.id.clone(), n);
            }
            "microsoft.network/privateendpoints" => {
                let p = read_private_endpoint(doc, &mut rd);
                r.private_endpoints.insert(doc.id.clone(), p);
            }
            t if t.starts_with("microsoft.network/") && t.ends_with("/privatednszonegroups") => {
                let z = read_zone_group(doc, &mut rd);
                r.zone_groups.insert(doc.id.clone(), z);
            }
            "microsoft.network/privatednszones" => {
                if let Some(zone) = rd.dns_name("/name", doc.id.name()) {
                    r.private_dns_zones.insert(doc.id.clone(), PrivateDnsZone { meta: meta(doc), zone });
                }
            }
            "microsoft.network/privatednszones/virtualnetworklinks" => {
                let l = read_vnet_link(doc, &mut rd);
                r.virtual_network_links.insert(doc.id.clone(), l);
            }
            t if t.starts_with("microsoft.network/privatednszones/") && doc.id.names().count() == 2 => {
                if let Some(rs) = read_record_set(doc, &mut rd) {
                    r.record_sets.insert(doc.id.clone(), rs);
                }
            }
            "microsoft.network/dnsresolvers" => {
                let vnet = rd.reference("/properties/virtualNetwork");
                r.dns_resolvers.insert(doc.id.clone(), DnsResolver { meta: meta(doc), vnet });
            }
            "microsoft.network/dnsresolvers/inboundendpoints" => {
                let mut addresses = Vec::new();
                let mut subnets = Vec::new();
                for i in 0..rd.array("/properties/ipConfigurations").len() {
                    let base = format!("/properties/ipConfigurations/{i}");
                    if let Some(text) = rd.str(&format!("{base}/privateIpAddress")) {
                        addresses.extend(rd.ip(&format!("{base}/privateIpAddress"), text));
                    }
                    subnets.extend(rd.reference(&format!("{base}/subnet")));
                }
                let resolver = rd.canonical(doc.id.parent().expect("child id has a parent"));
                let e = ResolverInboundEndpoint { meta: meta(doc), resolver, addresses, subnets };
                r.inbound_endpoints.insert(doc.id.clone(), e);
            }
            "microsoft.network/dnsresolvers/outboundendpoints" => {
                let subnet = rd.reference("/properties/subnet");
                let resolver = rd.canonical(doc.id.parent().expect("child id has a parent"));
                r.outbound_endpoints
                    .insert(doc.id.clone(), ResolverOutboundEndpoint { meta: meta(doc), resolver, subnet });
            }
            "microsoft.network/dnsforwardingrulesets" => {
                let outbound_endpoints = rd.references("/properties/dnsResolverOutboundEndpoints");
                r.forwarding_rulesets.insert(doc.id.clone(), ForwardingRuleset { meta: meta(doc), outbound_endpoints });
            }
            "microsoft.network/dnsforwardingrulesets/forwardingrules" => {
                if let Some(rule) = read_forwarding_rule(doc, &mut rd) {
                    r.forwarding_rules.insert(doc.id.clone(), rule);
                }
            }
            "microsoft.network/dnsforwardingrulesets/virtualnetworklinks" => {
                let vnet = rd.reference("/properties/virtualNetwork");
                let ruleset = rd.canonical(doc.id.parent().expect("child id has a parent"));
                r.ruleset_links.insert(doc.id.clone(), RulesetVnetLink { meta: meta(doc), ruleset, vnet });
            }
            "microsoft.web/serverfarms" => {
                let p = AppServicePlan {
                    meta: meta(doc),
                    sku_name: rd.string("/sku/name"),
                    sku_tier: rd.string("/sku/tier"),
                    kind: rd.string("/kind"),
                    is_linux: rd.bool("/properties/reserved").unwrap_or(false)
                        || rd
                            .get("/kind")
                            .and_then(Value::as_str)
                            .is_some_and(|k| k.to_ascii_lowercase().contains("linux")),
                };
                r.plans.insert(doc.id.clone(), p);
            }
            "microsoft.web/sites" => {
                let s = read_site(doc, &mut rd);
                r.sites.insert(doc.id.clone(), s);
            }
            "microsoft.web/sites/config"
            | "microsoft.web/sites/virtualnetworkconnections"
            | "microsoft.web/sites/networkconfig" => site_children.push(doc),
            t => {
                if let Some(kind) = catalog::backend_kind(t) {
                    let b = read_backend(doc, kind, &mut rd);
                    r.backends.insert(doc.id.clone(), b);
                } else if doc.id.names().count() == 1
                    && (catalog::is_private_link_type(t) || rd.get("/properties/privateEndpointConnections").is_some())
                {
                    let b = read_backend(doc, BackendKind::Other(doc.id.resource_type()), &mut rd);
                    r.backends.insert(doc.id.clone(), b);
                } else {
                    if doc.id.names().count() > 1 {
                        backend_children.push(doc);
                    }
                    r.opaque.insert(
                        doc.id.clone(),
                        OpaqueResource { meta: meta(doc), resource_type: doc.id.resource_type() },
                    );
                }
            }
        }
    }
    FirstPass { resources: r, site_children, backend_children, diagnostics }
}

fn finish(
    documents: &BTreeMap<ResourceId, Document>,
    mut r: Resources,
    site_children: Vec<&Document>,
    backend_children: Vec<&Document>,
    diagnostics: &mut Vec<LoadDiagnostic>,
) -> Resources {
    attach_security_rules(documents, &mut r, diagnostics);
    attach_routes(documents, &mut r, diagnostics);
    for doc in site_children {
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        apply_site_child(doc, &mut r, &mut rd);
    }
    for doc in backend_children {
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        apply_backend_child(doc, &mut r, &mut rd);
    }
    // A VNet's subnet and peering lists come from the documents of its children.
    let subnet_ids: Vec<(ResourceId, ResourceId)> =
        r.subnets.iter().map(|(id, s)| (s.vnet.clone(), id.clone())).collect();
    for (vnet, subnet) in subnet_ids {
        if let Some(v) = r.virtual_networks.get_mut(&vnet) {
            v.subnets.push(subnet);
        }
    }
    let peering_ids: Vec<(ResourceId, ResourceId)> =
        r.peerings.iter().map(|(id, p)| (p.vnet.clone(), id.clone())).collect();
    for (vnet, peering) in peering_ids {
        if let Some(v) = r.virtual_networks.get_mut(&vnet) {
            v.peerings.push(peering);
        }
    }
    r
}

fn read_vnet(doc: &Document, rd: &mut Reader) -> VirtualNetwork {
    let mut address_space = Vec::new();
    let prefixes = rd.strings("/properties/addressSpace/addressPrefixes");
    if prefixes.is_empty() && rd.get("/properties/addressSpace").is_none() {
        rd.missing("/properties/addressSpace/addressPrefixes", "the VNet's address space, e.g. [\"10.0.0.0/16\"]");
    }
    for (i, p) in prefixes.iter().enumerate() {
        address_space.extend(rd.prefix(&format!("/properties/addressSpace/addressPrefixes/{i}"), p));
    }
    let mut dns_servers = Vec::new();
    for (i, s) in rd.strings("/properties/dhcpOptions/dnsServers").iter().enumerate() {
        dns_servers.extend(rd.ip(&format!("/properties/dhcpOptions/dnsServers/{i}"), s));
    }
    VirtualNetwork { meta: meta(doc), address_space, dns_servers, subnets: Vec::new(), peerings: Vec::new() }
}

fn read_subnet(doc: &Document, rd: &mut Reader) -> Subnet {
    let mut prefixes = Vec::new();
    if let Some(p) = rd.str("/properties/addressPrefix") {
        prefixes.extend(rd.prefix("/properties/addressPrefix", p));
    }
    for (i, p) in rd.strings("/properties/addressPrefixes").iter().enumerate() {
        if let Some(net) = rd.prefix(&format!("/properties/addressPrefixes/{i}"), p) {
            if !prefixes.contains(&net) {
                prefixes.push(net);
            }
        }
    }
    if prefixes.is_empty()
        && rd.get("/properties/addressPrefix").is_none()
        && rd.get("/properties/addressPrefixes").is_none()
    {
        rd.missing("/properties/addressPrefix", "the subnet's address prefix, e.g. \"10.0.1.0/24\"");
    }
    let mut delegations = Vec::new();
    for i in 0..rd.array("/properties/delegations").len() {
        let p = format!("/properties/delegations/{i}/properties/serviceName");
        match rd.string(&p) {
            Some(s) => delegations.push(s),
            None => rd.missing(&p, "the delegation's serviceName"),
        }
    }
    let mut service_endpoints = Vec::new();
    for i in 0..rd.array("/properties/serviceEndpoints").len() {
        service_endpoints.extend(rd.string(&format!("/properties/serviceEndpoints/{i}/service")));
    }
    let private_endpoint_policies = match rd.str("/properties/privateEndpointNetworkPolicies") {
        None => PrivateEndpointPolicies::default(),
        Some(text) => PrivateEndpointPolicies::parse(text).unwrap_or_else(|| {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/privateEndpointNetworkPolicies",
                format!("'{text}' is not one of Disabled, Enabled, NetworkSecurityGroupEnabled, RouteTableEnabled"),
            );
            PrivateEndpointPolicies::default()
        }),
    };
    Subnet {
        meta: meta(doc),
        vnet: rd.canonical(doc.id.parent().expect("a subnet id has a VNet parent")),
        prefixes,
        delegations,
        nsg: rd.reference("/properties/networkSecurityGroup"),
        route_table: rd.reference("/properties/routeTable"),
        service_endpoints,
        private_endpoint_policies,
    }
}

fn read_peering(doc: &Document, rd: &mut Reader) -> VnetPeering {
    let mut remote_address_space = Vec::new();
    for (i, p) in rd.strings("/properties/remoteAddressSpace/addressPrefixes").iter().enumerate() {
        remote_address_space.extend(rd.prefix(&format!("/properties/remoteAddressSpace/addressPrefixes/{i}"), p));
    }
    VnetPeering {
        meta: meta(doc),
        vnet: rd.canonical(doc.id.parent().expect("a peering id has a VNet parent")),
        remote_vnet: rd.reference("/properties/remoteVirtualNetwork"),
        remote_address_space,
        state: rd.string("/properties/peeringState").unwrap_or_else(|| "Connected".into()),
        allow_forwarded_traffic: rd.bool("/properties/allowForwardedTraffic").unwrap_or(false),
        allow_gateway_transit: rd.bool("/properties/allowGatewayTransit").unwrap_or(false),
        use_remote_gateways: rd.bool("/properties/useRemoteGateways").unwrap_or(false),
    }
}

fn read_address_matches(rd: &mut Reader, single: &str, plural: &str, asgs: &str) -> Vec<AddressMatch> {
    let mut out = Vec::new();
    let mut texts: Vec<(String, String)> = Vec::new();
    if let Some(s) = rd.string(single) {
        texts.push((single.to_string(), s));
    }
    for (i, s) in rd.strings(plural).into_iter().enumerate() {
        texts.push((format!("{plural}/{i}"), s));
    }
    for (pointer, text) in texts {
        let t = text.trim();
        if t.is_empty() {
            continue;
        }
        if t == "*" || t.eq_ignore_ascii_case("any") {
            out.push(AddressMatch::Any);
        } else if t.chars().next().is_some_and(|c| c.is_ascii_digit()) || t.contains(':') {
            let with_len = if t.contains('/') {
                t.to_string()
            } else if t.contains(':') {
                format!("{t}/128")
            } else {
                format!("{t}/32")
            };
            match with_len.parse::<ipnet::IpNet>() {
                Ok(net) => out.push(AddressMatch::Prefix(net.trunc())),
                Err(_) => rd.diag(
                    Severity::Error,
                    "LOAD005",
                    &pointer,
                    format!("'{t}' is not an IP address, prefix or service tag"),
                ),
            }
        } else {
            out.push(AddressMatch::Tag(t.to_string()));
        }
    }
    for id in rd.references(asgs) {
        out.push(AddressMatch::ApplicationSecurityGroup(id));
    }
    out
}

fn read_ports(rd: &mut Reader, single: &str, plural: &str) -> Vec<PortRange> {
    let mut texts: Vec<(String, String)> = Vec::new();
    if let Some(v) = rd.get(single) {
        match v {
            Value::String(s) => texts.push((single.to_string(), s.clone())),
            Value::Number(n) => texts.push((single.to_string(), n.to_string())),
            _ => rd.diag(Severity::Error, "LOAD008", single, "expected a port, a range a-b or *"),
        }
    }
    for (i, s) in rd.strings(plural).into_iter().enumerate() {
        texts.push((format!("{plural}/{i}"), s));
    }
    let mut out = Vec::new();
    for (pointer, text) in texts {
        if text.trim().is_empty() {
            continue;
        }
        match PortRange::parse(&text) {
            Some(r) => out.push(r),
            None => rd.diag(Severity::Error, "LOAD008", &pointer, format!("'{text}' is not a port, a range a-b or *")),
        }
    }
    out
}

fn read_security_rule(doc: &Document, rd: &mut Reader, is_default: bool) -> Option<SecurityRule> {
    let priority = rd.int("/properties/priority");
    if priority.is_none() {
        rd.missing("/properties/priority", "the rule's priority (100–4096)");
    }
    let direction = match rd.str("/properties/direction").map(str::to_ascii_lowercase).as_deref() {
        Some("inbound") => Direction::Inbound,
        Some("outbound") => Direction::Outbound,
        other => {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/direction",
                format!("expected Inbound or Outbound, found {}", other.unwrap_or("nothing")),
            );
            return None;
        }
    };
    let access = match rd.str("/properties/access").map(str::to_ascii_lowercase).as_deref() {
        Some("allow") => Access::Allow,
        Some("deny") => Access::Deny,
        other => {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/access",
                format!("expected Allow or Deny, found {}", other.unwrap_or("nothing")),
            );
            return None;
        }
    };
    let protocol_text = rd.str("/properties/protocol").unwrap_or("*");
    let protocol = Protocol::parse(protocol_text).unwrap_or_else(|| {
        rd.diag(
            Severity::Error,
            "LOAD012",
            "/properties/protocol",
            format!("'{protocol_text}' is not Tcp, Udp, Icmp, Esp, Ah or *"),
        );
        Protocol::Any
    });
    Some(SecurityRule {
        id: doc.id.clone(),
        name: doc.id.name().to_string(),
        priority: priority?,
        direction,
        access,
        protocol,
        sources: read_address_matches(
            rd,
            "/properties/sourceAddressPrefix",
            "/properties/sourceAddressPrefixes",
            "/properties/sourceApplicationSecurityGroups",
        ),
        destinations: read_address_matches(
            rd,
            "/properties/destinationAddressPrefix",
            "/properties/destinationAddressPrefixes",
            "/properties/destinationApplicationSecurityGroups",
        ),
        source_ports: read_ports(rd, "/properties/sourcePortRange", "/properties/sourcePortRanges"),
        destination_ports: read_ports(rd, "/properties/destinationPortRange", "/properties/destinationPortRanges"),
        is_default,
        origin: doc.origin.clone(),
    })
}

fn attach_security_rules(
    documents: &BTreeMap<ResourceId, Document>,
    r: &mut Resources,
    diagnostics: &mut Vec<LoadDiagnostic>,
) {
    for doc in documents.values() {
        let ty = doc.id.type_key();
        let is_default = match ty.as_str() {
            "microsoft.network/networksecuritygroups/securityrules" => false,
            "microsoft.network/networksecuritygroups/defaultsecurityrules" => true,
            _ => continue,
        };
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        let Some(rule) = read_security_rule(doc, &mut rd, is_default) else { continue };
        let nsg_id = rd.canonical(doc.id.parent().expect("rule has a parent"));
        match r.network_security_groups.get_mut(&nsg_id) {
            Some(nsg) if is_default => nsg.default_rules.push(rule),
            Some(nsg) => nsg.rules.push(rule),
            None => rd.diag(
                Severity::Info,
                "LOAD009",
                "",
                format!("security rule of network security group {nsg_id}, which is not in the estate"),
            ),
        }
    }
    for nsg in r.network_security_groups.values_mut() {
        let key = |r: &SecurityRule| (r.direction, r.priority, r.name.to_ascii_lowercase());
        nsg.rules.sort_by_key(key);
        nsg.default_rules.sort_by_key(key);
    }
}

fn attach_routes(documents: &BTreeMap<ResourceId, Document>, r: &mut Resources, diagnostics: &mut Vec<LoadDiagnostic>) {
    for doc in documents.values() {
        if doc.id.type_key() != "microsoft.network/routetables/routes" {
            continue;
        }
        let mut rd = Reader { id: &doc.id, body: &doc.body, origin: &doc.origin, diagnostics, documents };
        let Some(address_prefix) = rd.string("/properties/addressPrefix") else {
            rd.missing("/properties/addressPrefix", "the route's destination prefix");
            continue;
        };
        let prefix =
            if address_prefix.chars().next().is_some_and(|c| c.is_ascii_digit()) || address_prefix.contains(':') {
                rd.prefix("/properties/addressPrefix", &address_prefix)
            } else {
                None // a service tag
            };
        let hop_text = rd.string("/properties/nextHopType").unwrap_or_default();
        let Some(next_hop_type) = NextHopType::parse(&hop_text) else {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/nextHopType",
                format!("'{hop_text}' is not VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None"),
            );
            continue;
        };
        let next_hop_ip = match rd.str("/properties/nextHopIpAddress") {
            Some(t) if !t.is_empty() => rd.ip("/properties/nextHopIpAddress", t),
            _ => None,
        };
        let route = Route {
            id: doc.id.clone(),
            name: doc.id.name().to_string(),
            address_prefix,
            prefix,
            next_hop_type,
            next_hop_ip,
            origin: doc.origin.clone(),
        };
        let table = rd.canonical(doc.id.parent().expect("route has a parent"));
        if let Some(t) = r.route_tables.get_mut(&table) {
            t.routes.push(route);
        }
    }
    for t in r.route_tables.values_mut() {
        t.routes.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

fn read_nic(doc: &Document, rd: &mut Reader) -> NetworkInterface {
    let mut ip_configurations = Vec::new();
    for i in 0..rd.array("/properties/ipConfigurations").len() {
        let base = format!("/properties/ipConfigurations/{i}");
        let private_ip = match rd.str(&format!("{base}/properties/privateIPAddress")) {
            Some(t) => rd.ip(&format!("{base}/properties/privateIPAddress"), t),
            None => None,
        };
        let plc = format!("{base}/properties/privateLinkConnectionProperties");
        ip_configurations.push(NicIpConfiguration {
            name: rd.string(&format!("{base}/name")).unwrap_or_default(),
            private_ip,
            subnet: rd.reference(&format!("{base}/properties/subnet")),
            primary: rd.bool(&format!("{base}/properties/primary")).unwrap_or(i == 0),
            private_link_group_id: rd.string(&format!("{plc}/groupId")),
            private_link_member_name: rd.string(&format!("{plc}/requiredMemberName")),
            private_link_fqdns: rd.strings(&format!("{plc}/fqdns")),
        });
    }
    NetworkInterface {
        meta: meta(doc),
        ip_configurations,
        nsg: rd.reference("/properties/networkSecurityGroup"),
        private_endpoint: rd.reference("/properties/privateEndpoint"),
        application_security_groups: Vec::new(),
    }
}

fn read_connections(rd: &mut Reader, pointer: &str, manual: bool, out: &mut Vec<PrivateLinkConnection>) {
    for i in 0..rd.array(pointer).len() {
        let base = format!("{pointer}/{i}");
        let target_text = rd.string(&format!("{base}/properties/privateLinkServiceId"));
        let (target, target_alias) = match target_text {
            Some(t) if t.starts_with('/') => {
                (rd.parse_id(&format!("{base}/properties/privateLinkServiceId"), &t), None)
            }
            Some(alias) => (None, Some(alias)),
            None => {
                rd.missing(
                    &format!("{base}/properties/privateLinkServiceId"),
                    "the id of the resource the endpoint connects to",
                );
                (None, None)
            }
        };
        let status = rd
            .string(&format!("{base}/properties/privateLinkServiceConnectionState/status"))
            // A connection written without state (a template, a PUT body) is what Azure would make it.
            .map(|s| ConnectionStatus::parse(&s))
            .unwrap_or(if manual { ConnectionStatus::Pending } else { ConnectionStatus::Approved });
        out.push(PrivateLinkConnection {
            name: rd.string(&format!("{base}/name")).unwrap_or_default(),
            target,
            target_alias,
            group_ids: rd.strings(&format!("{base}/properties/groupIds")),
            status,
            manual,
        });
    }
}

fn read_private_endpoint(doc: &Document, rd: &mut Reader) -> PrivateEndpoint {
    let mut connections = Vec::new();
    read_connections(rd, "/properties/privateLinkServiceConnections", false, &mut connections);
    read_connections(rd, "/properties/manualPrivateLinkServiceConnections", true, &mut connections);
    let subnet = rd.reference("/properties/subnet");
    if subnet.is_none() && rd.get("/properties/subnet").is_none() {
        rd.missing("/properties/subnet", "the subnet the endpoint is placed in");
    }
    let mut custom_dns_configs = Vec::new();
    for i in 0..rd.array("/properties/customDnsConfigs").len() {
        let base = format!("/properties/customDnsConfigs/{i}");
        let fqdn = rd.string(&format!("{base}/fqdn")).unwrap_or_default();
        let mut ip_addresses = Vec::new();
        for (j, t) in rd.strings(&format!("{base}/ipAddresses")).iter().enumerate() {
            ip_addresses.extend(rd.ip(&format!("{base}/ipAddresses/{j}"), t));
        }
        custom_dns_configs.push(CustomDnsConfig { fqdn, ip_addresses });
    }
    let mut ip_configurations = Vec::new();
    for i in 0..rd.array("/properties/ipConfigurations").len() {
        let base = format!("/properties/ipConfigurations/{i}");
        let private_ip = match rd.str(&format!("{base}/properties/privateIPAddress")) {
            Some(t) => rd.ip(&format!("{base}/properties/privateIPAddress"), t),
            None => None,
        };
        ip_configurations.push(StaticIpConfiguration {
            name: rd.string(&format!("{base}/name")).unwrap_or_default(),
            group_id: rd.string(&format!("{base}/properties/groupId")),
            member_name: rd.string(&format!("{base}/properties/memberName")),
            private_ip,
        });
    }
    PrivateEndpoint {
        meta: meta(doc),
        subnet,
        connections,
        network_interfaces: rd.references("/properties/networkInterfaces"),
        custom_dns_configs,
        ip_configurations,
        custom_network_interface_name: rd.string("/properties/customNetworkInterfaceName").filter(|s| !s.is_empty()),
        application_security_groups: rd.references("/properties/applicationSecurityGroups"),
    }
}

fn read_zone_group(doc: &Document, rd: &mut Reader) -> PrivateDnsZoneGroup {
    let mut configs = Vec::new();
    for i in 0..rd.array("/properties/privateDnsZoneConfigs").len() {
        let base = format!("/properties/privateDnsZoneConfigs/{i}");
        let zone = rd.reference(&format!("{base}/properties/privateDnsZoneId"));
        if zone.is_none() {
            rd.missing(&format!("{base}/properties/privateDnsZoneId"), "the id of the private DNS zone");
        }
        let mut record_sets = Vec::new();
        for j in 0..rd.array(&format!("{base}/properties/recordSets")).len() {
            let rb = format!("{base}/properties/recordSets/{j}");
            let mut ips = Vec::new();
            for (k, t) in rd.strings(&format!("{rb}/ipAddresses")).iter().enumerate() {
                ips.extend(rd.ip(&format!("{rb}/ipAddresses/{k}"), t));
            }
            record_sets.push(ZoneGroupRecordSet {
                record_type: rd.string(&format!("{rb}/recordType")).unwrap_or_else(|| "A".into()),
                record_set_name: rd.string(&format!("{rb}/recordSetName")).unwrap_or_default(),
                fqdn: rd.string(&format!("{rb}/fqdn")),
                ttl: rd.int(&format!("{rb}/ttl")).and_then(|t| u32::try_from(t).ok()),
                ip_addresses: ips,
            });
        }
        configs.push(ZoneGroupConfig {
            name: rd.string(&format!("{base}/name")).unwrap_or_default(),
            zone,
            record_sets,
        });
    }
    PrivateDnsZoneGroup {
        meta: meta(doc),
        private_endpoint: rd.canonical(doc.id.parent().expect("a zone group has an endpoint parent")),
        configs,
    }
}

fn read_vnet_link(doc: &Document, rd: &mut Reader) -> VirtualNetworkLink {
    let vnet = rd.reference("/properties/virtualNetwork");
    if vnet.is_none() {
        rd.missing("/properties/virtualNetwork", "the linked virtual network {\"id\": \"...\"}");
    }
    let resolution_policy = match rd.str("/properties/resolutionPolicy") {
        None => ResolutionPolicy::Default,
        Some(t) if t.eq_ignore_ascii_case("Default") => ResolutionPolicy::Default,
        Some(t) if t.eq_ignore_ascii_case("NxDomainRedirect") => ResolutionPolicy::NxDomainRedirect,
        Some(t) => {
            rd.diag(
                Severity::Error,
                "LOAD012",
                "/properties/resolutionPolicy",
                format!("'{t}' is not Default or NxDomainRedirect"),
            );
            ResolutionPolicy::Default
        }
    };
    VirtualNetworkLink {
        meta: meta(doc),
        zone: rd.canonical(doc.id.parent().expect("a link has a zone parent")),
        vnet,
        registration_enabled: rd.bool("/properties/registrationEnabled").unwrap_or(false),
        resolution_policy,
        state: rd.string("/properties/virtualNetworkLinkState"),
    }
}

fn read_record_set(doc: &Document, rd: &mut Reader) -> Option<RecordSet> {
    let type_segment = doc.id.resource_type().rsplit('/').next().unwrap_or_default().to_string();
    let Some(record_type) = RecordType::parse(&type_segment) else {
        rd.diag(
            Severity::Warning,
            "LOAD012",
            "/type",
            format!("record type '{type_segment}' is not a private DNS record type"),
        );
        return None;
    };
    let zone_id = rd.canonical(doc.id.parent().expect("a record set has a zone parent"));
    let zone = rd.dns_name("/id", zone_id.name())?;
    let relative_name = doc.id.name().to_string();
    let fqdn = match zone.prepend(&relative_name) {
        Ok(f) => f,
        Err(e) => {
            rd.diag(Severity::Error, "LOAD011", "/name", e.to_string());
            return None;
        }
    };
    let ttl = rd.int("/properties/ttl").and_then(|t| u32::try_from(t).ok()).unwrap_or(3600);
    let data = match record_type {
        RecordType::A => {
            let mut v = Vec::new();
            for i in 0..rd.array("/properties/aRecords").len() {
                let p = format!("/properties/aRecords/{i}/ipv4Address");
                if let Some(t) = rd.str(&p) {
                    match rd.ip(&p, t) {
                        Some(IpAddr::V4(a)) => v.push(a),
                        Some(IpAddr::V6(_)) => {
                            rd.diag(Severity::Error, "LOAD010", &p, "an A record needs an IPv4 address")
                        }
                        None => {}
                    }
                }
            }
            if rd.get("/properties/aRecords").is_none() {
                rd.missing("/properties/aRecords", "the A records [{\"ipv4Address\": \"...\"}]");
            }
            RecordData::A(v)
        }
        RecordType::AAAA => {
            let mut v = Vec::new();
            for i in 0..rd.array("/properties/aaaaRecords").len() {
                let p = format!("/properties/aaaaRecords/{i}/ipv6Address");
                if let Some(t) = rd.str(&p) {
                    if let Some(IpAddr::V6(a)) = rd.ip(&p, t) {
                        v.push(a);
                    }
                }
            }
            RecordData::AAAA(v)
        }
        RecordType::CNAME => {
            let target = match rd.str("/properties/cnameRecord/cname") {
                Some(t) => rd.dns_name("/properties/cnameRecord/cname", t),
                None => {
                    rd.missing("/properties/cnameRecord/cname", "the CNAME target");
                    None
                }
            };
            RecordData::CNAME(target)
        }
        _ => RecordData::Other(doc.body.get("properties").cloned().unwrap_or(Value::Null)),
    };
    Some(RecordSet {
        meta: meta(doc),
        zone: zone_id,
        relative_name,
        fqdn,
        record_type,
        ttl,
        data,
        auto_registered: rd.bool("/properties/isAutoRegistered").unwrap_or(false),
    })
}

fn read_forwarding_rule(doc: &Document, rd: &mut Reader) -> Option<ForwardingRule> {
    let domain_text = rd.string("/properties/domainName");
    let Some(domain_text) = domain_text else {
        rd.missing("/properties/domainName", "the domain the rule forwards, e.g. \"contoso.com.\"");
        return None;
    };
    let domain = rd.dns_name("/properties/domainName", &domain_text)?;
    let mut targets = Vec::new();
    for i in 0..rd.array("/properties/targetDnsServers").len() {
        let base = format!("/properties/targetDnsServers/{i}");
        if let Some(t) = rd.str(&format!("{base}/ipAddress")) {
            if let Some(ip) = rd.ip(&format!("{base}/ipAddress"), t) {
                let port = rd.int(&format!("{base}/port")).and_then(|p| u16::try_from(p).ok()).unwrap_or(53);
                targets.push(ForwardingTarget { ip, port });
            }
        }
    }
    let enabled = !rd.str("/properties/forwardingRuleState").is_some_and(|s| s.eq_ignore_ascii_case("Disabled"));
    Some(ForwardingRule {
        meta: meta(doc),
        ruleset: rd.canonical(doc.id.parent().expect("a rule has a ruleset parent")),
        domain,
        targets,
        enabled,
    })
}

fn read_site(doc: &Document, rd: &mut Reader) -> Site {
    let integration_subnet = rd
        .str("/properties/virtualNetworkSubnetId")
        .filter(|s| !s.is_empty())
        .and_then(|s| rd.parse_id("/properties/virtualNetworkSubnetId", s))
        .map(|value| Sourced { value, source: doc.id.clone() });
    let route_all =
        rd.bool("/properties/vnetRouteAllEnabled").or_else(|| rd.bool("/properties/siteConfig/vnetRouteAllEnabled"));
    let ovr = "/properties/outboundVnetRouting";
    let outbound_vnet_routing = OutboundVnetRouting {
        all_traffic: rd.bool(&format!("{ovr}/allTraffic")),
        application_traffic: rd.bool(&format!("{ovr}/applicationTraffic")),
        content_share_traffic: rd.bool(&format!("{ovr}/contentShareTraffic")),
        image_pull_traffic: rd.bool(&format!("{ovr}/imagePullTraffic")),
        backup_restore_traffic: rd.bool(&format!("{ovr}/backupRestoreTraffic")),
        managed_identity_traffic: rd.bool(&format!("{ovr}/managedIdentityTraffic")),
    };
    let mut app_settings = BTreeMap::new();
    for i in 0..rd.array("/properties/siteConfig/appSettings").len() {
        let base = format!("/properties/siteConfig/appSettings/{i}");
        if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/value"))) {
            app_settings.insert(k, v);
        }
    }
    let mut connection_strings = BTreeMap::new();
    for i in 0..rd.array("/properties/siteConfig/connectionStrings").len() {
        let base = format!("/properties/siteConfig/connectionStrings/{i}");
        if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/connectionString")))
        {
            connection_strings.insert(k, ConnectionString { value: v, kind: rd.string(&format!("{base}/type")) });
        }
    }
    let identity = ManagedIdentity {
        kind: rd.string("/identity/type").unwrap_or_else(|| "None".into()),
        principal_id: rd.string("/identity/principalId"),
        tenant_id: rd.string("/identity/tenantId"),
        user_assigned: rd
            .get("/identity/userAssignedIdentities")
            .and_then(Value::as_object)
            .map(|m| m.keys().filter_map(|k| ResourceId::parse(k).ok()).map(|id| rd.canonical(id)).collect())
            .unwrap_or_default(),
    };
    let mut dns_servers = rd.strings("/properties/dnsConfiguration/dnsServers");
    if dns_servers.is_empty() {
        dns_servers = rd.strings("/properties/siteConfig/dnsConfiguration/dnsServers");
    }
    Site {
        meta: meta(doc),
        kind: rd.string("/kind"),
        plan: rd.str("/properties/serverFarmId").and_then(|s| rd.parse_id("/properties/serverFarmId", s)),
        integration_subnet,
        vnet_route_all_enabled: route_all.map(|value| Sourced { value, source: doc.id.clone() }),
        outbound_vnet_routing,
        dns_servers,
        dns_alt_server: rd.string("/properties/dnsConfiguration/dnsAltServer"),
        https_only: rd.bool("/properties/httpsOnly"),
        public_network_access: rd.string("/properties/publicNetworkAccess"),
        identity,
        key_vault_reference_identity: rd.string("/properties/keyVaultReferenceIdentity"),
        default_host_name: rd.string("/properties/defaultHostName"),
        host_names: rd.strings("/properties/hostNames"),
        app_settings,
        app_settings_source: None,
        connection_strings,
        web_config_source: None,
    }
}

fn apply_site_child(doc: &Document, r: &mut Resources, rd: &mut Reader) {
    let site_id = rd.canonical(doc.id.parent().expect("a site child has a site parent"));
    let Some(site) = r.sites.get_mut(&site_id) else {
        rd.diag(Severity::Info, "LOAD009", "", format!("configuration of app {site_id}, which is not in the estate"));
        return;
    };
    let ty = doc.id.type_key();
    let name = doc.id.name().to_ascii_lowercase();
    if ty == "microsoft.web/sites/config" && name == "appsettings" {
        if let Some(props) = rd.get("/properties").and_then(Value::as_object) {
            for (k, v) in props {
                match v {
                    Value::String(s) => {
                        site.app_settings.insert(k.clone(), s.clone());
                    }
                    Value::Null => {}
                    other => {
                        site.app_settings.insert(k.clone(), other.to_string());
                    }
                }
            }
        }
        site.app_settings_source = Some(doc.id.clone());
    } else if ty == "microsoft.web/sites/config" && name == "connectionstrings" {
        if let Some(props) = rd.get("/properties").and_then(Value::as_object) {
            for (k, v) in props {
                if let Some(value) = v.get("value").and_then(Value::as_str) {
                    let kind = v.get("type").and_then(Value::as_str).map(str::to_string);
                    site.connection_strings.insert(k.clone(), ConnectionString { value: value.to_string(), kind });
                }
            }
        }
    } else if ty == "microsoft.web/sites/config" && name == "web" {
        if let Some(v) = rd.bool("/properties/vnetRouteAllEnabled") {
            if site.vnet_route_all_enabled.as_ref().is_none_or(|s| !s.value) {
                site.vnet_route_all_enabled = Some(Sourced { value: v, source: doc.id.clone() });
            }
        }
        if site.dns_servers.is_empty() {
            site.dns_servers = rd.strings("/properties/dnsConfiguration/dnsServers");
        }
        for i in 0..rd.array("/properties/appSettings").len() {
            let base = format!("/properties/appSettings/{i}");
            if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/value"))) {
                site.app_settings.entry(k).or_insert(v);
            }
        }
        site.web_config_source = Some(doc.id.clone());
    } else if ty == "microsoft.web/sites/virtualnetworkconnections" || ty == "microsoft.web/sites/networkconfig" {
        let pointer = if rd.get("/properties/subnetResourceId").is_some() {
            "/properties/subnetResourceId"
        } else {
            "/properties/vnetResourceId"
        };
        if let Some(subnet) = rd.str(pointer).and_then(|s| rd.parse_id(pointer, s)) {
            if subnet.is_type("Microsoft.Network/virtualNetworks/subnets") && site.integration_subnet.is_none() {
                site.integration_subnet = Some(Sourced { value: subnet, source: doc.id.clone() });
            }
        }
    }
}

fn read_backend_connections(rd: &mut Reader, pointer: &str, out: &mut Vec<BackendConnection>) {
    for i in 0..rd.array(pointer).len() {
        let base = format!("{pointer}/{i}");
        let id = rd.str(&format!("{base}/id")).and_then(|s| ResourceId::parse(s).ok());
        out.push(BackendConnection {
            name: rd
                .string(&format!("{base}/name"))
                .or_else(|| id.as_ref().map(|i| i.name().to_string()))
                .unwrap_or_default(),
            id,
            private_endpoint: rd.reference(&format!("{base}/properties/privateEndpoint")),
            status: rd
                .string(&format!("{base}/properties/privateLinkServiceConnectionState/status"))
                .map(|s| ConnectionStatus::parse(&s))
                .unwrap_or(ConnectionStatus::Pending),
            group_ids: rd.strings(&format!("{base}/properties/groupIds")),
        });
    }
}

fn host_of(url_or_host: &str) -> String {
    let s = url_or_host.split("://").nth(1).unwrap_or(url_or_host);
    s.split(['/', ':']).next().unwrap_or(s).to_ascii_lowercase()
}

fn read_backend(doc: &Document, kind: BackendKind, rd: &mut Reader) -> Backend {
    let network_acls = rd.get("/properties/networkAcls").map(|_| {
        let bypass = rd
            .string("/properties/networkAcls/bypass")
            .map(|b| b.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let mut ip_rules = Vec::new();
        for i in 0..rd.array("/properties/networkAcls/ipRules").len() {
            ip_rules.extend(rd.string(&format!("/properties/networkAcls/ipRules/{i}/value")));
        }
        let mut virtual_network_rules = Vec::new();
        for i in 0..rd.array("/properties/networkAcls/virtualNetworkRules").len() {
            virtual_network_rules.extend(rd.reference(&format!("/properties/networkAcls/virtualNetworkRules/{i}")));
        }
        NetworkAcls {
            default_action: rd.string("/properties/networkAcls/defaultAction"),
            bypass,
            ip_rules,
            virtual_network_rules,
        }
    });
    let mut connections = Vec::new();
    read_backend_connections(rd, "/properties/privateEndpointConnections", &mut connections);
    let mut declared_hosts = Vec::new();
    for p in
        ["/properties/fullyQualifiedDomainName", "/properties/hostName", "/properties/vaultUri", "/properties/endpoint"]
    {
        if let Some(h) = rd.str(p).filter(|h| !h.is_empty() && !h.starts_with("[unknown]")) {
            declared_hosts.push(host_of(h));
        }
    }
    if let Some(eps) = rd.get("/properties/endpoints").and_then(Value::as_object) {
        for v in eps.values().filter_map(Value::as_str) {
            declared_hosts.push(host_of(v));
        }
    }
    if let Some(eps) = rd.get("/properties/primaryEndpoints").and_then(Value::as_object) {
        for v in eps.values().filter_map(Value::as_str) {
            declared_hosts.push(host_of(v));
        }
    }
    declared_hosts.sort();
    declared_hosts.dedup();
    let sql_entra_admin = rd.string("/properties/administrators/login");
    Backend {
        meta: meta(doc),
        kind,
        resource_type: doc.id.resource_type(),
        resource_kind: rd.string("/kind"),
        public_network_access: PublicNetworkAccess::parse(rd.str("/properties/publicNetworkAccess")),
        network_acls,
        firewall_rules: Vec::new(),
        connections,
        declared_hosts,
        custom_subdomain: rd.string("/properties/customSubDomainName"),
        sql_connection_policy: None,
        sql_entra_admin,
        redis_non_ssl_port_enabled: rd.bool("/properties/enableNonSslPort").unwrap_or(false),
        redis_ssl_port: rd.int("/properties/sslPort").and_then(|p| u16::try_from(p).ok()),
        redis_port: rd.int("/properties/port").and_then(|p| u16::try_from(p).ok()),
    }
}

fn apply_backend_child(doc: &Document, r: &mut Resources, rd: &mut Reader) {
    let Some(parent) = doc.id.parent().map(|p| rd.canonical(p)) else { return };
    let Some(backend) = r.backends.get_mut(&parent) else { return };
    let child_type = doc.id.resource_type().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    match child_type.as_str() {
        "privateendpointconnections" => {
            let wrapped = serde_json::json!({ "c": [doc.body.clone()] });
            let mut inner = Reader {
                id: rd.id,
                body: &wrapped,
                origin: rd.origin,
                diagnostics: rd.diagnostics,
                documents: rd.documents,
            };
            let mut found = Vec::new();
            read_backend_connections(&mut inner, "/c", &mut found);
            for c in found {
                backend.connections.retain(|e| !e.name.eq_ignore_ascii_case(&c.name));
                backend.connections.push(c);
            }
            backend.connections.sort_by_key(|c| c.name.to_ascii_lowercase());
        }
        "firewallrules" => {
            let start = rd.string("/properties/startIpAddress").or_else(|| rd.string("/properties/startIP"));
            let end = rd.string("/properties/endIpAddress").or_else(|| rd.string("/properties/endIP"));
            if let (Some(start), Some(end)) = (start, end) {
                backend.firewall_rules.push(FirewallRule { name: doc.id.name().to_string(), start, end });
            }
        }
        "administrators" => backend.sql_entra_admin = rd.string("/properties/login"),
        "connectionpolicies" => backend.sql_connection_policy = rd.string("/properties/connectionType"),
        _ => {}
    }
}
