//! The private-link service table: one row per resource type and the group ids sharing its names.

use super::{CloudNames, HostLabel, PortUsage, ServiceEntry, ServicePort};

const HTTPS: &[ServicePort] = &[ServicePort::default(443)];

/// The catalog.
///
/// Sources: azure-semantics.md §1.1 (Learn "Azure Private Endpoint private DNS zone values",
/// https://learn.microsoft.com/azure/private-link/private-endpoint-dns), §5 for ports, §4.3 and the
/// Learn service-tags table for tags, §6.3 for audiences. Values marked UNVERIFIED were not found in
/// those sources and come from general knowledge of the services. Cosmos DB ports: Learn "Azure
/// Cosmos DB SQL SDK connectivity modes" (service port ranges table).
///
/// Rows sharing a zone are listed in the order a name lookup should prefer them (Storage before
/// Azure Monitor for `blob.core.windows.net`).
pub(super) static CATALOG: &[ServiceEntry] = &[
    ServiceEntry {
        service: "Azure SQL Database",
        resource_type: "Microsoft.Sql/servers",
        group_ids: &["sqlServer"],
        host: HostLabel::ResourceName,
        // §5.2 / Learn "Azure SQL Database connectivity settings": Proxy uses 1433 only; Redirect
        // needs 11000-11999 over the public endpoint and 1433-65535 through a private endpoint.
        ports: &[
            ServicePort::default(1433),
            ServicePort::range(11000, 11999, PortUsage::Redirect),
            ServicePort::range(1433, 65535, PortUsage::PrivateEndpointRedirect),
        ],
        service_tag: Some("Sql"),
        names: &[CloudNames::public(&["privatelink.database.windows.net"], &["database.windows.net"])
            .audience("https://database.windows.net/")],
    },
    ServiceEntry {
        service: "Azure SQL Managed Instance",
        resource_type: "Microsoft.Sql/managedInstances",
        group_ids: &["managedInstance"],
        host: HostLabel::ResourceName,
        // The private endpoint carries TDS on 1433; the 3342 public endpoint is not reachable through it.
        ports: &[ServicePort::default(1433)],
        // §4.3: the Sql tag does not cover managed instances.
        service_tag: None,
        names: &[CloudNames::public(
            &["privatelink.{dnsPrefix}.database.windows.net"],
            &["{dnsPrefix}.database.windows.net"],
        )
        .audience("https://database.windows.net/")],
    },
    ServiceEntry {
        service: "Azure Key Vault",
        resource_type: "Microsoft.KeyVault/vaults",
        group_ids: &["vault"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureKeyVault"),
        names: &[CloudNames::public(&["privatelink.vaultcore.azure.net"], &["vault.azure.net"])
            .forwarders(&["vaultcore.azure.net"])
            .audience("https://vault.azure.net")],
    },
    ServiceEntry {
        service: "Azure Key Vault Managed HSM",
        resource_type: "Microsoft.KeyVault/managedHSMs",
        group_ids: &["managedhsm"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureKeyVault"), // UNVERIFIED: that the AzureKeyVault tag covers Managed HSM.
        names: &[CloudNames::public(&["privatelink.managedhsm.azure.net"], &["managedhsm.azure.net"])],
    },
    ServiceEntry {
        service: "Azure Cache for Redis",
        resource_type: "Microsoft.Cache/Redis",
        group_ids: &["redisCache"],
        host: HostLabel::ResourceName,
        // §5.3: TLS on 6380; 6379 only with enableNonSslPort. Clustered caches' per-shard ports
        // (15000+, 13000+) are not modelled.
        ports: &[ServicePort::default(6380), ServicePort::only(6379, PortUsage::NonTls)],
        service_tag: None,
        names: &[CloudNames::public(&["privatelink.redis.cache.windows.net"], &["redis.cache.windows.net"])
            .audience("https://redis.azure.com")],
    },
    // Azure Managed Redis and Redis Enterprise share resource type and group id; which row applies
    // depends on the SKU. Managed Redis comes first because Enterprise tiers are its predecessor.
    ServiceEntry {
        service: "Azure Managed Redis",
        resource_type: "Microsoft.Cache/redisEnterprise",
        group_ids: &["redisEnterprise"],
        host: HostLabel::ResourceName,
        // Learn "TLS configuration" (Azure Managed Redis): 10000 with or without TLS; the OSS
        // cluster policy adds 85xx shard ports.
        ports: &[ServicePort::default(10000), ServicePort::range(8500, 8599, PortUsage::AlternateProtocol)],
        service_tag: None,
        names: &[CloudNames::public(&["privatelink.redis.azure.net"], &["{region}.redis.azure.net"])
            .audience("https://redis.azure.com")],
    },
    ServiceEntry {
        service: "Azure Cache for Redis Enterprise",
        resource_type: "Microsoft.Cache/redisEnterprise",
        group_ids: &["redisEnterprise"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(10000)], // UNVERIFIED: assumed the same as Azure Managed Redis.
        service_tag: None,
        names: &[CloudNames::public(
            &["privatelink.redisenterprise.cache.azure.net"],
            &["{region}.redisenterprise.cache.azure.net"],
        )
        .audience("https://redis.azure.com")],
    },
    ServiceEntry {
        service: "Azure AI services / Azure OpenAI (Cognitive Services)",
        resource_type: "Microsoft.CognitiveServices/accounts",
        group_ids: &["account"],
        host: HostLabel::CustomSubDomain,
        ports: HTTPS,
        service_tag: Some("CognitiveServicesManagement"),
        names: &[CloudNames::public(
            &[
                "privatelink.cognitiveservices.azure.com",
                "privatelink.openai.azure.com",
                "privatelink.services.ai.azure.com",
            ],
            &["cognitiveservices.azure.com", "openai.azure.com", "services.ai.azure.com"],
        )
        .audience("https://cognitiveservices.azure.com")],
    },
    ServiceEntry {
        service: "Azure Storage (blob)",
        resource_type: "Microsoft.Storage/storageAccounts",
        group_ids: &["blob", "blob_secondary"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("Storage"),
        // UNVERIFIED (§6.3): the storage audience.
        names: &[CloudNames::public(&["privatelink.blob.core.windows.net"], &["blob.core.windows.net"])
            .audience("https://storage.azure.com/")],
    },
    ServiceEntry {
        service: "Azure Storage (table)",
        resource_type: "Microsoft.Storage/storageAccounts",
        group_ids: &["table", "table_secondary"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("Storage"),
        names: &[CloudNames::public(&["privatelink.table.core.windows.net"], &["table.core.windows.net"])
            .audience("https://storage.azure.com/")],
    },
    ServiceEntry {
        service: "Azure Storage (queue)",
        resource_type: "Microsoft.Storage/storageAccounts",
        group_ids: &["queue", "queue_secondary"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("Storage"),
        names: &[CloudNames::public(&["privatelink.queue.core.windows.net"], &["queue.core.windows.net"])
            .audience("https://storage.azure.com/")],
    },
    ServiceEntry {
        service: "Azure Storage (file)",
        resource_type: "Microsoft.Storage/storageAccounts",
        // Older docs also list file_secondary.
        group_ids: &["file", "file_secondary"],
        host: HostLabel::ResourceName,
        // SMB mounts use 445; the REST API uses 443.
        ports: &[ServicePort::default(443), ServicePort::only(445, PortUsage::AlternateProtocol)],
        service_tag: Some("Storage"),
        names: &[CloudNames::public(&["privatelink.file.core.windows.net"], &["file.core.windows.net"])
            .audience("https://storage.azure.com/")],
    },
    ServiceEntry {
        service: "Azure Storage (static website)",
        resource_type: "Microsoft.Storage/storageAccounts",
        group_ids: &["web", "web_secondary"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("Storage"),
        // UNVERIFIED: the static-website endpoint is `{account}.z{n}.web.core.windows.net`, so the
        // host is one label deeper than the other storage services; the name below omits `z{n}`.
        names: &[CloudNames::public(&["privatelink.web.core.windows.net"], &["web.core.windows.net"])],
    },
    ServiceEntry {
        service: "Azure Data Lake Storage Gen2 (dfs)",
        resource_type: "Microsoft.Storage/storageAccounts",
        group_ids: &["dfs", "dfs_secondary"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("Storage"),
        names: &[CloudNames::public(&["privatelink.dfs.core.windows.net"], &["dfs.core.windows.net"])
            .audience("https://storage.azure.com/")],
    },
    ServiceEntry {
        service: "Azure Cosmos DB for NoSQL",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["Sql"],
        host: HostLabel::ResourceName,
        // Learn "Azure Cosmos DB SQL SDK connectivity modes": gateway mode on 443; direct mode uses
        // 10000-20000 on public endpoints but may use any port (0-65535) through a private endpoint.
        ports: &[ServicePort::default(443), ServicePort::range(0, 65535, PortUsage::DirectMode)],
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.documents.azure.com"], &["documents.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Cosmos DB for MongoDB",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["MongoDB"],
        host: HostLabel::ResourceName,
        // Same Learn page: MongoDB 10255. Legacy 3.2 accounts live under documents.azure.com instead
        // (UNVERIFIED here).
        ports: &[ServicePort::default(10255)],
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.mongo.cosmos.azure.com"], &["mongo.cosmos.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Cosmos DB for Apache Cassandra",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["Cassandra"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(10350)], // Same Learn page: Cassandra 10350.
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.cassandra.cosmos.azure.com"], &["cassandra.cosmos.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Cosmos DB for Apache Gremlin",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["Gremlin"],
        host: HostLabel::ResourceName,
        ports: HTTPS, // Same Learn page: Graph (Gremlin) 443.
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.gremlin.cosmos.azure.com"], &["gremlin.cosmos.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Cosmos DB for Table",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["Table"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.table.cosmos.azure.com"], &["table.cosmos.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Cosmos DB analytical store",
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        group_ids: &["Analytical"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureCosmosDB"),
        names: &[CloudNames::public(&["privatelink.analytics.cosmos.azure.com"], &["analytics.cosmos.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Database for PostgreSQL flexible server",
        resource_type: "Microsoft.DBforPostgreSQL/flexibleServers",
        group_ids: &["postgresqlServer"],
        host: HostLabel::ResourceName,
        // 6432 is the built-in PgBouncer.
        ports: &[ServicePort::default(5432), ServicePort::only(6432, PortUsage::AlternateProtocol)],
        service_tag: Some("Sql"),
        names: &[CloudNames::public(&["privatelink.postgres.database.azure.com"], &["postgres.database.azure.com"])
            .audience("https://ossrdbms-aad.database.windows.net")],
    },
    ServiceEntry {
        service: "Azure Database for PostgreSQL single server",
        resource_type: "Microsoft.DBforPostgreSQL/servers",
        group_ids: &["postgresqlServer"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(5432)],
        service_tag: Some("Sql"),
        names: &[CloudNames::public(&["privatelink.postgres.database.azure.com"], &["postgres.database.azure.com"])
            .audience("https://ossrdbms-aad.database.windows.net")],
    },
    ServiceEntry {
        service: "Azure Database for MySQL flexible server",
        resource_type: "Microsoft.DBforMySQL/flexibleServers",
        group_ids: &["mysqlServer"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(3306)],
        service_tag: Some("Sql"),
        names: &[CloudNames::public(&["privatelink.mysql.database.azure.com"], &["mysql.database.azure.com"])
            .audience("https://ossrdbms-aad.database.windows.net")],
    },
    ServiceEntry {
        service: "Azure Database for MySQL single server",
        resource_type: "Microsoft.DBforMySQL/servers",
        group_ids: &["mysqlServer"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(3306)],
        service_tag: Some("Sql"),
        names: &[CloudNames::public(&["privatelink.mysql.database.azure.com"], &["mysql.database.azure.com"])
            .audience("https://ossrdbms-aad.database.windows.net")],
    },
    // Service Bus, Event Hubs and Relay share one zone (§1.1).
    ServiceEntry {
        service: "Azure Service Bus",
        resource_type: "Microsoft.ServiceBus/namespaces",
        group_ids: &["namespace"],
        host: HostLabel::ResourceName,
        // AMQP over TLS on 5671, AMQP over WebSockets / HTTPS on 443, plain AMQP on 5672.
        ports: &[
            ServicePort::default(5671),
            ServicePort::default(443),
            ServicePort::only(5672, PortUsage::AlternateProtocol),
        ],
        service_tag: Some("ServiceBus"),
        names: &[CloudNames::public(&["privatelink.servicebus.windows.net"], &["servicebus.windows.net"])],
    },
    ServiceEntry {
        service: "Azure Event Hubs",
        resource_type: "Microsoft.EventHub/namespaces",
        group_ids: &["namespace"],
        host: HostLabel::ResourceName,
        // As Service Bus, plus the Kafka endpoint on 9093.
        ports: &[
            ServicePort::default(5671),
            ServicePort::default(443),
            ServicePort::only(5672, PortUsage::AlternateProtocol),
            ServicePort::only(9093, PortUsage::AlternateProtocol),
        ],
        service_tag: Some("EventHub"),
        names: &[CloudNames::public(&["privatelink.servicebus.windows.net"], &["servicebus.windows.net"])],
    },
    ServiceEntry {
        service: "Azure Relay",
        resource_type: "Microsoft.Relay/namespaces",
        group_ids: &["namespace"],
        host: HostLabel::ResourceName,
        // UNVERIFIED: WCF relay bindings use 9350-9354 besides 443.
        ports: &[ServicePort::default(443), ServicePort::range(9350, 9354, PortUsage::AlternateProtocol)],
        service_tag: None,
        names: &[CloudNames::public(&["privatelink.servicebus.windows.net"], &["servicebus.windows.net"])],
    },
    ServiceEntry {
        service: "Azure Container Registry",
        resource_type: "Microsoft.ContainerRegistry/registries",
        group_ids: &["registry"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureContainerRegistry"),
        // The data endpoint's records `{registry}.{region}.data` live inside privatelink.azurecr.io.
        names: &[CloudNames::public(&["privatelink.azurecr.io"], &["azurecr.io", "{region}.data.azurecr.io"])],
    },
    ServiceEntry {
        service: "Azure App Service / Azure Functions",
        resource_type: "Microsoft.Web/sites",
        group_ids: &["sites", "sites-{slotName}"],
        host: HostLabel::ResourceName,
        ports: &[ServicePort::default(443), ServicePort::only(80, PortUsage::AlternateProtocol)],
        service_tag: Some("AppService"),
        // Both `{app}` and `{app}.scm` records live in privatelink.azurewebsites.net.
        names: &[CloudNames::public(
            &["privatelink.azurewebsites.net"],
            &["azurewebsites.net", "scm.azurewebsites.net"],
        )],
    },
    ServiceEntry {
        service: "Azure Monitor private link scope",
        resource_type: "Microsoft.Insights/privateLinkScopes",
        group_ids: &["azuremonitor"],
        host: HostLabel::NotNameBased,
        ports: HTTPS,
        service_tag: Some("AzureMonitor"),
        names: &[CloudNames::public(
            &[
                "privatelink.monitor.azure.com",
                "privatelink.oms.opinsights.azure.com",
                "privatelink.ods.opinsights.azure.com",
                "privatelink.agentsvc.azure-automation.net",
                "privatelink.blob.core.windows.net",
            ],
            &[
                "monitor.azure.com",
                "oms.opinsights.azure.com",
                "ods.opinsights.azure.com",
                "agentsvc.azure-automation.net",
                "blob.core.windows.net",
                "services.visualstudio.com",
                "applicationinsights.azure.com",
            ],
        )],
    },
    ServiceEntry {
        service: "Azure App Configuration",
        resource_type: "Microsoft.AppConfiguration/configurationStores",
        group_ids: &["configurationStores"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AppConfiguration"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.azconfig.io"], &["azconfig.io"])],
    },
    ServiceEntry {
        service: "Azure AI Search",
        resource_type: "Microsoft.Search/searchServices",
        group_ids: &["searchService"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureCognitiveSearch"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.search.windows.net"], &["search.windows.net"])],
    },
    ServiceEntry {
        service: "Azure Event Grid topic",
        resource_type: "Microsoft.EventGrid/topics",
        group_ids: &["topic"],
        // Topic endpoints are regional: `{topic}.{region}-1.eventgrid.azure.net`.
        host: HostLabel::NotNameBased,
        ports: HTTPS,
        service_tag: Some("AzureEventGrid"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.eventgrid.azure.net"], &["eventgrid.azure.net"])],
    },
    ServiceEntry {
        service: "Azure Event Grid domain",
        resource_type: "Microsoft.EventGrid/domains",
        group_ids: &["domain"],
        host: HostLabel::NotNameBased,
        ports: HTTPS,
        service_tag: Some("AzureEventGrid"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.eventgrid.azure.net"], &["eventgrid.azure.net"])],
    },
    ServiceEntry {
        service: "Azure SignalR Service",
        resource_type: "Microsoft.SignalRService/SignalR",
        group_ids: &["signalr"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureSignalR"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.service.signalr.net"], &["service.signalr.net"])],
    },
    ServiceEntry {
        service: "Azure Web PubSub",
        resource_type: "Microsoft.SignalRService/WebPubSub",
        group_ids: &["webpubsub"],
        host: HostLabel::ResourceName,
        ports: HTTPS,
        service_tag: Some("AzureWebPubSub"), // UNVERIFIED: tag name not in §4.3.
        names: &[CloudNames::public(&["privatelink.webpubsub.azure.com"], &["webpubsub.azure.com"])],
    },
    ServiceEntry {
        service: "Azure Static Web Apps",
        resource_type: "Microsoft.Web/staticSites",
        group_ids: &["staticSites"],
        // Host names are generated (`{adjective-noun-hash}.{partitionId}.azurestaticapps.net`).
        host: HostLabel::NotNameBased,
        ports: HTTPS,
        service_tag: None,
        names: &[CloudNames::public(
            &["privatelink.azurestaticapps.net", "privatelink.{partitionId}.azurestaticapps.net"],
            &["azurestaticapps.net", "{partitionId}.azurestaticapps.net"],
        )],
    },
];
