//! # IAM506 redis-no-access-policy-assignment: a cache that takes only Entra sign-in has no access policy for the app
//!
//! **What it checks.** Azure Cache for Redis instances with Microsoft Entra authentication on that
//! an app signs in to with its managed identity (access keys disabled, or Entra on and the app holds
//! no key), where no data access policy assignment (`accessPolicyAssignments`) of the cache names
//! the identity's object id. Only when the estate holds access policy assignments for some cache:
//! an estate with none says nothing about them (a pull or export may not read the child resources,
//! assumption I7), and IAM500 notes that once.
//!
//! **Why it breaks.** Redis authorizes an Entra token's principal only through an access policy
//! assignment (Data Owner, Data Contributor, Data Reader or a custom policy); without one `AUTH`
//! fails (`WRONGPASS`), and with access keys disabled there is no other way in
//! ([Microsoft Entra authentication for Azure Cache for Redis](https://learn.microsoft.com/azure/azure-cache-for-redis/cache-azure-active-directory-for-authentication)).
//!
//! **Example.** `redis1`: `disableAccessKeyAuthentication: true`, `aad-enabled: "true"`; its only
//! assignment is for another principal; `app1` names `redis1.redis.cache.windows.net:6380`.
//!
//! **Fix.** Assign a data access policy to the identity:
//! `az redis access-policy-assignment create --resource-group RG --name CACHE --policy-assignment-name NAME --access-policy-name "Data Contributor" --object-id OID --object-id-alias ALIAS`;
//! the edit creates the `accessPolicyAssignments` document. The app then signs in with its
//! object id (or the alias) as the Redis user name.
//!
//! **Reference.** https://learn.microsoft.com/azure/azure-cache-for-redis/cache-azure-active-directory-for-authentication ·
//! https://learn.microsoft.com/azure/azure-cache-for-redis/cache-configure-role-based-access-control

use super::util::{by_backend_and_principal, missing_grants, rg};
use super::Rule;
use crate::deps::Analysis;
use crate::finding::{Finding, Severity};
use crate::fix::{Edit, Fix, FixAvailability};
use privlink_engine::access::Cause;
use privlink_model::{arm_type, Model};
use serde_json::{json, Value};

pub(crate) const RULE: Rule = Rule {
    code: "IAM506",
    name: "redis-no-access-policy-assignment",
    severity: Severity::Error,
    secondary_severity: None,
    fix: FixAvailability::Always,
    check,
};

/// The policy the fix assigns: read and write, not the cache's management commands.
const POLICY: &str = "Data Contributor";

/// An assignment name from the identity's display name: letters, digits and hyphens (3–63).
fn assignment_name(display_name: &str) -> String {
    let name: String =
        display_name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>();
    let name = name.trim_matches('-');
    let name = if name.len() < 3 { format!("{name}-app") } else { name.to_string() };
    name.chars().take(63).collect()
}

fn check(model: &Model, analysis: &Analysis) -> Vec<Finding> {
    let groups = by_backend_and_principal(missing_grants(model, analysis, |c| matches!(c, Cause::NoRedisAssignment)));
    let mut out = Vec::new();
    for group in groups {
        let g = &group[0];
        let cache = g.backend;
        let name = assignment_name(&g.display_name);
        let uses: Vec<&str> = group.iter().map(|g| g.usage.as_str()).collect();
        let evidence: Vec<Value> = group.iter().map(|g| g.evidence.clone()).collect();
        let document = cache.meta.id.child("accessPolicyAssignments", &name);
        let body = json!({
            "type": arm_type::REDIS_ACCESS_POLICY_ASSIGNMENTS,
            "properties": {"accessPolicyName": POLICY, "objectId": g.object_id, "objectIdAlias": g.display_name},
        });
        let fix = Fix {
            az: vec![format!(
                "az redis access-policy-assignment create --resource-group {} --name {} --policy-assignment-name {name} --access-policy-name \"{POLICY}\" --object-id {} --object-id-alias {}",
                rg(&cache.meta.id),
                cache.meta.name,
                g.object_id,
                g.display_name
            )],
            edits: vec![Edit::create(&document, body)],
        };
        let message = format!(
            "no access policy assignment of {} names the identity {} ({}): {} fails AUTH (WRONGPASS); assign it '{POLICY}'",
            cache.meta.name,
            g.display_name,
            g.object_id,
            uses.join(", ")
        );
        out.push(Finding::new(&RULE, cache.meta.id.clone(), message).with_evidence(evidence).with_fix(fix));
    }
    out
}
