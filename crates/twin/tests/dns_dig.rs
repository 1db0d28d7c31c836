//! A real client: `dig` (Debian's bind9-dnsutils) asks every view of the built-in seed estate for
//! the backends' names and sees what the seed README promises — private endpoint addresses from
//! `vnet-app` and from the VNet-integrated app, public ones from the internet. Skipped, with a
//! message, where `dig` is not installed (a failure under CI, where `.ci/run` installs it).

mod dns_support;

use privlink_testkit::skip_or_fail;
use privlink_twin::dns_face::{start_dns, DnsConfig, ModelSource};
use std::process::Command;

const BACKENDS: [(&str, &str); 4] = [
    ("sql-privlink-seed.database.windows.net", "10.20.2.4"),
    ("redis-privlink-seed.redis.cache.windows.net", "10.20.2.5"),
    ("kv-privlink-seed.vault.azure.net", "10.20.2.6"),
    ("oai-privlink-seed.openai.azure.com", "10.20.2.7"),
];

fn dig(args: &[String]) -> String {
    let output = Command::new("dig").args(args).output().expect("dig runs");
    assert!(output.status.success(), "dig {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn dig_available() -> bool {
    Command::new("dig").arg("-v").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_sees_the_private_answers_in_every_view_of_the_seed_estate() {
    if !dig_available() {
        return skip_or_fail("`dig` is not installed (apt-get install bind9-dnsutils)");
    }
    let model = dns_support::load_estate(&dns_support::scenarios_root().join("seed-estate"));
    let face = start_dns(ModelSource::Model(Box::new(model)), &DnsConfig::on_port(0)).await.unwrap();
    let views = face.views();
    assert_eq!(views.len(), 3, "internet, vnet-app, app-flask-privlink: {views:?}");
    let port = face.port.to_string();
    for view in views.iter() {
        let server = format!("@{}", view.address);
        for (name, private) in BACKENDS {
            let args: Vec<String> = [server.as_str(), "-p", &port, name, "+short", "+time=2", "+tries=1"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let short = tokio::task::spawn_blocking(move || dig(&args)).await.unwrap();
            let last = short.lines().last().unwrap_or_default().to_string();
            if view.view == "internet" {
                assert!(!last.starts_with("10.") && !last.is_empty(), "{name} from the internet is public: {short}");
            } else {
                assert_eq!(last, private, "{name} from {}:\n{short}", view.view);
                assert!(short.contains(".privatelink."), "the answer shows the CNAME chain: {short}");
            }
            eprintln!("dig {server} -p {port} {name} ({}): {}", view.view, short.replace('\n', " "));
        }
    }
    let vnet = views.iter().find(|v| v.view.contains("virtualNetworks/vnet-app")).unwrap();
    let server = format!("@{}", vnet.address);
    // Over TCP, the full answer: flags without aa, the zone-group TTL of 10 s.
    let args: Vec<String> = [server.as_str(), "-p", &port, "+tcp", BACKENDS[0].0, "+time=2", "+tries=1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let full = tokio::task::spawn_blocking(move || dig(&args)).await.unwrap();
    assert!(full.contains("status: NOERROR"), "{full}");
    assert!(full.contains("flags: qr rd ra;"), "recursive resolver flags, no aa: {full}");
    assert!(full.contains("sql-privlink-seed.privatelink.database.windows.net. 10 IN A 10.20.2.4"), "{full}");
    // A name privlink does not model: SERVFAIL, and dig prints the Extended DNS Error.
    let args: Vec<String> = [server.as_str(), "-p", &port, "www.example.org", "+time=2", "+tries=1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let unmodelled = tokio::task::spawn_blocking(move || dig(&args)).await.unwrap();
    assert!(unmodelled.contains("status: SERVFAIL"), "{unmodelled}");
    assert!(unmodelled.contains("EDE: 0 (Other): (not modelled:"), "{unmodelled}");
    face.shutdown().await.unwrap();
}
