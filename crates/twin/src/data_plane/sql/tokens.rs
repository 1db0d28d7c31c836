//! The server's token stream (azure-semantics §15.5; FINDINGS §7): what a login response and a
//! batch's answer are made of, encoded, and decoded again for the twin's probe.

use super::packet::read::{slice, u16le, u32le, utf16};
use super::packet::{utf16le, FrameError};

pub mod token {
    pub const COLMETADATA: u8 = 0x81;
    pub const ERROR: u8 = 0xAA;
    pub const INFO: u8 = 0xAB;
    pub const LOGINACK: u8 = 0xAD;
    pub const FEATUREEXTACK: u8 = 0xAE;
    pub const ROW: u8 = 0xD1;
    pub const ENVCHANGE: u8 = 0xE3;
    pub const DONE: u8 = 0xFD;
    pub const DONEPROC: u8 = 0xFE;
    pub const DONEINPROC: u8 = 0xFF;
}

/// DONE status bits.
pub mod done {
    pub const FINAL: u16 = 0x0000;
    pub const ERROR: u16 = 0x0002;
    pub const COUNT: u16 = 0x0010;
    pub const ATTENTION: u16 = 0x0020;
    /// CurCmd of a SELECT.
    pub const SELECT: u16 = 0xC1;
}

/// ENVCHANGE types.
pub mod env {
    pub const DATABASE: u8 = 1;
    pub const LANGUAGE: u8 = 2;
    pub const PACKET_SIZE: u8 = 4;
    pub const COLLATION: u8 = 7;
    pub const BEGIN_TRANSACTION: u8 = 8;
    pub const COMMIT_TRANSACTION: u8 = 9;
    pub const ROLLBACK_TRANSACTION: u8 = 10;
    /// The server the client must connect to instead (Azure SQL's `Redirect` policy).
    pub const ROUTING: u8 = 20;
}

/// SQL_Latin1_General_CP1_CI_AS, Azure SQL Database's default collation: LCID 0x0409, flags
/// 0xD0 (ignore case, accents width and kana… as SQL Server encodes it), sort id 52.
pub const DEFAULT_COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

fn b_varchar(out: &mut Vec<u8>, text: &str) {
    let units: Vec<u16> = text.encode_utf16().take(255).collect();
    out.push(units.len() as u8);
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
}

fn us_varchar(out: &mut Vec<u8>, text: &str) {
    let units: Vec<u16> = text.encode_utf16().take(u16::MAX as usize).collect();
    out.extend_from_slice(&(units.len() as u16).to_le_bytes());
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
}

fn with_length(kind: u8, body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(kind);
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A routing ENVCHANGE's body (type byte first): value length, protocol, port, server name.
fn decode_routing(body: &[u8]) -> Result<ServerToken, FrameError> {
    let port = u16le(body, 4, "ENVCHANGE routing")?;
    let chars = u16le(body, 6, "ENVCHANGE routing")? as usize;
    let name = slice(body, 8, chars * 2, "ENVCHANGE routing")?;
    let units: Vec<u16> = name.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Ok(ServerToken::Routing { server: String::from_utf16_lossy(&units), port })
}

/// A message as ERROR and INFO carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerMessage {
    pub number: i32,
    pub state: u8,
    pub class: u8,
    pub text: String,
    pub server: String,
}

pub fn message(kind: u8, m: &ServerMessage) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&m.number.to_le_bytes());
    body.push(m.state);
    body.push(m.class);
    // US_VARCHAR leaves 3 bytes for the token header; a text longer than the token can hold is cut.
    us_varchar(&mut body, &m.text.chars().take(4000).collect::<String>());
    b_varchar(&mut body, &m.server);
    b_varchar(&mut body, ""); // procedure
    body.extend_from_slice(&1i32.to_le_bytes()); // line number
    with_length(kind, body)
}

pub fn done_token(status: u16, current_command: u16, rows: u64) -> Vec<u8> {
    let mut out = vec![token::DONE];
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&current_command.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
    out
}

