//! Key Vault secrets written through ARM (`Microsoft.KeyVault/vaults/secrets`): the value is taken
//! and never kept, and the secret reports its URIs as Key Vault's ARM face does.
//!
//! ARM's GET of a secret never returns `properties.value` (the value is only readable through the
//! data plane, §8), so the stored document drops it: no ARM document privlink stores or serves
//! holds a secret value sent this way. (The twin hands the value to its Key Vault data plane's
//! store, a private file of its own beside the documents, as Azure's vault keeps it.)

use super::{derived_guid, str_at, DocumentLookup};
use crate::catalog::{customer_fqdns, Cloud, NameHints};
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Map, Value};

/// `document` without its value, with `secretUri`, `secretUriWithVersion` and `attributes.enabled`.
/// Each PUT makes a new version (a registered modelling choice: its id is derived from the secret's id and the version
/// before it, so versions differ from write to write and never depend on the value).
pub(super) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Value {
    let mut completed = document.clone();
    let previous = estate.document(id).and_then(|e| str_at(e, "/properties/secretUriWithVersion")).unwrap_or("");
    let version = derived_guid(&["secret-version", id.as_str(), previous]).replace('-', "");
    let vault_uri = id.parent().map(|vault| vault_uri(estate, &vault)).unwrap_or_default();
    let properties = super::properties_mut(&mut completed);
    properties.remove("value");
    let secret_uri = format!("{vault_uri}/secrets/{}", id.name());
    properties.insert("secretUriWithVersion".to_string(), json!(format!("{secret_uri}/{version}")));
    properties.insert("secretUri".to_string(), json!(secret_uri));
    let attributes = properties.entry("attributes").or_insert_with(|| Value::Object(Map::new()));
    if let Some(attributes) = attributes.as_object_mut() {
        attributes.entry("enabled").or_insert(json!(true));
    }
    completed
}

/// The vault's URI without the trailing slash: its document's `vaultUri`, else the name Azure gives it.
fn vault_uri(estate: &dyn DocumentLookup, vault: &ResourceId) -> String {
    let stored = estate.document(vault).and_then(|d| str_at(d, "/properties/vaultUri")).map(str::to_string);
    stored
        .or_else(|| {
            customer_fqdns(Cloud::Public, arm_type::KEY_VAULTS, vault.name(), "vault", &NameHints::default())
                .into_iter()
                .next()
                .map(|host| format!("https://{host}"))
        })
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string()
}
