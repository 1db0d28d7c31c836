//! The JSON that ARM accepts beyond the standard (azure-semantics §18 quirks 2 and 3): comments
//! (`//` and `/* … */` wherever whitespace may be), trailing commas before `]` and `}`, and raw
//! line breaks and tabs inside string literals (multi-line expressions). [`to_strict`] rewrites such
//! text into standard JSON with the same values. Comments and trailing commas become spaces, so every
//! line and column stays where it was; a raw line break inside a string becomes the two-character
//! escape `\n`, so positions after one move (such strings are rare, and only in templates).

/// The text as standard JSON, or `None` when it has nothing to rewrite.
pub fn to_strict(text: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    let mut in_string = false;
    // Where each comma outside strings sits in `out`, until the next significant byte tells
    // whether it was trailing.
    let mut pending_comma: Option<usize> = None;
    while i < text.len() {
        let b = text[i];
        if in_string {
            match b {
                b'\\' if i + 1 < text.len() => {
                    out.extend_from_slice(&text[i..i + 2]);
                    i += 2;
                    continue;
                }
                b'"' => in_string = false,
                b'\n' => {
                    out.extend_from_slice(b"\\n");
                    changed = true;
                    i += 1;
                    continue;
                }
                b'\r' => {
                    out.extend_from_slice(b"\\r");
                    changed = true;
                    i += 1;
                    continue;
                }
                b'\t' => {
                    out.extend_from_slice(b"\\t");
                    changed = true;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            out.push(b);
            i += 1;
            continue;
        }
        match (b, text.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < text.len() && text[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
                changed = true;
                continue;
            }
            (b'/', Some(b'*')) => {
                let end = text[i + 2..].windows(2).position(|w| w == b"*/").map_or(text.len(), |p| i + 2 + p + 2);
                for &c in &text[i..end] {
                    out.push(if c == b'\n' || c == b'\r' { c } else { b' ' });
                }
                changed = true;
                i = end;
                continue;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            if let Some(at) = pending_comma.take() {
                if b == b']' || b == b'}' {
                    out[at] = b' ';
                    changed = true;
                }
            }
        }
        match b {
            b'"' => in_string = true,
            b',' => pending_comma = Some(out.len()),
            _ => {}
        }
        out.push(b);
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::to_strict;
    use serde_json::json;

    fn parse(text: &str) -> serde_json::Value {
        let strict = to_strict(text.as_bytes()).expect("something to rewrite");
        serde_json::from_slice(&strict).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&strict)))
    }

    #[test]
    fn comments_and_trailing_commas_are_whitespace_and_strings_keep_their_slashes() {
        let text = "{\n  // the vnet\n  \"a\": \"http://x/*y*/\", /* block\n comment */ \"b\": [1, 2,],\n}\n";
        assert_eq!(parse(text), json!({"a": "http://x/*y*/", "b": [1, 2]}));
        let strict = to_strict(text.as_bytes()).unwrap();
        assert_eq!(strict.len(), text.len(), "positions are kept");
        assert_eq!(strict.iter().filter(|b| **b == b'\n').count(), text.matches('\n').count());
    }

    #[test]
    fn raw_line_breaks_inside_strings_become_escapes() {
        assert_eq!(parse("{\"e\": \"[concat('a',\n  'b')]\"}"), json!({"e": "[concat('a',\n  'b')]"}));
    }

    #[test]
    fn standard_json_is_left_alone_and_escaped_quotes_do_not_end_strings() {
        assert_eq!(to_strict(br#"{"a": "say \"//hi\"", "b": [1, 2]}"#), None);
    }
}
