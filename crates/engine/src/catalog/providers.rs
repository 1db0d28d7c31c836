//! The resource provider namespaces Azure Resource Manager knows, and the child types of the
//! networking types privlink models. ARM refuses a write to a namespace no provider registers
//! (`InvalidResourceNamespace`) and to a type its provider does not have (`InvalidResourceType`).
//! Source: "Resource providers for Azure services" on Learn
//! (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-services-resource-providers)
//! and the REST API reference of each networking type (Virtual Networks, Private DNS, Private Link).
//! The namespace list is the public cloud's registered providers a landing zone uses, not every
//! one that exists: a namespace missing here would be refused by the twin, so the list errs wide.

/// Resource provider namespaces (compared case-insensitively).
static NAMESPACES: &[&str] = &[
    "Microsoft.AAD",
    "Microsoft.AlertsManagement",
    "Microsoft.AnalysisServices",
    "Microsoft.ApiManagement",
    "Microsoft.App",
    "Microsoft.AppConfiguration",
    "Microsoft.AppPlatform",
    "Microsoft.Attestation",
    "Microsoft.Authorization",
    "Microsoft.Automation",
    "Microsoft.AVS",
    "Microsoft.AzureActiveDirectory",
    "Microsoft.AzureArcData",
    "Microsoft.AzureStackHCI",
    "Microsoft.Batch",
    "Microsoft.Billing",
    "Microsoft.Blueprint",
    "Microsoft.BotService",
    "Microsoft.Cache",
    "Microsoft.Cdn",
    "Microsoft.Chaos",
    "Microsoft.ClassicCompute",
    "Microsoft.ClassicNetwork",
    "Microsoft.ClassicStorage",
    "Microsoft.CognitiveServices",
    "Microsoft.Communication",
    "Microsoft.Compute",
    "Microsoft.Consumption",
    "Microsoft.ContainerInstance",
    "Microsoft.ContainerRegistry",
    "Microsoft.ContainerService",
    "Microsoft.CostManagement",
    "Microsoft.CustomProviders",
    "Microsoft.Dashboard",
    "Microsoft.DataBox",
    "Microsoft.Databricks",
    "Microsoft.DataFactory",
    "Microsoft.DataLakeAnalytics",
    "Microsoft.DataLakeStore",
    "Microsoft.DataMigration",
    "Microsoft.DataProtection",
    "Microsoft.DataShare",
    "Microsoft.DBforMariaDB",
    "Microsoft.DBforMySQL",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.DesktopVirtualization",
    "Microsoft.DevCenter",
    "Microsoft.Devices",
    "Microsoft.DeviceUpdate",
    "Microsoft.DevTestLab",
    "Microsoft.DigitalTwins",
    "Microsoft.DocumentDB",
    "Microsoft.DomainRegistration",
    "Microsoft.ElasticSan",
    "Microsoft.EventGrid",
    "Microsoft.EventHub",
    "Microsoft.ExtendedLocation",
    "Microsoft.Features",
    "Microsoft.HDInsight",
    "Microsoft.HealthcareApis",
    "Microsoft.HybridCompute",
    "Microsoft.ImportExport",
    "Microsoft.Insights",
    "Microsoft.IoTCentral",
    "Microsoft.KeyVault",
    "Microsoft.Kubernetes",
    "Microsoft.KubernetesConfiguration",
    "Microsoft.Kusto",
    "Microsoft.LoadTestService",
    "Microsoft.Logic",
    "Microsoft.MachineLearningServices",
    "Microsoft.Maintenance",
    "Microsoft.ManagedIdentity",
    "Microsoft.ManagedServices",
    "Microsoft.Management",
    "Microsoft.Maps",
    "Microsoft.Migrate",
    "Microsoft.Monitor",
    "Microsoft.NetApp",
    "Microsoft.Network",
    "Microsoft.NotificationHubs",
    "Microsoft.OperationalInsights",
    "Microsoft.OperationsManagement",
    "Microsoft.Peering",
    "Microsoft.PolicyInsights",
    "Microsoft.Portal",
    "Microsoft.PowerBI",
    "Microsoft.PowerBIDedicated",
    "Microsoft.Purview",
    "Microsoft.Quota",
    "Microsoft.RecoveryServices",
    "Microsoft.Relay",
    "Microsoft.ResourceGraph",
    "Microsoft.ResourceHealth",
    "Microsoft.Resources",
    "Microsoft.SaaS",
    "Microsoft.Search",
    "Microsoft.Security",
    "Microsoft.SecurityInsights",
    "Microsoft.ServiceBus",
    "Microsoft.ServiceFabric",
    "Microsoft.ServiceLinker",
    "Microsoft.SignalRService",
    "Microsoft.Solutions",
    "Microsoft.Sql",
    "Microsoft.SqlVirtualMachine",
    "Microsoft.Storage",
    "Microsoft.StorageCache",
    "Microsoft.StorageSync",
    "Microsoft.StreamAnalytics",
    "Microsoft.Subscription",
    "Microsoft.Synapse",
    "Microsoft.VideoIndexer",
    "Microsoft.VirtualMachineImages",
    "Microsoft.Web",
    "Microsoft.WebPubSub",
];

/// For the networking types privlink models: every child type their provider has (the last type
/// segment, compared case-insensitively). Children of other types are not judged.
static CHILD_TYPES: &[(&str, &[&str])] = &[
    ("Microsoft.Network/virtualNetworks", &["subnets", "virtualNetworkPeerings", "taggedTrafficConsumers"]),
    (
        "Microsoft.Network/privateDnsZones",
        &["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT", "ALL", "virtualNetworkLinks"],
    ),
    ("Microsoft.Network/privateEndpoints", &["privateDnsZoneGroups"]),
    ("Microsoft.Network/networkSecurityGroups", &["securityRules", "defaultSecurityRules"]),
    ("Microsoft.Network/routeTables", &["routes"]),
];

/// Whether some resource provider registers `namespace`.
pub fn is_known_namespace(namespace: &str) -> bool {
    NAMESPACES.iter().any(|known| known.eq_ignore_ascii_case(namespace))
}

/// `Some(false)` when `parent_type` is a type whose children are known and `child` is not one of
/// them; `None` when the catalog does not say.
pub fn is_known_child_type(parent_type: &str, child: &str) -> Option<bool> {
    let (_, children) = CHILD_TYPES.iter().find(|(parent, _)| parent.eq_ignore_ascii_case(parent_type))?;
    Some(children.iter().any(|known| known.eq_ignore_ascii_case(child)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_child_types_are_matched_case_insensitively() {
        assert!(is_known_namespace("microsoft.network") && is_known_namespace("Microsoft.Web"));
        assert!(!is_known_namespace("Microsoft.Bogus"));
        assert_eq!(is_known_child_type("microsoft.network/virtualnetworks", "SUBNETS"), Some(true));
        assert_eq!(is_known_child_type("Microsoft.Network/virtualNetworks", "bogus"), Some(false));
        assert_eq!(is_known_child_type("Microsoft.Web/sites", "anything"), None);
    }
}
