//! §5: the service's own gate: the ports it listens on, public network access and its firewall.

use super::{refusal, FlowVerdict, TraceFlow};
use crate::catalog::{self, PortUsage};
use privlink_model::arm_type;
use privlink_model::{Backend, BackendKind, PublicNetworkAccess, ResourceId, Site, Subnet};

impl TraceFlow<'_> {
    /// `Some((detail, message))` when the service does not listen on the port (§5, catalog ports).
    pub(super) fn port_refusal(
        &self,
        target: &ResourceId,
        backend: Option<&Backend>,
        group_ids: &[String],
        via_pe: bool,
    ) -> Option<(String, String)> {
        let ty = backend.map_or_else(|| target.resource_type(), |b| b.resource_type.clone());
        let entries: Vec<&catalog::ServiceEntry> = if group_ids.is_empty() {
            catalog::entries_for_type(&ty).collect()
        } else {
            group_ids.iter().flat_map(|g| catalog::entries_for(&ty, g)).collect()
        };
        if entries.is_empty() {
            return None; // the catalog has no ports for this type: nothing to judge
        }
        let policy = backend.and_then(|b| b.sql_connection_policy.as_deref()).unwrap_or("Default");
        let redirect = policy.eq_ignore_ascii_case("Redirect");
        let mut closed_because = None;
        for p in entries.iter().flat_map(|e| e.ports).filter(|p| p.contains(self.port)) {
            let open = match p.usage {
                PortUsage::Default | PortUsage::AlternateProtocol | PortUsage::DirectMode => true,
                PortUsage::NonTls => backend.is_some_and(|b| b.redis_non_ssl_port_enabled),
                // S-SQLCONN: `Default` means Redirect for clients inside Azure (assumptions A3).
                PortUsage::Redirect => !via_pe && (redirect || policy.eq_ignore_ascii_case("Default")),
                // Through a private endpoint `Default` behaves as Proxy (§5.2).
                PortUsage::PrivateEndpointRedirect => via_pe && redirect,
            };
            if open {
                return None;
            }
            closed_because.get_or_insert(p.usage);
        }
        let service = entries[0].service;
        let redis = backend.is_some_and(|b| b.kind == BackendKind::Redis) || ty.eq_ignore_ascii_case(arm_type::REDIS);
        let (detail, message) = match closed_because {
            Some(PortUsage::NonTls) if redis => (
                format!(
                    "{} does not listen on {}: enableNonSslPort is false, only TLS on 6380",
                    target.name(),
                    self.port
                ),
                refusal::REDIS_NON_TLS_PORT_DISABLED.to_string(),
            ),
            Some(PortUsage::Redirect) | Some(PortUsage::PrivateEndpointRedirect) => (
                format!(
                    "{} uses port {} only under the Redirect connection policy; its policy is {policy}",
                    target.name(),
                    self.port
                ),
                refusal::PORT_NOT_SERVED.to_string(),
            ),
            _ => {
                let ports: Vec<String> =
                    entries.iter().flat_map(|e| e.default_ports()).map(|p| p.first.to_string()).collect();
                (
                    format!("{service} does not listen on port {}; it serves {}", self.port, ports.join(", ")),
                    refusal::PORT_NOT_SERVED.to_string(),
                )
            }
        };
        Some((detail, message))
    }
}

