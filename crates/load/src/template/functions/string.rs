//! String functions (learn.microsoft.com "template-functions-string").

use base64::Engine;

use super::{arity, brief, int_arg, str_arg, type_error, FunctionResult};
use crate::template::value::Value;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "concat" => concat(args),
        "format" => format(args),
        "tolower" => one_string(name, args).map(|s| Value::from(s.to_lowercase())),
        "toupper" => one_string(name, args).map(|s| Value::from(s.to_uppercase())),
        "trim" => one_string(name, args).map(|s| Value::from(s.trim())),
        "replace" => arity(name, args, 3, 3).and_then(|_| {
            let (s, old, new) = (str_arg(name, args, 0)?, str_arg(name, args, 1)?, str_arg(name, args, 2)?);
            if old.is_empty() {
                return Err("the function 'replace' cannot replace an empty string".to_string());
            }
            Ok(Value::from(s.replace(old, new)))
        }),
        "substring" => substring(args),
        "split" => split(args),
        "join" => join(args),
        "startswith" => {
            two_strings(name, args).map(|(a, b)| Value::Bool(a.to_lowercase().starts_with(&b.to_lowercase())))
        }
        "endswith" => two_strings(name, args).map(|(a, b)| Value::Bool(a.to_lowercase().ends_with(&b.to_lowercase()))),
        "padleft" => pad_left(args),
        "like" => two_strings(name, args).map(|(input, pattern)| Value::Bool(like(input, pattern))),
        "string" => arity(name, args, 1, 1).map(|_| match args[0].find_unknown() {
            Some(u) => Value::Unknown(u.clone()),
            None => Value::from(args[0].to_arm_string()),
        }),
        "int" => to_int(args),
        "bool" => to_bool(args),
        "json" => arity(name, args, 1, 1).and_then(|_| {
            let text = single_quotes_to_double(str_arg(name, args, 0)?);
            serde_json::from_str::<serde_json::Value>(&text)
                .or_else(|strict| {
                    // ARM's JSON reader also takes `.25`, comments and trailing commas.
                    let fixed = leading_dot_numbers(&text);
                    let lenient = crate::relaxed::to_strict(fixed.as_bytes()).unwrap_or_else(|| fixed.into_bytes());
                    serde_json::from_slice::<serde_json::Value>(&lenient).map_err(|_| strict)
                })
                .map(|j| Value::from_json(&j))
                .map_err(|e| format!("the function 'json' cannot parse {}: {e}", brief(&args[0])))
        }),
        "base64" => one_string(name, args).map(|s| Value::from(BASE64.encode(s.as_bytes()))),
        "base64tostring" => one_string(name, args).and_then(|s| decode_base64(name, s)).map(Value::from),
        "base64tojson" => one_string(name, args).and_then(|s| decode_base64(name, s)).and_then(|text| {
            serde_json::from_str::<serde_json::Value>(&text)
                .map(|j| Value::from_json(&j))
                .map_err(|e| format!("the function 'base64ToJson' decoded text that is not JSON: {e}"))
        }),
        // `charset=utf-8`, as Azure's expression library writes it since 2022 (Learn's example still shows
        // `utf8`; see library_vectors.rs for the value Azure.Deployments.Templates returned).
        "datauri" => arity(name, args, 1, 1).map(|_| {
            let text = args[0].to_arm_string();
            Value::from(format!("data:text/plain;charset=utf-8;base64,{}", BASE64.encode(text.as_bytes())))
        }),
        "datauritostring" => one_string(name, args).and_then(|s| {
            let (_, data) = s.split_once(";base64,").ok_or_else(|| format!("'{s}' is not a base64 data URI"))?;
            decode_base64(name, data).map(Value::from)
        }),
        "uri" => two_strings(name, args).map(|(base, relative)| Value::from(uri(base, relative))),
        "uricomponent" => one_string(name, args).map(|s| Value::from(uri_component(s))),
        "uricomponenttostring" => one_string(name, args).and_then(uri_component_to_string).map(Value::from),
        "first" => first_or_last(name, args, true),
        "last" => first_or_last(name, args, false),
        "indexof" => index_of(name, args, false),
        "lastindexof" => index_of(name, args, true),
        "take" => take_or_skip(name, args, true),
        "skip" => take_or_skip(name, args, false),
        "empty" => arity(name, args, 1, 1).and_then(|_| match &args[0] {
            Value::Null => Ok(Value::Bool(true)),
            Value::String(s) => Ok(Value::Bool(s.is_empty())),
            Value::Array(a) => Ok(Value::Bool(a.is_empty())),
            Value::Object(o) if o.runtime_extensible.is_some() && o.is_empty() => {
                Ok(Value::unknown(o.runtime_extensible.clone().unwrap_or_default()))
            }
            Value::Object(o) => Ok(Value::Bool(o.is_empty())),
            Value::Unknown(u) => Ok(Value::Unknown(u.clone())),
            other => Err(type_error(name, "a string, array or object", other)),
        }),
        "length" => arity(name, args, 1, 1).and_then(|_| match &args[0] {
            Value::String(s) => Ok(Value::Int(s.chars().count() as i64)),
            Value::Array(a) => Ok(Value::Int(a.len() as i64)),
            Value::Object(o) => Ok(Value::Int(o.len() as i64)),
            Value::Unknown(u) => Ok(Value::Unknown(u.clone())),
            other => Err(type_error(name, "a string, array or object", other)),
        }),
        _ => return None,
    };
    Some(result)
}

