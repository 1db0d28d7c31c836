//! The built-in seed estate (`scenarios/seed-estate/`) and the catalog must tell the same story:
//! each private endpoint's zone group writes into the zone the catalog names for its group id, the
//! record is the resource's host label, and the NIC's FQDNs are the customer-visible names.

use privlink_engine::catalog::{self, Cloud, NameHints, ZoneKind};
use privlink_model::DnsName;
use serde_json::Value;

fn documents(json: &str) -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(json).expect("seed estate file is a JSON array")
}

fn seed() -> Vec<Value> {
    [
        include_str!("../../../scenarios/seed-estate/network.json"),
        include_str!("../../../scenarios/seed-estate/endpoints.json"),
        include_str!("../../../scenarios/seed-estate/dns.json"),
        include_str!("../../../scenarios/seed-estate/web.json"),
        include_str!("../../../scenarios/seed-estate/backends.json"),
    ]
    .into_iter()
    .flat_map(documents)
    .collect()
}

fn by_id<'a>(docs: &'a [Value], id: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .unwrap_or_else(|| panic!("no document with id {id}"))
}

fn of_type<'a>(docs: &'a [Value], ty: &'a str) -> impl Iterator<Item = &'a Value> {
    docs.iter().filter(move |d| d["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(ty)))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("missing {pointer} in {}", v["id"]))
}

fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap()
}

#[test]
fn zone_groups_records_and_nics_agree_with_the_catalog() {
    let docs = seed();
    let endpoints: Vec<&Value> = of_type(&docs, "Microsoft.Network/privateEndpoints").collect();
    assert_eq!(endpoints.len(), 4);
    for pe in endpoints {
        let pe_id = str_at(pe, "/id");
        let target_id = str_at(pe, "/properties/privateLinkServiceConnections/0/properties/privateLinkServiceId");
        let group = str_at(pe, "/properties/privateLinkServiceConnections/0/properties/groupIds/0");
        let target = by_id(&docs, target_id);
        let target_type = str_at(target, "/type");
        let entry =
            catalog::lookup(target_type, group).unwrap_or_else(|| panic!("{target_type}/{group} not catalogued"));

        let hints = NameHints {
            account_kind: target["kind"].as_str(),
            custom_sub_domain: target.pointer("/properties/customSubDomainName").and_then(Value::as_str),
            ..NameHints::default()
        };
        let expected_fqdns =
            catalog::customer_fqdns(Cloud::Public, target_type, str_at(target, "/name"), group, &hints);
        assert_eq!(expected_fqdns.len(), 1, "{pe_id}");
        let fqdn = &expected_fqdns[0];

        let nic = by_id(&docs, str_at(pe, "/properties/networkInterfaces/0/id"));
        let nic_fqdn = str_at(nic, "/properties/ipConfigurations/0/properties/privateLinkConnectionProperties/fqdns/0");
        assert_eq!(DnsName::parse(nic_fqdn).unwrap(), *fqdn, "{pe_id}");
        assert_eq!(str_at(pe, "/properties/customDnsConfigs/0/fqdn"), fqdn.as_str());

        let group_doc = by_id(&docs, &format!("{pe_id}/privateDnsZoneGroups/default"));
        let zone_id = str_at(group_doc, "/properties/privateDnsZoneConfigs/0/properties/privateDnsZoneId");
        let zone = DnsName::parse(last_segment(zone_id)).unwrap();
        assert!(
            entry.private_zones(Cloud::Public).contains(&zone.as_str()),
            "{pe_id}: {zone} not a zone of {}",
            entry.service
        );
        assert!(catalog::group_ids_for_zone(Cloud::Public, &zone).iter().any(|g| g.eq_ignore_ascii_case(group)));

        let record = str_at(group_doc, "/properties/privateDnsZoneConfigs/0/properties/recordSets/0/recordSetName");
        assert_eq!(record, fqdn.first_label(), "{pe_id}");
        let private_name = zone.prepend(record).unwrap();
        let m = catalog::lookup_fqdn(Cloud::Public, &private_name).unwrap();
        assert_eq!((m.kind, m.entry.resource_type), (ZoneKind::PrivateLink, entry.resource_type));
    }
}

#[test]
fn every_seed_zone_is_a_privatelink_zone() {
    let docs = seed();
    let zones: Vec<&Value> = of_type(&docs, "Microsoft.Network/privateDnsZones").collect();
    assert_eq!(zones.len(), 4);
    for zone in zones {
        let name = DnsName::parse(str_at(zone, "/name")).unwrap();
        assert!(catalog::is_privatelink_zone(Cloud::Public, &name), "{name}");
    }
}

#[test]
fn app_settings_name_catalogued_backends() {
    let docs = seed();
    let settings = of_type(&docs, "Microsoft.Web/sites/config").find(|d| d["name"] == "appsettings").unwrap();
    let host_of = |key: &str| {
        let value = str_at(settings, &format!("/properties/{key}"));
        let host = value.trim_start_matches("https://").trim_end_matches('/');
        DnsName::parse(host).unwrap()
    };
    for (key, resource_type) in [
        ("SQL_SERVER_FQDN", "Microsoft.Sql/servers"),
        ("REDIS_HOST", "Microsoft.Cache/Redis"),
        ("KEY_VAULT_URI", "Microsoft.KeyVault/vaults"),
        ("AZURE_OPENAI_ENDPOINT", "Microsoft.CognitiveServices/accounts"),
    ] {
        let m = catalog::lookup_fqdn(Cloud::Public, &host_of(key)).unwrap_or_else(|| panic!("{key} not recognised"));
        assert_eq!((m.kind, m.entry.resource_type), (ZoneKind::Public, resource_type), "{key}");
        assert!(of_type(&docs, resource_type).any(|d| d["name"] == m.host_label.as_str()), "{key}");
    }
}
