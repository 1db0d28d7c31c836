//! App Service plan tiers and the networking features they offer.

/// App Service plan pricing tiers (`sku.tier`) on which neither regional VNet integration nor a
/// private endpoint for the app exists, with the SKU names (`sku.name`) that belong to them.
/// Source: azure-semantics §3.2 (integration: Basic, Standard, Premium v2/v3/v4, Elastic Premium;
/// "not Free/Shared/Consumption") and §3.5 (private endpoint: Basic and above, Functions Premium).
/// Flex Consumption (`FC1`, tier `FlexConsumption`) supports VNet integration and is not listed.
static APP_SERVICE_TIERS_WITHOUT_NETWORKING: &[(&str, &[&str])] =
    &[("Free", &["F1", "Free"]), ("Shared", &["D1", "Shared"]), ("Dynamic", &["Y1", "Dynamic"])];

/// The tier of an App Service plan SKU that offers neither VNet integration nor private endpoints
/// (`Free`, `Shared` or `Dynamic`, the Functions Consumption plan), from `sku.tier` or else `sku.name`
/// (both case-insensitive); `None` when the plan supports them or the SKU is unknown.
pub fn app_service_tier_without_networking(sku_name: Option<&str>, sku_tier: Option<&str>) -> Option<&'static str> {
    APP_SERVICE_TIERS_WITHOUT_NETWORKING.iter().find_map(|(tier, names)| {
        let by_tier = sku_tier.is_some_and(|t| t.eq_ignore_ascii_case(tier));
        let by_name = sku_name.is_some_and(|n| names.iter().any(|x| x.eq_ignore_ascii_case(n)));
        (by_tier || by_name).then_some(*tier)
    })
}
