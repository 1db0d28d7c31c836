//! The DNS proxy of an Azure Firewall (azure-semantics §12): the effective flag (policy over the
//! firewall's own settings, `basePolicy` inheritance, the classic string read without regard to
//! case), and what a client that asks the firewall gets (Azure DNS of the firewall's VNet, its
//! custom servers, or nothing).

use privlink_engine::dns::firewall::{firewall_at, proxy_settings};
use privlink_engine::dns::{view_of, Answerer, Querier, ViewKind};
use privlink_load::{load, Input, Options};
use privlink_model::{Model, ResourceId};
use serde_json::{json, Value};
use std::net::IpAddr;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-fw";

fn id(path: &str) -> String {
    format!("{RG}/providers/{path}")
}

fn vnet_id(name: &str) -> ResourceId {
    ResourceId::parse(&id(&format!("Microsoft.Network/virtualNetworks/{name}"))).unwrap()
}

fn model_of(docs: Vec<Value>) -> Model {
    let inputs = vec![Input::new("estate.json", serde_json::to_vec(&Value::Array(docs)).unwrap())];
    load(inputs, &Options::default()).unwrap()
}

/// vnet-hub (10.0.0.0/16, AzureFirewallSubnet 10.0.1.0/26) and vnet-spoke (10.1.0.0/16), peered.
fn networks() -> Vec<Value> {
    let peering = |from: &str, to: &str| {
        json!({"name": format!("to-{to}"), "id": id(&format!("Microsoft.Network/virtualNetworks/{from}/virtualNetworkPeerings/to-{to}")),
            "properties": {"remoteVirtualNetwork": {"id": vnet_id(to).to_string()}, "peeringState": "Connected"}})
    };
    vec![
        json!({"id": vnet_id("vnet-hub").to_string(), "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "AzureFirewallSubnet", "id": format!("{}/subnets/AzureFirewallSubnet", vnet_id("vnet-hub")),
                    "properties": {"addressPrefix": "10.0.1.0/26"}}],
                "virtualNetworkPeerings": [peering("vnet-hub", "vnet-spoke")]}}),
        json!({"id": vnet_id("vnet-spoke").to_string(), "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "dhcpOptions": {"dnsServers": ["10.0.1.4"]},
                "virtualNetworkPeerings": [peering("vnet-spoke", "vnet-hub")]}}),
    ]
}

/// Firewall fw-hub at 10.0.1.4 in vnet-hub, with `extra` merged into its properties.
fn firewall(extra: Value) -> Value {
    let mut fw = json!({"id": id("Microsoft.Network/azureFirewalls/fw-hub"), "type": "Microsoft.Network/azureFirewalls",
        "location": "westeurope",
        "properties": {"sku": {"name": "AZFW_VNet", "tier": "Standard"},
            "ipConfigurations": [{"name": "ipconfig", "id": id("Microsoft.Network/azureFirewalls/fw-hub/ipConfigurations/ipconfig"),
                "properties": {"privateIPAddress": "10.0.1.4",
                    "subnet": {"id": format!("{}/subnets/AzureFirewallSubnet", vnet_id("vnet-hub"))}}}]}});
    for (k, v) in extra.as_object().unwrap() {
        fw["properties"][k] = v.clone();
    }
    fw
}

fn policy(name: &str, properties: Value) -> Value {
    json!({"id": id(&format!("Microsoft.Network/firewallPolicies/{name}")), "type": "Microsoft.Network/firewallPolicies",
        "location": "westeurope", "properties": properties})
}

fn policy_ref(name: &str) -> Value {
    json!({"id": id(&format!("Microsoft.Network/firewallPolicies/{name}"))})
}

/// The effective proxy flag and servers of fw-hub in an estate of `docs` and the networks.
fn effective(docs: Vec<Value>) -> Result<(bool, Vec<String>), String> {
    let mut all = networks();
    all.extend(docs);
    let model = model_of(all);
    let (fw, settings) = firewall_at(&model, "10.0.1.4".parse().unwrap()).expect("fw-hub holds 10.0.1.4");
    assert_eq!(proxy_settings(&model, fw), settings);
    settings.map(|s| (s.enabled, s.servers.iter().map(IpAddr::to_string).collect()))
}

