//! Matching host names against the table's public suffixes and `privatelink.` zones.

use super::{is_placeholder, Cloud, HostLabel, ServiceEntry, CATALOG};
use privlink_model::DnsName;

/// Whether a name matched a service's public suffix or its `privatelink.` zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneKind {
    Public,
    PrivateLink,
}

/// A host name recognised as belonging to a catalogued service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FqdnMatch {
    pub entry: &'static ServiceEntry,
    pub kind: ZoneKind,
    /// The suffix or zone that matched, placeholders resolved (`vault.azure.net`).
    pub suffix: DnsName,
    /// The catalog's spelling of that suffix (`{region}.data.azurecr.io`).
    pub suffix_pattern: &'static str,
    /// Everything left of the suffix: `kv1`, or `app.scm` in `privatelink.azurewebsites.net`.
    pub relative: String,
    /// The left-most label: the resource's host label (`kv1`, `app`).
    pub host_label: String,
}

/// The catalogued service a host name belongs to, e.g. `kv1.vault.azure.net` → Key Vault, label
/// `kv1`, public suffix `vault.azure.net`. When several rows match equally well (zones shared by
/// several services), the first in table order wins; [`lookup_fqdn_all`] returns them all.
pub fn lookup_fqdn(cloud: Cloud, name: &DnsName) -> Option<FqdnMatch> {
    lookup_fqdn_all(cloud, name).into_iter().next()
}

/// Every catalogued service a host name could belong to, best matches only, in table order.
///
/// A public suffix matches only a name exactly one label below it (the resource's host label),
/// except for services whose host names are not the resource name. A `privatelink.` zone matches
/// any name below it. The most specific match wins: more literal labels, then more labels.
pub fn lookup_fqdn_all(cloud: Cloud, name: &DnsName) -> Vec<FqdnMatch> {
    let labels: Vec<&str> = name.labels().collect();
    let index = pattern_index(cloud);
    let key = last_two(&labels);
    let candidates_for_key = key.as_deref().and_then(|k| index.by_last_two.get(k)).map(Vec::as_slice).unwrap_or(&[]);
    // Patterns in table order, so "best per entry, then best overall" keeps the table's tie order.
    let mut patterns: Vec<&IndexedPattern> = candidates_for_key.iter().chain(index.other.iter()).collect();
    patterns.sort_by_key(|p| p.order);
    let mut candidates: Vec<(Specificity, FqdnMatch)> = Vec::new();
    let mut current: Option<(&'static ServiceEntry, Option<(Specificity, FqdnMatch)>)> = None;
    for p in patterns {
        if current.as_ref().is_some_and(|(e, _)| !std::ptr::eq(*e, p.entry)) {
            candidates.extend(current.take().and_then(|(_, best)| best));
        }
        let slot = &mut current.get_or_insert((p.entry, None)).1;
        let Some(SuffixMatch { specificity, relative_labels }) = match_labels(&labels, &p.labels) else { continue };
        let acceptable = match p.kind {
            ZoneKind::PrivateLink => relative_labels >= 1,
            ZoneKind::Public if p.entry.host == HostLabel::NotNameBased => relative_labels >= 1,
            ZoneKind::Public => relative_labels == 1,
        };
        if !acceptable || slot.as_ref().is_some_and(|(b, _)| *b >= specificity) {
            continue;
        }
        *slot = Some((
            specificity,
            FqdnMatch {
                entry: p.entry,
                kind: p.kind,
                suffix: ancestor(name, relative_labels),
                suffix_pattern: p.pattern,
                host_label: labels[0].to_string(),
                relative: labels[..relative_labels].join("."),
            },
        ));
    }
    candidates.extend(current.and_then(|(_, best)| best));
    let Some(best) = candidates.iter().map(|(s, _)| *s).max() else {
        return Vec::new();
    };
    candidates.into_iter().filter(|(s, _)| *s == best).map(|(_, m)| m).collect()
}

/// One private zone or public suffix pattern of the table, split into labels once.
struct IndexedPattern {
    /// Position in the table (entry, then zones before suffixes), to keep its order.
    order: usize,
    entry: &'static ServiceEntry,
    kind: ZoneKind,
    pattern: &'static str,
    labels: Vec<&'static str>,
}

/// The table's patterns by their last two labels (`windows.net`, `azure.com`): a name is matched
/// against the few patterns that can end it, not the whole table. Patterns whose last two labels
/// are not both literal are tried for every name.
struct PatternIndex {
    by_last_two: std::collections::HashMap<String, Vec<IndexedPattern>>,
    other: Vec<IndexedPattern>,
}

fn last_two(labels: &[&str]) -> Option<String> {
    match labels {
        [.., a, b] => Some(format!("{}.{}", a.to_ascii_lowercase(), b.to_ascii_lowercase())),
        _ => None,
    }
}

fn pattern_index(cloud: Cloud) -> &'static PatternIndex {
    static PUBLIC: std::sync::OnceLock<PatternIndex> = std::sync::OnceLock::new();
    let build = || {
        let mut index = PatternIndex { by_last_two: Default::default(), other: Vec::new() };
        let mut order = 0;
        for entry in CATALOG {
            let Some(names) = entry.names(cloud) else { continue };
            let zones = names.private_zones.iter().map(|z| (ZoneKind::PrivateLink, *z));
            let suffixes = names.public_suffixes.iter().map(|s| (ZoneKind::Public, *s));
            for (kind, pattern) in zones.chain(suffixes) {
                let labels: Vec<&'static str> = pattern.split('.').collect();
                let p = IndexedPattern { order, entry, kind, pattern, labels };
                order += 1;
                let literal_tail =
                    p.labels.len() >= 2 && p.labels[p.labels.len() - 2..].iter().all(|l| !is_placeholder(l));
                match last_two(&p.labels).filter(|_| literal_tail) {
                    Some(key) => index.by_last_two.entry(key).or_default().push(p),
                    None => index.other.push(p),
                }
            }
        }
        index
    };
    match cloud {
        Cloud::Public => PUBLIC.get_or_init(build),
    }
}

