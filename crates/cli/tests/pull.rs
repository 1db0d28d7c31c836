//! `privlink pull` round trip against `privlink up`: the twin pages its lists two at a time and
//! throttles (a 429 with Retry-After, a 503); the pulled directory answers `check`, `resolve
//! --all-apps` and `trace --all-apps` exactly as `--twin` does, holds no secret value unless
//! `--keep-secrets`, and is private (0700/0600). A second twin refuses one app's settings with 403:
//! the pull goes on, exits 3 and its manifest names the refused read and the missing permission.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A value only the test's copy of the seed estate carries, in an app setting.
const SECRET: &str = "pull-test-s3cret-7c1e9a";
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";
const APP: &str = "app-flask-privlink";

fn privlink() -> Command {
    Command::new(env!("CARGO_BIN_EXE_privlink"))
}

/// A running `privlink up`, killed when dropped.
struct Twin {
    child: Child,
    state: PathBuf,
    url: String,
}

impl Drop for Twin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Twin {
    fn start(estate: &Path, state: PathBuf, faults: &[&str]) -> Twin {
        let mut command = privlink();
        command.args(["up", "--no-dns", "--page-size", "2", "--estate"]).arg(estate).arg("--state").arg(&state);
        for fault in faults {
            command.args(["--inject-fault", fault]);
        }
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let running = state.join("twin.json");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !running.exists() {
            assert!(Instant::now() < deadline, "privlink up did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let info: serde_json::Value = serde_json::from_slice(&std::fs::read(&running).unwrap()).unwrap();
        Twin { child, url: info["url"].as_str().unwrap().to_string(), state }
    }

    fn ca(&self) -> PathBuf {
        self.state.join("ca.pem")
    }

    /// An ARM token from the twin's managed-identity endpoint (plain http on loopback).
    fn token(&self) -> String {
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.state.join("twin.json")).unwrap()).unwrap();
        let endpoint = info["identity_endpoint"].as_str().unwrap();
        let authority = endpoint.strip_prefix("http://").unwrap().split('/').next().unwrap();
        let header = std::fs::read_to_string(self.state.join("identity-header")).unwrap();
        let mut stream = std::net::TcpStream::connect(authority).unwrap();
        write!(
            stream,
            "GET /msi/token?resource=https://management.azure.com/&api-version=2019-08-01 HTTP/1.1\r\nHost: {authority}\r\nX-IDENTITY-HEADER: {}\r\nConnection: close\r\n\r\n",
            header.trim()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        let body = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
        serde_json::from_str::<serde_json::Value>(body).unwrap()["access_token"].as_str().unwrap().to_string()
    }

    /// `privlink ARGS --twin URL --format json`.
    fn answer(&self, args: &[&str]) -> Output {
        privlink()
            .args(args)
            .args(["--format", "json", "--twin", &self.url])
            .env("REQUESTS_CA_BUNDLE", self.ca())
            // The twin's token comes from its state directory's identity header.
            .arg("--state")
            .arg(&self.state)
            .output()
            .unwrap()
    }
}

/// The seed estate with a secret app setting added.
fn estate_with_a_secret(dir: &Path) -> PathBuf {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let estate = dir.join("estate");
    std::fs::create_dir(&estate).unwrap();
    for entry in std::fs::read_dir(&seed).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            text = text.replace(
                "\"SQL_DATABASE_NAME\": \"db-flask\",",
                &format!("\"SQL_DATABASE_NAME\": \"db-flask\",\n      \"DB_PASSWORD\": \"{SECRET}\","),
            );
            std::fs::write(estate.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    estate
}

/// An az that answers as the real one does for the two calls a pull makes.
fn fake_az(dir: &Path, twin: &Twin) -> PathBuf {
    let az = dir.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\ncase \"$1 $2\" in\n  'cloud show') echo '{{\"name\": \"PrivlinkTwin\", \"endpoints\": {{\"resourceManager\": \"{}\", \"activeDirectoryResourceId\": \"https://management.core.windows.net/\"}}}}' ;;\n  'account get-access-token') printf '{{\"accessToken\": \"%s\", \"tokenType\": \"Bearer\"}}' \"$FAKE_AZ_TOKEN\" ;;\n  *) echo \"unexpected: $*\" >&2; exit 1 ;;\nesac\n",
            twin.url
        ),
    )
    .unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    az
}

fn pulled_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&pulled_text(&path));
        } else {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    text
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("privlink-pull.json")).unwrap()).unwrap()
}

#[cfg(unix)]
fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700, "{}", dir.display());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_private(&path);
        } else {
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
        }
    }
}

