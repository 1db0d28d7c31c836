//! Traces on the built-in seed estate (`scenarios/seed-estate/`), and on edited copies of it.

use privlink_engine::path::{self, DnsContext, FlowVerdict, Trace};
use privlink_load::Input;
use privlink_model::{Model, Protocol, ResourceId};
use serde_json::Value;

mod common;
use common::FILES;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers";

fn id(rest: &str) -> ResourceId {
    ResourceId::parse(&format!("{RG}/{rest}")).unwrap()
}

fn site() -> ResourceId {
    id("Microsoft.Web/sites/app-flask-privlink")
}

/// The seed estate as JSON documents per file, for editing.
fn documents() -> Vec<(&'static str, Vec<Value>)> {
    FILES.iter().map(|(n, j)| (*n, serde_json::from_str(j).unwrap())).collect()
}

fn load(docs: &[(&str, Vec<Value>)]) -> Model {
    let inputs: Vec<Input> = docs.iter().map(|(n, d)| Input::new(*n, serde_json::to_vec(d).unwrap())).collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}

/// The first JSON object (at any depth, documents in file order) whose `name` is `name` and whose
/// `type` ends with `type_suffix`.
fn by_name<'a>(docs: &'a mut [(&str, Vec<Value>)], type_suffix: &str, name: &str) -> &'a mut Value {
    fn find<'v>(v: &'v mut Value, type_suffix: &str, name: &str) -> Option<&'v mut Value> {
        let hit = v["name"] == name && v["type"].as_str().is_some_and(|t| t.ends_with(type_suffix));
        if hit {
            return Some(v);
        }
        match v {
            Value::Array(items) => items.iter_mut().find_map(|i| find(i, type_suffix, name)),
            Value::Object(map) => map.values_mut().find_map(|i| find(i, type_suffix, name)),
            _ => None,
        }
    }
    docs.iter_mut()
        .flat_map(|(_, d)| d.iter_mut())
        .find_map(|d| find(d, type_suffix, name))
        .unwrap_or_else(|| panic!("no {type_suffix} named {name}"))
}

fn trace(model: &Model, ip: &str, port: u16, host: &str, backend: Option<ResourceId>) -> Trace {
    let dns = DnsContext { host: Some(host.into()), backend };
    path::trace_from_site(model, &site(), ip.parse().unwrap(), port, Protocol::Tcp, dns)
}

fn sql() -> ResourceId {
    id("Microsoft.Sql/servers/sql-privlink-seed")
}

