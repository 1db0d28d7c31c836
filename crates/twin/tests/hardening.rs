//! The twin's security and robustness promises (SECURITY.md), each as the attack that once broke
//! it (issue 17): input that bricked the state, estate data read without a token, smuggled paths,
//! writes Azure refuses, tokens and headers the twin trusted.

mod common;

use common::{InProcessTwin, SUB};
use serde_json::{json, Value};

const API: &str = "api-version=2024-07-01";

fn group() -> String {
    format!("{SUB}/resourceGroups/rg-deep")
}

fn vnet() -> String {
    format!("{}/providers/Microsoft.Network/virtualNetworks/vnet-app", group())
}

/// `{"a": {"a": … {}}}`, `depth` levels deep.
fn nested(depth: usize) -> Value {
    (1..depth).fold(json!({}), |inner, _| json!({ "a": inner }))
}

async fn create_vnet(twin: &InProcessTwin) {
    let rg = twin.send("PUT", &format!("{}?{API}", group()), Some(&json!({"location": "eastus"}))).await;
    assert_eq!(rg.status, 201, "{rg:?}");
    let body = json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
    let created = twin.send("PUT", &format!("{}?{API}", vnet()), Some(&body)).await;
    assert_eq!(created.status, 201, "{created:?}");
}

/// Item 1: whatever the twin acknowledges it reads back after a restart, and every reader of
/// `/privlink/documents` can parse it. Every nesting depth up to what the JSON parser accepts
/// (127) is tried: a subnet is stored inline in its VNet three levels deeper than its body.
#[tokio::test]
async fn every_acknowledged_write_reads_back_after_a_restart_however_deeply_nested() {
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged = Vec::new();
    {
        let twin = InProcessTwin::open(dir.path());
        create_vnet(&twin).await;
        for depth in [16, 40, 62, 64, 65, 100, 125, 127] {
            // The body: {"properties": {"addressPrefix", "x": nested}} is depth-2 levels + 2.
            let body = json!({"properties": {"addressPrefix": format!("10.0.{depth}.0/24"), "x": nested(depth - 2)}});
            let subnet = format!("{}/subnets/s{depth}", vnet());
            let reply = twin.send("PUT", &format!("{subnet}?{API}"), Some(&body)).await;
            if (200..300).contains(&reply.status) {
                acknowledged.push(subnet);
            } else {
                assert_eq!((reply.status, reply.error_code()), (400, Some("InvalidRequestContent")), "depth {depth}");
            }
            // A resource group nested as deeply: `/privlink/documents` wraps it two levels deeper.
            let rg = format!("{SUB}/resourceGroups/rg-{depth}");
            let body = json!({"location": "eastus", "tags": {}, "properties": nested(depth - 1)});
            let reply = twin.send("PUT", &format!("{rg}?{API}"), Some(&body)).await;
            if (200..300).contains(&reply.status) {
                acknowledged.push(rg);
            }
            let documents = twin.send("GET", "/privlink/documents", None).await;
            assert_eq!(documents.status, 200, "/privlink/documents parses after depth {depth}");
        }
        assert!(acknowledged.len() >= 6, "the shallow writes are acknowledged: {acknowledged:?}");
    }
    let restarted = std::time::Instant::now();
    let twin = InProcessTwin::open(dir.path());
    eprintln!("reopened after the deepest acknowledged writes in {:?}", restarted.elapsed());
    assert!(twin.state.store.quarantined().unwrap().is_empty(), "nothing acknowledged was unreadable");
    for id in &acknowledged {
        let reply = twin.send("GET", &format!("{id}?{API}"), None).await;
        assert_eq!(reply.status, 200, "{id} reads back after the restart");
    }
}

/// Item 2: the estate (app settings included) is never served without the token.
#[tokio::test]
async fn the_twins_own_endpoints_need_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    for path in ["/privlink/documents", "/privlink/dns-views"] {
        let anonymous = twin.send_with("GET", path, &[], None).await;
        assert_eq!((anonymous.status, anonymous.error_code()), (401, Some("AuthenticationFailed")), "{path}");
        let forged = twin.send_with("GET", path, &[("authorization", "Bearer a.b.c")], None).await;
        assert_eq!(forged.status, 401, "{path}");
        let with_token = twin.send("GET", path, None).await;
        assert_eq!(with_token.status, 200, "{path}");
    }
}

