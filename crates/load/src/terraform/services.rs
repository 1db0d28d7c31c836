//! azurerm App Service, backend, firewall and role resources as ARM documents (Appendix A.1; every
//! spelling of A.2 is read).

use super::network::document;
use super::plan::Instance;
use super::{enabled, id_ref, object, Ctx, Mapped, Resolved};
use privlink_model::arm_type;
use serde_json::{json, Map, Value};

/// Maps an App Service, backend, firewall or role resource; `false` when `inst` is of another kind.
pub(super) fn map(ctx: &Ctx, inst: &Instance, out: &mut Mapped) -> bool {
    let mut push = |doc: Option<Value>| out.documents.extend(doc);
    match inst.kind {
        "azurerm_service_plan" | "azurerm_app_service_plan" => push(plan(ctx, inst)),
        "azurerm_linux_web_app"
        | "azurerm_windows_web_app"
        | "azurerm_linux_function_app"
        | "azurerm_windows_function_app"
        | "azurerm_linux_web_app_slot"
        | "azurerm_windows_web_app_slot" => site(ctx, inst, out),
        "azurerm_app_service_virtual_network_swift_connection" => {
            push(document(ctx, inst, arm_type::SITE_NETWORK_CONFIG, Some("")).map(|mut d| {
                d.as_object_mut().expect("object").remove("location");
                d["properties"] = object(vec![
                    ("subnetResourceId", ctx.id(inst, "subnet_id").map(Value::String)),
                    ("swiftSupported", Some(json!(true))),
                ]);
                d
            }))
        }
        "azurerm_mssql_server" => push(document(ctx, inst, arm_type::SQL_SERVERS, None).map(|mut d| {
            let admin = (inst.len("azuread_administrator") > 0).then(|| {
                object(vec![
                    ("administratorType", Some(json!("ActiveDirectory"))),
                    ("login", ctx.known(inst, "azuread_administrator.0.login_username").map(Value::String)),
                    ("sid", ctx.known(inst, "azuread_administrator.0.object_id").map(Value::String)),
                    ("tenantId", ctx.known(inst, "azuread_administrator.0.tenant_id").map(Value::String)),
                    (
                        "azureADOnlyAuthentication",
                        ctx.bool(inst, "azuread_administrator.0.azuread_authentication_only").map(Value::Bool),
                    ),
                ])
            });
            d["properties"] = object(vec![
                ("version", ctx.known(inst, "version").map(Value::String)),
                ("minimalTlsVersion", ctx.known(inst, "minimum_tls_version").map(Value::String)),
                ("publicNetworkAccess", enabled(ctx.bool(inst, "public_network_access_enabled"))),
                ("administrators", admin),
            ]);
            d
        })),
        "azurerm_mssql_database" => push(document(ctx, inst, arm_type::SQL_DATABASES, None).map(|mut d| {
            d["sku"] = object(vec![("name", ctx.known(inst, "sku_name").map(Value::String))]);
            d["properties"] = object(vec![("collation", ctx.known(inst, "collation").map(Value::String))]);
            d
        })),
        "azurerm_redis_cache" => push(document(ctx, inst, arm_type::REDIS, None).map(|mut d| {
            // 4.x: non_ssl_port_enabled; 3.x: enable_non_ssl_port.
            let non_ssl = ctx.bool(inst, "non_ssl_port_enabled").or_else(|| ctx.bool(inst, "enable_non_ssl_port"));
            let mut redis_configuration = Map::new();
            if let Some(aad) = ctx.bool(inst, "redis_configuration.0.active_directory_authentication_enabled") {
                redis_configuration.insert("aad-enabled".into(), json!(aad.to_string()));
            }
            d["properties"] = object(vec![
                (
                    "sku",
                    Some(object(vec![
                        ("name", ctx.known(inst, "sku_name").map(Value::String)),
                        ("family", ctx.known(inst, "family").map(Value::String)),
                        ("capacity", ctx.number(inst, "capacity").map(|c| json!(c))),
                    ])),
                ),
                ("enableNonSslPort", Some(Value::Bool(non_ssl.unwrap_or(false)))),
                ("minimumTlsVersion", ctx.known(inst, "minimum_tls_version").map(Value::String)),
                ("publicNetworkAccess", enabled(ctx.bool(inst, "public_network_access_enabled"))),
                (
                    "disableAccessKeyAuthentication",
                    ctx.bool(inst, "access_keys_authentication_enabled").map(|b| Value::Bool(!b)),
                ),
                ("redisConfiguration", (!redis_configuration.is_empty()).then_some(Value::Object(redis_configuration))),
            ]);
            d
        })),
        "azurerm_key_vault" => push(document(ctx, inst, arm_type::KEY_VAULTS, None).map(|mut d| {
            let policies: Vec<Value> = (0..inst.len("access_policy"))
                .map(|i| access_policy(ctx, inst, &format!("access_policy.{i}.")))
                .collect();
            // 5.x: rbac_authorization_enabled; 3.x/4.x: enable_rbac_authorization.
            let rbac =
                ctx.bool(inst, "rbac_authorization_enabled").or_else(|| ctx.bool(inst, "enable_rbac_authorization"));
            d["properties"] = object(vec![
                (
                    "sku",
                    Some(object(vec![
                        ("family", Some(json!("A"))),
                        ("name", ctx.known(inst, "sku_name").map(Value::String)),
                    ])),
                ),
                ("tenantId", ctx.known(inst, "tenant_id").map(Value::String)),
                ("networkAcls", network_acls(ctx, inst, "network_acls.0.", "virtual_network_subnet_ids")),
                ("enableRbacAuthorization", Some(Value::Bool(rbac.unwrap_or(false)))),
                ("accessPolicies", Some(json!(policies))),
                ("publicNetworkAccess", enabled(ctx.bool(inst, "public_network_access_enabled"))),
            ]);
            d
        })),
        "azurerm_key_vault_access_policy" => {
            if let Some(vault) = ctx.id(inst, "key_vault_id") {
                out.patches
                    .push((vault, json!({ "properties": { "accessPolicies": [access_policy(ctx, inst, "")] } })));
            }
        }
        "azurerm_cognitive_account" => {
            push(document(ctx, inst, arm_type::COGNITIVE_SERVICES_ACCOUNTS, None).map(|mut d| {
                d["kind"] = object(vec![("k", ctx.known(inst, "kind").map(Value::String))])["k"].take();
                d["sku"] = object(vec![("name", ctx.known(inst, "sku_name").map(Value::String))]);
                d["properties"] = object(vec![
                    ("customSubDomainName", ctx.known(inst, "custom_subdomain_name").map(Value::String)),
                    ("publicNetworkAccess", enabled(ctx.bool(inst, "public_network_access_enabled"))),
                    ("disableLocalAuth", ctx.bool(inst, "local_auth_enabled").map(|b| Value::Bool(!b))),
                    ("networkAcls", cognitive_acls(ctx, inst)),
                ]);
                d
            }))
        }
        "azurerm_storage_account" => push(document(ctx, inst, arm_type::STORAGE_ACCOUNTS, None).map(|mut d| {
            d["kind"] = json!(ctx.known(inst, "account_kind").unwrap_or_else(|| "StorageV2".into()));
            if let (Some(tier), Some(replication)) =
                (ctx.known(inst, "account_tier"), ctx.known(inst, "account_replication_type"))
            {
                d["sku"] = json!({ "name": format!("{tier}_{replication}") });
            }
            d["properties"] = object(vec![
                ("publicNetworkAccess", enabled(ctx.bool(inst, "public_network_access_enabled"))),
                ("networkAcls", network_acls(ctx, inst, "network_rules.0.", "virtual_network_subnet_ids")),
            ]);
            d
        })),
        "azurerm_storage_account_network_rules" => {
            if let Some(account) = ctx.id(inst, "storage_account_id") {
                if let Some(acls) = network_acls(ctx, inst, "", "virtual_network_subnet_ids") {
                    out.patches.push((account, json!({ "properties": { "networkAcls": acls } })));
                }
            }
        }
        "azurerm_firewall" => push(firewall(ctx, inst)),
        "azurerm_firewall_policy" => push(document(ctx, inst, arm_type::FIREWALL_POLICIES, None).map(|mut d| {
            let dns = (inst.len("dns") > 0).then(|| {
                object(vec![
                    ("enableProxy", ctx.bool(inst, "dns.0.proxy_enabled").map(Value::Bool)),
                    ("servers", Some(json!(ctx.strings(inst, "dns.0.servers")))),
                ])
            });
            d["properties"] =
                object(vec![("dnsSettings", dns), ("basePolicy", id_ref(ctx.id(inst, "base_policy_id")))]);
            d
        })),
        "azurerm_role_assignment" => push(document(ctx, inst, arm_type::ROLE_ASSIGNMENTS, Some("")).map(|mut d| {
            d.as_object_mut().expect("object").remove("location");
            // A built-in role's id is the same in every tenant, so a plan that names the role is
            // known before apply: azurerm writes it under the scope's subscription.
            let scope = ctx.id(inst, "scope");
            let role = ctx.id(inst, "role_definition_id").or_else(|| {
                ctx.known(inst, "role_definition_name").map(|n| {
                    match privlink_engine::catalog::built_in_role_named(&n) {
                        Some(role) => {
                            let subscription = scope
                                .as_deref()
                                .and_then(|s| {
                                    s.split('/')
                                        .nth(2)
                                        .filter(|_| s.to_ascii_lowercase().starts_with("/subscriptions/"))
                                })
                                .map(|sub| format!("/subscriptions/{sub}"))
                                .unwrap_or_default();
                            format!("{subscription}/providers/{}/{}", arm_type::ROLE_DEFINITIONS, role.id)
                        }
                        None => ctx.future(inst, "role_definition_id", &format!("the id of role '{n}'"), false),
                    }
                })
            });
            d["properties"] = object(vec![
                ("scope", scope.map(Value::String)),
                ("roleDefinitionId", role.map(Value::String)),
                ("roleDefinitionName", ctx.known_quiet(inst, "role_definition_name").map(Value::String)),
                ("principalId", ctx.text(inst, "principal_id").map(Value::String)),
                ("principalType", ctx.known(inst, "principal_type").map(Value::String)),
                ("condition", ctx.known(inst, "condition").map(Value::String)),
                ("conditionVersion", ctx.known(inst, "condition_version").map(Value::String)),
            ]);
            d
        })),
        "azurerm_user_assigned_identity" => {
            push(document(ctx, inst, arm_type::USER_ASSIGNED_IDENTITIES, None).map(|mut d| {
                d["properties"] = object(vec![
                    ("principalId", ctx.text(inst, "principal_id").map(Value::String)),
                    ("clientId", ctx.text(inst, "client_id").map(Value::String)),
                    ("tenantId", ctx.text(inst, "tenant_id").map(Value::String)),
                ]);
                d
            }))
        }
        _ => return false,
    }
    true
}

