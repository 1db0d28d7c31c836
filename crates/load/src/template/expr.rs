//! The ARM template expression language: `"[concat('a', parameters('b')).c[0]]"`.
//!
//! Grammar (learn.microsoft.com, "template-expressions"):
//! ```text
//! expression := primary ( '.' identifier | '[' expression ']' )*
//! primary    := string | integer | identifier '(' [ expression ( ',' expression )* ] ')'
//! string     := "'" ( any char except "'" | "''" )* "'"
//! ```
//! `true`, `false` and `null` are functions in ARM (`true()`); the bare words are accepted too.
//! A JSON string is an expression when it starts with `[` and ends with `]`; a string starting
//! with `[[` is the literal text with the first `[` removed.

use std::fmt;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    String(String),
    Int(i64),
    Bool(bool),
    Null,
    /// A function call; `name` may be namespaced (`__bicep.getName`) for user-defined functions.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    Property {
        target: Box<Expr>,
        name: String,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
}

/// What a JSON string in a template means.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateString {
    Literal(String),
    Expression(Expr),
}

/// An expression that cannot be parsed: the expression text, the byte offset in it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub expression: String,
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot parse expression `{}` at offset {}: {}", self.expression, self.offset, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Classifies a JSON string from a template as a literal or an expression.
pub fn parse_template_string(text: &str) -> Result<TemplateString, ParseError> {
    if let Some(rest) = text.strip_prefix("[[") {
        return Ok(TemplateString::Literal(format!("[{rest}")));
    }
    if text.len() >= 2 && text.starts_with('[') && text.ends_with(']') {
        let inner = &text[1..text.len() - 1];
        let mut parser = Parser { text, bytes: text.as_bytes(), pos: 1, end: 1 + inner.len(), depth: 0 };
        let expr = parser.expression()?;
        parser.skip_whitespace();
        if parser.pos != parser.end {
            return Err(parser.error("unexpected text after the expression"));
        }
        return Ok(TemplateString::Expression(expr));
    }
    Ok(TemplateString::Literal(text.to_string()))
}