/// ENVCHANGE with B_VARCHAR new and old values (database, language, packet size).
pub fn env_text(kind: u8, new: &str, old: &str) -> Vec<u8> {
    let mut body = vec![kind];
    b_varchar(&mut body, new);
    b_varchar(&mut body, old);
    with_length(token::ENVCHANGE, body)
}

/// ENVCHANGE with B_VARBYTE new and old values (collation, transactions).
pub fn env_bytes(kind: u8, new: &[u8], old: &[u8]) -> Vec<u8> {
    let mut body = vec![kind, new.len() as u8];
    body.extend_from_slice(new);
    body.push(old.len() as u8);
    body.extend_from_slice(old);
    with_length(token::ENVCHANGE, body)
}

/// ENVCHANGE type 20, routing: the client closes this connection and logs in again at
/// `server:port` over TCP (protocol 0); the old value is empty.
pub fn env_routing(server: &str, port: u16) -> Vec<u8> {
    let mut value = vec![0u8];
    value.extend_from_slice(&port.to_le_bytes());
    us_varchar(&mut value, server);
    let mut body = vec![env::ROUTING];
    body.extend_from_slice(&(value.len() as u16).to_le_bytes());
    body.extend(value);
    body.extend_from_slice(&0u16.to_le_bytes());
    with_length(token::ENVCHANGE, body)
}

/// LOGINACK: interface SQL, the TDS version (big-endian), program name and version.
pub fn login_ack(tds_version: u32, program: &str, version: [u8; 4]) -> Vec<u8> {
    let mut body = vec![0x01];
    body.extend_from_slice(&tds_version.to_be_bytes());
    b_varchar(&mut body, program);
    body.extend_from_slice(&version);
    with_length(token::LOGINACK, body)
}

/// FEATUREEXTACK acknowledging FEDAUTH with no data (no nonce was exchanged).
pub fn fedauth_ack() -> Vec<u8> {
    vec![token::FEATUREEXTACK, super::login7::feature::FEDAUTH, 0, 0, 0, 0, super::login7::feature::TERMINATOR]
}

/// Column types the twin's result sets use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// INTN(4), as SQL Server describes an integer literal.
    Int,
    /// NVARCHAR(n) in the default collation.
    NVarChar { max_chars: u16 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i32),
    Text(String),
    Null,
}

const INTN: u8 = 0x26;
const NVARCHAR: u8 = 0xE7;
/// Column flags: nullable, and updatable "unknown" as the captured replies had (0x0021).
const COLUMN_FLAGS: u16 = 0x0021;

/// COLMETADATA, one ROW per row, and the DONE that counts them.
pub fn result_set(columns: &[Column], rows: &[Vec<Value>]) -> Vec<u8> {
    let mut out = vec![token::COLMETADATA];
    out.extend_from_slice(&(columns.len() as u16).to_le_bytes());
    for column in columns {
        out.extend_from_slice(&0u32.to_le_bytes()); // user type
        out.extend_from_slice(&COLUMN_FLAGS.to_le_bytes());
        match column.kind {
            ColumnType::Int => out.extend_from_slice(&[INTN, 4]),
            ColumnType::NVarChar { max_chars } => {
                out.push(NVARCHAR);
                out.extend_from_slice(&(max_chars * 2).to_le_bytes());
                out.extend_from_slice(&DEFAULT_COLLATION);
            }
        }
        b_varchar(&mut out, &column.name);
    }
    for row in rows {
        out.push(token::ROW);
        for (value, column) in row.iter().zip(columns) {
            match (value, column.kind) {
                (Value::Int(n), _) => {
                    out.push(4);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                (Value::Text(text), _) => {
                    let bytes = utf16le(text);
                    out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
                    out.extend_from_slice(&bytes);
                }
                (Value::Null, ColumnType::Int) => out.push(0),
                (Value::Null, ColumnType::NVarChar { .. }) => out.extend_from_slice(&0xFFFFu16.to_le_bytes()),
            }
        }
    }
    out.extend(done_token(done::COUNT, done::SELECT, rows.len() as u64));
    out
}

/// A token of a server's reply, as the probe reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerToken {
    Error(ServerMessage),
    Info(ServerMessage),
    LoginAck {
        tds_version: u32,
        program: String,
    },
    EnvChange {
        kind: u8,
    },
    /// ENVCHANGE 20: log in again at `server:port`.
    Routing {
        server: String,
        port: u16,
    },
    FeatureExtAck {
        features: Vec<u8>,
    },
    Columns(Vec<Column>),
    Row(Vec<Value>),
    Done {
        status: u16,
        rows: u64,
    },
}

