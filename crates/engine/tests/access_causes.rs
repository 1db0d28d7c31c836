//! The typed cause `access::decide` and `access::references::resolve` give with a denial or an
//! undecided verdict, on edited copies of the seed estate: what the identity rules report from.

use privlink_engine::access::{references, AccessVerdict, Cause, PrincipalError};
use privlink_engine::dns::Resolver;
use privlink_engine::trace::access_to;
use privlink_load::Input;
use privlink_model::{Model, ResourceId};
use serde_json::Value;

mod common;
use common::FILES;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers";
const ACCESS: &str = include_str!("../../../scenarios/seed-estate/access.json");

fn id(rest: &str) -> ResourceId {
    ResourceId::parse(&format!("{RG}/{rest}")).unwrap()
}

/// The seed estate's documents, `edit` applied to each.
fn seed_with(edit: impl Fn(&mut Value)) -> Model {
    let files = FILES.iter().copied().chain([("access.json", ACCESS)]);
    let inputs: Vec<Input> = files
        .map(|(n, j)| {
            let mut docs: Vec<Value> = serde_json::from_str(j).unwrap();
            docs.iter_mut().for_each(&edit);
            Input::new(n, serde_json::to_vec(&docs).unwrap())
        })
        .collect();
    privlink_load::load(inputs, &privlink_load::Options::default()).unwrap()
}

fn named(doc: &Value, name: &str) -> bool {
    doc["name"] == name
}

fn cause(model: &Model, backend: &str) -> (AccessVerdict, Option<Cause>) {
    let a = access_to(model, &id("Microsoft.Web/sites/app-flask-privlink"), Some(&id(backend)));
    (a.verdict, a.cause)
}

const VAULT: &str = "Microsoft.KeyVault/vaults/kv-privlink-seed";
const SQL: &str = "Microsoft.Sql/servers/sql-privlink-seed";

#[test]
fn the_seed_is_granted_without_a_cause() {
    let model = seed_with(|_| {});
    assert_eq!(cause(&model, VAULT), (AccessVerdict::Granted, None));
    assert_eq!(cause(&model, SQL), (AccessVerdict::Granted, None));
}

#[test]
fn an_app_without_identity_is_denied_for_want_of_one() {
    let model = seed_with(|d| {
        if named(d, "app-flask-privlink") {
            d.as_object_mut().unwrap().remove("identity");
        }
    });
    let site = id("Microsoft.Web/sites/app-flask-privlink");
    let expected = Some(Cause::Principal(PrincipalError::IdentityNotEnabled { site: site.clone() }));
    assert_eq!(cause(&model, VAULT), (AccessVerdict::Denied, expected.clone()));
    let resolver = Resolver::new(&model);
    let reference = "@Microsoft.KeyVault(SecretUri=https://kv-privlink-seed.vault.azure.net/secrets/openai-key)";
    let r = references::resolve(&model, &resolver, &model.resources.sites[&site], reference).unwrap();
    assert_eq!((r.status, r.cause), ("MSINotEnabled", expected));
}

#[test]
fn a_role_for_someone_else_denies_and_an_ignored_policy_is_named() {
    let other = |d: &mut Value| {
        if d["type"] == "Microsoft.Authorization/roleAssignments" {
            d["properties"]["principalId"] = "99999999-0000-0000-0000-000000000000".into();
        }
    };
    let model = seed_with(other);
    let role = "Key Vault Secrets User";
    assert_eq!(cause(&model, VAULT), (AccessVerdict::Denied, Some(Cause::NoRoleAssignment { role })));
    let model = seed_with(|d| {
        other(d);
        if named(d, "kv-privlink-seed") {
            d["properties"]["accessPolicies"] = serde_json::json!([{"tenantId": "00000000-0000-0000-0000-0000000000aa",
                "objectId": "11111111-2222-3333-4444-555555555555", "permissions": {"secrets": ["get"]}}]);
        }
    });
    assert_eq!(cause(&model, VAULT), (AccessVerdict::Denied, Some(Cause::AccessPolicyIgnored { role })));
}

#[test]
fn no_role_assignment_at_all_is_undecided_and_says_so() {
    let model = seed_with(|d| {
        if d["type"] == "Microsoft.Authorization/roleAssignments" {
            *d = serde_json::json!({"id": format!("{RG}/Microsoft.Example/things/gone"), "type": "Microsoft.Example/things"});
        }
    });
    assert_eq!(cause(&model, VAULT), (AccessVerdict::Indeterminate, Some(Cause::NoRoleAssignmentsHeld)));
}

#[test]
fn sql_without_admin_or_with_a_declaration_lacking_the_app_is_denied() {
    let model = seed_with(|d| {
        if named(d, "sql-privlink-seed") {
            d["properties"].as_object_mut().unwrap().remove("administrators");
        }
    });
    assert_eq!(cause(&model, SQL), (AccessVerdict::Denied, Some(Cause::NoSqlEntraAdmin)));
    let model = seed_with(|d| {
        if d["type"] == "Privlink.Declarations/sqlContainedUsers" {
            d["properties"]["users"] =
                serde_json::json!([{"name": "someone-else", "objectId": "99999999-0000-0000-0000-000000000000"}]);
        }
    });
    let (verdict, cause) = cause(&model, SQL);
    assert_eq!(verdict, AccessVerdict::Denied);
    assert!(
        matches!(&cause, Some(Cause::NoContainedUser { database, declarations }) if database.name() == "db-flask" && declarations.len() == 1),
        "{cause:?}"
    );
}
