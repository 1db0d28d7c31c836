//! A small DNS client (hickory-proto messages over tokio sockets) and estate loading for the DNS
//! face's tests.
#![allow(dead_code)]

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
use hickory_proto::rr::{Name, RData, RecordType};
use privlink_engine::dns::{Rcode, Resolution};
use privlink_model::Model;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn collect_json(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            collect_json(&entry, out);
        }
    } else if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
        out.push(path.to_path_buf());
    }
}

/// Loads an estate directory as `privlink --estate DIR` does.
pub fn load_estate(dir: &Path) -> Model {
    let mut files = Vec::new();
    collect_json(dir, &mut files);
    let inputs: Vec<privlink_load::Input> =
        files.iter().map(|f| privlink_load::Input::new(f.display().to_string(), std::fs::read(f).unwrap())).collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// The built-in seed estate's documents (every file is an array of ARM documents).
pub fn seed_documents() -> Vec<serde_json::Value> {
    let mut files = Vec::new();
    collect_json(&scenarios_root().join("seed-estate"), &mut files);
    let mut documents = Vec::new();
    for file in files {
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        match value {
            serde_json::Value::Array(items) => documents.extend(items),
            other => documents.push(other),
        }
    }
    documents
}

pub fn query_message(name: &str, record_type: RecordType, edns_payload: Option<u16>) -> Message {
    let mut message = Message::query();
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
    if let Some(payload) = edns_payload {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.set_edns(edns);
    }
    message
}

/// One query over UDP; panics after 5 s without an answer.
pub async fn udp(server: SocketAddr, message: &Message) -> Message {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(&message.to_vec().unwrap(), server).await.unwrap();
    let mut buffer = vec![0u8; 65535];
    let (length, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buffer))
        .await
        .unwrap_or_else(|_| panic!("no UDP answer from {server}"))
        .unwrap();
    Message::from_vec(&buffer[..length]).expect("the answer decodes")
}

/// One query over TCP.
pub async fn tcp(server: SocketAddr, message: &Message) -> Message {
    let mut stream = tokio::net::TcpStream::connect(server).await.unwrap();
    let bytes = message.to_vec().unwrap();
    stream.write_all(&(bytes.len() as u16).to_be_bytes()).await.unwrap();
    stream.write_all(&bytes).await.unwrap();
    let length = tokio::time::timeout(Duration::from_secs(5), stream.read_u16()).await.unwrap().unwrap();
    let mut reply = vec![0u8; usize::from(length)];
    stream.read_exact(&mut reply).await.unwrap();
    Message::from_vec(&reply).expect("the answer decodes")
}

/// What a client sees: rcode and answer records `(name, type, data, ttl)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub rcode: String,
    pub answers: Vec<(String, String, String, u32)>,
}

pub fn seen_on_the_wire(message: &Message) -> Seen {
    let rcode = match message.metadata.response_code.to_string().as_str() {
        "No Error" => "NOERROR".to_string(),
        "Non-Existent Domain" => "NXDOMAIN".to_string(),
        "Server Failure" => "SERVFAIL".to_string(),
        other => other.to_string(),
    };
    let answers = message
        .answers
        .iter()
        .map(|r| {
            let data = match &r.data {
                RData::A(a) => a.0.to_string(),
                RData::AAAA(a) => a.0.to_string(),
                RData::CNAME(c) => c.0.to_ascii().trim_end_matches('.').to_string(),
                other => format!("{other:?}"),
            };
            (r.name.to_ascii().trim_end_matches('.').to_ascii_lowercase(), r.record_type().to_string(), data, r.ttl)
        })
        .collect();
    Seen { rcode, answers }
}

/// What the engine says a client sees: `rcode: None` is SERVFAIL (not modelled).
pub fn seen_by_the_engine(resolution: &Resolution) -> Seen {
    let rcode = match resolution.rcode {
        None | Some(Rcode::ServFail) => "SERVFAIL",
        Some(Rcode::NxDomain) => "NXDOMAIN",
        Some(Rcode::NoError) => "NOERROR",
    }
    .to_string();
    let answers = if rcode == "SERVFAIL" {
        Vec::new()
    } else {
        resolution
            .chain
            .iter()
            .map(|r| (r.name.to_string(), r.record_type.as_str().to_string(), r.data.clone(), r.ttl))
            .collect()
    };
    Seen { rcode, answers }
}

/// The Extended DNS Error (info-code, text) of an answer, if any.
pub fn extended_error(message: &Message) -> Option<(u16, String)> {
    let edns = message.edns.as_ref()?;
    match edns.option(EdnsCode::Unknown(15))? {
        EdnsOption::Unknown(15, payload) if payload.len() >= 2 => {
            Some((u16::from_be_bytes([payload[0], payload[1]]), String::from_utf8_lossy(&payload[2..]).into_owned()))
        }
        _ => None,
    }
}
