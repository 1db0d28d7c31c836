//! App Service: plans, sites (apps) and their configuration documents.

use crate::network::Meta;
use crate::ResourceId;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct AppServicePlan {
    pub meta: Meta,
    pub sku_name: Option<String>,
    pub sku_tier: Option<String>,
    pub kind: Option<String>,
    /// `reserved: true` means a Linux plan.
    pub is_linux: bool,
}

/// `outboundVnetRouting` (azure-semantics §3.1); `None` where the document does not say.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OutboundVnetRouting {
    pub all_traffic: Option<bool>,
    pub application_traffic: Option<bool>,
    pub content_share_traffic: Option<bool>,
    pub image_pull_traffic: Option<bool>,
    pub backup_restore_traffic: Option<bool>,
    pub managed_identity_traffic: Option<bool>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ManagedIdentity {
    /// `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned` or `None`.
    pub kind: String,
    pub principal_id: Option<String>,
    pub tenant_id: Option<String>,
    pub user_assigned: Vec<ResourceId>,
    /// Each user-assigned identity's `principalId` as the site's document shows it.
    pub user_assigned_principals: BTreeMap<ResourceId, Option<String>>,
    /// Each user-assigned identity's `clientId` as the site's document shows it.
    pub user_assigned_clients: BTreeMap<ResourceId, Option<String>>,
}

impl ManagedIdentity {
    pub fn has_system_assigned(&self) -> bool {
        self.kind.to_ascii_lowercase().contains("systemassigned")
    }
}

/// A value with the document that set it, so explanations can name the setting.
#[derive(Clone, Debug, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    /// The resource that carries the setting (the site, or its `config/web` / `config/appsettings`).
    pub source: ResourceId,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConnectionString {
    pub value: String,
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub meta: Meta,
    pub kind: Option<String>,
    pub plan: Option<ResourceId>,
    /// `virtualNetworkSubnetId`, or the subnet of a swift `virtualNetworkConnections` entry.
    pub integration_subnet: Option<Sourced<ResourceId>>,
    /// `vnetRouteAllEnabled` from the site or its `config/web`.
    pub vnet_route_all_enabled: Option<Sourced<bool>>,
    pub outbound_vnet_routing: OutboundVnetRouting,
    /// `dnsConfiguration.dnsServers`.
    pub dns_servers: Vec<String>,
    /// `dnsConfiguration.dnsAltServer`.
    pub dns_alt_server: Option<String>,
    pub https_only: Option<bool>,
    pub public_network_access: Option<String>,
    pub identity: ManagedIdentity,
    pub key_vault_reference_identity: Option<String>,
    pub default_host_name: Option<String>,
    pub host_names: Vec<String>,
    /// App settings merged from `config/appsettings` (and `siteConfig.appSettings`).
    pub app_settings: BTreeMap<String, String>,
    /// The document the app settings came from.
    pub app_settings_source: Option<ResourceId>,
    pub connection_strings: BTreeMap<String, ConnectionString>,
    /// The `config/web` document, if any.
    pub web_config_source: Option<ResourceId>,
}

impl Site {
    /// Linux per the site's kind (`app,linux`, `functionapp,linux`, …).
    pub fn is_linux(&self) -> bool {
        self.kind.as_deref().is_some_and(|k| k.to_ascii_lowercase().contains("linux"))
    }

    /// An app setting, case-insensitively (App Service setting names are case-insensitive on Windows
    /// and upper-cased into the environment on Linux).
    pub fn app_setting(&self, name: &str) -> Option<&str> {
        self.app_settings.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
