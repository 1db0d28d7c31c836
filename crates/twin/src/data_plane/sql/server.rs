//! One connection to the Azure SQL face: PRELOGIN, TLS, LOGIN7, then the engine's admission
//! encoded as Azure SQL's answer (azure-semantics §5.2, §13.5, §15), then batches.

use super::batch::{Request, Session};
use super::login7::{Login7, LIBRARY_SECURITY_TOKEN, TDS_7_4};
use super::packet::{kind, negotiated_packet_size};
use super::prelogin::{encryption, Prelogin, SERVER_VERSION};
use super::tokens::{self, done, env, token, ServerMessage, DEFAULT_COLLATION};
use super::transport::TdsStream;
use crate::data_plane::{access_admits, Admission, Arrival, DataPlane};
use privlink_engine::access::{Access, AccessVerdict};
use std::io;
use std::sync::Arc;
use tokio::net::TcpStream;

/// Azure SQL Database's Entra audience, when the engine names none (azure-semantics §6.3).
pub const SQL_AUDIENCE: &str = "https://database.windows.net/";
/// ALPN of TDS 8.0 strict mode.
pub const ALPN_TDS_8: &[u8] = b"tds/8.0";
/// The user part of 18456 for a token login: what Azure SQL writes (azure-semantics §13.5, the
/// wording UNVERIFIED but what every seed's troubleshooting section quotes).
pub const TOKEN_PRINCIPAL: &str = "<token-identified principal>";
/// The server name in ERROR tokens when the client named none.
const UNNAMED_SERVER: &str = "privlink-twin";

/// Login failures are class 14 with state 1 (azure-semantics §13.5, §15.6); the class of 47073,
/// 40615 and 40914 is UNVERIFIED (14 is what is commonly seen, and the drivers map SQLSTATE by
/// number, FINDINGS §6).
const LOGIN_FAILURE_CLASS: u8 = 14;
const STATE: u8 = 1;

