//! The access step on the seeds' estate and on the identity failures the seeds list: "verify
//! system-assigned identity is enabled", "Key Vault access policy or RBAC", "confirm SQL
//! permissions for managed identity principal", Key Vault references.

mod common;

use privlink_engine::access::{self, AccessVerdict};
use privlink_engine::dns::Resolver;
use privlink_engine::trace::trace_all;
use privlink_model::{Model, ResourceId};
use serde_json::{json, Value};

const SITE: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink";
const PRINCIPAL: &str = "11111111-2222-3333-4444-555555555555";

fn site_id() -> ResourceId {
    ResourceId::parse(SITE).unwrap()
}

/// The access verdict and deciding resource of each dependency, by host.
fn access_by_host(model: &Model) -> Vec<(String, AccessVerdict, Option<String>)> {
    let resolver = Resolver::new(model);
    trace_all(model, &resolver, &site_id())
        .into_iter()
        .map(|t| {
            let a = t.access.expect("a trace to a name has an access step");
            let host = t.query.to.split(':').next().unwrap().to_string();
            (host, a.verdict, a.decided_by.map(|d| format!("{} {}", d.kind, d.id.rsplit('/').next().unwrap())))
        })
        .collect()
}

fn verdict_of(model: &Model, host_prefix: &str) -> (AccessVerdict, Option<String>) {
    access_by_host(model)
        .into_iter()
        .find(|(h, _, _)| h.starts_with(host_prefix))
        .map(|(_, v, by)| (v, by))
        .unwrap_or_else(|| panic!("no dependency {host_prefix}"))
}

fn edit_doc(docs: &mut [Value], type_suffix: &str, edit: impl Fn(&mut Value)) {
    for d in docs.iter_mut() {
        if d["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(type_suffix)) {
            edit(d);
        }
    }
}

#[test]
fn the_seed_app_signs_in_to_key_vault_and_sql_and_uses_keys_for_redis_and_openai() {
    let model = common::seed();
    let got = access_by_host(&model);
    let find = |p: &str| got.iter().find(|(h, _, _)| h.starts_with(p)).unwrap().clone();
    let kv = find("kv-");
    assert_eq!(kv.1, AccessVerdict::Granted);
    assert_eq!(kv.2.as_deref(), Some("role-assignment d1805766-bead-5ee4-9d8b-e376dc956e80"));
    let sql = find("sql-");
    assert_eq!(sql.1, AccessVerdict::Granted, "{sql:?}");
    assert_eq!(sql.2.as_deref(), Some("sql-contained-users default"));
    assert_eq!(find("redis-").1, AccessVerdict::None);
    assert_eq!(find("oai-").1, AccessVerdict::None);
}

#[test]
fn identity_off_denies_every_entra_sign_in_at_the_site() {
    let model = common::seed_with(|name, docs| {
        if name == "web.json" {
            edit_doc(docs, "Microsoft.Web/sites", |d| d["identity"] = json!({"type": "None"}));
        }
    });
    for host in ["kv-", "sql-"] {
        let (v, by) = verdict_of(&model, host);
        assert_eq!(v, AccessVerdict::Denied, "{host}");
        assert_eq!(by.as_deref(), Some("site app-flask-privlink"), "{host}");
    }
}

#[test]
fn a_missing_role_is_a_denial_only_once_the_estate_holds_role_assignments() {
    // The only role assignment gone: the estate says nothing about grants (exports omit them).
    let none_held = common::seed_with(|name, docs| {
        if name == "backends.json" {
            docs.retain(|d| d["type"] != "Microsoft.Authorization/roleAssignments");
        }
    });
    assert_eq!(verdict_of(&none_held, "kv-").0, AccessVerdict::Indeterminate);
    // The assignment moved to another principal: the estate holds grants, the app's is missing.
    let other = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Authorization/roleAssignments", |d| {
                d["properties"]["principalId"] = json!("99999999-0000-0000-0000-000000000000")
            });
        }
    });
    let (v, by) = verdict_of(&other, "kv-");
    assert_eq!(v, AccessVerdict::Denied);
    assert_eq!(by.as_deref(), Some("service kv-privlink-seed"));
    // A role that does not hold getSecret (Key Vault Reader) does not grant it either.
    let reader = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Authorization/roleAssignments", |d| {
                d["properties"]["roleDefinitionId"] = json!("/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/21090545-7ca7-4776-b22c-e363652d74d2")
            });
        }
    });
    assert_eq!(verdict_of(&reader, "kv-").0, AccessVerdict::Denied);
}

