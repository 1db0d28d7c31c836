//! The Azure SQL face over real sockets on loopback: captured client packets decode and are
//! answered, the twin's probe sees every admission as Azure SQL's answer, the engine admits the
//! seed app at its private endpoint, and the real drivers (mssql-python, python-tds) log in,
//! run the seeds' query and see 47073 and 18456 as Azure SQL's errors.

use privlink_engine::access::{Access, AccessVerdict};
use privlink_engine::path::Trace;
use privlink_model::ResourceId;
use privlink_twin::data_plane::sql::batch::{Request, Session, SAMPLE_TABLE};
use privlink_twin::data_plane::sql::login7::Login7;
use privlink_twin::data_plane::sql::packet::{kind, Assembler, Message};
use privlink_twin::data_plane::sql::prelogin::{encryption, Prelogin};
use privlink_twin::data_plane::sql::probe::{self, LoginOutcome, ProbeOptions};
use privlink_twin::data_plane::sql::tokens::{decode, ServerToken, Value};
use privlink_twin::data_plane::sql::transport::TdsStream;
use privlink_twin::data_plane::{Admission, Arrival, Certificates, DataPlane, EngineGate, Gate, SecretStore};
use privlink_twin::identity::{now_epoch_secs, Principal, TokenIssuer};
use privlink_twin::tls::LocalCa;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

const APP_OBJECT_ID: &str = "11111111-2222-3333-4444-555555555555";
const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
const SQL_AUDIENCE: &str = "https://database.windows.net/";
const SEED_SQL_HOST: &str = "sql-privlink-seed.database.windows.net";

fn app() -> Principal {
    Principal { tenant_id: TENANT.into(), object_id: APP_OBJECT_ID.into(), client_id: "app-client".into() }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tds")
}

/// The client → server messages of a capture, reassembled (handshake packets included).
fn client_messages(name: &str) -> Vec<Message> {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.hex"))).unwrap();
    let mut assembler = Assembler::default();
    let mut messages = Vec::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("> ")) {
        let bytes: Vec<u8> =
            (0..line.len()).step_by(2).map(|i| u8::from_str_radix(&line[i..i + 2], 16).unwrap()).collect();
        assembler.push(&bytes);
        while let Some(message) = assembler.next_message().unwrap() {
            messages.push(message);
        }
    }
    messages
}

fn login_of(messages: &[Message]) -> Login7 {
    let login = messages.iter().find(|m| m.kind == kind::LOGIN7).expect("a LOGIN7");
    Login7::decode(&login.payload).unwrap()
}

#[test]
fn every_captured_client_s_prelogin_and_login7_decode() {
    // (capture, LOGIN7 server name as the gate sees it, packet size, user name, token text starts)
    let cases = [
        ("mssql-ok", Some("127.0.0.1"), 0, "", Some("eyJ0eXAi")),
        ("mssqlrs-ok", Some("127.0.0.1"), 8000, "", Some("eyJ0eXAi")),
        ("pyodbc-ok", Some("127.0.0.1"), 0, "", Some("eyJ0eXAi")),
        ("pytds-ok", Some("127.0.0.1"), 4096, "", Some("eyJ0eXAi")),
        ("mssql-bigtoken-ok", Some("127.0.0.1"), 0, "", Some("eyJ0eXAi")),
        ("mssql-utf8token-18456", Some("127.0.0.1"), 0, "", Some("eyJ0eXAi")),
        ("pytds-sqlauth-18456", Some("127.0.0.1"), 4096, "appuser", None),
    ];
    for (name, host, packet_size, user, token) in cases {
        let messages = client_messages(name);
        let prelogin = Prelogin::parse(&messages[0].payload).unwrap();
        assert_eq!(prelogin.encryption(), Some(encryption::ON), "{name}");
        let answer = Prelogin::answer(&prelogin, false);
        assert_eq!(answer.encryption(), Some(encryption::ON), "{name}");
        assert_eq!(answer.fedauth_required(), token.is_some(), "{name}: FEDAUTHREQUIRED echoed only when offered");
        let login = login_of(&messages);
        assert_eq!(login.tds_version, 0x7400_0004, "{name}");
        assert_eq!(login.server_host().as_deref(), host, "{name}");
        assert_eq!(login.packet_size, packet_size, "{name}");
        assert_eq!(login.user_name, user, "{name}");
        assert_eq!(login.database, "appdb", "{name}");
        match token {
            Some(prefix) => {
                let text = login.fedauth.as_ref().expect("FEDAUTH").token_text();
                assert!(text.starts_with(prefix) && text.split('.').count() == 3, "{name}: {text:.40}");
            }
            None => assert!(login.fedauth.is_none() && login.password == "S3cret!", "{name}"),
        }
    }
    let big = login_of(&client_messages("mssql-bigtoken-ok"));
    assert!(big.fedauth.unwrap().token_text().len() > 4000, "a token over three packets reassembles");
}

