//! `/ui`: the live twin's page, on the ARM face's HTTPS port.
//!
//! `privlink up` prints `https://127.0.0.1:PORT/ui?token=…` at start, as Jupyter does: the token is
//! fresh for each start, held only in memory and never written to the state directory. Every
//! `/ui` request must carry it, as the `token` query parameter or as the cookie the first visit
//! sets (`privlink-ui-PORT`: cookies do not tell ports apart, so each twin's has its own name);
//! without it the answer is 401 with a short plain-text reason. The page itself (HTML, script and
//! style, [`PAGE_HTML`], [`PAGE_JS`], [`PAGE_CSS`]) is compiled into the binary and loads nothing
//! from anywhere else.
//!
//! - `GET /ui` — the page. It shows what `/ui/api/estate` answers and follows `/ui/events`.
//! - `GET /ui/api/estate` — the estate as the page shows it ([`estate`]): every app's
//!   dependencies with their resolution and trace verdict, the findings with their `az` fixes,
//!   and the diagram.
//! - `GET /ui/api/dependency?app=ID&to=HOST:PORT` — one row's trace hop by hop, its DNS chain and
//!   the findings about it.
//! - `GET /ui/events` — server-sent events: `ready` at once, then `commit` after each committed
//!   write (the store's [`crate::store::Store::watch`]; commits close together may give one
//!   event). The page fetches the estate again on each.
//!
//! The estate is computed on the store's current snapshot the first time it is asked for and kept
//! until the next commit, so any number of open pages cost one computation per commit.

pub mod estate;

use crate::arm::ArmState;
use crate::store::Documents;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use estate::PageEstate;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The page, with `__TOKEN__` where the request's token goes (so its script and style requests
/// and its API calls carry it even where the cookie is not kept).
pub const PAGE_HTML: &str = include_str!("page.html");
pub const PAGE_JS: &str = include_str!("page.js");
pub const PAGE_CSS: &str = include_str!("page.css");

/// How often an idle event stream sends a comment, well inside the listener's idle timeout
/// ([`crate::connections::ConnectionLimits::idle_timeout`], 60 s), so an open page keeps its stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What `/ui` needs besides the ARM state: the token, and the estate computed for the latest
/// snapshot. It holds no store, so it never keeps the document database open.
pub struct UiState {
    token: String,
    cookie_name: String,
    /// The snapshot the page was last computed for, and the page.
    computed: Mutex<Option<(Arc<Documents>, Arc<PageEstate>)>>,
    /// Set when the twin stops: the event streams end, so a graceful shutdown need not wait for
    /// open pages.
    stopping: watch::Sender<bool>,
}

impl UiState {
    /// A fresh random token for the twin listening on `port`.
    pub fn new(port: u16) -> UiState {
        UiState {
            token: crate::identity::random_hex(24),
            cookie_name: format!("privlink-ui-{port}"),
            computed: Mutex::new(None),
            stopping: watch::channel(false).0,
        }
    }

    /// The token the page's requests must carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The page's address on the twin at `base` (`https://127.0.0.1:PORT`), token included.
    pub fn url(&self, base: &str) -> String {
        format!("{base}/ui?token={}", self.token)
    }

    /// Ends every open event stream (the twin is stopping).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// The page of the store's current snapshot, computed once per snapshot. Blocking: the engine
    /// runs here.
    fn page(&self, arm: &ArmState) -> Arc<PageEstate> {
        let snapshot = arm.store.snapshot();
        let mut computed = self.computed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((documents, page)) = computed.as_ref() {
            if Arc::ptr_eq(documents, &snapshot) {
                return page.clone();
            }
        }
        let page = Arc::new(estate::compute(&snapshot));
        *computed = Some((snapshot, page.clone()));
        page
    }

    /// Whether the request carries the token, in its query or its cookie.
    fn admits(&self, headers: &HeaderMap, query: &BTreeMap<String, String>) -> bool {
        if query.get("token").is_some_and(|t| same_secret(t, &self.token)) {
            return true;
        }
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == self.cookie_name && same_secret(value, &self.token))
    }
}

/// Compares two secrets without stopping at the first differing byte.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Clone)]
struct Ui {
    arm: Arc<ArmState>,
    ui: Arc<UiState>,
}

/// The `/ui` routes; merged with the ARM face's router on its listener.
pub fn router(arm: Arc<ArmState>, ui: Arc<UiState>) -> Router {
    Router::new()
        .route("/ui", get(page))
        .route("/ui/", get(page))
        .route("/ui/page.js", get(script))
        .route("/ui/page.css", get(style))
        .route("/ui/api/estate", get(estate))
        .route("/ui/api/dependency", get(dependency))
        .route("/ui/events", get(events))
        .with_state(Ui { arm, ui })
}

