//! The public template corpus, on demand: every `azuredeploy.json` of a checkout of
//! Azure/azure-quickstart-templates (or any directories and template files listed in
//! `PRIVLINK_TEMPLATE_CORPUS`, separated by `:`), run through `privlink check` as a pipeline would:
//! with its `azuredeploy.parameters.json`, values a prerequisite deployment supplies
//! (`GET-PREREQ-…`) left unset, and `--unset-parameters unknown`.
//!
//! A template counts as clean when privlink neither exits 2 nor reports an error-level load
//! diagnostic. Templates that Azure refuses too (their own faults, listed in [`ARM_REFUSES`] with
//! the reason) are left out of the ratio, which must be at least 99 %. Every other failure is
//! printed with its cause.
//!
//! ```text
//! PRIVLINK_TEMPLATE_CORPUS=/path/to/azure-quickstart-templates \
//!   cargo test -p privlink --test template_corpus -- --ignored --nocapture
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

/// Templates whose own fault Azure refuses as well, by the directory that holds them: privlink's
/// exit 2 is the right answer. Checked by reading each template.
const ARM_REFUSES: &[(&str, &str)] = &[
    ("201-list-storage-keys-windows-vm", "variables('vmName') is not declared"),
    ("memcached-multi-vm-ubuntu", "variables('domainName') is not declared"),
    ("openedx-devstack-ubuntu", "variables('openedxVersion') is not declared"),
    ("hdinsight-genomics-adam", "variables(concat(…, 'ZookeeperSize')) names a variable that is not declared"),
    ("hdinsight-linux-run-script-action", "variables(concat(…, 'ZookeeperSize')) names a variable that is not declared"),
    ("media-service-output-primary-key", "an output expression does not parse: providers(…)'2015-10-01'0]"),
    ("orchard-cms-video-portal", "a property expression does not parse: providers(…)'2015-10-01'0]"),
    ("201-vm-win-iis-app-ssl", "a subnet id is the literal text 'appVMresourceId(…)' (a broken expression)"),
    ("201-vmss-win-iis-app-ssl", "resourceId('Microsoft.Network/virtualNetworks/subnets', one name) has too few segments"),
    ("201-encrypt-running-linux-vm", "its parameters file gives volumeType \"\", which is not among its allowedValues"),
    (
        "101-aks-advanced-networking-aad",
        "a role assignment typed Microsoft.Network/virtualNetworks/subnets/providers/roleAssignments has a one-segment name \
         (UNVERIFIED that ARM refuses it)",
    ),
];

#[test]
#[ignore = "on demand: needs PRIVLINK_TEMPLATE_CORPUS, a checkout of Azure/azure-quickstart-templates"]
fn public_templates_evaluate_as_azure_deploys_them() {
    let Some(corpus) = std::env::var_os("PRIVLINK_TEMPLATE_CORPUS") else {
        panic!("set PRIVLINK_TEMPLATE_CORPUS to a checkout of Azure/azure-quickstart-templates");
    };
    let mut templates = Vec::new();
    for root in std::env::split_paths(&corpus) {
        if root.is_file() {
            templates.push(root);
        } else {
            find_templates(&root, &mut templates);
        }
    }
    templates.sort();
    assert!(!templates.is_empty(), "no azuredeploy.json under {corpus:?}");
    let scratch = std::env::temp_dir().join(format!("privlink-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();

    let mut clean = 0;
    let mut refused_by_arm = Vec::new();
    let mut failures = Vec::new();
    for (n, template) in templates.iter().enumerate() {
        let outcome = run_check(template, &scratch.join(format!("{n}.parameters.json")));
        match outcome {
            Ok(()) => clean += 1,
            Err(cause) => match arm_refuses(template) {
                Some(reason) => refused_by_arm.push((template.clone(), reason, cause)),
                None => failures.push((template.clone(), cause)),
            },
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let accepted = templates.len() - refused_by_arm.len();
    let ratio = clean as f64 / accepted as f64;
    println!(
        "{} templates; {} refused by Azure too; {clean} of the other {accepted} clean ({:.1} %)",
        templates.len(),
        refused_by_arm.len(),
        ratio * 100.0
    );
    for (template, reason, cause) in &refused_by_arm {
        println!("  refused by Azure too  {}: {reason}\n      privlink: {cause}", template.display());
    }
    for (template, cause) in &failures {
        println!("  FAILS                 {}: {cause}", template.display());
    }
    assert!(ratio >= 0.99, "{} of {accepted} templates that Azure accepts fail (see above)", failures.len());
}

fn find_templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                find_templates(&path, out);
            }
        } else if path.file_name().is_some_and(|n| n == "azuredeploy.json") {
            out.push(path);
        }
    }
}

fn arm_refuses(template: &Path) -> Option<&'static str> {
    let dir = template.parent()?.file_name()?.to_string_lossy().to_string();
    ARM_REFUSES.iter().find(|(name, _)| *name == dir).map(|(_, reason)| *reason)
}

/// `privlink check` on one template; `Err` names why it is not clean.
fn run_check(template: &Path, scratch_parameters: &Path) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privlink"));
    command.args(["check", "--format", "json", "--fail-on", "never", "--allow-empty", "--unset-parameters", "unknown"]);
    command.arg("--estate").arg(template);
    let parameters = template.with_file_name("azuredeploy.parameters.json");
    if parameters.is_file() {
        command.arg("--parameters").arg(pipeline_parameters(&parameters, scratch_parameters));
    }
    let output = command.output().expect("privlink runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() != Some(0) {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        return Err(format!("exit {:?}: {last}", output.status.code()));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("output is not JSON: {e}"))?;
    let errors: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{} {}", d["code"].as_str().unwrap_or("?"), d["message"].as_str().unwrap_or("")))
        .collect();
    match errors.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} error diagnostic(s), first: {first}", errors.len())),
    }
}

/// The parameters file as a pipeline passes it: values the quickstart CI takes from a
/// prerequisite deployment (`GET-PREREQ-…`) are left out, so they are unset parameters.
fn pipeline_parameters(parameters: &Path, scratch: &Path) -> PathBuf {
    let Ok(text) = std::fs::read_to_string(parameters) else { return parameters.to_path_buf() };
    if !text.contains("GET-PREREQ") {
        return parameters.to_path_buf();
    }
    let Ok(mut document) = serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')) else {
        return parameters.to_path_buf();
    };
    let values = if document.get("parameters").is_some() { &mut document["parameters"] } else { &mut document };
    if let Some(values) = values.as_object_mut() {
        values.retain(|_, v| !v.to_string().contains("GET-PREREQ"));
    }
    std::fs::write(scratch, document.to_string()).unwrap();
    scratch.to_path_buf()
}
