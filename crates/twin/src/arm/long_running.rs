//! Long-running-operation headers: which writes Azure answers asynchronously, and the
//! `Azure-AsyncOperation` URL az polls.

use super::routes::{base_url, query_param};
use super::{ArmRequest, ArmResponse, ArmState};
use crate::identity::random_uuid;
use privlink_model::arm_type;
use privlink_model::{Region, ResourceId};

/// Adds `Azure-AsyncOperation` and `Retry-After` (az waits 30 s between polls without it, and
/// treats 0 as absent: az-cli.md §4).
pub(super) fn with_async_operation(
    state: &ArmState,
    request: &ArmRequest,
    id: &ResourceId,
    location: Option<&str>,
    response: ArmResponse,
) -> ArmResponse {
    let region = Region::new(location.unwrap_or_default());
    let region = if region.is_empty() { "global" } else { region.as_str() };
    let url = format!(
        "{}/subscriptions/{}/providers/{}/locations/{region}/operations/{}?api-version={}",
        base_url(state, request),
        id.subscription().unwrap_or_default(),
        id.namespace().unwrap_or("Microsoft.Network"),
        random_uuid(),
        query_param(request, "api-version").unwrap_or_default(),
    );
    response.with_header("azure-asyncoperation", url).with_header("retry-after", "1")
}

/// Microsoft.Network writes are long-running in Azure; az polls them. Private DNS record sets
/// are the exception: they are written synchronously.
pub(super) fn is_long_running(id: &ResourceId) -> bool {
    let network = id.namespace().is_some_and(|ns| ns.eq_ignore_ascii_case("Microsoft.Network"));
    let type_key = id.type_key();
    let record_set =
        arm_type::is_under(&type_key, arm_type::PRIVATE_DNS_ZONES) && !type_key.ends_with("/virtualnetworklinks");
    network && !record_set
}
