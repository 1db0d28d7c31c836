//! The hook for Azure's control-plane behaviour.
//!
//! The ARM face does what every resource provider does alike (routing, preconditions, read-only
//! fields, ETags, inline children, status codes); what is particular to a resource type
//! (private endpoint NIC and IP allocation, zone-group records, connection approval, validation)
//! is decided by a [`Provider`]: given the current documents and one write, it returns the
//! document changes to commit, or the ARM error to answer. [`EngineProvider`] is the engine's pure
//! `provider` module (the same one template ingestion deploys through) and the twin's default;
//! [`PassThrough`] just stores what was sent.

use crate::store::Documents;
use privlink_engine::provider::{self as engine, ArmError, Change, WriteMethod};
use privlink_model::ResourceId;
use serde_json::Value;

/// One write as the ARM face has prepared it for the provider.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub method: WriteMethod,
    /// The resource written, in the casing it is stored under.
    pub id: ResourceId,
    /// `api-version` from the query string.
    pub api_version: String,
    /// The twin's Entra tenant: the tenant managed identities are created in.
    pub tenant_id: String,
    /// The request body exactly as the client sent it (`None` for DELETE).
    pub body: Option<Value>,
    /// For PUT and PATCH: the document the face proposes to store — the body (merged onto the
    /// existing document for PATCH) with `id`, `name`, `type`, a new `etag` and
    /// `properties.provisioningState` filled in. `None` for DELETE.
    pub document: Option<Value>,
    /// The stored document before this write, if there was one.
    pub existing: Option<Value>,
}

/// Decides which documents a write changes.
///
/// Implementations are pure: everything they need is in `snapshot` and `request`. The face then
/// keeps the estate structurally consistent (descendants of a deleted resource are deleted; inline
/// children such as subnets are mirrored between parent and child documents) and commits the
/// result in one transaction.
pub trait Provider: Send + Sync {
    fn apply(&self, snapshot: &Documents, request: &WriteRequest) -> Result<Vec<Change>, ArmError>;
}

/// Stores the proposed document, or deletes the resource: no type-specific behaviour.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough;

impl Provider for PassThrough {
    fn apply(&self, _snapshot: &Documents, request: &WriteRequest) -> Result<Vec<Change>, ArmError> {
        Ok(match (&request.method, &request.document) {
            (WriteMethod::Delete, _) => vec![Change::Delete(request.id.clone())],
            (_, Some(document)) => vec![Change::Put(document.clone())],
            (_, None) => Vec::new(),
        })
    }
}

/// Azure's control-plane behaviour from `privlink_engine::provider`: private endpoint NICs and
/// addresses, backend connections and their approval, zone-group records, and Azure's validation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineProvider;

/// The store's snapshot as the engine reads an estate.
struct SnapshotLookup<'a>(&'a Documents);

impl engine::DocumentLookup for SnapshotLookup<'_> {
    fn document(&self, id: &ResourceId) -> Option<&Value> {
        self.0.get(id)
    }

    fn documents(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(self.0.iter().map(|(_, doc)| doc))
    }
}

impl Provider for EngineProvider {
    fn apply(&self, snapshot: &Documents, request: &WriteRequest) -> Result<Vec<Change>, ArmError> {
        let write = engine::Write { method: request.method, id: &request.id, document: request.document.as_ref() };
        engine::apply_in_tenant(&SnapshotLookup(snapshot), &write, &request.tenant_id)
    }
}
