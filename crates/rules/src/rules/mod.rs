//! The rule registry: one file per rule, listed here in code order.

use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::FixAvailability;
use privlink_model::Model;

pub(crate) mod util;

/// A rule, declared once in its file as `pub(crate) const RULE: Rule`: a code that is never
/// reused, a severity, whether it offers fixes, and a check. Findings take code and severity from
/// it (`Finding::new(&RULE, …)`).
pub struct Rule {
    pub code: &'static str,
    /// Short kebab-case name (`zone-not-linked`).
    pub name: &'static str,
    /// The severity of its findings (and SARIF's default level).
    pub severity: Severity,
    /// The severity of the findings the rule marks `at_secondary_severity`, for a rule that checks
    /// two things of different weight under one code.
    pub secondary_severity: Option<Severity>,
    pub fix: FixAvailability,
    /// A pure function of the model; `Analysis` holds what the engine says about the same model,
    /// computed at most once per check and shared by the rules.
    pub check: fn(&Model, &Analysis) -> Vec<Finding>,
}

macro_rules! rules {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, in code order (the modules are listed in code order; a test checks it).
        pub fn all_rules() -> &'static [Rule] {
            static RULES: &[Rule] = &[$($module::RULE),*];
            RULES
        }
        /// The module (file) that holds a rule and its documentation, named after the module.
        pub fn module_of(rule: &Rule) -> &'static str {
            static MODULES: &[(&str, &str)] = &[$(($module::RULE.code, stringify!($module))),*];
            MODULES.iter().find(|(code, _)| *code == rule.code).map_or("", |(_, m)| m)
        }
    };
}

rules! {
    app301_integration_subnet_not_delegated,
    app302_integration_subnet_too_small,
    app303_integration_subnet_shared,
    app304_sku_without_vnet_integration,
    app305_app_private_endpoint_without_scm_record,
    app307_keyvault_reference_needs_route_all,
    app308_private_backend_without_vnet_integration,
    app309_redis_plaintext_port,
    dns101_zone_not_linked,
    dns102_linked_zone_missing_record,
    dns104_zone_name_wrong_for_group,
    dns105_endpoint_without_dns,
    dns106_duplicate_record_writers,
    dns107_website_dns_server_public,
    dns108_stale_record,
    dns109_custom_dns_unverifiable,
    net200_dependency_unreachable,
    net201_nsg_priority_invalid,
    net202_sql_redirect_ports_blocked,
    net203_nsg_denies_dependency,
    net204_route_blackholes_dependency,
    net205_peering_not_connected,
    pe101_connection_not_approved,
    pe102_endpoint_in_delegated_subnet,
    pe103_static_ip_invalid,
    pe104_pe_subnet_nsg_ignored,
    pe106_endpoint_region_or_subscription_mismatch,
    sec401_public_access_with_private_endpoint,
    sec402_keyvault_ip_rules_private_ranges,
    sec403_azure_services_bypass_relied_on,
    sec404_public_access_disabled_without_private_endpoint,
}
