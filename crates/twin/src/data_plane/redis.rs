//! Azure Cache for Redis: a real `redis-server` (Debian's package) behind the twin, TLS on 6380
//! terminated here with a certificate for the cache's name, plain text on 6379 where the engine
//! lets a connection reach it (`enableNonSslPort`).
//!
//! The gate decides each connection (SNI on 6380, no name on 6379): the engine's reset for a
//! refused cache (§5.3, `REDIS_PUBLIC_ACCESS_DISABLED`) is a TCP RST, silence holds the socket.
//! An admitted connection is passed byte for byte to the upstream's private unix socket, except
//! the credentials: the upstream requires a password only the twin knows, and the face rewrites
//! every `AUTH` and `HELLO … AUTH` — with the upstream's password when the engine's verdict
//! admits the credential the client sent, with a wrong one when not. So Redis itself answers in
//! order and in its own words: `-NOAUTH Authentication required.` before a successful AUTH,
//! `-WRONGPASS invalid username-password pair or user is disabled.` for a refused one (§13.4:
//! Redis' own text, UNVERIFIED for Azure), `+OK` or HELLO's map for an accepted one, and a
//! re-AUTH with a fresh token works (§13.4: clients must re-AUTH before the token expires).
//!
//! Credentials (§5.3, §13.4): `AUTH <object-id> <token>` (or `HELLO 3 AUTH …`, as redis-py sends
//! with `protocol=3`) is verified with [`DataPlane::verify_token`] for `https://redis.azure.com`
//! (or its app id), the user name must be the token's object id (the assignment's
//! `objectIdAlias`, which §13.4 also allows, is not known to the face: UNVERIFIED), then the
//! engine's verdict applies. The estate holds no access keys, so a key (`AUTH <key>`, or a user
//! `default`) is accepted exactly when the engine says the app signs in with a key
//! (`AccessVerdict::None`) — UNVERIFIED, any non-empty key passes.

use super::https::{normalise_host, ConnectionEnd, SocketHandle, FALLBACK_CERTIFICATE_NAME, HANDSHAKE_TIMEOUT};
use super::{access_admits, Admission, Arrival, DataPlane};
use crate::identity::random_hex;
use privlink_engine::access::{Access, AccessVerdict};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio_rustls::LazyConfigAcceptor;

/// Azure Cache for Redis' Entra resource, and the app id that names the same resource (§5.3).
pub const REDIS_AUDIENCE: &str = "https://redis.azure.com";
pub const REDIS_APP_ID: &str = "acca5fbb-b7e4-4009-81f1-37e38fd66d78";
/// How long `redis-server` may take to answer its first PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest command the face buffers while it looks for credentials (Redis' own bulk limit).
const MAX_COMMAND_BYTES: usize = 512 << 20;
/// The password the face sends for a refused credential: never the upstream's.
const REFUSED_PASSWORD: &str = "privlink-refused-credential";

/// A `redis-server` of the run, listening only on a unix socket in a private directory, without
/// persistence, and killed (its directory removed) on drop.
pub struct RedisUpstream {
    child: Mutex<Child>,
    dir: PathBuf,
    socket: PathBuf,
    password: String,
}

impl std::fmt::Debug for RedisUpstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisUpstream").field("socket", &self.socket).finish_non_exhaustive()
    }
}

