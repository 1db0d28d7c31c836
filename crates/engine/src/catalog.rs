//! The service catalog: one table of Azure's per-service private-link facts.
//!
//! For each service that can sit behind a private endpoint the table says which resource type
//! offers which private-link group ids (sub-resources), the `privatelink.` zone(s) the endpoint's
//! A records belong in, the public DNS suffix(es) the customer-visible name lives under, the TCP
//! ports the service listens on, its public service tag and its Entra token audience.
//!
//! Names differ per cloud (`vault.azure.net` vs `vault.usgovcloudapi.net`), so every DNS fact and
//! audience is looked up through a [`Cloud`]. Only [`Cloud::Public`] is populated today.
//!
//! A few zones and suffixes contain a value that varies per resource, written as a placeholder
//! label: `{region}`, `{dnsPrefix}` (SQL managed instance `dnsZone`) and `{partitionId}` (Static
//! Web Apps). When matching names a placeholder stands for exactly one label, never the label
//! `privatelink` (so `x.privatelink.database.windows.net` cannot pass for a managed-instance name).

use privlink_model::DnsName;

/// An Azure cloud (partition). DNS suffixes and audiences are looked up through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Cloud {
    /// Azure public cloud (`AzureCloud`).
    Public,
}

/// When a listed port is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortUsage {
    /// Clients use this port in the service's default configuration.
    Default,
    /// Only when the resource enables its plain-text port (Redis `enableNonSslPort: true`).
    NonTls,
    /// Only under Azure SQL's `Redirect` connection policy over the public endpoint: after the
    /// gateway on 1433 the client connects to the database node directly on a port in this range.
    Redirect,
    /// As `Redirect`, but for clients connecting through a private endpoint, where the redirected
    /// connection may use any port in this range (§5.2).
    PrivateEndpointRedirect,
    /// A second protocol the service also offers (AMQP without TLS, Kafka, PgBouncer, SMB, HTTP).
    AlternateProtocol,
    /// Cosmos DB SDKs in direct (TCP) connectivity mode instead of the gateway on 443.
    DirectMode,
}

/// A TCP port or inclusive port range a service listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServicePort {
    pub first: u16,
    pub last: u16,
    pub usage: PortUsage,
}

impl ServicePort {
    const fn default(port: u16) -> ServicePort {
        ServicePort { first: port, last: port, usage: PortUsage::Default }
    }

    const fn only(port: u16, usage: PortUsage) -> ServicePort {
        ServicePort { first: port, last: port, usage }
    }

    const fn range(first: u16, last: u16, usage: PortUsage) -> ServicePort {
        ServicePort { first, last, usage }
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

/// What the left-most label of the customer-visible host name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostLabel {
    /// The resource's name (`kv1` of `kv1.vault.azure.net`).
    ResourceName,
    /// The account's `customSubDomainName` (Cognitive Services).
    CustomSubDomain,
    /// Host names are generated or regional and cannot be derived from the resource name alone
    /// (Azure Monitor scopes, Event Grid `{topic}.{region}-1`, Static Web Apps).
    NotNameBased,
}

/// The DNS names and audience of a service in one cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudNames {
    pub cloud: Cloud,
    /// The `privatelink.` zones a private endpoint's A records belong in. Zone groups only write
    /// records into zones named exactly like this.
    pub private_zones: &'static [&'static str],
    /// The public zones the customer-visible names live under (`vault.azure.net`).
    pub public_suffixes: &'static [&'static str],
    /// Further public zones a custom DNS server must forward to Azure DNS besides
    /// `public_suffixes`, because the public CNAME chain passes through them (`vaultcore.azure.net`).
    pub extra_forwarder_zones: &'static [&'static str],
    /// The Entra ID resource / audience a token for the data plane is requested for.
    pub entra_audience: Option<&'static str>,
}

impl CloudNames {
    const fn public(private_zones: &'static [&'static str], public_suffixes: &'static [&'static str]) -> CloudNames {
        CloudNames {
            cloud: Cloud::Public,
            private_zones,
            public_suffixes,
            extra_forwarder_zones: &[],
            entra_audience: None,
        }
    }

    const fn audience(mut self, audience: &'static str) -> CloudNames {
        self.entra_audience = Some(audience);
        self
    }

    const fn forwarders(mut self, zones: &'static [&'static str]) -> CloudNames {
        self.extra_forwarder_zones = zones;
        self
    }
}

/// One row of the catalog: a resource type and the group ids that share the same DNS names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The service as Learn names it.
    pub service: &'static str,
    /// ARM resource type, e.g. `Microsoft.KeyVault/vaults` (compare case-insensitively).
    pub resource_type: &'static str,
    /// Private-link group ids (sub-resources). `sites-{slotName}` stands for every slot.
    pub group_ids: &'static [&'static str],
    pub host: HostLabel,
    pub ports: &'static [ServicePort],
    /// Service tag covering the service's public endpoints, for NSG rules.
    pub service_tag: Option<&'static str>,
    names: &'static [CloudNames],
}

