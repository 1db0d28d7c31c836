//! App Service sites and the child documents that refine them (config, VNet connections).

use super::meta;
use crate::reader::Reader;
use privlink_model::*;
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn read_site(doc: &Document, rd: &mut Reader) -> Site {
    let integration_subnet = rd
        .str("/properties/virtualNetworkSubnetId")
        .filter(|s| !s.is_empty())
        .and_then(|s| rd.parse_id("/properties/virtualNetworkSubnetId", s))
        .map(|value| Sourced { value, source: doc.id.clone() });
    let route_all =
        rd.bool("/properties/vnetRouteAllEnabled").or_else(|| rd.bool("/properties/siteConfig/vnetRouteAllEnabled"));
    let ovr = "/properties/outboundVnetRouting";
    let outbound_vnet_routing = OutboundVnetRouting {
        all_traffic: rd.bool(&format!("{ovr}/allTraffic")),
        application_traffic: rd.bool(&format!("{ovr}/applicationTraffic")),
        content_share_traffic: rd.bool(&format!("{ovr}/contentShareTraffic")),
        image_pull_traffic: rd.bool(&format!("{ovr}/imagePullTraffic")),
        backup_restore_traffic: rd.bool(&format!("{ovr}/backupRestoreTraffic")),
        managed_identity_traffic: rd.bool(&format!("{ovr}/managedIdentityTraffic")),
    };
    let mut app_settings = BTreeMap::new();
    for i in 0..rd.array("/properties/siteConfig/appSettings").len() {
        let base = format!("/properties/siteConfig/appSettings/{i}");
        if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/value"))) {
            app_settings.insert(k, v);
        }
    }
    let mut connection_strings = BTreeMap::new();
    for i in 0..rd.array("/properties/siteConfig/connectionStrings").len() {
        let base = format!("/properties/siteConfig/connectionStrings/{i}");
        if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/connectionString")))
        {
            connection_strings.insert(k, ConnectionString { value: v, kind: rd.string(&format!("{base}/type")) });
        }
    }
    let identity = ManagedIdentity {
        kind: rd.string("/identity/type").unwrap_or_else(|| "None".into()),
        principal_id: rd.string("/identity/principalId"),
        tenant_id: rd.string("/identity/tenantId"),
        user_assigned: rd
            .get("/identity/userAssignedIdentities")
            .and_then(Value::as_object)
            .map(|m| m.keys().filter_map(|k| ResourceId::parse(k).ok()).map(|id| rd.canonical(id)).collect())
            .unwrap_or_default(),
        ..ManagedIdentity::default()
    };
    let mut identity = identity;
    if let Some(map) = rd.get("/identity/userAssignedIdentities").and_then(Value::as_object) {
        for (key, value) in map {
            let Ok(id) = ResourceId::parse(key) else { continue };
            let id = rd.canonical(id);
            let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_string);
            identity.user_assigned_principals.insert(id.clone(), field("principalId"));
            identity.user_assigned_clients.insert(id, field("clientId"));
        }
    }
    let mut dns_servers = rd.strings("/properties/dnsConfiguration/dnsServers");
    if dns_servers.is_empty() {
        dns_servers = rd.strings("/properties/siteConfig/dnsConfiguration/dnsServers");
    }
    Site {
        meta: meta(doc),
        kind: rd.string("/kind"),
        plan: plan_of(doc, rd),
        integration_subnet,
        vnet_route_all_enabled: route_all.map(|value| Sourced { value, source: doc.id.clone() }),
        outbound_vnet_routing,
        dns_servers,
        dns_alt_server: rd.string("/properties/dnsConfiguration/dnsAltServer"),
        https_only: rd.bool("/properties/httpsOnly"),
        public_network_access: rd.string("/properties/publicNetworkAccess"),
        identity,
        key_vault_reference_identity: rd.string("/properties/keyVaultReferenceIdentity"),
        default_host_name: rd.string("/properties/defaultHostName"),
        host_names: rd.strings("/properties/hostNames"),
        app_settings,
        app_settings_source: None,
        connection_strings,
        web_config_source: None,
    }
}