#[test]
fn the_four_private_endpoints_are_reachable_on_their_ports() {
    let model = load(&documents());
    let cases = [
        ("10.20.2.4", 1433, "sql-privlink-seed.database.windows.net", "Microsoft.Sql/servers/sql-privlink-seed"),
        ("10.20.2.5", 6380, "redis-privlink-seed.redis.cache.windows.net", "Microsoft.Cache/Redis/redis-privlink-seed"),
        ("10.20.2.6", 443, "kv-privlink-seed.vault.azure.net", "Microsoft.KeyVault/vaults/kv-privlink-seed"),
        (
            "10.20.2.7",
            443,
            "oai-privlink-seed.openai.azure.com",
            "Microsoft.CognitiveServices/accounts/oai-privlink-seed",
        ),
    ];
    for (ip, port, host, target) in cases {
        let t = trace(&model, ip, port, host, Some(id(target)));
        assert_eq!(t.verdict, FlowVerdict::Allowed, "{ip}:{port}: {t:#?}");
        assert_eq!(t.destination.resource, Some(id(target)));
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["egress"], "vnet");
        assert_eq!(json["route"]["prefix"], format!("{ip}/32"));
        assert_eq!(json["route"]["next_hop_type"], "InterfaceEndpoint");
        assert_eq!(json["route"]["source"], "system");
        assert_eq!(json["query"]["to"], format!("{host}:{port}"));
        assert_eq!(json["query"]["protocol"], "tcp");
        assert_eq!(json["verdict"], "allowed");
        assert!(json["decided_by"].is_null());
        let steps: Vec<&str> = json["hops"].as_array().unwrap().iter().map(|h| h["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["egress", "route", "nsg", "private-link", "service"], "{ip}");
        for key in ["query", "resolution", "destination", "egress", "route", "hops", "verdict", "decided_by", "message"]
        {
            assert!(json.get(key).is_some(), "missing key {key}");
        }
    }
}

#[test]
fn the_egress_hop_names_the_route_all_setting() {
    let model = load(&documents());
    let t = trace(&model, "10.20.2.4", 1433, "sql", Some(sql()));
    let egress = &t.hops[0];
    assert_eq!(egress.decided_by.as_ref().unwrap().kind, "site-setting");
    assert!(egress.detail.contains("applicationTraffic"), "{}", egress.detail);
}

#[test]
fn redis_non_tls_port_is_refused_by_the_service() {
    let model = load(&documents());
    let redis = id("Microsoft.Cache/Redis/redis-privlink-seed");
    let t = trace(&model, "10.20.2.5", 6379, "redis-privlink-seed.redis.cache.windows.net", Some(redis.clone()));
    // The NSG only allows 6380, so 6379 is first stopped there; with the NSG rule widened the
    // service itself refuses.
    assert_eq!(t.verdict, FlowVerdict::Denied);
    let mut docs = documents();
    by_name(&mut docs, "securityRules", "allow-redis-outbound")["properties"]["destinationPortRange"] =
        "6379-6380".into();
    let model = load(&docs);
    let t = trace(&model, "10.20.2.5", 6379, "redis-privlink-seed.redis.cache.windows.net", Some(redis.clone()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    let by = t.decided_by.unwrap();
    assert_eq!((by.kind, by.id.as_str()), ("service", redis.as_str()));
    assert!(t.message.contains("6379"), "{}", t.message);
}

#[test]
fn an_nsg_rule_that_denies_1433_is_named() {
    let mut docs = documents();
    let rule = by_name(&mut docs, "securityRules", "allow-sql-outbound");
    let old_id = rule["id"].as_str().unwrap().to_string();
    let new_id = old_id.replace("allow-sql-outbound", "deny-sql-outbound");
    rule["name"] = "deny-sql-outbound".into();
    rule["id"] = new_id.clone().into();
    rule["properties"]["access"] = "Deny".into();
    let model = load(&docs);
    let t = trace(&model, "10.20.2.4", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    let by = t.decided_by.unwrap();
    assert_eq!(by.kind, "nsg-rule");
    assert!(by.id.eq_ignore_ascii_case(&new_id), "{}", by.id);
    assert_eq!(t.hops.last().unwrap().step, path::Step::Nsg);
}

#[test]
fn a_pending_endpoint_connection_is_named() {
    let mut docs = documents();
    let pe = by_name(&mut docs, "privateEndpoints", "pe-sql");
    pe["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]["status"] =
        "Pending".into();
    let model = load(&docs);
    let t = trace(&model, "10.20.2.4", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    let by = t.decided_by.unwrap();
    assert_eq!(by.kind, "private-endpoint-connection");
    assert!(by.id.contains("privateEndpointConnections/pe-sql"), "{}", by.id);
    assert!(t.message.contains("Pending"));

    // The target's own record pending while the endpoint says Approved: denied as well.
    let mut docs = documents();
    let server = by_name(&mut docs, "servers", "sql-privlink-seed");
    server["properties"]["privateEndpointConnections"][0]["properties"]["privateLinkServiceConnectionState"]
        ["status"] = "Pending".into();
    let model = load(&docs);
    let t = trace(&model, "10.20.2.4", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    assert_eq!(t.decided_by.unwrap().kind, "private-endpoint-connection");
}

#[test]
fn public_sql_endpoint_with_public_access_disabled_gives_47073() {
    // In the seed, route-all sends public traffic into the VNet, where deny-internet-outbound stops it.
    let model = load(&documents());
    let t = trace(&model, "203.0.113.10", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied);
    let by = t.decided_by.unwrap();
    assert_eq!(by.kind, "nsg-rule");
    assert!(by.id.ends_with("securityRules/deny-internet-outbound"), "{}", by.id);
    assert_eq!(serde_json::to_value(&t.route).unwrap()["next_hop_type"], "Internet");

    // With that rule allowing, the connection reaches the public endpoint and SQL refuses it.
    // The public address comes from the documentation ranges; the caller knows it is the server's.
    let mut docs = documents();
    by_name(&mut docs, "securityRules", "deny-internet-outbound")["properties"]["access"] = "Allow".into();
    let model = load(&docs);
    let t = trace(&model, "203.0.113.10", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    assert!(t.message.contains("47073"), "{}", t.message);
    assert!(t.message.contains("The public network interface on this server is not accessible"));
    let by = t.decided_by.unwrap();
    assert_eq!((by.kind, by.id.as_str()), ("service", sql().as_str()));
}

#[test]
fn without_route_all_public_traffic_leaves_from_the_platform() {
    let mut docs = documents();
    let site = by_name(&mut docs, "sites", "app-flask-privlink");
    site["properties"]["vnetRouteAllEnabled"] = false.into();
    site["properties"]["outboundVnetRouting"]["applicationTraffic"] = false.into();
    if let Some(c) = site["properties"].get_mut("siteConfig") {
        c["vnetRouteAllEnabled"] = false.into();
    }
    for name in ["web", "appsettings"] {
        for (_, d) in docs.iter_mut() {
            for doc in d.iter_mut().filter(|d| d["name"].as_str().is_some_and(|n| n.ends_with(name))) {
                if let Some(p) = doc.get_mut("properties").and_then(|p| p.as_object_mut()) {
                    p.remove("WEBSITE_VNET_ROUTE_ALL");
                    p.insert("vnetRouteAllEnabled".into(), false.into());
                }
            }
        }
    }
    let model = load(&docs);
    let t = trace(&model, "203.0.113.10", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(serde_json::to_value(&t).unwrap()["egress"], "platform", "{:#?}", t.hops);
    assert!(t.route.is_none());
    assert!(t.message.contains("47073"));
    // RFC 1918 still enters the VNet.
    let t = trace(&model, "10.20.2.4", 1433, "sql", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Allowed);
    assert!(t.hops[0].detail.contains("RFC 1918"), "{}", t.hops[0].detail);
}

#[test]
fn traces_are_deterministic() {
    let model = load(&documents());
    let a = serde_json::to_string(&trace(&model, "10.20.2.6", 443, "kv", None)).unwrap();
    let b = serde_json::to_string(&trace(&load(&documents()), "10.20.2.6", 443, "kv", None)).unwrap();
    assert_eq!(a, b);
}

/// The seed with a route table sending 0.0.0.0/0 to a firewall on the integration subnet.
fn with_default_route_to_appliance(docs: &mut Vec<(&'static str, Vec<Value>)>) {
    let rt_id = format!("{RG}/Microsoft.Network/routeTables/rt-forced-tunnel");
    let table = serde_json::json!({
        "id": rt_id, "name": "rt-forced-tunnel", "type": "Microsoft.Network/routeTables", "location": "westeurope",
        "properties": {"routes": [{
            "name": "default-to-firewall", "id": format!("{rt_id}/routes/default-to-firewall"),
            "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                           "nextHopIpAddress": "10.20.3.4"}}]}
    });
    let subnet = by_name(docs, "subnets", "snet-appservice-integration");
    subnet["properties"]["routeTable"] = serde_json::json!({ "id": rt_id });
    docs.iter_mut().find(|(n, _)| *n == "network.json").unwrap().1.push(table);
}

#[test]
fn an_integration_nsg_deny_decides_even_when_the_route_leads_to_an_appliance() {
    // §3.3/§4.2: VNet-routed traffic meets the integration subnet's NSG outbound rules whatever the
    // next hop; the appliance is beyond them. The seed's deny-internet-outbound (4000) matches the
    // public address before the packet reaches the firewall: denied, not unknown.
    let mut docs = documents();
    with_default_route_to_appliance(&mut docs);
    let model = load(&docs);
    let t = trace(&model, "203.0.113.10", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    let by = t.decided_by.unwrap();
    assert_eq!(by.kind, "nsg-rule");
    assert!(by.id.ends_with("securityRules/deny-internet-outbound"), "{}", by.id);
    let steps: Vec<_> = t.hops.iter().map(|h| (h.step, h.verdict)).collect();
    assert_eq!(
        steps,
        [
            (path::Step::Egress, FlowVerdict::Allowed),
            (path::Step::Route, FlowVerdict::Unknown),
            (path::Step::Nsg, FlowVerdict::Denied)
        ]
    );

    // With the NSG allowing, what the appliance does decides: unknown, decided by the route.
    by_name(&mut docs, "securityRules", "deny-internet-outbound")["properties"]["access"] = "Allow".into();
    let model = load(&docs);
    let t = trace(&model, "203.0.113.10", 1433, "sql-privlink-seed.database.windows.net", Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Unknown, "{t:#?}");
    let by = t.decided_by.unwrap();
    assert_eq!(by.kind, "route");
    assert!(by.id.ends_with("routeTables/rt-forced-tunnel/routes/default-to-firewall"), "{}", by.id);
    assert_eq!(t.hops.last().unwrap().step, path::Step::Nsg);
    assert!(t.message.contains("leaves the model"), "{}", t.message);
}

/// The seed estate with the SQL server's connection policy set to `policy`.
fn with_sql_policy(policy: &str) -> Vec<(&'static str, Vec<Value>)> {
    let mut docs = documents();
    let server = sql();
    let doc = serde_json::json!({
        "id": format!("{server}/connectionPolicies/default"),
        "name": "default",
        "type": "Microsoft.Sql/servers/connectionPolicies",
        "properties": { "connectionType": policy },
    });
    docs.iter_mut().find(|(n, _)| n.ends_with("backends.json")).unwrap().1.push(doc);
    docs
}

/// Adds to the seed's integration NSG a deny of every other port to the VNet (priority 4000), as
/// a locked-down egress does: only the allow rules' ports get through.
fn deny_other_vnet_ports(docs: &mut [(&str, Vec<Value>)]) {
    let allow = by_name(docs, "securityRules", "allow-sql-outbound").clone();
    let mut deny = allow;
    let id = deny["id"].as_str().unwrap().replace("allow-sql-outbound", "deny-vnet-other");
    deny["id"] = id.into();
    deny["name"] = "deny-vnet-other".into();
    deny["properties"]["access"] = "Deny".into();
    deny["properties"]["priority"] = 4000.into();
    deny["properties"]["destinationPortRange"] = "*".into();
    let nsg = by_name(docs, "networkSecurityGroups", "nsg-appservice-integration");
    nsg["properties"]["securityRules"].as_array_mut().unwrap().push(deny);
}

#[test]
fn under_the_redirect_policy_the_trace_follows_the_second_connection() {
    let host = "sql-privlink-seed.database.windows.net";
    // Proxy: the login on 1433 is the whole connection.
    let mut docs = with_sql_policy("Proxy");
    deny_other_vnet_ports(&mut docs);
    let t = trace(&load(&docs), "10.20.2.4", 1433, host, Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Allowed, "{t:#?}");
    assert!(t.hops.iter().all(|h| h.step != path::Step::Redirect), "{t:#?}");

    // Redirect: the client then connects to the same private endpoint on 11000, which the NSG
    // (1433 allowed, every other port denied) drops: the trace says so, naming the NSG rule.
    let mut docs = with_sql_policy("Redirect");
    deny_other_vnet_ports(&mut docs);
    let model = load(&docs);
    let t = trace(&model, "10.20.2.4", 1433, host, Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Denied, "{t:#?}");
    let last = t.hops.last().unwrap();
    assert_eq!(last.step, path::Step::Redirect, "{t:#?}");
    assert!(last.detail.contains("10.20.2.4:11000"), "{}", last.detail);
    let by = t.decided_by.clone().unwrap();
    assert_eq!(by.kind, "nsg-rule");
    assert!(by.id.ends_with("/securityRules/deny-vnet-other"), "{}", by.id);
    assert!(t.message.starts_with("redirected to port 11000"), "{}", t.message);
    let direct = trace(&model, "10.20.2.4", 11000, host, Some(sql()));
    assert_eq!(
        (t.verdict, &t.decided_by),
        (direct.verdict, &direct.decided_by),
        "the redirect hop is the trace on 11000"
    );
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["hops"].as_array().unwrap().last().unwrap()["step"], "redirect");

    // Widening the NSG's SQL rule to the redirect range lets the second connection through.
    let rule = by_name(&mut docs, "securityRules", "allow-sql-outbound");
    rule["properties"]["destinationPortRange"] = "1433-65535".into();
    let t = trace(&load(&docs), "10.20.2.4", 1433, host, Some(sql()));
    assert_eq!(t.verdict, FlowVerdict::Allowed, "{t:#?}");
    assert_eq!(t.hops.last().unwrap().step, path::Step::Redirect);
}
