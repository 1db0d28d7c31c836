//! The ARM client of a pull: one call with ARM's throttling honoured (429 waits `Retry-After`,
//! 5xx and dropped connections back off exponentially, a bounded number of attempts), lists
//! followed through `nextLink`, and ARM's error envelope read into a [`Failure`]. The bearer token
//! is held in memory only and sent to the endpoint's own host only.

use super::plan::Read;
use serde_json::Value;
use std::time::Duration;

/// Attempts per call before its failure is reported.
const ATTEMPTS: u32 = 5;
/// The longest wait a `Retry-After` is honoured for; a longer one waits this long.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The first 5xx back-off, doubled per attempt.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Pages per list before the list is reported as not ending (a `nextLink` loop).
const MOST_PAGES: usize = 10_000;

/// An authenticated ARM endpoint.
pub struct Arm {
    http: reqwest::Client,
    /// `https://management.azure.com`, without a trailing slash.
    pub endpoint: String,
    token: String,
}

/// What a read returned: for a list every page's items in order, else the one body.
#[derive(Debug)]
pub struct Answered {
    pub body: Value,
    pub pages: usize,
    pub retries: u32,
}

/// A read that did not succeed: ARM's status and error code and message, or why no answer came.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub retries: u32,
}

impl Arm {
    pub fn new(endpoint: &str, token: String, roots: Vec<reqwest::Certificate>) -> anyhow::Result<Arm> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("privlink-pull/", env!("CARGO_PKG_VERSION")));
        for root in roots {
            builder = builder.add_root_certificate(root);
        }
        Ok(Arm { http: builder.build()?, endpoint: endpoint.trim_end_matches('/').to_string(), token })
    }

    /// Performs `read`; a `{"value": [...]}` answer is followed through every `nextLink` and
    /// answered as one list.
    pub async fn perform(&self, read: &Read) -> Result<Answered, Failure> {
        let first = format!("{}{}?api-version={}", self.endpoint, read.path, read.api_version);
        let (mut body, mut retries) = self.call(read.method, &first).await?;
        let mut pages = 1;
        let Some(Value::Array(items)) = body.get_mut("value").map(Value::take) else {
            return Ok(Answered { body, pages, retries });
        };
        let mut items = items;
        let mut next = body.get("nextLink").and_then(Value::as_str).map(str::to_string);
        while let Some(link) = next.take().filter(|l| !l.is_empty()) {
            if !self.is_own(&link) {
                return Err(Failure {
                    status: None,
                    code: "ForeignNextLink".into(),
                    message: format!("the nextLink {link} leaves {}; not followed with the token", self.endpoint),
                    retries,
                });
            }
            if pages >= MOST_PAGES {
                return Err(Failure {
                    status: None,
                    code: "EndlessList".into(),
                    message: format!("the list did not end after {MOST_PAGES} pages"),
                    retries,
                });
            }
            let (mut page, more) =
                self.call("GET", &link).await.map_err(|f| Failure { retries: f.retries + retries, ..f })?;
            retries += more;
            pages += 1;
            if let Some(Value::Array(more_items)) = page.get_mut("value").map(Value::take) {
                items.extend(more_items);
            }
            next = page.get("nextLink").and_then(Value::as_str).map(str::to_string);
        }
        Ok(Answered { body: serde_json::json!({ "value": items }), pages, retries })
    }

    /// Whether `url` is on the endpoint (scheme, host and port), so the token may go with it.
    fn is_own(&self, url: &str) -> bool {
        url.strip_prefix(&self.endpoint).is_some_and(|rest| rest.starts_with('/'))
    }

    /// One call with retries: the JSON body of a 2xx answer and how many retries it took.
    async fn call(&self, method: &str, url: &str) -> Result<(Value, u32), Failure> {
        let mut retries = 0;
        loop {
            let request = match method {
                "POST" => self.http.post(url).header("content-length", "0"),
                _ => self.http.get(url),
            };
            let outcome = request.bearer_auth(&self.token).send().await;
            let last = retries + 1 >= ATTEMPTS;
            let wait = match outcome {
                Err(e) if last => {
                    return Err(Failure { status: None, code: "NoAnswer".into(), message: e.to_string(), retries });
                }
                Err(_) => backoff(retries),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s).min(LONGEST_RETRY_AFTER));
                    let text = response.text().await.unwrap_or_default();
                    let throttled = status == 429 || status >= 500;
                    if (200..300).contains(&status) {
                        let body = if text.trim().is_empty() {
                            Value::Null
                        } else {
                            serde_json::from_str(&text).map_err(|e| Failure {
                                status: Some(status),
                                code: "NotJson".into(),
                                message: format!("the answer is not JSON: {e}"),
                                retries,
                            })?
                        };
                        return Ok((body, retries));
                    }
                    if !throttled || last {
                        return Err(failure(status, &text, retries));
                    }
                    match (status, retry_after) {
                        (429, Some(after)) => after,
                        _ => retry_after.unwrap_or_else(|| backoff(retries)),
                    }
                }
            };
            tokio::time::sleep(wait).await;
            retries += 1;
        }
    }
}

fn backoff(retries: u32) -> Duration {
    FIRST_BACKOFF * 2u32.pow(retries.min(4))
}

/// ARM's error envelope (`{"error": {"code", "message"}}`) read into a failure.
fn failure(status: u16, text: &str, retries: u32) -> Failure {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let error = &body["error"];
    let code = error["code"].as_str().map(str::to_string).unwrap_or_else(|| format!("HTTP{status}"));
    let message =
        error["message"].as_str().map(str::to_string).unwrap_or_else(|| text.chars().take(300).collect::<String>());
    Failure { status: Some(status), code, message, retries }
}

/// The action an `AuthorizationFailed` message says the caller lacks (`… perform action 'X' …`).
pub fn action_named_in(message: &str) -> Option<String> {
    let rest = &message[message.find("perform action '")? + "perform action '".len()..];
    Some(rest[..rest.find('\'')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_missing_action_from_an_authorization_failure() {
        let message = "The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.Web/sites/config/list/action' over scope '/s' or the scope is invalid.";
        assert_eq!(action_named_in(message).as_deref(), Some("Microsoft.Web/sites/config/list/action"));
        let f = failure(403, r#"{"error":{"code":"AuthorizationFailed","message":"m"}}"#, 0);
        assert_eq!((f.status, f.code.as_str()), (Some(403), "AuthorizationFailed"));
        assert_eq!(failure(502, "Bad Gateway", 4).code, "HTTP502");
    }
}