fn one_string<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    arity(name, args, 1, 1)?;
    str_arg(name, args, 0)
}

fn two_strings<'a>(name: &str, args: &'a [Value]) -> Result<(&'a str, &'a str), String> {
    arity(name, args, 2, 2)?;
    Ok((str_arg(name, args, 0)?, str_arg(name, args, 1)?))
}

/// ARM parses `json()` with Json.NET, which also accepts single-quoted strings; rewrite them as JSON.
fn single_quotes_to_double(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                let mut escaped = false;
                for d in chars.by_ref() {
                    out.push(d);
                    match d {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            '\'' => {
                let mut content = String::new();
                let mut escaped = false;
                for d in chars.by_ref() {
                    match d {
                        '\\' if !escaped => escaped = true,
                        '\'' if !escaped => break,
                        other => {
                            if escaped && other != '\'' {
                                content.push('\\');
                            }
                            content.push(other);
                            escaped = false;
                        }
                    }
                }
                out.push_str(&serde_json::Value::String(content).to_string());
            }
            other => out.push(other),
        }
    }
    out
}

fn decode_base64(name: &str, text: &str) -> Result<String, String> {
    let bytes = BASE64.decode(text.trim()).map_err(|e| format!("the function '{name}' got invalid base64: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("the function '{name}' decoded bytes that are not UTF-8"))
}

fn concat(args: &[Value]) -> FunctionResult {
    arity("concat", args, 1, usize::MAX)?;
    if args.iter().any(|a| matches!(a, Value::Array(_))) {
        let mut out = Vec::new();
        for arg in args {
            match arg {
                Value::Array(items) => out.extend(items.iter().cloned()),
                Value::Null => {}
                other => return Err(type_error("concat", "only arrays when the first argument is an array", other)),
            }
        }
        return Ok(Value::Array(out));
    }
    let mut out = String::new();
    for arg in args {
        match arg {
            Value::Object(_) => return Err(type_error("concat", "strings or arrays", arg)),
            other => out.push_str(&other.to_arm_string()),
        }
    }
    Ok(Value::String(out))
}

/// .NET composite formatting, as ARM's `format()` uses it: `{0}`, `{0:D}`, `{0:N0}`, `{{`, `}}`.
fn format(args: &[Value]) -> FunctionResult {
    arity("format", args, 1, usize::MAX)?;
    let pattern = str_arg("format", args, 0)?;
    let values = &args[1..];
    let mut out = String::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().map(|p| p.1) == Some('}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut item = String::new();
                let mut closed = false;
                for (_, d) in chars.by_ref() {
                    if d == '}' {
                        closed = true;
                        break;
                    }
                    item.push(d);
                }
                if !closed {
                    return Err(format!("the format string '{pattern}' has an unclosed '{{' at offset {at}"));
                }
                let (index_part, spec) = match item.split_once(':') {
                    Some((i, s)) => (i, Some(s)),
                    None => (item.as_str(), None),
                };
                let (index_part, alignment) = match index_part.split_once(',') {
                    Some((i, a)) => (i, a.trim().parse::<i64>().ok()),
                    None => (index_part, None),
                };
                let index: usize = index_part
                    .trim()
                    .parse()
                    .map_err(|_| format!("the format string '{pattern}' has an invalid item '{{{item}}}'"))?;
                let value = values.get(index).ok_or_else(|| {
                    format!(
                        "the format string '{pattern}' refers to argument {index} but only {} were given",
                        values.len()
                    )
                })?;
                let text = format_item(value, spec)?;
                if alignment.is_some_and(|w| w.abs() > 16_000) {
                    return Err(format!("the format string '{pattern}' aligns to more than 16000 characters"));
                }
                match alignment {
                    Some(width) if width > 0 => out.push_str(&format!("{text:>w$}", w = width as usize)),
                    Some(width) if width < 0 => out.push_str(&format!("{text:<w$}", w = (-width) as usize)),
                    _ => out.push_str(&text),
                }
            }
            '}' => return Err(format!("the format string '{pattern}' has an unmatched '}}' at offset {at}")),
            other => out.push(other),
        }
    }
    Ok(Value::String(out))
}

