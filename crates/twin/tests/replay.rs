//! Replays the requests the real az CLI sent (shared/reference/az-cli-requests/*.jsonl) against
//! the ARM face and checks every response against what the client needs (shared/reference/
//! az-cli.md §3–§4): status codes, long-running-operation headers and polling, list shapes,
//! `If-None-Match: *`, singletons answering 200, tokens from the identity endpoint.

mod common;

use base64::Engine;
use common::{InProcessTwin, Reply, SUB};
use privlink_testkit::skip_or_fail;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/az-cli-requests")
}

/// One recorded request.
struct Recorded {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

fn parse_line(line: &str) -> Recorded {
    let v: Value = serde_json::from_str(line).expect("a recorded request is JSON");
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut query = Vec::new();
    for (name, values) in v["query"].as_object().into_iter().flatten() {
        for value in values.as_array().into_iter().flatten() {
            query.push((name.clone(), value.as_str().unwrap_or_default().to_string()));
        }
    }
    let headers = v["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    Recorded {
        method: text("/method"),
        path: text("/path"),
        query,
        headers,
        body: v.get("body").filter(|b| !b.is_null()).cloned(),
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn path_and_query(path: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("{path}?{}", pairs.join("&"))
}

/// The segments after `/providers/{namespace}/` of a resource-group-scoped path, if any.
fn provider_segments(path: &str) -> Option<(String, Vec<String>)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let at = segments.iter().position(|s| s.eq_ignore_ascii_case("providers"))?;
    if at < 4 {
        return None;
    }
    let namespace = segments.get(at + 1)?.to_string();
    Some((namespace, segments[at + 2..].iter().map(|s| s.to_string()).collect()))
}

fn is_operation_status(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("/locations/") && (lower.contains("/operations/") || lower.contains("/mockoperations/"))
}

fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The resources the recordings assume exist (az-cli.md §1: "the web app, plan and vault were
/// put in with plain PUTs first"). Shaped as the CLI needs them: a site has `sku` and
/// `serverFarmId` (az-cli.md §4).
async fn seed_app_plan_and_vault(twin: &InProcessTwin) {
    let rg = format!("{SUB}/resourceGroups/rg-demo");
    let seeds = [
        (
            format!("{rg}/providers/Microsoft.Web/serverfarms/plan-demo"),
            json!({"location": "eastus", "kind": "linux", "sku": {"name": "P1v3", "tier": "PremiumV3"},
                   "properties": {"reserved": true}}),
        ),
        (
            format!("{rg}/providers/Microsoft.Web/sites/app-demo"),
            json!({"location": "eastus", "kind": "app,linux", "properties": {
                "serverFarmId": format!("{rg}/providers/Microsoft.Web/serverfarms/plan-demo"),
                "sku": "PremiumV3", "reserved": true, "httpsOnly": true,
                "siteConfig": {"linuxFxVersion": "PYTHON|3.11"}}}),
        ),
        (
            format!("{rg}/providers/Microsoft.KeyVault/vaults/kv-demo"),
            json!({"location": "eastus", "properties": {
                "tenantId": "00000000-0000-0000-0000-0000000000aa", "sku": {"family": "A", "name": "standard"},
                "enableRbacAuthorization": true, "publicNetworkAccess": "Enabled",
                "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices"},
                "vaultUri": "https://kv-demo.vault.azure.net/", "accessPolicies": []}}),
        ),
    ];
    for (id, body) in seeds {
        let reply = twin.send("PUT", &format!("{id}?api-version=2025-05-01"), Some(&body)).await;
        assert!(matches!(reply.status, 200 | 201), "seeding {id}: {reply:?}");
    }
}

/// Read-only fields that az reads from a resource of this type (`rest` is the path after the
/// provider namespace): `webapp` commands index a site's `sku` and `serverFarmId` (az-cli.md §4);
/// the private DNS table formatters index the link state and the zone's counters.
fn fields_clients_read(rest: &[String]) -> &'static [&'static str] {
    let types: Vec<String> = rest.iter().step_by(2).map(|t| t.to_ascii_lowercase()).collect();
    match types.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["sites"] => &["/properties/sku", "/properties/serverFarmId"],
        ["privatednszones"] => &[
            "/properties/numberOfRecordSets",
            "/properties/maxNumberOfRecordSets",
            "/properties/numberOfVirtualNetworkLinks",
            "/properties/maxNumberOfVirtualNetworkLinks",
            "/properties/numberOfVirtualNetworkLinksWithRegistration",
            "/properties/maxNumberOfVirtualNetworkLinksWithRegistration",
        ],
        ["privatednszones", "virtualnetworklinks"] => &["/properties/virtualNetworkLinkState"],
        _ => &[],
    }
}