#[test]
fn a_pulled_estate_answers_as_the_twin_does_and_keeps_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_with_a_secret(dir.path());
    let twin = Twin::start(
        &estate,
        dir.path().join("state"),
        &["GET /providers/Microsoft.Network/virtualNetworks 429 1", "GET /privateDnsZones 503 1"],
    );
    let az = fake_az(dir.path(), &twin);
    let out = dir.path().join("pulled");
    let pull = privlink()
        .args(["pull", "--subscription", SUBSCRIPTION, "--out"])
        .arg(&out)
        .env("PRIVLINK_AZ", &az)
        .env("FAKE_AZ_TOKEN", twin.token())
        .env("REQUESTS_CA_BUNDLE", twin.ca())
        .env_remove("PRIVLINK_ARM_TOKEN")
        .output()
        .unwrap();
    assert_eq!(pull.status.code(), Some(0), "{}", String::from_utf8_lossy(&pull.stderr));

    let m = manifest(&out);
    assert_eq!(m["complete"], true);
    assert_eq!(m["endpoint"], twin.url);
    assert_eq!(m["credential"], "az CLI (cloud PrivlinkTwin)");
    let reads = m["reads"].as_array().unwrap();
    assert!(reads.iter().any(|r| r["pages"].as_u64().unwrap() > 1), "lists were followed through nextLink");
    assert!(
        reads.iter().filter(|r| r["retries"].as_u64().unwrap() > 0).count() >= 2,
        "the 429 and the 503 were retried"
    );
    assert!(reads
        .iter()
        .any(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/config/appsettings/list")));
    assert_eq!(m["apiVersions"]["Microsoft.Web/sites"], "2023-12-01");

    // What ARM cannot show (the database's contained users) no pull reads: a team keeps its
    // declarations beside the pull and passes both.
    let declarations = dir.path().join("declarations.json");
    let seed_access: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(estate.join("access.json")).unwrap()).unwrap();
    let declared: Vec<_> =
        seed_access.into_iter().filter(|d| d["type"].as_str().is_some_and(|t| t.starts_with("Privlink."))).collect();
    assert!(!declared.is_empty());
    std::fs::write(&declarations, serde_json::to_vec(&declared).unwrap()).unwrap();
    for command in [&["check"][..], &["resolve", "--all-apps"], &["trace", "--all-apps"]] {
        let live = twin.answer(command);
        let pulled = privlink()
            .args(command)
            .args(["--format", "json", "--estate"])
            .arg(&out)
            .arg("--estate")
            .arg(&declarations)
            .output()
            .unwrap();
        assert_eq!(
            live.status.code(),
            pulled.status.code(),
            "{command:?}: {}",
            String::from_utf8_lossy(&pulled.stderr)
        );
        assert!(!live.stdout.is_empty());
        assert_eq!(String::from_utf8_lossy(&pulled.stdout), String::from_utf8_lossy(&live.stdout), "{command:?}");
    }

    let text = pulled_text(&out);
    assert!(!text.contains(SECRET), "a secret app setting value was written without --keep-secrets");
    assert!(text.contains("[redacted by privlink pull]"));
    assert!(m["redacted"].as_array().unwrap().iter().any(|r| r["setting"] == "DB_PASSWORD"));
    assert!(!text.contains(&twin.token()), "the token is never written");
    #[cfg(unix)]
    assert_private(&out);

    let kept = dir.path().join("kept");
    let pull = privlink()
        .args(["pull", "--keep-secrets", "--subscription", SUBSCRIPTION, "--arm-endpoint", &twin.url, "--out"])
        .arg(&kept)
        .env("PRIVLINK_ARM_TOKEN", twin.token())
        .env("REQUESTS_CA_BUNDLE", twin.ca())
        .output()
        .unwrap();
    assert_eq!(pull.status.code(), Some(0), "{}", String::from_utf8_lossy(&pull.stderr));
    assert!(pulled_text(&kept).contains(SECRET), "--keep-secrets writes values as read");
}

#[test]
fn a_refused_settings_read_is_reported_and_the_pull_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_with_a_secret(dir.path());
    let twin = Twin::start(&estate, dir.path().join("state"), &[&format!("POST {APP}/config/appsettings/list 403")]);
    let out = dir.path().join("pulled");
    // A previous pull there is replaced whole.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("privlink-pull.json"), "{}").unwrap();
    std::fs::write(out.join("stale.json"), "[]").unwrap();
    let pull = privlink()
        .args(["pull", "--subscription", SUBSCRIPTION, "--arm-endpoint", &twin.url, "--out"])
        .arg(&out)
        .env("PRIVLINK_ARM_TOKEN", twin.token())
        .env("REQUESTS_CA_BUNDLE", twin.ca())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&pull.stderr);
    assert_eq!(pull.status.code(), Some(3), "a partial pull exits 3: {stderr}");
    assert!(stderr.contains("Microsoft.Web/sites/config/list/action"), "{stderr}");
    assert!(!out.join("stale.json").exists());

    let m = manifest(&out);
    assert_eq!(m["complete"], false);
    let failed = m["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["method"], "POST");
    assert!(failed[0]["path"].as_str().unwrap().ends_with(&format!("/sites/{APP}/config/appsettings/list")));
    assert_eq!(failed[0]["status"], 403);
    assert_eq!(failed[0]["code"], "AuthorizationFailed");
    assert_eq!(failed[0]["missingPermission"], "Microsoft.Web/sites/config/list/action");

    // Everything else was read: the app is there, without the settings it refused.
    let inventory = privlink().args(["inventory", "--format", "json", "--estate"]).arg(&out).output().unwrap();
    assert_eq!(inventory.status.code(), Some(0), "{}", String::from_utf8_lossy(&inventory.stderr));
    let inv: serde_json::Value = serde_json::from_slice(&inventory.stdout).unwrap();
    assert_eq!(inv["sites"][0]["name"], APP);
    assert!(!pulled_text(&out).contains("SQL_SERVER_FQDN"));
}