impl ServiceEntry {
    /// The entry's names in `cloud`, if the catalog knows them there.
    pub fn names(&self, cloud: Cloud) -> Option<&'static CloudNames> {
        self.names.iter().find(|n| n.cloud == cloud)
    }

    pub fn private_zones(&self, cloud: Cloud) -> &'static [&'static str] {
        self.names(cloud).map_or(&[], |n| n.private_zones)
    }

    pub fn public_suffixes(&self, cloud: Cloud) -> &'static [&'static str] {
        self.names(cloud).map_or(&[], |n| n.public_suffixes)
    }

    /// Every public zone a conditional forwarder must send to Azure DNS for this service.
    pub fn forwarder_zones(&self, cloud: Cloud) -> Vec<&'static str> {
        self.names(cloud)
            .map_or_else(Vec::new, |n| n.public_suffixes.iter().chain(n.extra_forwarder_zones).copied().collect())
    }

    pub fn entra_audience(&self, cloud: Cloud) -> Option<&'static str> {
        self.names(cloud).and_then(|n| n.entra_audience)
    }

    /// Whether `group_id` is one of this entry's group ids (case-insensitive; `sites-{slotName}`
    /// matches any `sites-<slot>`).
    pub fn serves_group(&self, group_id: &str) -> bool {
        self.group_ids.iter().any(|pattern| group_matches(pattern, group_id))
    }

    pub fn is_type(&self, resource_type: &str) -> bool {
        self.resource_type.eq_ignore_ascii_case(resource_type)
    }

    /// Ports clients use in the default configuration.
    pub fn default_ports(&self) -> impl Iterator<Item = &'static ServicePort> {
        self.ports.iter().filter(|p| p.usage == PortUsage::Default)
    }
}

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
static CATALOG: &[ServiceEntry] = &[
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

/// Virtual network service endpoint names (`serviceEndpoints[].service` on a subnet) per resource
/// type. Source: Learn "Virtual Network service endpoints" (service list); azure-semantics §5 names
/// `Microsoft.KeyVault`, `Microsoft.Sql` and `Microsoft.Storage`; the other rows are UNVERIFIED here.
static SERVICE_ENDPOINTS: &[(&str, &str)] = &[
    ("Microsoft.Sql/servers", "Microsoft.Sql"),
    ("Microsoft.KeyVault/vaults", "Microsoft.KeyVault"),
    ("Microsoft.Storage/storageAccounts", "Microsoft.Storage"),
    ("Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices"),
    ("Microsoft.DocumentDB/databaseAccounts", "Microsoft.AzureCosmosDB"),
    ("Microsoft.ServiceBus/namespaces", "Microsoft.ServiceBus"),
    ("Microsoft.EventHub/namespaces", "Microsoft.EventHub"),
    ("Microsoft.Web/sites", "Microsoft.Web"),
    ("Microsoft.ContainerRegistry/registries", "Microsoft.ContainerRegistry"),
];

/// The service endpoint that covers a resource type's public endpoint, if service endpoints exist for it.
pub fn service_endpoint_service(resource_type: &str) -> Option<&'static str> {
    SERVICE_ENDPOINTS.iter().find(|(t, _)| t.eq_ignore_ascii_case(resource_type)).map(|(_, s)| *s)
}

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

/// Every row of the catalog, in table order.
pub fn catalog() -> &'static [ServiceEntry] {
    CATALOG
}

/// The entry for a resource type and group id (both case-insensitive). Where two rows share both
/// (`Microsoft.Cache/redisEnterprise`), the first is returned; see [`entries_for`].
pub fn lookup(resource_type: &str, group_id: &str) -> Option<&'static ServiceEntry> {
    entries_for(resource_type, group_id).next()
}

/// Every entry for a resource type and group id, in table order.
pub fn entries_for<'a>(resource_type: &'a str, group_id: &'a str) -> impl Iterator<Item = &'static ServiceEntry> + 'a {
    CATALOG.iter().filter(move |e| e.is_type(resource_type) && e.serves_group(group_id))
}

/// Every entry for a resource type (all its group ids), in table order.
pub fn entries_for_type(resource_type: &str) -> impl Iterator<Item = &'static ServiceEntry> + '_ {
    CATALOG.iter().filter(move |e| e.is_type(resource_type))
}

/// The `privatelink.` zone(s) for a resource type and group id, placeholders left in.
pub fn private_zones(cloud: Cloud, resource_type: &str, group_id: &str) -> &'static [&'static str] {
    lookup(resource_type, group_id).map_or(&[], |e| e.private_zones(cloud))
}

/// Per-resource values that fill the placeholders of templated names and pick among a
/// Cognitive Services account's host names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameHints<'a> {
    /// Cognitive Services account `kind` (`OpenAI`, `AIServices`, `TextAnalytics`, …).
    pub account_kind: Option<&'a str>,
    /// Cognitive Services `customSubDomainName`.
    pub custom_sub_domain: Option<&'a str>,
    /// Azure region name (`westeurope`): ACR data endpoints, Managed Redis, Redis Enterprise.
    pub region: Option<&'a str>,
    /// SQL managed instance DNS zone (`properties.dnsZone`).
    pub dns_prefix: Option<&'a str>,
    /// Static Web Apps partition id.
    pub partition_id: Option<&'a str>,
}

/// The `privatelink.` zones for a resource type and group id with placeholders filled from
/// `hints`; zones whose placeholder has no value are left out.
pub fn private_zone_names(cloud: Cloud, resource_type: &str, group_id: &str, hints: &NameHints<'_>) -> Vec<DnsName> {
    private_zones(cloud, resource_type, group_id)
        .iter()
        .filter_map(|zone| fill_placeholders(zone, hints))
        .filter_map(|zone| DnsName::parse(&zone).ok())
        .collect()
}

