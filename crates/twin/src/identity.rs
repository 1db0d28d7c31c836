//! Managed-identity tokens.
//!
//! The twin plays Entra ID for the App Service managed-identity protocol (azure-semantics §6.1):
//! `GET {IDENTITY_ENDPOINT}?resource=...&api-version=2019-08-01` with header `X-IDENTITY-HEADER`
//! returns a bearer token. `az login --identity` decodes the token without checking it and needs
//! a three-part JWT with a `tid` claim (az-cli.md §1); the ARM face then accepts only tokens the
//! twin signed itself. Tokens are HS256 JWTs signed with a key kept in the state directory, so
//! tokens stay valid across a restart of the twin, as they do across an ARM deployment.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// File in the state directory holding the token-signing key (hex).
pub const SIGNING_KEY_FILE: &str = "token-signing-key";
/// File in the state directory holding the `IDENTITY_HEADER` secret.
pub const IDENTITY_HEADER_FILE: &str = "identity-header";
/// Files in the state directory holding the identity's object (principal) id and client id.
pub const OBJECT_ID_FILE: &str = "identity-object-id";
pub const CLIENT_ID_FILE: &str = "identity-client-id";

/// How long an issued token is valid: App Service tokens last about a day.
pub const TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// Audiences the ARM face accepts: the classic and the current ARM resource, with and without
/// the trailing slash (clients derive the resource from a `/.default` scope and differ on it).
pub const ARM_AUDIENCES: &[&str] = &[
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

/// Who the tokens say the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: String,
    /// `oid`: the identity's object (principal) id.
    pub object_id: String,
    /// `appid` / `client_id` of the identity.
    pub client_id: String,
}

/// The claims of a token that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub audience: String,
    pub tenant_id: String,
    pub object_id: String,
    pub expires_on: u64,
}

/// Why a bearer token was refused; the variant picks ARM's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed or its signature is invalid")]
    Invalid,
    #[error("the access token expired at {0} (epoch seconds)")]
    Expired(u64),
    #[error("the access token audience '{0}' is not valid for this service")]
    WrongAudience(String),
    #[error("the access token is from the wrong issuer '{0}'")]
    WrongTenant(String),
}

/// How far a token's `nbf` and `iat` may lie in the future (clock skew between issuer and ARM).
pub const CLOCK_SKEW_SECS: u64 = 5 * 60;

/// Issues and verifies the twin's tokens.
pub struct TokenIssuer {
    key: hmac::Key,
    principal: Principal,
}

/// A token as the managed-identity endpoint hands it out.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_on: u64,
}

impl TokenIssuer {
    pub fn new(signing_key: &[u8], principal: Principal) -> TokenIssuer {
        TokenIssuer { key: hmac::Key::new(hmac::HMAC_SHA256, signing_key), principal }
    }