fn plan(ctx: &Ctx, inst: &Instance) -> Option<Value> {
    let mut d = document(ctx, inst, arm_type::SERVER_FARMS, None)?;
    let sku = ctx.known(inst, "sku_name").or_else(|| ctx.known(inst, "sku.0.size"));
    let tier = ctx.known(inst, "sku.0.tier").or_else(|| {
        let name = sku.as_deref()?;
        privlink_engine::catalog::app_service_plan_tiers()
            .iter()
            .find(|t| t.sku_names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|t| t.tier.to_string())
    });
    let os = ctx.known(inst, "os_type").or_else(|| ctx.known(inst, "kind")).unwrap_or_default();
    let linux = os.eq_ignore_ascii_case("linux") || ctx.bool(inst, "reserved").unwrap_or(false);
    d["kind"] = json!(if linux { "linux" } else { "app" });
    d["sku"] = object(vec![("name", sku.map(Value::String)), ("tier", tier.map(Value::String))]);
    d["properties"] = json!({ "reserved": linux });
    Some(d)
}

/// A web app or slot: the site, its `config/appsettings` and `config/web`.
fn site(ctx: &Ctx, inst: &Instance, out: &mut Mapped) {
    let slot = inst.kind.ends_with("_slot");
    let ty = if slot { arm_type::SITE_SLOTS } else { arm_type::SITES };
    let Some(mut d) = document(ctx, inst, ty, None) else { return };
    let id = d["id"].as_str().unwrap_or_default().to_string();
    let linux = inst.kind.contains("linux");
    let function = inst.kind.contains("function");
    d["kind"] = json!(match (function, linux) {
        (true, true) => "functionapp,linux",
        (true, false) => "functionapp",
        (false, true) => "app,linux",
        (false, false) => "app",
    });
    let identity_type = ctx.known(inst, "identity.0.type");
    if let Some(kind) = &identity_type {
        let user_assigned: Map<String, Value> =
            ctx.strings(inst, "identity.0.identity_ids").into_iter().map(|i| (i, json!({}))).collect();
        d["identity"] = object(vec![
            ("type", Some(json!(kind.replace(", ", ",")))),
            ("principalId", ctx.text(inst, "identity.0.principal_id").map(Value::String)),
            ("tenantId", ctx.text(inst, "identity.0.tenant_id").map(Value::String)),
            ("userAssignedIdentities", (!user_assigned.is_empty()).then_some(Value::Object(user_assigned))),
        ]);
    }
    let route_all = ctx.bool(inst, "site_config.0.vnet_route_all_enabled");
    let plan = if slot { None } else { ctx.id(inst, "service_plan_id") };
    let key_vault_identity = ctx.id(inst, "key_vault_reference_identity_id").unwrap_or_else(|| "SystemAssigned".into());
    d["properties"] = object(vec![
        ("serverFarmId", plan.map(Value::String)),
        ("reserved", Some(Value::Bool(linux))),
        ("httpsOnly", ctx.bool(inst, "https_only").map(Value::Bool)),
        (
            "publicNetworkAccess",
            Some(enabled(ctx.bool(inst, "public_network_access_enabled")).unwrap_or_else(|| json!("Enabled"))),
        ),
        ("virtualNetworkSubnetId", ctx.id(inst, "virtual_network_subnet_id").map(Value::String)),
        ("vnetRouteAllEnabled", route_all.map(Value::Bool)),
        ("outboundVnetRouting", outbound_routing(ctx, inst, route_all)),
        ("keyVaultReferenceIdentity", Some(Value::String(key_vault_identity))),
    ]);
    out.documents.push(d);
    let mut settings = Map::new();
    match ctx.value(inst, "app_settings") {
        Resolved::Known(Value::Object(map)) => {
            for name in map.keys() {
                let path = format!("app_settings.{name}");
                if let Some(v) = ctx.text(inst, &path) {
                    settings.insert(name.clone(), Value::String(v));
                }
            }
            // Settings whose values are all known after apply are keys of after_unknown only.
            if let Some(unknown) = inst.unknown.get("app_settings").and_then(Value::as_object) {
                for name in unknown.keys().filter(|k| !map.contains_key(*k)) {
                    if let Some(v) = ctx.text(inst, &format!("app_settings.{name}")) {
                        settings.insert(name.clone(), Value::String(v));
                    }
                }
            }
        }
        Resolved::Future(what) => {
            ctx.future(inst, "app_settings", &what, true);
        }
        _ => {}
    }
    if !settings.is_empty() {
        out.documents.push(json!({
            "id": format!("{id}/config/appsettings"), "name": "appsettings", "type": format!("{ty}/config"),
            "properties": settings,
        }));
    }
    if let Some(route_all) = route_all {
        out.documents.push(json!({
            "id": format!("{id}/config/web"), "name": "web", "type": format!("{ty}/config"),
            "properties": { "vnetRouteAllEnabled": route_all },
        }));
    }
}

