//! App setting and connection string values are secrets. A pull keeps only what the analysis
//! reads from them — host names and ports (`hostnames_in`, `*_PORT` siblings), `WEBSITE_*`
//! platform settings, the database name and identity selector the access step reads
//! (`access::reads_setting`) and Key Vault references (which name where a secret is, not the secret) —
//! and replaces everything else with [`REDACTED`], unless the user asks for `--keep-secrets`.

use privlink_engine::catalog::KEY_VAULT_REFERENCE_PREFIX;
use privlink_engine::dns::dependencies::hostnames_in;
use serde_json::Value;

/// What a redacted value becomes: no host name in it, so the analysis reads nothing from it.
pub const REDACTED: &str = "[redacted by privlink pull]";

/// Connection-string keys that name where a service is, never a credential (SQL `Server`, Redis
/// `host:port,ssl=`, Service Bus/Storage `Endpoint`, `AccountName`, `EndpointSuffix` …).
const ADDRESS_KEYS: &[&str] = &[
    "server",
    "data source",
    "address",
    "addr",
    "network address",
    "host",
    "hostname",
    "endpoint",
    "blobendpoint",
    "queueendpoint",
    "tableendpoint",
    "fileendpoint",
    "accountname",
    "endpointsuffix",
    "defaultendpointsprotocol",
    "port",
    "ssl",
    "encrypt",
    "database",
    "initial catalog",
];

/// The value to write for setting `name`: the value itself when the analysis needs all of it,
/// its address parts when it holds hosts among secrets, else [`REDACTED`]. `None`: kept as is.
pub fn redact_setting(name: &str, value: &str) -> Option<String> {
    let trimmed = value.trim();
    // Platform settings, except the few that hold credentials (`WEBSITE_AUTH_SIGNING_KEY`,
    // `WEBSITE_CONTENTAZUREFILECONNECTIONSTRING`, …).
    let upper = name.to_ascii_uppercase();
    let credential =
        ["KEY", "SECRET", "PASSWORD", "TOKEN", "CONNECTIONSTRING", "SAS"].iter().any(|w| upper.contains(w));
    let platform = upper.starts_with("WEBSITE_") && !credential;
    let port = name.to_ascii_uppercase().ends_with("_PORT") && trimmed.parse::<u16>().is_ok();
    let read_by_access = privlink_engine::access::reads_setting(name);
    if platform || port || read_by_access || trimmed.is_empty() || trimmed.starts_with(KEY_VAULT_REFERENCE_PREFIX) {
        return None;
    }
    let hosts = hostnames_in(value);
    if hosts.is_empty() {
        return Some(REDACTED.to_string());
    }
    let addresses = address_parts(trimmed);
    if addresses == trimmed && hostnames_in(&addresses) == hosts {
        return None;
    }
    if hostnames_in(&addresses) == hosts {
        return Some(addresses);
    }
    // The hosts alone still give the analysis every name the value held.
    Some(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(","))
}

/// A value with its credentials taken out: a URL keeps scheme, host and port (no user info, path
/// or query, where SAS tokens live); a connection string keeps its [`ADDRESS_KEYS`] parts and
/// any bare `host:port` part; a bare host or `host:port` stays.
fn address_parts(value: &str) -> String {
    if let Some((scheme, rest)) = value.split_once("://").filter(|(s, _)| !s.contains(['=', ';', ','])) {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let slash = if rest.len() > authority.len() { "/" } else { "" };
        return format!("{scheme}://{host}{slash}");
    }
    let separator = if value.contains(';') { ';' } else { ',' };
    let kept: Vec<&str> = value
        .split(separator)
        .map(str::trim)
        .filter(|part| match part.split_once('=') {
            Some((key, _)) => ADDRESS_KEYS.contains(&key.trim().to_ascii_lowercase().as_str()),
            None => !part.contains('@') && !part.is_empty(),
        })
        .collect();
    kept.join(&separator.to_string())
}

