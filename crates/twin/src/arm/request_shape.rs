//! The shape of a request, as ARM's front door checks it before any resource provider sees it: the
//! api-version's format, a resource group's name, that the namespace and type are registered, and
//! that the body's top-level members have the types ARM's schema gives them. What a provider
//! decides about a resource (its addresses, its references) is the engine's, not this module's.

use super::ArmRequest;
use privlink_engine::catalog;
use privlink_engine::provider::ArmError;
use privlink_model::ResourceId;
use serde_json::Value;

/// The earliest api-version ARM has: its own list of versions starts at 2013-03-01
/// (`InvalidApiVersionParameter` messages quoted in Azure/azure-powershell#6031).
const EARLIEST_API_VERSION_YEAR: u32 = 2013;

/// The longest resource group name, and the characters it may hold: "Resource group names only
/// allow alphanumeric characters, periods, underscores, hyphens and parenthesis and cannot end in
/// a period", 1–90 characters (Learn: resource-name-rules#microsoftresources; the 90:
/// Azure/azure-resource-manager-rpc#41). Letters and digits are Unicode ones.
const MAX_GROUP_NAME_CHARS: usize = 90;

/// Whether `version` looks like an api-version ARM could have: `YYYY-MM-DD`, a real date no
/// earlier than ARM itself, optionally `-preview` (or another lower-case suffix).
fn is_plausible_api_version(version: &str) -> bool {
    let (date, suffix) = match version.split_at_checked(10) {
        Some((date, rest)) => (date, rest),
        None => return false,
    };
    let suffix_ok = suffix.is_empty()
        || suffix.strip_prefix('-').is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()));
    let parts: Vec<&str> = date.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return false };
    let number = |text: &str, len: usize| {
        (text.len() == len && text.chars().all(|c| c.is_ascii_digit())).then(|| text.parse::<u32>().ok()).flatten()
    };
    match (number(year, 4), number(month, 2), number(day, 2)) {
        (Some(year), Some(month), Some(day)) => {
            suffix_ok && year >= EARLIEST_API_VERSION_YEAR && (1..=12).contains(&month) && (1..=31).contains(&day)
        }
        _ => false,
    }
}

/// The api-version of `request`: missing or empty is `MissingApiVersionParameter`; one no ARM
/// version could be is `InvalidApiVersionParameter` for ARM's own paths (azure-cli#28038,
/// azure-powershell#6031) and `NoRegisteredProviderFound` for a provider's resource
/// (azure-powershell#2230), as Azure answers them.
pub(super) fn check_api_version(request: &ArmRequest, provider_type: Option<&str>) -> Result<String, ArmError> {
    let version = super::query_param(request, "api-version").unwrap_or_default();
    if version.is_empty() {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    if is_plausible_api_version(&version) {
        return Ok(version);
    }
    Err(match provider_type {
        None => ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!("The api-version '{version}' is invalid. The supported versions are dates from 2013-03-01 on."),
        ),
        Some(resource_type) => ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!("No registered resource provider found for API version '{version}' and type '{resource_type}'."),
        ),
    })
}

/// A resource group name ARM accepts. UNVERIFIED: the code (the message is ARM's, as portal and
/// tooling quote it).
pub(super) fn check_group_name(name: &str) -> Result<(), ArmError> {
    let allowed = |c: char| c.is_alphanumeric() || "-_.()".contains(c);
    let length = name.chars().count();
    if (1..=MAX_GROUP_NAME_CHARS).contains(&length) && name.chars().all(allowed) && !name.ends_with('.') {
        return Ok(());
    }
    let shown: String = name.chars().take(100).flat_map(char::escape_default).collect();
    Err(ArmError::bad_request(
        "ResourceGroupNameInvalid",
        format!(
            "Resource group '{shown}' is invalid: resource group names are 1 to {MAX_GROUP_NAME_CHARS} characters and \
             only allow alphanumeric characters, periods, underscores, hyphens and parenthesis and cannot end in a \
             period."
        ),
    ))
}

/// That `id`'s namespace is registered and, where the catalog knows its parent's children, that
/// its type is one of them. `InvalidResourceNamespace` and `InvalidResourceType` are ARM's codes
/// (azure-resource-manager-rpc); UNVERIFIED: the exact messages.
pub(super) fn check_resource_type(id: &ResourceId, api_version: &str) -> Result<(), ArmError> {
    let Some(namespace) = id.namespace() else { return Ok(()) };
    if !catalog::is_known_namespace(namespace) {
        return Err(ArmError::bad_request(
            "InvalidResourceNamespace",
            format!("The resource namespace '{namespace}' is invalid."),
        ));
    }
    let Some(parent) = id.parent().filter(|p| p.namespace().is_some()) else { return Ok(()) };
    let resource_type = id.resource_type();
    let child = resource_type.rsplit('/').next().unwrap_or_default();
    if catalog::is_known_child_type(&parent.resource_type(), child) == Some(false) {
        let without_namespace = resource_type.split_once('/').map(|(_, t)| t).unwrap_or(&resource_type);
        return Err(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type '{without_namespace}' could not be found in the namespace '{namespace}' for api \
                 version '{api_version}'."
            ),
        ));
    }
    Ok(())
}

/// The members ARM's schema types for every resource: `properties` and `tags` are objects,
/// `location` a string. ARM refuses other types instead of dropping them.
pub(super) fn check_body_shape(body: &Value) -> Result<(), ArmError> {
    let wrong = |member: &str, expected: &str| {
        Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{member}' must be {expected}."),
        ))
    };
    match body.get("properties") {
        None | Some(Value::Object(_) | Value::Null) => {}
        Some(_) => return wrong("properties", "an object"),
    }
    match body.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Object(tags)) if tags.values().all(|v| v.is_string() || v.is_null()) => {}
        Some(_) => return wrong("tags", "an object of strings"),
    }
    match body.get("location") {
        None | Some(Value::String(_) | Value::Null) => Ok(()),
        Some(_) => wrong("location", "a string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_are_dates_from_arms_first_year() {
        for good in ["2024-07-01", "2019-08-01", "2023-03-01-preview", "2013-03-01"] {
            assert!(is_plausible_api_version(good), "{good}");
        }
        for bad in ["garbage", "", "1900-01-01", "2024-13-01", "2024-7-1", "2024-07-01-", "2024-07-01x"] {
            assert!(!is_plausible_api_version(bad), "{bad}");
        }
    }

    #[test]
    fn group_names_follow_arms_rules() {
        for good in ["rg", "rg-app_1.(x)", "é", "a".repeat(90).as_str()] {
            assert!(check_group_name(good).is_ok(), "{good}");
        }
        for bad in
            [".", "..", "rg.", "a\0b", "a\nb", "", "a/b", "a b", "a".repeat(91).as_str(), "é".repeat(100).as_str()]
        {
            assert!(check_group_name(bad).is_err(), "{bad:?}");
        }
    }
}