#[test]
fn the_classic_flag_is_the_string_true_in_any_case() {
    for (value, on) in [("true", true), ("True", true), ("TRUE", true), ("false", false), ("yes", false)] {
        let extra = json!({"additionalProperties": {"Network.DNS.EnableProxy": value, "Network.DNS.Servers": "10.5.0.4, 10.5.0.5"}});
        let (enabled, servers) = effective(vec![firewall(extra)]).unwrap();
        assert_eq!(enabled, on, "Network.DNS.EnableProxy={value}");
        assert_eq!(servers, ["10.5.0.4", "10.5.0.5"]);
    }
    assert_eq!(effective(vec![firewall(json!({}))]).unwrap(), (false, vec![]), "off by default");
}

#[test]
fn an_attached_policy_replaces_the_firewalls_own_settings() {
    let fw = firewall(json!({"firewallPolicy": policy_ref("fwp"),
        "additionalProperties": {"Network.DNS.EnableProxy": "true", "Network.DNS.Servers": "10.5.0.4"}}));
    let off = policy("fwp", json!({"dnsSettings": {"enableProxy": false}}));
    assert_eq!(effective(vec![fw.clone(), off]).unwrap(), (false, vec![]));
    let silent = policy("fwp", json!({}));
    assert!(!effective(vec![fw.clone(), silent]).unwrap().0, "a policy that sets nothing: off (the default)");
    let on = policy("fwp", json!({"dnsSettings": {"enableProxy": true, "servers": []}}));
    assert_eq!(effective(vec![fw, on]).unwrap(), (true, vec![]), "the classic servers do not apply either");
}

#[test]
fn a_child_policy_inherits_each_dns_setting_it_does_not_set() {
    let fw = firewall(json!({"firewallPolicy": policy_ref("child")}));
    let base = policy("base", json!({"dnsSettings": {"enableProxy": true, "servers": ["10.5.0.4"]}}));
    let inherits = policy("child", json!({"basePolicy": policy_ref("base")}));
    assert_eq!(effective(vec![fw.clone(), inherits, base.clone()]).unwrap(), (true, vec!["10.5.0.4".to_string()]));
    let overrides = policy("child", json!({"basePolicy": policy_ref("base"), "dnsSettings": {"enableProxy": false}}));
    assert!(!effective(vec![fw.clone(), overrides, base.clone()]).unwrap().0, "the child's false wins");
    let own_servers = policy("child", json!({"basePolicy": policy_ref("base"), "dnsSettings": {"servers": []}}));
    assert_eq!(effective(vec![fw, own_servers, base]).unwrap(), (true, vec![]), "servers [] overrides the base's list");
}

#[test]
fn a_policy_outside_the_estate_or_a_looping_chain_leaves_the_flag_unknown() {
    let fw = firewall(json!({"firewallPolicy": policy_ref("absent")}));
    let why = effective(vec![fw]).unwrap_err();
    assert!(why.contains("is not in the estate"), "{why}");
    let fw = firewall(json!({"firewallPolicy": policy_ref("a")}));
    let a = policy("a", json!({"basePolicy": policy_ref("b")}));
    let b = policy("b", json!({"basePolicy": policy_ref("a")}));
    assert!(effective(vec![fw, a, b]).unwrap_err().contains("loops"));
}

/// What vnet-spoke (DNS server: the firewall) and an on-premises client asking the firewall see.
fn spoke_view(docs: Vec<Value>) -> privlink_engine::dns::View {
    let mut all = networks();
    all.extend(docs);
    let model = model_of(all);
    let spoke = view_of(&model, &Querier::VirtualNetwork(vnet_id("vnet-spoke")));
    let outside = view_of(&model, &Querier::DnsServer { ip: "10.0.1.4".parse().unwrap(), vnet: None });
    assert_eq!(spoke.answerer, outside.answerer, "the proxy answers everyone alike");
    assert_eq!(spoke.kind, ViewKind::FirewallDnsProxy);
    spoke
}

