//! Injected faults, for tests of clients only: `privlink up --inject-fault 'POST /config/appsettings/list 403'`
//! answers matching requests with the status ARM would send (429 with `Retry-After`, a 5xx, or
//! 403 `AuthorizationFailed` naming the action the caller lacks), before the request is routed.
//! Nothing is injected unless the twin is started with faults.

use super::routes::path_segments;
use super::{ArmRequest, ArmResponse};
use privlink_model::ResourceId;
use serde_json::json;
use std::sync::Mutex;

/// One fault: requests with `method` whose path contains `path_contains` (case-insensitive) get
/// `status`, `remaining` more times (`None`: every time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub method: String,
    pub path_contains: String,
    pub status: u16,
    pub remaining: Option<u32>,
}

impl Fault {
    /// Parses `METHOD PATH-SUBSTRING STATUS [COUNT]`.
    pub fn parse(spec: &str) -> Result<Fault, String> {
        let parts: Vec<&str> = spec.split_whitespace().collect();
        let usage = || {
            format!(
                "fault '{spec}': expected 'METHOD PATH-SUBSTRING STATUS [COUNT]', e.g. 'GET /virtualNetworks 429 1'"
            )
        };
        let (method, path, status, count) = match parts.as_slice() {
            [m, p, s] => (m, p, s, None),
            [m, p, s, c] => (m, p, s, Some(c)),
            _ => return Err(usage()),
        };
        let status: u16 = status.parse().ok().filter(|s| (400..600).contains(s)).ok_or_else(usage)?;
        let remaining = match count {
            None => None,
            Some(c) => Some(c.parse().map_err(|_| usage())?),
        };
        Ok(Fault { method: method.to_ascii_uppercase(), path_contains: path.to_ascii_lowercase(), status, remaining })
    }
}

/// The faults a twin was started with, consumed as they fire.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn new(faults: Vec<Fault>) -> Faults {
        Faults(Mutex::new(faults))
    }

    /// The injected answer for `request`, if a fault with uses left matches it.
    pub(super) fn answer(&self, request: &ArmRequest) -> Option<ArmResponse> {
        let mut faults = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let path = request.path.to_ascii_lowercase();
        let fault = faults.iter_mut().find(|f| {
            f.method.eq_ignore_ascii_case(request.method.as_str())
                && path.contains(&f.path_contains)
                && f.remaining != Some(0)
        })?;
        if let Some(n) = fault.remaining.as_mut() {
            *n -= 1;
        }
        Some(injected(fault.status, request))
    }
}

/// ARM's answer with `status` to `request`: the bodies and headers ARM sends.
fn injected(status: u16, request: &ArmRequest) -> ArmResponse {
    let (code, message) = match status {
        429 => (
            "TooManyRequests".to_string(),
            "The request is being throttled as the limit has been reached for operation type. Retry after the time in the Retry-After header.".to_string(),
        ),
        403 => {
            let (action, scope) = action_and_scope(request);
            (
                "AuthorizationFailed".to_string(),
                format!(
                    "The client '00000000-0000-0000-0000-00000000fa17' with object id '00000000-0000-0000-0000-00000000fa17' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
                ),
            )
        }
        s if s >= 500 => ("InternalServerError".to_string(), "Encountered internal server error. Please try again.".to_string()),
        _ => ("BadRequest".to_string(), "The request was refused (an injected fault).".to_string()),
    };
    let response = ArmResponse::json(status, json!({"error": {"code": code, "message": message}}))
        .with_header("x-ms-failure-cause", "gateway");
    if status == 429 {
        response.with_header("retry-after", "1")
    } else {
        response
    }
}

/// The RBAC action a request needs and the scope it acts on, as an `AuthorizationFailed` names
/// them: `{type}/read` for GET, `/write` for PUT and PATCH, `/delete`, and `{type}/{action}/action`
/// for a POST to `{resource}/{action}`.
fn action_and_scope(request: &ArmRequest) -> (String, String) {
    let path = format!("/{}", path_segments(&request.path).join("/"));
    let verb = match request.method.as_str() {
        "GET" | "HEAD" => "read",
        "PUT" | "PATCH" => "write",
        "DELETE" => "delete",
        _ => "action",
    };
    let (scope, action_name) = match verb {
        "action" => match path.rsplit_once('/') {
            Some((owner, action)) => (owner.to_string(), Some(action.to_string())),
            None => (path.clone(), None),
        },
        _ => (path.clone(), None),
    };
    let resource_type = ResourceId::parse(&scope).map(|id| id.resource_type()).unwrap_or_default();
    let action = match action_name {
        Some(a) => format!("{resource_type}/{a}/action"),
        None => format!("{resource_type}/{verb}"),
    };
    (action, scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, Method};

    fn request(method: Method, path: &str) -> ArmRequest {
        ArmRequest { method, path: path.to_string(), query: None, headers: HeaderMap::new(), body: Vec::new() }
    }

    #[test]
    fn a_refused_settings_list_names_the_action_and_scope() {
        let site = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app";
        let r = request(Method::POST, &format!("{site}/config/appsettings/list"));
        let (action, scope) = action_and_scope(&r);
        assert_eq!(action, "Microsoft.Web/sites/config/list/action");
        assert_eq!(scope, format!("{site}/config/appsettings"));
    }

    #[test]
    fn a_counted_fault_fires_that_many_times() {
        let faults = Faults::new(vec![Fault::parse("GET /virtualNetworks 429 1").unwrap()]);
        let r = request(Method::GET, "/subscriptions/s/providers/Microsoft.Network/virtualNetworks");
        let first = faults.answer(&r).expect("fires once");
        assert_eq!((first.status, first.header("retry-after")), (429, Some("1")));
        assert!(faults.answer(&r).is_none());
        assert!(Fault::parse("GET /x").is_err());
        assert!(Fault::parse("GET /x 200").is_err());
    }
}