#[test]
fn a_role_at_the_resource_group_is_inherited_by_the_vault() {
    let model = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Authorization/roleAssignments", |d| {
                d["properties"]["scope"] =
                    json!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG-PRIVLINK-SEED");
            });
        }
    });
    assert_eq!(verdict_of(&model, "kv-").0, AccessVerdict::Granted);
    let sibling = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Authorization/roleAssignments", |d| {
                d["properties"]["scope"] =
                    json!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed-other");
            });
        }
    });
    assert_eq!(
        verdict_of(&sibling, "kv-").0,
        AccessVerdict::Denied,
        "a prefix that is not a parent scope grants nothing"
    );
}

#[test]
fn access_policies_decide_in_access_policy_mode_and_are_ignored_in_rbac_mode() {
    let policy = json!([{"tenantId": "00000000-0000-0000-0000-0000000000aa", "objectId": PRINCIPAL,
        "permissions": {"secrets": ["Get", "List"]}}]);
    let rbac_with_policy = common::seed_with(|name, docs| {
        if name == "backends.json" {
            docs.retain(|d| d["type"] != "Microsoft.Authorization/roleAssignments");
            docs.push(json!({"id": "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleAssignments/0000000a-0000-0000-0000-000000000000",
                "type": "Microsoft.Authorization/roleAssignments", "name": "0000000a-0000-0000-0000-000000000000",
                "properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
                    "principalId": "99999999-0000-0000-0000-000000000000"}}));
            edit_doc(docs, "Microsoft.KeyVault/vaults", |d| d["properties"]["accessPolicies"] = policy.clone());
        }
    });
    assert_eq!(verdict_of(&rbac_with_policy, "kv-").0, AccessVerdict::Denied, "RBAC mode ignores access policies");
    let policy_mode = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.KeyVault/vaults", |d| {
                d["properties"]["accessPolicies"] = policy.clone();
                d["properties"]["enableRbacAuthorization"] = json!(false);
            });
        }
    });
    let (v, by) = verdict_of(&policy_mode, "kv-");
    assert_eq!(v, AccessVerdict::Granted);
    assert_eq!(by.as_deref(), Some("access-policy kv-privlink-seed"));
    let list_only = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.KeyVault/vaults", |d| {
                d["properties"]["accessPolicies"] =
                    json!([{"objectId": PRINCIPAL, "permissions": {"secrets": ["list"]}}]);
                d["properties"]["enableRbacAuthorization"] = json!(false);
            });
        }
    });
    assert_eq!(verdict_of(&list_only, "kv-").0, AccessVerdict::Denied, "list is not get");
}

#[test]
fn sql_admits_its_entra_admin_and_declared_users_and_refuses_undeclared_ones() {
    let admin = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Sql/servers", |d| d["properties"]["administrators"]["sid"] = json!(PRINCIPAL));
        }
    });
    assert_eq!(verdict_of(&admin, "sql-").1.as_deref(), Some("sql-entra-admin sql-privlink-seed"));
    let undeclared = common::seed_with(|name, docs| {
        if name == "access.json" {
            docs.retain(|d| d["type"] != "Privlink.Declarations/sqlContainedUsers");
        }
    });
    assert_eq!(verdict_of(&undeclared, "sql-").0, AccessVerdict::Indeterminate, "contained users are not in ARM");
    let someone_else = common::seed_with(|name, docs| {
        if name == "access.json" {
            edit_doc(docs, "Privlink.Declarations/sqlContainedUsers", |d| {
                d["properties"]["users"] =
                    json!([{"name": "another-app", "objectId": "99999999-0000-0000-0000-000000000000"}]);
            });
        }
    });
    assert_eq!(verdict_of(&someone_else, "sql-").0, AccessVerdict::Denied);
    let no_admin = common::seed_with(|name, docs| {
        if name == "backends.json" {
            edit_doc(docs, "Microsoft.Sql/servers", |d| {
                d["properties"]["administrators"] = json!(null);
            });
        }
    });
    assert_eq!(verdict_of(&no_admin, "sql-").0, AccessVerdict::Denied, "no Entra admin: no Entra sign-in");
}

