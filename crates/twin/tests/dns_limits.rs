//! The DNS face keeps DNS's limits (issue 17): a UDP reply never exceeds the requester's payload
//! (512 bytes without EDNS, at most 1232 with it), several questions get FORMERR with at most one
//! echoed, the worst-case amplification on the seed estate is bounded, the face answers on threads
//! of its own (a busy caller's runtime does not stop it, and it does not take the caller's), idle
//! TCP connections cannot lock clients out, and the zone apex answers its SOA.

mod dns_support;

use dns_support::{query_message, tcp, udp};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{RData, RecordType};
use privlink_engine::dns::dependencies;
use privlink_model::ResourceId;
use privlink_twin::dns_face::packet::{respond, Transport};
use privlink_twin::dns_face::{start_dns, DnsConfig, DnsSnapshot, ModelSource, ViewKey, MAX_TCP_CONNECTIONS};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const VNET_APP: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Network/virtualNetworks/vnet-app";
const SQL: &str = "sql-privlink-seed.database.windows.net";

fn seed_model() -> privlink_model::Model {
    dns_support::load_estate(&dns_support::scenarios_root().join("seed-estate"))
}

fn vnet_app() -> ViewKey {
    ViewKey::VirtualNetwork(ResourceId::parse(VNET_APP).unwrap())
}

/// The probe of issue 17: a question for `name`, then `questions - 1` more that point at it
/// (RFC 1035 §4.1.4 compression), optionally an OPT record offering `payload`.
fn many_questions(name: &str, questions: u16, payload: Option<u16>) -> Vec<u8> {
    let mut message = vec![0x12, 0x34, 0x01, 0x00];
    message.extend_from_slice(&questions.to_be_bytes());
    message.extend_from_slice(&[0, 0, 0, 0, 0, u8::from(payload.is_some())]);
    for label in name.trim_end_matches('.').split('.') {
        message.push(label.len() as u8);
        message.extend_from_slice(label.as_bytes());
    }
    message.extend_from_slice(&[0, 0, 1, 0, 1]);
    for _ in 1..questions {
        message.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
    }
    if let Some(payload) = payload {
        message.extend_from_slice(&[0, 0, 41]);
        message.extend_from_slice(&payload.to_be_bytes());
        message.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    }
    message
}

/// What a UDP reply may weigh for a query offering `payload` (None: no OPT record).
fn udp_limit(payload: Option<u16>) -> usize {
    payload.map_or(512, |p| usize::from(p.clamp(512, 1232)))
}

#[test]
fn many_questions_get_formerr_within_the_udp_limit() {
    let snapshot = DnsSnapshot::from_model(seed_model());
    // The two probes of the issue, and the same with every payload a client may offer.
    for (questions, payload) in
        [(368, Some(65535)), (368, None), (100, None), (100, Some(4096)), (2, None), (10_000 / 6, Some(1232))]
    {
        let query = many_questions(SQL, questions, payload);
        let reply = respond(&snapshot, &vnet_app(), &query, Transport::Udp).expect("a query is answered");
        assert!(
            reply.len() <= udp_limit(payload),
            "{questions} questions, payload {payload:?}: {} bytes for a {}-byte query",
            reply.len(),
            query.len()
        );
        let reply = Message::from_vec(&reply).unwrap();
        assert_eq!(reply.metadata.response_code, ResponseCode::FormErr, "{questions} questions");
        assert!(reply.queries.len() <= 1, "{questions} questions: {} echoed", reply.queries.len());
        assert!(reply.answers.is_empty());
        // Over TCP the same: FORMERR, one question at most.
        let over_tcp = Message::from_vec(&respond(&snapshot, &vnet_app(), &query, Transport::Tcp).unwrap()).unwrap();
        assert!(over_tcp.queries.len() <= 1 && over_tcp.metadata.response_code == ResponseCode::FormErr);
    }
}