/// §5: the service's decision on traffic from a public address. The app's public outbound address is
/// not in the model, so rules that depend on it give `unknown`. `via_subnet` is the integration subnet
/// when the traffic left through the VNet (service endpoints and virtual-network rules then apply).
pub(super) fn public_gate(backend: &Backend, via_subnet: Option<&Subnet>) -> (FlowVerdict, String, String) {
    let name = &backend.meta.name;
    let service_endpoint_rule = |b: &Backend| {
        let (Some(subnet), Some(acls)) = (via_subnet, &b.network_acls) else { return false };
        let endpoint = catalog::service_endpoint_service(&b.resource_type);
        endpoint.is_some_and(|se| subnet.service_endpoints.iter().any(|x| x.eq_ignore_ascii_case(se)))
            && acls.virtual_network_rules.contains(&subnet.meta.id)
    };
    let trusted_note = if backend.network_acls.as_ref().is_some_and(|a| a.bypasses_azure_services()) {
        " (bypass AzureServices does not help: App Service is not a trusted service for app traffic, §5.1)"
    } else {
        ""
    };
    match backend.public_network_access {
        PublicNetworkAccess::SecuredByPerimeter => {
            return (
                FlowVerdict::Unknown,
                format!("{name} is secured by a network security perimeter, which is not modelled"),
                "unknown: network security perimeter rules are not modelled".into(),
            );
        }
        PublicNetworkAccess::Disabled => {
            let message = match backend.kind {
                BackendKind::SqlServer => refusal::SQL_PUBLIC_ACCESS_DISABLED,
                BackendKind::KeyVault => refusal::KEY_VAULT_PUBLIC_ACCESS_DISABLED,
                BackendKind::CognitiveServices => refusal::COGNITIVE_PUBLIC_ACCESS_DISABLED,
                BackendKind::Redis => refusal::REDIS_PUBLIC_ACCESS_DISABLED,
                BackendKind::Storage => refusal::STORAGE_DENIED,
                BackendKind::Other(_) => refusal::GENERIC_PUBLIC_ACCESS_DISABLED,
            };
            return (FlowVerdict::Denied, format!("{name} has publicNetworkAccess Disabled and the connection arrives at its public endpoint{trusted_note}"), message.into());
        }
        // Unset: every modelled service defaults to Enabled (Redis: the ARM description's default;
        // its private-link page says Disabled — §5.3 [DISCREPANCY]).
        PublicNetworkAccess::Enabled | PublicNetworkAccess::Unset => {}
    }
    let source = "the app's public outbound address (not in the model)";
    match backend.kind {
        BackendKind::SqlServer => {
            if backend.firewall_rules.iter().any(|r| r.start == "0.0.0.0" && r.end == "0.0.0.0") {
                (FlowVerdict::Allowed, format!("{name} allows Azure services (firewall rule 0.0.0.0–0.0.0.0), which includes App Service outbound addresses"), format!("connected to {name}'s public endpoint"))
            } else if backend.firewall_rules.is_empty() {
                (
                    FlowVerdict::Denied,
                    format!("{name} has public access enabled but no firewall rule admits {source}"),
                    refusal::SQL_FIREWALL.replace("{server}", name).replace("{ip}", "<app outbound IP>"),
                )
            } else {
                (
                    FlowVerdict::Unknown,
                    format!("{name} admits only its firewall rules' ranges; whether they hold {source} is unknown"),
                    "unknown: depends on the app's outbound IP addresses".into(),
                )
            }
        }
        BackendKind::KeyVault | BackendKind::CognitiveServices | BackendKind::Storage => {
            let Some(acls) = backend.network_acls.as_ref().filter(|a| a.denies_by_default()) else {
                return (
                    FlowVerdict::Allowed,
                    format!("{name} has public access enabled and its firewall allows by default"),
                    format!("connected to {name}'s public endpoint"),
                );
            };
            if service_endpoint_rule(backend) {
                return (
                    FlowVerdict::Allowed,
                    format!("{name}'s virtual network rules admit the integration subnet through its service endpoint"),
                    format!("connected to {name}'s public endpoint"),
                );
            }
            if !acls.ip_rules.is_empty() {
                return (FlowVerdict::Unknown, format!("{name}'s firewall denies by default; whether its IP rules hold {source} is unknown{trusted_note}"), "unknown: depends on the app's outbound IP addresses".into());
            }
            let message = match backend.kind {
                BackendKind::KeyVault => refusal::KEY_VAULT_FIREWALL,
                BackendKind::CognitiveServices => refusal::COGNITIVE_FIREWALL,
                _ => refusal::STORAGE_DENIED,
            };
            (
                FlowVerdict::Denied,
                format!("{name}'s firewall denies by default and no rule admits the app{trusted_note}"),
                message.into(),
            )
        }
        BackendKind::Redis => {
            if backend.firewall_rules.is_empty() {
                (
                    FlowVerdict::Allowed,
                    format!("{name} has public access enabled and no firewall rules"),
                    format!("connected to {name}'s public endpoint"),
                )
            } else {
                (
                    FlowVerdict::Unknown,
                    format!("{name} admits only its firewall rules' ranges; whether they hold {source} is unknown"),
                    "unknown: depends on the app's outbound IP addresses".into(),
                )
            }
        }
        BackendKind::Other(_) => (
            FlowVerdict::Allowed,
            format!("{name} has public access enabled"),
            format!("connected to {name}'s public endpoint"),
        ),
    }
}

/// §3.5: an App Service app reached on its public endpoint. `publicNetworkAccess` `Disabled`
/// answers HTTP 403; otherwise the request arrives, and the app's access restrictions
/// (`ipSecurityRestrictions`) decide, which privlink does not model (assumptions A8).
pub(super) fn site_public_gate(target: &Site, from: &ResourceId) -> (FlowVerdict, String, String) {
    let name = &target.meta.name;
    let itself = if target.meta.id == *from { " (the app calling itself)" } else { "" };
    if target.public_network_access.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("Disabled")) {
        return (
            FlowVerdict::Denied,
            format!(
                "app {name}{itself} has publicNetworkAccess Disabled and the request arrives at its public endpoint"
            ),
            refusal::APP_SERVICE_PUBLIC_ACCESS_DISABLED.into(),
        );
    }
    (
        FlowVerdict::Allowed,
        format!(
            "app {name}{itself} accepts public requests (its access restrictions are not modelled, assumptions A8)"
        ),
        format!("connected to {name}'s public endpoint"),
    )
}
