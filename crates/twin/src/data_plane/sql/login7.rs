//! LOGIN7 (azure-semantics §15.4; FINDINGS §5): the fixed header, the offset/length table, and
//! the FeatureExt block whose FEDAUTH feature carries the Entra access token.

use super::packet::read::{slice, u16le, u32le, utf16};
use super::packet::{utf16le, FrameError};

/// TDS 7.4, what every client captured sends (also in TDS 8.0 strict mode).
pub const TDS_7_4: u32 = 0x7400_0004;
/// OptionFlags3 bit: the Extension slot points at a FeatureExt block.
const F_EXTENSION: u8 = 0x10;
const FIXED_LEN: usize = 94;

/// FeatureExt ids the twin reads or answers.
pub mod feature {
    pub const FEDAUTH: u8 = 0x02;
    pub const TERMINATOR: u8 = 0xFF;
}

/// FEDAUTH's `bFedAuthLibrary`: the client hands the token over itself (the only library the
/// twin accepts; the MSAL workflow `0x02` would need FEDAUTHINFO, which no captured client used).
pub const LIBRARY_SECURITY_TOKEN: u8 = 0x01;

/// The FEDAUTH feature as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FedAuth {
    pub library: u8,
    /// `fFedAuthEcho`: the client saw FEDAUTHREQUIRED in the server's PRELOGIN.
    pub echo: bool,
    /// The token bytes, verbatim.
    pub token: Vec<u8>,
}

