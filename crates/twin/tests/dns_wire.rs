//! The DNS face's wire behaviour on the seed estate: UDP and TCP, EDNS (OPT echoed, payload
//! honoured, TC when an answer does not fit), NODATA and NXDOMAIN with an SOA, SERVFAIL with an
//! Extended DNS Error for what privlink does not model, FORMERR / NOTIMP / REFUSED; and a fuzz of
//! the packet handler (arbitrary bytes never panic; what does not decode gets FORMERR or nothing;
//! multi-question and oversized queries get replies within the requester's UDP size, with at most
//! one question echoed).

mod dns_support;

use dns_support::{extended_error, query_message, seen_on_the_wire, tcp, udp};
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, RecordType};
use privlink_model::ResourceId;
use privlink_twin::dns_face::packet::{respond, Transport};
use privlink_twin::dns_face::{start_dns, DnsConfig, DnsSnapshot, ModelSource, RunningDns, ViewKey};
use proptest::prelude::*;
use std::net::SocketAddr;
use std::sync::OnceLock;

const VNET_APP: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/virtualNetworks/vnet-app";
const SQL: &str = "sql-privlink-seed.database.windows.net.";

fn seed_model() -> privlink_model::Model {
    dns_support::load_estate(&dns_support::scenarios_root().join("seed-estate"))
}

async fn seed_face() -> (RunningDns, SocketAddr) {
    let face = start_dns(ModelSource::Model(Box::new(seed_model())), &DnsConfig::on_port(0)).await.unwrap();
    let address = face.address_of(VNET_APP).expect("vnet-app listens");
    let server = SocketAddr::from((address, face.port));
    (face, server)
}

#[tokio::test]
async fn answers_over_udp_and_tcp_with_the_chain_ttls_and_resolver_flags() {
    let (face, server) = seed_face().await;
    let query = query_message(SQL, RecordType::A, None);
    let over_udp = udp(server, &query).await;
    let over_tcp = tcp(server, &query).await;
    let expected = vec![
        (
            "sql-privlink-seed.database.windows.net".to_string(),
            "CNAME".to_string(),
            "sql-privlink-seed.privatelink.database.windows.net".to_string(),
            60,
        ),
        ("sql-privlink-seed.privatelink.database.windows.net".into(), "A".into(), "10.20.2.4".into(), 10),
    ];
    for reply in [&over_udp, &over_tcp] {
        assert_eq!(seen_on_the_wire(reply).answers, expected);
        assert_eq!(reply.metadata.id, query.metadata.id);
        assert_eq!(reply.metadata.message_type, MessageType::Response);
        assert!(reply.metadata.recursion_available && reply.metadata.recursion_desired);
        assert!(!reply.metadata.authoritative, "Azure DNS is a recursive resolver: AA clear");
        assert!(reply.edns.is_none(), "no OPT in the query, none in the answer");
        assert_eq!(reply.queries, query.queries, "the question is echoed");
    }
    let with_edns = udp(server, &query_message(SQL, RecordType::A, Some(4096))).await;
    let edns = with_edns.edns.as_ref().expect("OPT echoed");
    assert_eq!(edns.max_payload(), 1232);
    assert_eq!(edns.version(), 0);
    face.shutdown().await.unwrap();
}

#[tokio::test]
async fn negative_answers_carry_the_zone_soa() {
    let (face, server) = seed_face().await;
    // AAAA of a name whose private record is an A: NODATA, SOA of the private zone with TTL 10.
    let nodata = udp(server, &query_message(SQL, RecordType::AAAA, Some(1232))).await;
    assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
    assert!(nodata.answers.iter().all(|r| r.record_type() == RecordType::CNAME));
    let soa = &nodata.authorities[0];
    assert_eq!(soa.record_type(), RecordType::SOA);
    assert_eq!(soa.name.to_ascii(), "privatelink.database.windows.net.");
    assert_eq!(soa.ttl, 10);
    // A name in the linked zone with no record: NXDOMAIN, same SOA.
    let missing = udp(server, &query_message("nothere.privatelink.database.windows.net.", RecordType::A, None)).await;
    assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(missing.authorities[0].name.to_ascii(), "privatelink.database.windows.net.");
    // A type the engine has no notion of, for a name that exists: NODATA, the CNAME chain only.
    let https = udp(server, &query_message(SQL, RecordType::HTTPS, None)).await;
    assert_eq!(https.metadata.response_code, ResponseCode::NoError);
    assert_eq!(https.answers.len(), 1);
    assert_eq!(https.answers[0].record_type(), RecordType::CNAME);
    assert_eq!(https.authorities[0].record_type(), RecordType::SOA);
    // From the internet: the public chain, and a [SIM] SOA of the public zone for AAAA.
    let internet = SocketAddr::from((face.address_of("internet").unwrap(), face.port));
    let public = udp(internet, &query_message(SQL, RecordType::AAAA, None)).await;
    assert_eq!(public.metadata.response_code, ResponseCode::NoError);
    assert_eq!(public.authorities[0].name.to_ascii(), "database.windows.net.");
    face.shutdown().await.unwrap();
}