/// Checks one response against what the client needs; returns the problems found.
fn check(recorded: &Recorded, existed_before: bool, reply: &Reply, problems: &mut Vec<String>) {
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    let body = reply.json();
    let path_lower = recorded.path.to_ascii_lowercase();
    let method = recorded.method.as_str();

    if path_lower.trim_start_matches('/') == "metadata/endpoints" {
        expect(reply.status == 200, format!("status {} (want 200)", reply.status));
        let login = body.pointer("/authentication/loginEndpoint").and_then(Value::as_str).unwrap_or_default();
        expect(login.starts_with("https://"), format!("loginEndpoint must be https, got {login:?}"));
        expect(body.pointer("/authentication/audiences/0").is_some_and(Value::is_string), "no audiences[0]".into());
        expect(body["name"].is_string() && body["suffixes"].is_object(), "cloud document lacks name/suffixes".into());
        return;
    }
    if path_lower == "/msi/token" {
        expect(reply.status == 200, format!("status {} (want 200)", reply.status));
        let token = body["access_token"].as_str().unwrap_or_default();
        expect(token.split('.').count() == 3, "access_token is not a three-part JWT".into());
        expect(jwt_claims(token).is_some_and(|c| c["tid"].is_string()), "the token has no tid claim".into());
        let expires_on = body["expires_on"].as_str().unwrap_or_default();
        expect(
            !expires_on.is_empty() && expires_on.bytes().all(|b| b.is_ascii_digit()),
            format!("expires_on must be epoch seconds as a string, got {}", body["expires_on"]),
        );
        expect(body["token_type"] == "Bearer", "token_type is not Bearer".into());
        return;
    }
    if is_operation_status(&recorded.path) {
        expect(reply.status == 200, format!("operation status {} (want 200)", reply.status));
        let status = body["status"].as_str().unwrap_or_default();
        expect(matches!(status, "Succeeded" | "InProgress"), format!("operation status {status:?}"));
        if status == "InProgress" {
            let delay = reply.header("retry-after").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            expect(delay >= 1, "InProgress without Retry-After >= 1 makes az wait 30 s".into());
        }
        return;
    }
    if path_lower == "/subscriptions" {
        expect(reply.status == 200, format!("status {}", reply.status));
        let subs = body["value"].as_array().cloned().unwrap_or_default();
        expect(!subs.is_empty(), "az login fails on an empty subscription list".into());
        for sub in subs {
            for field in ["id", "subscriptionId", "tenantId", "displayName"] {
                expect(sub[field].is_string(), format!("subscription lacks {field}"));
            }
            expect(sub["state"] == "Enabled", "subscription is not Enabled".into());
        }
        return;
    }
    if path_lower.ends_with("/locations") {
        expect(reply.status == 200, format!("status {}", reply.status));
        let regions = body["value"].as_array().cloned().unwrap_or_default();
        expect(regions.iter().any(|r| r["name"] == "eastus" && r["displayName"] == "East US"), "no eastus".into());
        return;
    }

    let provider = provider_segments(&recorded.path);
    let namespace = provider.as_ref().map(|(ns, _)| ns.to_ascii_lowercase()).unwrap_or_default();
    let rest = provider.as_ref().map(|(_, rest)| rest.clone()).unwrap_or_default();
    let is_group = provider.is_none() && path_lower.contains("/resourcegroups/");
    let is_resource = is_group || (!rest.is_empty() && rest.len().is_multiple_of(2));
    let is_config = rest.len() == 4 && rest[2].eq_ignore_ascii_case("config");
    let is_network_lro = namespace == "microsoft.network";

    if is_resource && matches!(method, "PUT" | "GET") && reply.status < 300 {
        for pointer in fields_clients_read(&rest) {
            expect(body.pointer(pointer).is_some_and(|v| !v.is_null()), format!("the response lacks {pointer}"));
        }
    }
    match method {
        "PUT" => {
            let want = if namespace == "microsoft.web" || existed_before { 200 } else { 201 };
            expect(reply.status == want, format!("status {} (want {want}): {body}", reply.status));
            let async_url = reply.header("azure-asyncoperation");
            if is_network_lro {
                expect(
                    async_url.is_some_and(|u| u.starts_with("https://")),
                    "a Microsoft.Network PUT needs an absolute https Azure-AsyncOperation URL".into(),
                );
                let delay = reply.header("retry-after").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                expect(delay >= 1, "Retry-After must be >= 1 (0 counts as absent: 30 s waits)".into());
            } else {
                expect(async_url.is_none(), "a synchronous PUT must not announce an async operation".into());
            }
            if is_config {
                expect(
                    body["properties"] == recorded.body.as_ref().map(|b| b["properties"].clone()).unwrap_or_default(),
                    format!("config singleton properties must be the settings exactly, got {}", body["properties"]),
                );
            } else {
                expect(
                    body.pointer("/properties/provisioningState") == Some(&json!("Succeeded")),
                    "provisioningState is not Succeeded".into(),
                );
            }
            expect(
                body["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(&recorded.path)),
                format!("returned id {} is not the request path", body["id"]),
            );
        }
        "GET" if is_resource => {
            expect(reply.status == 200, format!("status {}: {body}", reply.status));
            expect(
                body["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(&recorded.path)),
                format!("returned id {} is not the request path", body["id"]),
            );
            if !is_config {
                expect(
                    body.pointer("/properties/provisioningState") == Some(&json!("Succeeded")),
                    "the final GET after an LRO must show provisioningState Succeeded".into(),
                );
            }
            if is_group {
                expect(body["location"].is_string(), "a resource group GET must give its location".into());
            }
        }
        "GET" => {
            expect(reply.status == 200, format!("status {}: {body}", reply.status));
            let bare = rest.last().is_some_and(|s| s.eq_ignore_ascii_case("virtualNetworkConnections"));
            if bare {
                expect(body.is_array(), "virtualNetworkConnections must be a bare array".into());
            } else {
                expect(body["value"].is_array(), "a list must be {\"value\":[...]}".into());
            }
        }
        "POST" => {
            expect(reply.status == 200, format!("status {}: {body}", reply.status));
            expect(body["properties"].is_object(), "config list must return {properties:{...}}".into());
            expect(
                body.pointer("/properties/provisioningState").is_none(),
                "provisioningState must not appear among app settings".into(),
            );
        }
        other => expect(false, format!("the recordings have no {other} requests; extend the checks")),
    }
}

#[tokio::test]
async fn replays_every_recorded_az_cli_request_sequence() {
    let dir = recordings_dir();
    if !dir.is_dir() {
        return skip_or_fail(&format!("no recordings at {} (shared/ is not beside the repository)", dir.display()));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no .jsonl recordings", dir.display());

    let state_dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(state_dir.path());
    let mut token: Option<String> = None;
    let mut async_url: Option<String> = None;
    let mut seeded = false;
    let mut problems: Vec<String> = Vec::new();
    let mut replayed = 0;

    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (line_no, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let recorded = parse_line(line);
            let lower = recorded.path.to_ascii_lowercase();
            if !seeded && (lower.contains("/microsoft.web/") || lower.contains("/microsoft.keyvault/")) {
                seed_app_plan_and_vault(&twin).await;
                seeded = true;
            }
            // Operation URLs are the recording server's; poll the one this twin handed out.
            let target = if is_operation_status(&recorded.path) {
                let Some(url) = async_url.clone() else {
                    problems.push(format!("{name}:{}: a poll with no Azure-AsyncOperation before it", line_no + 1));
                    continue;
                };
                url.trim_start_matches("https://127.0.0.1:8443").to_string()
            } else {
                path_and_query(&recorded.path, &recorded.query)
            };
            let mut headers: Vec<(String, String)> =
                recorded.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("content-type")).cloned().collect();
            let is_identity = lower == "/msi/token";
            if is_identity {
                // The recording's header value was the recording server's secret.
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("x-identity-header"));
                headers.push(("x-identity-header".into(), twin.state.identity_header.clone()));
            } else if recorded.method != "GET" || lower.trim_start_matches('/') != "metadata/endpoints" {
                // az sends the token it got from the identity endpoint on every ARM call.
                let bearer = token.clone().unwrap_or_else(|| twin.token.clone());
                headers.push(("authorization".into(), format!("Bearer {bearer}")));
            }
            let existed_before = if recorded.method == "PUT" {
                let probe = twin.send("GET", &path_and_query(&recorded.path, &recorded.query), None).await;
                probe.status == 200
            } else {
                false
            };
            let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let reply = twin.send_with(&recorded.method, &target, &header_refs, recorded.body.as_ref()).await;
            let mut found = Vec::new();
            check(&recorded, existed_before, &reply, &mut found);
            for problem in found {
                problems.push(format!("{name}:{}: {} {}: {problem}", line_no + 1, recorded.method, recorded.path));
            }
            if is_identity {
                token = reply.json()["access_token"].as_str().map(str::to_string);
            }
            if let Some(url) = reply.header("azure-asyncoperation") {
                async_url = Some(url.to_string());
            }
            // az's private DNS create sends If-None-Match: *; a second create must be refused.
            if recorded.method == "PUT" && recorded.headers.iter().any(|(k, v)| k == "if-none-match" && v == "*") {
                let again = twin.send_with(&recorded.method, &target, &header_refs, recorded.body.as_ref()).await;
                if again.status != 412 || again.error_code() != Some("PreconditionFailed") {
                    problems.push(format!("{name}: repeated If-None-Match: * create gave {}, want 412", again.status));
                }
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} requests from {} recordings", files.len());
    assert!(problems.is_empty(), "the twin does not give az what it needs:\n{}", problems.join("\n"));
    check_resulting_estate(&twin, &files).await;
}

/// What the sequence as a whole must have left behind, for the recordings that were present.
async fn check_resulting_estate(twin: &InProcessTwin, files: &[PathBuf]) {
    let present = |prefix: &str| files.iter().any(|f| f.file_name().unwrap().to_string_lossy().starts_with(prefix));
    let rg = format!("{SUB}/resourceGroups/rg-demo/providers");
    let vnet = format!("{rg}/Microsoft.Network/virtualNetworks/vnet-demo");
    if present("05") && present("06") && present("07") {
        let reply = twin.send("GET", &format!("{vnet}?api-version=2024-07-01"), None).await;
        let names: Vec<&str> = reply.json()["properties"]["subnets"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(names, ["default", "snet-app", "snet-pe"], "subnets created by their own URL appear in the VNet");
        let inline = twin.send("GET", &format!("{vnet}/subnets/default?api-version=2024-07-01"), None).await;
        assert_eq!(inline.status, 200, "a subnet sent inline in the VNet PUT is addressable: {inline:?}");
        let subnets = twin.send("GET", &format!("{vnet}/subnets?api-version=2024-07-01"), None).await;
        assert_eq!(subnets.json()["value"].as_array().unwrap().len(), 3);
    }
    if present("10") {
        let all = twin
            .send("GET", &format!("{SUB}/providers/Microsoft.Network/privateEndpoints?api-version=2026-01-01"), None)
            .await;
        let names: Vec<&str> =
            all.json()["value"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(names, ["pe-app"], "subscription-scope list");
    }
    if present("12") {
        let site = format!("{rg}/Microsoft.Web/sites/app-demo");
        let connections =
            twin.send("GET", &format!("{site}/virtualNetworkConnections?api-version=2025-05-01"), None).await;
        let connections = connections.json().as_array().cloned().unwrap();
        assert_eq!(connections.len(), 1);
        assert!(connections[0]["properties"]["vnetResourceId"].as_str().unwrap().ends_with("/subnets/snet-app"));
    }
    if present("13") {
        let site = format!("{rg}/Microsoft.Web/sites/app-demo");
        let settings = twin.send("POST", &format!("{site}/config/appsettings/list?api-version=2025-05-01"), None).await;
        assert_eq!(settings.json()["properties"]["WEBSITE_VNET_ROUTE_ALL"], "1");
    }
    if present("14") {
        let vault =
            twin.send("GET", &format!("{rg}/Microsoft.KeyVault/vaults/kv-demo?api-version=2026-02-01"), None).await;
        assert_eq!(vault.json()["properties"]["networkAcls"]["defaultAction"], "Deny");
    }
}