impl FedAuth {
    /// The token as text. Drivers pass the bytes of the app's ACCESSTOKEN struct through, so the
    /// seeds' `token.encode("utf-16-le")` arrives as UTF-16LE; a token put in the struct as UTF-8
    /// arrives as UTF-8 (Azure would reject it; the twin reads both, and the signature decides).
    pub fn token_text(&self) -> String {
        let bytes = &self.token;
        let looks_utf16 =
            bytes.len() >= 2 && bytes.len().is_multiple_of(2) && bytes.iter().skip(1).step_by(2).all(|b| *b == 0);
        if looks_utf16 {
            utf16(bytes)
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// What the twin reads from a LOGIN7 request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Login7 {
    pub tds_version: u32,
    pub packet_size: u32,
    pub host_name: String,
    pub user_name: String,
    /// Decoded from TDS's obfuscation; only its presence matters to the twin.
    pub password: String,
    pub app_name: String,
    /// Verbatim, e.g. `tcp:myserver.database.windows.net,1433`.
    pub server_name: String,
    pub database: String,
    pub fedauth: Option<FedAuth>,
    /// Ids of every FeatureExt feature, in order.
    pub features: Vec<u8>,
}

/// The names of the offset/length slots from byte 36, in order.
const SLOTS: usize = 9;
const SLOT_PASSWORD: usize = 2;
const SLOT_SERVER: usize = 4;
const SLOT_EXTENSION: usize = 5;

impl Login7 {
    pub fn decode(bytes: &[u8]) -> Result<Login7, FrameError> {
        if bytes.len() < FIXED_LEN {
            return Err(FrameError::malformed(
                "LOGIN7",
                format!("{} bytes, shorter than its 94-byte header", bytes.len()),
            ));
        }
        let text = |slot: usize| -> Result<Vec<u8>, FrameError> {
            let offset = u16le(bytes, 36 + 4 * slot, "LOGIN7")? as usize;
            let chars = u16le(bytes, 38 + 4 * slot, "LOGIN7")? as usize;
            Ok(slice(bytes, offset, 2 * chars, "LOGIN7 string")?.to_vec())
        };
        let option_flags3 = bytes[27];
        let mut login = Login7 {
            tds_version: u32le(bytes, 4, "LOGIN7")?,
            packet_size: u32le(bytes, 8, "LOGIN7")?,
            host_name: utf16(&text(0)?),
            user_name: utf16(&text(1)?),
            password: utf16(&text(2)?.iter().map(|b| deobfuscate(*b)).collect::<Vec<u8>>()),
            app_name: utf16(&text(3)?),
            server_name: utf16(&text(SLOT_SERVER)?),
            database: utf16(&text(8)?),
            ..Login7::default()
        };
        if option_flags3 & F_EXTENSION != 0 {
            let slot = u16le(bytes, 36 + 4 * SLOT_EXTENSION, "LOGIN7")? as usize;
            let mut at = u32le(bytes, slot, "LOGIN7 extension offset")? as usize;
            loop {
                let id = *bytes.get(at).ok_or_else(|| FrameError::malformed("FeatureExt", "no terminator"))?;
                if id == feature::TERMINATOR {
                    break;
                }
                let len = u32le(bytes, at + 1, "FeatureExt")? as usize;
                let data = slice(bytes, at + 5, len, "FeatureExt data")?;
                login.features.push(id);
                if id == feature::FEDAUTH {
                    login.fedauth = Some(decode_fedauth(data)?);
                }
                at += 5 + len;
            }
        }
        Ok(login)
    }

    /// The server's name without the `tcp:` prefix and `,port` / `\instance` suffix, lower-case:
    /// the name the gate matches when TLS carried no SNI.
    pub fn server_host(&self) -> Option<String> {
        let name = self.server_name.trim();
        let name = name.strip_prefix("tcp:").or_else(|| name.strip_prefix("TCP:")).unwrap_or(name);
        let name = name.split([',', '\\']).next().unwrap_or("").trim().trim_end_matches('.');
        (!name.is_empty()).then(|| name.to_ascii_lowercase())
    }

    /// A LOGIN7 request as a TDS 7.4 client sends it with a federated-authentication token
    /// (for the twin's probe and tests). `token` is sent UTF-16LE, as the seeds send it.
    pub fn encode_with_token(server_name: &str, database: &str, token: &str, echo: bool) -> Vec<u8> {
        Login7::encode(server_name, database, Credential::Token { token, echo })
    }

    /// A LOGIN7 request with SQL authentication (user and password, no FeatureExt token), the
    /// password obfuscated as the protocol wants it.
    pub fn encode_with_password(server_name: &str, database: &str, user: &str, password: &str) -> Vec<u8> {
        Login7::encode(server_name, database, Credential::Password { user, password })
    }

    fn encode(server_name: &str, database: &str, credential: Credential<'_>) -> Vec<u8> {
        let (user, password) = match credential {
            Credential::Password { user, password } => (user, password),
            Credential::Token { .. } => ("", ""),
        };
        let strings = ["privlink-probe", user, password, "privlink-probe", server_name, "", "privlink", "", database];
        let mut data = Vec::new();
        let mut table = Vec::new();
        let mut extension_slot = 0;
        for (slot, value) in strings.iter().enumerate() {
            let offset = FIXED_LEN + data.len();
            if slot == SLOT_EXTENSION {
                extension_slot = offset;
                table.extend_from_slice(&(offset as u16).to_le_bytes());
                table.extend_from_slice(&4u16.to_le_bytes());
                data.extend_from_slice(&[0; 4]); // patched below: the FeatureExt offset
                continue;
            }
            let mut encoded = utf16le(value);
            if slot == SLOT_PASSWORD {
                encoded.iter_mut().for_each(|b| *b = obfuscate(*b));
            }
            table.extend_from_slice(&(offset as u16).to_le_bytes());
            table.extend_from_slice(&(value.encode_utf16().count() as u16).to_le_bytes());
            data.extend_from_slice(&encoded);
        }
        debug_assert_eq!(table.len(), 4 * SLOTS);
        let feature_ext = FIXED_LEN + data.len();
        if let Credential::Token { token, echo } = credential {
            let token = utf16le(token);
            data.push(feature::FEDAUTH);
            data.extend_from_slice(&((1 + 4 + token.len()) as u32).to_le_bytes());
            data.push((LIBRARY_SECURITY_TOKEN << 1) | u8::from(echo));
            data.extend_from_slice(&(token.len() as u32).to_le_bytes());
            data.extend_from_slice(&token);
        }
        data.push(feature::TERMINATOR);

        let mut out = Vec::with_capacity(FIXED_LEN + data.len());
        out.extend_from_slice(&((FIXED_LEN + data.len()) as u32).to_le_bytes());
        out.extend_from_slice(&TDS_7_4.to_le_bytes());
        out.extend_from_slice(&4096u32.to_le_bytes());
        out.extend_from_slice(&[0; 12]); // client program version, process id, connection id
        out.extend_from_slice(&[0xE0, 0x03, 0x00, F_EXTENSION]); // option flags as msodbcsql sends
        out.extend_from_slice(&[0; 8]); // time zone, LCID
        out.extend_from_slice(&table);
        out.extend_from_slice(&[0; 6]); // client id
        out.extend_from_slice(&[0; 4 * 3]); // SSPI, AtchDBFile, ChangePassword: empty at the end
        out.extend_from_slice(&[0; 4]); // cbSSPILong
        debug_assert_eq!(out.len(), FIXED_LEN);
        let patched = (feature_ext as u32).to_le_bytes();
        data[extension_slot - FIXED_LEN..extension_slot - FIXED_LEN + 4].copy_from_slice(&patched);
        out.extend_from_slice(&data);
        out
    }
}

fn decode_fedauth(data: &[u8]) -> Result<FedAuth, FrameError> {
    let options = *data.first().ok_or_else(|| FrameError::malformed("FEDAUTH", "empty"))?;
    let library = options >> 1;
    let echo = options & 1 == 1;
    if library != LIBRARY_SECURITY_TOKEN {
        return Ok(FedAuth { library, echo, token: Vec::new() });
    }
    let len = u32le(data, 1, "FEDAUTH token length")? as usize;
    Ok(FedAuth { library, echo, token: slice(data, 5, len, "FEDAUTH token")?.to_vec() })
}

/// TDS password obfuscation undone: XOR 0xA5, then swap the nibbles.
/// How a LOGIN7 the probe sends signs in.
#[derive(Clone, Copy)]
enum Credential<'a> {
    Token { token: &'a str, echo: bool },
    Password { user: &'a str, password: &'a str },
}

/// The inverse of [`deobfuscate`]: swap the nibbles, then XOR with 0xA5.
fn obfuscate(byte: u8) -> u8 {
    byte.rotate_left(4) ^ 0xA5
}

fn deobfuscate(byte: u8) -> u8 {
    (byte ^ 0xA5).rotate_left(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_s_login7_decodes_to_what_it_said() {
        let bytes = Login7::encode_with_token("tcp:Sql-One.database.windows.net,1433", "appdb", "eyJ.a.b", true);
        let login = Login7::decode(&bytes).unwrap();
        assert_eq!(login.tds_version, TDS_7_4);
        assert_eq!(login.server_host().as_deref(), Some("sql-one.database.windows.net"));
        assert_eq!(login.database, "appdb");
        let fedauth = login.fedauth.expect("FEDAUTH");
        assert_eq!((fedauth.library, fedauth.echo), (LIBRARY_SECURITY_TOKEN, true));
        assert_eq!(fedauth.token_text(), "eyJ.a.b");
    }

    #[test]
    fn server_names_lose_prefix_port_and_case() {
        let host = |name: &str| Login7 { server_name: name.into(), ..Login7::default() }.server_host();
        assert_eq!(host("tcp:localhost,35011").as_deref(), Some("localhost"));
        assert_eq!(host("localhost,43749").as_deref(), Some("localhost"));
        assert_eq!(host("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(host("SRV\\INST").as_deref(), Some("srv"));
        assert_eq!(host(""), None);
    }

    #[test]
    fn a_utf8_token_reads_as_utf8() {
        let fedauth = FedAuth { library: 1, echo: true, token: b"eyJhbGciOi.x.y".to_vec() };
        assert_eq!(fedauth.token_text(), "eyJhbGciOi.x.y");
    }

    #[test]
    fn passwords_are_deobfuscated() {
        // 'S' (0x53) obfuscated: swap nibbles (0x35), XOR 0xA5 = 0x90.
        assert_eq!(deobfuscate(0x90), b'S');
    }
}