/// Decodes a reply's token stream: the tokens a login response and the twin's result sets use;
/// anything else is an error (the probe needs no more).
pub fn decode(payload: &[u8]) -> Result<Vec<ServerToken>, FrameError> {
    let mut tokens = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut at = 0;
    while at < payload.len() {
        let kind = payload[at];
        at += 1;
        match kind {
            token::ERROR | token::INFO => {
                let len = u16le(payload, at, "ERROR/INFO")? as usize;
                let body = slice(payload, at + 2, len, "ERROR/INFO")?;
                let m = decode_message(body)?;
                tokens.push(if kind == token::ERROR { ServerToken::Error(m) } else { ServerToken::Info(m) });
                at += 2 + len;
            }
            token::LOGINACK => {
                let len = u16le(payload, at, "LOGINACK")? as usize;
                let body = slice(payload, at + 2, len, "LOGINACK")?;
                let tds_version = u32::from_be_bytes(slice(body, 1, 4, "LOGINACK")?.try_into().expect("4 bytes"));
                let chars = *slice(body, 5, 1, "LOGINACK")?.first().expect("1 byte") as usize;
                let program = utf16(slice(body, 6, 2 * chars, "LOGINACK")?);
                tokens.push(ServerToken::LoginAck { tds_version, program });
                at += 2 + len;
            }
            token::ENVCHANGE => {
                let len = u16le(payload, at, "ENVCHANGE")? as usize;
                let body = slice(payload, at + 2, len, "ENVCHANGE")?;
                tokens.push(match body.first().copied().unwrap_or(0) {
                    env::ROUTING => decode_routing(body)?,
                    kind => ServerToken::EnvChange { kind },
                });
                at += 2 + len;
            }
            token::FEATUREEXTACK => {
                let mut features = Vec::new();
                loop {
                    let id = *slice(payload, at, 1, "FEATUREEXTACK")?.first().expect("1 byte");
                    at += 1;
                    if id == super::login7::feature::TERMINATOR {
                        break;
                    }
                    let len = u32le(payload, at, "FEATUREEXTACK")? as usize;
                    features.push(id);
                    at += 4 + len;
                }
                tokens.push(ServerToken::FeatureExtAck { features });
            }
            token::DONE | token::DONEPROC | token::DONEINPROC => {
                let status = u16le(payload, at, "DONE")?;
                let rows = u64::from_le_bytes(slice(payload, at + 4, 8, "DONE")?.try_into().expect("8 bytes"));
                tokens.push(ServerToken::Done { status, rows });
                at += 12;
            }
            token::COLMETADATA => {
                let count = u16le(payload, at, "COLMETADATA")? as usize;
                at += 2;
                columns.clear();
                for _ in 0..count {
                    at += 6; // user type, flags
                    let kind = match *slice(payload, at, 1, "COLMETADATA")?.first().expect("1 byte") {
                        INTN => {
                            at += 2;
                            ColumnType::Int
                        }
                        NVARCHAR => {
                            let max = u16le(payload, at + 1, "COLMETADATA")?;
                            at += 3 + DEFAULT_COLLATION.len();
                            ColumnType::NVarChar { max_chars: max / 2 }
                        }
                        other => return Err(FrameError::malformed("COLMETADATA", format!("type 0x{other:02x}"))),
                    };
                    let chars = *slice(payload, at, 1, "COLMETADATA")?.first().expect("1 byte") as usize;
                    let name = utf16(slice(payload, at + 1, 2 * chars, "COLMETADATA")?);
                    at += 1 + 2 * chars;
                    columns.push(Column { name, kind });
                }
                tokens.push(ServerToken::Columns(columns.clone()));
            }
            token::ROW => {
                let mut values = Vec::new();
                for column in &columns {
                    match column.kind {
                        ColumnType::Int => {
                            let len = *slice(payload, at, 1, "ROW")?.first().expect("1 byte") as usize;
                            let bytes = slice(payload, at + 1, len, "ROW")?;
                            values.push(match bytes.try_into() {
                                Ok(four) => Value::Int(i32::from_le_bytes(four)),
                                Err(_) => Value::Null,
                            });
                            at += 1 + len;
                        }
                        ColumnType::NVarChar { .. } => {
                            let len = u16le(payload, at, "ROW")?;
                            at += 2;
                            if len == 0xFFFF {
                                values.push(Value::Null);
                            } else {
                                values.push(Value::Text(utf16(slice(payload, at, len as usize, "ROW")?)));
                                at += len as usize;
                            }
                        }
                    }
                }
                tokens.push(ServerToken::Row(values));
            }
            other => return Err(FrameError::malformed("token stream", format!("token 0x{other:02x} at {}", at - 1))),
        }
    }
    Ok(tokens)
}

