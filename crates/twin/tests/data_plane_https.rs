//! The HTTPS face of the backends on loopback: Key Vault's secrets API with the real
//! `azure-keyvault-secrets` client and `DefaultAzureCredential`, the 401 challenge, the network
//! and authorization 403s in Key Vault's shape, Cognitive Services' gate, and the connection-level
//! answers (RST, silence) at the TLS ClientHello.

mod data_plane_support;

use data_plane_support::*;
use privlink_engine::access::{AccessVerdict, Cause};
use privlink_engine::path::refusal;
use privlink_testkit::skip_or_fail;
use privlink_twin::data_plane::https::serve_https;
use privlink_twin::data_plane::{Admission, EngineGate};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const VAULT: &str = "kv-twin-test";
const VAULT_HOST: &str = "kv-twin-test.vault.azure.net";
const VAULT_AUDIENCE: &str = "https://vault.azure.net";

/// A face serving `gate`, and a reqwest client that trusts the CA and sends `hosts` to it.
async fn face(gate: Arc<dyn privlink_twin::data_plane::Gate>, hosts: &[&str]) -> (Plane, SocketAddr, reqwest::Client) {
    let plane = plane(gate);
    let (listener, addr) = loopback().await;
    tokio::spawn(serve_https(listener, plane.plane.clone()));
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&plane.ca_pem()).unwrap())
        .no_proxy()
        .timeout(Duration::from_secs(10));
    for host in hosts {
        builder = builder.resolve(host, addr);
    }
    (plane, addr, builder.build().unwrap())
}

