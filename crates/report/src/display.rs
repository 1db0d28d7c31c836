//! How text output names resources and how long its lists run: an ARM id becomes `name (type)`
//! (`privatelink.database.windows.net (private DNS zone)`, `nsg-app (NSG)`), with the resource
//! group added where two resources of the estate would read the same, and a list of more than a
//! few items ends with `… and N more`. With `--verbose` ids and lists are shown whole. JSON,
//! SARIF, JUnit and GitHub annotations never go through here: they keep the full id.

use privlink_model::{arm_type, Model, ResourceId};
use std::collections::HashMap;

/// How many items of a repeated list text shows before `… and N more`.
pub const SHOWN: usize = 3;

/// The word text uses for each ARM type privlink names; an unnamed type shows its last segment.
const TYPE_WORDS: &[(&str, &str)] = &[
    (arm_type::VIRTUAL_NETWORKS, "VNet"),
    (arm_type::SUBNETS, "subnet"),
    (arm_type::VIRTUAL_NETWORK_PEERINGS, "peering"),
    (arm_type::NETWORK_SECURITY_GROUPS, "NSG"),
    (arm_type::SECURITY_RULES, "NSG rule"),
    (arm_type::ROUTE_TABLES, "route table"),
    (arm_type::ROUTES, "route"),
    (arm_type::NETWORK_INTERFACES, "NIC"),
    (arm_type::PRIVATE_ENDPOINTS, "private endpoint"),
    (arm_type::PRIVATE_DNS_ZONE_GROUPS, "zone group"),
    (arm_type::AZURE_FIREWALLS, "firewall"),
    (arm_type::FIREWALL_POLICIES, "firewall policy"),
    (arm_type::PRIVATE_DNS_ZONES, "private DNS zone"),
    (arm_type::PRIVATE_DNS_A_RECORDS, "A record"),
    (arm_type::PRIVATE_DNS_AAAA_RECORDS, "AAAA record"),
    (arm_type::PRIVATE_DNS_CNAME_RECORDS, "CNAME record"),
    (arm_type::PRIVATE_DNS_ZONE_LINKS, "VNet link"),
    (arm_type::DNS_RESOLVERS, "DNS resolver"),
    (arm_type::DNS_RESOLVER_INBOUND_ENDPOINTS, "inbound endpoint"),
    (arm_type::DNS_RESOLVER_OUTBOUND_ENDPOINTS, "outbound endpoint"),
    (arm_type::DNS_FORWARDING_RULESETS, "forwarding ruleset"),
    (arm_type::FORWARDING_RULES, "forwarding rule"),
    (arm_type::FORWARDING_RULESET_LINKS, "ruleset link"),
    (arm_type::SERVER_FARMS, "App Service plan"),
    (arm_type::SITES, "app"),
    (arm_type::SITE_CONFIG, "app config"),
    (arm_type::SITE_VIRTUAL_NETWORK_CONNECTIONS, "VNet integration"),
    (arm_type::SITE_NETWORK_CONFIG, "VNet integration"),
    (arm_type::SITE_SLOTS, "slot"),
    (arm_type::SLOT_CONFIG, "slot config"),
    (arm_type::SQL_SERVERS, "SQL server"),
    (arm_type::SQL_DATABASES, "SQL database"),
    (arm_type::SQL_ADMINISTRATORS, "SQL Entra admin"),
    (arm_type::SQL_AD_ONLY_AUTHENTICATIONS, "SQL Entra-only setting"),
    (arm_type::REDIS, "Redis cache"),
    (arm_type::KEY_VAULTS, "Key Vault"),
    (arm_type::KEY_VAULT_SECRETS, "secret"),
    (arm_type::COGNITIVE_SERVICES_ACCOUNTS, "Cognitive Services account"),
    (arm_type::STORAGE_ACCOUNTS, "storage account"),
    (arm_type::SUBSCRIPTIONS, "subscription"),
    (arm_type::RESOURCE_GROUPS, "resource group"),
    (arm_type::DEPLOYMENTS, "deployment"),
    (arm_type::MANAGEMENT_GROUPS, "management group"),
    (arm_type::PUBLIC_IP_ADDRESSES, "public IP"),
    (arm_type::APPLICATION_GATEWAYS, "application gateway"),
    (arm_type::PRIVATE_LINK_SERVICES, "Private Link service"),
    (arm_type::USER_ASSIGNED_IDENTITIES, "managed identity"),
    (arm_type::ROLE_ASSIGNMENTS, "role assignment"),
    (arm_type::ROLE_DEFINITIONS, "role definition"),
    (arm_type::REDIS_ACCESS_POLICY_ASSIGNMENTS, "Redis access policy assignment"),
    (arm_type::SQL_CONTAINED_USERS, "SQL contained user"),
];

