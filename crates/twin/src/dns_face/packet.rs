//! One DNS message in, one out: the wire format (hickory-proto) around [`DnsSnapshot::resolve`].
//!
//! The face translates and never decides: the rcode, the answer chain and the TTLs are the
//! engine's [`Resolution`]. What is the face's own is how Azure DNS *presents* an answer:
//!
//! * Azure-provided DNS (168.63.129.16) is a recursive resolver: RA is set, AA is clear, RD is
//!   echoed; the answer section holds the whole CNAME chain the engine walked, each record with its
//!   TTL (10 s for zone-group records, the record set's TTL for others, the invented public TTLs).
//! * A negative answer (NXDOMAIN, or NOERROR without a record of the asked type) carries the SOA
//!   of the zone that answered: the private zone's name when the final name lies in the private
//!   zone the engine named, else the public zone of the final name (the engine's
//!   [`soa::negative_answer_soa`], invented values in `dns/public.rs`).
//! * `rcode: None` (privlink cannot say what the server answers: an unmodelled name or an unknown
//!   DNS server) is SERVFAIL with an Extended DNS Error (RFC 8914, code 0 "Other") whose text is
//!   `not modelled: <the engine's reason>`. The face never asks anyone else: it is not an open
//!   resolver.
//! * Types the engine has no notion of (NS, HTTPS, ANY, …) are resolved as A to learn whether the
//!   name exists, and answered with the CNAME part of the chain only: NODATA for a name that exists.
//! * EDNS(0): an OPT record in the query gets one back (version 0, payload [`MAX_UDP_PAYLOAD`]);
//!   a UDP answer is limited to the client's payload size (512 without EDNS, at most
//!   [`MAX_UDP_PAYLOAD`] with it) and, when it does not fit, is sent with TC set and no records so
//!   that the client retries over TCP; nothing sent over UDP ever exceeds that limit.
//! * Only QUERY (else NOTIMP), one question (else FORMERR, echoing at most the first question),
//!   class IN (else REFUSED), no zone
//!   transfers (REFUSED). A message that does not decode gets FORMERR when its header can be read,
//!   and no answer otherwise; responses are never answered.

use super::snapshot::{DnsSnapshot, ViewKey};
use hickory_proto::op::{Edns, Header, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, SOA};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType as WireType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};
use privlink_engine::dns::{soa, Rcode, Resolution};
use privlink_model::{DnsName, RecordType};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// The UDP payload the face offers and never exceeds (the DNS flag day 2020 value).
pub const MAX_UDP_PAYLOAD: u16 = 1232;
/// The payload of a UDP answer to a client that sent no OPT record (RFC 1035).
pub const CLASSIC_UDP_PAYLOAD: u16 = 512;
/// RFC 8914 option code of an Extended DNS Error.
pub const EDE_OPTION: u16 = 15;
/// RFC 8914 info-code 0, "Other": the text says what happened.
pub const EDE_OTHER: u16 = 0;
/// Longest EDE text sent, so that a truncated answer still fits in 512 bytes.
const MAX_EDE_TEXT: usize = 200;

/// How the query arrived, which bounds the answer's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// Answers one DNS message from `view` of `snapshot`. `None`: send nothing (not a query, or not
/// even a header).
pub fn respond(snapshot: &DnsSnapshot, view: &ViewKey, query: &[u8], transport: Transport) -> Option<Vec<u8>> {
    let request = match Message::from_vec(query) {
        Ok(message) => message,
        Err(_) => return format_error(query),
    };
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.checking_disabled = request.metadata.checking_disabled;
    // A message with several questions gets FORMERR (below) with at most the first one echoed:
    // echoing them all turned a 2.5 kB query of 368 compressed questions into a 65 kB reply.
    response.add_queries(request.queries.iter().take(1).cloned());
    let limit = match (transport, &request.edns) {
        (Transport::Tcp, _) => usize::from(u16::MAX),
        (Transport::Udp, Some(edns)) => usize::from(edns.max_payload().clamp(CLASSIC_UDP_PAYLOAD, MAX_UDP_PAYLOAD)),
        (Transport::Udp, None) => usize::from(CLASSIC_UDP_PAYLOAD),
    };
    if let Some(client) = &request.edns {
        response.set_edns(server_edns());
        if client.version() > 0 {
            response.metadata.response_code = ResponseCode::BADVERS;
            return encode(response, limit);
        }
    }
    let code = if request.metadata.op_code != OpCode::Query {
        Some(ResponseCode::NotImp)
    } else if request.queries.len() != 1 {
        Some(ResponseCode::FormErr)
    } else {
        let question = &request.queries[0];
        match (question.query_class(), question.query_type()) {
            (_, WireType::OPT) => Some(ResponseCode::FormErr),
            (DNSClass::IN, WireType::AXFR | WireType::IXFR) => Some(ResponseCode::Refused),
            (DNSClass::IN, _) => None,
            _ => Some(ResponseCode::Refused),
        }
    };
    match code {
        Some(code) => response.metadata.response_code = code,
        None => answer(snapshot, view, &request.queries[0], &mut response),
    }
    encode(response, limit)
}

