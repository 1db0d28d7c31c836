//! The seed estate written as one ARM template (`scenarios/templates/seed/azuredeploy.json`, a copy
//! loop over the four backends) means the same as the built-in estate (`scenarios/seed-estate/`)
//! once the template is deployed through the provider: Azure fills in the NICs, their addresses
//! (10.20.2.4–.7 in template order: the first free addresses of a /24 after the five reserved),
//! the zone-group A records and the backends' approved connections, which the template does not
//! write. Compared per resource: the typed facts the engines read; etags, GUIDs and generated
//! names are ignored.

use privlink_load::{Input, Options, TemplateSettings};
use privlink_model::{Model, ResourceId};
use std::collections::BTreeMap;

const SEED_FILES: [(&str, &str); 5] = [
    ("network.json", include_str!("../../../scenarios/seed-estate/network.json")),
    ("endpoints.json", include_str!("../../../scenarios/seed-estate/endpoints.json")),
    ("dns.json", include_str!("../../../scenarios/seed-estate/dns.json")),
    ("web.json", include_str!("../../../scenarios/seed-estate/web.json")),
    ("backends.json", include_str!("../../../scenarios/seed-estate/backends.json")),
];
const TEMPLATE: &str = include_str!("../../../scenarios/templates/seed/azuredeploy.json");

fn built_in() -> Model {
    let inputs: Vec<Input> = SEED_FILES.iter().map(|(n, t)| Input::new(*n, t.as_bytes().to_vec())).collect();
    privlink_load::load(inputs, &Options::default()).unwrap()
}

/// The template loaded as the CLI loads it: evaluated, deployed through the provider, typed.
fn deployed_template() -> Model {
    let settings = TemplateSettings {
        subscription: "00000000-0000-0000-0000-000000000001".into(),
        resource_group: "rg-privlink-seed".into(),
        location: "westeurope".into(),
        ..TemplateSettings::default()
    };
    let inputs = vec![Input::new("azuredeploy.json", TEMPLATE.as_bytes().to_vec())];
    let model = privlink_load::load(inputs, &Options { templates: settings }).unwrap();
    let failures: Vec<_> = model.diagnostics.iter().filter(|d| d.code == "LOAD018").collect();
    assert!(failures.is_empty(), "the deployment would fail: {failures:?}");
    model
}