fn url(host: &str, addr: SocketAddr, path: &str) -> String {
    format!("https://{host}:{}{path}", addr.port())
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Whether an error's chain holds a connection reset.
fn is_reset(error: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionReset {
                return true;
            }
        }
        source = e.source();
    }
    format!("{error:?}").contains("ConnectionReset")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_vault_challenges_then_sets_gets_and_lists_versions_for_an_authorized_token() {
    let gate = FixedGate::new(admitted(AccessVerdict::Granted, VAULT_AUDIENCE));
    let (plane, addr, client) = face(gate.clone(), &[VAULT_HOST]).await;
    let secret_url = url(VAULT_HOST, addr, "/secrets/db-password?api-version=7.6");

    let no_api_version = client.get(url(VAULT_HOST, addr, "/secrets/db-password")).send().await.unwrap();
    assert_eq!(no_api_version.status().as_u16(), 400);

    let challenge = client.put(&secret_url).json(&json!({"value": "v1"})).send().await.unwrap();
    assert_eq!(challenge.status().as_u16(), 401);
    let header = challenge.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert_eq!(
        header,
        format!(
            "Bearer authorization=\"https://login.microsoftonline.com/{TENANT}\", resource=\"https://vault.azure.net\""
        )
    );
    assert!(challenge.headers()["x-ms-keyvault-network-info"].to_str().unwrap().contains("addr=127.0.0.1"));
    let (_, body) = json_of(challenge).await;
    assert_eq!(body["error"]["code"], "Unauthorized");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("AKV10000"));

    let wrong_audience = plane.token("https://management.azure.com/");
    let refused = client.get(&secret_url).bearer_auth(&wrong_audience).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "a token for another resource is no Key Vault token");

    let token = plane.token(VAULT_AUDIENCE);
    let (status, first) = json_of(
        client
            .put(&secret_url)
            .bearer_auth(&token)
            .json(&json!({"value": "v1", "contentType": "text/plain"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let (_, second) =
        json_of(client.put(&secret_url).bearer_auth(&token).json(&json!({"value": "v2"})).send().await.unwrap()).await;
    let first_id = first["id"].as_str().unwrap();
    let prefix = format!("https://{VAULT_HOST}/secrets/db-password/");
    assert!(first_id.starts_with(&prefix), "{first_id}");
    assert_eq!(first_id.len() - prefix.len(), 32, "a version id is 32 hex digits");
    assert_eq!(first["attributes"]["enabled"], true);
    assert_eq!(first["contentType"], "text/plain");

    let (_, latest) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!((latest["value"].as_str(), latest["id"].as_str()), (Some("v2"), second["id"].as_str()));
    let version = first_id.rsplit('/').next().unwrap();
    let (_, old) = json_of(
        client
            .get(url(VAULT_HOST, addr, &format!("/secrets/db-password/{version}?api-version=7.6")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(old["value"], "v1");
    let (_, versions) = json_of(
        client
            .get(url(VAULT_HOST, addr, "/secrets/db-password/versions?api-version=7.6"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 2);
    assert!(versions["value"][0].get("value").is_none(), "lists carry no values");
    let (status, missing) = json_of(
        client
            .get(url(VAULT_HOST, addr, "/secrets/nothing-here?api-version=7.6"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, missing["error"]["code"].as_str()), (404, Some("SecretNotFound")));
    assert_eq!(plane.plane.secrets.versions(VAULT, "db-password").len(), 2, "the values are in the run's store");
    assert!(gate.hosts().iter().all(|h| h.as_deref() == Some(VAULT_HOST)), "the gate is asked with the SNI");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_vault_refusals_come_after_the_challenge_in_key_vaults_own_bodies() {
    let gate = FixedGate::new(Admission::Refused { message: refusal::KEY_VAULT_FIREWALL.into() });
    let (plane, addr, client) = face(gate.clone(), &[VAULT_HOST]).await;
    let secret_url = url(VAULT_HOST, addr, "/secrets/s?api-version=7.6");
    let token = plane.token(VAULT_AUDIENCE);

    let anonymous = client.get(&secret_url).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401, "the token is read before the network decision (§5.1)");

    let (status, body) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["innererror"]["code"].as_str()),
        (Some("Forbidden"), Some("ForbiddenByFirewall"))
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Client address is not authorized and caller is not a trusted service."), "{message}");
    assert!(
        message.contains("Client address: 127.0.0.1") && message.contains(&format!("oid={APP_OBJECT_ID}")),
        "{message}"
    );

    gate.set(Admission::Refused { message: refusal::KEY_VAULT_PUBLIC_ACCESS_DISABLED.into() });
    let (_, body) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(
        body["error"]["innererror"]["code"], "ForbiddenByConnection",
        "the same keep-alive client sees the new verdict"
    );

    let mut denied = access(AccessVerdict::Denied, VAULT_AUDIENCE);
    denied.reason = "no role assignment grants getSecret".into();
    gate.set(Admission::Admitted { access: denied.clone() });
    let (status, body) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["innererror"]["code"].as_str()), (403, Some("ForbiddenByRbac")));
    assert!(body["error"]["message"].as_str().unwrap().contains("no role assignment grants getSecret"));

    denied.cause = Some(Cause::NoAccessPolicy { permission: "get" });
    gate.set(Admission::Admitted { access: denied });
    let (_, body) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(body["error"]["innererror"]["code"], "AccessDenied");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("does not have secrets get permission on key vault 'kv-twin-test'"));

    gate.set(admitted(AccessVerdict::Granted, VAULT_AUDIENCE));
    let someone_else = plane.token_for("99999999-0000-0000-0000-000000000000", VAULT_AUDIENCE);
    let (status, _) = json_of(client.get(&secret_url).bearer_auth(&someone_else).send().await.unwrap()).await;
    assert_eq!(status, 403, "a principal the engine does not reason about is not authorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_silence_are_answered_at_the_client_hello() {
    let gate = FixedGate::new(Admission::Reset { message: refusal::REDIS_PUBLIC_ACCESS_DISABLED.into() });
    let (_plane, addr, client) = face(gate.clone(), &[VAULT_HOST]).await;
    let error = client.get(url(VAULT_HOST, addr, "/")).send().await.unwrap_err();
    assert!(is_reset(&error), "a reset, not {error:?}");

    gate.set(Admission::Silent { message: refusal::TIMEOUT.into() });
    let started = std::time::Instant::now();
    let error = client.get(url(VAULT_HOST, addr, "/")).timeout(Duration::from_millis(800)).send().await.unwrap_err();
    assert!(error.is_timeout(), "silence, not {error:?}");
    assert!(started.elapsed() >= Duration::from_millis(700));

    // On a keep-alive connection the gate is asked again per request: the estate changed.
    gate.set(admitted(AccessVerdict::Granted, VAULT_AUDIENCE));
    let health = url(VAULT_HOST, addr, "/healthstatus");
    assert_eq!(client.get(&health).send().await.unwrap().status().as_u16(), 200);
    gate.set(Admission::Reset { message: refusal::REDIS_PUBLIC_ACCESS_DISABLED.into() });
    let error = client.get(&health).send().await.unwrap_err();
    assert!(is_reset(&error), "a reset on the open connection, not {error:?}");
    gate.set(admitted(AccessVerdict::Granted, VAULT_AUDIENCE));
    assert_eq!(client.get(&health).send().await.unwrap().status().as_u16(), 200);
    gate.set(Admission::Silent { message: refusal::TIMEOUT.into() });
    let error = client.get(&health).timeout(Duration::from_millis(800)).send().await.unwrap_err();
    assert!(error.is_timeout(), "silence on the open connection, not {error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognitive_services_gate_network_and_credentials_and_answer_as_the_twin() {
    const OPENAI: &str = "oai-twin-test.openai.azure.com";
    const COGNITIVE: &str = "https://cognitiveservices.azure.com";
    let gate = FixedGate::new(Admission::Refused { message: refusal::COGNITIVE_PUBLIC_ACCESS_DISABLED.into() });
    let (plane, addr, client) = face(gate.clone(), &[OPENAI, "app-twin-test.azurewebsites.net"]).await;
    let chat = url(OPENAI, addr, "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
    let request = json!({"messages": [{"role": "user", "content": "hello"}]});

    let (status, body) = json_of(client.post(&chat).header("api-key", "k").json(&request).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": {"code": "403", "message": "Public access is disabled. Please configure private endpoint."}})
    );

    gate.set(admitted(AccessVerdict::None, COGNITIVE));
    let (status, body) = json_of(client.post(&chat).json(&request).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("401")), "no credential");
    let (status, body) = json_of(client.post(&chat).header("api-key", "k").json(&request).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "chat.completion");
    assert!(body["choices"][0]["message"]["content"].as_str().unwrap().contains("privlink twin"));

    gate.set(admitted(AccessVerdict::Granted, COGNITIVE));
    let (status, _) = json_of(client.post(&chat).header("api-key", "k").json(&request).send().await.unwrap()).await;
    assert_eq!(status, 401, "the engine says the app signs in with Entra: a key is not the app's credential");
    let token = plane.token(COGNITIVE);
    let (status, _) = json_of(client.post(&chat).bearer_auth(&token).json(&request).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let vault_token = plane.token(VAULT_AUDIENCE);
    let (status, _) = json_of(client.post(&chat).bearer_auth(&vault_token).json(&request).send().await.unwrap()).await;
    assert_eq!(status, 401, "a token for another audience");
    gate.set(admitted(AccessVerdict::Denied, COGNITIVE));
    let (status, body) = json_of(client.post(&chat).bearer_auth(&token).json(&request).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("PermissionDenied")));

    gate.set(admitted(AccessVerdict::Granted, COGNITIVE));
    let (status, body) = json_of(
        client
            .get(url(OPENAI, addr, "/openai/models?api-version=2024-10-21"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("404")));

    let (status, body) =
        json_of(client.get(url("app-twin-test.azurewebsites.net", addr, "/health")).send().await.unwrap()).await;
    assert_eq!(
        (status, body["servedBy"].as_str()),
        (200, Some("privlink twin")),
        "any other backend answers TLS + HTTP"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_admits_the_seed_app_at_its_key_vaults_private_endpoint() {
    let model = privlink_load_seed();
    let site = model
        .resources
        .sites
        .keys()
        .find(|id| id.name().eq_ignore_ascii_case("app-flask-privlink"))
        .expect("the seed's app")
        .clone();
    let engine = EngineGate::new(site, Arc::new(model));
    let gate = Arc::new(AtAddress(engine, "10.20.2.6:443".parse().unwrap()));
    const SEED_VAULT: &str = "kv-privlink-seed.vault.azure.net";
    let (plane, addr, client) = face(gate, &[SEED_VAULT]).await;
    let token = plane.token(VAULT_AUDIENCE);
    let secret_url = url(SEED_VAULT, addr, "/secrets/openai-key?api-version=7.6");
    let (status, body) =
        json_of(client.put(&secret_url).bearer_auth(&token).json(&json!({"value": "sk-test"})).send().await.unwrap())
            .await;
    assert_eq!(
        status, 200,
        "the seed app's identity holds Key Vault Secrets User through the private endpoint: {body}"
    );
    let (_, body) = json_of(client.get(&secret_url).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(body["value"], "sk-test");
    let other = plane.token_for("99999999-0000-0000-0000-000000000000", VAULT_AUDIENCE);
    let (status, _) = json_of(client.get(&secret_url).bearer_auth(&other).send().await.unwrap()).await;
    assert_eq!(status, 403, "the engine reasons about the seed app's identity only");
}

fn privlink_load_seed() -> privlink_model::Model {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let inputs = privlink_testkit::json_files_under(&dir)
        .iter()
        .map(|f| privlink_load::Input::new(f.display().to_string(), std::fs::read(f).unwrap()))
        .collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_keyvault_secrets_works_unchanged_with_default_azure_credential() {
    let Some(python) = privlink_testkit::clients_python("azure.keyvault.secrets, azure.identity") else {
        return skip_or_fail(
            "no clients venv (PRIVLINK_CLIENTS_PYTHON or ~/.cache/privlink/clients-venv) for azure-keyvault-secrets",
        );
    };
    let gate = FixedGate::new(admitted(AccessVerdict::Granted, VAULT_AUDIENCE));
    let (plane, addr, _) = face(gate.clone(), &[]).await;
    let identity_endpoint = token_endpoint(plane.plane.clone()).await;
    let env = vec![
        ("IDENTITY_ENDPOINT".to_string(), identity_endpoint),
        ("IDENTITY_HEADER".to_string(), IDENTITY_HEADER.to_string()),
        ("SSL_CERT_FILE".to_string(), plane.ca_path.display().to_string()),
        ("REQUESTS_CA_BUNDLE".to_string(), plane.ca_path.display().to_string()),
    ];
    // The vault URL is the one an app is given (port 443): the SDK checks the challenge's resource
    // against the URL's host and port, and the namespace's routes would bring it to the backend.
    let script = format!(
        r#"{resolve}
import json
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from azure.core.exceptions import HttpResponseError
client = SecretClient(vault_url="https://{VAULT_HOST}", credential=DefaultAzureCredential())
mode = "MODE"
if mode == "use":
    first = client.set_secret("db-password", "v1")
    second = client.set_secret("db-password", "v2")
    latest = client.get_secret("db-password")
    old = client.get_secret("db-password", first.properties.version)
    versions = sorted(p.version for p in client.list_properties_of_secret_versions("db-password"))
    names = [p.name for p in client.list_properties_of_secrets()]
    print(json.dumps({{"latest": latest.value, "old": old.value, "versions": versions,
                      "expected": sorted([first.properties.version, second.properties.version]), "names": names,
                      "id": latest.id}}))
else:
    try:
        client.get_secret("db-password")
        print(json.dumps({{"status": 200}}))
    except HttpResponseError as e:
        print(json.dumps({{"status": e.status_code, "code": e.error.code if e.error else None,
                          "inner": (e.error.innererror or {{}}).get("code") if e.error else None}}))
"#,
        resolve = python_resolving(".vault.azure.net", addr.port())
    );
    let out = run_python(python.clone(), script.replace("MODE", "use"), env.clone()).await;
    let used: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!((used["latest"].as_str(), used["old"].as_str()), (Some("v2"), Some("v1")), "{used}");
    assert_eq!(used["versions"], used["expected"]);
    assert_eq!(used["names"], json!(["db-password"]));
    assert!(used["id"].as_str().unwrap().starts_with(&format!("https://{VAULT_HOST}/secrets/db-password/")));

    gate.set(Admission::Refused { message: refusal::KEY_VAULT_PUBLIC_ACCESS_DISABLED.into() });
    let out = run_python(python, script.replace("MODE", "refused"), env).await;
    let refused: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(refused, json!({"status": 403, "code": "Forbidden", "inner": "ForbiddenByConnection"}));
}