#[test]
fn every_captured_request_after_the_login_is_answered() {
    for name in ["mssql-ok", "mssqlrs-ok", "pyodbc-ok", "pytds-ok", "mssql-bigtoken-ok"] {
        let messages = client_messages(name);
        let after_login = messages.iter().skip_while(|m| m.kind != kind::LOGIN7).skip(1);
        let mut session = Session::new("sql-one");
        let mut saw_select = false;
        for message in after_login {
            let request = Request::decode(message).unwrap();
            let reply = session.answer(&request).unwrap_or_else(|| panic!("{name}: {request:?} closes"));
            let tokens = decode(&reply).unwrap();
            assert!(!tokens.iter().any(|t| matches!(t, ServerToken::Error(_))), "{name}: {request:?} -> {tokens:?}");
            if request == Request::Batch("SELECT 1".into()) {
                assert_eq!(tokens[1], ServerToken::Row(vec![Value::Int(1)]), "{name}");
                saw_select = true;
            }
        }
        assert!(saw_select, "{name} ran SELECT 1");
    }
}

/// A gate with a fixed answer, recording what it was asked.
struct FixedGate {
    admission: Admission,
    seen: Mutex<Vec<Arrival>>,
}

impl Gate for FixedGate {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>) {
        self.seen.lock().unwrap().push(arrival.clone());
        (self.admission.clone(), None)
    }
}

/// Rewrites the address the client connected to, so a loopback test asks the engine about the
/// seed's private endpoint.
struct AtAddress(EngineGate, SocketAddr);

impl Gate for AtAddress {
    fn admit(&self, arrival: &Arrival) -> (Admission, Option<Trace>) {
        self.0.admit(&Arrival { local: self.1, ..arrival.clone() })
    }
}

fn access(verdict: AccessVerdict, principal: Option<&str>) -> Admission {
    Admission::Admitted {
        access: Box::new(Access {
            verdict,
            principal: principal.map(str::to_string),
            audience: Some(SQL_AUDIENCE.into()),
            decided_by: None,
            reason: "test".into(),
            identity: Some("system-assigned".into()),
            data_action: None,
            assumptions: vec![],
            cause: None,
        }),
    }
}

struct Face {
    addr: SocketAddr,
    plane: Arc<DataPlane>,
    _state: tempfile::TempDir,
}

impl Face {
    fn token(&self, principal: &Principal, audience: &str) -> String {
        self.plane.tokens.issue_for(principal, audience, now_epoch_secs()).access_token
    }

    fn app_token(&self) -> String {
        self.token(&app(), SQL_AUDIENCE)
    }

    async fn probe(&self, server: &str, token: &str) -> LoginOutcome {
        let options = ProbeOptions::trusting(self.plane.certificates.ca_path()).unwrap();
        let options = ProbeOptions { timeout: Duration::from_secs(2), ..options };
        probe::probe_login_with(TcpStream::connect(self.addr).await.unwrap(), server, token, &options).await
    }
}