/// The customer-visible host name(s) of a resource for one group id, e.g. `kv1.vault.azure.net`.
///
/// Empty when the catalog does not know the type or group, when host names are not derived from
/// the name ([`HostLabel::NotNameBased`]), or when a Cognitive Services account has no custom
/// subdomain in `hints`. Suffixes whose placeholder has no value in `hints` are left out.
pub fn customer_fqdns(
    cloud: Cloud,
    resource_type: &str,
    name: &str,
    group_id: &str,
    hints: &NameHints<'_>,
) -> Vec<DnsName> {
    let Some(entry) = lookup(resource_type, group_id) else {
        return Vec::new();
    };
    let host = match entry.host {
        HostLabel::NotNameBased => return Vec::new(),
        HostLabel::CustomSubDomain => match hints.custom_sub_domain {
            Some(sub) => sub.to_string(),
            None => return Vec::new(),
        },
        HostLabel::ResourceName => host_label_for_group(name, group_id),
    };
    let suffixes: Vec<&str> = match entry.host {
        HostLabel::CustomSubDomain => cognitive_suffixes(entry.public_suffixes(cloud), hints.account_kind),
        _ => entry.public_suffixes(cloud).to_vec(),
    };
    suffixes
        .iter()
        .filter_map(|suffix| fill_placeholders(suffix, hints))
        .filter_map(|suffix| DnsName::parse(&format!("{host}.{suffix}")).ok())
        .collect()
}

/// Secondary storage endpoints are `{account}-secondary.…` and slots are `{app}-{slot}.…`.
fn host_label_for_group(name: &str, group_id: &str) -> String {
    let group = group_id.to_ascii_lowercase();
    if group.ends_with("_secondary") {
        return format!("{name}-secondary");
    }
    if let Some(slot) = group.strip_prefix("sites-") {
        return format!("{name}-{slot}");
    }
    name.to_string()
}

/// An account serves the host names of its kind: OpenAI accounts `openai.azure.com`, AIServices
/// accounts all three, every other kind `cognitiveservices.azure.com` (§1.1 [OBS] on AIServices).
fn cognitive_suffixes(all: &'static [&'static str], kind: Option<&str>) -> Vec<&'static str> {
    let wanted: &[&str] = match kind {
        Some(k) if k.eq_ignore_ascii_case("AIServices") => return all.to_vec(),
        Some(k) if k.eq_ignore_ascii_case("OpenAI") => &["openai.azure.com"],
        _ => &["cognitiveservices.azure.com"],
    };
    all.iter().copied().filter(|s| wanted.contains(s)).collect()
}

/// Whether a name matched a service's public suffix or its `privatelink.` zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneKind {
    Public,
    PrivateLink,
}

/// A host name recognised as belonging to a catalogued service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FqdnMatch {
    pub entry: &'static ServiceEntry,
    pub kind: ZoneKind,
    /// The suffix or zone that matched, placeholders resolved (`vault.azure.net`).
    pub suffix: DnsName,
    /// The catalog's spelling of that suffix (`{region}.data.azurecr.io`).
    pub suffix_pattern: &'static str,
    /// Everything left of the suffix: `kv1`, or `app.scm` in `privatelink.azurewebsites.net`.
    pub relative: String,
    /// The left-most label: the resource's host label (`kv1`, `app`).
    pub host_label: String,
}

/// The catalogued service a host name belongs to, e.g. `kv1.vault.azure.net` → Key Vault, label
/// `kv1`, public suffix `vault.azure.net`. When several rows match equally well (zones shared by
/// several services), the first in table order wins; [`lookup_fqdn_all`] returns them all.
pub fn lookup_fqdn(cloud: Cloud, name: &DnsName) -> Option<FqdnMatch> {
    lookup_fqdn_all(cloud, name).into_iter().next()
}