/// Every name the seed estate can answer (and a few it cannot), every type a client may ask, with
/// and without EDNS: the largest reply over the smallest query that gets it.
#[test]
fn worst_case_amplification_on_the_seed_estate_is_bounded() {
    let model = seed_model();
    let snapshot = DnsSnapshot::from_model(seed_model());
    let mut names: Vec<String> = Vec::new();
    for site in model.resources.sites.values() {
        names.extend(dependencies::site_dependencies(&model, site).iter().map(|n| n.to_string()));
    }
    for zone in model.resources.private_dns_zones.values() {
        names.push(zone.zone.to_string());
    }
    for record in model.resources.record_sets.values() {
        names.push(record.fqdn.to_string());
    }
    names.extend(["a", "example.org", "www.example.org", "x.privatelink.database.windows.net"].map(String::from));
    names.sort();
    names.dedup();
    let types = [
        RecordType::A,
        RecordType::AAAA,
        RecordType::CNAME,
        RecordType::SOA,
        RecordType::TXT,
        RecordType::NS,
        RecordType::MX,
        RecordType::HTTPS,
        RecordType::ANY,
    ];
    let mut worst = (0.0f64, String::new());
    let views: Vec<ViewKey> = snapshot.view_keys().cloned().collect();
    for view in &views {
        for name in &names {
            for record_type in types {
                for payload in [None, Some(1232), Some(4096)] {
                    let query = query_message(&format!("{name}."), record_type, payload).to_vec().unwrap();
                    let Some(reply) = respond(&snapshot, view, &query, Transport::Udp) else { continue };
                    assert!(
                        reply.len() <= udp_limit(payload),
                        "{name} {record_type} {payload:?}: {} bytes",
                        reply.len()
                    );
                    let factor = reply.len() as f64 / query.len() as f64;
                    if factor > worst.0 {
                        worst = (
                            factor,
                            format!(
                                "{name} {record_type} EDNS {payload:?} from {view}: {} → {} bytes",
                                query.len(),
                                reply.len()
                            ),
                        );
                    }
                }
            }
        }
    }
    println!("worst-case amplification on the seed estate: {:.1}× ({})", worst.0, worst.1);
    // A reply is bounded by 512/1232 bytes and the smallest query with a name is ~17 bytes; what
    // the seed estate actually produces is far below that (see benches/RESULTS.md).
    assert!(worst.0 <= 10.0, "worst case {:.1}×: {}", worst.0, worst.1);
}

#[tokio::test]
async fn the_probe_over_a_real_socket_gets_a_small_formerr() {
    let face = start_dns(ModelSource::Model(Box::new(seed_model())), &DnsConfig::on_port(0)).await.unwrap();
    let server = SocketAddr::from((face.address_of(VNET_APP).unwrap(), face.port));
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for payload in [Some(65535), None] {
        let query = many_questions(SQL, 368, payload);
        socket.send_to(&query, server).await.unwrap();
        let mut buffer = vec![0u8; 65535];
        let (length, _) =
            tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buffer)).await.unwrap().unwrap();
        assert!(length <= udp_limit(payload), "{length} bytes for {} (issue 17: 65,217)", query.len());
        assert!(length < query.len(), "a FORMERR is smaller than the query");
    }
    face.shutdown().await.unwrap();
}

/// The face answers from threads of its own: a caller whose runtime thread is busy (here: blocked
/// outright) neither stops DNS nor is slowed by it. Before issue 17 the face's tasks ran on the
/// caller's runtime, and a DNS flood took the ARM face's workers.
#[tokio::test(flavor = "current_thread")]
async fn the_face_answers_while_the_callers_runtime_is_blocked() {
    let face = start_dns(ModelSource::Model(Box::new(seed_model())), &DnsConfig::on_port(0)).await.unwrap();
    let server = SocketAddr::from((face.address_of(VNET_APP).unwrap(), face.port));
    // Blocking calls on the only thread of this runtime: nothing else can run on it meanwhile.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    socket.send_to(&query_message(&format!("{SQL}."), RecordType::A, None).to_vec().unwrap(), server).unwrap();
    let mut buffer = [0u8; 512];
    let (length, _) = socket.recv_from(&mut buffer).expect("answered while the caller's runtime is blocked");
    let reply = Message::from_vec(&buffer[..length]).unwrap();
    assert_eq!(reply.metadata.response_code, ResponseCode::NoError);
    assert_eq!(reply.answers.len(), 2);
    face.shutdown().await.unwrap();
}