#[test]
fn a_user_assigned_identity_is_chosen_by_azure_client_id_and_must_be_attached() {
    let uami = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-flask";
    let uami_principal = "33333333-0000-0000-0000-000000000000";
    let with_uami = |attached: bool| {
        common::seed_with(move |name, docs| {
            if name == "web.json" {
                edit_doc(docs, "Microsoft.Web/sites", |d| {
                    if attached {
                        d["identity"]["type"] = json!("SystemAssigned, UserAssigned");
                        d["identity"]["userAssignedIdentities"] = json!({uami: {"principalId": uami_principal, "clientId": "44444444-0000-0000-0000-000000000000"}});
                    }
                });
                edit_doc(docs, "Microsoft.Web/sites/config", |d| {
                    if d["name"] == "appsettings" {
                        d["properties"]["AZURE_CLIENT_ID"] = json!("44444444-0000-0000-0000-000000000000");
                    }
                });
            }
            if name == "backends.json" {
                edit_doc(docs, "Microsoft.Authorization/roleAssignments", |d| {
                    d["properties"]["principalId"] = json!(uami_principal)
                });
            }
        })
    };
    assert_eq!(verdict_of(&with_uami(true), "kv-").0, AccessVerdict::Granted);
    let (v, by) = verdict_of(&with_uami(false), "kv-");
    assert_eq!(v, AccessVerdict::Denied);
    assert_eq!(by.as_deref(), Some("site-setting app-flask-privlink"));
}

#[test]
fn the_seed_key_vault_reference_resolves_and_fails_as_app_service_says() {
    let status = |model: &Model| {
        let resolver = Resolver::new(model);
        let site = &model.resources.sites[&site_id()];
        let value = site.app_setting("OPENAI_API_KEY").unwrap().to_string();
        access::references::resolve(model, &resolver, site, &value).unwrap().status
    };
    assert_eq!(status(&common::seed()), "Resolved");
    let identity_off = common::seed_with(|name, docs| {
        if name == "web.json" {
            edit_doc(docs, "Microsoft.Web/sites", |d| d["identity"] = json!({"type": "None"}));
        }
    });
    assert_eq!(status(&identity_off), "MSINotEnabled");
    let secret_gone = common::seed_with(|name, docs| {
        if name == "access.json" {
            edit_doc(docs, "Microsoft.KeyVault/vaults/secrets", |d| d["name"] = json!("other"));
            for d in docs.iter_mut() {
                if d["type"] == "Microsoft.KeyVault/vaults/secrets" {
                    let id = d["id"].as_str().unwrap().replace("openai-key", "other");
                    d["id"] = json!(id);
                }
            }
        }
    });
    assert_eq!(status(&secret_gone), "SecretNotFound");
    let no_route_all = common::seed_with(|name, docs| {
        if name == "web.json" {
            edit_doc(docs, "Microsoft.Web/sites", |d| {
                d["properties"]["vnetRouteAllEnabled"] = json!(false);
                d["properties"]["outboundVnetRouting"] = json!({});
                d["properties"]["siteConfig"]["vnetRouteAllEnabled"] = json!(false);
            });
            edit_doc(docs, "Microsoft.Web/sites/config", |d| {
                if d["name"] == "web" {
                    d["properties"]["vnetRouteAllEnabled"] = json!(false);
                }
                if d["name"] == "appsettings" {
                    d["properties"].as_object_mut().unwrap().remove("WEBSITE_VNET_ROUTE_ALL");
                }
            });
        }
    });
    let resolver = Resolver::new(&no_route_all);
    let site = &no_route_all.resources.sites[&site_id()];
    let r = access::references::resolve(&no_route_all, &resolver, site, site.app_setting("OPENAI_API_KEY").unwrap())
        .unwrap();
    assert_eq!(r.status, "AccessToKeyVaultDenied", "Linux + private endpoint needs route-all (§7.4)");
    assert!(r.details.contains("vnetRouteAllEnabled"), "{}", r.details);
}
