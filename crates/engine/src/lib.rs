//! The engine of privlink: it answers questions about a model and never does I/O.
//!
//! [`catalog`] is the one source of Azure's per-service facts — which private-link group ids a
//! resource type offers, which `privatelink.` zone each uses, under which public DNS suffix the
//! customer-visible name lives, which ports the service listens on, its service tag and its Entra
//! audience. Everything else in privlink that needs one of these facts asks the catalog, so a
//! correction made there reaches every face at once.
//!
//! [`routes`] computes a subnet's effective routes and the route a destination takes; [`nsg`]
//! evaluates security rules. [`provider`] is Azure's control-plane behaviour: the document changes
//! (or the ARM error) a write causes, shared by template ingestion and the live twin.

pub mod access;
pub mod catalog;
pub mod dns;
pub mod guid;
pub mod nsg;
pub mod path;
pub mod provider;
pub mod root_cause;
pub mod routes;
pub mod trace;