    /// Loads the signing key from `state_dir`, creating it on first use.
    pub fn open(state_dir: &Path, principal: Principal) -> std::io::Result<TokenIssuer> {
        let key = load_or_create_secret(state_dir, SIGNING_KEY_FILE, 32)?;
        let key = decode_hex(&key).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{SIGNING_KEY_FILE} is not hex"))
        })?;
        Ok(TokenIssuer::new(&key, principal))
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// A token for `resource`, valid from `now` (epoch seconds) for [`TOKEN_LIFETIME_SECS`].
    pub fn issue(&self, resource: &str, now: u64) -> IssuedToken {
        self.issue_for(&self.principal, resource, now)
    }

    /// A token for `resource` that names `principal` (a site's managed identity), signed like the
    /// twin's own.
    pub fn issue_for(&self, principal: &Principal, resource: &str, now: u64) -> IssuedToken {
        let expires_on = now + TOKEN_LIFETIME_SECS;
        let p = principal;
        let header = json!({"typ": "JWT", "alg": "HS256"});
        let claims = json!({
            "aud": resource,
            "iss": issuer_for(&p.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": expires_on,
            "tid": p.tenant_id,
            "oid": p.object_id,
            "sub": p.object_id,
            "appid": p.client_id,
            "idtyp": "app",
            "ver": "1.0",
        });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = hmac::sign(&self.key, signing_input.as_bytes());
        IssuedToken {
            access_token: format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref())),
            expires_on,
        }
    }

    /// Checks `token` at `now`: the header names HS256 (the only algorithm the twin signs with, so
    /// `none` or another cannot be substituted), the signature, the issuer and tenant (the twin's
    /// own), the validity window (`nbf` and `iat` not in the future beyond [`CLOCK_SKEW_SECS`],
    /// `exp` not passed, and no longer than [`TOKEN_LIFETIME_SECS`] in all). The audience is the
    /// caller's to judge.
    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Invalid);
        };
        let decode_json = |part: &str| -> Option<Value> {
            URL_SAFE_NO_PAD.decode(part).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok())
        };
        let algorithm = decode_json(header).and_then(|h| h.get("alg").and_then(Value::as_str).map(str::to_string));
        if algorithm.as_deref() != Some("HS256") {
            return Err(TokenError::Invalid);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Invalid)?;
        hmac::verify(&self.key, format!("{header}.{payload}").as_bytes(), &signature)
            .map_err(|_| TokenError::Invalid)?;
        let claims = decode_json(payload).ok_or(TokenError::Invalid)?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        let number = |name: &str| claims.get(name).and_then(Value::as_u64).ok_or(TokenError::Invalid);
        let (expires_on, not_before, issued_at) = (number("exp")?, number("nbf")?, number("iat")?);
        if not_before > now + CLOCK_SKEW_SECS || issued_at > now + CLOCK_SKEW_SECS {
            return Err(TokenError::Invalid);
        }
        if expires_on.saturating_sub(not_before.min(issued_at)) > TOKEN_LIFETIME_SECS {
            return Err(TokenError::Invalid);
        }
        if expires_on <= now {
            return Err(TokenError::Expired(expires_on));
        }
        let tenant = &self.principal.tenant_id;
        let issuer = text("iss");
        if text("tid") != *tenant || issuer != issuer_for(tenant) {
            return Err(TokenError::WrongTenant(issuer));
        }
        Ok(Claims { audience: text("aud"), tenant_id: text("tid"), object_id: text("oid"), expires_on })
    }

    /// [`Self::verify`], then requires an ARM audience.
    pub fn verify_for_arm(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        let claims = self.verify(token, now)?;
        if ARM_AUDIENCES.contains(&claims.audience.as_str()) {
            Ok(claims)
        } else {
            Err(TokenError::WrongAudience(claims.audience))
        }
    }
}

/// The `iss` claim of the twin's tokens: Entra ID's v1 issuer for the tenant.
fn issuer_for(tenant_id: &str) -> String {
    format!("https://sts.windows.net/{tenant_id}/")
}

/// The `IDENTITY_HEADER` of one site's token endpoint: HMAC-SHA256 of the lower-cased site id
/// keyed with the twin's identity-header secret, as hex. The twin can hand it to that site's
/// process without storing it, and one site's header opens no other site's endpoint.
pub fn site_identity_header(secret: &str, site_id: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, site_id.to_ascii_lowercase().as_bytes());
    tag.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares a presented secret with the expected one in time that does not depend on where they
/// differ (only on their lengths, which are public: the secrets have a fixed length).
pub fn secrets_equal(presented: &str, expected: &str) -> bool {
    let (a, b) = (presented.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Seconds since the epoch by the system clock.
pub fn now_epoch_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// `bytes` random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new().fill(&mut buf).expect("the system random source is available");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random UUID (version 4 layout), for operation ids, ETags and principal ids.
pub fn random_uuid() -> String {
    uuid_from_hex(&random_hex(16))
}

/// 32 hex digits laid out as a version-4 UUID.
pub fn uuid_from_hex(hex: &str) -> String {
    let mut chars: Vec<char> = hex.chars().chain(std::iter::repeat('0')).take(32).collect();
    chars[12] = '4';
    chars[16] = ['8', '9', 'a', 'b'][chars[16].to_digit(16).unwrap_or(0) as usize % 4];
    let s: String = chars.into_iter().collect();
    format!("{}-{}-{}-{}-{}", &s[0..8], &s[8..12], &s[12..16], &s[16..20], &s[20..32])
}

/// Reads the secret in `state_dir/file`, or writes a new random one (`bytes` long, hex) there.
pub fn load_or_create_secret(state_dir: &Path, file: &str, bytes: usize) -> std::io::Result<String> {
    let path = state_dir.join(file);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
        Ok(_) => write_secret(&path, bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_secret(&path, bytes),
        Err(e) => Err(e),
    }
}

fn write_secret(path: &Path, bytes: usize) -> std::io::Result<String> {
    let secret = random_hex(bytes);
    write_private(path, secret.as_bytes())?;
    Ok(secret)
}

/// Writes a file only its owner can read: it holds a key.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Makes the state directory private to its owner: the directory 0700 and every file directly in
/// it 0600 (the store holds app-setting secrets; the keys sign tokens). Files the twin creates
/// later are written private ([`write_private`]) or made so when created ([`make_file_private`]).
pub fn make_dir_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                make_file_private(&entry.path())?;
            }
        }
    }
    Ok(())
}

