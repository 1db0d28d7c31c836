//! ARM ids of azurerm resources: the plan's `id` when it is known, else built from the resource's
//! name and parents as Azure names them (the provider's ids are these ARM ids).

use super::plan::Instance;
use super::Ctx;
use privlink_model::arm_type;

/// Resources in a resource group: azurerm type → ARM type.
const GROUP_RESOURCES: &[(&str, &str)] = &[
    ("azurerm_virtual_network", arm_type::VIRTUAL_NETWORKS),
    ("azurerm_network_security_group", arm_type::NETWORK_SECURITY_GROUPS),
    ("azurerm_route_table", arm_type::ROUTE_TABLES),
    ("azurerm_private_endpoint", arm_type::PRIVATE_ENDPOINTS),
    ("azurerm_private_dns_zone", arm_type::PRIVATE_DNS_ZONES),
    ("azurerm_private_dns_resolver", arm_type::DNS_RESOLVERS),
    ("azurerm_private_dns_resolver_dns_forwarding_ruleset", arm_type::DNS_FORWARDING_RULESETS),
    ("azurerm_service_plan", arm_type::SERVER_FARMS),
    ("azurerm_app_service_plan", arm_type::SERVER_FARMS),
    ("azurerm_linux_web_app", arm_type::SITES),
    ("azurerm_windows_web_app", arm_type::SITES),
    ("azurerm_linux_function_app", arm_type::SITES),
    ("azurerm_windows_function_app", arm_type::SITES),
    ("azurerm_mssql_server", arm_type::SQL_SERVERS),
    ("azurerm_redis_cache", arm_type::REDIS),
    ("azurerm_key_vault", arm_type::KEY_VAULTS),
    ("azurerm_cognitive_account", arm_type::COGNITIVE_SERVICES_ACCOUNTS),
    ("azurerm_storage_account", arm_type::STORAGE_ACCOUNTS),
    ("azurerm_firewall", arm_type::AZURE_FIREWALLS),
    ("azurerm_firewall_policy", arm_type::FIREWALL_POLICIES),
    ("azurerm_public_ip", arm_type::PUBLIC_IP_ADDRESSES),
    ("azurerm_user_assigned_identity", arm_type::USER_ASSIGNED_IDENTITIES),
    // Not mapped to documents, but private endpoints name them by id.
    ("azurerm_application_gateway", arm_type::APPLICATION_GATEWAYS),
    ("azurerm_private_link_service", arm_type::PRIVATE_LINK_SERVICES),
];

/// The ARM type an azurerm resource in a resource group maps to.
pub fn group_type(kind: &str) -> Option<&'static str> {
    GROUP_RESOURCES.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t)
}

/// Resources whose provider id is not the ARM id of the document privlink builds.
const ALWAYS_BUILT: &[&str] = &["azurerm_app_service_virtual_network_swift_connection"];

pub fn id_of(ctx: &Ctx, inst: &Instance) -> Option<String> {
    if !ALWAYS_BUILT.contains(&inst.kind) {
        if let Some(id) = inst.values.get("id").and_then(|v| v.as_str()).filter(|s| s.starts_with('/')) {
            return Some(id.to_string());
        }
    }
    let name = || ctx.known(inst, "name");
    let group = |rg_attr: &str| -> Option<String> {
        Some(format!("/subscriptions/{}/resourceGroups/{}", ctx.subscription, ctx.known(inst, rg_attr)?))
    };
    let in_group = |ty: &str, parent_attr: &str| -> Option<String> {
        Some(format!("{}/providers/{ty}/{}", group("resource_group_name")?, ctx.known(inst, parent_attr)?))
    };
    let child_of = |parent_attr: &str, segment: &str| -> Option<String> {
        Some(format!("{}/{segment}/{}", ctx.id(inst, parent_attr)?, name()?))
    };
    if let Some(ty) = group_type(inst.kind) {
        return Some(format!("{}/providers/{ty}/{}", group("resource_group_name")?, name()?));
    }
    match inst.kind {
        "azurerm_resource_group" => Some(format!("/subscriptions/{}/resourceGroups/{}", ctx.subscription, name()?)),
        "azurerm_subnet" => {
            Some(format!("{}/subnets/{}", in_group(arm_type::VIRTUAL_NETWORKS, "virtual_network_name")?, name()?))
        }
        "azurerm_virtual_network_peering" => Some(format!(
            "{}/virtualNetworkPeerings/{}",
            in_group(arm_type::VIRTUAL_NETWORKS, "virtual_network_name")?,
            name()?
        )),
        "azurerm_network_security_rule" => Some(format!(
            "{}/securityRules/{}",
            in_group(arm_type::NETWORK_SECURITY_GROUPS, "network_security_group_name")?,
            name()?
        )),
        "azurerm_route" => {
            Some(format!("{}/routes/{}", in_group(arm_type::ROUTE_TABLES, "route_table_name")?, name()?))
        }
        "azurerm_private_dns_a_record" | "azurerm_private_dns_cname_record" | "azurerm_private_dns_aaaa_record" => {
            let kind = match inst.kind {
                "azurerm_private_dns_a_record" => "A",
                "azurerm_private_dns_aaaa_record" => "AAAA",
                _ => "CNAME",
            };
            Some(format!("{}/{kind}/{}", in_group(arm_type::PRIVATE_DNS_ZONES, "zone_name")?, name()?))
        }
        "azurerm_private_dns_zone_virtual_network_link" => {
            // azurerm 5.x names the zone by id; 3.x and 4.x by name and resource group.
            let zone = match ctx.id(inst, "private_dns_zone_id") {
                Some(z) => z,
                None => in_group(arm_type::PRIVATE_DNS_ZONES, "private_dns_zone_name")?,
            };
            Some(format!("{zone}/virtualNetworkLinks/{}", name()?))
        }
        "azurerm_private_dns_resolver_inbound_endpoint" => child_of("private_dns_resolver_id", "inboundEndpoints"),
        "azurerm_private_dns_resolver_outbound_endpoint" => child_of("private_dns_resolver_id", "outboundEndpoints"),
        "azurerm_private_dns_resolver_forwarding_rule" => child_of("dns_forwarding_ruleset_id", "forwardingRules"),
        "azurerm_private_dns_resolver_virtual_network_link" => {
            child_of("dns_forwarding_ruleset_id", "virtualNetworkLinks")
        }
        "azurerm_linux_web_app_slot" | "azurerm_windows_web_app_slot" => child_of("app_service_id", "slots"),
        "azurerm_mssql_database" => child_of("server_id", "databases"),
        "azurerm_app_service_virtual_network_swift_connection" => {
            Some(format!("{}/networkConfig/virtualNetwork", ctx.id(inst, "app_service_id")?))
        }
        "azurerm_role_assignment" => {
            let scope = ctx.id(inst, "scope")?;
            let name = match ctx.known_quiet(inst, "name") {
                Some(n) => n,
                // Azure takes the GUID the provider generates; a stand-in derived from what the
                // assignment grants keeps the id stable from plan to plan.
                None => crate::template::functions::arm_guid(&format!("{scope}-{}", inst.address)),
            };
            Some(format!("{scope}/providers/{}/{name}", arm_type::ROLE_ASSIGNMENTS))
        }
        _ => None,
    }
}
