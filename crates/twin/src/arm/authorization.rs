//! `Microsoft.Authorization` at any scope: role assignments (extension resources
//! `{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`, written through the
//! provider like any resource, listed with ARM's `$filter`s) and role definitions (read-only,
//! answered from the catalog's built-in roles).
//!
//! The lists az asks for (azure-semantics §13.1): `$filter=atScope()` (assignments at the scope
//! and above it), `principalId eq '{id}'` and `assignedTo('{id}')` (that principal's assignments
//! at, above and below the scope; with no groups to expand the two are the same), none (every
//! assignment at, above and below). Role definitions: `roleName eq '{name}'`, or all.

use super::routes::{list, query_param, require_method, resource};
use super::scope::{require_resource, require_subscription};
use super::{ArmRequest, ArmResponse, ArmState};
use crate::store::{document_id, Documents};
use axum::http::Method;
use privlink_engine::catalog::{built_in_role, RoleDefinition, BUILT_IN_ROLES};
use privlink_engine::provider::{assignment_scope, ArmError};
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Value};

/// Which `Microsoft.Authorization` collection a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    RoleAssignments,
    RoleDefinitions,
}

/// A path `{scope}/providers/Microsoft.Authorization/{collection}[/{name}]`, split.
struct AuthorizationPath {
    scope: String,
    collection: Collection,
    name: Option<String>,
}

fn split(segments: &[String]) -> Option<AuthorizationPath> {
    let namespace = arm_type::AUTHORIZATION_NAMESPACE;
    let at = (0..segments.len()).rev().find(|&i| {
        segments[i].eq_ignore_ascii_case("providers")
            && segments.get(i + 1).is_some_and(|n| n.eq_ignore_ascii_case(namespace))
    })?;
    let rest = &segments[at + 2..];
    let collection = match rest.first().map(|s| s.to_ascii_lowercase()) {
        Some(c) if arm_type::ROLE_ASSIGNMENTS.to_ascii_lowercase().ends_with(&format!("/{c}")) => {
            Collection::RoleAssignments
        }
        Some(c) if arm_type::ROLE_DEFINITIONS.to_ascii_lowercase().ends_with(&format!("/{c}")) => {
            Collection::RoleDefinitions
        }
        _ => return None,
    };
    if rest.len() > 2 {
        return None;
    }
    let scope: String = segments[..at].iter().map(|s| format!("/{s}")).collect();
    Some(AuthorizationPath { scope, collection, name: rest.get(1).cloned() })
}

/// Answers the request if its path is a `Microsoft.Authorization` collection or member.
pub(super) fn route(
    state: &ArmState,
    request: &ArmRequest,
    segments: &[String],
) -> Option<Result<ArmResponse, ArmError>> {
    let path = split(segments)?;
    Some(answer(state, request, &path))
}

fn answer(state: &ArmState, request: &ArmRequest, path: &AuthorizationPath) -> Result<ArmResponse, ArmError> {
    let docs = state.store.snapshot();
    let scope = if path.scope.is_empty() {
        None
    } else {
        let scope = super::routes::parse_id(&path.scope)?;
        require_subscription(state, &docs, scope.subscription().unwrap_or_default())?;
        if scope.resource_group_id().is_some() {
            require_resource(state, &docs, &scope)?;
        }
        Some(scope)
    };
    match (path.collection, &path.name) {
        (Collection::RoleAssignments, Some(name)) => {
            let scope =
                scope.ok_or_else(|| ArmError::bad_request("InvalidScope", "A role assignment needs a scope."))?;
            let id = super::routes::parse_id(&format!("{scope}/providers/{}/{name}", arm_type::ROLE_ASSIGNMENTS))?;
            resource(state, request, &id)
        }
        (Collection::RoleAssignments, None) => {
            require_method(request, &[Method::GET])?;
            let scope = scope
                .ok_or_else(|| ArmError::bad_request("InvalidScope", "Role assignments are listed at a scope."))?;
            let filter = AssignmentFilter::parse(query_param(request, "$filter").as_deref())?;
            Ok(list(assignments(&docs, &scope, &filter)))
        }
        (Collection::RoleDefinitions, name) => {
            require_method(request, &[Method::GET])?;
            let prefix = scope
                .as_ref()
                .and_then(|s| s.subscription())
                .map(|s| format!("/subscriptions/{s}"))
                .unwrap_or_default();
            match name {
                Some(name) => {
                    let role = built_in_role(name).ok_or_else(|| {
                        // UNVERIFIED: the code and status of a GET of an unknown role definition.
                        ArmError::new(
                            404,
                            "RoleDefinitionDoesNotExist",
                            format!("The role definition '{name}' could not be found."),
                        )
                    })?;
                    Ok(ArmResponse::json(200, role_definition(&prefix, role)))
                }
                None => {
                    let wanted = role_name_filter(query_param(request, "$filter").as_deref());
                    let value: Vec<Value> = BUILT_IN_ROLES
                        .iter()
                        .filter(|r| wanted.as_deref().is_none_or(|w| r.name.eq_ignore_ascii_case(w)))
                        .map(|r| role_definition(&prefix, r))
                        .collect();
                    Ok(ArmResponse::json(200, json!({ "value": value })))
                }
            }
        }
    }
}

