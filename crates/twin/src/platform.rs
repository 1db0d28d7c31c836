//! Fixed documents of the platform around the estate: the cloud's endpoint metadata, the
//! subscription and its locations. Shapes follow what ARM returns and what az reads from them
//! (az-cli.md §2 and §4).

use privlink_model::arm_type;
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

/// `GET /subscriptions/{s}/providers/{namespace}`: the provider, registered, with its resource
/// types. The twin accepts any api-version, so every type advertises one stable version (what
/// `az resource` picks when it has no `--api-version`); the types are those privlink models for
/// the namespace plus any the store holds.
pub fn resource_provider(subscription_id: &str, namespace: &str, stored_types: Vec<String>) -> Value {
    const MODELLED: &[&str] = &[
        arm_type::VIRTUAL_NETWORKS,
        arm_type::SUBNETS,
        arm_type::NETWORK_SECURITY_GROUPS,
        arm_type::ROUTE_TABLES,
        arm_type::NETWORK_INTERFACES,
        arm_type::PRIVATE_ENDPOINTS,
        arm_type::PRIVATE_DNS_ZONES,
        arm_type::PRIVATE_DNS_ZONE_LINKS,
        arm_type::SITES,
        arm_type::SERVER_FARMS,
        arm_type::SQL_SERVERS,
        arm_type::REDIS,
        arm_type::KEY_VAULTS,
        arm_type::COGNITIVE_SERVICES_ACCOUNTS,
        arm_type::STORAGE_ACCOUNTS,
    ];
    let modelled = MODELLED.iter().filter_map(|t| t.split_once('/'));
    let mut types: Vec<String> = modelled
        .clone()
        .filter(|(ns, _)| ns.eq_ignore_ascii_case(namespace))
        .map(|(_, t)| t.to_string())
        .chain(stored_types)
        .collect();
    types.sort_by_key(|t| t.to_ascii_lowercase());
    types.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let canonical = modelled.clone().find(|(ns, _)| ns.eq_ignore_ascii_case(namespace)).map_or(namespace, |(ns, _)| ns);
    json!({
        "id": format!("/subscriptions/{subscription_id}/providers/{canonical}"),
        "namespace": canonical,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types.iter().map(|t| json!({
            "resourceType": t,
            "locations": ["West Europe", "East US"],
            "apiVersions": ["2024-11-01"],
            "capabilities": "None",
        })).collect::<Vec<_>>(),
    })
}

/// The XML `POST {site}/publishxml` returns: a Web Deploy and an FTP profile for the app's hosts.
/// No credentials: the twin deploys nothing.
pub fn publishing_profile(app: &str, site: &Value) -> String {
    let host = site
        .pointer("/properties/defaultHostName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{app}.azurewebsites.net"));
    let scm = host.replacen('.', ".scm.", 1);
    format!(
        "<publishData>\
<publishProfile profileName=\"{app} - Web Deploy\" publishMethod=\"MSDeploy\" publishUrl=\"{scm}:443\" msdeploySite=\"{app}\" userName=\"${app}\" userPWD=\"\" destinationAppUrl=\"https://{host}\" SQLServerDBConnectionString=\"\" mySQLDBConnectionString=\"\" hostingProviderForumLink=\"\" controlPanelLink=\"https://portal.azure.com\" webSystem=\"WebSites\"><databases /></publishProfile>\
<publishProfile profileName=\"{app} - FTP\" publishMethod=\"FTP\" publishUrl=\"ftps://{app}.ftp.azurewebsites.windows.net/site/wwwroot\" ftpPassiveMode=\"True\" userName=\"{app}\\\\${app}\" userPWD=\"\" destinationAppUrl=\"https://{host}\" SQLServerDBConnectionString=\"\" mySQLDBConnectionString=\"\" hostingProviderForumLink=\"\" controlPanelLink=\"https://portal.azure.com\" webSystem=\"WebSites\"><databases /></publishProfile>\
</publishData>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_lists_its_modelled_types_under_its_own_spelling() {
        let provider = resource_provider("s", "microsoft.network", vec!["dnsResolvers".into(), "routeTables".into()]);
        assert_eq!(provider["namespace"], "Microsoft.Network");
        assert_eq!(provider["id"], "/subscriptions/s/providers/Microsoft.Network");
        let types: Vec<&str> =
            provider["resourceTypes"].as_array().unwrap().iter().map(|t| t["resourceType"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "dnsResolvers",
                "networkInterfaces",
                "networkSecurityGroups",
                "privateDnsZones",
                "privateDnsZones/virtualNetworkLinks",
                "privateEndpoints",
                "routeTables",
                "virtualNetworks",
                "virtualNetworks/subnets",
            ]
        );
        let web = resource_provider("s", "Microsoft.Web", vec![]);
        assert_eq!(web["resourceTypes"].as_array().unwrap().len(), 2);
    }
}