/// Item 9: a path is split into segments before they are decoded, so an escaped `/` cannot smuggle
/// a resource into a group's name, and bytes that are not UTF-8 are refused, not made into U+FFFD.
#[tokio::test]
async fn escaped_slashes_and_invalid_utf8_in_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let smuggled = format!("{SUB}/resourcegroups/rg%2Fproviders%2FMicrosoft.Network%2FvirtualNetworks%2Fsmuggled");
    let reply = twin.send("PUT", &format!("{smuggled}?{API}"), Some(&json!({"location": "eastus"}))).await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(twin.state.store.snapshot().is_empty(), "nothing was created");
    for name in ["rg-%FF", "rg-%FE", "rg-%C3"] {
        let reply =
            twin.send("PUT", &format!("{SUB}/resourcegroups/{name}?{API}"), Some(&json!({"location": "eastus"}))).await;
        assert_eq!(reply.status, 400, "{name}: {reply:?}");
        assert!(reply.error_code().is_some(), "ARM's error envelope");
    }
    assert!(twin.state.store.snapshot().is_empty());
    // Escapes that decode to valid names still work (az quotes what it sends).
    let reply =
        twin.send("PUT", &format!("{SUB}/resourcegroups/rg%2Dok?{API}"), Some(&json!({"location": "eastus"}))).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.json()["name"], "rg-ok");
}

/// Item 10: authentication schemes are case-insensitive (RFC 9110 §11.1).
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} {}", twin.token);
        let reply =
            twin.send_with("GET", &format!("{SUB}/resourcegroups?{API}"), &[("authorization", &auth)], None).await;
        assert_eq!(reply.status, 200, "{scheme}");
    }
}

/// Item 10: the async-operation URL names the twin's own endpoint, never the client's `Host`.
#[tokio::test]
async fn async_operation_urls_name_the_twin_not_the_host_header() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    create_vnet(&twin).await;
    let auth = format!("Bearer {}", twin.token);
    let body = json!({"properties": {"addressPrefix": "10.0.1.0/24"}});
    let reply = twin
        .send_with(
            "PUT",
            &format!("{}/subnets/a?{API}", vnet()),
            &[("authorization", &auth), ("host", "attacker.example")],
            Some(&body),
        )
        .await;
    assert!(reply.status == 200 || reply.status == 201, "{reply:?}");
    let operation = reply.header("azure-asyncoperation").expect("a long-running write");
    assert!(operation.starts_with("https://127.0.0.1:8443/"), "{operation}");
    let metadata = twin
        .send_with("GET", "/metadata/endpoints?api-version=2022-09-01", &[("host", "attacker.example")], None)
        .await;
    assert_eq!(metadata.json()["resourceManager"], "https://127.0.0.1:8443");
}

/// Item 10: ARM refuses request bodies over 4 MB (`RequestEntityTooLarge`, 413), so one request
/// cannot cost the twin more than a few times that in memory.
#[tokio::test]
async fn bodies_over_arms_limit_are_refused_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let big = json!({"location": "eastus", "tags": {"t": "x".repeat(4 * 1024 * 1024 + 1)}});
    let reply = twin.send("PUT", &format!("{SUB}/resourcegroups/rg-big?{API}"), Some(&big)).await;
    assert_eq!((reply.status, reply.error_code()), (413, Some("RequestEntityTooLarge")), "{:?}", reply.status);
    assert!(twin.state.store.snapshot().is_empty());
}

