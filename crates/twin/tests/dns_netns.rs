//! The system stub resolver against the DNS face, inside network namespaces this test creates.
//!
//! Layout (nothing is bound or sent in the host's namespace):
//!
//! ```text
//!  netns plsrv-PID                         netns plcli-PID
//!  DNS face, view of app-flask-privlink    getent hosts NAME   (glibc stub resolver)
//!  169.254.53.1:53  vS ──── veth ──── vC  169.254.53.2
//!                                          /etc/netns/plcli-PID/resolv.conf: nameserver 169.254.53.1
//! ```
//!
//! Both veth ends are created directly inside the namespaces (`ip -n S link add … peer … netns C`)
//! and carry link-local addresses this test assigns, so packets only travel between the two
//! namespaces. The server is this test re-run inside `plsrv` (`ip netns exec`) with the
//! `PRIVLINK_DNS_NETNS_SERVE` variable set, where it serves one view with
//! `dns_face::serve_view_at` instead. Everything is deleted afterwards, also on failure (a drop
//! guard). Skipped with a message when not root, without `ip`, or where namespaces are not
//! permitted; under CI each of those is a failure.

mod dns_support;

use privlink_model::ResourceId;
use privlink_testkit::skip_or_fail;
use privlink_twin::dns_face::{serve_view_at, ModelSource, ViewKey};
use std::io::{BufRead, BufReader};
use std::net::SocketAddrV4;
use std::process::{Child, Command, Stdio};

const SERVE_ENV: &str = "PRIVLINK_DNS_NETNS_SERVE";
const SERVER_ADDRESS: &str = "169.254.53.1";
const SITE: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink";

const TEST: &str = "the_system_stub_resolver_in_a_namespace_sees_the_private_answers";

/// The test's part inside the server namespace: serves the site's view on `address` until killed.
async fn serve(address: &str) {
    let address: SocketAddrV4 = address.parse().unwrap();
    let model = dns_support::load_estate(&dns_support::scenarios_root().join("seed-estate"));
    let view = ViewKey::Site(ResourceId::parse(SITE).unwrap());
    let face = serve_view_at(ModelSource::Model(Box::new(model)), view, address).await.unwrap();
    println!("ready {address}");
    face.wait().await.unwrap();
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program).args(args).output().map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// Deletes what the test created, whatever happened.
struct Namespaces {
    server: String,
    client: String,
    helper: Option<Child>,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        if let Some(mut helper) = self.helper.take() {
            let _ = helper.kill();
            let _ = helper.wait();
        }
        for ns in [&self.server, &self.client] {
            // Deleting a namespace deletes the veth end inside it, and so the pair.
            let _ = run("ip", &["netns", "del", ns]);
        }
        let _ = std::fs::remove_dir_all(format!("/etc/netns/{}", self.client));
    }
}

#[test]
fn the_system_stub_resolver_in_a_namespace_sees_the_private_answers() {
    if let Ok(address) = std::env::var(SERVE_ENV) {
        return tokio::runtime::Runtime::new().unwrap().block_on(serve(&address));
    }
    match run("id", &["-u"]) {
        Ok(uid) if uid.trim() == "0" => {}
        Ok(_) => return skip_or_fail("not running as root"),
        Err(e) => return skip_or_fail(&format!("cannot tell whether this runs as root ({e})")),
    }
    if run("ip", &["-V"]).is_err() || run("getent", &["--version"]).is_err() {
        return skip_or_fail("`ip` (iproute2) or `getent` is missing");
    }
    let pid = std::process::id();
    let mut ns = Namespaces { server: format!("plsrv-{pid}"), client: format!("plcli-{pid}"), helper: None };
    if let Err(e) = run("ip", &["netns", "add", &ns.server]) {
        return skip_or_fail(&format!("network namespaces are not permitted here ({e})"));
    }
    run("ip", &["netns", "add", &ns.client]).unwrap();
    let (s, c) = (ns.server.as_str(), ns.client.as_str());
    let steps: Vec<Vec<&str>> = vec![
        vec!["-n", s, "link", "add", "vS", "type", "veth", "peer", "name", "vC", "netns", c],
        vec!["-n", s, "addr", "add", "169.254.53.1/30", "dev", "vS"],
        vec!["-n", c, "addr", "add", "169.254.53.2/30", "dev", "vC"],
        vec!["-n", s, "link", "set", "lo", "up"],
        vec!["-n", c, "link", "set", "lo", "up"],
        vec!["-n", s, "link", "set", "vS", "up"],
        vec!["-n", c, "link", "set", "vC", "up"],
    ];
    for step in &steps {
        run("ip", step).unwrap();
    }
    std::fs::create_dir_all(format!("/etc/netns/{c}")).unwrap();
    std::fs::write(
        format!("/etc/netns/{c}/resolv.conf"),
        format!("nameserver {SERVER_ADDRESS}\noptions timeout:2 attempts:2\n"),
    )
    .unwrap();

    let exe = std::env::current_exe().unwrap();
    let mut helper = Command::new("ip")
        .args(["netns", "exec", s])
        .arg(&exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(SERVE_ENV, format!("{SERVER_ADDRESS}:53"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = helper.stdout.take().unwrap();
    ns.helper = Some(helper);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // libtest prints "test <name> ... " before the line.
        let ready = BufReader::new(stdout).lines().any(|l| l.is_ok_and(|l| l.contains("ready ")));
        let _ = ready_tx.send(ready);
    });
    let ready = ready_rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap_or(false).then_some(());
    assert!(ready.is_some(), "the DNS face did not start inside {s}");

    for (name, private) in [
        ("sql-privlink-seed.database.windows.net", "10.20.2.4"),
        ("redis-privlink-seed.redis.cache.windows.net", "10.20.2.5"),
        ("kv-privlink-seed.vault.azure.net", "10.20.2.6"),
        ("oai-privlink-seed.openai.azure.com", "10.20.2.7"),
    ] {
        let hosts = run("ip", &["netns", "exec", c, "getent", "hosts", name]).unwrap();
        eprintln!("ip netns exec {c} getent hosts {name}: {}", hosts.trim());
        assert_eq!(hosts.split_whitespace().next(), Some(private), "{name}: {hosts}");
    }
    drop(ns);
    assert!(!run("ip", &["netns", "list"]).unwrap().contains(&format!("-{pid}")), "namespaces removed");
}
