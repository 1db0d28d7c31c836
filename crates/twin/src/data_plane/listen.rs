//! The faces' listeners inside the Azure namespace, on every hosted address at once.

use super::DataPlane;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The ports the faces listen on.
pub const FACE_PORTS: &[u16] = &[443, 1433, 6379, 6380];

async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("0.0.0.0", port)).await.map_err(|e| anyhow::anyhow!("port {port}: {e}"))
}

/// Binds each face on 0.0.0.0 and serves it in the background.
pub async fn listen_all(plane: Arc<DataPlane>) -> anyhow::Result<()> {
    tokio::spawn(super::sql::serve(bind(1433).await?, plane.clone()));
    for port in [443, 6379, 6380] {
        let listener = bind(port).await?;
        let plane = plane.clone();
        tokio::spawn(async move { hold(listener, plane).await });
    }
    Ok(())
}

/// Until the faces land: accept and hold.
async fn hold(listener: TcpListener, _plane: Arc<DataPlane>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            drop(stream);
        });
    }
}
