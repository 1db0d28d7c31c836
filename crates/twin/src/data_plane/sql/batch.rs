//! What the twin answers after a login (FINDINGS §2, §7): the few batches apps and the seeds
//! send to prove a connection, the transaction-manager requests drivers send around them, and
//! an honest error for everything else. The twin is no database.

use super::packet::read::{u16le, u32le, utf16};
use super::packet::{kind, FrameError, Message};
use super::tokens::{self, done, env, token, Column, ColumnType, ServerMessage, Value};

/// The table name the twin's `sys.tables` lists (a modelling choice, UNVERIFIED: the estate
/// cannot say which tables a database holds, and the seeds only print the first name).
pub const SAMPLE_TABLE: &str = "privlink_twin_table";

/// What `SELECT @@VERSION` answers: Azure SQL Database's version line, saying it is the twin.
pub const VERSION_TEXT: &str = "Microsoft SQL Azure (RTM) - 12.0.2000.8 (privlink twin: a TDS responder that \
     answers the login and a few batches the way Azure SQL Database would; it stores no data)";

/// The error for a batch the twin does not run. 50000 is the number SQL Server gives an ad-hoc
/// message (RAISERROR with a text), class 16 a user-correctable error: a modelling choice,
/// UNVERIFIED (Azure would run the statement).
pub const UNSUPPORTED_NUMBER: i32 = 50000;
pub const UNSUPPORTED_CLASS: u8 = 16;
const ANSWERED: &str = "SELECT 1, SELECT @@VERSION and SELECT TOP 1 name FROM sys.tables";

/// TXMGR request types.
const TM_BEGIN_XACT: u16 = 5;
const TM_COMMIT_XACT: u16 = 7;
const TM_ROLLBACK_XACT: u16 = 8;

/// RPCs answered with a bare DONE: pyodbc's SQLGetTypeInfo calls it right after the login and
/// accepts an empty answer.
const TOLERATED_RPCS: &[&str] = &["sp_datatype_info_100"];

/// A request after the login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Batch(String),
    Transaction(u16),
    Rpc(String),
    Attention,
    /// A message type the twin does not handle: it closes the connection.
    Other(u8),
}

impl Request {
    pub fn decode(message: &Message) -> Result<Request, FrameError> {
        let body = &message.payload;
        Ok(match message.kind {
            kind::SQL_BATCH => Request::Batch(utf16(&body[all_headers_len(body)?..])),
            kind::TRANSACTION_MANAGER => Request::Transaction(u16le(body, all_headers_len(body)?, "TXMGR")?),
            kind::RPC => {
                let at = all_headers_len(body)?;
                let name_len = u16le(body, at, "RPC")?;
                if name_len == 0xFFFF {
                    Request::Rpc(format!("procedure id {}", u16le(body, at + 2, "RPC")?))
                } else {
                    let end = at + 2 + 2 * name_len as usize;
                    let name =
                        body.get(at + 2..end).ok_or_else(|| FrameError::malformed("RPC", "name runs past the end"))?;
                    Request::Rpc(utf16(name))
                }
            }
            kind::ATTENTION => Request::Attention,
            other => Request::Other(other),
        })
    }
}

/// ALL_HEADERS' total length (it counts itself), or 0 when the request has none.
fn all_headers_len(body: &[u8]) -> Result<usize, FrameError> {
    let total = u32le(body, 0, "ALL_HEADERS")? as usize;
    Ok(if (4..=body.len()).contains(&total) { total } else { 0 })
}

/// The state of a session the answers depend on.
#[derive(Debug, Default)]
pub struct Session {
    /// The server name ERROR tokens carry.
    pub server: String,
    transactions: u64,
}

impl Session {
    pub fn new(server: &str) -> Session {
        Session { server: server.to_string(), transactions: 0 }
    }

    /// The reply's token stream, or `None` when the connection should close.
    pub fn answer(&mut self, request: &Request) -> Option<Vec<u8>> {
        Some(match request {
            Request::Batch(text) => self.batch(text),
            Request::Transaction(TM_BEGIN_XACT) => {
                self.transactions += 1;
                // The new value is the 8-byte transaction descriptor later requests carry.
                let mut out = tokens::env_bytes(env::BEGIN_TRANSACTION, &self.transactions.to_le_bytes(), &[]);
                out.extend(tokens::done_token(done::FINAL, 0, 0));
                out
            }
            Request::Transaction(kind @ (TM_COMMIT_XACT | TM_ROLLBACK_XACT)) => {
                let ended = if *kind == TM_COMMIT_XACT { env::COMMIT_TRANSACTION } else { env::ROLLBACK_TRANSACTION };
                let mut out = tokens::env_bytes(ended, &[], &self.transactions.to_le_bytes());
                out.extend(tokens::done_token(done::FINAL, 0, 0));
                out
            }
            Request::Transaction(_) => tokens::done_token(done::FINAL, 0, 0),
            Request::Rpc(name) if TOLERATED_RPCS.iter().any(|t| name.to_ascii_lowercase().ends_with(t)) => {
                tokens::done_token(done::FINAL, 0, 0)
            }
            Request::Rpc(name) => self.unsupported(&format!("the remote procedure call {name}")),
            Request::Attention => tokens::done_token(done::ATTENTION, 0, 0),
            Request::Other(_) => return None,
        })
    }

