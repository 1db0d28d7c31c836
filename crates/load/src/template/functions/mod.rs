//! ARM's built-in template functions that depend only on their arguments.
//!
//! Functions that need the deployment (parameters, variables, `reference()`, `references()`,
//! `resourceId()`, `deployer()`, lambdas, `copyIndex()`) live in `evaluate/calls/`; `utcNow()` is here and
//! formats the instant the evaluator injects. Reference: learn.microsoft.com "template-functions-*",
//! and for functions Bicep emits that Learn does not list yet, Azure/bicep's SystemNamespaceType.cs.
//!
//! Unknown values: a function with an unknown argument returns that unknown, except the few that can
//! decide without it (see `decides_with_unknown_arguments`).

mod access;
mod collection;
mod comparison;
mod date;
mod fail;
mod hashing;
#[cfg(test)]
mod library_vectors;
mod numeric;
mod runtime_only;
mod string;

pub use date::utc_now;
pub use hashing::{arm_guid, unique_string};

use super::value::Value;

/// The error message of a failed function call; the evaluator adds the expression and JSON pointer.
pub type FunctionResult = Result<Value, String>;

/// A family of pure functions: it answers for its own names and `None` for any other.
type Family = fn(&str, &[Value]) -> Option<FunctionResult>;

const FAMILIES: [Family; 9] = [
    string::call,
    access::call,
    comparison::call,
    numeric::call,
    collection::call,
    hashing::call,
    date::call,
    fail::call,
    runtime_only::call,
];

/// Calls a pure built-in; `None` when `name` (lower-cased) is not one of them.
pub fn call_pure(name: &str, args: &[Value]) -> Option<FunctionResult> {
    if !decides_with_unknown_arguments(name) {
        if let Some(unknown) = args.iter().find(|a| a.is_unknown()) {
            // Only answer for functions we know, so an unsupported function is still reported.
            return is_pure(name).then(|| Ok(unknown.clone()));
        }
    }
    FAMILIES.iter().find_map(|family| family(name, args))
}

fn is_pure(name: &str) -> bool {
    FAMILIES.iter().any(|family| family(name, &[]).is_some())
}

/// Functions whose result can be known although an argument is not.
fn decides_with_unknown_arguments(name: &str) -> bool {
    matches!(
        name,
        "createarray" | "createobject" | "array" | "tryget" | "tryindexfromend" | "length" | "empty" | "fail"
    )
}

pub(crate) fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let expected = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, usize::MAX) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        let plural = if max == 1 && min == 1 { "argument" } else { "arguments" };
        return Err(format!("the function '{name}' takes {expected} {plural}, got {}", args.len()));
    }
    Ok(())
}

pub(crate) fn str_arg<'v>(name: &str, args: &'v [Value], index: usize) -> Result<&'v str, String> {
    match &args[index] {
        Value::String(s) => Ok(s),
        other => Err(format!(
            "the function '{name}' expects a string as argument {}, got {} {}",
            index + 1,
            other.type_name(),
            brief(other)
        )),
    }
}

pub(crate) fn int_arg(name: &str, args: &[Value], index: usize) -> Result<i64, String> {
    match &args[index] {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 => Ok(*f as i64),
        other => Err(format!(
            "the function '{name}' expects an integer as argument {}, got {} {}",
            index + 1,
            other.type_name(),
            brief(other)
        )),
    }
}

pub(crate) fn bool_arg(name: &str, args: &[Value], index: usize) -> Result<bool, String> {
    match &args[index] {
        Value::Bool(b) => Ok(*b),
        other => Err(format!(
            "the function '{name}' expects a bool as argument {}, got {} {}",
            index + 1,
            other.type_name(),
            brief(other)
        )),
    }
}

pub(crate) fn type_error(name: &str, expected: &str, got: &Value) -> String {
    format!("the function '{name}' expects {expected}, got {} {}", got.type_name(), brief(got))
}

/// A short rendering of a value for error messages.
pub(crate) fn brief(value: &Value) -> String {
    let text = value.to_json().to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
pub(crate) fn call_for_test(name: &str, args: Vec<Value>) -> FunctionResult {
    call_pure(&name.to_ascii_lowercase(), &args).unwrap_or_else(|| panic!("{name} is not a pure function"))
}
