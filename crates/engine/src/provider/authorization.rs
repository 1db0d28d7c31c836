//! Role assignments (azure-semantics §13.1): an extension resource at any scope whose PUT names a
//! role definition that exists, is not a second assignment of one role to one principal at one
//! scope, and reports its scope back.

use super::{document_id, str_at, ArmError, DocumentLookup};
use crate::catalog;
use privlink_model::{arm_type, ResourceId};
use serde_json::{json, Value};

/// The GUID a role definition id ends with.
fn role_guid(role_definition_id: &str) -> &str {
    role_definition_id.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
}

/// Whether `role_definition_id` may name a role: a built-in role of the catalog, a role definition
/// document of the estate, or any other GUID (Azure has hundreds of built-in roles; the catalog
/// holds the ones this domain decides with, so an unknown GUID is given the benefit of the doubt,
/// a registered modelling choice). Only an id that ends in no GUID at all names no role.
fn role_exists(estate: &dyn DocumentLookup, role_definition_id: &str) -> bool {
    let guid = role_guid(role_definition_id);
    catalog::built_in_role(role_definition_id).is_some()
        || is_guid(guid)
        || estate
            .of_type(arm_type::ROLE_DEFINITIONS)
            .any(|d| str_at(d, "/name").is_some_and(|n| n.eq_ignore_ascii_case(guid)))
}

/// `8-4-4-4-12` hex digits.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The scope a role assignment applies at: the id its own id extends.
pub fn assignment_scope(id: &ResourceId) -> Option<ResourceId> {
    id.parent()
}

pub(super) fn put(estate: &dyn DocumentLookup, id: &ResourceId, document: &Value) -> Result<Value, ArmError> {
    let role = str_at(document, "/properties/roleDefinitionId").unwrap_or_default();
    if !role_exists(estate, role) {
        // The code: JulianHayward/AzAPICall#23. UNVERIFIED: the status (400) and the message.
        return Err(ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{}' does not exist.", role_guid(role)),
        ));
    }
    let principal = str_at(document, "/properties/principalId").unwrap_or_default();
    let scope = assignment_scope(id);
    let duplicate = estate.of_type(arm_type::ROLE_ASSIGNMENTS).any(|other| {
        let Some(other_id) = document_id(other) else { return false };
        other_id != *id
            && assignment_scope(&other_id) == scope
            && str_at(other, "/properties/principalId").is_some_and(|p| p.eq_ignore_ascii_case(principal))
            && str_at(other, "/properties/roleDefinitionId")
                .is_some_and(|r| role_guid(r).eq_ignore_ascii_case(role_guid(role)))
    });
    if duplicate {
        // hashicorp/terraform-provider-azurerm#28557 (status, code and message).
        return Err(ArmError::conflict("RoleAssignmentExists", "The role assignment already exists."));
    }
    let mut completed = document.clone();
    let properties = super::properties_mut(&mut completed);
    properties.remove("provisioningState");
    if let Some(scope) = &scope {
        properties.insert("scope".to_string(), json!(scope.to_string()));
    }
    for optional in ["condition", "conditionVersion", "description", "delegatedManagedIdentityResourceId"] {
        properties.entry(optional).or_insert(Value::Null);
    }
    Ok(completed)
}
