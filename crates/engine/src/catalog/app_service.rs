//! App Service plan tiers and whether they offer regional VNet integration and private endpoints.

/// One App Service plan pricing tier (`sku.tier`) and the SKU names (`sku.name`) that belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanTier {
    pub tier: &'static str,
    pub sku_names: &'static [&'static str],
    /// Whether apps on the tier can use regional VNet integration and have a private endpoint.
    pub networking: bool,
}

const fn tier(tier: &'static str, sku_names: &'static [&'static str], networking: bool) -> PlanTier {
    PlanTier { tier, sku_names, networking }
}

/// The App Service plan tiers privlink knows. Sources: azure-semantics §3.2 (Learn "Integrate your
/// app with an Azure virtual network", https://learn.microsoft.com/azure/app-service/overview-vnet-integration:
/// Basic, Standard, Premium v2/v3/v4, Elastic Premium; "not Free/Shared/Consumption") and §3.5
/// (Learn "Using private endpoints for App Service apps",
/// https://learn.microsoft.com/azure/app-service/overview-private-endpoint: Basic and above,
/// Functions Premium). Flex Consumption: Learn "Azure Functions Flex Consumption plan hosting"
/// (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan: virtual network
/// integration and private endpoints are supported). A tier or SKU name not listed here is
/// assumed to support networking.
static PLAN_TIERS: &[PlanTier] = &[
    tier("Free", &["F1", "Free"], false),
    tier("Shared", &["D1", "Shared"], false),
    tier("Dynamic", &["Y1", "Dynamic"], false),
    tier("FlexConsumption", &["FC1"], true),
    tier("Basic", &["B1", "B2", "B3"], true),
    tier("Standard", &["S1", "S2", "S3"], true),
    tier("PremiumV2", &["P1v2", "P2v2", "P3v2"], true),
    tier("PremiumV3", &["P0v3", "P1v3", "P2v3", "P3v3", "P1mv3", "P2mv3", "P3mv3", "P4mv3", "P5mv3"], true),
    tier("ElasticPremium", &["EP1", "EP2", "EP3"], true),
];

/// Every plan tier of the table, in table order.
pub fn app_service_plan_tiers() -> &'static [PlanTier] {
    PLAN_TIERS
}

/// The tier of an App Service plan SKU that offers neither VNet integration nor private endpoints
/// (`Free`, `Shared` or `Dynamic`, the Functions Consumption plan) when `sku.tier` or `sku.name`
/// names one (both case-insensitive); `None` when the plan supports them or the SKU is unknown.
/// The provider's VNet integration check and the rules both decide through this function.
pub fn app_service_tier_without_networking(sku_name: Option<&str>, sku_tier: Option<&str>) -> Option<&'static str> {
    PLAN_TIERS.iter().filter(|t| !t.networking).find_map(|t| {
        let by_tier = sku_tier.is_some_and(|x| x.eq_ignore_ascii_case(t.tier));
        let by_name = sku_name.is_some_and(|n| t.sku_names.iter().any(|x| x.eq_ignore_ascii_case(n)));
        (by_tier || by_name).then_some(t.tier)
    })
}

/// The service name a subnet delegation for regional VNet integration names. Source: Learn
/// "Integrate your app with an Azure virtual network" (subnet requirements,
/// https://learn.microsoft.com/azure/app-service/overview-vnet-integration#subnet-requirements,
/// azure-semantics §3.2). Azure spells it `serverFarms` here, unlike the plan's resource type.
pub const INTEGRATION_DELEGATION: &str = "Microsoft.Web/serverFarms";

/// How an app setting's value starts when it is a Key Vault reference, `@Microsoft.KeyVault(…)`
/// up to its closing `)`. Source: Learn "Use Key Vault references as app settings"
/// (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references).
pub const KEY_VAULT_REFERENCE_PREFIX: &str = "@Microsoft.KeyVault(";