fn decode_message(body: &[u8]) -> Result<ServerMessage, FrameError> {
    let number = i32::from_le_bytes(slice(body, 0, 4, "ERROR")?.try_into().expect("4 bytes"));
    let state = *slice(body, 4, 1, "ERROR")?.first().expect("1 byte");
    let class = *slice(body, 5, 1, "ERROR")?.first().expect("1 byte");
    let chars = u16le(body, 6, "ERROR")? as usize;
    let text = utf16(slice(body, 8, 2 * chars, "ERROR")?);
    let at = 8 + 2 * chars;
    let server_chars = *slice(body, at, 1, "ERROR")?.first().expect("1 byte") as usize;
    let server = utf16(slice(body, at + 1, 2 * server_chars, "ERROR")?);
    Ok(ServerMessage { number, state, class, text, server })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_1_is_the_reply_every_client_accepted() {
        // FINDINGS §7 / capture mssql-ok: COLMETADATA, ROW, DONE(COUNT, SELECT, 1).
        let reply = result_set(&[Column { name: String::new(), kind: ColumnType::Int }], &[vec![Value::Int(1)]]);
        let captured = "810100000000002100260400d10401000000fd1000c1000100000000000000";
        assert_eq!(reply.iter().map(|b| format!("{b:02x}")).collect::<String>(), captured);
    }

    #[test]
    fn tokens_round_trip_through_the_decoder() {
        let error = ServerMessage {
            number: 18456,
            state: 1,
            class: 14,
            text: "Login failed for user '<token-identified principal>'.".into(),
            server: "sql-one".into(),
        };
        let columns = vec![Column { name: "name".into(), kind: ColumnType::NVarChar { max_chars: 128 } }];
        let mut stream = message(token::ERROR, &error);
        stream.extend(env_bytes(env::COLLATION, &DEFAULT_COLLATION, &[]));
        stream.extend(login_ack(0x7400_0004, "Microsoft SQL Server", [12, 0, 7, 0xD0]));
        stream.extend(fedauth_ack());
        stream.extend(result_set(&columns, &[vec![Value::Text("orders".into())], vec![Value::Null]]));
        let tokens = decode(&stream).unwrap();
        assert_eq!(tokens[0], ServerToken::Error(error));
        assert_eq!(tokens[1], ServerToken::EnvChange { kind: env::COLLATION });
        assert_eq!(
            tokens[2],
            ServerToken::LoginAck { tds_version: 0x7400_0004, program: "Microsoft SQL Server".into() }
        );
        assert_eq!(tokens[3], ServerToken::FeatureExtAck { features: vec![0x02] });
        assert_eq!(tokens[4], ServerToken::Columns(columns));
        assert_eq!(tokens[5], ServerToken::Row(vec![Value::Text("orders".into())]));
        assert_eq!(tokens[6], ServerToken::Row(vec![Value::Null]));
        assert_eq!(tokens[7], ServerToken::Done { status: done::COUNT, rows: 2 });
    }
}