/// Serves one accepted connection until the client leaves or the twin closes it.
pub async fn connection(tcp: TcpStream, plane: Arc<DataPlane>) -> io::Result<()> {
    let client = tcp.peer_addr()?;
    let local = tcp.local_addr()?;
    let mut stream = TdsStream::new(tcp);
    // Without SNI (the Rust driver sends none for an address) the certificate names the address.
    let fallback = local.ip().to_string();
    let strict = stream.peek_first_byte().await? == 0x16;
    if strict {
        let config = tls_config(&plane, &fallback, &[ALPN_TDS_8]);
        stream.start_tls_first(rustls::ServerConnection::new(config).map_err(io::Error::other)?.into());
    }
    let prelogin = stream.read_message().await?;
    if prelogin.kind != kind::PRELOGIN {
        return stream.close().await;
    }
    let offered = Prelogin::parse(&prelogin.payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let answer = Prelogin::answer(&offered, strict);
    stream.write_message(kind::TABULAR, &answer.encode()).await?;
    if !strict && answer.encryption() == Some(encryption::NOT_SUPPORTED) {
        // Azure SQL encrypts every connection; a client that cannot is turned away. (In strict
        // mode TLS is already up and clients send NOT_SUP inside it.)
        return stream.close().await;
    }
    if !strict {
        let config = tls_config(&plane, &fallback, &[]);
        stream.start_tls_in_tds(rustls::ServerConnection::new(config).map_err(io::Error::other)?.into()).await?;
    }
    let sni = match stream.tls() {
        Some(rustls::Connection::Server(server)) => server.server_name().map(str::to_ascii_lowercase),
        _ => None,
    };
    let login = stream.read_message().await?;
    if login.kind != kind::LOGIN7 {
        return stream.close().await;
    }
    let login = Login7::decode(&login.payload).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    stream.packet_size = negotiated_packet_size(login.packet_size);
    let host = sni.or_else(|| login.server_host());
    let server = server_label(host.as_deref());
    let arrival = Arrival { client, local, host };
    let (admission, _trace) = plane.gate.admit(&arrival);
    let reply = match admission {
        Admission::Reset { .. } => return stream.reset(),
        Admission::Silent { .. } => return stream.hold_until_closed().await,
        Admission::Refused { message } => Err(refusal(&message, &server)),
        Admission::Admitted { access } => sign_in(&plane, &login, &access, &server),
        Admission::Redirected { port, .. } => {
            // The gateway does not sign the client in: the node it is sent to does (§15).
            let routed_to = arrival.host.clone().unwrap_or_else(|| local.ip().to_string());
            let response = redirect_response(&login, stream.packet_size, &server, &routed_to, port);
            stream.write_message(kind::TABULAR, &response).await?;
            return stream.close().await;
        }
    };
    match reply {
        Err(error) => {
            let mut payload = tokens::message(token::ERROR, &error);
            payload.extend(tokens::done_token(done::ERROR, 0, 0));
            stream.write_message(kind::TABULAR, &payload).await?;
            stream.close().await
        }
        Ok(()) => {
            let response = login_response(&login, stream.packet_size, &server);
            stream.write_message(kind::TABULAR, &response).await?;
            answer_requests(stream, Session::new(&server)).await
        }
    }
}

async fn answer_requests(mut stream: TdsStream, mut session: Session) -> io::Result<()> {
    loop {
        let message = match stream.read_message().await {
            Ok(message) => message,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        };
        let request = Request::decode(&message).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        match session.answer(&request) {
            Some(reply) => stream.write_message(kind::TABULAR, &reply).await?,
            None => return stream.close().await,
        }
    }
}

fn tls_config(plane: &DataPlane, fallback: &str, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let mut config = (*plane.certificates.server_config(fallback, alpn)).clone();
    // TLS 1.3 session tickets sent after the handshake break msodbcsql and the Rust driver when
    // they travel wrapped (FINDINGS §4); the twin sends none.
    config.send_tls13_tickets = 0;
    Arc::new(config)
}

/// The name ERROR tokens give the server: the first label of the name the client asked for.
fn server_label(host: Option<&str>) -> String {
    match host {
        Some(host) if host.parse::<std::net::IpAddr>().is_err() => host.split('.').next().unwrap_or(host).to_string(),
        _ => UNNAMED_SERVER.to_string(),
    }
}

/// The engine's refusal (`Error NNNNN: text`, privlink_engine::path::refusal) as an ERROR token.
pub fn refusal(message: &str, server: &str) -> ServerMessage {
    let parsed = message
        .strip_prefix("Error ")
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(number, text)| Some((number.trim().parse::<i32>().ok()?, text.trim())));
    // A refusal without a number (none is expected from the engine) is sent as a failed login.
    let (number, text) = parsed.unwrap_or((18456, message));
    ServerMessage {
        number,
        state: STATE,
        class: LOGIN_FAILURE_CLASS,
        text: text.to_string(),
        server: server.to_string(),
    }
}

fn login_failed(user: &str, server: &str) -> ServerMessage {
    ServerMessage {
        number: 18456,
        state: STATE,
        class: LOGIN_FAILURE_CLASS,
        text: format!("Login failed for user '{user}'."),
        server: server.to_string(),
    }
}

