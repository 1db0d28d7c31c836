//! Azure SQL's face: a TDS responder at a logical server's addresses (azure-semantics §5.2, §13.5,
//! §15). It speaks PRELOGIN, TLS inside TDS (or TDS 8.0 strict), LOGIN7 with the federated-
//! authentication token, then encodes the engine's [`Admission`](super::Admission) as Azure SQL
//! would: an ERROR token with the refusal's number (47073, 40615, 40914), 18456 for a token that
//! does not verify or a principal the engine finds no user for, a reset or silence where the
//! path says so, and for an admitted login LOGINACK and the answers to a few batches
//! (`SELECT 1`, `SELECT @@VERSION`, the seeds' `SELECT TOP 1 name FROM sys.tables`).
//!
//! `packet`, `prelogin`, `login7`, `tokens` and `batch` are the I/O-free codec (bytes in, values
//! and bytes out); `transport` moves bytes between TCP and rustls; `server` is one connection;
//! `probe` is a minimal client for tests and the parity check.
//!
//! The `Redirect` connection policy (azure-semantics §5.2, §15.6): where the engine's trace ends in
//! its `redirect` hop, the face on 1433 is the gateway — it answers the login with a routing
//! ENVCHANGE to the same host name on 11000 (`privlink_engine::path::redirect`) and closes; the face
//! on 11000 is the node, which signs the client in. Whether the second connection arrives is the
//! kernel rules' business, from the engine's trace on 11000.

pub mod batch;
pub mod login7;
pub mod packet;
pub mod prelogin;
pub mod probe;
pub mod server;
pub mod tokens;
pub mod transport;

use super::DataPlane;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Accepts connections until the task is dropped, one task per connection.
pub async fn serve(listener: TcpListener, plane: Arc<DataPlane>) {
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                let _ = tcp.set_nodelay(true);
                let plane = plane.clone();
                tokio::spawn(async move {
                    // A connection that ends in an I/O or protocol error concerns that client only.
                    let _ = server::connection(tcp, plane).await;
                });
            }
            // Out of descriptors or a connection aborted before accept: try again shortly.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
