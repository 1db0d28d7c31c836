//! The environment App Service hands the seed's app, and each Key Vault reference status App
//! Service reports, on the seed estate changed one fact at a time.

mod common;

use privlink_engine::access::environment::{environment, Environment, PlatformValues, Source, SET_BY_PLATFORM};
use privlink_engine::dns::Resolver;
use privlink_load::Input;
use privlink_model::Model;
use serde_json::{json, Value};

const ACCESS: &str = include_str!("../../../scenarios/seed-estate/access.json");
const SITE: &str = "app-flask-privlink";
const REFERENCE: &str = "@Microsoft.KeyVault(SecretUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key)";

/// The seed estate (with its access facts) after `change` edits its documents.
fn estate(change: impl FnOnce(&mut Vec<Value>)) -> Model {
    let mut docs: Vec<Value> = common::FILES
        .iter()
        .map(|(_, text)| text)
        .chain([&ACCESS])
        .flat_map(|text| serde_json::from_str::<Vec<Value>>(text).unwrap())
        .collect();
    change(&mut docs);
    let input = Input::new("estate.json", serde_json::to_vec(&docs).unwrap());
    privlink_load::load(vec![input], &privlink_load::Options::default()).unwrap()
}

fn doc<'a>(docs: &'a mut [Value], id_ends_with: &str) -> &'a mut Value {
    docs.iter_mut().find(|d| d["id"].as_str().unwrap().ends_with(id_ends_with)).unwrap()
}

fn env_of(model: &Model, values: &PlatformValues) -> Environment {
    let site = model.resources.sites.values().find(|s| s.meta.name == SITE).unwrap();
    environment(model, &Resolver::new(model), site, values)
}

fn value<'e>(env: &'e Environment, name: &str) -> Option<&'e str> {
    env.variables.iter().find(|v| v.name == name).map(|v| v.value.as_str())
}

/// The status of the OPENAI_API_KEY reference and its details.
fn status(model: &Model) -> (String, String) {
    let env = env_of(model, &PlatformValues::default());
    let v = env.variables.iter().find(|v| v.name == "OPENAI_API_KEY").unwrap();
    let r = v.reference.as_ref().unwrap();
    (r.status.to_string(), r.details.clone())
}

fn set_setting(docs: &mut [Value], name: &str, value: &str) {
    doc(docs, "/config/appsettings")["properties"][name] = json!(value);
}

/// Route-all off everywhere the seed turns it on.
fn route_all_off(docs: &mut [Value]) {
    let site = doc(docs, "/sites/app-flask-privlink");
    site["properties"]["vnetRouteAllEnabled"] = json!(false);
    site["properties"]["outboundVnetRouting"]["applicationTraffic"] = json!(false);
    doc(docs, "/config/web")["properties"]["vnetRouteAllEnabled"] = json!(false);
    doc(docs, "/config/appsettings")["properties"].as_object_mut().unwrap().remove("WEBSITE_VNET_ROUTE_ALL");
}

#[test]
fn the_seed_app_gets_its_settings_the_platform_variables_and_the_resolved_secret() {
    let env = env_of(&estate(|_| {}), &PlatformValues::default());
    let openai = env.variables.iter().find(|v| v.name == "OPENAI_API_KEY").unwrap();
    assert_eq!(openai.value, "<secret kv-privlink-seed/openai-key>");
    assert!(!openai.secret, "a placeholder holds no secret");
    assert_eq!(openai.reference.as_ref().unwrap().status, "Resolved");
    assert_eq!(value(&env, "APPSETTING_OPENAI_API_KEY"), Some("<secret kv-privlink-seed/openai-key>"));
    let redis = env.variables.iter().find(|v| v.name == "REDIS_HOST").unwrap();
    assert!(redis.secret && redis.source == Source::AppSetting && redis.reference.is_none());
    assert_eq!(value(&env, "WEBSITE_SITE_NAME"), Some(SITE));
    assert_eq!(value(&env, "WEBSITE_HOSTNAME"), Some("app-flask-privlink.azurewebsites.net"));
    assert_eq!(value(&env, "WEBSITE_RESOURCE_GROUP"), Some("rg-privlink-seed"));
    // The plan's own `webSpace` is rg-privlink-seed-WestEuropewebspace-Linux.
    assert_eq!(
        value(&env, "WEBSITE_OWNER_NAME"),
        Some("00000000-0000-0000-0000-000000000001+rg-privlink-seed-WestEuropewebspace-Linux")
    );
    assert_eq!(value(&env, "REGION_NAME"), Some("West Europe"));
    assert_eq!(value(&env, "WEBSITE_SKU"), Some("Standard"));
    assert_eq!(value(&env, "HOME"), Some("/home"));
    assert_eq!(value(&env, "PORT"), Some("8080"));
    // snet-appservice-integration is 10.20.1.0/24: the first assignable address.
    assert_eq!(value(&env, "WEBSITE_PRIVATE_IP"), Some("10.20.1.4"));
    assert_eq!(value(&env, "IDENTITY_ENDPOINT"), Some("http://localhost:4141/MSI/token"));
    assert_eq!(value(&env, "IDENTITY_HEADER"), Some(SET_BY_PLATFORM));
    assert_eq!(value(&env, "MSI_SECRET"), Some(SET_BY_PLATFORM));
    let platform_then_settings: Vec<Source> = env.variables.iter().map(|v| v.source).collect();
    assert!(platform_then_settings.is_sorted(), "platform variables first, then settings: {platform_then_settings:?}");
}

