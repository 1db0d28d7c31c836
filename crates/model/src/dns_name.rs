//! DNS names, normalised once.
//!
//! DNS compares names case-insensitively and `vault.azure.net.` is the same name as
//! `vault.azure.net`. A [`DnsName`] is lower-cased, has no trailing dot, and was checked against the
//! label rules, so the rest of privlink compares names with `==` and `ends_with` on labels.

use std::fmt;
use std::sync::Arc;

/// A fully qualified domain name, lower-case, without the trailing dot. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DnsName(Arc<str>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsNameError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for DnsNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a valid DNS name: {}", self.input, self.reason)
    }
}
impl std::error::Error for DnsNameError {}

impl DnsName {
    /// Parses a host name. Labels are 1–63 characters of letters, digits, `-` and `_`
    /// (`_` appears in service records and some Azure-generated names); a leading `*` label is
    /// allowed for wildcard records; the whole name is at most 253 characters.
    pub fn parse(input: &str) -> Result<DnsName, DnsNameError> {
        let err = |reason: String| DnsNameError { input: input.to_string(), reason };
        let trimmed = input.trim();
        let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(err("it is empty".into()));
        }
        if trimmed.len() > 253 {
            return Err(err(format!("it is {} characters long; the limit is 253", trimmed.len())));
        }
        let lower = trimmed.to_ascii_lowercase();
        for (i, label) in lower.split('.').enumerate() {
            if label.is_empty() {
                return Err(err("it has an empty label ('..')".into()));
            }
            if label.len() > 63 {
                return Err(err(format!("label '{label}' is longer than 63 characters")));
            }
            if label == "*" && i == 0 {
                continue;
            }
            if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
                return Err(err(format!("label '{label}' contains '{c}'")));
            }
        }
        Ok(DnsName(Arc::from(lower)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Labels from left to right.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('.')
    }

    pub fn label_count(&self) -> usize {
        self.0.split('.').count()
    }

    /// The left-most label (`myvault` of `myvault.vault.azure.net`).
    pub fn first_label(&self) -> &str {
        self.0.split('.').next().unwrap_or("")
    }

    /// Whether `self` equals `zone` or lies below it, on label boundaries.
    pub fn is_within(&self, zone: &DnsName) -> bool {
        let (n, z) = (self.as_str(), zone.as_str());
        n == z || (n.len() > z.len() && n.ends_with(z) && n.as_bytes()[n.len() - z.len() - 1] == b'.')
    }

    /// The part of `self` left of `zone` (`myvault` for `myvault.privatelink.vaultcore.azure.net`
    /// in `privatelink.vaultcore.azure.net`); `@` for the apex; `None` if not within it.
    pub fn relative_to(&self, zone: &DnsName) -> Option<&str> {
        if self == zone {
            return Some("@");
        }
        if self.is_within(zone) {
            return Some(&self.0[..self.0.len() - zone.0.len() - 1]);
        }
        None
    }

    /// `relative` joined to this zone; `@` or empty means the apex.
    pub fn prepend(&self, relative: &str) -> Result<DnsName, DnsNameError> {
        let relative = relative.trim();
        if relative.is_empty() || relative == "@" {
            return Ok(self.clone());
        }
        DnsName::parse(&format!("{relative}.{}", self.0))
    }

    /// The name one label up, if any.
    pub fn parent(&self) -> Option<DnsName> {
        self.0.split_once('.').map(|(_, rest)| DnsName(Arc::from(rest)))
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DnsName({})", self.0)
    }
}

impl std::str::FromStr for DnsName {
    type Err = DnsNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DnsName::parse(s)
    }
}

impl serde::Serialize for DnsName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_trailing_dot() {
        assert_eq!(
            DnsName::parse("MyVault.Vault.Azure.NET.").unwrap(),
            DnsName::parse("myvault.vault.azure.net").unwrap()
        );
        assert_eq!(DnsName::parse("MyVault.vault.azure.net").unwrap().as_str(), "myvault.vault.azure.net");
    }

    #[test]
    fn containment_is_on_label_boundaries() {
        let zone = DnsName::parse("privatelink.vaultcore.azure.net").unwrap();
        let rec = DnsName::parse("kv1.privatelink.vaultcore.azure.net").unwrap();
        let trap = DnsName::parse("xprivatelink.vaultcore.azure.net").unwrap();
        assert!(rec.is_within(&zone));
        assert!(zone.is_within(&zone));
        assert!(!trap.is_within(&zone));
        assert_eq!(rec.relative_to(&zone), Some("kv1"));
        assert_eq!(zone.relative_to(&zone), Some("@"));
        assert_eq!(zone.prepend("kv1").unwrap(), rec);
        assert_eq!(rec.parent().unwrap(), zone);
    }

    #[test]
    fn rejects_bad_labels() {
        assert!(DnsName::parse("a..b").is_err());
        assert!(DnsName::parse("a b.com").is_err());
        assert!(DnsName::parse(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(DnsName::parse("").is_err());
        assert!(DnsName::parse("*.example.com").is_ok());
    }
}
