//! The seeds' architecture as a Terraform plan (`scenarios/terraform/seed/plan.json`) answers
//! `resolve --all-apps`, `trace --all-apps` and `check` as the built-in estate does; without the SQL
//! zone's VNet link, DNS101 names the zone and its Terraform address.

use serde_json::Value;
use std::process::Command;

const PLAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/terraform/seed/plan.json");
const NO_LINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/terraform/seed/plan-no-sql-link.json");

fn privlink(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privlink")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

/// Generated connection names are the provider's stand-ins (different from the seed files' own).
fn normalised(text: &str) -> String {
    let re = "privateEndpointConnections/";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(re) {
        out.push_str(&rest[..at + re.len()]);
        rest = &rest[at + re.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push('*');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_seed_as_a_plan_answers_as_the_built_in_estate() {
    for args in [["resolve", "--all-apps"], ["trace", "--all-apps"]] {
        let (a, built_in) = privlink(&[args[0], args[1], "--format", "json"]);
        let (b, plan) = privlink(&[args[0], args[1], "--format", "json", "--estate", PLAN]);
        assert_eq!(a, b, "{args:?}: exit codes");
        assert_eq!(normalised(&built_in), normalised(&plan), "{args:?}");
    }
    let (a, built_in) = privlink(&["check", "--format", "json"]);
    let (b, plan) = privlink(&["check", "--format", "json", "--estate", PLAN]);
    assert_eq!(a, b, "check: exit codes");
    let findings = |s: &str| {
        let v: Value = serde_json::from_str(s).unwrap();
        let mut f = v["findings"].clone();
        for x in f.as_array_mut().unwrap() {
            x.as_object_mut().unwrap().remove("terraform_address");
        }
        (normalised(&f.to_string()), v["summary"]["error"].clone(), v["summary"]["warning"].clone())
    };
    assert_eq!(findings(&built_in), findings(&plan));
}

#[test]
fn a_missing_zone_link_names_the_zone_and_its_terraform_address() {
    let (code, json) = privlink(&["check", "--format", "json", "--estate", NO_LINK]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&json).unwrap();
    let dns101: Vec<&Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "DNS101").collect();
    assert_eq!(dns101.len(), 1, "{json}");
    assert!(dns101[0]["resource"].as_str().unwrap().ends_with("/privateDnsZones/privatelink.database.windows.net"));
    assert_eq!(dns101[0]["terraform_address"], "azurerm_private_dns_zone.sql");
    let (_, text) = privlink(&["check", "--estate", NO_LINK]);
    assert!(
        text.contains("privatelink.database.windows.net (Microsoft.Network/privateDnsZones)\n  /subscriptions/"),
        "{text}"
    );
    assert!(text.contains("  terraform: azurerm_private_dns_zone.sql\n  error   DNS101"), "{text}");
    let (_, sarif) = privlink(&["check", "--format", "sarif", "--estate", NO_LINK]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let result = sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "DNS101").unwrap();
    assert_eq!(result["properties"]["terraform_address"], "azurerm_private_dns_zone.sql");
    let (_, github) = privlink(&["check", "--format", "github", "--estate", NO_LINK]);
    let line = github.lines().find(|l| l.contains("title=DNS101")).unwrap();
    assert!(line.ends_with("(terraform: azurerm_private_dns_zone.sql)"), "{line}");
}

/// Real plans from public repositories, on demand: they are not committed (their repositories
/// state no licence); `scenarios/terraform/MANIFEST.md` names each one's source.
/// `PRIVLINK_TERRAFORM_CORPUS=DIR cargo test -p privlink --test terraform -- --ignored`.
#[test]
#[ignore = "on demand: needs PRIVLINK_TERRAFORM_CORPUS, a directory of real plan JSON"]
fn public_plans_load_without_errors() {
    let dir =
        std::env::var("PRIVLINK_TERRAFORM_CORPUS").expect("set PRIVLINK_TERRAFORM_CORPUS to a directory of plans");
    let (code, output) = privlink(&["check", "--allow-empty", "--fail-on", "error", "--estate", &dir]);
    assert_eq!(code, 0, "{output}");
}