/// Azure reports `vnetRouteAllEnabled` also as `outboundVnetRouting.applicationTraffic` (API
/// 2024-04-01 and later, as the seed's GET output shows); azurerm 4.x sets the image-pull and
/// backup-restore flags with their own attributes.
fn outbound_routing(ctx: &Ctx, inst: &Instance, route_all: Option<bool>) -> Option<Value> {
    let image_pull = ctx.bool(inst, "virtual_network_image_pull_enabled");
    let backup_restore = ctx.bool(inst, "virtual_network_backup_restore_enabled");
    if route_all.is_none() && image_pull.is_none() && backup_restore.is_none() {
        return None;
    }
    Some(object(vec![
        ("applicationTraffic", route_all.map(Value::Bool)),
        ("imagePullTraffic", image_pull.map(Value::Bool)),
        ("backupRestoreTraffic", backup_restore.map(Value::Bool)),
    ]))
}

fn access_policy(ctx: &Ctx, inst: &Instance, at: &str) -> Value {
    let a = |x: &str| format!("{at}{x}");
    json!(object(vec![
        ("tenantId", ctx.text(inst, &a("tenant_id")).map(Value::String)),
        ("objectId", ctx.text(inst, &a("object_id")).map(Value::String)),
        ("applicationId", ctx.known(inst, &a("application_id")).filter(|s| !s.is_empty()).map(Value::String)),
        (
            "permissions",
            Some(json!({
                "keys": ctx.strings(inst, &a("key_permissions")),
                "secrets": ctx.strings(inst, &a("secret_permissions")),
                "certificates": ctx.strings(inst, &a("certificate_permissions")),
                "storage": ctx.strings(inst, &a("storage_permissions")),
            })),
        ),
    ]))
}

