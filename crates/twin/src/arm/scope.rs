//! What must exist before a request is served: the subscription, the resource group, the parent.

use super::ArmState;
use crate::store::{document_id, Documents};
use privlink_engine::provider::ArmError;
use privlink_model::ResourceId;
use serde_json::Value;
use std::collections::BTreeSet;

/// Subscriptions that exist: the twin's own and every one a stored document names.
pub(super) fn known_subscriptions(state: &ArmState, docs: &Documents) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut subscriptions = vec![state.subscription_id.clone()];
    seen.insert(state.subscription_id.to_ascii_lowercase());
    for (_, doc) in docs.iter() {
        if let Some(sub) = document_id(doc).and_then(|id| id.subscription().map(str::to_string)) {
            if seen.insert(sub.to_ascii_lowercase()) {
                subscriptions.push(sub);
            }
        }
    }
    subscriptions
}

pub(super) fn require_subscription(state: &ArmState, docs: &Documents, subscription: &str) -> Result<String, ArmError> {
    if subscription.eq_ignore_ascii_case(&state.subscription_id) {
        return Ok(state.subscription_id.clone());
    }
    // Any other subscription exists when a document lies below it: one range lookup.
    let scope = ResourceId::parse(&format!("/subscriptions/{subscription}"))
        .map_err(|_| ArmError::subscription_not_found(subscription))?;
    docs.below(&scope)
        .find_map(|(_, doc)| document_id(doc)?.subscription().map(str::to_string))
        .ok_or_else(|| ArmError::subscription_not_found(subscription))
}

pub(super) fn require_group<'a>(
    state: &ArmState,
    docs: &'a Documents,
    group: &ResourceId,
) -> Result<&'a Value, ArmError> {
    require_subscription(state, docs, group.subscription().unwrap_or_default())?;
    docs.get(group).ok_or_else(|| ArmError::resource_group_not_found(group.name()))
}

/// Requires what must exist before `id` can be written: subscription, group, parent resource.
pub(super) fn require_container(state: &ArmState, docs: &Documents, id: &ResourceId) -> Result<(), ArmError> {
    let subscription = id.subscription().unwrap_or_default();
    require_subscription(state, docs, subscription)?;
    if id.namespace().is_none() {
        return Ok(());
    }
    if let Some(group) = id.resource_group_id() {
        require_group(state, docs, &group)?;
    }
    if id.names().count() > 1 {
        let parent = id.parent().expect("a nested resource has a parent");
        if !docs.contains(&parent) {
            return Err(ArmError::parent_not_found(&parent));
        }
    }
    Ok(())
}

pub(super) fn require_resource<'a>(
    state: &ArmState,
    docs: &'a Documents,
    id: &ResourceId,
) -> Result<&'a Value, ArmError> {
    if let Some(group) = id.resource_group_id() {
        require_group(state, docs, &group)?;
    }
    docs.get(id).ok_or_else(|| ArmError::resource_not_found(id))
}
