//! A resource's customer-visible host names and `privatelink.` zones, derived from the table.

use super::{is_placeholder, lookup, private_zones, Cloud, HostLabel};
use privlink_model::{DnsName, Region};

/// Per-resource values that fill the placeholders of templated names and pick among a
/// Cognitive Services account's host names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameHints<'a> {
    /// Cognitive Services account `kind` (`OpenAI`, `AIServices`, `TextAnalytics`, …).
    pub account_kind: Option<&'a str>,
    /// Cognitive Services `customSubDomainName`.
    pub custom_sub_domain: Option<&'a str>,
    /// The resource's region: ACR data endpoints, Managed Redis, Redis Enterprise.
    pub region: Option<Region>,
    /// SQL managed instance DNS zone (`properties.dnsZone`).
    pub dns_prefix: Option<&'a str>,
    /// Static Web Apps partition id.
    pub partition_id: Option<&'a str>,
}

/// The `privatelink.` zones for a resource type and group id with placeholders filled from
/// `hints`; zones whose placeholder has no value are left out.
pub fn private_zone_names(cloud: Cloud, resource_type: &str, group_id: &str, hints: &NameHints<'_>) -> Vec<DnsName> {
    private_zones(cloud, resource_type, group_id)
        .iter()
        .filter_map(|zone| fill_placeholders(zone, hints))
        .filter_map(|zone| DnsName::parse(&zone).ok())
        .collect()
}

/// The customer-visible host name(s) of a resource for one group id, e.g. `kv1.vault.azure.net`.
///
/// Empty when the catalog does not know the type or group, when host names are not derived from
/// the name ([`HostLabel::NotNameBased`]), or when a Cognitive Services account has no custom
/// subdomain in `hints`. Suffixes whose placeholder has no value in `hints` are left out.
pub fn customer_fqdns(
    cloud: Cloud,
    resource_type: &str,
    name: &str,
    group_id: &str,
    hints: &NameHints<'_>,
) -> Vec<DnsName> {
    let Some(entry) = lookup(resource_type, group_id) else {
        return Vec::new();
    };
    let host = match entry.host {
        HostLabel::NotNameBased => return Vec::new(),
        HostLabel::CustomSubDomain => match hints.custom_sub_domain {
            Some(sub) => sub.to_string(),
            None => return Vec::new(),
        },
        HostLabel::ResourceName => host_label_for_group(name, group_id),
    };
    let suffixes: Vec<&str> = match entry.host {
        HostLabel::CustomSubDomain => cognitive_suffixes(entry.public_suffixes(cloud), hints.account_kind),
        _ => entry.public_suffixes(cloud).to_vec(),
    };
    suffixes
        .iter()
        .filter_map(|suffix| fill_placeholders(suffix, hints))
        .filter_map(|suffix| DnsName::parse(&format!("{host}.{suffix}")).ok())
        .collect()
}

/// Secondary storage endpoints are `{account}-secondary.…` and slots are `{app}-{slot}.…`.
fn host_label_for_group(name: &str, group_id: &str) -> String {
    let group = group_id.to_ascii_lowercase();
    if group.ends_with("_secondary") {
        return format!("{name}-secondary");
    }
    if let Some(slot) = group.strip_prefix("sites-") {
        return format!("{name}-{slot}");
    }
    name.to_string()
}

/// An account serves the host names of its kind: OpenAI accounts `openai.azure.com`, AIServices
/// accounts all three, every other kind `cognitiveservices.azure.com` (§1.1 [OBS] on AIServices).
fn cognitive_suffixes(all: &'static [&'static str], kind: Option<&str>) -> Vec<&'static str> {
    let wanted: &[&str] = match kind {
        Some(k) if k.eq_ignore_ascii_case("AIServices") => return all.to_vec(),
        Some(k) if k.eq_ignore_ascii_case("OpenAI") => &["openai.azure.com"],
        _ => &["cognitiveservices.azure.com"],
    };
    all.iter().copied().filter(|s| wanted.contains(s)).collect()
}

/// `template` with its placeholders replaced from `hints`; `None` if one has no value.
fn fill_placeholders(template: &str, hints: &NameHints<'_>) -> Option<String> {
    let mut labels = Vec::new();
    for label in template.split('.') {
        let value = match label {
            "{region}" => hints.region.as_ref()?.as_str(),
            "{dnsPrefix}" => hints.dns_prefix?,
            "{partitionId}" => hints.partition_id?,
            other if is_placeholder(other) => return None,
            other => other,
        };
        labels.push(value);
    }
    Some(labels.join("."))
}