/// Redacts the `properties` of a `config/appsettings` (name → value) or `config/connectionstrings`
/// (name → `{value, type}`) document in place; returns the names of the settings it changed.
pub fn redact_settings_document(doc: &mut Value) -> Vec<String> {
    let mut changed = Vec::new();
    let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut) else { return changed };
    for (name, entry) in properties.iter_mut() {
        let slot = match entry {
            Value::Object(fields) => fields.get_mut("value"),
            other => Some(other),
        };
        let Some(slot) = slot else { continue };
        let text = match &*slot {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        if let Some(redacted) = redact_setting(name, &text) {
            *slot = Value::String(redacted);
            changed.push(name.clone());
        }
    }
    changed
}

/// Takes `properties.value` out of a Key Vault secret document, in place.
pub fn drop_secret_value(doc: &mut Value) {
    let is_secret = doc
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| privlink_model::ResourceId::parse(id).ok())
        .is_some_and(|id| id.is_type(privlink_model::arm_type::KEY_VAULT_SECRETS));
    if let Some(properties) = doc.get_mut("properties").and_then(Value::as_object_mut).filter(|_| is_secret) {
        properties.remove("value");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_what_the_analysis_reads() {
        for (name, value) in [
            ("SQL_SERVER_FQDN", "sql1.database.windows.net"),
            ("REDIS_PORT", "6380"),
            ("WEBSITE_DNS_SERVER", "10.0.0.4"),
            ("KEY_VAULT_URI", "https://kv1.vault.azure.net/"),
            ("OPENAI_API_KEY", "@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/k)"),
        ] {
            assert_eq!(redact_setting(name, value), None, "{name}");
        }
    }

    #[test]
    fn takes_credentials_out_and_keeps_the_hosts() {
        assert_eq!(redact_setting("DB_PASSWORD", "hunter2").as_deref(), Some(REDACTED));
        // A platform setting that holds a credential is a secret like any other.
        assert_eq!(redact_setting("WEBSITE_AUTH_SIGNING_KEY", "0A1B2C3D4E5F").as_deref(), Some(REDACTED));
        assert_eq!(
            redact_setting("SQL", "Server=tcp:sql1.database.windows.net,1433;User ID=u;Password=p@ss;").as_deref(),
            Some("Server=tcp:sql1.database.windows.net,1433")
        );
        assert_eq!(
            redact_setting("REDIS", "r1.redis.cache.windows.net:6380,password=secret,ssl=True").as_deref(),
            Some("r1.redis.cache.windows.net:6380,ssl=True")
        );
        assert_eq!(
            redact_setting("BLOB", "https://sa1.blob.core.windows.net/c/f?sv=2022&sig=abc").as_deref(),
            Some("https://sa1.blob.core.windows.net/")
        );
        assert_eq!(
            redact_setting("SB", "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s")
                .as_deref(),
            Some("Endpoint=sb://ns1.servicebus.windows.net/")
        );
    }

    #[test]
    fn a_secret_document_never_keeps_a_value() {
        let mut secret = json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/db",
            "properties": {"value": "hunter2", "secretUri": "https://kv.vault.azure.net/secrets/db"}});
        drop_secret_value(&mut secret);
        assert_eq!(secret["properties"], json!({"secretUri": "https://kv.vault.azure.net/secrets/db"}));
        let mut vault = json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "properties": {"value": 1}});
        drop_secret_value(&mut vault);
        assert_eq!(vault["properties"]["value"], 1);
    }

    #[test]
    fn redacts_settings_and_connection_string_documents() {
        let mut settings = json!({"properties": {"A_HOST": "a.b.example.com", "TOKEN": "t0k3n"}});
        assert_eq!(redact_settings_document(&mut settings), ["TOKEN"]);
        assert_eq!(settings["properties"]["TOKEN"], REDACTED);
        let mut strings =
            json!({"properties": {"db": {"value": "Server=s.database.windows.net;Password=x", "type": "SQLAzure"}}});
        assert_eq!(redact_settings_document(&mut strings), ["db"]);
        assert_eq!(strings["properties"]["db"]["value"], "Server=s.database.windows.net");
    }
}