#[tokio::test]
async fn what_privlink_does_not_model_is_servfail_with_an_extended_error() {
    let (face, server) = seed_face().await;
    let reply = udp(server, &query_message("www.example.org.", RecordType::A, Some(1232))).await;
    assert_eq!(reply.metadata.response_code, ResponseCode::ServFail);
    assert!(reply.answers.is_empty());
    let (code, text) = extended_error(&reply).expect("an Extended DNS Error");
    assert_eq!(code, 0);
    assert!(text.starts_with("not modelled: ") && text.contains("www.example.org"), "{text}");
    // Without EDNS there is nowhere to put the EDE: plain SERVFAIL.
    let plain = udp(server, &query_message("www.example.org.", RecordType::A, None)).await;
    assert_eq!(plain.metadata.response_code, ResponseCode::ServFail);
    assert!(plain.edns.is_none());
    face.shutdown().await.unwrap();
}

#[tokio::test]
async fn refuses_what_is_not_a_standard_in_query() {
    let (face, server) = seed_face().await;
    let mut chaos = query_message("version.bind.", RecordType::TXT, None);
    chaos.queries[0].set_query_class(DNSClass::CH);
    assert_eq!(udp(server, &chaos).await.metadata.response_code, ResponseCode::Refused);
    let mut status = query_message(SQL, RecordType::A, None);
    status.metadata.op_code = OpCode::Status;
    assert_eq!(udp(server, &status).await.metadata.response_code, ResponseCode::NotImp);
    let transfer = query_message("privatelink.database.windows.net.", RecordType::AXFR, None);
    assert_eq!(tcp(server, &transfer).await.metadata.response_code, ResponseCode::Refused);
    let mut two = query_message(SQL, RecordType::A, None);
    two.add_query(hickory_proto::op::Query::query("x.example.".parse().unwrap(), RecordType::A));
    assert_eq!(udp(server, &two).await.metadata.response_code, ResponseCode::FormErr);
    let mut future = query_message(SQL, RecordType::A, Some(1232));
    future.edns.as_mut().unwrap().set_version(1);
    // BADVERS is 16, which hickory reads back as BADSIG (same value, RFC 6891 / RFC 8945).
    assert_eq!(u16::from(udp(server, &future).await.metadata.response_code), 16);
    face.shutdown().await.unwrap();
}

fn snapshot() -> &'static DnsSnapshot {
    static SNAPSHOT: OnceLock<DnsSnapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| DnsSnapshot::from_model(seed_model()))
}

fn vnet_app() -> ViewKey {
    ViewKey::VirtualNetwork(ResourceId::parse(VNET_APP).unwrap())
}

/// A VNet linked to `corp.contoso.com`, whose record set `big` holds 20 AAAA records (Azure's
/// limit per set): about 600 bytes of answer.
fn big_answer_estate() -> (DnsSnapshot, ViewKey) {
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-big/providers/Microsoft.Network";
    let records: Vec<serde_json::Value> =
        (1..=20).map(|i| serde_json::json!({"ipv6Address": format!("fd00::{i}")})).collect();
    let documents = serde_json::json!([
        {"id": format!("{rg}/virtualNetworks/vnet-big"), "name": "vnet-big", "type": "Microsoft.Network/virtualNetworks",
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com"), "name": "corp.contoso.com",
         "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com/AAAA/big"), "name": "big",
         "type": "Microsoft.Network/privateDnsZones/AAAA", "properties": {"ttl": 300, "aaaaRecords": records}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com/virtualNetworkLinks/link"), "name": "link",
         "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
         "properties": {"virtualNetwork": {"id": format!("{rg}/virtualNetworks/vnet-big")}, "registrationEnabled": false}}
    ]);
    let input = privlink_load::Input::new("big.json", documents.to_string().into_bytes());
    let model = privlink_load::load(vec![input], &privlink_load::Options::default()).unwrap();
    let view = ViewKey::VirtualNetwork(ResourceId::parse(&format!("{rg}/virtualNetworks/vnet-big")).unwrap());
    (DnsSnapshot::from_model(model), view)
}

#[test]
fn a_udp_answer_that_does_not_fit_is_truncated_and_complete_over_tcp() {
    let (estate, view) = big_answer_estate();
    let ask = |edns: Option<u16>, transport| {
        let query = query_message("big.corp.contoso.com.", RecordType::AAAA, edns).to_vec().unwrap();
        let bytes = respond(&estate, &view, &query, transport).unwrap();
        (bytes.len(), Message::from_vec(&bytes).unwrap())
    };
    let (size, over_tcp) = ask(None, Transport::Tcp);
    assert!(size > 512 && !over_tcp.metadata.truncation, "{size} bytes over TCP, complete");
    assert_eq!(over_tcp.answers.len(), 20);
    assert_eq!(over_tcp.answers[0].ttl, 300, "the record set's TTL");
    for edns in [None, Some(512), Some(100)] {
        let (size, over_udp) = ask(edns, Transport::Udp);
        assert!(size <= 512, "{edns:?}: {size} bytes");
        assert!(over_udp.metadata.truncation, "{edns:?}: TC set");
        assert!(over_udp.answers.is_empty() && over_udp.authorities.is_empty(), "no partial RRset");
        assert_eq!(over_udp.edns.is_some(), edns.is_some(), "OPT echoed when sent");
        assert_eq!(over_udp.queries.len(), 1, "the question stays");
    }
    let (size, roomy) = ask(Some(1232), Transport::Udp);
    assert!(size <= 1232 && !roomy.metadata.truncation && roomy.answers.len() == 20);
}

