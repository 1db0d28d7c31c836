//! Private-link targets (backends) and the child documents that refine them.

use super::access::read_access_policies;
use super::meta;
use crate::reader::Reader;
use privlink_model::*;
use serde_json::Value;

fn read_backend_connections(rd: &mut Reader, pointer: &str, out: &mut Vec<BackendConnection>) {
    for i in 0..rd.array(pointer).len() {
        let base = format!("{pointer}/{i}");
        let id = rd.str(&format!("{base}/id")).and_then(|s| ResourceId::parse(s).ok());
        out.push(BackendConnection {
            name: rd
                .string(&format!("{base}/name"))
                .or_else(|| id.as_ref().map(|i| i.name().to_string()))
                .unwrap_or_default(),
            id,
            private_endpoint: rd.reference(&format!("{base}/properties/privateEndpoint")),
            status: rd
                .string(&format!("{base}/properties/privateLinkServiceConnectionState/status"))
                .map(|s| ConnectionStatus::parse(&s))
                .unwrap_or(ConnectionStatus::Pending),
            group_ids: rd.strings(&format!("{base}/properties/groupIds")),
        });
    }
}

fn host_of(url_or_host: &str) -> String {
    let s = url_or_host.split("://").nth(1).unwrap_or(url_or_host);
    s.split(['/', ':']).next().unwrap_or(s).to_ascii_lowercase()
}

