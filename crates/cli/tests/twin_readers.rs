//! How the reading commands find a twin's estate (`--state DIR`, `--twin URL`): with the token the
//! twin requires, and from the stored documents when the `twin.json` left behind names a twin that
//! no longer runs (a crash or `kill -9` leaves it).

use base64::Engine;
use privlink_twin::{Change, Store};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

fn privlink() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privlink"));
    for name in ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "PRIVLINK_ARM_TOKEN", "REQUESTS_CA_BUNDLE"] {
        command.env_remove(name);
    }
    command
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A state directory holding one VNet, as a twin that ran and stopped leaves it.
fn stored_state(dir: &Path) {
    let store = Store::open(dir).unwrap();
    let rg = format!("{SUB}/resourceGroups/rg-stale");
    store
        .commit(vec![
            Change::Put(json!({"id": rg, "name": "rg-stale", "type": "Microsoft.Resources/resourceGroups", "location": "eastus"})),
            Change::Put(json!({"id": format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet-stale"),
                "name": "vnet-stale", "type": "Microsoft.Network/virtualNetworks", "location": "eastus",
                "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})),
        ])
        .unwrap();
}

/// A port on loopback nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn a_stale_twin_json_falls_back_to_the_stored_documents() {
    let dir = tempfile::tempdir().unwrap();
    stored_state(dir.path());
    let port = closed_port();
    // A pid that no longer runs (a child that has exited), and one that runs but is no twin.
    let mut exited = Command::new("true").spawn().unwrap();
    exited.wait().unwrap();
    for pid in [exited.id(), std::process::id()] {
        let info = json!({"url": format!("https://127.0.0.1:{port}"),
            "identity_endpoint": format!("http://127.0.0.1:{port}/msi/token"), "ca": "ca.pem", "pid": pid});
        std::fs::write(dir.path().join("twin.json"), info.to_string()).unwrap();
        std::fs::write(dir.path().join("ca.pem"), b"not read when the pid is gone").unwrap();
        std::fs::write(dir.path().join("identity-header"), b"0123").unwrap();
        let out = privlink().args(["inventory", "--format", "json", "--state"]).arg(dir.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "pid {pid}: {}", stderr(&out));
        let inventory: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(inventory["resources"], 2, "pid {pid}: the stored estate: {inventory}");
        assert!(inventory["estate"].as_str().unwrap().starts_with("twin state"), "{inventory}");
        assert!(stderr(&out).contains("not running"), "pid {pid}: says why: {}", stderr(&out));
    }
}

#[test]
fn readers_of_a_running_twin_send_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let child = privlink()
        .args(["up", "--print-env", "--no-dns", "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = StopOnDrop(child);
    let running = state.join("twin.json");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !running.exists() {
        assert!(Instant::now() < deadline, "privlink up did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let info: serde_json::Value = serde_json::from_slice(&std::fs::read(&running).unwrap()).unwrap();
    let url = info["url"].as_str().unwrap();
    let header = std::fs::read_to_string(state.join("identity-header")).unwrap();

    // --state: the token comes from the state directory.
    let out = privlink().args(["inventory", "--format", "json", "--state"]).arg(&state).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // --twin URL with the environment `privlink up --print-env` prints.
    let out = privlink()
        .args(["inventory", "--format", "json", "--twin", url])
        .env("REQUESTS_CA_BUNDLE", state.join("ca.pem"))
        .env("IDENTITY_ENDPOINT", info["identity_endpoint"].as_str().unwrap())
        .env("IDENTITY_HEADER", header.trim())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inventory: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inventory["sites"][0]["name"], "app-flask-privlink");
    // --twin URL without any way to a token says what is missing.
    let out =
        privlink().args(["inventory", "--twin", url]).env("REQUESTS_CA_BUNDLE", state.join("ca.pem")).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("IDENTITY_HEADER"), "{}", stderr(&out));
    // `env` on the live twin hands the app its own token endpoint: the token it issues names the
    // site's principal, as App Service's does.
    let out = privlink()
        .args(["env", "--from", "app-flask-privlink", "--show-values", "--format", "json", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let env: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let value = |name: &str| {
        env["settings"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let endpoint = value("IDENTITY_ENDPOINT");
    assert!(endpoint.contains("/sites/") && endpoint.ends_with("/app-flask-privlink/msi/token"), "{endpoint}");
    let answer = http_get(
        &format!("{endpoint}?resource=https://database.windows.net/&api-version=2019-08-01"),
        &[("X-IDENTITY-HEADER", &value("IDENTITY_HEADER"))],
    );
    let token = answer["access_token"].as_str().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["oid"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(claims["aud"], "https://database.windows.net/");

    // twin.json is private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&running).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let _ = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status();
    assert!(child.0.wait().unwrap().success());
}

/// Stops the twin when a failed assertion unwinds the test, so none is left running.
struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn resolve_takes_record_types_as_the_readme_writes_them() {
    for record_type in ["A", "a", "AAAA", "aaaa", "CNAME", "cname"] {
        let out = privlink()
            .args(["resolve", "kv-privlink-seed.vault.azure.net", "--from", "internet", "--type", record_type])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "--type {record_type}: {}", stderr(&out));
    }
}

/// A plain-http GET on loopback (the identity endpoint), its JSON body.
fn http_get(url: &str, headers: &[(&str, &str)]) -> serde_json::Value {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    serde_json::from_str(body).unwrap()
}
