//! The real az CLI against a twin on loopback: the commands of az-cli.md §1 and §3 plus the
//! table outputs that read computed properties. Runs when `az` is on PATH (or `PRIVLINK_AZ`
//! names it, e.g. a virtualenv's `bin/az`); otherwise it says so and skips, or fails under CI.

use privlink_testkit::skip_or_fail;
use privlink_twin::{start, TwinConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

/// `PRIVLINK_AZ` when set (and not empty), else `az` on PATH; the error says why there is none.
fn find_az() -> Result<PathBuf, String> {
    if let Some(az) = std::env::var_os("PRIVLINK_AZ").filter(|az| !az.is_empty()) {
        return match Path::new(&az).is_file() {
            true => Ok(PathBuf::from(az)),
            false => Err(format!("PRIVLINK_AZ={} is not a file", Path::new(&az).display())),
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("az"))
        .find(|p| p.is_file())
        .ok_or_else(|| "az not found on PATH (set PRIVLINK_AZ to an az executable to run this test)".to_string())
}

/// The plan, web app and vault the az commands expect to exist (az-cli.md §1).
fn preload() -> Vec<Value> {
    let rg = format!("{SUB}/resourceGroups/rg-demo/providers");
    vec![
        json!({"id": format!("{rg}/Microsoft.Web/serverfarms/plan-demo"), "name": "plan-demo",
               "type": "Microsoft.Web/serverfarms", "location": "eastus", "kind": "linux",
               "sku": {"name": "P1v3", "tier": "PremiumV3"}, "properties": {"reserved": true}}),
        json!({"id": format!("{rg}/Microsoft.Web/sites/app-demo"), "name": "app-demo", "type": "Microsoft.Web/sites",
               "location": "eastus", "kind": "app,linux", "properties": {
                   "serverFarmId": format!("{rg}/Microsoft.Web/serverfarms/plan-demo"), "sku": "PremiumV3",
                   "reserved": true, "siteConfig": {"linuxFxVersion": "PYTHON|3.11"}}}),
        json!({"id": format!("{rg}/Microsoft.KeyVault/vaults/kv-demo"), "name": "kv-demo",
               "type": "Microsoft.KeyVault/vaults", "location": "eastus", "properties": {
                   "tenantId": "00000000-0000-0000-0000-0000000000aa", "sku": {"family": "A", "name": "standard"},
                   "enableRbacAuthorization": true, "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices"},
                   "vaultUri": "https://kv-demo.vault.azure.net/", "accessPolicies": []}}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_az_cli_runs_against_the_twin() {
    let az = match find_az() {
        Ok(az) => az,
        Err(why) => return skip_or_fail(&why),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = TwinConfig::new(dir.path().join("state"));
    config.preload = preload();
    let twin = start(config).await.expect("the twin starts");
    let mut env: Vec<(String, String)> = twin.env().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    env.push(("AZURE_CONFIG_DIR".into(), dir.path().join("azure-cli").display().to_string()));
    env.push(("AZURE_CORE_SURVEY_MESSAGE".into(), "false".into()));
    env.push(("AZURE_EXTENSION_USE_DYNAMIC_INSTALL".into(), "no".into()));
    env.push(("AZURE_CORE_NO_COLOR".into(), "true".into()));

    let run = |args: &[&str]| -> String {
        let mut command = Command::new(&az);
        command.args(args).envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"] {
            command.env_remove(proxy);
        }
        let output = command.output().expect("az runs");
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "az {} failed:\n{stdout}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let pe_target = format!("{SUB}/resourceGroups/rg-demo/providers/Microsoft.Web/sites/app-demo");
    let zone = "privatelink.azurewebsites.net";

    run(&["cloud", "register", "--name", "PrivlinkTwin", "--endpoint-resource-manager", &twin.url]);
    run(&["cloud", "set", "--name", "PrivlinkTwin"]);
    run(&["login", "--identity", "-o", "none"]);
    run(&["group", "create", "-n", "rg-demo", "-l", "eastus", "-o", "none"]);
    run(&["network", "vnet", "create", "-g", "rg-demo", "-n", "vnet-demo", "--address-prefixes", "10.0.0.0/16"]
        .into_iter()
        .chain(["--subnet-name", "default", "--subnet-prefixes", "10.0.0.0/24", "-o", "none"])
        .collect::<Vec<_>>());
    run(&[
        "network",
        "vnet",
        "subnet",
        "create",
        "-g",
        "rg-demo",
        "--vnet-name",
        "vnet-demo",
        "-n",
        "snet-app",
        "--address-prefixes",
        "10.0.1.0/24",
        "--delegations",
        "Microsoft.Web/serverFarms",
        "-o",
        "none",
    ]);
    run(&[
        "network",
        "vnet",
        "subnet",
        "create",
        "-g",
        "rg-demo",
        "--vnet-name",
        "vnet-demo",
        "-n",
        "snet-pe",
        "--address-prefixes",
        "10.0.2.0/24",
        "-o",
        "none",
    ]);
    run(&["network", "private-dns", "zone", "create", "-g", "rg-demo", "-n", zone, "-o", "none"]);
    run(&[
        "network",
        "private-dns",
        "link",
        "vnet",
        "create",
        "-g",
        "rg-demo",
        "-z",
        zone,
        "-n",
        "link-demo",
        "-v",
        "vnet-demo",
        "-e",
        "false",
        "-o",
        "none",
    ]);
    run(&[
        "network",
        "private-endpoint",
        "create",
        "-g",
        "rg-demo",
        "-n",
        "pe-app",
        "--vnet-name",
        "vnet-demo",
        "--subnet",
        "snet-pe",
        "--private-connection-resource-id",
        &pe_target,
        "--group-id",
        "sites",
        "--connection-name",
        "pe-app-conn",
        "-o",
        "none",
    ]);
    let endpoints = run(&["network", "private-endpoint", "list", "--query", "[].name", "-o", "tsv"]);
    assert_eq!(endpoints.trim(), "pe-app");
    run(&[
        "webapp",
        "vnet-integration",
        "add",
        "-g",
        "rg-demo",
        "-n",
        "app-demo",
        "--vnet",
        "vnet-demo",
        "--subnet",
        "snet-app",
        "-o",
        "none",
    ]);
    let integration = run(&["webapp", "vnet-integration", "list", "-g", "rg-demo", "-n", "app-demo", "-o", "table"]);
    assert!(integration.contains("/subnets/snet-app"), "{integration}");
    run(&[
        "webapp",
        "config",
        "appsettings",
        "set",
        "-g",
        "rg-demo",
        "-n",
        "app-demo",
        "--settings",
        "WEBSITE_VNET_ROUTE_ALL=1",
        "-o",
        "none",
    ]);
    let settings = run(&["webapp", "config", "appsettings", "list", "-g", "rg-demo", "-n", "app-demo", "-o", "table"]);
    assert!(settings.contains("WEBSITE_VNET_ROUTE_ALL"), "{settings}");
    let acl = run(&[
        "keyvault",
        "update",
        "-g",
        "rg-demo",
        "-n",
        "kv-demo",
        "--default-action",
        "Deny",
        "--query",
        "properties.networkAcls.defaultAction",
        "-o",
        "tsv",
    ]);
    assert_eq!(acl.trim(), "Deny");
    run(&["network", "private-dns", "zone", "list", "-o", "table"]);
    run(&["network", "private-dns", "link", "vnet", "list", "-g", "rg-demo", "-z", zone, "-o", "table"]);
    run(&[
        "network",
        "private-dns",
        "record-set",
        "a",
        "add-record",
        "-g",
        "rg-demo",
        "-z",
        zone,
        "-n",
        "app-demo",
        "-a",
        "10.0.2.4",
        "-o",
        "none",
    ]);
    run(&["network", "private-dns", "record-set", "a", "list", "-g", "rg-demo", "-z", zone, "-o", "table"]);
    let subnets =
        run(&["network", "vnet", "show", "-g", "rg-demo", "-n", "vnet-demo", "--query", "subnets[].name", "-o", "tsv"]);
    assert_eq!(subnets.split_whitespace().collect::<Vec<_>>(), ["default", "snet-app", "snet-pe"]);
    run(&["group", "delete", "-n", "rg-demo", "--yes"]);
    assert_eq!(run(&["group", "exists", "-n", "rg-demo"]).trim(), "false");
    twin.shutdown().await.unwrap();
}
