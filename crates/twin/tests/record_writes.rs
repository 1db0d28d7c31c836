//! Record-set writes cost the same however large the zone is (issue 17, item 7: 2,000 PUTs from 16
//! clients went from 157 to 45 requests/s per successive 500, because each write copied the estate
//! and re-parsed every record set of the zone to count them). Measured in-process through the ARM
//! router: the median PUT among the last records written may not cost much more than among the
//! first. The zone's counters stay exact.

mod common;

use common::{InProcessTwin, SUB};
use serde_json::json;
use std::time::Instant;

const RECORDS: usize = 2000;
const SAMPLE: usize = 200;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test]
async fn record_set_writes_do_not_slow_down_as_the_zone_grows() {
    let dir = tempfile::tempdir().unwrap();
    let twin = InProcessTwin::open(dir.path());
    let group = format!("{SUB}/resourceGroups/rg-records");
    assert_eq!(
        twin.send("PUT", &format!("{group}?api-version=2021-04-01"), Some(&json!({"location": "westeurope"})))
            .await
            .status,
        201
    );
    let zone = format!("{group}/providers/Microsoft.Network/privateDnsZones/records.internal");
    assert!(
        twin.send("PUT", &format!("{zone}?api-version=2024-06-01"), Some(&json!({"location": "global"}))).await.status
            < 300
    );
    let mut times = Vec::with_capacity(RECORDS);
    for i in 0..RECORDS {
        let body =
            json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": format!("10.1.{}.{}", i / 256, i % 256)}]}});
        let path = format!("{zone}/A/host-{i}?api-version=2024-06-01");
        let started = Instant::now();
        let reply = twin.send("PUT", &path, Some(&body)).await;
        times.push(started.elapsed().as_secs_f64());
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    let first = median(times[..SAMPLE].to_vec());
    let last = median(times[RECORDS - SAMPLE..].to_vec());
    println!(
        "median PUT: {:.2} ms for the first {SAMPLE} records, {:.2} ms for the last {SAMPLE}",
        first * 1e3,
        last * 1e3
    );
    assert!(
        last <= first * 2.0,
        "the last writes cost {:.1}× the first ({:.2} ms vs {:.2} ms)",
        last / first,
        last * 1e3,
        first * 1e3
    );

    let zone_doc = twin.send("GET", &format!("{zone}?api-version=2024-06-01"), None).await;
    assert_eq!(zone_doc.json()["properties"]["numberOfRecordSets"], RECORDS + 1, "every A record set and the SOA");
    let deleted = twin.send("DELETE", &format!("{zone}/A/host-7?api-version=2024-06-01"), None).await;
    assert!(deleted.status < 300);
    let link = json!({"location": "global", "properties": {"registrationEnabled": true,
        "virtualNetwork": {"id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet-x")}}});
    let linked = twin.send("PUT", &format!("{zone}/virtualNetworkLinks/l1?api-version=2024-06-01"), Some(&link)).await;
    let zone_doc = twin.send("GET", &format!("{zone}?api-version=2024-06-01"), None).await;
    assert_eq!(zone_doc.json()["properties"]["numberOfRecordSets"], RECORDS, "one deleted");
    if linked.status < 300 {
        assert_eq!(zone_doc.json()["properties"]["numberOfVirtualNetworkLinks"], 1);
        assert_eq!(zone_doc.json()["properties"]["numberOfVirtualNetworkLinksWithRegistration"], 1);
    }
}