fn name(id: &ResourceId) -> String {
    id.names().collect::<Vec<_>>().join("/")
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// The facts that decide resolution, reachability and the rules, keyed by resource.
fn facts(model: &Model) -> BTreeMap<String, String> {
    let r = &model.resources;
    let mut out = BTreeMap::new();
    for (id, s) in &r.subnets {
        out.insert(
            format!("subnet {}", name(id)),
            format!(
                "prefixes {:?} delegations {:?} nsg {:?} policies {:?}",
                s.prefixes,
                s.delegations,
                s.nsg.as_ref().map(name),
                s.private_endpoint_policies
            ),
        );
    }
    for (id, v) in &r.virtual_networks {
        out.insert(format!("vnet {}", name(id)), format!("{:?} dns {:?}", v.address_space, v.dns_servers));
    }
    for (id, nsg) in &r.network_security_groups {
        let rules: Vec<String> = nsg
            .rules
            .iter()
            .map(|x| {
                format!(
                    "{} {} {:?} {:?} {:?} {:?} {:?}",
                    x.name, x.priority, x.direction, x.access, x.protocol, x.destinations, x.destination_ports
                )
            })
            .collect();
        out.insert(format!("nsg {}", name(id)), format!("{rules:?}"));
    }
    for (id, pe) in &r.private_endpoints {
        let connections: Vec<String> = pe
            .connections
            .iter()
            .map(|c| format!("{:?} {:?} {:?} manual={}", c.target.as_ref().map(name), c.group_ids, c.status, c.manual))
            .collect();
        let nics: Vec<String> = model
            .endpoint_nics(id)
            .flat_map(|nic| nic.ip_configurations.iter())
            .map(|c| {
                format!(
                    "{:?} {:?} {:?} {:?}",
                    c.private_ip, c.private_link_group_id, c.private_link_member_name, c.private_link_fqdns
                )
            })
            .collect();
        out.insert(
            format!("endpoint {}", name(id)),
            format!("subnet {:?} connections {connections:?} nic {nics:?}", pe.subnet.as_ref().map(name)),
        );
    }
    for (id, group) in &r.zone_groups {
        let configs: Vec<String> = group
            .configs
            .iter()
            .map(|c| {
                let sets: Vec<String> = c
                    .record_sets
                    .iter()
                    .map(|s| format!("{} {:?} {:?}", s.record_set_name, s.ttl, s.ip_addresses))
                    .collect();
                format!("{:?} {sets:?}", c.zone.as_ref().map(name))
            })
            .collect();
        out.insert(format!("zone group {}", name(id)), format!("{configs:?}"));
    }
    for (id, set) in &r.record_sets {
        out.insert(
            format!("record {}", name(id)),
            format!("{} {:?} ttl {} {:?}", set.fqdn, set.record_type, set.ttl, sorted(set.addresses())),
        );
    }
    for (id, link) in &r.virtual_network_links {
        out.insert(
            format!("link {}", name(id)),
            format!(
                "{:?} registration {} {:?}",
                link.vnet.as_ref().map(name),
                link.registration_enabled,
                link.resolution_policy
            ),
        );
    }
    for (id, zone) in &r.private_dns_zones {
        out.insert(format!("zone {}", name(id)), zone.zone.to_string());
    }
    for (id, site) in &r.sites {
        out.insert(
            format!("site {}", name(id)),
            format!(
                "plan {:?} integration {:?} route-all {:?} routing {:?} https {:?} public {:?} identity {} settings {:?}",
                site.plan.as_ref().map(name),
                site.integration_subnet.as_ref().map(|s| name(&s.value)),
                site.vnet_route_all_enabled.as_ref().map(|s| s.value),
                site.outbound_vnet_routing,
                site.https_only,
                site.public_network_access,
                site.identity.kind,
                site.app_settings
            ),
        );
    }
    for (id, plan) in &r.plans {
        out.insert(
            format!("plan {}", name(id)),
            format!("{:?} {:?} linux {}", plan.sku_name, plan.sku_tier, plan.is_linux),
        );
    }
    for (id, backend) in &r.backends {
        let connections: Vec<String> = sorted(
            backend
                .connections
                .iter()
                .map(|c| format!("{:?} {:?}", c.private_endpoint.as_ref().map(name), c.status))
                .collect(),
        );
        out.insert(
            format!("backend {}", name(id)),
            format!("{:?} acls {:?} connections {connections:?}", backend.public_network_access, backend.network_acls),
        );
    }
    out
}

#[test]
fn the_seed_template_deploys_to_the_built_in_estate() {
    let (expected, actual) = (facts(&built_in()), facts(&deployed_template()));
    let count = |prefix: &str| expected.keys().filter(|k| k.starts_with(prefix)).count();
    assert_eq!((count("endpoint "), count("record "), count("link "), count("backend ")), (4, 4, 4, 4));
    assert!(expected["endpoint pe-sql"].contains("10.20.2.4"), "{}", expected["endpoint pe-sql"]);
    assert!(expected["record privatelink.openai.azure.com/oai-privlink-seed"].contains("10.20.2.7"));
    let mut differences = Vec::new();
    for key in expected.keys().chain(actual.keys().filter(|k| !expected.contains_key(*k))) {
        match (expected.get(key), actual.get(key)) {
            (Some(e), Some(a)) if e == a => {}
            (e, a) => differences.push(format!("{key}\n  built-in: {e:?}\n  template: {a:?}")),
        }
    }
    assert!(differences.is_empty(), "{} differences:\n{}", differences.len(), differences.join("\n"));
}

#[test]
fn deploying_the_template_twice_gives_the_same_documents() {
    let (a, b) = (deployed_template(), deployed_template());
    let text = |m: &Model| m.documents.values().map(|d| d.body.to_string()).collect::<Vec<_>>();
    assert_eq!(text(&a), text(&b));
}
