//! The twin over real sockets on loopback: HTTPS with the generated CA, the plain-http identity
//! endpoint, and a restart that reuses the CA and keeps the estate.

use privlink_twin::{start, TwinConfig};
use serde_json::{json, Value};

fn client_trusting(ca_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).expect("the CA is PEM"))
        .no_proxy()
        .build()
        .expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_arm_over_https_on_loopback_with_its_own_ca() {
    let dir = tempfile::tempdir().unwrap();
    let twin = start(TwinConfig::new(dir.path())).await.expect("the twin starts");
    assert!(twin.addr.ip().is_loopback() && twin.identity_addr.ip().is_loopback());
    assert!(twin.url.starts_with("https://127.0.0.1:") && !twin.url.ends_with('/'));
    let ca_pem = std::fs::read(&twin.ca_path).unwrap();
    let client = client_trusting(&ca_pem);

    let metadata: Value = client
        .get(format!("{}/metadata/endpoints?api-version=2022-09-01", twin.url))
        .send()
        .await
        .expect("TLS with the generated CA and SAN IP:127.0.0.1 verifies")
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["resourceManager"], twin.url.as_str());

    // The identity endpoint, as az calls it (plain http, X-IDENTITY-HEADER).
    let token: Value = client
        .get(&twin.identity_endpoint)
        .query(&[("api-version", "2019-08-01"), ("resource", "https://management.core.windows.net/")])
        .header("X-IDENTITY-HEADER", twin.identity_header())
        .header("Metadata", "true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().expect("a token").to_string();

    let group = format!("{}/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-demo", twin.url);
    let created = client
        .put(format!("{group}?api-version=2024-11-01"))
        .bearer_auth(&bearer)
        .json(&json!({"location": "eastus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let unauthenticated = client.get(format!("{group}?api-version=2024-11-01")).send().await.unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);

    let env = twin.env();
    assert!(env.iter().any(|(k, v)| *k == "REQUESTS_CA_BUNDLE" && v.ends_with("ca.pem")));
    assert!(twin.shell_setup().contains(&format!("--endpoint-resource-manager {}", twin.url)));
    let port = twin.addr.port();
    twin.shutdown().await.expect("a clean shutdown");

    // Restart on the same state directory and port: same CA, same estate, same token.
    let mut config = TwinConfig::new(dir.path());
    config.port = port;
    let twin = start(config).await.expect("the twin restarts");
    assert_eq!(std::fs::read(&twin.ca_path).unwrap(), ca_pem, "the CA is reused, not regenerated");
    let client = client_trusting(&ca_pem);
    let group = client.get(format!("{group}?api-version=2024-11-01")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(group.status().as_u16(), 200);
    let group: Value = group.json().await.unwrap();
    assert_eq!(group["name"], "rg-demo");
    twin.shutdown().await.unwrap();
}