async fn start(gate: Arc<dyn Gate>) -> Face {
    let state = tempfile::tempdir().unwrap();
    let plane = Arc::new(DataPlane {
        gate,
        tokens: Arc::new(TokenIssuer::new(b"test-key", app())),
        certificates: Arc::new(Certificates::new(LocalCa::open(state.path()).unwrap())),
        secrets: Arc::new(SecretStore::default()),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(privlink_twin::data_plane::sql::serve(listener, plane.clone()));
    Face { addr, plane, _state: state }
}

fn fixed(admission: Admission) -> Arc<FixedGate> {
    Arc::new(FixedGate { admission, seen: Mutex::new(Vec::new()) })
}

fn error_number(outcome: &LoginOutcome) -> Option<(i32, u8)> {
    match outcome {
        LoginOutcome::Error { number, class, .. } => Some((*number, *class)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_sees_every_admission_as_azure_sql_answers_it() {
    let refused = |m: &str| Admission::Refused { message: m.to_string() };
    let public = privlink_engine::path::refusal::SQL_PUBLIC_ACCESS_DISABLED;
    let firewall = "Error 40615: Cannot open server 'sql-one' requested by the login. Client with IP address \
                    '<app outbound IP>' is not allowed to access the server.";
    let vnet_rule =
        "Error 40914: Cannot open server 'sql-one' requested by the login. Client is not allowed to access the server.";
    for (message, number) in [(public, 47073), (firewall, 40615), (vnet_rule, 40914)] {
        let face = start(fixed(refused(message))).await;
        let outcome = face.probe("sql-one.database.windows.net", &face.app_token()).await;
        assert_eq!(error_number(&outcome), Some((number, 14)), "{outcome:?}");
        let LoginOutcome::Error { message: text, .. } = outcome else { unreachable!() };
        assert!(message.ends_with(&text) && !text.starts_with("Error"), "the engine's text after the number: {text}");
    }

    let granted = fixed(access(AccessVerdict::Granted, Some(APP_OBJECT_ID)));
    let face = start(granted.clone()).await;
    assert_eq!(face.probe("SQL-One.database.windows.net", &face.app_token()).await, LoginOutcome::Accepted);
    let arrival = granted.seen.lock().unwrap()[0].clone();
    assert_eq!(arrival.host.as_deref(), Some("sql-one.database.windows.net"), "SNI, lower-case");
    assert!(arrival.client.ip().is_loopback() && arrival.local == face.addr);
    let login_failed = |o: &LoginOutcome| {
        matches!(o, LoginOutcome::Error { number: 18456, class: 14, message }
            if message == "Login failed for user '<token-identified principal>'.")
    };
    let other = Principal { object_id: "99999999-0000-0000-0000-000000000000".into(), ..app() };
    for (why, token) in [
        ("another principal's token", face.token(&other, SQL_AUDIENCE)),
        ("a Key Vault token", face.token(&app(), "https://vault.azure.net")),
        ("a token the twin did not sign", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl".to_string()),
        ("no token", String::new()),
    ] {
        let outcome = face.probe("sql-one.database.windows.net", &token).await;
        assert!(login_failed(&outcome), "{why}: {outcome:?}");
    }

    let face = start(fixed(access(AccessVerdict::Denied, Some(APP_OBJECT_ID)))).await;
    let outcome = face.probe("sql-one.database.windows.net", &face.app_token()).await;
    assert!(login_failed(&outcome), "no contained user: {outcome:?}");

    let face = start(fixed(Admission::Reset { message: "connection reset".into() })).await;
    assert_eq!(face.probe("sql-one.database.windows.net", &face.app_token()).await, LoginOutcome::Reset);

    let face = start(fixed(Admission::Silent { message: "no answer".into() })).await;
    let started = std::time::Instant::now();
    assert_eq!(face.probe("sql-one.database.windows.net", &face.app_token()).await, LoginOutcome::Timeout);
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_session_answers_the_seed_s_batches_and_refuses_others() {
    let face = start(fixed(access(AccessVerdict::Granted, Some(APP_OBJECT_ID)))).await;
    let tcp = TcpStream::connect(face.addr).await.unwrap();
    // An address as server name: no SNI, the certificate names the address, LOGIN7 names the host.
    let options = ProbeOptions::trusting(face.plane.certificates.ca_path()).unwrap();
    let (outcome, session) = probe::connect(tcp, "127.0.0.1", &face.app_token(), &options).await;
    assert_eq!(outcome, LoginOutcome::Accepted);
    let mut session = session.unwrap();
    let rows = |tokens: Vec<ServerToken>| -> Vec<Vec<Value>> {
        tokens.into_iter().filter_map(|t| if let ServerToken::Row(r) = t { Some(r) } else { None }).collect()
    };
    assert_eq!(rows(session.batch("SELECT 1").await.unwrap()), vec![vec![Value::Int(1)]]);
    let tables = session.batch("SELECT TOP 1 name FROM sys.tables ORDER BY name").await.unwrap();
    assert_eq!(rows(tables), vec![vec![Value::Text(SAMPLE_TABLE.into())]]);
    let version = rows(session.batch("select @@version").await.unwrap());
    assert!(matches!(&version[0][0], Value::Text(v) if v.contains("privlink twin")), "{version:?}");
    let refused = session.batch("SELECT * FROM orders").await.unwrap();
    assert!(matches!(&refused[0], ServerToken::Error(m) if m.number == 50000), "{refused:?}");
    // The session survives an unsupported batch.
    assert_eq!(rows(session.batch("SELECT 1").await.unwrap()), vec![vec![Value::Int(1)]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captured_logins_replayed_through_tls_get_azure_s_answers() {
    let face = start(fixed(access(AccessVerdict::Granted, Some(APP_OBJECT_ID)))).await;
    for (name, number, text) in [
        // The captures' fake token is not the twin's: the login fails as Azure's does.
        ("mssql-ok", 18456, "Login failed for user '<token-identified principal>'."),
        ("mssql-bigtoken-ok", 18456, "Login failed for user '<token-identified principal>'."),
        ("pytds-sqlauth-18456", 18456, "Login failed for user 'appuser'."),
    ] {
        let messages = client_messages(name);
        let mut stream = TdsStream::new(TcpStream::connect(face.addr).await.unwrap());
        stream.write_message(kind::PRELOGIN, &messages[0].payload).await.unwrap();
        let answer = Prelogin::parse(&stream.read_message().await.unwrap().payload).unwrap();
        assert_eq!(answer.encryption(), Some(encryption::ON));
        let config = probe::client_config(&ProbeOptions::default());
        let tls = rustls::ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
        stream.start_tls_in_tds(tls.into()).await.unwrap();
        let login = messages.iter().find(|m| m.kind == kind::LOGIN7).unwrap();
        stream.write_message(kind::LOGIN7, &login.payload).await.unwrap();
        let reply = decode(&stream.read_message().await.unwrap().payload).unwrap();
        assert!(
            matches!(&reply[0], ServerToken::Error(m) if m.number == number && m.class == 14 && m.text == text),
            "{name}: {reply:?}"
        );
        assert!(matches!(reply[1], ServerToken::Done { status: 0x0002, .. }), "{name}: DONE(error)");
    }
}

fn seed_model() -> Arc<privlink_model::Model> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/seed-estate");
    let inputs = privlink_testkit::json_files_under(&dir)
        .into_iter()
        .map(|p| privlink_load::Input::new(p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    Arc::new(privlink_load::load(inputs, &privlink_load::Options::default()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_admits_the_seed_app_at_its_private_endpoint() {
    let site = ResourceId::parse(
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-privlink-seed/providers/Microsoft.Web/sites/app-flask-privlink",
    )
    .unwrap();
    let endpoint: SocketAddr = "10.20.2.4:1433".parse().unwrap();
    let face = start(Arc::new(AtAddress(EngineGate::new(site, seed_model()), endpoint))).await;
    assert_eq!(face.probe(SEED_SQL_HOST, &face.app_token()).await, LoginOutcome::Accepted);
    let other = Principal { object_id: "99999999-0000-0000-0000-000000000000".into(), ..app() };
    let outcome = face.probe(SEED_SQL_HOST, &face.token(&other, SQL_AUDIENCE)).await;
    assert_eq!(error_number(&outcome), Some((18456, 14)), "{outcome:?}");
}

/// Runs a real client against the face at `localhost` as the seeds configure it, and returns
/// what it printed.
async fn real_client(python: &Path, face: &Face, client: &str, token: &str, queries: &[&str]) -> serde_json::Value {
    real_client_with(python, face, client, "localhost", &[], token, queries).await
}

/// `settings`: SQL_ENCRYPT / SQL_TRUST for clients.py.
async fn real_client_with(
    python: &Path,
    face: &Face,
    client: &str,
    host: &str,
    settings: &[(&str, &str)],
    token: &str,
    queries: &[&str],
) -> serde_json::Value {
    let mut command = std::process::Command::new(python);
    command
        .arg(fixtures().join("clients.py"))
        .args([client, host, &face.addr.port().to_string(), "appdb"])
        .args(queries)
        .env("SQL_TOKEN", token)
        .envs(settings.iter().copied())
        .env("TWIN_CA", face.plane.certificates.ca_path())
        // msodbcsql and the Rust driver read trusted roots from here (FINDINGS §4).
        .env("SSL_CERT_FILE", face.plane.certificates.ca_path());
    // The client runs on a blocking thread while the face answers it on the runtime.
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("{client} printed nothing; stderr: {}", String::from_utf8_lossy(&output.stderr)));
    eprintln!("{client}: {line}");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{client}: {e}: {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_drivers_log_in_run_the_seed_s_query_and_see_azure_s_errors() {
    let Some(python) = privlink_testkit::clients_python("mssql_python, pytds, OpenSSL") else {
        return privlink_testkit::skip_or_fail(
            "no Python with mssql-python, python-tds and pyOpenSSL (set PRIVLINK_CLIENTS_PYTHON)",
        );
    };
    let granted = fixed(access(AccessVerdict::Granted, Some(APP_OBJECT_ID)));
    let face = start(granted.clone()).await;
    let queries = ["SELECT 1", "SELECT TOP 1 name FROM sys.tables ORDER BY name", "SELECT @@VERSION"];
    for client in ["mssql", "mssqlrs", "pytds"] {
        let result = real_client(&python, &face, client, &face.app_token(), &queries).await;
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["rows"][0], serde_json::json!([[1]]), "{client}");
        assert_eq!(result["rows"][1], serde_json::json!([[SAMPLE_TABLE]]), "{client}");
        assert!(result["rows"][2][0][0].as_str().unwrap().contains("privlink twin"), "{result}");
    }
    // TDS 8.0 strict: TLS first with ALPN tds/8.0, both mssql-python drivers.
    for client in ["mssql", "mssqlrs"] {
        let strict = [("SQL_ENCRYPT", "strict")];
        let result =
            real_client_with(&python, &face, client, "localhost", &strict, &face.app_token(), &queries[..1]).await;
        assert_eq!(result["rows"][0], serde_json::json!([[1]]), "{client} strict: {result}");
    }
    // An address as server name (msodbcsql sends it as SNI, the Rust driver sends none), trusting
    // any certificate as TrustServerCertificate=yes does.
    for client in ["mssql", "mssqlrs"] {
        let trust = [("SQL_TRUST", "yes")];
        let result =
            real_client_with(&python, &face, client, "127.0.0.1", &trust, &face.app_token(), &queries[..1]).await;
        assert_eq!(result["rows"][0], serde_json::json!([[1]]), "{client} at 127.0.0.1: {result}");
    }
    // mssql-python sends SNI: the gate was asked about the name the app connected to.
    assert!(granted.seen.lock().unwrap().iter().any(|a| a.host.as_deref() == Some("localhost")));

    // A token for another principal: 18456 as both drivers report it.
    let other = Principal { object_id: "99999999-0000-0000-0000-000000000000".into(), ..app() };
    let token = face.token(&other, SQL_AUDIENCE);
    let mssql = real_client(&python, &face, "mssql", &token, &["SELECT 1"]).await;
    assert_eq!(mssql["exception"], "OperationalError", "{mssql}");
    assert!(
        mssql["message"].as_str().unwrap().contains("Login failed for user '<token-identified principal>'."),
        "{mssql}"
    );
    let pytds = real_client(&python, &face, "pytds", &token, &["SELECT 1"]).await;
    assert_eq!((&pytds["exception"], &pytds["number"]), (&"OperationalError".into(), &18456.into()), "{pytds}");

    // Public access disabled: 47073. mssql-python hides the number, so the text is matched; pytds
    // turns it into a TimeoutError after retrying (FINDINGS §6), so it is not asked.
    let refused = start(fixed(Admission::Refused {
        message: privlink_engine::path::refusal::SQL_PUBLIC_ACCESS_DISABLED.to_string(),
    }))
    .await;
    let mssql = real_client(&python, &refused, "mssql", &refused.app_token(), &["SELECT 1"]).await;
    assert_eq!(mssql["exception"], "ProgrammingError", "{mssql}");
    assert!(
        mssql["message"].as_str().unwrap().contains("The public network interface on this server is not accessible"),
        "{mssql}"
    );
}

/// A gateway whose every login is redirected to `node`'s port, as Azure SQL's `Redirect` policy does.
async fn gateway_to(node: &Face) -> Face {
    let granted = access(AccessVerdict::Granted, Some(APP_OBJECT_ID));
    let Admission::Admitted { access } = granted else { unreachable!() };
    let gate = fixed(Admission::Redirected { access, port: node.addr.port() });
    // One CA and one token issuer for both, as one server's gateway and node are.
    let plane = Arc::new(DataPlane {
        gate,
        tokens: node.plane.tokens.clone(),
        certificates: node.plane.certificates.clone(),
        secrets: Arc::new(SecretStore::default()),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(privlink_twin::data_plane::sql::serve(listener, plane.clone()));
    Face { addr, plane, _state: tempfile::tempdir().unwrap() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_redirect_policy_the_gateway_routes_the_login_to_the_node() {
    let node = start(fixed(access(AccessVerdict::Granted, Some(APP_OBJECT_ID)))).await;
    let gateway = gateway_to(&node).await;
    // The probe sees the routing ENVCHANGE: the same host name, the node's port.
    let outcome = gateway.probe(SEED_SQL_HOST, &gateway.app_token()).await;
    assert_eq!(outcome, LoginOutcome::Routed { server: SEED_SQL_HOST.into(), port: node.addr.port() });
    // The gateway signs no one in: even a foreign token is routed, and the node refuses it.
    let other = Principal { object_id: "99999999-0000-0000-0000-000000000000".into(), ..app() };
    let foreign = gateway.token(&other, SQL_AUDIENCE);
    assert!(matches!(gateway.probe(SEED_SQL_HOST, &foreign).await, LoginOutcome::Routed { .. }));
    assert_eq!(error_number(&node.probe(SEED_SQL_HOST, &foreign).await), Some((18456, 14)));

    let Some(python) = privlink_testkit::clients_python("mssql_python, pytds, OpenSSL") else {
        return privlink_testkit::skip_or_fail(
            "no Python with mssql-python, python-tds and pyOpenSSL (set PRIVLINK_CLIENTS_PYTHON)",
        );
    };
    // The real drivers follow the routing to localhost:<node port> and run the query there.
    for client in ["mssql", "mssqlrs", "pytds"] {
        let result = real_client(&python, &gateway, client, &gateway.app_token(), &["SELECT 1"]).await;
        assert_eq!(result["rows"][0], serde_json::json!([[1]]), "{client} through the gateway: {result}");
    }
}
