//! Parameter values supplied to a deployment: a parameters file (either the `deploymentParameters`
//! schema or a bare object) and `name=value` overrides.

use super::error::TemplateError;
use super::value::escape_pointer;

/// One supplied parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterValue {
    Value(serde_json::Value),
    /// `{"reference": {"keyVault": …, "secretName": …}}`: a secret only Azure can read.
    KeyVaultReference {
        secret_name: String,
    },
}

/// Parameter values by name (names compare case-insensitively, as in ARM).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parameters {
    values: Vec<(String, ParameterValue)>,
}

impl Parameters {
    pub fn new() -> Self {
        Parameters::default()
    }

    /// Reads a parameters document: `{"$schema": ".../deploymentParameters.json#", "parameters":
    /// {"x": {"value": …}}}` or a bare `{"x": …}`.
    pub fn from_document(document: &serde_json::Value) -> Result<Self, TemplateError> {
        let object =
            document.as_object().ok_or_else(|| TemplateError::new("", "a parameters file must be a JSON object"))?;
        let is_deployment_parameters = object
            .get("$schema")
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.to_ascii_lowercase().contains("deploymentparameters"))
            || (object.contains_key("parameters")
                && object.get("parameters").is_some_and(|p| p.is_object())
                && object.len() <= 3
                && object.keys().all(|k| matches!(k.as_str(), "$schema" | "contentVersion" | "parameters")));
        let mut parameters = Parameters::new();
        if !is_deployment_parameters {
            for (name, value) in object {
                parameters.set(name, value.clone());
            }
            return Ok(parameters);
        }
        let Some(serde_json::Value::Object(entries)) = object.get("parameters") else {
            return Ok(parameters);
        };
        for (name, entry) in entries {
            let pointer = format!("/parameters/{}", escape_pointer(name));
            let entry = entry
                .as_object()
                .ok_or_else(|| TemplateError::new(&pointer, "expected an object with `value` or `reference`"))?;
            if let Some(value) = entry.get("value") {
                parameters.set(name, value.clone());
            } else if let Some(reference) = entry.get("reference") {
                let secret_name = reference.get("secretName").and_then(|s| s.as_str()).unwrap_or("").to_string();
                parameters.values.push((name.clone(), ParameterValue::KeyVaultReference { secret_name }));
            } else {
                return Err(TemplateError::new(pointer, "expected an object with `value` or `reference`"));
            }
        }
        Ok(parameters)
    }

    pub fn set(&mut self, name: &str, value: serde_json::Value) {
        self.values.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.values.push((name.to_string(), ParameterValue::Value(value)));
    }

    pub fn get(&self, name: &str) -> Option<&ParameterValue> {
        self.values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(n, _)| n.as_str())
    }
}

/// Splits an override `name=value`.
pub fn split_override(text: &str) -> Result<(&str, &str), TemplateError> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value)),
        _ => Err(TemplateError::new("", format!("the parameter override `{text}` is not of the form name=value"))),
    }
}

/// Converts an override's text to the parameter's declared type.
pub fn override_value(name: &str, declared_type: &str, text: &str) -> Result<serde_json::Value, TemplateError> {
    let pointer = format!("/parameters/{}", escape_pointer(name));
    match declared_type.to_ascii_lowercase().as_str() {
        "string" | "securestring" => Ok(serde_json::Value::String(text.to_string())),
        "int" => text
            .trim()
            .parse::<i64>()
            .map(serde_json::Value::from)
            .map_err(|_| TemplateError::new(pointer, format!("the override {name}={text} is not an integer"))),
        "bool" => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(serde_json::Value::Bool(true)),
            "false" => Ok(serde_json::Value::Bool(false)),
            _ => Err(TemplateError::new(pointer, format!("the override {name}={text} is not true or false"))),
        },
        _ => serde_json::from_str(text).or_else(|_| Ok(serde_json::Value::String(text.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_parameter_file_shapes() {
        let file = json!({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}, "s": {"reference": {"keyVault": {"id": "x"}, "secretName": "pw"}}}});
        let parameters = Parameters::from_document(&file).unwrap();
        assert_eq!(parameters.get("A"), Some(&ParameterValue::Value(json!(1))));
        assert_eq!(parameters.get("s"), Some(&ParameterValue::KeyVaultReference { secret_name: "pw".into() }));
        let bare = Parameters::from_document(&json!({"a": "x"})).unwrap();
        assert_eq!(bare.get("a"), Some(&ParameterValue::Value(json!("x"))));
        let error =
            Parameters::from_document(&json!({"$schema": "deploymentParameters.json#", "parameters": {"a": 3}}))
                .unwrap_err();
        assert_eq!(error.pointer, "/parameters/a");
    }

    #[test]
    fn overrides_follow_the_declared_type() {
        assert_eq!(split_override("a=b=c").unwrap(), ("a", "b=c"));
        assert!(split_override("novalue").is_err());
        assert_eq!(override_value("n", "int", "3").unwrap(), json!(3));
        assert_eq!(override_value("b", "bool", "True").unwrap(), json!(true));
        assert_eq!(override_value("o", "object", "{\"x\":1}").unwrap(), json!({"x": 1}));
        assert_eq!(override_value("s", "string", "{x}").unwrap(), json!("{x}"));
        assert!(override_value("n", "int", "x").unwrap_err().to_string().contains("not an integer"));
    }
}