impl RedisUpstream {
    /// Starts `redis-server` from `PATH` and waits until it answers PING.
    pub fn start() -> anyhow::Result<RedisUpstream> {
        let program = find_on_path("redis-server")
            .ok_or_else(|| anyhow::anyhow!("redis-server is not on PATH (Debian: apt-get install redis-server)"))?;
        let dir = std::env::temp_dir().join(format!("privlink-redis-{}", random_hex(8)));
        create_private_dir(&dir)?;
        let socket = dir.join("redis.sock");
        let password = random_hex(24);
        // The password goes in on stdin (`-` reads configuration from it), never on the command
        // line, where every local user could read it.
        let mut child = Command::new(&program)
            .arg("-")
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args(["--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("{}: {e}", program.display()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(format!("requirepass {password}\n").as_bytes())?;
        }
        let upstream = RedisUpstream { child: Mutex::new(child), dir, socket, password };
        upstream.wait_until_ready()?;
        Ok(upstream)
    }

    /// The unix socket the server listens on.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        let ping = format!(
            "*3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n${}\r\n{}\r\n*1\r\n$4\r\nPING\r\n",
            self.password.len(),
            self.password
        );
        loop {
            if let Ok(mut stream) = std::os::unix::net::UnixStream::connect(&self.socket) {
                stream.set_read_timeout(Some(Duration::from_secs(1)))?;
                stream.write_all(ping.as_bytes())?;
                let mut answer = Vec::new();
                let mut chunk = [0u8; 64];
                while !answer.ends_with(b"+PONG\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(n) if n > 0 => answer.extend_from_slice(&chunk[..n]),
                        _ => break,
                    }
                }
                if answer.ends_with(b"+PONG\r\n") {
                    return Ok(());
                }
            }
            if let Ok(Some(status)) = self.child.lock().unwrap_or_else(|p| p.into_inner()).try_wait() {
                anyhow::bail!("redis-server exited before answering PING ({status})");
            }
            if Instant::now() > deadline {
                anyhow::bail!("redis-server did not answer PING on {} within {START_TIMEOUT:?}", self.socket.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl RedisUpstream {
    /// Stops `redis-server` and removes its directory, while faces may still hold references
    /// (their connections then fail). Idempotent.
    pub fn stop(&self) {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for RedisUpstream {
    fn drop(&mut self) {
        self.stop();
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Serves Redis on `listener` until the task is dropped: TLS (6380) when `tls`, else plain text.
pub async fn serve_redis(listener: TcpListener, plane: Arc<DataPlane>, upstream: Arc<RedisUpstream>, tls: bool) {
    let config = plane.certificates.server_config(FALLBACK_CERTIFICATE_NAME, &[]);
    loop {
        let (stream, client) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (plane, upstream, config) = (plane.clone(), upstream.clone(), config.clone());
        tokio::spawn(async move {
            let _ = serve_connection(stream, client, plane, upstream, tls.then_some(config)).await;
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    client: SocketAddr,
    plane: Arc<DataPlane>,
    upstream: Arc<RedisUpstream>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> anyhow::Result<()> {
    let local = stream.local_addr()?;
    let (stream, socket) = SocketHandle::of(stream)?;
    let Some(config) = tls else {
        let (admission, _) = plane.gate.admit(&Arrival { client, local, host: None });
        if let Some(end) = ConnectionEnd::of(&admission) {
            drop(stream);
            socket.end(end).await;
            return Ok(());
        }
        drop(socket);
        return session(stream, &plane, &upstream, admission).await;
    };
    let hello = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
    let start = tokio::time::timeout(HANDSHAKE_TIMEOUT, hello).await??;
    let host = start.client_hello().server_name().map(normalise_host);
    let (admission, _) = plane.gate.admit(&Arrival { client, local, host });
    if let Some(end) = ConnectionEnd::of(&admission) {
        drop(start);
        socket.end(end).await;
        return Ok(());
    }
    drop(socket);
    let stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, start.into_stream(config)).await??;
    session(stream, &plane, &upstream, admission).await
}

/// One admitted (or refused) connection: credentials rewritten, everything else passed through.
async fn session<S>(client: S, plane: &DataPlane, upstream: &RedisUpstream, admission: Admission) -> anyhow::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut from_client, mut to_client) = tokio::io::split(client);
    let access = match admission {
        Admission::Admitted { access } | Admission::Redirected { access, .. } => access,
        // UNVERIFIED: no Redis refusal is documented at this layer; say the engine's words as an error.
        other => {
            to_client.write_all(format!("-ERR {}\r\n", one_line(other.message())).as_bytes()).await?;
            return Ok(to_client.shutdown().await?);
        }
    };
    let server = UnixStream::connect(upstream.socket_path()).await?;
    let (mut from_server, mut to_server) = server.into_split();
    let replies = async {
        let copied = tokio::io::copy(&mut from_server, &mut to_client).await;
        let _ = to_client.shutdown().await;
        copied
    };
    let requests = async {
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            let read = from_client.read(&mut chunk).await?;
            if read == 0 {
                let _ = to_server.shutdown().await;
                return Ok::<(), anyhow::Error>(());
            }
            buffer.extend_from_slice(&chunk[..read]);
            let mut consumed = 0;
            let mut out: Vec<u8> = Vec::new();
            while let Some(command) = parse_command(&buffer[consumed..])? {
                let raw = &buffer[consumed..consumed + command.length];
                match rewrite(&command.args, plane, &access, &upstream.password) {
                    Some(rewritten) => out.extend_from_slice(&rewritten),
                    None => out.extend_from_slice(raw),
                }
                consumed += command.length;
            }
            buffer.drain(..consumed);
            if buffer.len() > MAX_COMMAND_BYTES {
                anyhow::bail!("a command longer than {MAX_COMMAND_BYTES} bytes");
            }
            if !out.is_empty() {
                to_server.write_all(&out).await?;
            }
        }
    };
    let (replies, requests) = tokio::join!(replies, requests);
    requests?;
    replies?;
    Ok(())
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// A command as the client sent it: its arguments and how many bytes it took.
#[derive(Debug, PartialEq, Eq)]
struct ParsedCommand {
    args: Vec<Vec<u8>>,
    length: usize,
}

/// The first complete command in `bytes`: a RESP array of bulk strings, or an inline command
/// (a line of words). `None` until it is complete.
fn parse_command(bytes: &[u8]) -> anyhow::Result<Option<ParsedCommand>> {
    let Some(&first) = bytes.first() else { return Ok(None) };
    if first != b'*' {
        let Some(end) = bytes.iter().position(|&b| b == b'\n') else { return Ok(None) };
        let line = String::from_utf8_lossy(&bytes[..end]);
        let args = line.split_whitespace().map(|w| w.as_bytes().to_vec()).collect();
        return Ok(Some(ParsedCommand { args, length: end + 1 }));
    }
    let Some((count, mut at)) = read_line_number(bytes, 1)? else { return Ok(None) };
    let mut args = Vec::new();
    for _ in 0..count.max(0) {
        match bytes.get(at) {
            None => return Ok(None),
            Some(b'$') => {}
            Some(_) => anyhow::bail!("Protocol error: expected '$'"),
        }
        let Some((len, start)) = read_line_number(bytes, at + 1)? else { return Ok(None) };
        let len = usize::try_from(len).map_err(|_| anyhow::anyhow!("Protocol error: invalid bulk length"))?;
        if len > MAX_COMMAND_BYTES {
            anyhow::bail!("Protocol error: invalid bulk length");
        }
        if bytes.len() < start + len + 2 {
            return Ok(None);
        }
        args.push(bytes[start..start + len].to_vec());
        at = start + len + 2;
    }
    Ok(Some(ParsedCommand { args, length: at }))
}

/// The number on the line starting at `from` and the offset after its `\r\n`.
fn read_line_number(bytes: &[u8], from: usize) -> anyhow::Result<Option<(i64, usize)>> {
    let Some(rest) = bytes.get(from..) else { return Ok(None) };
    let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
        if rest.len() > 32 {
            anyhow::bail!("Protocol error: a length line too long");
        }
        return Ok(None);
    };
    let number = std::str::from_utf8(&rest[..end])
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| anyhow::anyhow!("Protocol error: invalid length"))?;
    Ok(Some((number, from + end + 2)))
}

fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `AUTH …` and `HELLO … AUTH user pass …` with the credential replaced by the upstream's password
/// (admitted) or a wrong one (refused); `None` for any other command (passed as sent).
fn rewrite(args: &[Vec<u8>], plane: &DataPlane, access: &Access, password: &str) -> Option<Vec<u8>> {
    let name = String::from_utf8_lossy(args.first()?).to_ascii_uppercase();
    let answer = |user: Option<&[u8]>, secret: &[u8]| {
        if admits_credential(plane, access, user, secret) {
            password
        } else {
            REFUSED_PASSWORD
        }
    };
    match name.as_str() {
        "AUTH" => {
            let (user, secret) = match args {
                [_, secret] => (None, secret),
                [_, user, secret] => (Some(user.as_slice()), secret),
                _ => return None,
            };
            Some(encode(&[b"AUTH", b"default", answer(user, secret).as_bytes()]))
        }
        "HELLO" => {
            let at = args.iter().position(|a| a.eq_ignore_ascii_case(b"AUTH"))?;
            let (user, secret) = (args.get(at + 1)?, args.get(at + 2)?);
            let replaced = answer(Some(user), secret);
            let mut out: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
            out[at + 1] = b"default";
            out[at + 2] = replaced.as_bytes();
            Some(encode(&out))
        }
        _ => None,
    }
}

/// Whether the engine's verdict admits this credential (see the module doc).
fn admits_credential(plane: &DataPlane, access: &Access, user: Option<&[u8]>, secret: &[u8]) -> bool {
    let secret = String::from_utf8_lossy(secret);
    let user = user.map(|u| String::from_utf8_lossy(u).into_owned());
    if looks_like_token(&secret) {
        let audience = access.audience.as_deref().unwrap_or(REDIS_AUDIENCE);
        let claims = plane
            .verify_token(Some(&secret), audience, access)
            .or_else(|_| plane.verify_token(Some(&secret), REDIS_APP_ID, access));
        let Ok(claims) = claims else { return false };
        let names_the_token = user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&claims.object_id));
        return names_the_token && access_admits(access);
    }
    let key_user = user.as_deref().is_none_or(|u| u == "default");
    key_user && !secret.trim().is_empty() && access.verdict == AccessVerdict::None
}

/// A JWT: three base64url parts, the first a JSON header (`eyJ`).
fn looks_like_token(secret: &str) -> bool {
    secret.starts_with("eyJ") && secret.split('.').count() == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_in_both_forms_and_wait_until_complete() {
        let resp = b"*3\r\n$4\r\nAUTH\r\n$3\r\noid\r\n$5\r\ntoken\r\n*1\r\n$4\r\nPING\r\n";
        let first = parse_command(resp).unwrap().unwrap();
        assert_eq!(first.args, vec![b"AUTH".to_vec(), b"oid".to_vec(), b"token".to_vec()]);
        assert_eq!(parse_command(&resp[first.length..]).unwrap().unwrap().args, vec![b"PING".to_vec()]);
        for cut in 1..first.length {
            assert_eq!(parse_command(&resp[..cut]).unwrap(), None, "incomplete at {cut}");
        }
        let inline = parse_command(b"AUTH secret\r\nPING").unwrap().unwrap();
        assert_eq!((inline.args.len(), inline.length), (2, 13));
        assert!(parse_command(b"*1\r\n+PING\r\n").is_err());
    }

    #[test]
    fn only_jwts_are_taken_for_tokens() {
        assert!(looks_like_token("eyJhbGciOiJIUzI1NiJ9.eyJ9.sig"));
        assert!(!looks_like_token("c29tZS1hY2Nlc3Mta2V5"));
    }
}
