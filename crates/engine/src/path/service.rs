//! §5: the service's own gate: the ports it listens on, public network access, its firewall and its
//! virtual network rules (which admit a subnet's service-endpoint traffic).

use super::{refusal, DecidedBy, FlowVerdict, TraceFlow};
use crate::catalog::{self, PortUsage};
use privlink_model::arm_type;
use privlink_model::{Backend, BackendKind, PublicNetworkAccess, ResourceId, Site, Subnet, VirtualNetworkRule};

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

/// The service endpoint of `subnet` that covers the public endpoint of a resource of
/// `resource_type`, if the subnet has it (§3.3; regions are not compared, [`super::assumptions`] A9).
pub fn service_endpoint_on(subnet: &Subnet, resource_type: &str) -> Option<&'static str> {
    catalog::service_endpoint_service(resource_type)
        .filter(|se| subnet.service_endpoints.iter().any(|x| x.eq_ignore_ascii_case(se)))
}

/// The virtual network rule of `backend` that admits traffic from `subnet`: a rule naming the
/// subnet, the subnet's service endpoint for the backend (without it the traffic arrives from a
/// public address, not the subnet), and public network access that is not disabled (service
/// endpoints reach the public endpoint; §5.1, §5.2). The backend's firewall must still deny by
/// default for the rule to be what admits (Key Vault, Cognitive Services, Storage).
pub fn admitting_virtual_network_rule<'b>(backend: &'b Backend, subnet: &Subnet) -> Option<VirtualNetworkRule<'b>> {
    if matches!(backend.public_network_access, PublicNetworkAccess::Disabled | PublicNetworkAccess::SecuredByPerimeter)
    {
        return None;
    }
    service_endpoint_on(subnet, &backend.resource_type)?;
    backend.virtual_network_rule_for(&subnet.meta.id)
}

/// Where the app's traffic comes from when it reaches a backend's public endpoint.
pub(super) struct Arrival<'a> {
    /// The app's integration subnet, when it is in the estate, whether or not the traffic left through it.
    pub subnet: Option<&'a Subnet>,
    /// Whether the traffic left through the integration subnet (route-all, or the service endpoint).
    pub through_vnet: bool,
}

/// What the service decides, and what decided: `decided_by` is the service itself unless set.
pub(super) struct GateDecision {
    pub verdict: FlowVerdict,
    pub decided_by: Option<DecidedBy>,
    pub detail: String,
    pub message: String,
}

fn decision(verdict: FlowVerdict, detail: String, message: impl Into<String>) -> GateDecision {
    GateDecision { verdict, decided_by: None, detail, message: message.into() }
}

/// The name a virtual network rule is shown under: the SQL rule's name, or the backend's list.
fn rule_name(rule: &VirtualNetworkRule) -> String {
    match rule {
        VirtualNetworkRule::Sql(r) => format!("virtual network rule {}", r.name),
        VirtualNetworkRule::NetworkAcls(_) => "networkAcls.virtualNetworkRules entry".into(),
    }
}

