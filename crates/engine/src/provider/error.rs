//! ARM's error envelope: the one error type of a refused write, for the provider and the ARM face.
//!
//! Every failure is `{"error":{"code","message"}}` with the status code Azure uses for it; `az`
//! renders it as `(Code) Message`. The codes and message wording follow what Azure Resource Manager
//! answers, so scripts that match on them keep working.

use privlink_model::ResourceId;
use serde_json::{json, Value};
use std::fmt;

/// An error as ARM reports it: HTTP status, machine-readable code, human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ArmError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> ArmError {
        ArmError { status, code: code.into(), message: message.into() }
    }

    /// 400: the request is malformed or fails validation.
    pub fn bad_request(code: impl Into<String>, message: impl Into<String>) -> ArmError {
        ArmError::new(400, code, message)
    }

    /// 409: the request conflicts with the current state of a resource.
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> ArmError {
        ArmError::new(409, code, message)
    }

    /// 412: `If-Match` / `If-None-Match` did not hold.
    pub fn precondition_failed(message: impl Into<String>) -> ArmError {
        ArmError::new(412, "PreconditionFailed", message)
    }

    /// 404 for a resource below a group that exists.
    pub fn resource_not_found(id: &ResourceId) -> ArmError {
        let group = id.resource_group().unwrap_or_default();
        ArmError::new(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{}' under resource group '{group}' was not found. \
                 For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                qualified_name(id)
            ),
        )
    }

    pub fn resource_group_not_found(name: &str) -> ArmError {
        ArmError::new(404, "ResourceGroupNotFound", format!("Resource group '{name}' could not be found."))
    }

    pub fn subscription_not_found(subscription: &str) -> ArmError {
        ArmError::new(404, "SubscriptionNotFound", format!("The subscription '{subscription}' could not be found."))
    }

    /// 404 for a nested resource whose parent does not exist.
    pub fn parent_not_found(parent: &ResourceId) -> ArmError {
        ArmError::new(
            404,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                parent.names().collect::<Vec<_>>().join("/")
            ),
        )
    }

    /// 500: the twin itself failed (storage). Azure uses the same envelope.
    pub fn internal(message: impl Into<String>) -> ArmError {
        ArmError::new(500, "InternalServerError", message)
    }

    /// The JSON body ARM sends with this error.
    pub fn envelope(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }
}

/// `Microsoft.Network/virtualNetworks/vnet1/subnets/a`: how ARM names a resource in messages.
fn qualified_name(id: &ResourceId) -> String {
    let resource_type = id.resource_type();
    let mut types = resource_type.split('/');
    let mut out = types.next().unwrap_or_default().to_string();
    for (ty, name) in types.zip(id.names()) {
        out.push('/');
        out.push_str(ty);
        out.push('/');
        out.push_str(name);
    }
    out
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}) {}", self.code, self.message)
    }
}

impl std::error::Error for ArmError {}