/// The `privatelink.` alias Azure's public DNS inserts right after a customer-visible name while
/// the resource has an approved private endpoint connection (§1.2): `kv1.vault.azure.net` →
/// `kv1.privatelink.vaultcore.azure.net`, `app.scm.azurewebsites.net` →
/// `app.scm.privatelink.azurewebsites.net` (§1.1: the scm record lives in the app's zone).
///
/// When the private zone is the public suffix with `privatelink.` in front (possibly below extra
/// labels such as `scm` or `{region}.data`), those labels stay left of `privatelink`; otherwise
/// (Key Vault's `vault.azure.net` → `privatelink.vaultcore.azure.net`) the suffix pairs with the
/// private zone at the same position in the row, or the row's only zone. `None` for a name that is
/// not a customer-visible name of a catalogued service.
pub fn privatelink_alias(cloud: Cloud, name: &DnsName) -> Option<DnsName> {
    let found = lookup_fqdn(cloud, name)?;
    if found.kind != ZoneKind::Public {
        return None;
    }
    let names = found.entry.names(cloud)?;
    let pattern: Vec<&str> = found.suffix_pattern.split('.').collect();
    let suffix: Vec<&str> = found.suffix.labels().collect();
    for zone in names.private_zones {
        let base: Vec<&str> = zone.split('.').skip(1).collect();
        if base.len() <= pattern.len() && pattern.ends_with(&base) {
            let (between, rest) = suffix.split_at(pattern.len() - base.len());
            let labels: Vec<&str> = std::iter::once(found.relative.as_str())
                .chain(between.iter().copied())
                .chain(["privatelink"])
                .chain(rest.iter().copied())
                .collect();
            return DnsName::parse(&labels.join(".")).ok();
        }
    }
    let position = names.public_suffixes.iter().position(|s| *s == found.suffix_pattern)?;
    let zone = match names.private_zones {
        [only] => only,
        zones => zones.get(position)?,
    };
    if zone.split('.').any(is_placeholder) {
        return None;
    }
    DnsName::parse(&format!("{}.{zone}", found.relative)).ok()
}

/// Whether `zone` is exactly a catalogued `privatelink.` zone (templated zones included).
pub fn is_privatelink_zone(cloud: Cloud, zone: &DnsName) -> bool {
    !entries_for_zone(cloud, zone).is_empty()
}

/// The entries whose private endpoints write records into `zone`, in table order.
pub fn entries_for_zone(cloud: Cloud, zone: &DnsName) -> Vec<&'static ServiceEntry> {
    let labels: Vec<&str> = zone.labels().collect();
    CATALOG
        .iter()
        .filter(|e| {
            e.private_zones(cloud).iter().any(|z| match_suffix(&labels, z).is_some_and(|m| m.relative_labels == 0))
        })
        .collect()
}

/// The group ids served by `zone`, without duplicates, in table order
/// (`privatelink.servicebus.windows.net` → `namespace`).
pub fn group_ids_for_zone(cloud: Cloud, zone: &DnsName) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for entry in entries_for_zone(cloud, zone) {
        for group in entry.group_ids {
            if !groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
                groups.push(group);
            }
        }
    }
    groups
}