/// Words for child types that no `arm_type` constant names (one per service), by their last
/// type segment.
const SEGMENT_WORDS: &[(&str, &str)] = &[
    ("defaultSecurityRules", "default NSG rule"),
    ("privateEndpointConnections", "private endpoint connection"),
    ("ipConfigurations", "IP configuration"),
    ("virtualNetworkRules", "virtual network rule"),
    ("firewallRules", "firewall rule"),
];

/// The short word for an ARM type (`private DNS zone` for `Microsoft.Network/privateDnsZones`).
pub fn type_word(ty: &str) -> String {
    TYPE_WORDS.iter().find(|(t, _)| t.eq_ignore_ascii_case(ty)).map(|(_, w)| w.to_string()).unwrap_or_else(|| {
        let segment = ty.rsplit('/').next().unwrap_or(ty);
        SEGMENT_WORDS
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(segment))
            .map_or_else(|| segment.to_string(), |(_, w)| w.to_string())
    })
}

/// How text names resources: abbreviated (the default) or whole (`--verbose`), knowing which
/// abbreviations the estate holds twice.
#[derive(Clone, Debug, Default)]
pub struct Names {
    verbose: bool,
    /// How many resources of the estate read as each abbreviation (type, parent names, name;
    /// lower-case), and as each abbreviation with its resource group.
    seen: HashMap<String, usize>,
    seen_in_group: HashMap<String, usize>,
}

fn key(id: &ResourceId) -> String {
    let names: Vec<&str> = id.names().collect();
    format!("{}|{}", id.type_key(), names.join("/").to_ascii_lowercase())
}

fn key_in_group(id: &ResourceId) -> String {
    format!("{}|{}", key(id), id.resource_group().unwrap_or("").to_ascii_lowercase())
}

impl Names {
    /// Names for text about `model`: abbreviations that two of its resources share carry the
    /// resource group (and the subscription where that is shared too).
    pub fn new(model: &Model, verbose: bool) -> Names {
        Names::among(model.documents.keys(), verbose)
    }

