//! The typed model of an estate.
//!
//! Everything privlink knows about an estate enters as ARM documents (see `privlink-load`) and is
//! turned into a [`Model`]: typed resources keyed by [`ResourceId`], each holding what the engine
//! needs and a link ([`Origin`]) to the document it came from, plus indexes built once. The model
//! is immutable and does no I/O.

pub mod access;
pub mod arm_type;
pub mod backend;
pub mod diagnostic;
pub mod dns;
pub mod dns_name;
pub mod firewall;
pub mod id;
pub mod model;
pub mod network;
pub mod origin;
pub mod region;
pub mod web;

pub use access::*;
pub use backend::*;
pub use diagnostic::{LoadDiagnostic, Severity};
pub use dns::*;
pub use dns_name::{DnsName, DnsNameError};
pub use firewall::{AzureFirewall, FirewallPolicy};
pub use id::{ParseIdError, ResourceId};
pub use model::{canonical_type, Document, Indexes, Model, OpaqueResource, Resources};
pub use network::*;
pub use origin::Origin;
pub use region::Region;
pub use web::*;