/// Every catalogued service a host name could belong to, best matches only, in table order.
///
/// A public suffix matches only a name exactly one label below it (the resource's host label),
/// except for services whose host names are not the resource name. A `privatelink.` zone matches
/// any name below it. The most specific match wins: more literal labels, then more labels.
pub fn lookup_fqdn_all(cloud: Cloud, name: &DnsName) -> Vec<FqdnMatch> {
    let labels: Vec<&str> = name.labels().collect();
    let index = pattern_index(cloud);
    let key = last_two(&labels);
    let candidates_for_key = key.as_deref().and_then(|k| index.by_last_two.get(k)).map(Vec::as_slice).unwrap_or(&[]);
    // Patterns in table order, so "best per entry, then best overall" keeps the table's tie order.
    let mut patterns: Vec<&IndexedPattern> = candidates_for_key.iter().chain(index.other.iter()).collect();
    patterns.sort_by_key(|p| p.order);
    let mut candidates: Vec<(Specificity, FqdnMatch)> = Vec::new();
    let mut current: Option<(&'static ServiceEntry, Option<(Specificity, FqdnMatch)>)> = None;
    for p in patterns {
        if current.as_ref().is_some_and(|(e, _)| !std::ptr::eq(*e, p.entry)) {
            candidates.extend(current.take().and_then(|(_, best)| best));
        }
        let slot = &mut current.get_or_insert((p.entry, None)).1;
        let Some(SuffixMatch { specificity, relative_labels }) = match_labels(&labels, &p.labels) else { continue };
        let acceptable = match p.kind {
            ZoneKind::PrivateLink => relative_labels >= 1,
            ZoneKind::Public if p.entry.host == HostLabel::NotNameBased => relative_labels >= 1,
            ZoneKind::Public => relative_labels == 1,
        };
        if !acceptable || slot.as_ref().is_some_and(|(b, _)| *b >= specificity) {
            continue;
        }
        *slot = Some((
            specificity,
            FqdnMatch {
                entry: p.entry,
                kind: p.kind,
                suffix: ancestor(name, relative_labels),
                suffix_pattern: p.pattern,
                host_label: labels[0].to_string(),
                relative: labels[..relative_labels].join("."),
            },
        ));
    }
    candidates.extend(current.and_then(|(_, best)| best));
    let Some(best) = candidates.iter().map(|(s, _)| *s).max() else {
        return Vec::new();
    };
    candidates.into_iter().filter(|(s, _)| *s == best).map(|(_, m)| m).collect()
}

/// One private zone or public suffix pattern of the table, split into labels once.
struct IndexedPattern {
    /// Position in the table (entry, then zones before suffixes), to keep its order.
    order: usize,
    entry: &'static ServiceEntry,
    kind: ZoneKind,
    pattern: &'static str,
    labels: Vec<&'static str>,
}

/// The table's patterns by their last two labels (`windows.net`, `azure.com`): a name is matched
/// against the few patterns that can end it, not the whole table. Patterns whose last two labels
/// are not both literal are tried for every name.
struct PatternIndex {
    by_last_two: std::collections::HashMap<String, Vec<IndexedPattern>>,
    other: Vec<IndexedPattern>,
}

fn last_two(labels: &[&str]) -> Option<String> {
    match labels {
        [.., a, b] => Some(format!("{}.{}", a.to_ascii_lowercase(), b.to_ascii_lowercase())),
        _ => None,
    }
}

fn pattern_index(cloud: Cloud) -> &'static PatternIndex {
    static PUBLIC: std::sync::OnceLock<PatternIndex> = std::sync::OnceLock::new();
    let build = || {
        let mut index = PatternIndex { by_last_two: Default::default(), other: Vec::new() };
        let mut order = 0;
        for entry in CATALOG {
            let Some(names) = entry.names(cloud) else { continue };
            let zones = names.private_zones.iter().map(|z| (ZoneKind::PrivateLink, *z));
            let suffixes = names.public_suffixes.iter().map(|s| (ZoneKind::Public, *s));
            for (kind, pattern) in zones.chain(suffixes) {
                let labels: Vec<&'static str> = pattern.split('.').collect();
                let p = IndexedPattern { order, entry, kind, pattern, labels };
                order += 1;
                let literal_tail =
                    p.labels.len() >= 2 && p.labels[p.labels.len() - 2..].iter().all(|l| !is_placeholder(l));
                match last_two(&p.labels).filter(|_| literal_tail) {
                    Some(key) => index.by_last_two.entry(key).or_default().push(p),
                    None => index.other.push(p),
                }
            }
        }
        index
    };
    match cloud {
        Cloud::Public => PUBLIC.get_or_init(build),
    }
}

/// The `privatelink.` alias Azure's public DNS inserts right after a customer-visible name while
/// the resource has an approved private endpoint connection (§1.2): `kv1.vault.azure.net` →
/// `kv1.privatelink.vaultcore.azure.net`, `app.scm.azurewebsites.net` →
/// `app.scm.privatelink.azurewebsites.net` (§1.1: the scm record lives in the app's zone).
///
/// When the private zone is the public suffix with `privatelink.` in front (possibly below extra
/// labels such as `scm` or `{region}.data`), those labels stay left of `privatelink`; otherwise
/// (Key Vault's `vault.azure.net` → `privatelink.vaultcore.azure.net`) the suffix pairs with the
/// private zone at the same position in the row, or the row's only zone. `None` for a name that is
/// not a customer-visible name of a catalogued service.
pub fn privatelink_alias(cloud: Cloud, name: &DnsName) -> Option<DnsName> {
    let found = lookup_fqdn(cloud, name)?;
    if found.kind != ZoneKind::Public {
        return None;
    }
    let names = found.entry.names(cloud)?;
    let pattern: Vec<&str> = found.suffix_pattern.split('.').collect();
    let suffix: Vec<&str> = found.suffix.labels().collect();
    for zone in names.private_zones {
        let base: Vec<&str> = zone.split('.').skip(1).collect();
        if base.len() <= pattern.len() && pattern.ends_with(&base) {
            let (between, rest) = suffix.split_at(pattern.len() - base.len());
            let labels: Vec<&str> = std::iter::once(found.relative.as_str())
                .chain(between.iter().copied())
                .chain(["privatelink"])
                .chain(rest.iter().copied())
                .collect();
            return DnsName::parse(&labels.join(".")).ok();
        }
    }
    let position = names.public_suffixes.iter().position(|s| *s == found.suffix_pattern)?;
    let zone = match names.private_zones {
        [only] => only,
        zones => zones.get(position)?,
    };
    if zone.split('.').any(is_placeholder) {
        return None;
    }
    DnsName::parse(&format!("{}.{zone}", found.relative)).ok()
}

/// Whether `zone` is exactly a catalogued `privatelink.` zone (templated zones included).
pub fn is_privatelink_zone(cloud: Cloud, zone: &DnsName) -> bool {
    !entries_for_zone(cloud, zone).is_empty()
}

/// The entries whose private endpoints write records into `zone`, in table order.
pub fn entries_for_zone(cloud: Cloud, zone: &DnsName) -> Vec<&'static ServiceEntry> {
    let labels: Vec<&str> = zone.labels().collect();
    CATALOG
        .iter()
        .filter(|e| {
            e.private_zones(cloud).iter().any(|z| match_suffix(&labels, z).is_some_and(|m| m.relative_labels == 0))
        })
        .collect()
}