/// `network_acls` (Key Vault) / `network_rules` (storage): default action, bypass, IP rules and
/// virtual network rules.
fn network_acls(ctx: &Ctx, inst: &Instance, at: &str, subnets_attr: &str) -> Option<Value> {
    let a = |x: &str| format!("{at}{x}");
    let default_action = ctx.known(inst, &a("default_action"))?;
    let bypass = match ctx.value(inst, &a("bypass")) {
        Resolved::Known(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        Resolved::Known(Value::String(s)) => s,
        _ => "AzureServices".into(),
    };
    let ip_rules: Vec<Value> = ctx.strings(inst, &a("ip_rules")).into_iter().map(|v| json!({ "value": v })).collect();
    let vnet_rules: Vec<Value> =
        ctx.strings(inst, &a(subnets_attr)).into_iter().map(|id| json!({ "id": id })).collect();
    Some(
        json!({ "defaultAction": default_action, "bypass": if bypass.is_empty() { "None".to_string() } else { bypass }, "ipRules": ip_rules, "virtualNetworkRules": vnet_rules }),
    )
}

fn cognitive_acls(ctx: &Ctx, inst: &Instance) -> Option<Value> {
    let default_action = ctx.known(inst, "network_acls.0.default_action")?;
    let ip_rules: Vec<Value> =
        ctx.strings(inst, "network_acls.0.ip_rules").into_iter().map(|v| json!({ "value": v })).collect();
    let vnet_rules: Vec<Value> = (0..inst.len("network_acls.0.virtual_network_rules"))
        .filter_map(|i| ctx.id(inst, &format!("network_acls.0.virtual_network_rules.{i}.subnet_id")))
        .map(|id| json!({ "id": id }))
        .collect();
    Some(json!({ "defaultAction": default_action, "ipRules": ip_rules, "virtualNetworkRules": vnet_rules }))
}

/// A firewall: its IP configurations and DNS proxy settings (A.1: `dns_proxy_enabled`, and a
/// non-empty `dns_servers` also turns the proxy on, §12.1).
fn firewall(ctx: &Ctx, inst: &Instance) -> Option<Value> {
    let mut d = document(ctx, inst, arm_type::AZURE_FIREWALLS, None)?;
    let configs: Vec<Value> = (0..inst.len("ip_configuration"))
        .map(|i| {
            let a = |x: &str| format!("ip_configuration.{i}.{x}");
            json!({
                "name": ctx.known(inst, &a("name")).unwrap_or_default(),
                "properties": object(vec![
                    ("subnet", id_ref(ctx.id(inst, &a("subnet_id")))),
                    ("publicIPAddress", id_ref(ctx.id(inst, &a("public_ip_address_id")))),
                    // Allocated by Azure at apply when the plan does not know it.
                    ("privateIPAddress", ctx.known_quiet(inst, &a("private_ip_address")).map(Value::String)),
                ]),
            })
        })
        .collect();
    let servers = ctx.strings(inst, "dns_servers");
    let mut additional = Map::new();
    if ctx.bool(inst, "dns_proxy_enabled").unwrap_or(false) || !servers.is_empty() {
        additional.insert("Network.DNS.EnableProxy".into(), json!("true"));
    }
    if !servers.is_empty() {
        additional.insert("Network.DNS.Servers".into(), json!(servers.join(",")));
    }
    d["properties"] = object(vec![
        (
            "sku",
            Some(object(vec![
                ("name", ctx.known(inst, "sku_name").map(Value::String)),
                ("tier", ctx.known(inst, "sku_tier").map(Value::String)),
            ])),
        ),
        ("ipConfigurations", Some(json!(configs))),
        ("firewallPolicy", id_ref(ctx.id(inst, "firewall_policy_id"))),
        ("additionalProperties", (!additional.is_empty()).then_some(Value::Object(additional))),
    ]);
    Some(d)
}
