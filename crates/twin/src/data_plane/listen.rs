//! The faces' listeners inside the Azure namespace, on every hosted address at once: HTTPS on 443
//! (Key Vault, Cognitive Services, anything else served over HTTPS), Azure SQL's TDS on 1433 and
//! on the port its gateway redirects to, Redis over TLS on 6380 and in plain text on 6379.

use super::redis::{serve_redis, RedisUpstream};
use super::DataPlane;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What the faces hold that must be stopped with the run: the `redis-server` behind the Redis
/// face (killed when the last reference is dropped).
pub struct Faces {
    pub redis: Option<Arc<RedisUpstream>>,
    /// Why a face is missing, for the user.
    pub warnings: Vec<String>,
}

impl Drop for Faces {
    fn drop(&mut self) {
        if let Some(redis) = &self.redis {
            redis.stop();
        }
    }
}

async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("0.0.0.0", port)).await.map_err(|e| anyhow::anyhow!("port {port}: {e}"))
}

/// Binds each face on 0.0.0.0 and serves it in the background.
pub async fn listen_all(plane: Arc<DataPlane>) -> anyhow::Result<Faces> {
    tokio::spawn(super::https::serve_https(bind(443).await?, plane.clone()));
    tokio::spawn(super::sql::serve(bind(1433).await?, plane.clone()));
    // Where the gateway sends clients under the `Redirect` policy: the same face, which then signs in.
    tokio::spawn(super::sql::serve(bind(privlink_engine::path::redirect::SQL_REDIRECT_PORT).await?, plane.clone()));
    let mut warnings = Vec::new();
    let redis = match tokio::task::spawn_blocking(RedisUpstream::start).await? {
        Ok(upstream) => {
            let upstream = Arc::new(upstream);
            for (port, tls) in [(6380, true), (6379, false)] {
                tokio::spawn(serve_redis(bind(port).await?, plane.clone(), upstream.clone(), tls));
            }
            Some(upstream)
        }
        Err(e) => {
            warnings.push(format!("no Redis face: {e:#}; connections to Redis ports are refused"));
            None
        }
    };
    Ok(Faces { redis, warnings })
}
