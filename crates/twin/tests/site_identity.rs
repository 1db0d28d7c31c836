//! Per-site managed-identity endpoints of a running twin: tokens name the site's identity as the
//! store holds it, for the data-plane audiences too; a site without a (matching) identity gets App
//! Service's refusal. The second test drives the endpoint with azure-identity's
//! `ManagedIdentityCredential` (App Service flavour) from `PRIVLINK_PYTHON`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use privlink_model::ResourceId;
use privlink_testkit::skip_or_fail;
use privlink_twin::{start, RunningTwin, TwinConfig};
use serde_json::{json, Value};
use std::process::Command;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers";
const PRINCIPAL: &str = "11111111-2222-3333-4444-555555555555";
const UAMI_PRINCIPAL: &str = "99999999-2222-3333-4444-555555555555";
const UAMI_CLIENT: &str = "88888888-2222-3333-4444-555555555555";
const AUDIENCES: &[&str] = &[
    "https://database.windows.net/",
    "https://vault.azure.net",
    "https://redis.azure.com",
    "https://cognitiveservices.azure.com",
];

fn site(name: &str, identity: Value) -> Value {
    json!({"id": format!("{RG}/Microsoft.Web/sites/{name}"), "name": name, "type": "Microsoft.Web/sites",
           "location": "eastus", "identity": identity,
           "properties": {"serverFarmId": format!("{RG}/Microsoft.Web/serverfarms/plan")}})
}

fn uami_id() -> String {
    format!("{RG}/Microsoft.ManagedIdentity/userAssignedIdentities/id-app")
}

fn site_id(name: &str) -> ResourceId {
    ResourceId::parse(&format!("{RG}/Microsoft.Web/sites/{name}")).unwrap()
}

async fn twin(dir: &std::path::Path) -> RunningTwin {
    let mut config = TwinConfig::new(dir.join("state"));
    config.preload = vec![
        json!({"id": format!("{RG}/Microsoft.Web/serverfarms/plan"), "name": "plan", "type": "Microsoft.Web/serverfarms",
               "location": "eastus", "sku": {"name": "S1", "tier": "Standard"}}),
        site(
            "app-system",
            json!({"type": "SystemAssigned", "principalId": PRINCIPAL,
                                  "tenantId": "00000000-0000-0000-0000-0000000000aa"}),
        ),
        site(
            "app-user",
            json!({"type": "UserAssigned", "userAssignedIdentities": {
            uami_id(): {"principalId": UAMI_PRINCIPAL, "clientId": UAMI_CLIENT}}}),
        ),
        site("app-none", json!({"type": "None"})),
    ];
    start(config).await.expect("the twin starts")
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn get(endpoint: &str, header: &str, query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{endpoint}?api-version=2019-08-01&{query}"))
        .header("X-IDENTITY-HEADER", header)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_endpoint_issues_tokens_for_the_sites_identity_only() {
    let dir = tempfile::tempdir().unwrap();
    let twin = twin(dir.path()).await;
    let (endpoint, header) = twin.site_identity_env(&site_id("app-system"));
    for audience in AUDIENCES {
        let (status, body) = get(&endpoint, &header, &format!("resource={audience}")).await;
        assert_eq!(status, 200, "{audience}: {body}");
        assert!(body["expires_on"].is_string(), "{body}");
        let claims = claims(body["access_token"].as_str().unwrap());
        assert_eq!((claims["oid"].as_str(), claims["aud"].as_str()), (Some(PRINCIPAL), Some(*audience)));
        assert_eq!(claims["tid"], "00000000-0000-0000-0000-0000000000aa");
    }

    // One site's header opens no other site's endpoint, and the twin's own header none.
    let (other, _) = twin.site_identity_env(&site_id("app-user"));
    assert_eq!(get(&other, &header, "resource=https://vault.azure.net").await.0, 401);
    assert_eq!(get(&endpoint, twin.identity_header(), "resource=https://vault.azure.net").await.0, 401);

    // A user-assigned identity, selected by client id or resource id; an unknown one is refused.
    let (endpoint, header) = twin.site_identity_env(&site_id("app-user"));
    for selector in [format!("client_id={UAMI_CLIENT}"), format!("mi_res_id={}", uami_id())] {
        let (status, body) = get(&endpoint, &header, &format!("resource=https://vault.azure.net&{selector}")).await;
        assert_eq!(status, 200, "{selector}: {body}");
        assert_eq!(claims(body["access_token"].as_str().unwrap())["oid"], UAMI_PRINCIPAL);
        assert_eq!(body["client_id"], UAMI_CLIENT);
    }
    let (status, body) = get(&endpoint, &header, "resource=https://vault.azure.net&client_id=nope").await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = get(&endpoint, &header, "resource=https://vault.azure.net").await;
    assert_eq!(status, 400, "no system-assigned identity on app-user");

    let (endpoint, header) = twin.site_identity_env(&site_id("app-none"));
    let (status, body) = get(&endpoint, &header, "resource=https://vault.azure.net").await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("No Managed Identity found"), "{body}");
    twin.shutdown().await.unwrap();
}

/// Gets a token per scope with `ManagedIdentityCredential` and prints `{scope: oid or error}`.
const CREDENTIAL_SCRIPT: &str = r#"
import base64, json, sys
from azure.identity import ManagedIdentityCredential
out = {}
for scope in sys.argv[1:]:
    try:
        token = ManagedIdentityCredential().get_token(scope).token
        payload = token.split(".")[1]
        out[scope] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"]
    except Exception as e:
        out[scope] = "error: " + type(e).__name__ + ": " + str(e).splitlines()[0]
print(json.dumps(out))
"#;

fn run_credential(python: &std::ffi::OsStr, twin: &RunningTwin, site: &str, scopes: &[String]) -> Value {
    let (endpoint, header) = twin.site_identity_env(&site_id(site));
    let out = Command::new(python)
        .arg("-c")
        .arg(CREDENTIAL_SCRIPT)
        .args(scopes)
        .env("IDENTITY_ENDPOINT", endpoint)
        .env("IDENTITY_HEADER", header)
        .env_remove("MSI_ENDPOINT")
        .env_remove("AZURE_CLIENT_ID")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_identity_gets_the_sites_tokens_for_every_data_plane_audience() {
    let Some(python) = std::env::var_os("PRIVLINK_PYTHON").filter(|p| std::path::Path::new(p).is_file()) else {
        return skip_or_fail("PRIVLINK_PYTHON is not set to a Python with azure-identity (.ci/run makes one)");
    };
    let dir = tempfile::tempdir().unwrap();
    let twin = twin(dir.path()).await;
    let scopes: Vec<String> = AUDIENCES.iter().map(|a| format!("{}/.default", a.trim_end_matches('/'))).collect();
    let got = run_credential(&python, &twin, "app-system", &scopes);
    for scope in &scopes {
        assert_eq!(got[scope], PRINCIPAL, "{scope}: {got}");
    }
    let refused = run_credential(&python, &twin, "app-none", &scopes[..1]);
    let error = refused[&scopes[0]].as_str().unwrap();
    assert!(error.starts_with("error: ") && error.contains("No Managed Identity found"), "{error}");
    twin.shutdown().await.unwrap();
}
