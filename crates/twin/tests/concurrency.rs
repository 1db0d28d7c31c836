//! Concurrent read-modify-write clients that use `If-Match` never lose an update: each write
//! either lands on the version it read or is refused with 412 and retried.

mod common;

use common::{InProcessTwin, SUB};
use serde_json::{json, Value};
use std::sync::Arc;

const WRITERS: usize = 8;
const WRITES_EACH: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn if_match_writers_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let twin = Arc::new(InProcessTwin::open(dir.path()));
    let group = format!("{SUB}/resourceGroups/rg-race?api-version=2024-11-01");
    assert_eq!(twin.send("PUT", &group, Some(&json!({"location": "westeurope"}))).await.status, 201);
    let vault =
        format!("{SUB}/resourceGroups/rg-race/providers/Microsoft.KeyVault/vaults/kv-race?api-version=2023-07-01");
    let created = twin
        .send("PUT", &vault, Some(&json!({"location": "westeurope", "tags": {}, "properties": {"tenantId": "t"}})))
        .await;
    assert!(created.status == 200 || created.status == 201);

    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let twin = twin.clone();
        let vault = vault.clone();
        tasks.push(tokio::spawn(async move {
            let mut refused = 0;
            for write in 0..WRITES_EACH {
                loop {
                    let current = twin.send("GET", &vault, None).await;
                    let etag = current.header("etag").expect("resources carry an ETag").to_string();
                    let mut doc: Value = current.json().clone();
                    doc["tags"][format!("w{writer}-{write}")] = json!("x");
                    let bearer = format!("Bearer {}", twin.token);
                    let reply = twin
                        .send_with(
                            "PUT",
                            &vault,
                            &[("authorization", bearer.as_str()), ("if-match", etag.as_str())],
                            Some(&doc),
                        )
                        .await;
                    match reply.status {
                        200 | 201 => break,
                        412 => refused += 1,
                        other => panic!("unexpected {other}: {:?}", reply.body),
                    }
                }
            }
            refused
        }));
    }
    let mut refused = 0;
    for t in tasks {
        refused += t.await.unwrap();
    }
    let last = twin.send("GET", &vault, None).await;
    let tags = last.json()["tags"].as_object().expect("tags").len();
    assert_eq!(
        tags,
        WRITERS * WRITES_EACH,
        "every acknowledged update is present ({refused} stale writes were refused with 412)"
    );
}