/// Parses a bare expression (without the surrounding brackets).
pub fn parse_expression(text: &str) -> Result<Expr, ParseError> {
    match parse_template_string(&format!("[{text}]"))? {
        TemplateString::Expression(e) => Ok(e),
        TemplateString::Literal(_) => {
            Err(ParseError { expression: text.to_string(), offset: 0, message: "not an expression".into() })
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    /// Nesting depth, bounded so that hostile input cannot exhaust the stack.
    depth: usize,
}

const MAX_NESTING: usize = 128;

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'@'
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ParseError {
        ParseError { expression: self.text.to_string(), offset: self.pos, message: message.to_string() }
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.bytes[self.pos])
    }

    /// Skips white space, Unicode's included: ARM reads `resourceId('…',\u{a0}parameters('…'))`
    /// (a no-break space after the comma) as it reads a space (azure-quickstart-templates
    /// `101-event-grid-subscription-and-storage` deploys).
    fn skip_whitespace(&mut self) {
        while self.pos < self.end {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b) if b >= 0x80 => match self.text[self.pos..self.end].chars().next() {
                    Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn expression(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(&format!("expressions nest deeper than {MAX_NESTING} levels")));
        }
        let result = self.postfix();
        self.depth -= 1;
        result
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut expr = self.primary()?;
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    let name = self.identifier()?;
                    expr = Expr::Property { target: Box::new(expr), name };
                }
                Some(b'[') => {
                    self.pos += 1;
                    let index = self.expression()?;
                    self.expect(b']')?;
                    expr = Expr::Index { target: Box::new(expr), index: Box::new(index) };
                }
                _ => return Ok(expr),
            }
        }
    }

    fn identifier(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(is_identifier_byte) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a name"));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("expected an expression")),
            Some(b'\'') => self.string(),
            Some(b) if b.is_ascii_digit() || b == b'-' => self.integer(),
            Some(b) if is_identifier_byte(b) => {
                let start = self.pos;
                let mut name = self.identifier()?;
                // A dotted name directly followed by `(` is a namespaced user-defined function.
                while self.peek() == Some(b'.') && self.bytes.get(self.pos + 1).copied().is_some_and(is_identifier_byte)
                {
                    let save = self.pos;
                    self.pos += 1;
                    let part = self.identifier()?;
                    let mut lookahead = self.pos;
                    while lookahead < self.end && self.bytes[lookahead].is_ascii_whitespace() {
                        lookahead += 1;
                    }
                    if self.bytes.get(lookahead) == Some(&b'(') || self.peek() == Some(b'.') {
                        name = format!("{name}.{part}");
                    } else {
                        self.pos = save;
                        break;
                    }
                }
                self.skip_whitespace();
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    let args = self.arguments()?;
                    return Ok(Expr::Call { name, args });
                }
                match name.to_ascii_lowercase().as_str() {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => {
                        self.pos = start;
                        Err(self.error(&format!("`{name}` must be called as a function: `{name}(...)`")))
                    }
                }
            }
            Some(_) => Err(self.error("expected a function call, a string or an integer")),
        }
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut args = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err(self.error("expected `,` or `)`")),
            }
        }
    }

    fn string(&mut self) -> Result<Expr, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        let mut chunk_start = self.pos;
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return Err(self.error("unterminated string literal"));
                }
                Some(b'\'') => {
                    value.push_str(&self.text[chunk_start..self.pos]);
                    if self.bytes.get(self.pos + 1) == Some(&b'\'') && self.pos + 1 < self.end {
                        value.push('\'');
                        self.pos += 2;
                        chunk_start = self.pos;
                    } else {
                        self.pos += 1;
                        return Ok(Expr::String(value));
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn integer(&mut self) -> Result<Expr, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.text[start..self.pos].parse::<i64>().map(Expr::Int).map_err(|_| {
            self.pos = start;
            self.error("invalid integer")
        })
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Expr::Int(i) => write!(f, "{i}"),
            Expr::Bool(b) => write!(f, "{b}()"),
            Expr::Null => write!(f, "null()"),
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                write!(f, ")")
            }
            Expr::Property { target, name } => write!(f, "{target}.{name}"),
            Expr::Index { target, index } => write!(f, "{target}[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call { name: name.into(), args }
    }

    #[test]
    fn literal_strings_and_the_double_bracket_escape() {
        assert_eq!(parse_template_string("plain").unwrap(), TemplateString::Literal("plain".into()));
        assert_eq!(
            parse_template_string("[[not an expression]").unwrap(),
            TemplateString::Literal("[not an expression]".into())
        );
        assert_eq!(parse_template_string("[x").unwrap(), TemplateString::Literal("[x".into()));
    }

    #[test]
    fn nested_calls_properties_and_indexes() {
        let parsed = parse_expression("reference(parameters('a'), '2020-01-01').outputs['x-y'].value[0]").unwrap();
        let reference = call(
            "reference",
            vec![call("parameters", vec![Expr::String("a".into())]), Expr::String("2020-01-01".into())],
        );
        let expected = Expr::Index {
            target: Box::new(Expr::Property {
                target: Box::new(Expr::Index {
                    target: Box::new(Expr::Property { target: Box::new(reference), name: "outputs".into() }),
                    index: Box::new(Expr::String("x-y".into())),
                }),
                name: "value".into(),
            }),
            index: Box::new(Expr::Int(0)),
        };
        assert_eq!(parsed, expected);
    }

    #[test]
    fn doubled_quotes_integers_and_keywords() {
        assert_eq!(parse_expression("'it''s'").unwrap(), Expr::String("it's".into()));
        assert_eq!(parse_expression(" -12 ").unwrap(), Expr::Int(-12));
        assert_eq!(parse_expression("true()").unwrap(), call("true", vec![]));
        assert_eq!(parse_expression("null").unwrap(), Expr::Null);
    }

    #[test]
    fn namespaced_user_functions() {
        assert_eq!(
            parse_expression("__bicep.getName('a')").unwrap(),
            call("__bicep.getName", vec![Expr::String("a".into())])
        );
        assert_eq!(
            parse_expression("resourceGroup().location").unwrap(),
            Expr::Property { target: Box::new(call("resourceGroup", vec![])), name: "location".into() }
        );
    }

    #[test]
    fn errors_name_the_expression_and_offset() {
        let error = parse_template_string("[concat('a', ]").unwrap_err();
        assert_eq!(error.expression, "[concat('a', ]");
        assert_eq!(error.offset, 13);
        let error = parse_template_string("[concat('a)]").unwrap_err();
        assert_eq!(error.offset, 8);
        assert!(error.message.contains("unterminated"));
        let error = parse_template_string("[foo]").unwrap_err();
        assert!(error.to_string().contains("`foo` must be called as a function"), "{error}");
        assert!(parse_template_string("[concat('a') x]").is_err());
        let deep = format!("[{}1{}]", "array(".repeat(200), ")".repeat(200));
        assert!(parse_template_string(&deep).unwrap_err().message.contains("nest deeper"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
            let _ = parse_template_string(&format!("[{text}]"));
        }

        #[test]
        fn printed_expressions_parse_back(name in "[a-z]{1,8}", text in "[a-z' ]{0,10}", number in -1000i64..1000) {
            let expr = Expr::Call { name, args: vec![Expr::String(text), Expr::Int(number)] };
            let printed = expr.to_string();
            proptest::prop_assert_eq!(parse_expression(&printed).unwrap(), expr);
        }
    }

    #[test]
    fn display_round_trips() {
        let text = "concat('it''s', parameters('a').b[1])";
        assert_eq!(parse_expression(text).unwrap().to_string(), text);
    }
}
