//! Azure Firewall and firewall policies, as far as DNS goes: the firewall's private address (where
//! its DNS proxy listens), its VNet, and the DNS proxy settings of the firewall and of its policy
//! (azure-semantics §12). What those settings add up to is the engine's to say
//! (`privlink_engine::dns::firewall`).

use crate::network::Meta;
use crate::ResourceId;
use serde::Serialize;
use std::net::IpAddr;

/// `Microsoft.Network/azureFirewalls`.
#[derive(Clone, Debug, Serialize)]
pub struct AzureFirewall {
    pub meta: Meta,
    /// `ipConfigurations[].properties.privateIPAddress`, then `hubIPAddresses.privateIPAddress`
    /// (a secured virtual hub's firewall): where clients send DNS queries (§12.2, §12.4).
    pub private_ips: Vec<IpAddr>,
    /// The subnets of `ipConfigurations` (`AzureFirewallSubnet`), in order.
    pub subnets: Vec<ResourceId>,
    /// `virtualHub`: set for a firewall in a secured virtual hub (no VNet of its own).
    pub virtual_hub: Option<ResourceId>,
    /// `firewallPolicy`: when set, the policy's DNS settings apply instead of the firewall's own (§12.1).
    pub policy: Option<ResourceId>,
    /// Classic `additionalProperties["Network.DNS.EnableProxy"]`: `true` when the value is the
    /// string `true` in any case, `false` otherwise or when absent (§12.1).
    pub classic_dns_proxy: bool,
    /// Classic `additionalProperties["Network.DNS.Servers"]`, the comma-joined list split.
    pub classic_dns_servers: Vec<IpAddr>,
    /// `sku.name` (`AZFW_VNet`, `AZFW_Hub`).
    pub sku_name: Option<String>,
}

impl AzureFirewall {
    /// The VNet of the firewall's `AzureFirewallSubnet`: the VNet its DNS proxy asks Azure DNS from.
    pub fn vnet(&self) -> Option<ResourceId> {
        self.subnets.first().and_then(ResourceId::parent)
    }
}

/// `Microsoft.Network/firewallPolicies`: the DNS settings, each `None` when the policy does not set
/// it (then it comes from `basePolicy`, or the default).
#[derive(Clone, Debug, Serialize)]
pub struct FirewallPolicy {
    pub meta: Meta,
    /// `dnsSettings.enableProxy`.
    pub dns_enable_proxy: Option<bool>,
    /// `dnsSettings.servers`.
    pub dns_servers: Option<Vec<IpAddr>>,
    /// `basePolicy`: the parent policy whose settings this one inherits.
    pub base_policy: Option<ResourceId>,
}
