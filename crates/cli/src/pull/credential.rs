//! Where a pull's token and endpoint come from: `PRIVLINK_ARM_TOKEN` with `--arm-endpoint`, or
//! the az CLI as the Azure SDKs' CLI credential asks it (`az account get-access-token --output
//! json`, the endpoint of az's current cloud). The token stays in memory; nothing here writes it.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A token for an ARM endpoint, and where it came from (for the manifest; never the token).
pub struct Credential {
    pub endpoint: String,
    pub token: String,
    pub source: String,
}

/// The environment variable holding a bearer token to use instead of az.
pub const TOKEN_VARIABLE: &str = "PRIVLINK_ARM_TOKEN";

pub fn obtain(arm_endpoint: Option<&str>) -> Result<Credential> {
    if let Some(token) = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.trim().is_empty()) {
        let Some(endpoint) = arm_endpoint else {
            bail!("{TOKEN_VARIABLE} is set: give the endpoint it is for with --arm-endpoint URL");
        };
        return Ok(Credential {
            endpoint: endpoint.to_string(),
            token: token.trim().to_string(),
            source: TOKEN_VARIABLE.into(),
        });
    }
    let az = std::env::var_os("PRIVLINK_AZ").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("az"));
    let (endpoint, resource, cloud) = match arm_endpoint {
        Some(endpoint) => (endpoint.to_string(), format!("{}/", endpoint.trim_end_matches('/')), None),
        None => {
            let cloud = run_az(&az, &["cloud", "show", "--output", "json"])?;
            let endpoint = cloud["endpoints"]["resourceManager"]
                .as_str()
                .context("`az cloud show` names no endpoints.resourceManager")?
                .to_string();
            let resource = cloud["endpoints"]["activeDirectoryResourceId"].as_str().unwrap_or(&endpoint).to_string();
            (endpoint, resource, cloud["name"].as_str().map(str::to_string))
        }
    };
    let answer = run_az(&az, &["account", "get-access-token", "--output", "json", "--resource", &resource])?;
    let token = answer["accessToken"].as_str().context("`az account get-access-token` gave no accessToken")?;
    let source = match cloud {
        Some(name) => format!("az CLI (cloud {name})"),
        None => "az CLI".to_string(),
    };
    Ok(Credential { endpoint: endpoint.trim_end_matches('/').to_string(), token: token.to_string(), source })
}

fn run_az(az: &PathBuf, args: &[&str]) -> Result<Value> {
    let shown = format!("{} {}", az.display(), args.join(" "));
    let out = Command::new(az).args(args).output().with_context(|| {
        format!("cannot run `{shown}`: install the az CLI and `az login`, or set {TOKEN_VARIABLE} and --arm-endpoint")
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        bail!("`{shown}` failed ({}): {}", out.status, stderr.trim());
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("`{shown}` did not print JSON"))
}

/// The CAs to trust: the bundle in `REQUESTS_CA_BUNDLE` when set (as az and `--twin` use it), else
/// `SSL_CERT_FILE`, else the system's bundle.
pub fn trusted_roots() -> Result<Vec<reqwest::Certificate>> {
    let named = ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
        .iter()
        .find_map(|v| std::env::var_os(v).filter(|p| !p.is_empty()).map(|p| (v.to_string(), PathBuf::from(p))));
    let (why, path) = match named {
        Some(found) => found,
        None => {
            let system =
                ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.is_file())
                    .context("no CA bundle: set REQUESTS_CA_BUNDLE or SSL_CERT_FILE to a PEM file")?;
            ("the system's CA bundle".to_string(), system)
        }
    };
    let pem = std::fs::read(&path).with_context(|| format!("{} ({why}): cannot read", path.display()))?;
    reqwest::Certificate::from_pem_bundle(&pem).with_context(|| format!("{} ({why}): not a PEM bundle", path.display()))
}
