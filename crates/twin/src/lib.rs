//! The live twin: Azure Resource Manager's REST face over a transactional document store.
//!
//! Real clients (`az`, the Azure SDKs) talk to it unchanged: ARM over HTTPS on loopback with a
//! local CA, the App Service managed-identity token endpoint, ARM's status codes, long-running
//! operation headers, ETags and error envelope. The estate is a set of ARM documents
//! ([`store`]); writes go through a [`provider::Provider`], the hook for Azure's control-plane
//! behaviour, and [`structure`] keeps the documents structurally consistent. The [`dns_face`]
//! serves DNS per view of the estate (`dig @127.53.x.y`), answering from the engine; [`ui`] serves a
//! page of the live estate at `/ui` on the ARM port.
//!
//! This is the only async crate of the workspace.

pub mod arm;
pub mod computed;
pub mod connections;
pub mod data_plane;
pub mod dns_face;
pub mod identity;
pub mod platform;
pub mod provider;
pub mod sandbox;
pub mod server;
pub mod store;
pub mod structure;
pub mod tls;
pub mod ui;

pub use arm::{router, ArmRequest, ArmResponse, ArmState};
pub use dns_face::{start_dns, DnsConfig, DnsView, ModelSource, RunningDns};
pub use privlink_engine::provider::{ArmError, WriteMethod};
pub use provider::{EngineProvider, PassThrough, Provider, WriteRequest};
pub use server::{open_state, start, start_with_provider, RunningTwin, ShutdownHandle, TwinConfig};
pub use store::{Change, Documents, Store};