pub(super) fn read_backend(doc: &Document, kind: BackendKind, rd: &mut Reader) -> Backend {
    let network_acls = rd.get("/properties/networkAcls").map(|_| {
        let bypass = rd
            .string("/properties/networkAcls/bypass")
            .map(|b| b.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let mut ip_rules = Vec::new();
        for i in 0..rd.array("/properties/networkAcls/ipRules").len() {
            ip_rules.extend(rd.string(&format!("/properties/networkAcls/ipRules/{i}/value")));
        }
        let mut virtual_network_rules = Vec::new();
        for i in 0..rd.array("/properties/networkAcls/virtualNetworkRules").len() {
            virtual_network_rules.extend(rd.reference(&format!("/properties/networkAcls/virtualNetworkRules/{i}")));
        }
        NetworkAcls {
            default_action: rd.string("/properties/networkAcls/defaultAction"),
            bypass,
            ip_rules,
            virtual_network_rules,
        }
    });
    let mut connections = Vec::new();
    read_backend_connections(rd, "/properties/privateEndpointConnections", &mut connections);
    let mut declared_hosts = Vec::new();
    for p in
        ["/properties/fullyQualifiedDomainName", "/properties/hostName", "/properties/vaultUri", "/properties/endpoint"]
    {
        if let Some(h) = rd.str(p).filter(|h| !h.is_empty()) {
            declared_hosts.push(host_of(h));
        }
    }
    if let Some(eps) = rd.get("/properties/endpoints").and_then(Value::as_object) {
        for v in eps.values().filter_map(Value::as_str) {
            declared_hosts.push(host_of(v));
        }
    }
    if let Some(eps) = rd.get("/properties/primaryEndpoints").and_then(Value::as_object) {
        for v in eps.values().filter_map(Value::as_str) {
            declared_hosts.push(host_of(v));
        }
    }
    declared_hosts.sort();
    declared_hosts.dedup();
    let sql_entra_admin = rd.string("/properties/administrators/login");
    let sql_entra_admin_sid = rd.string("/properties/administrators/sid");
    let access_policies = if kind == BackendKind::KeyVault { read_access_policies(rd) } else { Vec::new() };
    Backend {
        meta: meta(doc),
        kind,
        resource_type: doc.id.resource_type(),
        resource_kind: rd.string("/kind"),
        public_network_access: PublicNetworkAccess::parse(rd.str("/properties/publicNetworkAccess")),
        network_acls,
        firewall_rules: Vec::new(),
        sql_virtual_network_rules: Vec::new(),
        connections,
        declared_hosts,
        custom_subdomain: rd.string("/properties/customSubDomainName"),
        sql_connection_policy: None,
        sql_entra_admin,
        sql_entra_admin_sid,
        sql_entra_only: rd.bool("/properties/administrators/azureADOnlyAuthentication"),
        key_vault_rbac: rd.bool("/properties/enableRbacAuthorization"),
        access_policies,
        redis_access_keys_disabled: rd.bool("/properties/disableAccessKeyAuthentication"),
        redis_entra_enabled: rd.bool("/properties/redisConfiguration/aad-enabled"),
        local_auth_disabled: rd.bool("/properties/disableLocalAuth"),
        redis_non_ssl_port_enabled: rd.bool("/properties/enableNonSslPort").unwrap_or(false),
        redis_ssl_port: rd.int("/properties/sslPort").and_then(|p| u16::try_from(p).ok()),
        redis_port: rd.int("/properties/port").and_then(|p| u16::try_from(p).ok()),
    }
}

pub(super) fn apply_backend_child(doc: &Document, r: &mut Resources, rd: &mut Reader) {
    let Some(parent) = doc.id.parent().map(|p| rd.canonical(p)) else { return };
    let Some(backend) = r.backends.get_mut(&parent) else { return };
    let child_type = doc.id.resource_type().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    match child_type.as_str() {
        "privateendpointconnections" => {
            let wrapped = serde_json::json!({ "c": [doc.body.clone()] });
            let mut inner = Reader {
                id: rd.id,
                body: &wrapped,
                origin: rd.origin,
                diagnostics: rd.diagnostics,
                documents: rd.documents,
            };
            let mut found = Vec::new();
            read_backend_connections(&mut inner, "/c", &mut found);
            for c in found {
                backend.connections.retain(|e| !e.name.eq_ignore_ascii_case(&c.name));
                backend.connections.push(c);
            }
            backend.connections.sort_by_key(|c| c.name.to_ascii_lowercase());
        }
        "firewallrules" => {
            let start = rd.string("/properties/startIpAddress").or_else(|| rd.string("/properties/startIP"));
            let end = rd.string("/properties/endIpAddress").or_else(|| rd.string("/properties/endIP"));
            if let (Some(start), Some(end)) = (start, end) {
                backend.firewall_rules.push(FirewallRule { name: doc.id.name().to_string(), start, end });
            }
        }
        // §5.2: `Microsoft.Sql/servers/virtualNetworkRules` (Learn "Use virtual network service
        // endpoints and rules for servers in Azure SQL Database").
        "virtualnetworkrules" if backend.kind == BackendKind::SqlServer => {
            if let Some(subnet) = rd.reference("/properties/virtualNetworkSubnetId") {
                let rule = SqlVirtualNetworkRule {
                    id: doc.id.clone(),
                    name: doc.id.name().to_string(),
                    subnet,
                    ignore_missing_service_endpoint: rd
                        .bool("/properties/ignoreMissingVnetServiceEndpoint")
                        .unwrap_or(false),
                };
                backend.sql_virtual_network_rules.retain(|r| r.id != rule.id);
                backend.sql_virtual_network_rules.push(rule);
                backend.sql_virtual_network_rules.sort_by_key(|r| r.name.to_ascii_lowercase());
            }
        }
        "administrators" => {
            backend.sql_entra_admin = rd.string("/properties/login");
            backend.sql_entra_admin_sid = rd.string("/properties/sid");
            if let Some(only) = rd.bool("/properties/azureADOnlyAuthentication") {
                backend.sql_entra_only = Some(only);
            }
        }
        "azureadonlyauthentications" => {
            backend.sql_entra_only = rd.bool("/properties/azureADOnlyAuthentication");
        }
        "connectionpolicies" => backend.sql_connection_policy = rd.string("/properties/connectionType"),
        _ => {}
    }
}