/// The group ids served by `zone`, without duplicates, in table order
/// (`privatelink.servicebus.windows.net` → `namespace`).
pub fn group_ids_for_zone(cloud: Cloud, zone: &DnsName) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for entry in entries_for_zone(cloud, zone) {
        for group in entry.group_ids {
            if !groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
                groups.push(group);
            }
        }
    }
    groups
}

/// How specifically a name matched a suffix pattern: literal labels count first, so
/// `privatelink.database.windows.net` beats `{dnsPrefix}.database.windows.net`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Specificity {
    literal_labels: usize,
    pattern_labels: usize,
}

/// A name below a suffix pattern: how specific the match is and how many labels are left of it.
#[derive(Debug, Clone, Copy)]
struct SuffixMatch {
    specificity: Specificity,
    relative_labels: usize,
}

/// Matches `labels` (a name, left to right) against a suffix pattern on label boundaries.
fn match_suffix(labels: &[&str], pattern: &str) -> Option<SuffixMatch> {
    let pattern_labels: Vec<&str> = pattern.split('.').collect();
    match_labels(labels, &pattern_labels)
}

/// [`match_suffix`] with the pattern already split into labels.
fn match_labels(labels: &[&str], pattern_labels: &[&str]) -> Option<SuffixMatch> {
    if labels.len() < pattern_labels.len() {
        return None;
    }
    let mut literal_labels = 0;
    for (label, expected) in labels.iter().rev().zip(pattern_labels.iter().rev()) {
        if is_placeholder(expected) {
            if label.eq_ignore_ascii_case("privatelink") {
                return None;
            }
        } else if label.eq_ignore_ascii_case(expected) {
            literal_labels += 1;
        } else {
            return None;
        }
    }
    Some(SuffixMatch {
        specificity: Specificity { literal_labels, pattern_labels: pattern_labels.len() },
        relative_labels: labels.len() - pattern_labels.len(),
    })
}

fn is_placeholder(label: &str) -> bool {
    label.starts_with('{') && label.ends_with('}')
}

/// `name` with its `drop` left-most labels removed.
fn ancestor(name: &DnsName, drop: usize) -> DnsName {
    let mut current = name.clone();
    for _ in 0..drop {
        match current.parent() {
            Some(parent) => current = parent,
            None => break,
        }
    }
    current
}

/// A group id pattern matches case-insensitively; a trailing `{placeholder}` stands for any
/// non-empty rest (`sites-{slotName}` ↔ `sites-staging`).
fn group_matches(pattern: &str, group_id: &str) -> bool {
    match pattern.split_once('{') {
        Some((prefix, _)) => {
            group_id.len() > prefix.len()
                && group_id.is_char_boundary(prefix.len())
                && group_id[..prefix.len()].eq_ignore_ascii_case(prefix)
        }
        None => pattern.eq_ignore_ascii_case(group_id),
    }
}