#[test]
fn a_twin_supplies_the_identity_endpoint_and_header() {
    let values = PlatformValues {
        identity_endpoint: Some("http://127.0.0.1:5050/msi/token".into()),
        identity_header: Some("h-123".into()),
    };
    let env = env_of(&estate(|_| {}), &values);
    assert_eq!(value(&env, "IDENTITY_ENDPOINT"), Some("http://127.0.0.1:5050/msi/token"));
    let header = env.variables.iter().find(|v| v.name == "IDENTITY_HEADER").unwrap();
    assert_eq!((header.value.as_str(), header.secret), ("h-123", true));
}

#[test]
fn without_an_identity_there_is_no_token_endpoint_and_the_reference_is_msi_not_enabled() {
    let model = estate(|docs| {
        doc(docs, "/sites/app-flask-privlink").as_object_mut().unwrap().remove("identity");
    });
    assert_eq!(status(&model).0, "MSINotEnabled");
    let env = env_of(&model, &PlatformValues::default());
    assert_eq!(value(&env, "IDENTITY_ENDPOINT"), None);
    assert_eq!(value(&env, "MSI_ENDPOINT"), None);
}

#[test]
fn rbac_vault_without_the_apps_role_is_denied_and_an_access_policy_does_not_help() {
    let other_principal = |docs: &mut Vec<Value>| {
        doc(docs, "/roleAssignments/d1805766-bead-5ee4-9d8b-e376dc956e80")["properties"]["principalId"] =
            json!("99999999-0000-0000-0000-000000000000");
    };
    assert_eq!(status(&estate(other_principal)).0, "AccessToKeyVaultDenied");
    let (status_with_policy, details) = status(&estate(|docs| {
        other_principal(docs);
        doc(docs, "/vaults/kv-privlink-seed")["properties"]["accessPolicies"] = json!([{
            "tenantId": "00000000-0000-0000-0000-0000000000aa",
            "objectId": "11111111-2222-3333-4444-555555555555",
            "permissions": {"secrets": ["get", "list"]}
        }]);
    }));
    assert_eq!(status_with_policy, "AccessToKeyVaultDenied");
    assert!(details.contains("access policy for this principal is ignored"), "{details}");
}

#[test]
fn access_policy_mode_with_get_resolves_and_without_it_is_denied() {
    let policy = |secrets: Value| {
        move |docs: &mut Vec<Value>| {
            let vault = doc(docs, "/vaults/kv-privlink-seed");
            vault["properties"]["enableRbacAuthorization"] = json!(false);
            vault["properties"]["accessPolicies"] = json!([{
                "tenantId": "00000000-0000-0000-0000-0000000000aa",
                "objectId": "11111111-2222-3333-4444-555555555555",
                "permissions": {"secrets": secrets}
            }]);
        }
    };
    assert_eq!(status(&estate(policy(json!(["get"])))).0, "Resolved");
    assert_eq!(status(&estate(policy(json!(["list"])))).0, "AccessToKeyVaultDenied");
}

#[test]
fn a_linux_app_reaches_a_private_endpoint_vault_only_with_route_all() {
    let (linux, details) = status(&estate(|docs| route_all_off(docs)));
    assert_eq!(linux, "AccessToKeyVaultDenied");
    assert!(details.contains("vnetRouteAllEnabled"), "{details}");
    // A Windows app retries through the VNet without route-all (§7.4).
    let windows = estate(|docs| {
        route_all_off(docs);
        doc(docs, "/sites/app-flask-privlink")["kind"] = json!("app");
        doc(docs, "/serverfarms/plan-flask")["properties"]["reserved"] = json!(false);
    });
    assert_eq!(status(&windows).0, "Resolved");
    // A site document without a kind runs on Linux when its plan is a Linux plan.
    let kindless = estate(|docs| {
        route_all_off(docs);
        doc(docs, "/sites/app-flask-privlink").as_object_mut().unwrap().remove("kind");
    });
    assert_eq!(status(&kindless).0, "AccessToKeyVaultDenied");
}