/// FORMERR for a message whose header reads but whose body does not; nothing for anything less.
fn format_error(query: &[u8]) -> Option<Vec<u8>> {
    let header = Header::read(&mut BinDecoder::new(query)).ok()?;
    if header.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::error_msg(header.metadata.id, header.metadata.op_code, ResponseCode::FormErr);
    response.metadata.recursion_desired = header.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.to_vec().ok()
}

fn server_edns() -> Edns {
    let mut edns = Edns::new();
    edns.set_max_payload(MAX_UDP_PAYLOAD);
    edns.set_version(0);
    edns
}

/// Serialises `response`; over the limit, the same header and question with TC set — and should
/// even that not fit (a long question in a small payload), without the question, then without
/// the OPT record: what is sent never exceeds `limit`.
fn encode(response: Message, limit: usize) -> Option<Vec<u8>> {
    let bytes = match response.to_vec() {
        Ok(bytes) => bytes,
        Err(_) => {
            let mut failed =
                Message::error_msg(response.metadata.id, response.metadata.op_code, ResponseCode::ServFail);
            failed.metadata.recursion_desired = response.metadata.recursion_desired;
            failed.metadata.recursion_available = true;
            return failed.to_vec().ok();
        }
    };
    if bytes.len() <= limit {
        return Some(bytes);
    }
    let mut truncated = response.truncate();
    if let Some(edns) = truncated.edns.as_mut() {
        edns.options_mut().options.clear();
    }
    let bytes = truncated.to_vec().ok()?;
    if bytes.len() <= limit {
        return Some(bytes);
    }
    truncated.queries.clear();
    let bytes = truncated.to_vec().ok()?;
    if bytes.len() <= limit {
        return Some(bytes);
    }
    truncated.edns = None;
    truncated.to_vec().ok().filter(|bytes| bytes.len() <= limit)
}

/// The question's name as a [`DnsName`], if it is a host name at all.
fn host_name(name: &Name) -> Option<DnsName> {
    let mut text = String::with_capacity(name.len());
    for label in name.iter() {
        let label = std::str::from_utf8(label).ok()?;
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return None;
        }
        if !text.is_empty() {
            text.push('.');
        }
        text.push_str(label);
    }
    DnsName::parse(&text).ok()
}

fn wire_name(name: &DnsName) -> Option<Name> {
    Name::from_ascii(format!("{}.", name.as_str())).ok()
}

fn answer(snapshot: &DnsSnapshot, view: &ViewKey, question: &Query, response: &mut Message) {
    let Some(name) = host_name(question.name()) else {
        not_modelled(response, &format!("{} is not a host name privlink models", question.name()));
        return;
    };
    let asked = question.query_type();
    let rendered = snapshot.answers.get_or_insert(view, name, u16::from(asked), |name| {
        let engine_type = RecordType::parse(&asked.to_string());
        let resolution = snapshot.resolve(view, name, engine_type.unwrap_or(RecordType::A));
        let mut sections = Message::response(0, OpCode::Query);
        sections.set_edns(server_edns());
        render(snapshot, asked, engine_type.is_some(), &resolution, &mut sections);
        Rendered {
            rcode: sections.metadata.response_code,
            answers: sections.answers,
            authorities: sections.authorities,
            ede: sections.edns.map(|e| e.options().options.clone()).unwrap_or_default(),
        }
    });
    response.metadata.response_code = rendered.rcode;
    response.answers.extend(rendered.answers.iter().cloned());
    response.authorities.extend(rendered.authorities.iter().cloned());
    if let Some(edns) = response.edns.as_mut() {
        edns.options_mut().options.extend(rendered.ede.iter().cloned());
    }
}

/// The sections of an answer, independent of the query's id, flags and EDNS.
pub struct Rendered {
    rcode: ResponseCode,
    answers: Vec<Record>,
    authorities: Vec<Record>,
    /// The Extended DNS Error option, sent only to clients that speak EDNS.
    ede: Vec<(EdnsCode, EdnsOption)>,
}

/// One view's rendered answers by (name, type).
type ViewAnswers = HashMap<(DnsName, u16), Arc<Rendered>>;

/// Answers already rendered from one snapshot, by view, name and type: `dns::resolve` is pure and
/// the snapshot immutable, so the same question gets the same answer until the next commit
/// replaces the snapshot (and with it this cache). Bounded: past [`AnswerCache::CAPACITY`]
/// answers are rendered and not kept.
#[derive(Default)]
pub struct AnswerCache {
    entries: RwLock<HashMap<ViewKey, ViewAnswers>>,
    count: AtomicUsize,
}