type Params = Query<BTreeMap<String, String>>;

fn unauthorized() -> Response {
    let message = "401 Unauthorized: the privlink twin's page needs the token printed when `privlink up` \
                   started; open the /ui?token=... address it printed.\n";
    (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

/// Headers every `/ui` answer carries: nothing cached (the answers change with each write and the
/// page carries the token), nothing loaded from elsewhere, no referrer (the address holds the token).
fn with_page_headers(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    response
}

async fn page(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    let html = PAGE_HTML.replace("__TOKEN__", &s.ui.token);
    let mut response = with_page_headers(html.into_response(), "text/html; charset=utf-8");
    let cookie = format!("{}={}; Path=/ui; Secure; HttpOnly; SameSite=Strict", s.ui.cookie_name, s.ui.token);
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn script(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    with_page_headers(PAGE_JS.into_response(), "text/javascript; charset=utf-8")
}

async fn style(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    with_page_headers(PAGE_CSS.into_response(), "text/css; charset=utf-8")
}

/// Runs `answer` on the page of the current snapshot, off the async workers (the engine computes).
async fn with_page(s: &Ui, answer: impl FnOnce(&PageEstate) -> Response + Send + 'static) -> Response {
    let (arm, ui) = (s.arm.clone(), s.ui.clone());
    match tokio::task::spawn_blocking(move || answer(&ui.page(&arm))).await {
        Ok(response) => response,
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("computing the estate failed: {e}\n")).into_response(),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    with_page_headers((status, body.to_string()).into_response(), "application/json; charset=utf-8")
}

async fn estate(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    with_page(&s, |page| json_response(StatusCode::OK, &page.summary)).await
}

async fn dependency(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    let (Some(app), Some(to)) = (query.get("app").cloned(), query.get("to").cloned()) else {
        return json_response(StatusCode::BAD_REQUEST, &json!({"error": "give app=APP-ID and to=HOST:PORT"}));
    };
    with_page(&s, move |page| match page.detail(&app, &to) {
        Some(detail) => json_response(StatusCode::OK, detail),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("{app} has no dependency {to} in the estate as it is now")}),
        ),
    })
    .await
}

async fn events(State(s): State<Ui>, headers: HeaderMap, Query(query): Params) -> Response {
    if !s.ui.admits(&headers, &query) {
        return unauthorized();
    }
    // A receiver from `watch` has seen the snapshot current now; the next commit wakes it.
    let commits = s.arm.store.watch();
    let stopping = s.ui.stopping.subscribe();
    let ready = Event::default().event("ready").data(json!({"documents": commits.borrow().len()}).to_string());
    let stream = futures_util::stream::unfold(
        (Some(ready), commits, stopping),
        |(first, mut commits, mut stopping)| async move {
            if let Some(ready) = first {
                return Some((Ok::<_, Infallible>(ready), (None, commits, stopping)));
            }
            let committed = tokio::select! {
                changed = commits.changed() => changed.is_ok(),
                _ = stopping.wait_for(|stop| *stop) => false,
            };
            if !committed {
                return None;
            }
            let documents = commits.borrow_and_update().len();
            let event = Event::default().event("commit").data(json!({"documents": documents}).to_string());
            Some((Ok(event), (None, commits, stopping)))
        },
    );
    let mut response = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_taken_from_the_query_or_this_twins_cookie_only() {
        let ui = UiState::new(8443);
        let none = BTreeMap::new();
        let mut query = BTreeMap::new();
        query.insert("token".to_string(), ui.token().to_string());
        assert!(ui.admits(&HeaderMap::new(), &query));
        assert!(!ui.admits(&HeaderMap::new(), &none));
        let mut wrong = BTreeMap::new();
        wrong.insert("token".to_string(), "0".repeat(48));
        assert!(!ui.admits(&HeaderMap::new(), &wrong));

        let mut headers = HeaderMap::new();
        let cookie = format!("other=1; privlink-ui-8443={}", ui.token());
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(ui.admits(&headers, &none));
        let mut elsewhere = HeaderMap::new();
        let cookie = format!("privlink-ui-9999={}", ui.token());
        elsewhere.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(!ui.admits(&elsewhere, &none), "another port's cookie name is not this twin's");
        assert_ne!(UiState::new(8443).token(), ui.token(), "each start has a fresh token");
    }
}