fn format_item(value: &Value, spec: Option<&str>) -> Result<String, String> {
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return Ok(value.to_arm_string());
    };
    let Value::Int(number) = value else {
        return Ok(value.to_arm_string());
    };
    let kind = spec.chars().next().unwrap_or('G').to_ascii_uppercase();
    let precision: Option<usize> = spec[1..].parse().ok();
    Ok(match kind {
        'D' => {
            let digits = format!("{:0w$}", number.unsigned_abs(), w = precision.unwrap_or(0));
            if *number < 0 {
                format!("-{digits}")
            } else {
                digits
            }
        }
        'N' => {
            let grouped = group_thousands(number.unsigned_abs());
            let sign = if *number < 0 { "-" } else { "" };
            match precision.unwrap_or(2) {
                0 => format!("{sign}{grouped}"),
                p => format!("{sign}{grouped}.{}", "0".repeat(p)),
            }
        }
        'X' => {
            let hex = format!("{:0w$x}", number, w = precision.unwrap_or(0));
            if spec.starts_with('X') {
                hex.to_uppercase()
            } else {
                hex
            }
        }
        _ => number.to_string(),
    })
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn substring(args: &[Value]) -> FunctionResult {
    arity("substring", args, 2, 3)?;
    let s = str_arg("substring", args, 0)?;
    let chars: Vec<char> = s.chars().collect();
    let start = int_arg("substring", args, 1)?;
    let length = if args.len() == 3 { int_arg("substring", args, 2)? } else { chars.len() as i64 - start };
    if start < 0 || length < 0 || start + length > chars.len() as i64 {
        return Err(format!(
            "the function 'substring' got start {start} and length {length}, which are outside the string '{s}' of length {}",
            chars.len()
        ));
    }
    Ok(Value::String(chars[start as usize..(start + length) as usize].iter().collect()))
}

