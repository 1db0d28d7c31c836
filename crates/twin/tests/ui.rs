//! The twin's page over real sockets: `/ui` needs the start's token, `/ui/api/estate` answers the
//! engine's table for the built-in estate without a setting's value, and `/ui/events` says so
//! within moments when a write commits.

use privlink_twin::{start, RunningTwin, TwinConfig};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SITE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink";
const SQL: &str = "sql-privlink-seed.database.windows.net:1433";
/// A setting value the page must never show.
const SECRET: &str = "ui-test-secret-value-5f1c9b";

fn seed_estate() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut documents = Vec::new();
    for file in privlink_testkit::json_files_under(&dir) {
        match serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap() {
            Value::Array(items) => documents.extend(items),
            other => documents.push(other),
        }
    }
    documents
}

fn client(twin: &RunningTwin) -> reqwest::Client {
    let ca = std::fs::read(&twin.ca_path).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .no_proxy()
        .build()
        .unwrap()
}

async fn bearer(twin: &RunningTwin, client: &reqwest::Client) -> String {
    let token: Value = client
        .get(&twin.identity_endpoint)
        .query(&[("api-version", "2019-08-01"), ("resource", "https://management.core.windows.net/")])
        .header("X-IDENTITY-HEADER", twin.identity_header())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_string()
}

fn token_of(twin: &RunningTwin) -> String {
    twin.ui_url.split_once("token=").expect("the page's address carries its token").1.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_needs_its_token_and_shows_the_engines_table_live() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = TwinConfig::new(dir.path());
    config.preload = seed_estate();
    let twin = start(config).await.unwrap();
    assert!(twin.ui_url.starts_with(&format!("{}/ui?token=", twin.url)), "{}", twin.ui_url);
    let token = token_of(&twin);
    assert!(token.len() >= 32, "a token too short to guess: {token}");
    let client = client(&twin);

    // Without the token (or with another), every /ui address is refused with a plain reason.
    for path in ["/ui", "/ui/api/estate", "/ui/events", "/ui/page.js", "/ui/api/estate?token=0123"] {
        let reply = client.get(format!("{}{path}", twin.url)).send().await.unwrap();
        assert_eq!(reply.status().as_u16(), 401, "{path}");
        assert!(reply.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert!(reply.text().await.unwrap().contains("token"), "{path}: the reason names the token");
    }
    // The token is nowhere in the state directory.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains(&token), "{} holds the page token", path.display());
        }
    }

    // The page: embedded, with the token for its own requests, and a cookie for reloads.
    let page = client.get(&twin.ui_url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with(&format!("privlink-ui-{}={token};", twin.addr.port())), "{cookie}");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("/ui/page.js?token={token}")) && !html.contains("__TOKEN__"));
    assert!(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere");
    let cookie_only = client
        .get(format!("{}/ui/page.js", twin.url))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(cookie_only.status().as_u16(), 200, "the cookie admits as the token does");

    let estate = |client: reqwest::Client, url: String| async move {
        let reply = client.get(url).send().await.unwrap();
        assert_eq!(reply.status().as_u16(), 200);
        reply.json::<Value>().await.unwrap()
    };
    let estate_url = format!("{}/ui/api/estate?token={token}", twin.url);
    let before = estate(client.clone(), estate_url.clone()).await;
    assert_eq!((before["dependencies"].as_u64(), before["allowed"].as_u64()), (Some(4), Some(4)), "{before:#}");
    let rows = before["rows"].as_array().unwrap();
    let sql = rows.iter().find(|r| r["to"] == SQL).expect("the SQL dependency is a row");
    assert_eq!(sql["app"], "app-flask-privlink");
    assert_eq!(sql["name"], "sql-privlink-seed.database.windows.net");
    assert_eq!(sql["port"], 1433);
    assert_eq!((sql["resolution"].as_str(), sql["verdict"].as_str()), (Some("private"), Some("allowed")));
    assert!(sql["addresses"][0].as_str().unwrap().starts_with("10."), "{sql}");
    assert!(sql.get("access").is_some() && sql.get("step").is_some());
    assert!(before["findings"].is_array() && before["check_summary"]["resources"].as_u64().unwrap() > 0);
    assert_eq!(before["diagram"]["available"], true);
    assert!(before["diagram"]["svg"].as_str().unwrap().contains("app-flask-privlink"), "the diagram draws the app");

    let detail: Value = client
        .get(format!("{}/ui/api/dependency", twin.url))
        .query(&[("token", token.as_str()), ("app", SITE), ("to", SQL)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(detail["trace_text"].as_str().unwrap().contains("verdict: allowed"), "{detail:#}");
    assert!(detail["resolution_text"].as_str().unwrap().contains("sql-privlink-seed.database.windows.net"));
    assert_eq!(detail["trace"]["verdict"], "allowed");

    // Follow the events, then write through the ARM face: a setting with a value, which the
    // page must not show; the stream says a commit landed.
    let mut events = client.get(format!("{}/ui/events?token={token}", twin.url)).send().await.unwrap();
    assert_eq!(events.status().as_u16(), 200);
    assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(&events.chunk().await.unwrap().expect("the stream stays open")));
    }
    let bearer = bearer(&twin, &client).await;
    let settings = json!({"properties": {
        "SQL_SERVER_FQDN": "sql-privlink-seed.database.windows.net",
        "SQL_DATABASE_NAME": "db-flask",
        "REDIS_HOST": "redis-privlink-seed.redis.cache.windows.net",
        "REDIS_PORT": "6380",
        "KEY_VAULT_URI": "https://kv-privlink-seed.vault.azure.net/",
        "AZURE_OPENAI_ENDPOINT": "https://oai-privlink-seed.openai.azure.com/",
        "OPENAI_API_KEY": "@Microsoft.KeyVault(SecretUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key)",
        "WEBSITE_VNET_ROUTE_ALL": "1",
        "SESSION_SECRET": SECRET,
    }});
    let written = Instant::now();
    let put = client
        .put(format!("{}{SITE}/config/appsettings?api-version=2024-04-01", twin.url))
        .bearer_auth(&bearer)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200, "{}", put.text().await.unwrap());
    let deadline = Duration::from_secs(2);
    while !seen.contains("event: commit") {
        let chunk = tokio::time::timeout(deadline.saturating_sub(written.elapsed()), events.chunk())
            .await
            .expect("a commit event within 2 s of the write")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    eprintln!("commit event {} ms after the write was sent", written.elapsed().as_millis());

    let after = estate(client.clone(), estate_url.clone()).await;
    assert_eq!(after["allowed"], 4);
    assert!(!after.to_string().contains(SECRET), "the estate JSON shows a setting's value");
    for row in after["rows"].as_array().unwrap() {
        let detail = client
            .get(format!("{}/ui/api/dependency", twin.url))
            .query(&[
                ("token", token.as_str()),
                ("app", row["app_id"].as_str().unwrap()),
                ("to", row["to"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(detail.contains("trace_text") && !detail.contains(SECRET), "{detail}");
    }

    // Stopping ends the open event stream instead of waiting on it.
    let stopped = Instant::now();
    twin.shutdown().await.unwrap();
    assert!(stopped.elapsed() < Duration::from_secs(4), "shutdown waited {:?} on the open page", stopped.elapsed());
    drop(events);
}
