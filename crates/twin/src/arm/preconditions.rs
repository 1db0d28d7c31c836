//! ETags on writes: `If-Match` and `If-None-Match` as ARM applies them (412 when they fail).

use super::routes::header;
use super::ArmRequest;
use privlink_engine::provider::ArmError;
use privlink_model::ResourceId;
use serde_json::Value;

/// `If-Match` and `If-None-Match` as ARM applies them to writes.
pub(super) fn check_preconditions(
    request: &ArmRequest,
    id: &ResourceId,
    existing: Option<&Value>,
) -> Result<(), ArmError> {
    let current = existing.and_then(|d| d.get("etag")).and_then(Value::as_str);
    if let Some(if_match) = header(request, "if-match") {
        let holds = match existing {
            None => false,
            Some(_) => if_match.trim() == "*" || current.is_some_and(|etag| etag_listed(if_match, etag)),
        };
        if !holds {
            return Err(ArmError::precondition_failed(format!(
                "The specified precondition 'If-Match = {if_match}' failed for '{id}' (current etag: {}).",
                current.unwrap_or("none")
            )));
        }
    }
    if let Some(if_none_match) = header(request, "if-none-match") {
        let fails = existing.is_some()
            && (if_none_match.trim() == "*" || current.is_some_and(|etag| etag_listed(if_none_match, etag)));
        if fails {
            return Err(ArmError::precondition_failed(format!(
                "The resource '{id}' already exists and the precondition 'If-None-Match = {if_none_match}' failed."
            )));
        }
    }
    Ok(())
}

pub(super) fn etag_listed(list: &str, etag: &str) -> bool {
    list.split(',').any(|candidate| candidate.trim() == etag)
}