fn split(args: &[Value]) -> FunctionResult {
    arity("split", args, 2, 2)?;
    let s = str_arg("split", args, 0)?;
    let delimiters: Vec<String> = match &args[1] {
        Value::String(d) => vec![d.clone()],
        Value::Array(items) => items.iter().map(|i| i.to_arm_string()).collect(),
        other => return Err(type_error("split", "a string or array of delimiters", other)),
    };
    let mut parts = vec![s.to_string()];
    for delimiter in delimiters.iter().filter(|d| !d.is_empty()) {
        parts =
            parts.iter().flat_map(|p| p.split(delimiter.as_str()).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    Ok(Value::Array(parts.into_iter().map(Value::String).collect()))
}

fn join(args: &[Value]) -> FunctionResult {
    arity("join", args, 2, 2)?;
    let Value::Array(items) = &args[0] else {
        return Err(type_error("join", "an array as argument 1", &args[0]));
    };
    let delimiter = str_arg("join", args, 1)?;
    if let Some(u) = args[0].find_unknown() {
        return Ok(Value::Unknown(u.clone()));
    }
    Ok(Value::String(items.iter().map(Value::to_arm_string).collect::<Vec<_>>().join(delimiter)))
}

fn pad_left(args: &[Value]) -> FunctionResult {
    arity("padLeft", args, 2, 3)?;
    let text = match &args[0] {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        other => return Err(type_error("padLeft", "a string or integer to pad", other)),
    };
    let width = int_arg("padLeft", args, 1)?;
    // Azure's limit (learn.microsoft.com "template-functions-string#padleft").
    if width > 16_000 {
        return Err(format!("the function 'padLeft' allows a total length of at most 16000, got {width}"));
    }
    let pad = if args.len() == 3 { str_arg("padLeft", args, 2)? } else { " " };
    let mut pad_chars = pad.chars();
    let (Some(pad_char), None) = (pad_chars.next(), pad_chars.next()) else {
        return Err(format!("the function 'padLeft' needs a single padding character, got '{pad}'"));
    };
    let missing = (width.max(0) as usize).saturating_sub(text.chars().count());
    Ok(Value::String(format!("{}{text}", pad_char.to_string().repeat(missing))))
}

fn to_int(args: &[Value]) -> FunctionResult {
    arity("int", args, 1, 1)?;
    match &args[0] {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(f) => Ok(Value::Int(*f as i64)),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| format!("the function 'int' cannot convert '{s}' to an integer")),
        other => Err(type_error("int", "a string or integer", other)),
    }
}

fn to_bool(args: &[Value]) -> FunctionResult {
    arity("bool", args, 1, 1)?;
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::Int(i) => Ok(Value::Bool(*i != 0)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        other => Err(type_error("bool", "'true', 'false', a bool or an integer", other)),
    }
}

fn uri(base: &str, relative: &str) -> String {
    // System.Uri(Uri, string): an absolute relative URI wins; otherwise resolve against the base's path.
    if relative.contains("://") {
        return relative.to_string();
    }
    let authority_end = base.find("://").map(|i| i + 3).and_then(|i| base[i..].find('/').map(|j| i + j));
    if let Some(rest) = relative.strip_prefix('/') {
        let root = authority_end.map(|i| &base[..i]).unwrap_or(base.trim_end_matches('/'));
        return format!("{root}/{rest}");
    }
    match (authority_end, base.rfind('/')) {
        (Some(a), Some(slash)) if slash >= a => format!("{}{relative}", &base[..=slash]),
        _ => format!("{}/{relative}", base.trim_end_matches('/')),
    }
}

/// `Uri.EscapeDataString`: everything but RFC 3986 unreserved characters is percent-encoded.
fn uri_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn uri_component_to_string(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| format!("the function 'uriComponentToString' decoded '{text}' to bytes that are not UTF-8"))
}

fn first_or_last(name: &str, args: &[Value], first: bool) -> FunctionResult {
    arity(name, args, 1, 1)?;
    match &args[0] {
        Value::String(s) => {
            let c = if first { s.chars().next() } else { s.chars().last() };
            Ok(Value::String(c.map(String::from).unwrap_or_default()))
        }
        Value::Array(items) => Ok((if first { items.first() } else { items.last() }).cloned().unwrap_or(Value::Null)),
        other => Err(type_error(name, "a string or array", other)),
    }
}