    fn batch(&self, text: &str) -> Vec<u8> {
        let normal = normalize(text);
        let one_text_column = |name: &str, max_chars: u16, value: &str| {
            tokens::result_set(
                &[Column { name: name.into(), kind: ColumnType::NVarChar { max_chars } }],
                &[vec![Value::Text(value.into())]],
            )
        };
        match normal.as_str() {
            "select 1" => {
                tokens::result_set(&[Column { name: String::new(), kind: ColumnType::Int }], &[vec![Value::Int(1)]])
            }
            "select @@version" => one_text_column("", 300, VERSION_TEXT),
            "select top 1 name from sys.tables" | "select top 1 name from sys.tables order by name" => {
                one_text_column("name", 128, SAMPLE_TABLE)
            }
            _ => self.unsupported(&format!("'{}'", text.trim())),
        }
    }

    fn unsupported(&self, what: &str) -> Vec<u8> {
        let text = format!("The privlink twin answers only {ANSWERED}; it does not run {what}.");
        let m = ServerMessage {
            number: UNSUPPORTED_NUMBER,
            state: 1,
            class: UNSUPPORTED_CLASS,
            text,
            server: self.server.clone(),
        };
        let mut out = tokens::message(token::ERROR, &m);
        out.extend(tokens::done_token(done::ERROR, 0, 0));
        out
    }
}

/// Lower-case, whitespace collapsed, a trailing `;` dropped.
fn normalize(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").trim_end_matches(';').trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_plane::sql::tokens::{decode, ServerToken};

    fn batch(text: &str) -> Message {
        // ALL_HEADERS as msodbcsql sends it: total 22, a transaction descriptor header.
        let mut payload = vec![0x16, 0, 0, 0, 0x12, 0, 0, 0, 2, 0];
        payload.extend_from_slice(&[0; 8]);
        payload.extend_from_slice(&1u32.to_le_bytes());
        payload.extend(crate::data_plane::sql::packet::utf16le(text));
        Message { kind: kind::SQL_BATCH, payload }
    }

    #[test]
    fn the_seed_s_query_gets_one_name_row_whatever_its_spacing() {
        let mut session = Session::new("sql-one");
        let request = Request::decode(&batch("  SELECT TOP 1 name\n FROM sys.tables ORDER BY name;")).unwrap();
        let tokens = decode(&session.answer(&request).unwrap()).unwrap();
        assert_eq!(tokens[1], ServerToken::Row(vec![Value::Text(SAMPLE_TABLE.into())]));
        assert!(matches!(&tokens[0], ServerToken::Columns(c) if c[0].name == "name"));
    }

    #[test]
    fn anything_else_is_an_error_that_names_what_the_twin_answers() {
        let mut session = Session::new("sql-one");
        let request = Request::decode(&batch("DROP TABLE orders")).unwrap();
        let tokens = decode(&session.answer(&request).unwrap()).unwrap();
        let ServerToken::Error(m) = &tokens[0] else { panic!("{tokens:?}") };
        assert_eq!((m.number, m.class), (50000, 16));
        assert!(m.text.contains("privlink twin answers only") && m.text.contains("DROP TABLE orders"), "{}", m.text);
        assert_eq!(tokens[1], ServerToken::Done { status: done::ERROR, rows: 0 });
    }

    #[test]
    fn a_begun_transaction_is_announced_and_rolled_back() {
        let mut session = Session::new("sql-one");
        let txmgr = |kind: u16| {
            let mut payload = vec![0x16, 0, 0, 0, 0x12, 0, 0, 0, 2, 0];
            payload.extend_from_slice(&[0; 12]);
            payload.extend_from_slice(&kind.to_le_bytes());
            payload.push(0);
            Message { kind: kind::TRANSACTION_MANAGER, payload }
        };
        let begin = decode(&session.answer(&Request::decode(&txmgr(5)).unwrap()).unwrap()).unwrap();
        assert_eq!(begin[0], ServerToken::EnvChange { kind: env::BEGIN_TRANSACTION });
        let rollback = decode(&session.answer(&Request::decode(&txmgr(8)).unwrap()).unwrap()).unwrap();
        assert_eq!(rollback[0], ServerToken::EnvChange { kind: env::ROLLBACK_TRANSACTION });
    }
}
