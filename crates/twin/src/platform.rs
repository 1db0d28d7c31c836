//! Fixed documents of the platform around the estate: the cloud's endpoint metadata, the
//! subscription and its locations. Shapes follow what ARM returns and what az reads from them
//! (az-cli.md §2 and §4).

use serde_json::{json, Value};

/// The cloud document at `/metadata/endpoints` that `az cloud register` reads (azure-cli's
/// `_arm_to_cli_mapper`: `name`, `authentication.loginEndpoint`, `authentication.audiences[0]`,
/// `suffixes` and optional endpoints). `base_url` is the twin's ARM URL without a trailing slash:
/// ARM and the sign-in authority are both the twin.
pub fn cloud_metadata(base_url: &str) -> Value {
    json!({
        "name": "PrivlinkTwin",
        "portal": base_url,
        "resourceManager": base_url,
        "authentication": {
            "loginEndpoint": base_url,
            // The real ARM audiences: tokens are issued for any resource, so clients need no change.
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "graph": "https://graph.windows.net/",
        "graphAudience": "https://graph.windows.net/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "media": "https://rest.media.azure.net",
        "batch": "https://batch.core.windows.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
        "suffixes": {
            "storage": "core.windows.net",
            "keyVaultDns": "vault.azure.net",
            "sqlServerHostname": "database.windows.net",
            "acrLoginServer": "azurecr.io",
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net"
        }
    })
}

/// A subscription as `GET /subscriptions` lists it; az login needs `id`, `subscriptionId`,
/// `tenantId`, `displayName` and `state`.
pub fn subscription(subscription_id: &str, tenant_id: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{subscription_id}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription_id,
        "tenantId": tenant_id,
        "displayName": "privlink twin",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })
}

/// The twin's tenant as `GET /tenants` lists it.
pub fn tenant(tenant_id: &str) -> Value {
    json!({
        "id": format!("/tenants/{tenant_id}"),
        "tenantId": tenant_id,
        "tenantCategory": "Home",
        "displayName": "privlink twin",
        "defaultDomain": "privlink.test",
        "domains": ["privlink.test"],
        "tenantType": "AAD"
    })
}

/// Public Azure regions the twin lists: (name, display name, geography group).
/// From the Azure public cloud's `GET /subscriptions/{id}/locations`; az webapp commands use the
/// list to map display names ("East US") to names ("eastus").
const REGIONS: &[(&str, &str, &str)] = &[
    ("eastus", "East US", "US"),
    ("eastus2", "East US 2", "US"),
    ("centralus", "Central US", "US"),
    ("southcentralus", "South Central US", "US"),
    ("westus", "West US", "US"),
    ("westus2", "West US 2", "US"),
    ("westus3", "West US 3", "US"),
    ("canadacentral", "Canada Central", "Canada"),
    ("brazilsouth", "Brazil South", "South America"),
    ("northeurope", "North Europe", "Europe"),
    ("westeurope", "West Europe", "Europe"),
    ("uksouth", "UK South", "UK"),
    ("francecentral", "France Central", "Europe"),
    ("germanywestcentral", "Germany West Central", "Europe"),
    ("swedencentral", "Sweden Central", "Europe"),
    ("switzerlandnorth", "Switzerland North", "Europe"),
    ("australiaeast", "Australia East", "Asia Pacific"),
    ("southeastasia", "Southeast Asia", "Asia Pacific"),
    ("eastasia", "East Asia", "Asia Pacific"),
    ("japaneast", "Japan East", "Asia Pacific"),
    ("koreacentral", "Korea Central", "Asia Pacific"),
    ("centralindia", "Central India", "Asia Pacific"),
];

/// `GET /subscriptions/{id}/locations`.
pub fn locations(subscription_id: &str) -> Value {
    let value: Vec<Value> = REGIONS
        .iter()
        .map(|(name, display, geography)| {
            json!({
                "id": format!("/subscriptions/{subscription_id}/locations/{name}"),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": format!("({geography}) {display}"),
                "metadata": {"regionType": "Physical", "regionCategory": "Recommended", "geographyGroup": geography}
            })
        })
        .collect();
    json!({ "value": value })
}
