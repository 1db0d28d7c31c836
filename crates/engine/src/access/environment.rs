//! The environment App Service hands an app (azure-semantics §14.2–§14.3): the platform's
//! variables, every app setting (and its `APPSETTING_` copy), every connection string under its
//! type's prefix, and each Key Vault reference among them resolved as App Service resolves it
//! ([`super::references`]). privlink holds no secret values: a resolved reference's value is a
//! placeholder naming the secret, an unresolved one the literal reference the app receives (§7.3).

use super::references::{self, Resolution};
use super::runs_on_linux;
use crate::catalog::{self, Cloud, NameHints};
use crate::dns::Resolver;
use crate::path::representative_app_address;
use privlink_model::{arm_type, Model, ResourceId, Site};
use serde::Serialize;

/// Where a variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Source {
    /// Set by App Service itself.
    #[serde(rename = "platform")]
    Platform,
    #[serde(rename = "appsetting")]
    AppSetting,
    #[serde(rename = "connectionstring")]
    ConnectionString,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Platform => "platform",
            Source::AppSetting => "appsetting",
            Source::ConnectionString => "connectionstring",
        }
    }
}

/// What only the runtime hosting the app knows: a twin's token endpoint and header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformValues {
    /// The managed-identity token endpoint; `None`: Learn's example endpoint (I14).
    pub identity_endpoint: Option<String>,
    /// The `X-IDENTITY-HEADER` secret; `None`: not invented, shown as [`SET_BY_PLATFORM`] (I14).
    pub identity_header: Option<String>,
}

/// The value shown for a platform secret no twin supplied.
pub const SET_BY_PLATFORM: &str = "<set by the platform>";

/// One variable of the app's environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variable {
    pub name: String,
    pub source: Source,
    /// The value as the app sees it (for a resolved Key Vault reference, a placeholder).
    pub value: String,
    /// Whether the value is a secret the output must not show unless asked: a customer's app
    /// setting or connection string value, or a twin's identity header.
    pub secret: bool,
    /// The app setting or connection string the variable carries.
    pub setting: Option<String>,
    /// The Key Vault reference's resolution, when the setting is one.
    pub reference: Option<Resolution>,
    /// Modelling choices (`access::assumptions`, `path::assumptions`) the variable rests on.
    pub assumptions: Vec<&'static str>,
}

/// An app setting App Service keeps out of the container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Withheld {
    pub name: String,
    pub reason: &'static str,
}

/// The environment of one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environment {
    pub app: ResourceId,
    /// Platform variables first (in the order of §14.2), then app settings, then connection
    /// strings, each by name.
    pub variables: Vec<Variable>,
    pub withheld: Vec<Withheld>,
}

impl Environment {
    /// The Key Vault references, one per setting (a setting's `APPSETTING_` copy repeats it).
    pub fn references(&self) -> impl Iterator<Item = (&str, &Resolution)> {
        let mut seen = std::collections::BTreeSet::new();
        self.variables.iter().filter_map(move |v| {
            let setting = v.setting.as_deref()?;
            let r = v.reference.as_ref()?;
            seen.insert((v.source, setting)).then_some((setting, r))
        })
    }
}

/// The placeholder for a resolved reference's secret value.
fn secret_placeholder(r: &Resolution) -> String {
    let mut name = format!("{}/{}", r.vault.as_deref().unwrap_or("?"), r.secret.as_deref().unwrap_or("?"));
    if let Some(version) = &r.version {
        name = format!("{name}/{version}");
    }
    format!("<secret {name}>")
}

/// A customer setting's variable: the value the app sees, whether it is secret, its reference.
fn setting_value(model: &Model, resolver: &Resolver, site: &Site, value: &str) -> (String, bool, Option<Resolution>) {
    match references::resolve(model, resolver, site, value) {
        None => (value.to_string(), true, None),
        Some(r) if r.resolved() => (secret_placeholder(&r), false, Some(r)),
        // The app receives the literal reference, which holds no secret (§7.3).
        Some(r) => (value.to_string(), false, Some(r)),
    }
}

fn platform(name: &str, value: impl Into<String>, assumptions: Vec<&'static str>) -> Variable {
    Variable {
        name: name.into(),
        source: Source::Platform,
        value: value.into(),
        secret: false,
        setting: None,
        reference: None,
        assumptions,
    }
}

