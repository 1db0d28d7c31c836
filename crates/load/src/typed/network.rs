//! Virtual networks, subnets, peerings, NSG rules, route tables, NICs and private endpoints.

use super::meta;
use crate::reader::Reader;
use privlink_model::*;
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn read_vnet(doc: &Document, rd: &mut Reader) -> VirtualNetwork {
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
    let dns_servers_unknown = rd
        .body
        .pointer("/properties/dhcpOptions/dnsServers")
        .and_then(Value::as_array)
        .and_then(|servers| servers.iter().find(|s| crate::reader::is_unknown(s)))
        .and_then(Value::as_str)
        .map(|marker| marker.trim_start_matches(crate::template::UNKNOWN_MARKER).trim().to_string());
    VirtualNetwork {
        meta: meta(doc),
        address_space,
        dns_servers,
        dns_servers_unknown,
        subnets: Vec::new(),
        peerings: Vec::new(),
    }
}

pub(super) fn read_subnet(doc: &Document, rd: &mut Reader) -> Subnet {
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

pub(super) fn read_peering(doc: &Document, rd: &mut Reader) -> VnetPeering {
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
    let mut priority = rd.int("/properties/priority");
    if priority.is_none() && is_default {
        // `defaultSecurityRules` are read-only: a template that writes them without priorities
        // gets Azure's own, which carry theirs.
        priority = privlink_engine::nsg::DEFAULT_SECURITY_RULES
            .iter()
            .find(|rule| rule.0.eq_ignore_ascii_case(doc.id.name()))
            .map(|rule| rule.2);
    }
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

pub(super) fn attach_security_rules(
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

pub(super) fn attach_routes(
    documents: &BTreeMap<ResourceId, Document>,
    r: &mut Resources,
    diagnostics: &mut Vec<LoadDiagnostic>,
) {
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

pub(super) fn read_nic(doc: &Document, rd: &mut Reader) -> NetworkInterface {
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

pub(super) fn read_private_endpoint(doc: &Document, rd: &mut Reader) -> PrivateEndpoint {
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
