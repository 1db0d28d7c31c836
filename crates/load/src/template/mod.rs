//! ARM deployment template evaluation: what a template deploys, as the resource documents Azure
//! would hold afterwards.
//!
//! Pure: no files, network, clock or randomness. `utcNow()` and `newGuid()` read
//! [`EvaluateOptions`]; resources outside the template come from [`EvaluateOptions::existing`].
//! What only Azure knows at deploy time (`listKeys()`, runtime properties, resources outside the
//! deployment) is an [`Unknown`] value that flows through every function and is reported in
//! [`Evaluation::unknowns`].

mod error;
mod evaluate;
pub mod expr;
pub mod functions;
mod parameters;
mod scope;
mod value;

pub use error::TemplateError;
pub use evaluate::{
    detect_scope, evaluate, is_runtime_property, EvaluatedResource, Evaluation, TemplateScope, UnknownValue,
};
pub use parameters::{ParameterValue, Parameters};
pub use scope::{public_cloud_environment, DeploymentScope, EvaluateOptions, ResourceGroupScope, UnsetParameters};
pub use value::{Object, Unknown, Value, UNKNOWN_MARKER};