fn index_of(name: &str, args: &[Value], last: bool) -> FunctionResult {
    arity(name, args, 2, 2)?;
    match &args[0] {
        Value::String(s) => {
            // ARM compares case-insensitively and counts characters.
            let haystack = s.to_lowercase();
            let needle = str_arg(name, args, 1)?.to_lowercase();
            let found = if last { haystack.rfind(&needle) } else { haystack.find(&needle) };
            Ok(Value::Int(found.map(|b| haystack[..b].chars().count() as i64).unwrap_or(-1)))
        }
        Value::Array(items) => {
            let matches = |v: &Value| crate::template::value::arm_equals(v, &args[1]);
            let found = if last { items.iter().rposition(matches) } else { items.iter().position(matches) };
            Ok(Value::Int(found.map(|i| i as i64).unwrap_or(-1)))
        }
        other => Err(type_error(name, "a string or array", other)),
    }
}

fn take_or_skip(name: &str, args: &[Value], take: bool) -> FunctionResult {
    arity(name, args, 2, 2)?;
    let count = int_arg(name, args, 1)?.max(0) as usize;
    match &args[0] {
        Value::String(s) => {
            let chars = s.chars();
            Ok(Value::String(if take { chars.take(count).collect() } else { chars.skip(count).collect() }))
        }
        Value::Array(items) => {
            let iter = items.iter().cloned();
            Ok(Value::Array(if take { iter.take(count).collect() } else { iter.skip(count).collect() }))
        }
        other => Err(type_error(name, "a string or array", other)),
    }
}

