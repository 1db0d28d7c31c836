//! The service catalog: one table of Azure's per-service private-link facts.
//!
//! For each service that can sit behind a private endpoint the table says which resource type
//! offers which private-link group ids (sub-resources), the `privatelink.` zone(s) the endpoint's
//! A records belong in, the public DNS suffix(es) the customer-visible name lives under, the TCP
//! ports the service listens on, its public service tag and its Entra token audience.
//!
//! Names differ per cloud (`vault.azure.net` vs `vault.usgovcloudapi.net`), so every DNS fact and
//! audience is looked up through a [`Cloud`]. Only [`Cloud::Public`] is populated today.
//!
//! A few zones and suffixes contain a value that varies per resource, written as a placeholder
//! label: `{region}`, `{dnsPrefix}` (SQL managed instance `dnsZone`) and `{partitionId}` (Static
//! Web Apps). When matching names a placeholder stands for exactly one label, never the label
//! `privatelink` (so `x.privatelink.database.windows.net` cannot pass for a managed-instance name).
//!
//! The facts live in one submodule per table, each citing the Learn page it comes from: the
//! private-link services (`table`), App Service plan tiers (`app_service`), virtual-network facts
//! (service endpoints, inline children, the platform addresses: `network`), private DNS limits
//! (`private_dns`), the backend kinds privlink types (`backend`), the REST api-versions each
//! type is read with (`api_versions`) and the registered provider namespaces and modelled child
//! types ARM accepts writes to (`providers`). `fqdn` matches host names
//! against the service table; `names` derives a resource's names from it.

mod api_versions;
mod app_environment;
mod app_service;
mod backend;
mod fqdn;
mod names;
mod network;
mod private_dns;
mod providers;
mod roles;
mod table;

pub use api_versions::{api_version, RESOURCE_MANAGER_API_VERSION};
pub use app_environment::{
    connection_string_prefix, APP_SETTING_PREFIX, CUSTOM_CONNECTION_STRING_PREFIX, DOCUMENTED_IDENTITY_ENDPOINT,
    HOME_LINUX, HOME_WINDOWS, SETTINGS_KEPT_FROM_CONTAINER,
};
pub use app_service::{
    app_service_plan_tiers, app_service_tier_without_networking, PlanTier, INTEGRATION_DELEGATION,
    KEY_VAULT_REFERENCE_PREFIX,
};
pub use backend::{backend_kind, is_private_link_type};
pub use fqdn::{
    entries_for_zone, group_ids_for_zone, is_privatelink_zone, lookup_fqdn, lookup_fqdn_all, privatelink_alias,
    FqdnMatch, ZoneKind,
};
pub use names::{customer_fqdns, private_zone_names, NameHints};
pub use network::{inline_children_of, service_endpoint_service, InlineChildren, AZURE_HOST_IP, IMDS_IP};
pub use private_dns::{MAX_LINKS_PER_ZONE, MAX_RECORD_SETS_PER_ZONE, MAX_REGISTRATION_LINKS_PER_ZONE};
pub use providers::{is_known_child_type, is_known_namespace};
pub use roles::{
    built_in_role, built_in_role_named, data_access, DataAccess, RoleDefinition, BUILT_IN_ROLES,
    COGNITIVE_SERVICES_CALL, KEY_VAULT_SECRET_PERMISSIONS, KEY_VAULT_SECRET_READ, OPENAI_INFERENCE,
    REDIS_BUILT_IN_ACCESS_POLICIES, STORAGE_BLOB_READ,
};
use table::CATALOG;

/// An Azure cloud (partition). DNS suffixes and audiences are looked up through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Cloud {
    /// Azure public cloud (`AzureCloud`).
    Public,
}

/// When a listed port is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortUsage {
    /// Clients use this port in the service's default configuration.
    Default,
    /// Only when the resource enables its plain-text port (Redis `enableNonSslPort: true`).
    NonTls,
    /// Only under Azure SQL's `Redirect` connection policy over the public endpoint: after the
    /// gateway on 1433 the client connects to the database node directly on a port in this range.
    Redirect,
    /// As `Redirect`, but for clients connecting through a private endpoint, where the redirected
    /// connection may use any port in this range (§5.2).
    PrivateEndpointRedirect,
    /// A second protocol the service also offers (AMQP without TLS, Kafka, PgBouncer, SMB, HTTP).
    AlternateProtocol,
    /// Cosmos DB SDKs in direct (TCP) connectivity mode instead of the gateway on 443.
    DirectMode,
}

/// A TCP port or inclusive port range a service listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServicePort {
    pub first: u16,
    pub last: u16,
    pub usage: PortUsage,
}

impl ServicePort {
    const fn default(port: u16) -> ServicePort {
        ServicePort { first: port, last: port, usage: PortUsage::Default }
    }

    const fn only(port: u16, usage: PortUsage) -> ServicePort {
        ServicePort { first: port, last: port, usage }
    }

    const fn range(first: u16, last: u16, usage: PortUsage) -> ServicePort {
        ServicePort { first, last, usage }
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

/// What the left-most label of the customer-visible host name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostLabel {
    /// The resource's name (`kv1` of `kv1.vault.azure.net`).
    ResourceName,
    /// The account's `customSubDomainName` (Cognitive Services).
    CustomSubDomain,
    /// Host names are generated or regional and cannot be derived from the resource name alone
    /// (Azure Monitor scopes, Event Grid `{topic}.{region}-1`, Static Web Apps).
    NotNameBased,
}

/// The DNS names and audience of a service in one cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudNames {
    pub cloud: Cloud,
    /// The `privatelink.` zones a private endpoint's A records belong in. Zone groups only write
    /// records into zones named exactly like this.
    pub private_zones: &'static [&'static str],
    /// The public zones the customer-visible names live under (`vault.azure.net`).
    pub public_suffixes: &'static [&'static str],
    /// Further public zones a custom DNS server must forward to Azure DNS besides
    /// `public_suffixes`, because the public CNAME chain passes through them (`vaultcore.azure.net`).
    pub extra_forwarder_zones: &'static [&'static str],
    /// The Entra ID resource / audience a token for the data plane is requested for.
    pub entra_audience: Option<&'static str>,
}

