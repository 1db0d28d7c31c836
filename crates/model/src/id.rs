//! Azure Resource Manager resource ids.
//!
//! ARM ids are case-insensitive (`resourceGroups` and `resourcegroups` name the same thing, and so
//! do `RG1` and `rg1`), but a user wants to see them as they wrote them. A [`ResourceId`] is parsed
//! once at the boundary: it keeps the original text for display and compares, hashes and orders by
//! a normalised key everywhere else.

use crate::arm_type;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A parsed ARM resource id. Cheap to clone (one reference count).
#[derive(Clone)]
pub struct ResourceId(Arc<Inner>);

/// Byte range into `original` (ids are far below 4 GiB).
type Span = (u32, u32);

struct Inner {
    /// As given, without a trailing slash.
    original: Box<str>,
    /// Lower-cased `original`: the identity of the resource.
    key: Box<str>,
    subscription: Option<Span>,
    resource_group: Option<Span>,
    /// `Microsoft.Network` etc.; `None` for subscription and resource-group ids.
    namespace: Option<Span>,
    /// Type segments after the namespace with their names: `[("virtualNetworks","vnet1"),("subnets","a")]`.
    chain: Box<[(Span, Span)]>,
    /// For an extension resource (a second `/providers/` segment, e.g. a role assignment on a
    /// vault): its namespace and where its types start in `chain`. Its type is its own, as Azure
    /// reports it (`Microsoft.Authorization/roleAssignments`).
    extension: Option<(Span, usize)>,
}

/// The lower-cased form of the fixed types of subscription and resource-group ids.
fn lower_fixed(ty: &'static str) -> &'static str {
    match ty {
        arm_type::RESOURCE_GROUPS => arm_type::RESOURCE_GROUPS_KEY,
        _ => arm_type::SUBSCRIPTIONS_KEY,
    }
}

impl Inner {
    fn at(&self, span: Span) -> &str {
        &self.original[span.0 as usize..span.1 as usize]
    }
}

/// Why a string is not an ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not an ARM resource id: {}", self.input, self.reason)
    }
}

impl std::error::Error for ParseIdError {}

impl ResourceId {
    /// Parses `/subscriptions/{sub}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}[/{type}/{name}]…]`.
    ///
    /// Tenant-scope ids (`/providers/{ns}/{type}/{name}…`) are accepted too. Extension resources
    /// (a second `/providers/` segment) keep their own namespace and type.
    pub fn parse(input: &str) -> Result<ResourceId, ParseIdError> {
        let err = |reason: &str| ParseIdError { input: input.to_string(), reason: reason.to_string() };
        let trimmed = input.trim();
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        if !trimmed.starts_with('/') {
            return Err(err("it must start with '/subscriptions/' or '/providers/'"));
        }
        if trimmed.len() > u32::MAX as usize / 2 {
            return Err(err("it is too long"));
        }
        // Segment spans after the leading '/'.
        let mut segments: Vec<Span> = Vec::with_capacity(12);
        let mut pos = 1usize;
        for part in trimmed[1..].split('/') {
            if part.is_empty() {
                return Err(err("it has an empty path segment"));
            }
            segments.push((pos as u32, (pos + part.len()) as u32));
            pos += part.len() + 1;
        }
        let seg = |i: usize| segments.get(i).map(|&(a, b)| &trimmed[a as usize..b as usize]);
        let mut i = 0;
        let mut subscription = None;
        let mut resource_group = None;
        if seg(0).is_some_and(|s| s.eq_ignore_ascii_case("subscriptions")) {
            if seg(1).is_none() {
                return Err(err("the subscription id is missing"));
            }
            subscription = Some(segments[1]);
            i = 2;
            if seg(i).is_some_and(|s| s.eq_ignore_ascii_case("resourceGroups")) {
                if seg(i + 1).is_none() {
                    return Err(err("the resource group name is missing"));
                }
                resource_group = Some(segments[i + 1]);
                i += 2;
            }
        } else if !seg(0).is_some_and(|s| s.eq_ignore_ascii_case("providers")) {
            return Err(err("it must start with '/subscriptions/' or '/providers/'"));
        }
        let mut namespace: Option<Span> = None;
        let mut extension: Option<(Span, usize)> = None;
        let mut chain: Vec<(Span, Span)> = Vec::with_capacity(4);
        while i < segments.len() {
            let here = seg(i).unwrap_or_default();
            if here.eq_ignore_ascii_case("providers") {
                if seg(i + 1).is_none() {
                    return Err(err("a provider namespace is missing after 'providers'"));
                }
                let ns = segments[i + 1];
                i += 2;
                let Some(ty) = seg(i) else {
                    return Err(err("a resource type is missing after the provider namespace"));
                };
                if seg(i + 1).is_none() {
                    return Err(err(&format!("the name of the '{ty}' resource is missing")));
                }
                if namespace.is_none() {
                    namespace = Some(ns);
                } else {
                    extension = Some((ns, chain.len()));
                }
                chain.push((segments[i], segments[i + 1]));
                i += 2;
            } else {
                if namespace.is_none() {
                    return Err(err(&format!("expected 'providers' or 'resourceGroups', found '{here}'")));
                }
                if seg(i + 1).is_none() {
                    return Err(err(&format!("the name of the '{here}' child resource is missing")));
                }
                chain.push((segments[i], segments[i + 1]));
                i += 2;
            }
        }
        if subscription.is_none() && namespace.is_none() {
            return Err(err("it names no subscription and no provider resource"));
        }
        let original: Box<str> = Box::from(trimmed);
        let key = original.to_ascii_lowercase().into_boxed_str();
        Ok(ResourceId(Arc::new(Inner {
            original,
            key,
            subscription,
            resource_group,
            namespace,
            chain: chain.into_boxed_slice(),
            extension,
        })))
    }

