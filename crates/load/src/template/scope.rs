//! Where a deployment runs and what the caller injects: the scope (tenant, subscription, resource
//! group), the clock and GUID seed, and the documents of `existing` resources.

use privlink_model::arm_type;
use std::collections::BTreeMap;

/// The target of a deployment, which `resourceGroup()`, `subscription()`, `tenant()`, `deployment()`
/// and `resourceId()` read.
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentScope {
    pub tenant_id: String,
    pub subscription_id: String,
    pub subscription_display_name: String,
    /// `None` for subscription, management-group and tenant deployments.
    pub resource_group: Option<ResourceGroupScope>,
    pub management_group: Option<String>,
    pub deployment_name: String,
    /// The deployment's location (subscription and management-group deployments have one).
    pub location: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceGroupScope {
    pub name: String,
    /// `None` when the group is not the caller's (a cross-resource-group nested deployment): its
    /// location is then only known to Azure.
    pub location: Option<String>,
    pub tags: BTreeMap<String, String>,
}

impl DeploymentScope {
    /// A resource-group deployment.
    pub fn resource_group(subscription_id: &str, resource_group: &str, location: &str) -> Self {
        DeploymentScope {
            tenant_id: "00000000-0000-0000-0000-000000000000".to_string(),
            subscription_id: subscription_id.to_string(),
            subscription_display_name: "privlink".to_string(),
            resource_group: Some(ResourceGroupScope {
                name: resource_group.to_string(),
                location: Some(location.to_string()),
                tags: BTreeMap::new(),
            }),
            management_group: None,
            deployment_name: "privlink".to_string(),
            location: None,
        }
    }

    /// A subscription deployment.
    pub fn subscription(subscription_id: &str, location: &str) -> Self {
        DeploymentScope {
            resource_group: None,
            location: Some(location.to_string()),
            ..DeploymentScope::resource_group(subscription_id, "", location)
        }
    }

    pub fn subscription_resource_id(&self) -> String {
        format!("/subscriptions/{}", self.subscription_id)
    }

    pub fn resource_group_id(&self) -> Option<String> {
        self.resource_group
            .as_ref()
            .map(|rg| format!("/subscriptions/{}/resourceGroups/{}", self.subscription_id, rg.name))
    }

    /// The id prefix resources deployed at this scope get, up to (not including) `/providers/`.
    pub fn resource_id_prefix(&self) -> String {
        match (&self.resource_group, &self.management_group) {
            (Some(_), _) => self.resource_group_id().unwrap_or_default(),
            (None, Some(mg)) if self.subscription_id.is_empty() => {
                format!("/providers/{}/{mg}", arm_type::MANAGEMENT_GROUPS)
            }
            _ => self.subscription_resource_id(),
        }
    }
}

/// What the evaluator must not find out for itself: the clock, a GUID seed and resources that exist
/// outside the template.
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluateOptions {
    /// The instant `utcNow()` reports, as `yyyy-MM-ddTHH:mm:ssZ`.
    pub utc_now: String,
    /// `newGuid()` returns name-based GUIDs derived from this seed and a counter.
    pub new_guid_seed: String,
    /// Documents of resources that exist before the deployment (for `existing` resources and
    /// `reference()` to resources outside the template), keyed by lower-cased resource id.
    pub existing: BTreeMap<String, serde_json::Value>,
    /// Parameter overrides as `name=value` (value parsed as JSON for non-string parameters).
    pub overrides: Vec<String>,
    /// What a parameter of the template that has neither a value nor a default becomes.
    pub unset_parameters: UnsetParameters,
    /// Documents as a deployment of this template left them (keyed by lower-cased id):
    /// `reference()` of a resource the template deploys sees the properties Azure filled in.
    pub runtime: BTreeMap<String, serde_json::Value>,
}

/// What a template parameter without a value or a default becomes (`--unset-parameters`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnsetParameters {
    /// An input error listing every such parameter, as Azure refuses the deployment.
    #[default]
    Error,
    /// An unknown value: for templates whose parameters a pipeline supplies.
    Unknown,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            utc_now: "2026-01-01T00:00:00Z".to_string(),
            new_guid_seed: "privlink".to_string(),
            existing: BTreeMap::new(),
            overrides: Vec::new(),
            unset_parameters: UnsetParameters::Error,
            runtime: BTreeMap::new(),
        }
    }
}

/// `environment()` for the Azure public cloud. Source: learn.microsoft.com
/// "template-functions-deployment#environment" (the example output for AzureCloud).
pub fn public_cloud_environment() -> serde_json::Value {
    serde_json::json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net"
        }
    })
}
