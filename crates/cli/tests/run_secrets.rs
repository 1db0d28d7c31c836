//! Key Vault secret values under `privlink run --state DIR`: a value the app sets through the
//! vault's data plane (azure-keyvault-secrets' `SecretClient`, unchanged) is kept in the twin's
//! state directory, private to the user and never in an ARM document, and the next run hands it
//! to the app where a Key Vault reference names it, as App Service does. Needs root, iproute2,
//! nftables and the client libraries; skipped with the reason on a laptop, a failure under CI.

use privlink_testkit::{clients_python, privlink_run_unavailable, skip_or_fail};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SECRETS_OFFICER: &str = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

fn privlink() -> &'static str {
    env!("CARGO_BIN_EXE_privlink")
}

/// A twin's state directory holding the seed estate, where the app's role on the vault is Key
/// Vault Secrets Officer (it may set secrets) instead of Secrets User.
fn seed_twin(dir: &Path) {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let mut documents = Vec::new();
    for path in privlink_testkit::json_files_under(&seed) {
        let text = std::fs::read_to_string(&path).unwrap().replace(SECRETS_USER, SECRETS_OFFICER);
        let v: Value = serde_json::from_str(&text).unwrap();
        documents.extend(v.as_array().cloned().unwrap_or_else(|| vec![v]));
    }
    let store = privlink_twin::Store::open(dir).unwrap();
    store.commit(documents.into_iter().map(privlink_twin::Change::Put).collect()).unwrap();
}

fn run(state: &Path, command: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(privlink())
        .args(["run", "--app", "app-flask-privlink", "--host-port", "0", "--state"])
        .arg(state)
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into(), out.status.code())
}

const SET_SECRET: &str = r#"
import os
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
client = SecretClient(vault_url=os.environ["KEY_VAULT_URI"], credential=DefaultAzureCredential())
client.set_secret("openai-key", "sk-twin-test-value")
print("set", client.get_secret("openai-key").value == "sk-twin-test-value")
"#;

#[test]
fn a_secret_set_in_one_run_is_the_reference_s_value_in_the_next() {
    if let Some(reason) = privlink_run_unavailable() {
        return skip_or_fail(&reason);
    }
    let Some(python) = clients_python("azure.keyvault.secrets, azure.identity") else {
        return skip_or_fail("no Python with azure-keyvault-secrets and azure-identity (set PRIVLINK_CLIENTS_PYTHON)");
    };
    let state = tempfile::tempdir().unwrap();
    seed_twin(state.path());

    // Before any value is set the reference resolves, and the app gets the placeholder.
    let (out, err, code) = run(state.path(), &["printenv", "OPENAI_API_KEY"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "<secret kv-privlink-seed/openai-key>", "{err}");
    assert!(err.contains("holds no value for them yet"), "{err}");

    let python = python.to_str().unwrap();
    let (out, err, code) = run(state.path(), &[python, "-c", SET_SECRET]);
    assert_eq!((code, out.trim()), (Some(0), "set True"), "{err}");

    let file = state.path().join("secret-values.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o077, 0, "the secret values are private to the user: {mode:o}");
    // The ARM face's documents never hold the value.
    let store = privlink_twin::Store::open(state.path()).unwrap();
    let documents: String = store.snapshot().iter().map(|(_, v)| v.to_string()).collect();
    assert!(!documents.contains("sk-twin-test-value"), "a secret value is in the twin's ARM documents");
    drop(store);

    // The next run hands the app the value the reference names, and says nothing is missing.
    let (out, err, code) = run(state.path(), &["printenv", "OPENAI_API_KEY"]);
    assert_eq!((code, out.trim()), (Some(0), "sk-twin-test-value"), "{err}");
    assert!(!err.contains("holds no value"), "{err}");
    assert!(!err.contains("sk-twin-test-value"), "the run printed the secret: {err}");
}