/// The sign-in after the network admitted the caller: the FEDAUTH token verified for SQL's
/// audience and the app's principal, then the engine's access verdict (the contained user).
///
/// A SQL-authentication login (user and password, no token) is admitted where the engine says
/// the app signs in with a password (access `none`): the twin holds no passwords to compare, so it
/// cannot refuse one Azure might accept (UNVERIFIED either way). Elsewhere it fails with 18456
/// naming the user, as a server with Entra-only authentication (azure-semantics §13.5) rejects
/// it; Azure's exact reason text for that case is UNVERIFIED. A FEDAUTH feature using the MSAL
/// workflow (library 2, which needs FEDAUTHINFO) is treated as no token.
fn sign_in(plane: &DataPlane, login: &Login7, access: &Access, server: &str) -> Result<(), ServerMessage> {
    let token = match &login.fedauth {
        Some(fedauth) if fedauth.library == LIBRARY_SECURITY_TOKEN => fedauth.token_text(),
        _ if !login.user_name.is_empty() && access.verdict == AccessVerdict::None => return Ok(()),
        _ if !login.user_name.is_empty() => return Err(login_failed(&login.user_name, server)),
        _ => return Err(login_failed("", server)),
    };
    let audience = access.audience.as_deref().unwrap_or(SQL_AUDIENCE);
    plane.verify_token(Some(&token), audience, access).map_err(|_| login_failed(TOKEN_PRINCIPAL, server))?;
    if !access_admits(access) {
        return Err(login_failed(TOKEN_PRINCIPAL, server));
    }
    Ok(())
}

/// The gateway's answer under the `Redirect` policy: the login acknowledged, then the routing
/// ENVCHANGE naming where to log in again (the same host name, `port`; assumptions A11), then DONE.
/// Clients close the connection and reconnect there.
pub fn redirect_response(login: &Login7, packet_size: usize, server: &str, routed_to: &str, port: u16) -> Vec<u8> {
    let mut out = login_response(login, packet_size, server);
    let done = out.split_off(out.len() - tokens::done_token(done::FINAL, 0, 0).len());
    out.extend(tokens::env_routing(routed_to, port));
    out.extend(done);
    out
}

/// A successful login's reply, in SQL Server's order (azure-semantics §15.5): the database,
/// collation (the Rust driver requires it), language, LOGINACK, packet size, the FEDAUTH ack.
pub fn login_response(login: &Login7, packet_size: usize, server: &str) -> Vec<u8> {
    let database = if login.database.is_empty() { "master" } else { login.database.as_str() };
    let info = |number: i32, state: u8, text: String| {
        tokens::message(token::INFO, &ServerMessage { number, state, class: 0, text, server: server.to_string() })
    };
    let mut out = tokens::env_text(env::DATABASE, database, "master");
    out.extend(info(5701, 2, format!("Changed database context to '{database}'.")));
    out.extend(tokens::env_bytes(env::COLLATION, &DEFAULT_COLLATION, &[]));
    out.extend(tokens::env_text(env::LANGUAGE, "us_english", ""));
    out.extend(info(5703, 1, "Changed language setting to us_english.".to_string()));
    let version = if login.tds_version == 0x0800_0000 { login.tds_version } else { TDS_7_4 };
    let program_version = [SERVER_VERSION[0], SERVER_VERSION[1], SERVER_VERSION[2], SERVER_VERSION[3]];
    out.extend(tokens::login_ack(version, "Microsoft SQL Server", program_version));
    let size = packet_size.to_string();
    out.extend(tokens::env_text(env::PACKET_SIZE, &size, &size));
    if login.fedauth.is_some() {
        out.extend(tokens::fedauth_ack());
    }
    out.extend(tokens::done_token(done::FINAL, 0, 0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_refusals_keep_their_number_and_text() {
        let m = refusal(privlink_engine::path::refusal::SQL_PUBLIC_ACCESS_DISABLED, "sql-one");
        assert_eq!((m.number, m.class, m.state), (47073, 14, 1));
        assert!(m.text.starts_with("An instance-specific error occurred"), "{}", m.text);
        let m = refusal("Error 40914: Cannot open server 'x' requested by the login.", "x");
        assert_eq!(m.number, 40914);
        assert_eq!(m.text, "Cannot open server 'x' requested by the login.");
    }

    #[test]
    fn the_server_label_is_the_first_dns_label() {
        assert_eq!(server_label(Some("sql-one.database.windows.net")), "sql-one");
        assert_eq!(server_label(Some("10.1.2.4")), "privlink-twin");
        assert_eq!(server_label(None), "privlink-twin");
    }
}