/// §5: the service's decision on traffic that reaches its public endpoint. Through the app's
/// integration subnet with the service's endpoint the traffic carries the subnet's private
/// addresses, which virtual network rules match and IP rules (public addresses) do not (Learn
/// "Virtual Network service endpoints"); otherwise it comes from a public address, the app's
/// outbound address, which is not in the model, so rules that depend on it give `unknown`.
pub(super) fn public_gate(backend: &Backend, arrival: &Arrival) -> GateDecision {
    let name = &backend.meta.name;
    // The subnet whose identity the traffic carries, and the endpoint that gives it.
    let identity = arrival.subnet.and_then(|s| service_endpoint_on(s, &backend.resource_type).map(|se| (s, se)));
    let rule_for_subnet = arrival.subnet.and_then(|s| backend.virtual_network_rule_for(&s.meta.id));
    // A rule that names the app's subnet but cannot match it: the subnet lacks the endpoint.
    let unmatched = match (identity, arrival.subnet, rule_for_subnet) {
        (None, Some(subnet), Some(rule)) => Some((subnet, rule)),
        _ => None,
    };
    let missing_endpoint = unmatched.map(|(subnet, rule)| {
        let endpoint = catalog::service_endpoint_service(&backend.resource_type).unwrap_or("service");
        format!(
            "; its {} for subnet {} does not match: {} has no {endpoint} service endpoint, so the traffic {} reaches the public endpoint from a public address, without the subnet's identity",
            rule_name(&rule),
            subnet.meta.id,
            subnet.meta.name,
            if arrival.through_vnet {
                "enters the VNet (route-all) but"
            } else {
                "leaves from the App Service platform (route-all is off) and"
            }
        )
    });
    // A denial the missing endpoint explains is the subnet's to fix.
    let by_missing_endpoint = |mut d: GateDecision| {
        if let (Some((subnet, _)), FlowVerdict::Denied) = (unmatched, d.verdict) {
            d.decided_by = Some(DecidedBy::new("subnet", &subnet.meta.id));
        }
        d
    };
    let missing = missing_endpoint.as_deref().unwrap_or("");
    let trusted_note = if backend.network_acls.as_ref().is_some_and(|a| a.bypasses_azure_services()) {
        " (bypass AzureServices does not help: App Service is not a trusted service for app traffic, https://learn.microsoft.com/azure/key-vault/general/network-security)"
    } else {
        ""
    };
    match backend.public_network_access {
        PublicNetworkAccess::SecuredByPerimeter => {
            return decision(
                FlowVerdict::Unknown,
                format!("{name} is secured by a network security perimeter, which is not modelled"),
                "unknown: network security perimeter rules are not modelled",
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
            let ignored = match (identity, rule_for_subnet) {
                (Some((subnet, se)), Some(rule)) => format!(
                    "; its {} for subnet {} is ignored: traffic through the {se} service endpoint still arrives at the public endpoint",
                    rule_name(&rule),
                    subnet.meta.name
                ),
                _ => String::new(),
            };
            return decision(
                FlowVerdict::Denied,
                format!("{name} has publicNetworkAccess Disabled and the connection arrives at its public endpoint{ignored}{trusted_note}"),
                message,
            );
        }
        // Unset: every modelled service defaults to Enabled (Redis: the ARM description's default;
        // its private-link page says Disabled — §5.3 [DISCREPANCY]).
        PublicNetworkAccess::Enabled | PublicNetworkAccess::Unset => {}
    }
    let source = "the app's public outbound address (not in the model)";
    let connected = |d: String| decision(FlowVerdict::Allowed, d, format!("connected to {name}'s public endpoint"));
    // Admitted by a virtual network rule: the rule decides.
    let admitted = |subnet: &Subnet, se: &str, rule: VirtualNetworkRule, detail: String| GateDecision {
        verdict: FlowVerdict::Allowed,
        decided_by: Some(match rule {
            VirtualNetworkRule::Sql(r) => DecidedBy::new("virtual-network-rule", &r.id),
            VirtualNetworkRule::NetworkAcls(_) => DecidedBy::new("virtual-network-rule", &backend.meta.id),
        }),
        detail,
        message: format!(
            "connected to {name}'s public endpoint from subnet {} through its {se} service endpoint",
            subnet.meta.name
        ),
    };
    let allows_azure = backend.firewall_rules.iter().any(|r| r.start == "0.0.0.0" && r.end == "0.0.0.0");
    match backend.kind {
        BackendKind::SqlServer => {
            if let Some((subnet, se)) = identity {
                if let Some(rule @ VirtualNetworkRule::Sql(r)) = rule_for_subnet {
                    let detail = format!(
                        "{name}'s virtual network rule {} admits subnet {} through its {se} service endpoint",
                        r.name, subnet.meta.id
                    );
                    return admitted(subnet, se, rule, detail);
                }
                if allows_azure {
                    return connected(format!("{name} allows Azure services (firewall rule 0.0.0.0–0.0.0.0), which admits every Azure subnet, {} and its {se} service endpoint included", subnet.meta.name));
                }
                return decision(
                    FlowVerdict::Denied,
                    format!(
                        "{} reaches {name} through its {se} service endpoint, with the subnet's private addresses: no virtual network rule of {name} names the subnet, and IP firewall rules (public addresses) do not match service-endpoint traffic",
                        subnet.meta.id
                    ),
                    refusal::SQL_VIRTUAL_NETWORK_RULE.replace("{server}", name),
                );
            }
            if allows_azure {
                connected(format!("{name} allows Azure services (firewall rule 0.0.0.0–0.0.0.0), which includes App Service outbound addresses"))
            } else if backend.firewall_rules.is_empty() {
                by_missing_endpoint(decision(
                    FlowVerdict::Denied,
                    format!("{name} has public access enabled but no firewall rule admits {source}{missing}"),
                    refusal::SQL_FIREWALL.replace("{server}", name).replace("{ip}", "<app outbound IP>"),
                ))
            } else {
                decision(
                    FlowVerdict::Unknown,
                    format!(
                        "{name} admits only its firewall rules' ranges; whether they hold {source} is unknown{missing}"
                    ),
                    "unknown: depends on the app's outbound IP addresses",
                )
            }
        }
        BackendKind::KeyVault | BackendKind::CognitiveServices | BackendKind::Storage => {
            let Some(acls) = backend.network_acls.as_ref().filter(|a| a.denies_by_default()) else {
                return connected(format!("{name} has public access enabled and its firewall allows by default"));
            };
            let message = match backend.kind {
                BackendKind::KeyVault => refusal::KEY_VAULT_FIREWALL,
                BackendKind::CognitiveServices => refusal::COGNITIVE_FIREWALL,
                _ => refusal::STORAGE_DENIED,
            };
            if let Some((subnet, se)) = identity {
                if let Some(rule) = rule_for_subnet {
                    let detail = format!(
                        "{name}'s networkAcls.virtualNetworkRules admit subnet {} through its {se} service endpoint",
                        subnet.meta.id
                    );
                    return admitted(subnet, se, rule, detail);
                }
                return decision(
                    FlowVerdict::Denied,
                    format!(
                        "{} reaches {name} through its {se} service endpoint, with the subnet's private addresses: {name}'s firewall denies by default, no virtual network rule names the subnet, and IP rules (public addresses) do not match service-endpoint traffic{trusted_note}",
                        subnet.meta.id
                    ),
                    message,
                );
            }
            if !acls.ip_rules.is_empty() {
                return decision(
                    FlowVerdict::Unknown,
                    format!("{name}'s firewall denies by default; whether its IP rules hold {source} is unknown{missing}{trusted_note}"),
                    "unknown: depends on the app's outbound IP addresses",
                );
            }
            by_missing_endpoint(decision(
                FlowVerdict::Denied,
                format!("{name}'s firewall denies by default and no rule admits the app{missing}{trusted_note}"),
                message,
            ))
        }
        BackendKind::Redis => {
            if backend.firewall_rules.is_empty() {
                connected(format!("{name} has public access enabled and no firewall rules"))
            } else {
                decision(
                    FlowVerdict::Unknown,
                    format!("{name} admits only its firewall rules' ranges; whether they hold {source} is unknown"),
                    "unknown: depends on the app's outbound IP addresses",
                )
            }
        }
        BackendKind::Other(_) => connected(format!("{name} has public access enabled")),
    }
}

/// §3.5: an App Service app reached on its public endpoint. `publicNetworkAccess` `Disabled`
/// answers HTTP 403; otherwise the request arrives, and the app's access restrictions
/// (`ipSecurityRestrictions`) decide, which privlink does not model (assumptions A10).
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
            "app {name}{itself} accepts public requests (its access restrictions are not modelled, assumptions A10)"
        ),
        format!("connected to {name}'s public endpoint"),
    )
}
