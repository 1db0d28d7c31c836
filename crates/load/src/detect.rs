//! Format detection from content, never from the file name.

use crate::input::pointer_token;
use serde_json::Value;

/// What a parsed JSON input turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Format {
    /// One resource object.
    Resource,
    /// A JSON array of resources.
    Array,
    /// An ARM list response `{"value": [...]}`.
    ListResponse,
    /// Azure Resource Graph / `az graph query` output `{"data": [...]}`.
    ResourceGraph,
    /// A REST API example `{"parameters": ..., "responses": {"200": {"body": ...}}}`.
    RestExample,
    /// An ARM deployment template (`$schema` …deploymentTemplate.json#).
    DeploymentTemplate,
    /// A deployment parameters file.
    DeploymentParameters,
    /// `terraform show -json` output: a plan (or a state), mapped by [`crate::terraform`].
    TerraformPlan,
    Unknown,
}

impl Format {
    pub fn describe(&self) -> &'static str {
        match self {
            Format::Resource => "a resource document",
            Format::Array => "an array of resource documents",
            Format::ListResponse => "an ARM list response",
            Format::ResourceGraph => "Resource Graph output",
            Format::RestExample => "a REST API example",
            Format::DeploymentTemplate => "an ARM deployment template",
            Format::DeploymentParameters => "a deployment parameters file",
            Format::TerraformPlan => "a Terraform plan (terraform show -json)",
            Format::Unknown => "an unrecognised JSON document",
        }
    }
}

/// A resource object has an ARM id; Azure omits `type` in some responses (REST examples show it).
fn is_resource_object(value: &Value) -> bool {
    value.get("id").and_then(Value::as_str).is_some_and(|id| id.starts_with('/'))
        && (value.get("type").is_some() || value.get("properties").is_some() || value.get("name").is_some())
}

pub fn detect(value: &Value) -> Format {
    match value {
        Value::Array(_) => Format::Array,
        Value::Object(map) => {
            if let Some(schema) = map.get("$schema").and_then(Value::as_str) {
                let s = schema.to_ascii_lowercase();
                if s.contains("deploymentparameters") {
                    return Format::DeploymentParameters;
                }
                if s.contains("deploymenttemplate") {
                    return Format::DeploymentTemplate;
                }
            }
            if crate::terraform::is_plan(value) {
                return Format::TerraformPlan;
            }
            if map.contains_key("responses") && map.contains_key("parameters") {
                return Format::RestExample;
            }
            if is_resource_object(value) {
                return Format::Resource;
            }
            if map.get("value").is_some_and(Value::is_array) {
                return Format::ListResponse;
            }
            if map.get("data").is_some_and(Value::is_array) {
                return Format::ResourceGraph;
            }
            if map.contains_key("resources") && map.contains_key("contentVersion") {
                return Format::DeploymentTemplate;
            }
            Format::Unknown
        }
        _ => Format::Unknown,
    }
}

/// Like [`resource_objects`], but takes the objects out of `value` instead of borrowing them, so
/// large estates are not copied.
pub fn into_resource_objects(mut value: Value, format: &Format) -> Vec<Result<(Value, String), String>> {
    fn take_array(arr: Value, base: &str, out: &mut Vec<Result<(Value, String), String>>) {
        if let Value::Array(items) = arr {
            for (i, v) in items.into_iter().enumerate() {
                let p = format!("{base}/{i}");
                out.push(if v.is_object() { Ok((v, p)) } else { Err(p) });
            }
        }
    }
    let mut out = Vec::new();
    match format {
        Format::Resource => out.push(Ok((value, String::new()))),
        Format::Array => take_array(value, "", &mut out),
        Format::ListResponse => take_array(value["value"].take(), "/value", &mut out),
        Format::ResourceGraph => take_array(value["data"].take(), "/data", &mut out),
        Format::RestExample => {
            let Some(responses) = value.get_mut("responses").and_then(Value::as_object_mut) else { return out };
            let mut codes: Vec<String> = responses.keys().cloned().collect();
            codes.sort();
            for code in codes {
                let body = responses[code.as_str()]["body"].take();
                let base = format!("/responses/{}/body", pointer_token(&code));
                if is_resource_object(&body) {
                    out.push(Ok((body, base)));
                } else if body.get("value").is_some_and(Value::is_array) {
                    let mut body = body;
                    take_array(body["value"].take(), &format!("{base}/value"), &mut out);
                } else if body.is_array() {
                    take_array(body, &base, &mut out);
                }
            }
        }
        Format::DeploymentTemplate | Format::DeploymentParameters | Format::TerraformPlan | Format::Unknown => {}
    }
    out
}

/// The resource objects inside a non-template input, each with its JSON pointer. Elements that are
/// not objects are returned as `Err(pointer)` so the caller can report them.
pub fn resource_objects<'a>(value: &'a Value, format: &Format) -> Vec<Result<(&'a Value, String), String>> {
    let mut out = Vec::new();
    let take_array = |arr: &'a [Value], base: &str, out: &mut Vec<_>| {
        for (i, v) in arr.iter().enumerate() {
            let p = format!("{base}/{i}");
            out.push(if v.is_object() { Ok((v, p)) } else { Err(p) });
        }
    };
    match format {
        Format::Resource => out.push(Ok((value, String::new()))),
        Format::Array => take_array(value.as_array().map(Vec::as_slice).unwrap_or(&[]), "", &mut out),
        Format::ListResponse => {
            take_array(value["value"].as_array().map(Vec::as_slice).unwrap_or(&[]), "/value", &mut out)
        }
        Format::ResourceGraph => {
            take_array(value["data"].as_array().map(Vec::as_slice).unwrap_or(&[]), "/data", &mut out)
        }
        Format::RestExample => {
            let Some(responses) = value["responses"].as_object() else { return out };
            let mut codes: Vec<&String> = responses.keys().collect();
            codes.sort();
            for code in codes {
                let body = &responses[code.as_str()]["body"];
                let base = format!("/responses/{}/body", pointer_token(code));
                match body {
                    Value::Object(_) if is_resource_object(body) => out.push(Ok((body, base))),
                    Value::Object(b) if b.get("value").is_some_and(Value::is_array) => take_array(
                        b["value"].as_array().map(Vec::as_slice).unwrap_or(&[]),
                        &format!("{base}/value"),
                        &mut out,
                    ),
                    Value::Array(arr) => take_array(arr, &base, &mut out),
                    _ => {}
                }
            }
        }
        Format::DeploymentTemplate | Format::DeploymentParameters | Format::TerraformPlan | Format::Unknown => {}
    }
    out
}