    /// The id as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.0.original
    }

    /// The normalised (lower-case) form that identity is based on.
    pub fn key(&self) -> &str {
        &self.0.key
    }

    pub fn subscription(&self) -> Option<&str> {
        self.0.subscription.map(|s| self.0.at(s))
    }

    pub fn resource_group(&self) -> Option<&str> {
        self.0.resource_group.map(|s| self.0.at(s))
    }

    pub fn namespace(&self) -> Option<&str> {
        self.0.namespace.map(|s| self.0.at(s))
    }

    /// The last name in the id (`subnet-a` for a subnet, the group name for a resource group).
    pub fn name(&self) -> &str {
        if let Some((_, name)) = self.0.chain.last() {
            self.0.at(*name)
        } else if let Some(rg) = self.0.resource_group {
            self.0.at(rg)
        } else {
            self.subscription().unwrap_or("")
        }
    }

    /// The names along the type chain: `["vnet1", "subnet-a"]` for a subnet.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.chain.iter().map(|(_, n)| self.0.at(*n))
    }

    /// The full resource type in its original casing, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub fn resource_type(&self) -> String {
        self.type_segments(false).collect()
    }

    /// [`Self::resource_type`] lower-cased, for matching.
    pub fn type_key(&self) -> String {
        // `key` is `original` ASCII-lower-cased, so the spans hold in it too.
        self.type_segments(true).collect()
    }

    /// Whether this id's type is `ty` (case-insensitive, e.g. `"Microsoft.Network/virtualNetworks"`).
    pub fn is_type(&self, ty: &str) -> bool {
        let mut rest = ty.as_bytes();
        for part in self.type_segments(false) {
            let Some(tail) = rest.get(part.len()..) else { return false };
            if !rest[..part.len()].eq_ignore_ascii_case(part.as_bytes()) {
                return false;
            }
            rest = tail;
        }
        rest.is_empty()
    }

    /// The pieces of the resource type (lower-cased from `key` when `lower`): the namespace, then
    /// `/` and each type segment. Typing asks every id its type, so this allocates nothing.
    fn type_segments(&self, lower: bool) -> impl Iterator<Item = &str> + '_ {
        let inner = &self.0;
        let text: &str = if lower { &inner.key } else { &inner.original };
        let at = move |span: Span| &text[span.0 as usize..span.1 as usize];
        let (fixed, namespace, chain): (Option<&'static str>, Option<Span>, &[(Span, Span)]) = match inner.namespace {
            None if inner.resource_group.is_some() => (Some(arm_type::RESOURCE_GROUPS), None, &[]),
            None => (Some(arm_type::SUBSCRIPTIONS), None, &[]),
            Some(ns) => match inner.extension {
                Some((ext_ns, start)) => (None, Some(ext_ns), &inner.chain[start..]),
                None => (None, Some(ns), &inner.chain[..]),
            },
        };
        let fixed = fixed.map(|f| if lower { lower_fixed(f) } else { f });
        fixed.into_iter().chain(namespace.map(at)).chain(chain.iter().flat_map(move |(ty, _)| ["/", at(*ty)]))
    }

    /// The parent resource: a subnet's VNet, a record set's zone, a top-level resource's group.
    pub fn parent(&self) -> Option<ResourceId> {
        let inner = &self.0;
        let cut = if let Some((ty, _)) = inner.chain.last() {
            if inner.chain.len() > 1 {
                // The first type of an extension resource follows "/providers/{namespace}".
                match inner.extension {
                    Some((ns, start)) if start == inner.chain.len() - 1 => ns.0 as usize - "/providers/".len(),
                    _ => ty.0 as usize - 1,
                }
            } else {
                // A top-level resource's parent is its group (or subscription).
                let ns = inner.namespace?;
                ns.0 as usize - "/providers/".len()
            }
        } else if let Some(rg) = inner.resource_group {
            rg.0 as usize - "/resourceGroups/".len()
        } else {
            return None;
        };
        if cut == 0 {
            return None;
        }
        ResourceId::parse(&inner.original[..cut]).ok()
    }

    /// A child of this resource: `vnet.child("subnets", "a")`.
    pub fn child(&self, child_type: &str, name: &str) -> ResourceId {
        ResourceId::parse(&format!("{}/{}/{}", self.as_str(), child_type, name))
            .expect("a child of a valid id with a non-empty name is valid")
    }

    /// The resource-group id this resource lives in, if any.
    pub fn resource_group_id(&self) -> Option<ResourceId> {
        let rg = self.0.resource_group?;
        ResourceId::parse(&self.0.original[..rg.1 as usize]).ok()
    }

    /// Whether `self` is `ancestor` or lies below it (a subnet below its VNet, anything below its group).
    pub fn is_within(&self, ancestor: &ResourceId) -> bool {
        let (k, a) = (self.key(), ancestor.key());
        k == a || (k.starts_with(a) && k.as_bytes().get(a.len()) == Some(&b'/'))
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.key == other.0.key
    }
}
impl Eq for ResourceId {}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.key.hash(state)
    }
}

impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.key.cmp(&other.0.key)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceId({})", self.as_str())
    }
}

impl std::str::FromStr for ResourceId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceId::parse(s)
    }
}

impl serde::Serialize for ResourceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ResourceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResourceId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBNET: &str =
        "/subscriptions/sub1/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworks/Vnet1/subnets/snet-a";

    #[test]
    fn parses_a_child_resource() {
        let id = ResourceId::parse(SUBNET).unwrap();
        assert_eq!(id.subscription(), Some("sub1"));
        assert_eq!(id.resource_group(), Some("RG-Net"));
        assert_eq!(id.namespace(), Some("Microsoft.Network"));
        assert_eq!(id.resource_type(), "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(id.name(), "snet-a");
        assert_eq!(id.names().collect::<Vec<_>>(), ["Vnet1", "snet-a"]);
        let vnet = id.parent().unwrap();
        assert_eq!(
            vnet.as_str(),
            "/subscriptions/sub1/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworks/Vnet1"
        );
        assert_eq!(vnet.parent().unwrap().as_str(), "/subscriptions/sub1/resourceGroups/RG-Net");
        assert_eq!(vnet.child("subnets", "snet-a"), id);
        assert!(id.is_within(&vnet));
        assert!(!vnet.is_within(&id));
    }

    #[test]
    fn identity_ignores_case_but_display_keeps_it() {
        let a = ResourceId::parse(SUBNET).unwrap();
        let b = ResourceId::parse(&SUBNET.to_lowercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), SUBNET);
        assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn extension_resources_keep_their_namespace_in_the_type() {
        let id = ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/providers/Microsoft.Insights/diagnosticSettings/d").unwrap();
        assert_eq!(id.resource_type(), "Microsoft.Insights/diagnosticSettings");
        assert_eq!(
            id.parent().unwrap().as_str(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app"
        );
    }

    #[test]
    fn type_questions_agree_with_the_resource_type() {
        let ids = [
            SUBNET,
            "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Web/sites/app/providers/Microsoft.Insights/diagnosticSettings/d",
            "/subscriptions/s/resourceGroups/RG",
            "/subscriptions/s",
        ];
        for text in ids {
            let id = ResourceId::parse(text).unwrap();
            let ty = id.resource_type();
            assert_eq!(id.type_key(), ty.to_ascii_lowercase(), "{text}");
            assert!(id.is_type(&ty) && id.is_type(&ty.to_ascii_uppercase()), "{text}");
            for wrong in [format!("{ty}x"), ty[..ty.len() - 1].to_string(), format!("{ty}/"), String::new()] {
                assert!(!id.is_type(&wrong), "{text} is not {wrong}");
            }
        }
        assert_eq!(
            ResourceId::parse("/subscriptions/s/resourceGroups/RG").unwrap().type_key(),
            "microsoft.resources/resourcegroups"
        );
    }

    #[test]
    fn rejects_what_is_not_an_id() {
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions",
            "/subscriptions/s/resourceGroups",
            "/subscriptions/s//x",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
            "/foo/bar",
        ] {
            let e = ResourceId::parse(bad).unwrap_err();
            assert!(!e.reason.is_empty(), "{bad}");
        }
    }
}
