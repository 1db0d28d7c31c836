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

/// Each trace's `access` step taken out (by app, then host), and what was taken.
fn without_access(text: &str) -> (String, Vec<(String, Value)>) {
    let mut v: Value = serde_json::from_str(text).unwrap();
    let mut taken = Vec::new();
    for app in v.as_array_mut().unwrap() {
        for t in app["traces"].as_array_mut().unwrap() {
            let to = t["query"]["to"].as_str().unwrap().to_string();
            taken.push((to, t.as_object_mut().unwrap().remove("access").unwrap()));
        }
    }
    (normalised(&v.to_string()), taken)
}

#[test]
fn the_seed_as_a_plan_answers_as_the_built_in_estate() {
    let (a, built_in) = privlink(&["resolve", "--all-apps", "--format", "json"]);
    let (b, plan) = privlink(&["resolve", "--all-apps", "--format", "json", "--estate", PLAN]);
    assert_eq!(a, b, "resolve: exit codes");
    assert_eq!(normalised(&built_in), normalised(&plan), "resolve");
    // The network path is the same; sign-in differs where the plan knows less than the estate: the
    // role assignment's principal is known only after apply (the plan's `after_unknown`), and no
    // plan holds the database's contained users (the built-in estate declares them).
    let (a, built_in) = privlink(&["trace", "--all-apps", "--format", "json"]);
    let (b, plan) = privlink(&["trace", "--all-apps", "--format", "json", "--estate", PLAN]);
    assert_eq!(a, b, "trace: exit codes");
    let (built_in, built_in_access) = without_access(&built_in);
    let (plan, plan_access) = without_access(&plan);
    assert_eq!(built_in, plan, "trace without the access step");
    let verdicts = |access: &[(String, Value)]| -> Vec<(String, String)> {
        access
            .iter()
            .map(|(to, a)| (to.split('.').next().unwrap().to_string(), a["verdict"].as_str().unwrap().to_string()))
            .collect()
    };
    let expect = |kv: &str, sql: &str| {
        vec![
            ("kv-privlink-seed".to_string(), kv.to_string()),
            ("oai-privlink-seed".into(), "none".into()),
            ("redis-privlink-seed".into(), "none".into()),
            ("sql-privlink-seed".into(), sql.into()),
        ]
    };
    assert_eq!(verdicts(&built_in_access), expect("granted", "granted"));
    assert_eq!(verdicts(&plan_access), expect("indeterminate", "indeterminate"), "{plan_access:?}");
    let plan_kv = &plan_access[0].1;
    assert_eq!(plan_kv["decided_by"]["kind"], "role-assignment", "the plan's assignment may be the grant: {plan_kv}");
    assert!(plan_kv["assumptions"].as_array().unwrap().contains(&"I11".into()), "{plan_kv}");
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
    // The resource by name and type, its Terraform address beside it (the ARM id with --verbose).
    assert!(text.contains("privatelink.database.windows.net (private DNS zone)\n  terraform: "), "{text}");
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