pub(super) fn apply_site_child(doc: &Document, r: &mut Resources, rd: &mut Reader) {
    let site_id = rd.canonical(doc.id.parent().expect("a site child has a site parent"));
    let Some(site) = r.sites.get_mut(&site_id) else {
        rd.diag(Severity::Info, "LOAD009", "", format!("configuration of app {site_id}, which is not in the estate"));
        return;
    };
    let ty = doc.id.type_key();
    let name = doc.id.name().to_ascii_lowercase();
    if ty == "microsoft.web/sites/config" && name == "appsettings" {
        if let Some(props) = rd.get("/properties").and_then(Value::as_object) {
            for (k, v) in props {
                match v {
                    Value::String(s) => {
                        site.app_settings.insert(k.clone(), s.clone());
                    }
                    Value::Null => {}
                    other => {
                        site.app_settings.insert(k.clone(), other.to_string());
                    }
                }
            }
        }
        site.app_settings_source = Some(doc.id.clone());
    } else if ty == "microsoft.web/sites/config" && name == "connectionstrings" {
        if let Some(props) = rd.get("/properties").and_then(Value::as_object) {
            for (k, v) in props {
                if let Some(value) = v.get("value").and_then(Value::as_str) {
                    let kind = v.get("type").and_then(Value::as_str).map(str::to_string);
                    site.connection_strings.insert(k.clone(), ConnectionString { value: value.to_string(), kind });
                }
            }
        }
    } else if ty == "microsoft.web/sites/config" && name == "web" {
        if let Some(v) = rd.bool("/properties/vnetRouteAllEnabled") {
            if site.vnet_route_all_enabled.as_ref().is_none_or(|s| !s.value) {
                site.vnet_route_all_enabled = Some(Sourced { value: v, source: doc.id.clone() });
            }
        }
        if site.dns_servers.is_empty() {
            site.dns_servers = rd.strings("/properties/dnsConfiguration/dnsServers");
        }
        for i in 0..rd.array("/properties/appSettings").len() {
            let base = format!("/properties/appSettings/{i}");
            if let (Some(k), Some(v)) = (rd.string(&format!("{base}/name")), rd.string(&format!("{base}/value"))) {
                site.app_settings.entry(k).or_insert(v);
            }
        }
        site.web_config_source = Some(doc.id.clone());
    } else if ty == "microsoft.web/sites/virtualnetworkconnections" || ty == "microsoft.web/sites/networkconfig" {
        let pointer = if rd.get("/properties/subnetResourceId").is_some() {
            "/properties/subnetResourceId"
        } else {
            "/properties/vnetResourceId"
        };
        if let Some(subnet) = rd.str(pointer).and_then(|s| rd.parse_id(pointer, s)) {
            if subnet.is_type("Microsoft.Network/virtualNetworks/subnets") && site.integration_subnet.is_none() {
                site.integration_subnet = Some(Sourced { value: subnet, source: doc.id.clone() });
            }
        }
    }
}

/// A site's plan. App Service takes `serverFarmId` as a plan id, and also as a bare plan name in
/// the site's resource group or with a doubled prefix (`/subscriptions//subscriptions/…`):
/// public quickstart templates that write those deploy (azure-quickstart-templates
/// `101-webapp-linux-managed-mysql`, `umbraco-cms-webapp-redis-cache`), so the service reads
/// the name or the last well-formed id in the text. UNVERIFIED beyond those templates.
fn plan_of(doc: &Document, rd: &mut Reader) -> Option<ResourceId> {
    const AT: &str = "/properties/serverFarmId";
    let text = rd.str(AT)?;
    if ResourceId::parse(text).is_ok() {
        return rd.parse_id(AT, text);
    }
    let lower = text.to_ascii_lowercase();
    let lenient = if !text.contains('/') && !text.is_empty() {
        doc.id
            .resource_group_id()
            .map(|group| format!("{}/providers/{}/{text}", group.as_str(), arm_type::SERVER_FARMS))
    } else {
        lower.rfind("/subscriptions/").map(|at| text[at..].to_string()).filter(|tail| ResourceId::parse(tail).is_ok())
    };
    match lenient {
        Some(id) => rd.parse_id(AT, &id),
        None => rd.parse_id(AT, text),
    }
}