/// How specifically a name matched a suffix pattern: literal labels count first, so
/// `privatelink.database.windows.net` beats `{dnsPrefix}.database.windows.net`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Specificity {
    literal_labels: usize,
    pattern_labels: usize,
}

/// A name below a suffix pattern: how specific the match is and how many labels are left of it.
#[derive(Debug, Clone, Copy)]
struct SuffixMatch {
    specificity: Specificity,
    relative_labels: usize,
}

/// Matches `labels` (a name, left to right) against a suffix pattern on label boundaries.
fn match_suffix(labels: &[&str], pattern: &str) -> Option<SuffixMatch> {
    let pattern_labels: Vec<&str> = pattern.split('.').collect();
    match_labels(labels, &pattern_labels)
}

/// [`match_suffix`] with the pattern already split into labels.
fn match_labels(labels: &[&str], pattern_labels: &[&str]) -> Option<SuffixMatch> {
    if labels.len() < pattern_labels.len() {
        return None;
    }
    let mut literal_labels = 0;
    for (label, expected) in labels.iter().rev().zip(pattern_labels.iter().rev()) {
        if is_placeholder(expected) {
            if label.eq_ignore_ascii_case("privatelink") {
                return None;
            }
        } else if label.eq_ignore_ascii_case(expected) {
            literal_labels += 1;
        } else {
            return None;
        }
    }
    Some(SuffixMatch {
        specificity: Specificity { literal_labels, pattern_labels: pattern_labels.len() },
        relative_labels: labels.len() - pattern_labels.len(),
    })
}

/// `name` with its `drop` left-most labels removed.
fn ancestor(name: &DnsName, drop: usize) -> DnsName {
    let mut current = name.clone();
    for _ in 0..drop {
        match current.parent() {
            Some(parent) => current = parent,
            None => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full-table scan the index replaces: every pattern of every entry, best per entry, then
    /// the best overall.
    fn naive(name: &DnsName) -> Vec<(String, &'static str)> {
        let labels: Vec<&str> = name.labels().collect();
        let mut candidates: Vec<(Specificity, (String, &'static str))> = Vec::new();
        for entry in CATALOG {
            let names = entry.names(Cloud::Public).unwrap();
            let mut best: Option<(Specificity, (String, &'static str))> = None;
            let zones = names.private_zones.iter().map(|z| (ZoneKind::PrivateLink, *z));
            for (kind, pattern) in zones.chain(names.public_suffixes.iter().map(|s| (ZoneKind::Public, *s))) {
                let Some(m) = match_suffix(&labels, pattern) else { continue };
                let ok = match kind {
                    ZoneKind::PrivateLink => m.relative_labels >= 1,
                    ZoneKind::Public if entry.host == HostLabel::NotNameBased => m.relative_labels >= 1,
                    ZoneKind::Public => m.relative_labels == 1,
                };
                if ok && best.as_ref().is_none_or(|(b, _)| *b < m.specificity) {
                    best = Some((m.specificity, (entry.service.to_string(), pattern)));
                }
            }
            candidates.extend(best);
        }
        let Some(top) = candidates.iter().map(|(s, _)| *s).max() else { return Vec::new() };
        candidates.into_iter().filter(|(s, _)| *s == top).map(|(_, m)| m).collect()
    }

    #[test]
    fn the_index_answers_what_a_full_scan_answers() {
        let mut names: Vec<String> = Vec::new();
        for entry in CATALOG {
            let n = entry.names(Cloud::Public).unwrap();
            for p in n.private_zones.iter().chain(n.public_suffixes) {
                let concrete =
                    p.replace("{region}", "westeurope").replace("{dnsPrefix}", "abc123").replace("{partitionId}", "1");
                names.push(format!("myres.{concrete}"));
                names.push(format!("a.b.{concrete}"));
                names.push(concrete.clone());
                names.push(format!("myres.privatelink.{concrete}"));
            }
        }
        names.extend(
            ["example.com", "notprivatelink.vaultcore.azure.net", "kv1.myvault.azure.net", "x.y"].map(String::from),
        );
        for n in names {
            let name = DnsName::parse(&n).unwrap();
            let indexed: Vec<(String, &'static str)> = lookup_fqdn_all(Cloud::Public, &name)
                .into_iter()
                .map(|m| (m.entry.service.to_string(), m.suffix_pattern))
                .collect();
            assert_eq!(indexed, naive(&name), "{n}");
        }
    }
}