impl AnswerCache {
    pub const CAPACITY: usize = 100_000;

    fn get_or_insert(
        &self,
        view: &ViewKey,
        name: DnsName,
        record_type: u16,
        render: impl FnOnce(&DnsName) -> Rendered,
    ) -> Arc<Rendered> {
        let key = (name, record_type);
        let read = self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = read.get(view).and_then(|answers| answers.get(&key)) {
            return found.clone();
        }
        drop(read);
        let rendered = Arc::new(render(&key.0));
        if self.count.load(Ordering::Relaxed) < Self::CAPACITY {
            let mut write = self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            if write.entry(view.clone()).or_default().insert(key, rendered.clone()).is_none() {
                self.count.fetch_add(1, Ordering::Relaxed);
            }
        }
        rendered
    }
}

/// Renders the engine's resolution as Azure DNS would send it.
fn render(
    snapshot: &DnsSnapshot,
    asked: WireType,
    engine_knows_type: bool,
    resolution: &Resolution,
    response: &mut Message,
) {
    let reason = || resolution.explanation.last().cloned().unwrap_or_else(|| "no explanation".to_string());
    let rcode = match resolution.rcode {
        None => return not_modelled(response, &reason()),
        Some(Rcode::ServFail) => {
            response.metadata.response_code = ResponseCode::ServFail;
            add_ede(response, &reason());
            return;
        }
        Some(Rcode::NxDomain) => ResponseCode::NXDomain,
        Some(Rcode::NoError) => ResponseCode::NoError,
    };
    response.metadata.response_code = rcode;
    for record in &resolution.chain {
        let keep = engine_knows_type || record.record_type == RecordType::CNAME;
        let Some(owner) = wire_name(&record.name) else { continue };
        let data = match record.record_type {
            RecordType::A => record.data.parse::<Ipv4Addr>().ok().map(|ip| RData::A(A(ip))),
            RecordType::AAAA => record.data.parse::<Ipv6Addr>().ok().map(|ip| RData::AAAA(AAAA(ip))),
            RecordType::CNAME => {
                DnsName::parse(&record.data).ok().as_ref().and_then(wire_name).map(|t| RData::CNAME(CNAME(t)))
            }
            RecordType::SOA => soa_data(&record.data).map(RData::SOA),
            // The engine's chain holds addresses, aliases and a zone apex's SOA only.
            _ => None,
        };
        if let (true, Some(data)) = (keep, data) {
            response.add_answer(Record::from_rdata(owner, record.ttl, data));
        }
    }
    let has_asked_type = response.answers.iter().any(|r| r.record_type() == asked);
    if rcode == ResponseCode::NXDomain || !has_asked_type {
        if let Some(soa) = soa_record(snapshot, resolution) {
            response.add_authority(soa);
        }
    }
}

/// The engine's text of an SOA (`mname rname serial refresh retry expire minimum`) as wire data.
fn soa_data(text: &str) -> Option<SOA> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [mname, rname, serial, refresh, retry, expire, minimum] = fields[..] else { return None };
    Some(SOA::new(
        Name::from_ascii(mname).ok()?,
        Name::from_ascii(rname).ok()?,
        serial.parse().ok()?,
        refresh.parse().ok()?,
        retry.parse().ok()?,
        expire.parse().ok()?,
        minimum.parse().ok()?,
    ))
}

/// The engine's SOA for a negative answer, as a wire record.
fn soa_record(snapshot: &DnsSnapshot, resolution: &Resolution) -> Option<Record> {
    let soa = soa::negative_answer_soa(snapshot.model(), resolution)?;
    let values = soa.values;
    let data = SOA::new(
        Name::from_ascii(values.mname).ok()?,
        Name::from_ascii(values.rname).ok()?,
        values.serial,
        values.refresh,
        values.retry,
        values.expire,
        values.minimum,
    );
    Some(Record::from_rdata(wire_name(&soa.zone)?, soa.ttl, RData::SOA(data)))
}

fn not_modelled(response: &mut Message, reason: &str) {
    response.metadata.response_code = ResponseCode::ServFail;
    add_ede(response, &format!("not modelled: {reason}"));
}

/// Adds an Extended DNS Error (RFC 8914) when the client speaks EDNS; hickory-proto has no type for
/// it, so the option is built from its two fields (info-code, UTF-8 text).
fn add_ede(response: &mut Message, text: &str) {
    let Some(edns) = response.edns.as_mut() else { return };
    let mut end = text.len().min(MAX_EDE_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = EDE_OTHER.to_be_bytes().to_vec();
    payload.extend_from_slice(&text.as_bytes()[..end]);
    edns.options_mut().insert(EdnsOption::Unknown(EDE_OPTION, payload));
}