#[test]
fn malformed_messages_get_formerr_or_nothing() {
    // Too short for a header: no answer.
    assert_eq!(respond(snapshot(), &vnet_app(), &[0x12], Transport::Udp), None);
    // A header claiming a question that is not there: FORMERR with the same id.
    let broken = [0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, b'a'];
    let reply = Message::from_vec(&respond(snapshot(), &vnet_app(), &broken, Transport::Udp).unwrap()).unwrap();
    assert_eq!(reply.metadata.id, 0xabcd);
    assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
    // A response is never answered (no reflection loops).
    let mut response = query_message(SQL, RecordType::A, None);
    response.metadata.message_type = MessageType::Response;
    assert_eq!(respond(snapshot(), &vnet_app(), &response.to_vec().unwrap(), Transport::Udp), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Some(reply) = respond(snapshot(), &vnet_app(), &bytes, Transport::Udp) {
            prop_assert!(reply.len() <= 1232);
            let reply = Message::from_vec(&reply).expect("every answer decodes");
            prop_assert_eq!(reply.metadata.message_type, MessageType::Response);
            if Message::from_vec(&bytes).is_err() {
                prop_assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
            }
        }
    }

    #[test]
    fn mutated_queries_never_panic(position in 0usize..64, value in any::<u8>(), cut in 0usize..80) {
        let mut bytes = query_message(SQL, RecordType::A, Some(1232)).to_vec().unwrap();
        let at = position % bytes.len();
        bytes[at] = value;
        bytes.truncate(cut.max(1).min(bytes.len()));
        if let Some(reply) = respond(snapshot(), &vnet_app(), &bytes, Transport::Udp) {
            let reply = Message::from_vec(&reply).expect("every answer decodes");
            if Message::from_vec(&bytes).is_err() {
                prop_assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
            }
        }
    }
}

/// A query of `names.len()` questions (each a name from the seed estate or a random one), with an
/// OPT record offering `payload` when given, padded past `padding` bytes with an extra record.
fn multi_question_query(names: &[String], record_type: u16, payload: Option<u16>, padding: usize) -> Vec<u8> {
    let mut message = query_message(SQL, RecordType::A, payload);
    message.queries.clear();
    for name in names {
        if let Ok(name) = hickory_proto::rr::Name::from_ascii(name) {
            message.add_query(hickory_proto::op::Query::query(name, RecordType::from(record_type)));
        }
    }
    if padding > 0 {
        let text = hickory_proto::rr::rdata::TXT::new(vec!["x".repeat(200); padding / 200 + 1]);
        let owner = hickory_proto::rr::Name::from_ascii("pad.example.").unwrap();
        message.add_additional(hickory_proto::rr::Record::from_rdata(owner, 0, hickory_proto::rr::RData::TXT(text)));
    }
    message.to_vec().unwrap()
}

fn udp_limit(payload: Option<u16>) -> usize {
    payload.map_or(512, |p| usize::from(p.clamp(512, 1232)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Issue 17: several questions, long names, big payload offers and oversized messages: the
    /// reply fits the requester's UDP size, echoes at most one question, and is FORMERR when
    /// there was more than one.
    #[test]
    fn multi_question_and_oversized_queries_keep_the_size_limits(
        count in 1usize..400,
        known in any::<bool>(),
        label in "[a-z0-9-]{1,63}",
        depth in 1usize..4,
        record_type in prop_oneof![Just(1u16), Just(28), Just(5), Just(6), Just(16), Just(255), any::<u16>()],
        payload in proptest::option::of(any::<u16>()),
        padding in prop_oneof![Just(0usize), 0usize..60_000],
    ) {
        let name = if known {
            SQL.to_string()
        } else {
            format!("{}.", vec![label.as_str(); depth].join("."))
        };
        let names = vec![name; count];
        let query = multi_question_query(&names, record_type, payload, padding);
        let Some(reply) = respond(snapshot(), &vnet_app(), &query, Transport::Udp) else { return Ok(()) };
        prop_assert!(reply.len() <= udp_limit(payload), "{} bytes for {} questions, payload {payload:?}", reply.len(), count);
        let reply = Message::from_vec(&reply).expect("every answer decodes");
        prop_assert!(reply.queries.len() <= 1);
        if count > 1 {
            prop_assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
        }
        let over_tcp = Message::from_vec(&respond(snapshot(), &vnet_app(), &query, Transport::Tcp).unwrap()).unwrap();
        prop_assert!(over_tcp.queries.len() <= 1);
    }
}