/// `template` with its placeholders replaced from `hints`; `None` if one has no value.
fn fill_placeholders(template: &str, hints: &NameHints<'_>) -> Option<String> {
    let mut labels = Vec::new();
    for label in template.split('.') {
        let value = match label {
            "{region}" => hints.region?,
            "{dnsPrefix}" => hints.dns_prefix?,
            "{partitionId}" => hints.partition_id?,
            other if is_placeholder(other) => return None,
            other => other,
        };
        labels.push(value);
    }
    Some(labels.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> DnsName {
        DnsName::parse(s).unwrap()
    }

    fn fqdns(v: Vec<DnsName>) -> Vec<String> {
        v.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn lookup_by_type_and_group_is_case_insensitive() {
        let kv = lookup("microsoft.keyvault/VAULTS", "VAULT").unwrap();
        assert_eq!(kv.resource_type, "Microsoft.KeyVault/vaults");
        assert_eq!(kv.private_zones(Cloud::Public), ["privatelink.vaultcore.azure.net"]);
        assert_eq!(kv.service_tag, Some("AzureKeyVault"));
        assert_eq!(kv.entra_audience(Cloud::Public), Some("https://vault.azure.net"));
        assert_eq!(kv.forwarder_zones(Cloud::Public), ["vault.azure.net", "vaultcore.azure.net"]);
        assert!(lookup("Microsoft.KeyVault/vaults", "sqlServer").is_none());
        assert!(lookup("Microsoft.KeyVault/vault", "vault").is_none());
    }

    #[test]
    fn storage_group_ids_pick_their_own_zone() {
        let zones = |g| private_zones(Cloud::Public, "Microsoft.Storage/storageAccounts", g);
        assert_eq!(zones("blob"), ["privatelink.blob.core.windows.net"]);
        assert_eq!(zones("blob_secondary"), ["privatelink.blob.core.windows.net"]);
        assert_eq!(zones("file"), ["privatelink.file.core.windows.net"]);
        assert_eq!(zones("dfs"), ["privatelink.dfs.core.windows.net"]);
        assert!(zones("nope").is_empty());
    }

    #[test]
    fn web_slot_group_ids_match_the_sites_row() {
        let e = lookup("Microsoft.Web/sites", "sites-staging").unwrap();
        assert_eq!(e.private_zones(Cloud::Public), ["privatelink.azurewebsites.net"]);
        assert!(lookup("Microsoft.Web/sites", "sites-").is_none());
        assert!(lookup("Microsoft.Web/sites", "SITES").is_some());
    }

    #[test]
    fn ports_reflect_tls_and_redirect_rules() {
        let redis = lookup("Microsoft.Cache/Redis", "redisCache").unwrap();
        let defaults: Vec<u16> = redis.default_ports().map(|p| p.first).collect();
        assert_eq!(defaults, [6380]);
        assert!(redis.ports.iter().any(|p| p.contains(6379) && p.usage == PortUsage::NonTls));
        let sql = lookup("Microsoft.Sql/servers", "sqlServer").unwrap();
        assert!(sql.ports.iter().any(|p| p.contains(11500) && p.usage == PortUsage::Redirect));
        assert!(sql.ports.iter().any(|p| p.contains(20000) && p.usage == PortUsage::PrivateEndpointRedirect));
        assert!(sql.default_ports().any(|p| p.contains(1433)));
    }

    #[test]
    fn cognitive_services_has_three_zones() {
        let zones = private_zones(Cloud::Public, "Microsoft.CognitiveServices/accounts", "account");
        assert_eq!(
            zones,
            [
                "privatelink.cognitiveservices.azure.com",
                "privatelink.openai.azure.com",
                "privatelink.services.ai.azure.com"
            ]
        );
    }

    #[test]
    fn fqdn_under_public_suffix() {
        let m = lookup_fqdn(Cloud::Public, &name("kv1.vault.azure.net")).unwrap();
        assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
        assert_eq!(m.kind, ZoneKind::Public);
        assert_eq!(m.host_label, "kv1");
        assert_eq!(m.suffix.as_str(), "vault.azure.net");
    }

    #[test]
    fn fqdn_lookup_is_case_insensitive() {
        let m = lookup_fqdn(Cloud::Public, &name("KV1.Vault.Azure.NET.")).unwrap();
        assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
        assert_eq!(m.host_label, "kv1");
    }

    #[test]
    fn fqdn_in_privatelink_zone() {
        let m = lookup_fqdn(Cloud::Public, &name("x.privatelink.vaultcore.azure.net")).unwrap();
        assert_eq!(m.entry.resource_type, "Microsoft.KeyVault/vaults");
        assert_eq!(m.kind, ZoneKind::PrivateLink);
        assert_eq!(m.suffix.as_str(), "privatelink.vaultcore.azure.net");
        assert_eq!(m.host_label, "x");
    }

    #[test]
    fn label_boundary_traps_do_not_match() {
        for trap in [
            "notprivatelink.vaultcore.azure.net",
            "x.notprivatelink.vaultcore.azure.net",
            "kv1.myvault.azure.net",
            "kv1.vault.azure.net.evil.example",
            "vault.azure.net",
            "privatelink.vaultcore.azure.net",
            "a.b.vault.azure.net",
        ] {
            assert!(lookup_fqdn(Cloud::Public, &name(trap)).is_none(), "{trap} must not match");
        }
    }

    #[test]
    fn sql_server_and_managed_instance_are_told_apart() {
        let m = lookup_fqdn(Cloud::Public, &name("srv.database.windows.net")).unwrap();
        assert_eq!(m.entry.resource_type, "Microsoft.Sql/servers");
        let m = lookup_fqdn(Cloud::Public, &name("srv.privatelink.database.windows.net")).unwrap();
        assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/servers", ZoneKind::PrivateLink));
        let m = lookup_fqdn(Cloud::Public, &name("mi1.abc123.database.windows.net")).unwrap();
        assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/managedInstances", ZoneKind::Public));
        assert_eq!(m.suffix_pattern, "{dnsPrefix}.database.windows.net");
        assert_eq!(m.suffix.as_str(), "abc123.database.windows.net");
        let m = lookup_fqdn(Cloud::Public, &name("mi1.privatelink.abc123.database.windows.net")).unwrap();
        assert_eq!((m.entry.resource_type, m.kind), ("Microsoft.Sql/managedInstances", ZoneKind::PrivateLink));
    }

    #[test]
    fn web_scm_names_match_both_forms() {
        let m = lookup_fqdn(Cloud::Public, &name("app.scm.azurewebsites.net")).unwrap();
        assert_eq!((m.entry.resource_type, m.host_label.as_str()), ("Microsoft.Web/sites", "app"));
        assert_eq!(m.suffix.as_str(), "scm.azurewebsites.net");
        let m = lookup_fqdn(Cloud::Public, &name("app.scm.privatelink.azurewebsites.net")).unwrap();
        assert_eq!(m.kind, ZoneKind::PrivateLink);
        assert_eq!((m.relative.as_str(), m.host_label.as_str()), ("app.scm", "app"));
    }

    #[test]
    fn shared_zones_prefer_table_order_and_report_all() {
        let n = name("acct.blob.core.windows.net");
        let m = lookup_fqdn(Cloud::Public, &n).unwrap();
        assert_eq!(m.entry.service, "Azure Storage (blob)");
        let all: Vec<&str> = lookup_fqdn_all(Cloud::Public, &n).iter().map(|m| m.entry.resource_type).collect();
        assert_eq!(all, ["Microsoft.Storage/storageAccounts", "Microsoft.Insights/privateLinkScopes"]);
        let sb = lookup_fqdn_all(Cloud::Public, &name("ns1.privatelink.servicebus.windows.net"));
        assert_eq!(sb.len(), 3);
    }

    #[test]
    fn regional_templates_match_one_label() {
        let m = lookup_fqdn(Cloud::Public, &name("reg1.westeurope.data.azurecr.io")).unwrap();
        assert_eq!((m.entry.resource_type, m.host_label.as_str()), ("Microsoft.ContainerRegistry/registries", "reg1"));
        let m = lookup_fqdn(Cloud::Public, &name("c1.westeurope.redis.azure.net")).unwrap();
        assert_eq!(m.entry.service, "Azure Managed Redis");
        let m = lookup_fqdn(Cloud::Public, &name("c1.privatelink.redis.azure.net")).unwrap();
        assert_eq!(m.kind, ZoneKind::PrivateLink);
    }

    #[test]
    fn privatelink_aliases_follow_the_public_chain() {
        let alias = |n: &str| privatelink_alias(Cloud::Public, &name(n)).map(|a| a.to_string());
        assert_eq!(alias("kv1.vault.azure.net").as_deref(), Some("kv1.privatelink.vaultcore.azure.net"));
        assert_eq!(alias("sql1.database.windows.net").as_deref(), Some("sql1.privatelink.database.windows.net"));
        assert_eq!(alias("oai.openai.azure.com").as_deref(), Some("oai.privatelink.openai.azure.com"));
        assert_eq!(alias("acct.blob.core.windows.net").as_deref(), Some("acct.privatelink.blob.core.windows.net"));
        assert_eq!(alias("app.scm.azurewebsites.net").as_deref(), Some("app.scm.privatelink.azurewebsites.net"));
        assert_eq!(
            alias("mi1.abc123.database.windows.net").as_deref(),
            Some("mi1.privatelink.abc123.database.windows.net")
        );
        assert_eq!(alias("kv1.privatelink.vaultcore.azure.net"), None);
        assert_eq!(alias("www.example.com"), None);
    }

    #[test]
    fn privatelink_zone_recognition() {
        let yes = |z: &str| is_privatelink_zone(Cloud::Public, &name(z));
        assert!(yes("privatelink.vaultcore.azure.net"));
        assert!(yes("PrivateLink.Database.Windows.Net"));
        assert!(yes("privatelink.abc123.database.windows.net"));
        assert!(!yes("vaultcore.azure.net"));
        assert!(!yes("x.privatelink.vaultcore.azure.net"));
        assert!(!yes("privatelink.vault.azure.net"));
        assert!(!yes("privatelink.privatelink.database.windows.net"));
        assert!(!yes("notprivatelink.vaultcore.azure.net"));
    }

    #[test]
    fn group_ids_served_by_a_zone() {
        let groups = |z: &str| group_ids_for_zone(Cloud::Public, &name(z));
        assert_eq!(groups("privatelink.vaultcore.azure.net"), ["vault"]);
        assert_eq!(groups("privatelink.blob.core.windows.net"), ["blob", "blob_secondary", "azuremonitor"]);
        assert_eq!(groups("privatelink.servicebus.windows.net"), ["namespace"]);
        assert_eq!(groups("privatelink.openai.azure.com"), ["account"]);
        assert!(groups("privatelink.example.com").is_empty());
    }

    #[test]
    fn customer_fqdns_of_the_seed_backends() {
        let none = NameHints::default();
        let f = |t, n, g, h: &NameHints<'_>| fqdns(customer_fqdns(Cloud::Public, t, n, g, h));
        assert_eq!(f("Microsoft.Sql/servers", "sql1", "sqlServer", &none), ["sql1.database.windows.net"]);
        assert_eq!(f("Microsoft.Cache/Redis", "r1", "redisCache", &none), ["r1.redis.cache.windows.net"]);
        assert_eq!(f("Microsoft.KeyVault/vaults", "KV1", "vault", &none), ["kv1.vault.azure.net"]);
        assert_eq!(
            f("Microsoft.Web/sites", "app", "sites", &none),
            ["app.azurewebsites.net", "app.scm.azurewebsites.net"]
        );
        assert_eq!(
            f("Microsoft.Web/sites", "app", "sites-staging", &none),
            ["app-staging.azurewebsites.net", "app-staging.scm.azurewebsites.net"]
        );
    }

    #[test]
    fn customer_fqdns_of_cognitive_accounts_follow_kind() {
        let f = |kind| {
            let hints = NameHints { account_kind: Some(kind), custom_sub_domain: Some("oai1"), ..Default::default() };
            fqdns(customer_fqdns(Cloud::Public, "Microsoft.CognitiveServices/accounts", "acct", "account", &hints))
        };
        assert_eq!(f("OpenAI"), ["oai1.openai.azure.com"]);
        assert_eq!(f("TextAnalytics"), ["oai1.cognitiveservices.azure.com"]);
        assert_eq!(
            f("AIServices"),
            ["oai1.cognitiveservices.azure.com", "oai1.openai.azure.com", "oai1.services.ai.azure.com"]
        );
        let no_subdomain = NameHints { account_kind: Some("OpenAI"), ..Default::default() };
        let names =
            customer_fqdns(Cloud::Public, "Microsoft.CognitiveServices/accounts", "a", "account", &no_subdomain);
        assert!(names.is_empty());
    }

    #[test]
    fn customer_fqdns_of_storage_and_templated_services() {
        let none = NameHints::default();
        let st = |g, h: &NameHints<'_>| {
            fqdns(customer_fqdns(Cloud::Public, "Microsoft.Storage/storageAccounts", "acct", g, h))
        };
        assert_eq!(st("blob", &none), ["acct.blob.core.windows.net"]);
        assert_eq!(st("file", &none), ["acct.file.core.windows.net"]);
        assert_eq!(st("blob_secondary", &none), ["acct-secondary.blob.core.windows.net"]);

        let acr = |h: &NameHints<'_>| {
            fqdns(customer_fqdns(Cloud::Public, "Microsoft.ContainerRegistry/registries", "reg1", "registry", h))
        };
        assert_eq!(acr(&none), ["reg1.azurecr.io"]);
        let we = NameHints { region: Some("westeurope"), ..Default::default() };
        assert_eq!(acr(&we), ["reg1.azurecr.io", "reg1.westeurope.data.azurecr.io"]);

        let mi = NameHints { dns_prefix: Some("abc123"), ..Default::default() };
        let names = customer_fqdns(Cloud::Public, "Microsoft.Sql/managedInstances", "mi1", "managedInstance", &mi);
        assert_eq!(fqdns(names), ["mi1.abc123.database.windows.net"]);
        let zones = private_zone_names(Cloud::Public, "Microsoft.Sql/managedInstances", "managedInstance", &mi);
        assert_eq!(fqdns(zones), ["privatelink.abc123.database.windows.net"]);

        let monitor = customer_fqdns(Cloud::Public, "Microsoft.Insights/privateLinkScopes", "s", "azuremonitor", &none);
        assert!(monitor.is_empty());
        assert!(customer_fqdns(Cloud::Public, "Microsoft.Nope/things", "x", "y", &none).is_empty());
    }

    /// The table's own invariants, so a typo in a new row fails here rather than in a lookup.
    #[test]
    fn table_is_well_formed() {
        const PLACEHOLDERS: [&str; 3] = ["{region}", "{dnsPrefix}", "{partitionId}"];
        for e in catalog() {
            assert!(e.resource_type.contains('/'), "{}", e.service);
            assert!(!e.group_ids.is_empty(), "{}", e.service);
            assert!(!e.ports.is_empty(), "{}", e.service);
            assert!(e.ports.iter().all(|p| p.first <= p.last), "{}", e.service);
            let names = e.names(Cloud::Public).unwrap_or_else(|| panic!("{} has no public names", e.service));
            assert!(!names.private_zones.is_empty() && !names.public_suffixes.is_empty(), "{}", e.service);
            for zone in names.private_zones {
                assert!(zone.starts_with("privatelink."), "{zone}");
            }
            for pattern in names.private_zones.iter().chain(names.public_suffixes).chain(names.extra_forwarder_zones) {
                for label in pattern.split('.') {
                    assert!(
                        PLACEHOLDERS.contains(&label) || DnsName::parse(label).is_ok_and(|n| n.as_str() == label),
                        "{pattern}: label {label} is neither lower-case DNS nor a known placeholder"
                    );
                }
            }
        }
    }

    #[test]
    fn type_and_group_pairs_are_unique_except_redis_enterprise() {
        for (i, a) in catalog().iter().enumerate() {
            for b in &catalog()[i + 1..] {
                let shared = a.is_type(b.resource_type) && a.group_ids.iter().any(|g| b.serves_group(g));
                if shared {
                    assert_eq!(a.resource_type, "Microsoft.Cache/redisEnterprise", "{} / {}", a.service, b.service);
                }
            }
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    /// The full-table scan the index replaces: every pattern of every entry, best per entry, then
    /// the best overall.
    fn naive(name: &DnsName) -> Vec<(String, &'static str)> {
        let labels: Vec<&str> = name.labels().collect();
        let mut candidates: Vec<(Specificity, (String, &'static str))> = Vec::new();
        for entry in CATALOG {
            let names = entry.names(Cloud::Public).unwrap();
            let mut best: Option<(Specificity, (String, &'static str))> = None;
            let zones = names.private_zones.iter().map(|z| (ZoneKind::PrivateLink, *z));
            for (kind, pattern) in zones.chain(names.public_suffixes.iter().map(|s| (ZoneKind::Public, *s))) {
                let Some(m) = match_suffix(&labels, pattern) else { continue };
                let ok = match kind {
                    ZoneKind::PrivateLink => m.relative_labels >= 1,
                    ZoneKind::Public if entry.host == HostLabel::NotNameBased => m.relative_labels >= 1,
                    ZoneKind::Public => m.relative_labels == 1,
                };
                if ok && best.as_ref().is_none_or(|(b, _)| *b < m.specificity) {
                    best = Some((m.specificity, (entry.service.to_string(), pattern)));
                }
            }
            candidates.extend(best);
        }
        let Some(top) = candidates.iter().map(|(s, _)| *s).max() else { return Vec::new() };
        candidates.into_iter().filter(|(s, _)| *s == top).map(|(_, m)| m).collect()
    }

    #[test]
    fn the_index_answers_what_a_full_scan_answers() {
        let mut names: Vec<String> = Vec::new();
        for entry in CATALOG {
            let n = entry.names(Cloud::Public).unwrap();
            for p in n.private_zones.iter().chain(n.public_suffixes) {
                let concrete =
                    p.replace("{region}", "westeurope").replace("{dnsPrefix}", "abc123").replace("{partitionId}", "1");
                names.push(format!("myres.{concrete}"));
                names.push(format!("a.b.{concrete}"));
                names.push(concrete.clone());
                names.push(format!("myres.privatelink.{concrete}"));
            }
        }
        names.extend(
            ["example.com", "notprivatelink.vaultcore.azure.net", "kv1.myvault.azure.net", "x.y"].map(String::from),
        );
        for n in names {
            let name = DnsName::parse(&n).unwrap();
            let indexed: Vec<(String, &'static str)> = lookup_fqdn_all(Cloud::Public, &name)
                .into_iter()
                .map(|m| (m.entry.service.to_string(), m.suffix_pattern))
                .collect();
            assert_eq!(indexed, naive(&name), "{n}");
        }
    }
}
