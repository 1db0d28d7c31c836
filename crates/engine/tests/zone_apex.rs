//! The apex of a private zone always exists: Azure creates every private zone with its SOA record
//! there (issue 17). From a linked VNet, SOA at the apex is answered, and a type the apex has no
//! record of is NODATA — never NXDOMAIN — while a missing name below the apex stays NXDOMAIN.

use privlink_engine::dns::{self, view_of, Querier, Rcode};
use privlink_model::{DnsName, Model, RecordType, ResourceId};

mod common;
use common::seed;

const VNET_APP: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/virtualNetworks/vnet-app";
const ZONE: &str = "privatelink.database.windows.net";

fn resolve(model: &Model, name: &str, record_type: RecordType) -> dns::Resolution {
    let view = view_of(model, &Querier::VirtualNetwork(ResourceId::parse(VNET_APP).unwrap()));
    dns::resolve(model, &view, &DnsName::parse(name).unwrap(), record_type)
}

#[test]
fn the_apex_answers_its_soa() {
    let model = seed();
    let soa = resolve(&model, ZONE, RecordType::SOA);
    assert_eq!(soa.rcode, Some(Rcode::NoError), "{:#?}", soa.explanation);
    assert_eq!(soa.chain.len(), 1, "{:?}", soa.chain);
    let record = &soa.chain[0];
    assert_eq!((record.name.as_str(), record.record_type), (ZONE, RecordType::SOA));
    assert_eq!(record.data, "azureprivatedns.net. azureprivatedns-host.microsoft.com. 1 3600 300 2419200 10");
    assert_eq!(record.ttl, 3600);
    assert!(soa.zone.as_ref().is_some_and(|z| z.name() == ZONE));
}

#[test]
fn the_apex_exists_for_every_type() {
    let model = seed();
    for record_type in [RecordType::A, RecordType::AAAA, RecordType::TXT, RecordType::MX] {
        let apex = resolve(&model, ZONE, record_type);
        assert_eq!(apex.rcode, Some(Rcode::NoError), "{record_type:?} at the apex: {:#?}", apex.explanation);
        assert!(apex.chain.is_empty());
    }
    let missing = resolve(&model, &format!("nothere.{ZONE}"), RecordType::SOA);
    assert_eq!(missing.rcode, Some(Rcode::NxDomain), "below the apex, a missing name is still NXDOMAIN");
}