    /// [`Self::new`] for the resources `ids`.
    pub fn among<'a>(ids: impl IntoIterator<Item = &'a ResourceId>, verbose: bool) -> Names {
        let mut names = Names { verbose, ..Names::default() };
        if verbose {
            return names;
        }
        for id in ids {
            *names.seen.entry(key(id)).or_default() += 1;
            *names.seen_in_group.entry(key_in_group(id)).or_default() += 1;
        }
        names
    }

    /// Names for text about no particular estate: abbreviated, never disambiguated.
    pub fn abbreviated() -> Names {
        Names::default()
    }

    /// Names that show every id and list whole (`--verbose`).
    pub fn verbose() -> Names {
        Names { verbose: true, ..Names::default() }
    }

    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// `name (type)`, `name (type in parent)` for a child (a record in its zone, a subnet in its
    /// VNet), with `, resource group RG` when the estate has another resource that reads the same;
    /// the full id with `--verbose`.
    pub fn id(&self, id: &ResourceId) -> String {
        if self.verbose {
            return id.to_string();
        }
        let ty = id.resource_type();
        let mut inside = type_word(&ty);
        let names: Vec<&str> = id.names().collect();
        // Only a child within its parent's type (not an extension resource's scope) has a parent
        // worth naming.
        if let Some(parent) = id.parent().filter(|p| arm_type::is_under(&ty, &p.resource_type())) {
            if names.len() > 1 {
                inside.push_str(&format!(" in {}", parent.names().collect::<Vec<_>>().join("/")));
            }
        }
        if self.seen.get(&key(id)).is_some_and(|n| *n > 1) {
            if let Some(group) = id.resource_group() {
                inside.push_str(&format!(", resource group {group}"));
            }
            if self.seen_in_group.get(&key_in_group(id)).is_some_and(|n| *n > 1) {
                if let Some(subscription) = id.subscription() {
                    inside.push_str(&format!(", subscription {subscription}"));
                }
            }
        }
        format!("{} ({inside})", id.name())
    }

    /// [`Self::id`] for text that may be an ARM id; anything else as it is.
    pub fn text_id(&self, s: &str) -> String {
        match ResourceId::parse(s) {
            Ok(id) if is_arm_id(s) => self.id(&id),
            _ => s.to_string(),
        }
    }

    /// Free text (an explanation, a hop's detail) with every ARM id in it abbreviated.
    pub fn in_text(&self, text: &str) -> String {
        if self.verbose || !text.contains("/subscriptions/") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = find_id_start(rest) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let end = tail.find(|c: char| c.is_whitespace() || "),;\"'[]{}<>".contains(c)).unwrap_or(tail.len());
            // A sentence may end right after an id; ARM names do not end with `.` or `:`.
            let candidate = tail[..end].trim_end_matches(['.', ':']);
            match ResourceId::parse(candidate) {
                Ok(id) => out.push_str(&self.id(&id)),
                Err(_) => out.push_str(candidate),
            }
            rest = &tail[candidate.len()..];
        }
        out.push_str(rest);
        out
    }

    /// [`Self::in_text`], and a run of more than [`SHOWN`] comma-separated names in it (`app-1,
    /// app-2, app-3, app-4 uses`) shortened to its first items and `… and N more`: a message that
    /// lists every app of a spoke stays one readable line.
    pub fn message(&self, text: &str) -> String {
        let text = self.in_text(text);
        if self.verbose {
            return text;
        }
        // `app → host:port,` is one item of a list of connections.
        let mut merged: Vec<String> = Vec::new();
        let mut split = text.split(' ').peekable();
        while let Some(word) = split.next() {
            match (merged.last_mut(), word) {
                (Some(prev), "→") if split.peek().is_some() => {
                    let next = split.next().unwrap_or_default();
                    prev.push_str(&format!(" → {next}"));
                }
                _ => merged.push(word.to_string()),
            }
        }
        let words: Vec<&str> = merged.iter().map(String::as_str).collect();
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            // A run: words ending in `,` (each one name, no other punctuation), then its last name.
            let mut j = i;
            while j + 1 < words.len() && is_listed(words[j]) {
                j += 1;
            }
            let run = j - i + 1;
            if run > SHOWN + 1 && j > i {
                out.extend(words[i..i + SHOWN].iter().map(|w| w.to_string()));
                let last = words[j];
                // What follows the last name (`;`, `:`) ends the shortened run too.
                let tail = &last[last.trim_end_matches(|c: char| !c.is_alphanumeric()).len()..];
                out.push(format!("… and {} more{tail}", run - SHOWN));
                i = j + 1;
            } else {
                out.push(words[i].to_string());
                i += 1;
            }
        }
        out.join(" ")
    }

    /// Items joined by `sep`, the first [`SHOWN`] of them and `… and N more` (all of them with
    /// `--verbose`).
    pub fn list<S: AsRef<str>>(&self, items: &[S], sep: &str) -> String {
        let shown = if self.verbose { items.len() } else { items.len().min(SHOWN) };
        let mut out = items[..shown].iter().map(AsRef::as_ref).collect::<Vec<_>>().join(sep);
        if shown < items.len() {
            out.push_str(&format!("{sep}… and {} more", items.len() - shown));
        }
        out
    }

    /// How many of `total` items text shows.
    pub fn shown(&self, total: usize) -> usize {
        if self.verbose {
            total
        } else {
            total.min(SHOWN)
        }
    }

    /// The line text ends a capped list with, when it was capped: `… and N more`.
    pub fn more(&self, total: usize) -> Option<String> {
        let shown = self.shown(total);
        (shown < total).then(|| format!("… and {} more (--verbose shows all)", total - shown))
    }
}

/// A word of a comma-separated list of names: `app-lz-000056,`.
fn is_listed(word: &str) -> bool {
    word.strip_suffix(',').is_some_and(|w| w.split(" → ").all(is_name))
}

fn is_name(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || "-._:".contains(c))
}

fn is_arm_id(s: &str) -> bool {
    s.get(..15).is_some_and(|p| p.eq_ignore_ascii_case("/subscriptions/"))
}

