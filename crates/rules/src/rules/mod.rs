//! The rule registry: one file per rule, listed here in code order.

use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use privlink_model::Model;

pub(crate) mod util;

/// A rule: a code that is never reused, a default severity and a check.
pub struct Rule {
    pub code: &'static str,
    /// Short kebab-case name (`zone-not-linked`).
    pub name: &'static str,
    pub severity: Severity,
    /// The module (file) that holds the rule and its documentation.
    pub module: &'static str,
    /// A pure function of the model; `Analysis` holds what the engine says about the same model,
    /// computed at most once per check and shared by the rules.
    pub check: fn(&Model, &Analysis) -> Vec<Finding>,
}

macro_rules! rules {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, sorted by code.
        pub fn all_rules() -> &'static [Rule] {
            static RULES: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
            RULES.get_or_init(|| {
                let mut v = vec![$($module::rule()),*];
                v.sort_by_key(|r| r.code);
                v
            })
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
    dns101_zone_not_linked,
    dns102_linked_zone_missing_record,
    dns104_zone_name_wrong_for_group,
    dns105_endpoint_without_dns,
    dns106_duplicate_record_writers,
    dns107_website_dns_server_public,
    dns108_stale_record,
    net201_nsg_priority_invalid,
    net202_sql_redirect_ports_blocked,
    net203_nsg_denies_dependency,
    net204_route_blackholes_dependency,
    pe101_connection_not_approved,
    pe102_endpoint_in_delegated_subnet,
    pe103_static_ip_invalid,
    pe104_pe_subnet_nsg_ignored,
    pe106_endpoint_region_or_subscription_mismatch,
    sec401_public_access_with_private_endpoint,
    sec402_keyvault_ip_rules_private_ranges,
    sec403_azure_services_bypass_relied_on,
}