/// The variables App Service sets itself (§14.2).
fn platform_variables(model: &Model, site: &Site, linux: bool, values: &PlatformValues) -> Vec<Variable> {
    let id = &site.meta.id;
    let mut out = vec![platform("WEBSITE_SITE_NAME", &site.meta.name, vec![])];
    let hints = NameHints::default();
    let host = site.default_host_name.clone().or_else(|| {
        catalog::customer_fqdns(Cloud::Public, arm_type::SITES, &site.meta.name, "sites", &hints)
            .first()
            .map(ToString::to_string)
    });
    if let Some(host) = host {
        out.push(platform("WEBSITE_HOSTNAME", host, vec![]));
    }
    let group = id.resource_group();
    if let Some(group) = group {
        out.push(platform("WEBSITE_RESOURCE_GROUP", group, vec![]));
    }
    let location = site.meta.location.as_deref();
    if let (Some(sub), Some(group), Some(location)) = (id.subscription(), group, location) {
        let region: String = location.chars().filter(|c| !c.is_whitespace()).collect();
        let suffix = if linux { "-Linux" } else { "" };
        out.push(platform("WEBSITE_OWNER_NAME", format!("{sub}+{group}-{region}webspace{suffix}"), vec!["I15"]));
    }
    if let Some(location) = location {
        out.push(platform("REGION_NAME", location, vec!["I15"]));
    }
    let plan = site.plan.as_ref().and_then(|p| model.resources.plans.get(p));
    if let Some(tier) = plan.and_then(|p| p.sku_tier.as_deref()) {
        out.push(platform("WEBSITE_SKU", tier, vec!["I15"]));
    }
    out.push(platform("HOME", if linux { catalog::HOME_LINUX } else { catalog::HOME_WINDOWS }, vec![]));
    if linux && site.app_setting("PORT").is_none() {
        let port = site.app_setting("WEBSITES_PORT").unwrap_or("8080");
        out.push(platform("PORT", port, vec!["I13"]));
    }
    let subnet = site.integration_subnet.as_ref().and_then(|s| model.resources.subnets.get(&s.value));
    if let Some(address) = subnet.and_then(representative_app_address) {
        out.push(platform("WEBSITE_PRIVATE_IP", address.to_string(), vec!["A1"]));
    }
    if site.identity.has_system_assigned() || !site.identity.user_assigned.is_empty() {
        let endpoint = values.identity_endpoint.as_deref().unwrap_or(catalog::DOCUMENTED_IDENTITY_ENDPOINT);
        let header = |name: &str| match &values.identity_header {
            Some(h) => Variable { secret: true, ..platform(name, h, vec!["I14"]) },
            None => platform(name, SET_BY_PLATFORM, vec!["I14"]),
        };
        let endpoint_assumptions = if values.identity_endpoint.is_some() { vec![] } else { vec!["I14"] };
        out.push(platform("IDENTITY_ENDPOINT", endpoint, endpoint_assumptions.clone()));
        out.push(header("IDENTITY_HEADER"));
        out.push(platform("MSI_ENDPOINT", endpoint, vec!["I14"]));
        out.push(header("MSI_SECRET"));
    }
    out
}

/// The environment App Service hands `site`, with `values` from the runtime hosting it.
pub fn environment(model: &Model, resolver: &Resolver, site: &Site, values: &PlatformValues) -> Environment {
    let linux = runs_on_linux(model, site);
    let mut variables = platform_variables(model, site, linux, values);
    let mut withheld = Vec::new();
    for (name, value) in &site.app_settings {
        if catalog::SETTINGS_KEPT_FROM_CONTAINER.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            withheld.push(Withheld {
                name: name.clone(),
                reason: "App Service reads this setting itself and does not pass it into the container",
            });
            continue;
        }
        let (shown, secret, reference) = setting_value(model, resolver, site, value);
        let variable = if linux { name.replace('.', "_") } else { name.clone() };
        for variable in [variable.clone(), format!("{}{variable}", catalog::APP_SETTING_PREFIX)] {
            variables.push(Variable {
                name: variable,
                source: Source::AppSetting,
                value: shown.clone(),
                secret,
                setting: Some(name.clone()),
                reference: reference.clone(),
                assumptions: vec!["I12"],
            });
        }
    }
    for (name, cs) in &site.connection_strings {
        let prefix =
            catalog::connection_string_prefix(cs.kind.as_deref()).unwrap_or(catalog::CUSTOM_CONNECTION_STRING_PREFIX);
        let (shown, secret, reference) = setting_value(model, resolver, site, &cs.value);
        variables.push(Variable {
            name: format!("{prefix}{name}"),
            source: Source::ConnectionString,
            value: shown,
            secret,
            setting: Some(name.clone()),
            reference,
            assumptions: vec![],
        });
    }
    Environment { app: site.meta.id.clone(), variables, withheld }
}