impl CloudNames {
    const fn public(private_zones: &'static [&'static str], public_suffixes: &'static [&'static str]) -> CloudNames {
        CloudNames {
            cloud: Cloud::Public,
            private_zones,
            public_suffixes,
            extra_forwarder_zones: &[],
            entra_audience: None,
        }
    }

    const fn audience(mut self, audience: &'static str) -> CloudNames {
        self.entra_audience = Some(audience);
        self
    }

    const fn forwarders(mut self, zones: &'static [&'static str]) -> CloudNames {
        self.extra_forwarder_zones = zones;
        self
    }
}

/// One row of the catalog: a resource type and the group ids that share the same DNS names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The service as Learn names it.
    pub service: &'static str,
    /// ARM resource type, e.g. `Microsoft.KeyVault/vaults` (compare case-insensitively).
    pub resource_type: &'static str,
    /// Private-link group ids (sub-resources). `sites-{slotName}` stands for every slot.
    pub group_ids: &'static [&'static str],
    pub host: HostLabel,
    pub ports: &'static [ServicePort],
    /// Service tag covering the service's public endpoints, for NSG rules.
    pub service_tag: Option<&'static str>,
    names: &'static [CloudNames],
}

impl ServiceEntry {
    /// The entry's names in `cloud`, if the catalog knows them there.
    pub fn names(&self, cloud: Cloud) -> Option<&'static CloudNames> {
        self.names.iter().find(|n| n.cloud == cloud)
    }

    pub fn private_zones(&self, cloud: Cloud) -> &'static [&'static str] {
        self.names(cloud).map_or(&[], |n| n.private_zones)
    }

    pub fn public_suffixes(&self, cloud: Cloud) -> &'static [&'static str] {
        self.names(cloud).map_or(&[], |n| n.public_suffixes)
    }

    /// Every public zone a conditional forwarder must send to Azure DNS for this service.
    pub fn forwarder_zones(&self, cloud: Cloud) -> Vec<&'static str> {
        self.names(cloud)
            .map_or_else(Vec::new, |n| n.public_suffixes.iter().chain(n.extra_forwarder_zones).copied().collect())
    }

    pub fn entra_audience(&self, cloud: Cloud) -> Option<&'static str> {
        self.names(cloud).and_then(|n| n.entra_audience)
    }

    /// Whether `group_id` is one of this entry's group ids (case-insensitive; `sites-{slotName}`
    /// matches any `sites-<slot>`).
    pub fn serves_group(&self, group_id: &str) -> bool {
        self.group_ids.iter().any(|pattern| group_matches(pattern, group_id))
    }

    pub fn is_type(&self, resource_type: &str) -> bool {
        self.resource_type.eq_ignore_ascii_case(resource_type)
    }

    /// Ports clients use in the default configuration.
    pub fn default_ports(&self) -> impl Iterator<Item = &'static ServicePort> {
        self.ports.iter().filter(|p| p.usage == PortUsage::Default)
    }
}

/// Every row of the catalog, in table order.
pub fn catalog() -> &'static [ServiceEntry] {
    CATALOG
}

/// The entry for a resource type and group id (both case-insensitive). Where two rows share both
/// (`Microsoft.Cache/redisEnterprise`), the first is returned; see [`entries_for`].
pub fn lookup(resource_type: &str, group_id: &str) -> Option<&'static ServiceEntry> {
    entries_for(resource_type, group_id).next()
}

/// Every entry for a resource type and group id, in table order.
pub fn entries_for<'a>(resource_type: &'a str, group_id: &'a str) -> impl Iterator<Item = &'static ServiceEntry> + 'a {
    CATALOG.iter().filter(move |e| e.is_type(resource_type) && e.serves_group(group_id))
}

/// Every entry for a resource type (all its group ids), in table order.
pub fn entries_for_type(resource_type: &str) -> impl Iterator<Item = &'static ServiceEntry> + '_ {
    CATALOG.iter().filter(move |e| e.is_type(resource_type))
}

/// The `privatelink.` zone(s) for a resource type and group id, placeholders left in.
pub fn private_zones(cloud: Cloud, resource_type: &str, group_id: &str) -> &'static [&'static str] {
    lookup(resource_type, group_id).map_or(&[], |e| e.private_zones(cloud))
}

/// A group id pattern matches case-insensitively; a trailing `{placeholder}` stands for any
/// non-empty rest (`sites-{slotName}` ↔ `sites-staging`).
fn group_matches(pattern: &str, group_id: &str) -> bool {
    match pattern.split_once('{') {
        Some((prefix, _)) => {
            group_id.len() > prefix.len()
                && group_id.is_char_boundary(prefix.len())
                && group_id[..prefix.len()].eq_ignore_ascii_case(prefix)
        }
        None => pattern.eq_ignore_ascii_case(group_id),
    }
}

/// A `{placeholder}` label of a templated zone or suffix.
fn is_placeholder(label: &str) -> bool {
    label.starts_with('{') && label.ends_with('}')
}

#[cfg(test)]
mod tests;