/// Item 8: the writes Azure refuses, each answered with the status and code Azure uses.
#[tokio::test]
async fn writes_azure_refuses_are_refused_with_its_codes() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let rg = format!("{SUB}/resourceGroups/rg-net");
    assert_eq!(twin.send("PUT", &format!("{rg}?{API}"), Some(&json!({"location": "eastus"}))).await.status, 201);
    let net = format!("{rg}/providers/Microsoft.Network");
    let vnet = format!("{net}/virtualNetworks/vnet-a");
    let space = json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
        "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.20.1.0/24"}}]}});
    assert_eq!(twin.send("PUT", &format!("{vnet}?{API}"), Some(&space)).await.status, 201);
    let subnet = |prefix: Value| json!({"properties": {"addressPrefix": prefix}});
    let group_body = json!({"location": "eastus"});
    let long = "a".repeat(2000);
    let accents = "%C3%A9".repeat(100);
    let cases: Vec<(String, Value, u16, &str)> = vec![
        (format!("{vnet}/subnets/out?{API}"), subnet(json!("10.99.0.0/24")), 400, "NetcfgSubnetRangeOutsideVnet"),
        (format!("{vnet}/subnets/over?{API}"), subnet(json!("10.20.1.128/25")), 400, "NetcfgSubnetRangesOverlap"),
        (format!("{vnet}/subnets/len?{API}"), subnet(json!("10.20.0.0/33")), 400, "InvalidAddressPrefixFormat"),
        (format!("{vnet}/subnets/ip?{API}"), subnet(json!("not-an-ip")), 400, "InvalidAddressPrefixFormat"),
        (format!("{vnet}/subnets/none?{API}"), json!({"properties": {}}), 400, "NetcfgInvalidSubnet"),
        (
            format!("{net}/virtualNetworks/vnet-b?{API}"),
            json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
                "subnets": [{"name": "x", "properties": {"addressPrefix": "10.31.0.0/24"}}]}}),
            400,
            "NetcfgSubnetRangeOutsideVnet",
        ),
        (format!("{vnet}?api-version=garbage"), space.clone(), 400, "NoRegisteredProviderFound"),
        (format!("{vnet}?api-version="), space.clone(), 400, "MissingApiVersionParameter"),
        (format!("{vnet}?api-version=1900-01-01"), space.clone(), 400, "NoRegisteredProviderFound"),
        (
            format!("{SUB}/resourcegroups/rg-x?api-version=garbage"),
            group_body.clone(),
            400,
            "InvalidApiVersionParameter",
        ),
        (format!("{rg}/providers/Microsoft.Bogus/things/t?{API}"), group_body.clone(), 400, "InvalidResourceNamespace"),
        (format!("{vnet}/bogusChildren/c?{API}"), json!({"properties": {}}), 400, "InvalidResourceType"),
        (format!("{SUB}/resourcegroups/.?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (format!("{SUB}/resourcegroups/..?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (format!("{SUB}/resourcegroups/rg%00nul?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (format!("{SUB}/resourcegroups/rg%0Aline?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (format!("{SUB}/resourcegroups/rg-%FF?{API}"), group_body.clone(), 400, "InvalidRequestUri"),
        (format!("{SUB}/resourcegroups/{long}?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (format!("{SUB}/resourcegroups/{accents}?{API}"), group_body.clone(), 400, "ResourceGroupNameInvalid"),
        (
            format!("{net}/privateDnsZones/z.example?{API}"),
            json!({"location": "global", "properties": "oops"}),
            400,
            "InvalidRequestContent",
        ),
    ];
    let before = twin.state.store.snapshot().len();
    for (path, body, status, code) in &cases {
        let reply = twin.send("PUT", path, Some(body)).await;
        let shown: String = path.chars().take(140).collect();
        assert_eq!((reply.status, reply.error_code()), (*status, Some(*code)), "PUT {shown}: {:?}", reply.body);
    }
    assert_eq!(twin.state.store.snapshot().len(), before, "nothing refused was stored");
    // What Azure accepts still goes in: a subnet inside, beside the other; a 90-character group.
    let inside = twin.send("PUT", &format!("{vnet}/subnets/s2?{API}"), Some(&subnet(json!("10.20.2.0/24")))).await;
    assert_eq!(inside.status, 201, "{inside:?}");
    let longest = format!("{SUB}/resourcegroups/{}?{API}", "%C3%A9".repeat(90));
    assert_eq!(twin.send("PUT", &longest, Some(&group_body)).await.status, 201);
}