/// Where the next ARM id in `text` starts: a `/subscriptions/` not inside a longer path or URL.
fn find_id_start(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find("/subscriptions/").map(|i| i + from) {
        let before = text[..at].chars().next_back();
        if before.is_none_or(|c| c.is_whitespace() || "(=[\"',:".contains(c)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    fn id(s: &str) -> ResourceId {
        ResourceId::parse(&format!("{SUB}{s}")).unwrap()
    }

    #[test]
    fn an_id_reads_as_its_name_and_type() {
        let names = Names::abbreviated();
        assert_eq!(
            names.id(&id(
                "/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.database.windows.net"
            )),
            "privatelink.database.windows.net (private DNS zone)"
        );
        assert_eq!(
            names.id(&id("/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-app")),
            "nsg-app (NSG)"
        );
        assert_eq!(
            names.id(&id(
                "/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/A/kv1"
            )),
            "kv1 (A record in privatelink.vaultcore.azure.net)"
        );
        assert_eq!(names.id(&id("/resourceGroups/rg/providers/Microsoft.Foo/bars/x")), "x (bars)");
    }

    #[test]
    fn two_resources_that_would_read_the_same_carry_their_resource_group() {
        let a = id("/resourceGroups/rg-a/providers/Microsoft.Network/networkSecurityGroups/nsg-app");
        let b = id("/resourceGroups/rg-b/providers/Microsoft.Network/networkSecurityGroups/nsg-app");
        let other = id("/resourceGroups/rg-a/providers/Microsoft.Network/routeTables/nsg-app");
        let names = Names::among([&a, &b, &other], false);
        assert_eq!(names.id(&a), "nsg-app (NSG, resource group rg-a)");
        assert_eq!(names.id(&b), "nsg-app (NSG, resource group rg-b)");
        assert_eq!(names.id(&other), "nsg-app (route table)", "another type reads differently already");
        let c = ResourceId::parse(&a.as_str().replace("0001", "0002")).unwrap();
        let names = Names::among([&a, &c], false);
        assert_eq!(
            names.id(&a),
            "nsg-app (NSG, resource group rg-a, subscription 00000000-0000-0000-0000-000000000001)"
        );
    }

    #[test]
    fn verbose_names_keep_the_full_id() {
        let full = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-app");
        assert_eq!(Names::verbose().id(&ResourceId::parse(&full).unwrap()), full);
        assert_eq!(Names::verbose().in_text(&format!("NSG {full} denies")), format!("NSG {full} denies"));
    }

    #[test]
    fn ids_in_free_text_are_abbreviated_and_the_sentence_kept() {
        let names = Names::abbreviated();
        let text = format!(
            "Site {SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/app1 uses VNet {SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1 (see https://learn.microsoft.com/azure/x/subscriptions/y)."
        );
        assert_eq!(
            names.in_text(&text),
            "Site app1 (app) uses VNet vnet1 (VNet) (see https://learn.microsoft.com/azure/x/subscriptions/y)."
        );
    }

    #[test]
    fn a_message_listing_many_names_is_shortened() {
        let names = Names::abbreviated();
        assert_eq!(
            names.message("whose Azure DNS a-1, a-2, a-3, a-4, a-5 uses; it is linked: x.net, y.net resolve"),
            "whose Azure DNS a-1, a-2, a-3, … and 2 more uses; it is linked: x.net, y.net resolve"
        );
        assert_eq!(names.message("linked to a, b, c, d, e; so"), "linked to a, b, c, … and 2 more; so");
        assert_eq!(names.message("a, b, c, d"), "a, b, c, d", "one hidden item saves nothing");
        assert_eq!(Names::verbose().message("a-1, a-2, a-3, a-4, a-5"), "a-1, a-2, a-3, a-4, a-5");
        assert_eq!(names.message("one, two, three and four"), "one, two, three and four");
        assert_eq!(
            names.message("authorizes a → x:443, a → y:443, b → x:443, b → y:443, c → z:1433 (no role)"),
            "authorizes a → x:443, a → y:443, b → x:443, … and 2 more (no role)"
        );
    }

    #[test]
    fn a_list_past_the_cap_ends_with_how_many_more() {
        let items = ["a", "b", "c", "d", "e"];
        assert_eq!(Names::abbreviated().list(&items, ", "), "a, b, c, … and 2 more");
        assert_eq!(Names::verbose().list(&items, ", "), "a, b, c, d, e");
        assert_eq!(Names::abbreviated().list(&items[..3], ", "), "a, b, c");
    }
}
