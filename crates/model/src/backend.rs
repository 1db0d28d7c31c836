//! The services an app reaches through private endpoints: SQL, Redis, Key Vault, Cognitive
//! Services, storage, and any other resource that carries `privateEndpointConnections`.

use crate::access::AccessPolicy;
use crate::network::{ConnectionStatus, Meta};
use crate::ResourceId;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum BackendKind {
    SqlServer,
    Redis,
    KeyVault,
    CognitiveServices,
    Storage,
    /// Another type with private endpoint connections (Cosmos DB, PostgreSQL, a web app as a target …).
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum PublicNetworkAccess {
    Enabled,
    Disabled,
    SecuredByPerimeter,
    /// The document does not say; the service's default applies.
    Unset,
}

impl PublicNetworkAccess {
    pub fn parse(s: Option<&str>) -> PublicNetworkAccess {
        match s.map(|s| s.to_ascii_lowercase()) {
            None => PublicNetworkAccess::Unset,
            Some(s) if s == "enabled" => PublicNetworkAccess::Enabled,
            Some(s) if s == "disabled" => PublicNetworkAccess::Disabled,
            Some(s) if s == "securedbyperimeter" => PublicNetworkAccess::SecuredByPerimeter,
            Some(_) => PublicNetworkAccess::Unset,
        }
    }
}

/// `networkAcls` of Key Vault, Cognitive Services and storage.
#[derive(Clone, Debug, Default, Serialize)]
pub struct NetworkAcls {
    /// `Allow` or `Deny`.
    pub default_action: Option<String>,
    /// `AzureServices`, `None`, `Logging, Metrics` … split on commas.
    pub bypass: Vec<String>,
    pub ip_rules: Vec<String>,
    pub virtual_network_rules: Vec<ResourceId>,
}

impl NetworkAcls {
    pub fn denies_by_default(&self) -> bool {
        self.default_action.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("deny"))
    }

    pub fn bypasses_azure_services(&self) -> bool {
        self.bypass.iter().any(|b| b.eq_ignore_ascii_case("AzureServices"))
    }
}

/// A private endpoint connection as the *target* resource records it.
#[derive(Clone, Debug, Serialize)]
pub struct BackendConnection {
    pub id: Option<ResourceId>,
    pub name: String,
    pub private_endpoint: Option<ResourceId>,
    pub status: ConnectionStatus,
    pub group_ids: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FirewallRule {
    pub name: String,
    pub start: String,
    pub end: String,
}

/// A SQL server's virtual network rule: the child resource `Microsoft.Sql/servers/virtualNetworkRules`
/// (azure-semantics §5.2). It admits traffic from its subnet only once the subnet has the
/// `Microsoft.Sql` service endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SqlVirtualNetworkRule {
    pub id: ResourceId,
    pub name: String,
    /// `properties.virtualNetworkSubnetId`.
    pub subnet: ResourceId,
    /// `properties.ignoreMissingVnetServiceEndpoint`: the rule may exist before the subnet has the
    /// service endpoint (it admits nobody until then).
    pub ignore_missing_service_endpoint: bool,
}

/// One virtual network rule of a backend, wherever the backend writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VirtualNetworkRule<'a> {
    /// A SQL server's child rule.
    Sql(&'a SqlVirtualNetworkRule),
    /// An entry of `networkAcls.virtualNetworkRules` (Key Vault, Cognitive Services, Storage): the
    /// subnet it names.
    NetworkAcls(&'a ResourceId),
}

impl<'a> VirtualNetworkRule<'a> {
    /// The subnet the rule admits.
    pub fn subnet(&self) -> &'a ResourceId {
        match self {
            VirtualNetworkRule::Sql(r) => &r.subnet,
            VirtualNetworkRule::NetworkAcls(subnet) => subnet,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Backend {
    pub meta: Meta,
    pub kind: BackendKind,
    /// The ARM type as written, e.g. `Microsoft.Sql/servers`.
    pub resource_type: String,
    /// `kind` of the resource (Cognitive Services `OpenAI`, storage `StorageV2` …).
    pub resource_kind: Option<String>,
    pub public_network_access: PublicNetworkAccess,
    pub network_acls: Option<NetworkAcls>,
    pub firewall_rules: Vec<FirewallRule>,
    /// SQL `virtualNetworkRules` children, in name order.
    pub sql_virtual_network_rules: Vec<SqlVirtualNetworkRule>,
    pub connections: Vec<BackendConnection>,
    /// Host names the resource declares (`fullyQualifiedDomainName`, `hostName`, `vaultUri` host, `endpoint` host …).
    pub declared_hosts: Vec<String>,
    /// Cognitive Services `customSubDomainName`.
    pub custom_subdomain: Option<String>,
    /// SQL `connectionPolicy` where known (`Default`, `Proxy`, `Redirect`).
    pub sql_connection_policy: Option<String>,
    /// SQL Entra administrator login, if any.
    pub sql_entra_admin: Option<String>,
    /// The SQL Entra administrator's object id (`sid`): a user, a group or an application.
    pub sql_entra_admin_sid: Option<String>,
    /// `azureADOnlyAuthentication`: SQL logins refused, only Entra sign-in works.
    pub sql_entra_only: Option<bool>,
    /// Key Vault `enableRbacAuthorization` as written (`None`: the document does not say, which
    /// for an existing vault means access-policy mode).
    pub key_vault_rbac: Option<bool>,
    /// Key Vault `accessPolicies`.
    pub access_policies: Vec<AccessPolicy>,
    /// Redis `disableAccessKeyAuthentication`: only Entra sign-in works.
    pub redis_access_keys_disabled: Option<bool>,
    /// Redis `redisConfiguration.aad-enabled` (Entra authentication on).
    pub redis_entra_enabled: Option<bool>,
    /// Cognitive Services / storage `disableLocalAuth`: keys refused, only Entra tokens work.
    pub local_auth_disabled: Option<bool>,
    /// Redis `enableNonSslPort`.
    pub redis_non_ssl_port_enabled: bool,
    pub redis_ssl_port: Option<u16>,
    pub redis_port: Option<u16>,
}

impl Backend {
    pub fn approved_connections(&self) -> impl Iterator<Item = &BackendConnection> {
        self.connections.iter().filter(|c| c.status == ConnectionStatus::Approved)
    }

    /// Every virtual network rule of the backend: the SQL child rules, then the entries of
    /// `networkAcls.virtualNetworkRules`, in document order.
    pub fn virtual_network_rules(&self) -> impl Iterator<Item = VirtualNetworkRule<'_>> {
        let acls = self.network_acls.iter().flat_map(|a| a.virtual_network_rules.iter());
        self.sql_virtual_network_rules
            .iter()
            .map(VirtualNetworkRule::Sql)
            .chain(acls.map(VirtualNetworkRule::NetworkAcls))
    }

    /// The first virtual network rule of the backend that names `subnet`.
    pub fn virtual_network_rule_for(&self, subnet: &ResourceId) -> Option<VirtualNetworkRule<'_>> {
        self.virtual_network_rules().find(|r| r.subnet() == subnet)
    }
}