/// A VNet linked to `corp.contoso.com`, whose record set `big` holds 20 AAAA records: an answer
/// that needs TCP.
fn big_answer_model() -> (privlink_model::Model, String) {
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-big/providers/Microsoft.Network";
    let records: Vec<serde_json::Value> =
        (1..=20).map(|i| serde_json::json!({"ipv6Address": format!("fd00::{i}")})).collect();
    let vnet = format!("{rg}/virtualNetworks/vnet-big");
    let documents = serde_json::json!([
        {"id": vnet, "name": "vnet-big", "type": "Microsoft.Network/virtualNetworks",
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com"), "name": "corp.contoso.com",
         "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com/AAAA/big"), "name": "big",
         "type": "Microsoft.Network/privateDnsZones/AAAA", "properties": {"ttl": 300, "aaaaRecords": records}},
        {"id": format!("{rg}/privateDnsZones/corp.contoso.com/virtualNetworkLinks/link"), "name": "link",
         "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
         "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}
    ]);
    let input = privlink_load::Input::new("big.json", documents.to_string().into_bytes());
    (privlink_load::load(vec![input], &privlink_load::Options::default()).unwrap(), vnet)
}

/// Issue 17: 64 connections per view, each sending one query every few seconds, failed every
/// legitimate TCP query, so a truncated answer could not be fetched at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_tcp_connections_cannot_lock_clients_out() {
    let (model, vnet) = big_answer_model();
    let face = start_dns(ModelSource::Model(Box::new(model)), &DnsConfig::on_port(0)).await.unwrap();
    let server = SocketAddr::from((face.address_of(&vnet).unwrap(), face.port));
    let query = query_message("big.corp.contoso.com.", RecordType::AAAA, None);
    let bytes = query.to_vec().unwrap();
    // The slowloris: every connection the face allows (and then some), each with one query answered.
    let mut holders = Vec::new();
    for _ in 0..MAX_TCP_CONNECTIONS + 8 {
        let mut stream = tokio::net::TcpStream::connect(server).await.unwrap();
        stream.write_all(&(bytes.len() as u16).to_be_bytes()).await.unwrap();
        stream.write_all(&bytes).await.unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_u16()).await;
        holders.push(stream);
    }
    // A legitimate client: UDP says TC, and TCP fetches the whole answer.
    let over_udp = udp(server, &query).await;
    assert!(over_udp.metadata.truncation);
    let over_tcp = tokio::time::timeout(Duration::from_secs(5), tcp(server, &query))
        .await
        .expect("a new TCP connection is served while the slowloris holds the others");
    assert_eq!(over_tcp.answers.len(), 20);
    assert!(!over_tcp.metadata.truncation);
    drop(holders);
    face.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idle_tcp_connection_is_closed_within_seconds() {
    let face = start_dns(ModelSource::Model(Box::new(seed_model())), &DnsConfig::on_port(0)).await.unwrap();
    let server = SocketAddr::from((face.address_of(VNET_APP).unwrap(), face.port));
    let mut stream = tokio::net::TcpStream::connect(server).await.unwrap();
    let started = std::time::Instant::now();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the face closes an idle connection: {read:?}");
    assert!(started.elapsed() <= privlink_twin::dns_face::TCP_IDLE + Duration::from_secs(2));
    face.shutdown().await.unwrap();
}

/// A private zone always has its SOA at the apex (Azure creates it): SOA is answered there and
/// another type is NODATA, not NXDOMAIN (issue 17, item 10).
#[tokio::test]
async fn the_zone_apex_answers_its_soa() {
    let face = start_dns(ModelSource::Model(Box::new(seed_model())), &DnsConfig::on_port(0)).await.unwrap();
    let server = SocketAddr::from((face.address_of(VNET_APP).unwrap(), face.port));
    let apex = "privatelink.database.windows.net.";
    let soa = udp(server, &query_message(apex, RecordType::SOA, None)).await;
    assert_eq!(soa.metadata.response_code, ResponseCode::NoError);
    assert_eq!(soa.answers.len(), 1, "{soa:?}");
    assert_eq!(soa.answers[0].name.to_ascii(), apex);
    let RData::SOA(data) = &soa.answers[0].data else { panic!("an SOA record: {soa:?}") };
    assert_eq!(data.mname.to_ascii(), "azureprivatedns.net.");
    assert_eq!(data.minimum, 10);
    let a = udp(server, &query_message(apex, RecordType::A, None)).await;
    assert_eq!(a.metadata.response_code, ResponseCode::NoError, "the apex exists");
    assert!(a.answers.is_empty());
    assert_eq!(a.authorities[0].record_type(), RecordType::SOA);
    face.shutdown().await.unwrap();
}