/// A built-in role as the REST API shows it (`Microsoft.Authorization/roleDefinitions`).
fn role_definition(prefix: &str, role: &RoleDefinition) -> Value {
    json!({
        "id": format!("{prefix}/providers/{}/{}", arm_type::ROLE_DEFINITIONS, role.id),
        "name": role.id,
        "type": arm_type::ROLE_DEFINITIONS,
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [{
                "actions": role.actions,
                "notActions": [],
                "dataActions": role.data_actions,
                "notDataActions": role.not_data_actions,
            }],
        }
    })
}

/// `roleName eq 'Key Vault Secrets User'` → the name.
fn role_name_filter(filter: Option<&str>) -> Option<String> {
    let filter = filter?.trim();
    let rest = filter.strip_prefix("roleName").or_else(|| filter.strip_prefix("rolename"))?.trim_start();
    let rest = rest.strip_prefix("eq")?.trim();
    Some(rest.trim_matches('\'').replace("''", "'"))
}

/// What a role-assignment list's `$filter` asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct AssignmentFilter {
    at_scope_only: bool,
    principal: Option<String>,
}

impl AssignmentFilter {
    fn parse(filter: Option<&str>) -> Result<AssignmentFilter, ArmError> {
        let mut parsed = AssignmentFilter::default();
        let Some(filter) = filter.map(str::trim).filter(|f| !f.is_empty()) else { return Ok(parsed) };
        let quoted = |text: &str| -> Option<String> {
            let start = text.find('\'')?;
            let end = text.rfind('\'').filter(|&e| e > start)?;
            Some(text[start + 1..end].to_string())
        };
        for clause in filter.split(" and ") {
            let clause = clause.trim();
            let lower = clause.to_ascii_lowercase();
            if lower == "atscope()" {
                parsed.at_scope_only = true;
            } else if lower.starts_with("principalid") || lower.starts_with("assignedto(") {
                parsed.principal = quoted(clause);
            } else {
                // UNVERIFIED: the code ARM answers an unsupported filter with.
                return Err(ArmError::bad_request(
                    "UnsupportedQuery",
                    format!("The filter '{filter}' is not supported. Supported: atScope(), principalId eq '{{id}}', assignedTo('{{id}}')."),
                ));
            }
        }
        Ok(parsed)
    }
}

/// The role assignments a list at `scope` answers with, in id order.
fn assignments<'a>(
    docs: &'a Documents,
    scope: &'a ResourceId,
    filter: &'a AssignmentFilter,
) -> impl Iterator<Item = &'a Value> + 'a {
    let subscription = scope.subscription().and_then(|s| ResourceId::parse(&format!("/subscriptions/{s}")).ok());
    let candidates = subscription.map(|sub| docs.below(&sub).map(|(_, d)| d).collect::<Vec<_>>()).unwrap_or_default();
    candidates.into_iter().filter(move |doc| {
        let Some(id) = document_id(doc).filter(|id| id.is_type(arm_type::ROLE_ASSIGNMENTS)) else { return false };
        let Some(at) = assignment_scope(&id) else { return false };
        let above_or_at = scope.is_within(&at);
        let below = at.is_within(scope);
        let placed = if filter.at_scope_only { above_or_at } else { above_or_at || below };
        let principal = doc.pointer("/properties/principalId").and_then(Value::as_str).unwrap_or_default();
        placed && filter.principal.as_deref().is_none_or(|p| p.eq_ignore_ascii_case(principal))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_as_az_sends_them() {
        assert_eq!(AssignmentFilter::parse(None).unwrap(), AssignmentFilter::default());
        let f = AssignmentFilter::parse(Some("atScope() and assignedTo('abc')")).unwrap();
        assert_eq!(f, AssignmentFilter { at_scope_only: true, principal: Some("abc".into()) });
        let f = AssignmentFilter::parse(Some("principalId eq 'p1'")).unwrap();
        assert_eq!(f.principal.as_deref(), Some("p1"));
        assert!(AssignmentFilter::parse(Some("roleName eq 'x'")).is_err());
        assert_eq!(
            role_name_filter(Some("roleName eq 'Key Vault Secrets User'")).as_deref(),
            Some("Key Vault Secrets User")
        );
    }
}
