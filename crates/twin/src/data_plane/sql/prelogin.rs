//! PRELOGIN (azure-semantics §15.2; FINDINGS §3): the option table both sides send before TLS.

use super::packet::FrameError;
use std::collections::BTreeMap;

pub mod option {
    pub const VERSION: u8 = 0x00;
    pub const ENCRYPTION: u8 = 0x01;
    pub const INSTOPT: u8 = 0x02;
    pub const THREADID: u8 = 0x03;
    pub const MARS: u8 = 0x04;
    pub const TRACEID: u8 = 0x05;
    pub const FEDAUTHREQUIRED: u8 = 0x06;
    pub const TERMINATOR: u8 = 0xFF;
}

/// ENCRYPTION values.
pub mod encryption {
    pub const OFF: u8 = 0x00;
    pub const ON: u8 = 0x01;
    pub const NOT_SUPPORTED: u8 = 0x02;
    pub const REQUIRED: u8 = 0x03;
}

/// The version the twin's PRELOGIN and LOGINACK report: 12.0.2000 is what Azure SQL Database
/// reports (`SELECT @@VERSION` there says `12.0.2000.8`).
pub const SERVER_VERSION: [u8; 6] = [12, 0, 0x07, 0xD0, 0, 0];

/// A PRELOGIN option table: option → data, in the order of the option ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prelogin {
    pub options: BTreeMap<u8, Vec<u8>>,
}

impl Prelogin {
    pub fn parse(payload: &[u8]) -> Result<Prelogin, FrameError> {
        let mut options = BTreeMap::new();
        let mut at = 0;
        loop {
            let token = *payload.get(at).ok_or_else(|| FrameError::malformed("PRELOGIN", "no terminator"))?;
            if token == option::TERMINATOR {
                break;
            }
            let entry =
                payload.get(at + 1..at + 5).ok_or_else(|| FrameError::malformed("PRELOGIN", "truncated table"))?;
            let offset = u16::from_be_bytes([entry[0], entry[1]]) as usize;
            let len = u16::from_be_bytes([entry[2], entry[3]]) as usize;
            let data = payload
                .get(offset..offset + len)
                .ok_or_else(|| FrameError::malformed("PRELOGIN", format!("option {token} runs past the end")))?;
            options.insert(token, data.to_vec());
            at += 5;
        }
        Ok(Prelogin { options })
    }

    pub fn encode(&self) -> Vec<u8> {
        let table_len = 5 * self.options.len() + 1;
        let mut table = Vec::with_capacity(table_len);
        let mut data = Vec::new();
        for (token, value) in &self.options {
            table.push(*token);
            table.extend_from_slice(&((table_len + data.len()) as u16).to_be_bytes());
            table.extend_from_slice(&(value.len() as u16).to_be_bytes());
            data.extend_from_slice(value);
        }
        table.push(option::TERMINATOR);
        table.extend_from_slice(&data);
        table
    }

    pub fn encryption(&self) -> Option<u8> {
        self.options.get(&option::ENCRYPTION).and_then(|v| v.first().copied())
    }

    pub fn fedauth_required(&self) -> bool {
        self.options.get(&option::FEDAUTHREQUIRED).is_some_and(|v| v.first() == Some(&1))
    }

    /// The server's answer to a client's PRELOGIN. Azure SQL always encrypts: ON when the client
    /// offers ON or REQ, REQ when it says OFF (msodbcsql then still does TLS), NOT_SUP echoed so the
    /// client gives up (azure-semantics §15.2; the byte Azure sends for OFF is UNVERIFIED).
    /// FEDAUTHREQUIRED is echoed when the client sent it. In TDS 8.0 strict mode TLS is already up
    /// and the client's value is echoed.
    pub fn answer(client: &Prelogin, strict: bool) -> Prelogin {
        let offered = client.encryption().unwrap_or(encryption::NOT_SUPPORTED);
        let answer = if strict {
            offered
        } else {
            match offered {
                encryption::OFF => encryption::REQUIRED,
                encryption::NOT_SUPPORTED => encryption::NOT_SUPPORTED,
                _ => encryption::ON,
            }
        };
        let mut options = BTreeMap::from([
            (option::VERSION, SERVER_VERSION.to_vec()),
            (option::ENCRYPTION, vec![answer]),
            (option::INSTOPT, vec![0]),
            (option::THREADID, Vec::new()),
            (option::MARS, vec![0]),
        ]);
        if client.options.contains_key(&option::FEDAUTHREQUIRED) {
            options.insert(option::FEDAUTHREQUIRED, vec![1]);
        }
        Prelogin { options }
    }

    /// What the twin's probe sends: a TDS 7.4 client that wants encryption and federated
    /// authentication.
    pub fn client_request() -> Prelogin {
        Prelogin {
            options: BTreeMap::from([
                (option::VERSION, vec![0, 0, 0, 0, 0, 1]),
                (option::ENCRYPTION, vec![encryption::ON]),
                (option::INSTOPT, b"MSSQLServer\0".to_vec()),
                (option::THREADID, 0u32.to_be_bytes().to_vec()),
                (option::MARS, vec![0]),
                (option::FEDAUTHREQUIRED, vec![1]),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_the_49_byte_response_every_client_accepted_with_azure_s_version() {
        // msodbcsql's PRELOGIN payload (FINDINGS §2, capture mssql-ok).
        let client = hex("00002400060100 2a0001 02002b0001 03002c0004 0400300001 0500310024 0600550001 ff \
             120600020000 01 00 00000000 00 f44993629f49155d11d0660da5c3089326b90dc43233cc981fb4478dde197dcd00000000 01");
        let client = Prelogin::parse(&client).unwrap();
        assert_eq!(client.encryption(), Some(encryption::ON));
        assert!(client.fedauth_required());
        let answer = Prelogin::answer(&client, false).encode();
        // The captured response (FINDINGS §3) with VERSION 12.0.2000 instead of 12.0.4000.
        let captured =
            hex("00001f0006 0100250001 0200260001 0300270000 0400270001 0600280001 ff 0c000fa00000 01 00 00 01");
        assert_eq!(answer.len(), captured.len());
        let mut expected = captured.clone();
        expected[0x1f + 2..0x1f + 4].copy_from_slice(&[0x07, 0xD0]);
        assert_eq!(answer, expected);
        assert_eq!(Prelogin::parse(&answer).unwrap(), Prelogin::answer(&client, false));
    }

    #[test]
    fn a_client_that_says_off_is_told_encryption_is_required() {
        let mut client = Prelogin::client_request();
        client.options.insert(option::ENCRYPTION, vec![encryption::OFF]);
        client.options.remove(&option::FEDAUTHREQUIRED);
        let answer = Prelogin::answer(&client, false);
        assert_eq!(answer.encryption(), Some(encryption::REQUIRED));
        assert!(!answer.options.contains_key(&option::FEDAUTHREQUIRED));
    }

    fn hex(text: &str) -> Vec<u8> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        (0..digits.len()).step_by(2).map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap()).collect()
    }
}
