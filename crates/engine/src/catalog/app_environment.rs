//! What App Service puts in an app's environment: the variable names it sets, the prefixes of app
//! settings and connection strings, and the settings it keeps out of the container.
//! Sources: azure-semantics §14.2–§14.3 (Learn "Environment variables and app settings in Azure App
//! Service", https://learn.microsoft.com/azure/app-service/reference-app-settings; "Configure an App
//! Service app", https://learn.microsoft.com/azure/app-service/configure-common; ARM
//! `ConnStringInfo.type`).

/// The prefix of the copy of an app setting App Service sets (`APPSETTING_{name}`).
pub const APP_SETTING_PREFIX: &str = "APPSETTING_";

/// Connection string `type` → the prefix of its variable (`SQLAZURECONNSTR_{name}`), matched
/// case-insensitively. `ApiHub` comes from .NET's environment configuration provider.
static CONNECTION_STRING_PREFIXES: &[(&str, &str)] = &[
    ("SQLAzure", "SQLAZURECONNSTR_"),
    ("SQLServer", "SQLCONNSTR_"),
    ("MySql", "MYSQLCONNSTR_"),
    ("PostgreSQL", "POSTGRESQLCONNSTR_"),
    ("Custom", "CUSTOMCONNSTR_"),
    ("NotificationHub", "NOTIFICATIONHUBCONNSTR_"),
    ("ServiceBus", "SERVICEBUSCONNSTR_"),
    ("EventHub", "EVENTHUBCONNSTR_"),
    ("DocDb", "DOCDBCONNSTR_"),
    ("RedisCache", "REDISCACHECONNSTR_"),
    ("ApiHub", "APIHUBCONNSTR_"),
];

/// The prefix of a connection string of `kind`; `None` for a type App Service does not list (it
/// then takes the `Custom` prefix, as a connection string without a type does).
pub fn connection_string_prefix(kind: Option<&str>) -> Option<&'static str> {
    let kind = kind?;
    CONNECTION_STRING_PREFIXES.iter().find(|(k, _)| k.eq_ignore_ascii_case(kind)).map(|(_, p)| *p)
}

/// The prefix of the `Custom` type.
pub const CUSTOM_CONNECTION_STRING_PREFIX: &str = "CUSTOMCONNSTR_";

/// App settings the platform reads and does not pass into the container (S-APPSET): the port it
/// routes to and the registry credentials it pulls the image with.
pub static SETTINGS_KEPT_FROM_CONTAINER: &[&str] = &[
    "WEBSITES_PORT",
    "DOCKER_REGISTRY_SERVER_URL",
    "DOCKER_REGISTRY_SERVER_USERNAME",
    "DOCKER_REGISTRY_SERVER_PASSWORD",
];

/// `HOME` on Linux and on Windows.
pub const HOME_LINUX: &str = "/home";
pub const HOME_WINDOWS: &str = "D:\\home";

/// The example token endpoint of Learn's managed identity page (S-MI raw example).
pub const DOCUMENTED_IDENTITY_ENDPOINT: &str = "http://localhost:4141/MSI/token";