#[test]
fn the_proxy_answers_from_the_firewalls_vnet_or_its_custom_servers() {
    let on = |servers: Value| {
        firewall(json!({"additionalProperties": {"Network.DNS.EnableProxy": "true", "Network.DNS.Servers": servers}}))
    };
    let hub = Answerer::AzureDns { vnet: vnet_id("vnet-hub") };
    assert_eq!(spoke_view(vec![on(json!(""))]).answerer, hub, "no custom servers: Azure DNS of the hub");
    assert_eq!(spoke_view(vec![on(json!("168.63.129.16"))]).answerer, hub, "Azure DNS asked from the hub");
    assert_eq!(spoke_view(vec![on(json!("8.8.8.8,1.1.1.1"))]).answerer, Answerer::Public, "two public resolvers agree");
    let mixed = spoke_view(vec![on(json!("168.63.129.16,8.8.8.8"))]);
    assert!(matches!(mixed.answerer, Answerer::Unknown { .. }), "picked at random, answering differently");
    assert!(mixed.explanation.iter().any(|e| e.contains("at random")), "{:?}", mixed.explanation);
    let itself = spoke_view(vec![on(json!("10.0.1.4"))]);
    assert!(matches!(itself.answerer, Answerer::Unknown { .. }), "a proxy forwarding to itself gives up");
}

#[test]
fn with_the_proxy_off_nothing_answers_and_the_next_server_is_asked() {
    let off = firewall(json!({}));
    let view = spoke_view(vec![off.clone()]);
    assert!(matches!(&view.answerer, Answerer::Unknown { reason } if reason.contains("no listener")), "{view:?}");
    let mut docs = networks();
    docs[1]["properties"]["dhcpOptions"]["dnsServers"] = json!(["10.0.1.4", "168.63.129.16"]);
    docs.push(off);
    let model = model_of(docs);
    let view = view_of(&model, &Querier::VirtualNetwork(vnet_id("vnet-spoke")));
    assert_eq!(view.answerer, Answerer::AzureDns { vnet: vnet_id("vnet-spoke") }, "the fallback server answers");
}

#[test]
fn a_spoke_whose_peering_is_down_does_not_reach_the_proxy() {
    let mut docs = networks();
    docs[1]["properties"]["virtualNetworkPeerings"][0]["properties"]["peeringState"] = json!("Disconnected");
    docs.push(firewall(json!({"additionalProperties": {"Network.DNS.EnableProxy": "true"}})));
    let model = model_of(docs);
    let spoke = view_of(&model, &Querier::VirtualNetwork(vnet_id("vnet-spoke")));
    assert!(matches!(spoke.answerer, Answerer::Unknown { .. }), "{spoke:?}");
    assert!(spoke.explanation.iter().any(|e| e.contains("Disconnected")), "{:?}", spoke.explanation);
    let hub = view_of(&model, &Querier::DnsServer { ip: "10.0.1.4".parse().unwrap(), vnet: Some(vnet_id("vnet-hub")) });
    assert_eq!(hub.answerer, Answerer::AzureDns { vnet: vnet_id("vnet-hub") }, "from its own VNet it answers");
}

#[test]
fn a_secured_hub_firewall_is_typed_from_its_hub_address() {
    let fw = json!({"id": id("Microsoft.Network/azureFirewalls/fw-vwan"), "type": "Microsoft.Network/azureFirewalls",
        "location": "westeurope",
        "properties": {"sku": {"name": "AZFW_Hub", "tier": "Premium"},
            "virtualHub": {"id": id("Microsoft.Network/virtualHubs/hub1")},
            "hubIPAddresses": {"publicIPs": {"count": 1}, "privateIPAddress": "10.100.64.4"},
            "firewallPolicy": policy_ref("fwp")}});
    let mut docs = networks();
    docs.push(fw);
    docs.push(policy("fwp", json!({"dnsSettings": {"enableProxy": true}})));
    let model = model_of(docs);
    let (found, settings) = firewall_at(&model, "10.100.64.4".parse().unwrap()).unwrap();
    assert_eq!(found.vnet(), None);
    assert!(settings.unwrap().enabled);
    let view = view_of(&model, &Querier::DnsServer { ip: "10.100.64.4".parse().unwrap(), vnet: None });
    assert!(matches!(&view.answerer, Answerer::Unknown { reason } if reason.contains("virtual hub")), "{view:?}");
}