/// Makes one file readable and writable by its owner only.
pub fn make_file_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(key: &[u8]) -> TokenIssuer {
        TokenIssuer::new(key, Principal { tenant_id: "t".into(), object_id: "o".into(), client_id: "c".into() })
    }

    #[test]
    fn a_token_verifies_until_it_expires_and_only_with_its_key() {
        let token = issuer(b"k1").issue("https://management.core.windows.net/", 1000);
        let claims = issuer(b"k1").verify_for_arm(&token.access_token, 1001).unwrap();
        assert_eq!((claims.tenant_id.as_str(), claims.object_id.as_str()), ("t", "o"));
        assert_eq!(issuer(b"k2").verify(&token.access_token, 1001), Err(TokenError::Invalid));
        assert_eq!(
            issuer(b"k1").verify(&token.access_token, token.expires_on),
            Err(TokenError::Expired(token.expires_on))
        );
        let vault = issuer(b"k1").issue("https://vault.azure.net", 1000);
        assert!(matches!(issuer(b"k1").verify_for_arm(&vault.access_token, 1001), Err(TokenError::WrongAudience(_))));
    }

    /// A token signed with `key` whose header and claims are as given.
    fn forge(key: &[u8], header: Value, claims: Value) -> String {
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    #[test]
    fn tokens_with_a_foreign_tenant_a_future_start_an_unbounded_life_or_another_algorithm_are_refused() {
        let now = 1_000_000;
        let good = json!({"aud": ARM_AUDIENCES[0], "iss": "https://sts.windows.net/t/", "tid": "t", "oid": "o",
            "iat": now, "nbf": now, "exp": now + 3600});
        let hs256 = json!({"typ": "JWT", "alg": "HS256"});
        let verify =
            |header: &Value, claims: &Value| issuer(b"k").verify(&forge(b"k", header.clone(), claims.clone()), now);
        assert!(verify(&hs256, &good).is_ok(), "the twin's own shape verifies");
        let with = |name: &str, value: Value| {
            let mut claims = good.clone();
            claims[name] = value;
            claims
        };
        assert_eq!(verify(&hs256, &with("nbf", json!(now + 3600))), Err(TokenError::Invalid), "not yet valid");
        assert_eq!(verify(&hs256, &with("iat", json!(now + 3600))), Err(TokenError::Invalid), "issued in the future");
        let forever = with("exp", json!(now + 10 * 365 * 24 * 3600));
        assert_eq!(verify(&hs256, &forever), Err(TokenError::Invalid), "a lifetime beyond a day");
        let mut no_nbf = good.clone();
        no_nbf.as_object_mut().unwrap().remove("nbf");
        assert_eq!(verify(&hs256, &no_nbf), Err(TokenError::Invalid));
        assert!(matches!(verify(&hs256, &with("tid", json!("other"))), Err(TokenError::WrongTenant(_))));
        let foreign_issuer = with("iss", json!("https://sts.windows.net/other/"));
        assert!(matches!(verify(&hs256, &foreign_issuer), Err(TokenError::WrongTenant(_))));
        for alg in ["none", "HS512", "RS256"] {
            assert_eq!(verify(&json!({"typ": "JWT", "alg": alg}), &good), Err(TokenError::Invalid), "{alg}");
        }
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string()),
            URL_SAFE_NO_PAD.encode(good.to_string())
        );
        assert_eq!(issuer(b"k").verify(&unsigned, now), Err(TokenError::Invalid));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(secrets_equal("abcd", "abcd"));
        assert!(!secrets_equal("abce", "abcd"));
        assert!(!secrets_equal("abc", "abcd"));
        assert!(!secrets_equal("", "abcd"));
    }

    #[test]
    fn uuids_have_the_version_4_layout() {
        let id = random_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