#[test]
fn a_vault_open_to_the_public_resolves_on_the_first_attempt_even_without_route_all() {
    let model = estate(|docs| {
        route_all_off(docs);
        let vault = doc(docs, "/vaults/kv-privlink-seed");
        vault["properties"]["publicNetworkAccess"] = json!("Enabled");
        vault["properties"]["networkAcls"]["defaultAction"] = json!("Allow");
    });
    assert_eq!(status(&model).0, "Resolved");
}

#[test]
fn a_missing_secret_a_missing_version_and_bad_syntax_have_their_own_statuses() {
    let missing = estate(|docs| {
        set_setting(docs, "OPENAI_API_KEY", &REFERENCE.replace("openai-key", "no-such-secret"));
    });
    assert_eq!(status(&missing).0, "SecretNotFound");
    let current = estate(|docs| {
        set_setting(docs, "OPENAI_API_KEY", &REFERENCE.replace(")", "/5b2f7c0e8a9d4e1f9c3b6a7d8e9f0a1b)"));
    });
    assert_eq!(status(&current).0, "Resolved");
    let older = estate(|docs| set_setting(docs, "OPENAI_API_KEY", &REFERENCE.replace(")", "/0000)")));
    assert_eq!(status(&older).0, "Indeterminate");
    let version_not_shown = estate(|docs| {
        set_setting(docs, "OPENAI_API_KEY", &REFERENCE.replace(")", "/5b2f7c0e8a9d4e1f9c3b6a7d8e9f0a1b)"));
        doc(docs, "/secrets/openai-key")["properties"].as_object_mut().unwrap().remove("secretUriWithVersion");
    });
    let (status_unshown, details) = status(&version_not_shown);
    assert_eq!(status_unshown, "Indeterminate", "a version the estate cannot show is not taken as present");
    assert!(details.contains("does not show its current version"), "{details}");
    let invalid = estate(|docs| set_setting(docs, "OPENAI_API_KEY", "@Microsoft.KeyVault(VaultName=kv-privlink-seed)"));
    let env = env_of(&invalid, &PlatformValues::default());
    let v = env.variables.iter().find(|v| v.name == "OPENAI_API_KEY").unwrap();
    assert_eq!(v.reference.as_ref().unwrap().status, "InvalidSyntax");
    assert_eq!(v.value, "@Microsoft.KeyVault(VaultName=kv-privlink-seed)", "the app receives the literal");
}

#[test]
fn setting_names_and_connection_string_prefixes_follow_the_platform() {
    let model = estate(|docs| {
        set_setting(docs, "Logging.Level", "debug");
        set_setting(docs, "WEBSITES_PORT", "5000");
        docs.push(json!({
            "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink/config/connectionstrings",
            "name": "connectionstrings",
            "type": "Microsoft.Web/sites/config",
            "properties": {
                "Db": {"value": "Server=tcp:sql-privlink-seed.database.windows.net;Database=db-flask", "type": "SQLAzure"},
                "Cache": {"value": "redis-privlink-seed.redis.cache.windows.net:6380", "type": "RedisCache"},
                "Other": {"value": "x", "type": "SomethingNew"},
                "Key": {"value": REFERENCE, "type": "Custom"}
            }
        }));
    });
    let env = env_of(&model, &PlatformValues::default());
    let names: Vec<&str> = env.variables.iter().map(|v| v.name.as_str()).collect();
    for expected in ["Logging_Level", "APPSETTING_Logging_Level", "SQLAZURECONNSTR_Db", "REDISCACHECONNSTR_Cache"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(names.contains(&"CUSTOMCONNSTR_Other"), "an unknown type takes the Custom prefix: {names:?}");
    assert_eq!(value(&env, "CUSTOMCONNSTR_Key"), Some("<secret kv-privlink-seed/openai-key>"));
    assert!(!names.contains(&"WEBSITES_PORT"), "WEBSITES_PORT stays out of the container");
    assert_eq!(env.withheld.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["WEBSITES_PORT"]);
    assert_eq!(value(&env, "PORT"), Some("5000"));
    // Each setting's reference is counted once, not once per variable.
    assert_eq!(env.references().count(), 2);
}