/// `like(input, pattern)`: whether `input` matches `pattern`, where `*` stands for any run of characters
/// and everything else matches itself, ignoring case (Bicep's description of the function, Azure/bicep
/// src/Bicep.Core/Semantics/Namespaces/SystemNamespaceType.cs).
fn like(input: &str, pattern: &str) -> bool {
    let input: Vec<char> = input.to_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    // Greedy matching that backtracks to the last `*`: linear in practice, never exponential.
    let (mut i, mut p) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while i < input.len() {
        if p < pattern.len() && pattern[p] == '*' {
            last_star = Some((p, i));
            p += 1;
        } else if p < pattern.len() && pattern[p] == input[i] {
            i += 1;
            p += 1;
        } else if let Some((star, matched)) = last_star {
            p = star + 1;
            i = matched + 1;
            last_star = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// JSON text with a number written `.25` (or `-.25`) outside strings as `0.25`, as ARM's reader
/// (Newtonsoft.Json) takes it: `json('.25')` in azure-quickstart-templates.
fn leading_dot_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = None::<char>;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let starts_value = previous.is_none_or(|p| matches!(p, '[' | ':' | ',' | '-'));
        if c == '.' && starts_value && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('0');
        }
        out.push(c);
        if !c.is_whitespace() {
            previous = Some(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn concat_strings_arrays_and_numbers() {
        assert_eq!(call("concat", vec![s("a"), Value::Int(1), s("b")]).unwrap(), s("a1b"));
        assert_eq!(
            call("concat", vec![Value::Array(vec![s("a")]), Value::Array(vec![s("b")])]).unwrap(),
            Value::Array(vec![s("a"), s("b")])
        );
        assert!(call("concat", vec![]).unwrap_err().contains("takes at least 1 arguments"));
    }

    #[test]
    fn format_composite_items() {
        assert_eq!(call("format", vec![s("{0}-{1}"), s("a"), Value::Int(2)]).unwrap(), s("a-2"));
        assert_eq!(call("format", vec![s("{0:D3}"), Value::Int(7)]).unwrap(), s("007"));
        assert_eq!(call("format", vec![s("{0:N0}"), Value::Int(8175133)]).unwrap(), s("8,175,133"));
        assert_eq!(call("format", vec![s("{{x}} {0}"), Value::Bool(true)]).unwrap(), s("{x} True"));
        assert!(call("format", vec![s("{1}"), s("a")]).unwrap_err().contains("refers to argument 1"));
        assert!(call("format", vec![s("{0"), s("a")]).unwrap_err().contains("unclosed"));
    }

    #[test]
    fn case_and_search_functions() {
        assert_eq!(call("toLower", vec![s("AbC")]).unwrap(), s("abc"));
        assert_eq!(call("toUpper", vec![s("AbC")]).unwrap(), s("ABC"));
        assert_eq!(call("startsWith", vec![s("AbC"), s("ab")]).unwrap(), Value::Bool(true));
        assert_eq!(call("endsWith", vec![s("AbC"), s("bc")]).unwrap(), Value::Bool(true));
        assert_eq!(call("indexOf", vec![s("test"), s("T")]).unwrap(), Value::Int(0));
        assert_eq!(call("lastIndexOf", vec![s("test"), s("t")]).unwrap(), Value::Int(3));
        assert_eq!(call("indexOf", vec![s("abcdef"), s("z")]).unwrap(), Value::Int(-1));
        assert!(call("toLower", vec![Value::Int(1)])
            .unwrap_err()
            .contains("expects a string as argument 1, got int 1"));
    }

    #[test]
    fn substring_and_its_range_errors() {
        assert_eq!(call("substring", vec![s("one two three"), Value::Int(4), Value::Int(3)]).unwrap(), s("two"));
        assert_eq!(call("substring", vec![s("abc"), Value::Int(1)]).unwrap(), s("bc"));
        let error = call("substring", vec![s("abc"), Value::Int(2), Value::Int(5)]).unwrap_err();
        assert!(error.contains("outside the string 'abc' of length 3"), "{error}");
        assert!(call("substring", vec![s("abc")]).unwrap_err().contains("takes 2 to 3 arguments, got 1"));
    }

    #[test]
    fn split_join_replace_trim_pad() {
        assert_eq!(
            call("split", vec![s("a,b;c"), Value::Array(vec![s(","), s(";")])]).unwrap(),
            Value::Array(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(call("join", vec![Value::Array(vec![s("a"), Value::Int(1)]), s("-")]).unwrap(), s("a-1"));
        assert_eq!(call("replace", vec![s("1-2-3"), s("-"), s("")]).unwrap(), s("123"));
        assert_eq!(call("trim", vec![s("  x  ")]).unwrap(), s("x"));
        assert_eq!(call("padLeft", vec![s("123"), Value::Int(10), s("0")]).unwrap(), s("0000000123"));
        assert_eq!(call("padLeft", vec![Value::Int(5), Value::Int(3)]).unwrap(), s("  5"));
    }

    #[test]
    fn first_last_take_skip_length_empty() {
        assert_eq!(call("first", vec![s("One")]).unwrap(), s("O"));
        assert_eq!(call("last", vec![Value::Array(vec![s("a"), s("b")])]).unwrap(), s("b"));
        assert_eq!(call("first", vec![Value::Array(vec![])]).unwrap(), Value::Null);
        assert_eq!(call("take", vec![s("one two"), Value::Int(3)]).unwrap(), s("one"));
        assert_eq!(
            call("skip", vec![Value::Array(vec![s("a"), s("b")]), Value::Int(1)]).unwrap(),
            Value::Array(vec![s("b")])
        );
        assert_eq!(call("length", vec![s("héllo")]).unwrap(), Value::Int(5));
        assert_eq!(call("empty", vec![Value::Null]).unwrap(), Value::Bool(true));
        assert!(call("length", vec![Value::Int(3)]).unwrap_err().contains("expects a string, array or object"));
    }

    #[test]
    fn conversions() {
        assert_eq!(call("string", vec![Value::Bool(false)]).unwrap(), s("False"));
        assert_eq!(call("string", vec![Value::Array(vec![Value::Int(1), s("a")])]).unwrap(), s("[1,\"a\"]"));
        assert_eq!(call("int", vec![s("42")]).unwrap(), Value::Int(42));
        assert!(call("int", vec![s("x")]).unwrap_err().contains("cannot convert 'x'"));
        assert_eq!(call("bool", vec![s("TRUE")]).unwrap(), Value::Bool(true));
        assert_eq!(call("json", vec![s("{\"a\": [1]}")]).unwrap().to_json(), serde_json::json!({"a": [1]}));
        assert_eq!(call("json", vec![s("null")]).unwrap(), Value::Null);
        assert_eq!(
            call("json", vec![s("{'/a/b': {}, \"c\": 'it\\'s'}")]).unwrap().to_json(),
            serde_json::json!({"/a/b": {}, "c": "it's"})
        );
        assert!(call("json", vec![s("{")]).unwrap_err().contains("cannot parse"));
        // What ARM's reader takes beyond the standard: a number without its leading zero, trailing commas.
        assert_eq!(call("json", vec![s(".25")]).unwrap().to_json(), serde_json::json!(0.25));
        assert_eq!(call("json", vec![s("{'a': [-.5, 1,],}")]).unwrap().to_json(), serde_json::json!({"a": [-0.5, 1]}));
        assert_eq!(call("json", vec![s("'.25'")]).unwrap().to_json(), serde_json::json!(".25"), "not inside strings");
    }

    #[test]
    fn base64_data_uri_and_uri_functions() {
        // Values from the examples in learn.microsoft.com "template-functions-string".
        assert_eq!(call("base64", vec![s("one, two, three")]).unwrap(), s("b25lLCB0d28sIHRocmVl"));
        assert_eq!(call("base64ToString", vec![s("b25lLCB0d28sIHRocmVl")]).unwrap(), s("one, two, three"));
        // The example shows `charset=utf8`; Azure's expression library writes `utf-8` (library_vectors.rs).
        assert_eq!(call("dataUri", vec![s("Hello")]).unwrap(), s("data:text/plain;charset=utf-8;base64,SGVsbG8="));
        assert_eq!(call("dataUriToString", vec![s("data:;base64,SGVsbG8sIFdvcmxkIQ==")]).unwrap(), s("Hello, World!"));
        assert_eq!(
            call("uri", vec![s("http://contoso.com/resources/nested/azuredeploy.json"), s("services.json")]).unwrap(),
            s("http://contoso.com/resources/nested/services.json")
        );
        assert_eq!(
            call("uriComponent", vec![s("http://contoso.com/resources/nested/azuredeploy.json")]).unwrap(),
            s("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json")
        );
        assert_eq!(
            call("uriComponentToString", vec![s("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json")])
                .unwrap(),
            s("http://contoso.com/resources/nested/azuredeploy.json")
        );
    }

    #[test]
    fn like_matches_star_wildcards_ignoring_case() {
        // The cases of Bicep's Functions_LF baseline (Azure/bicep src/Bicep.Core.Samples/Files/baselines/
        // Functions_LF/main.bicep); the expected values are ours, from the function's description.
        let cases = [
            ("abc", "abc", true),
            ("abcdef", "a*c*", true),
            ("abcabc", "*abc", true),
            ("aXaYa", "a*a", true),
            ("", "***", true),
            ("a", "b", false),
            ("abc**def", "*def", true),
            ("aXbYa", "a*b*a", true),
            ("OneTwoThree", "*two*", true),
            ("OneTwoThree", "Two*", false),
            ("abc", "ab", false),
            ("a?c", "a?c", true),
            ("abc", "a?c", false),
        ];
        for (input, pattern, expected) in cases {
            assert_eq!(
                call("like", vec![s(input), s(pattern)]).unwrap(),
                Value::Bool(expected),
                "like({input}, {pattern})"
            );
        }
        assert!(call("like", vec![s("abc")]).unwrap_err().contains("'like' takes 2 arguments, got 1"));
        assert!(call("like", vec![Value::Int(123), s("a*")])
            .unwrap_err()
            .contains("'like' expects a string as argument 1"));
    }
}
