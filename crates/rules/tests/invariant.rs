//! `check` never passes an app that cannot reach a dependency, and says why when it can.
//!
//! Every dependency whose trace is not allowed gets a finding — at worst from NET200, the safety
//! net. Over every scenario estate: (1) NET200 fires only where the estate is listed below as one
//! no rule diagnoses yet, so a rule that stops reporting (NET203 dropping a finding it cannot write
//! a fix for) fails here; (2) a deny planted at priority 100 on an integration subnet's NSG, above
//! every allow (the others moved one down, so no priority above it is free), is reported by NET203
//! with a fix for every private destination it drops, never left to the safety net.

use privlink_engine::nsg::is_public;
use privlink_load::{load, load_documents, Input, Options};
use privlink_model::{Direction, Document, Model, Origin, ResourceId};
use privlink_rules::{check, fix, Analysis, Edit, Finding};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Estates where no specific rule explains an unreachable dependency yet, with what NET200 says.
const UNEXPLAINED: &[(&str, &str)] =
    &[("rules/NET200/positive-unknown", "kv1.vault.azure.net:443: the trace is unknown, decided by service kv1")];

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Every `estate/` directory under `scenarios/` holding ARM documents (not templates).
fn estates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![scenarios()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && p.file_name().is_some_and(|n| n == "estate") {
                out.push(p);
            } else if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load_dir(dir: &Path) -> Option<Model> {
    let files = privlink_testkit::json_files_under(dir);
    let inputs: Vec<Input> =
        files.iter().map(|f| Input::new(f.display().to_string(), std::fs::read(f).unwrap())).collect();
    load(inputs, &Options::default()).ok()
}

fn name_of(estate: &Path) -> String {
    let rel = estate.parent().unwrap().strip_prefix(scenarios()).unwrap();
    rel.display().to_string()
}

fn net200(findings: &[Finding]) -> Vec<&str> {
    findings.iter().filter(|f| f.code == "NET200").map(|f| f.message.as_str()).collect()
}

#[test]
fn the_safety_net_fires_only_where_no_rule_explains_the_failure() {
    let mut problems = Vec::new();
    for estate in estates() {
        let Some(model) = load_dir(&estate) else { continue };
        let name = name_of(&estate);
        let found = check(&model, |_| true);
        let expected: Vec<&str> = UNEXPLAINED.iter().filter(|(e, _)| *e == name).map(|(_, m)| *m).collect();
        let actual = net200(&found);
        let unexpected: Vec<&&str> = actual.iter().filter(|m| !expected.iter().any(|e| m.contains(e))).collect();
        let missing: Vec<&&str> = expected.iter().filter(|e| !actual.iter().any(|m| m.contains(*e))).collect();
        if !unexpected.is_empty() || !missing.is_empty() {
            problems.push(format!("{name}: NET200 unexpected {unexpected:?}, missing {missing:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The estate with an outbound deny of every TCP port at priority 100 on the NSG of each app's
/// integration subnet, above every allow (the NSG's outbound rules each move one down), and the
/// ids of the denies planted.
fn with_planted_denies(model: &Model) -> Option<(Model, Vec<ResourceId>)> {
    let mut edits = Vec::new();
    let mut planted: Vec<ResourceId> = Vec::new();
    for site in model.resources.sites.values() {
        let Some(subnet) = site.integration_subnet.as_ref().and_then(|s| model.resources.subnets.get(&s.value)) else {
            continue;
        };
        let Some(nsg) = subnet.nsg.as_ref().and_then(|n| model.resources.network_security_groups.get(n)) else {
            continue;
        };
        let outbound: Vec<_> = nsg.rules.iter().filter(|r| r.direction == Direction::Outbound).collect();
        let id = nsg.meta.id.child("securityRules", "deny-planted");
        if planted.contains(&id) || outbound.iter().any(|r| !(100..4096).contains(&r.priority)) {
            continue;
        }
        edits.extend(outbound.iter().map(|r| Edit::add(&r.id, "/properties/priority", json!(r.priority + 1))));
        edits.push(Edit::create(
            &id,
            json!({"properties": {"priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp",
                "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}),
        ));
        planted.push(id);
    }
    if planted.is_empty() {
        return None;
    }
    let mut docs = model.documents.clone();
    for (id, body) in fix::apply(&model.documents, &edits) {
        let origin = docs.get(&id).map_or_else(|| Origin::new("<planted>", ""), |d| d.origin.clone());
        docs.insert(id.clone(), Document { id, body, origin });
    }
    Some((load_documents(docs.into_values().map(|d| (d.body, d.origin))), planted))
}

#[test]
fn a_deny_at_priority_100_above_every_allow_is_reported_with_a_fix() {
    let mut problems = Vec::new();
    let mut tried = 0;
    for estate in estates() {
        let Some(model) = load_dir(&estate) else { continue };
        let Some((mutated, planted)) = with_planted_denies(&model) else { continue };
        let name = name_of(&estate);
        // A name that resolved to a public address is not the deny's to explain: the reason it is
        // not private is (DNS101, DNS102, PE101), and the service would refuse it anyway.
        let denied_by_planted: Vec<String> = Analysis::new(&mutated)
            .traced()
            .filter(|(_, p)| p.denied_by().is_some_and(|b| planted.iter().any(|id| id.to_string() == b.id)))
            .filter(|(_, p)| !is_public(p.destination.ip))
            .map(|(_, p)| p.to.clone())
            .collect();
        if denied_by_planted.is_empty() {
            continue;
        }
        tried += 1;
        let found = check(&mutated, |_| true);
        let reported = found.iter().any(|f| f.code == "NET203" && planted.contains(&f.resource) && f.fix.is_some());
        if !reported {
            problems.push(format!(
                "{name}: the planted deny drops {denied_by_planted:?} but NET203 does not report it with a fix"
            ));
        }
        let stray = net200(&found);
        if stray.iter().any(|m| m.contains("deny-planted")) {
            problems.push(format!("{name}: the planted deny is left to the safety net: {stray:?}"));
        }
    }
    assert!(tried >= 5, "only {tried} estates exercised the planted deny");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every scenario estate whose apps have a system-assigned identity, with the identities removed:
/// wherever `trace`'s access step then denies for want of one, IAM501 reports the app with a fix,
/// and NET200 (which explains paths) never takes it up.
#[test]
fn an_app_stripped_of_its_identity_is_reported_by_iam501_with_a_fix() {
    use privlink_engine::access::{AccessVerdict, Cause, PrincipalError};
    use privlink_engine::dns::Resolver;
    use privlink_engine::trace::trace_all;
    let mut problems = Vec::new();
    let mut tried = 0;
    for estate in estates() {
        let Some(model) = load_dir(&estate) else { continue };
        let edits: Vec<Edit> = model
            .resources
            .sites
            .values()
            .filter(|s| s.identity.has_system_assigned())
            .map(|s| Edit::remove(&s.meta.id, "/identity"))
            .collect();
        if edits.is_empty() {
            continue;
        }
        let mut docs = model.documents.clone();
        for (id, body) in fix::apply(&model.documents, &edits) {
            let origin = docs[&id].origin.clone();
            docs.insert(id.clone(), Document { id, body, origin });
        }
        let mutated = load_documents(docs.into_values().map(|d| (d.body, d.origin)));
        let resolver = Resolver::new(&mutated);
        let denied: Vec<&ResourceId> = mutated
            .resources
            .sites
            .values()
            .filter(|s| {
                // As the rules do: the hosts the app names, or every dependency when it names none.
                let named = privlink_engine::dns::dependencies::named_hosts(s);
                let names = privlink_engine::dns::dependencies::site_dependencies(&mutated, s);
                let traces = trace_all(&mutated, &resolver, &s.meta.id);
                names.iter().zip(&traces).filter(|(n, _)| named.is_empty() || named.contains(*n)).any(|(_, t)| {
                    t.access.as_ref().is_some_and(|a| {
                        a.verdict == AccessVerdict::Denied
                            && matches!(a.cause, Some(Cause::Principal(PrincipalError::IdentityNotEnabled { .. })))
                    })
                })
            })
            .map(|s| &s.meta.id)
            .collect();
        if denied.is_empty() {
            continue;
        }
        tried += 1;
        let found = check(&mutated, |_| true);
        for site in denied {
            if !found.iter().any(|f| f.code == "IAM501" && &f.resource == site && f.fix.is_some()) {
                problems.push(format!("{}: {site} lost its identity and IAM501 does not report it", name_of(&estate)));
            }
        }
    }
    assert!(tried >= 5, "only {tried} estates exercised a removed identity");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `privlink env` and `check` answer from the same engine: over every scenario estate, a Key Vault
/// reference App Service would not resolve (any status but `Resolved`, and `Indeterminate`, which
/// says the estate cannot tell) has an error finding that names its app — whether the cause is the
/// network, the identity, the vault's authorization, the syntax or the secret.
#[test]
fn every_reference_env_reports_unresolved_has_an_error_finding_on_its_app() {
    use privlink_engine::access::references;
    use privlink_engine::dns::Resolver;
    let mut unresolved_seen = 0;
    for estate in estates() {
        let Some(model) = load_dir(&estate) else { continue };
        let findings = check(&model, |_| true);
        let resolver = Resolver::new(&model);
        for site in model.resources.sites.values() {
            let values = site.app_settings.values().chain(site.connection_strings.values().map(|c| &c.value));
            for value in values {
                let Some(r) = references::resolve(&model, &resolver, site, value) else { continue };
                if r.resolved() || r.status == "Indeterminate" {
                    continue;
                }
                unresolved_seen += 1;
                let names_app = |f: &&Finding| {
                    f.severity == privlink_model::Severity::Error
                        && (f.resource == site.meta.id
                            || f.message.contains(&site.meta.name)
                            || f.evidence.iter().any(|e| e.to_string().contains(&site.meta.name)))
                };
                assert!(
                    findings.iter().any(|f| names_app(&f)),
                    "{}: {}'s reference is {} ({}) but no error finding names the app; findings: {:?}",
                    name_of(&estate),
                    site.meta.name,
                    r.status,
                    r.details,
                    findings.iter().map(|f| (f.code, &f.message)).collect::<Vec<_>>()
                );
            }
        }
    }
    assert!(unresolved_seen >= 7, "the env scenarios hold unresolved references ({unresolved_seen} seen)");
}
