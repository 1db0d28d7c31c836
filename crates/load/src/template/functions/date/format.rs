//! .NET date and time format strings, which `utcNow` and `dateTimeAdd` take, in the invariant
//! culture Azure formats with (`utcNow('d')` is `03/05/2019`, not en-US `3/5/2019`: learn.microsoft.com
//! "template-functions-date", utcNow example output).
//!
//! Sources: learn.microsoft.com "Standard date and time format strings" and "Custom date and time
//! format strings" (.NET), with the invariant culture's patterns and names.

use super::date_time::{Civil, DateTime};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Formats a UTC instant; the error says why the pattern is not a .NET format string.
pub fn format_date_time(instant: DateTime, pattern: &str) -> Result<String, String> {
    let pattern = if pattern.chars().count() == 1 { standard_pattern(pattern)? } else { pattern };
    format_custom(&instant.civil(), pattern)
}

/// A one-letter format is a standard format: its invariant-culture custom pattern.
fn standard_pattern(letter: &str) -> Result<&'static str, String> {
    Ok(match letter {
        "d" => "MM/dd/yyyy",
        "D" => "dddd, dd MMMM yyyy",
        "f" => "dddd, dd MMMM yyyy HH:mm",
        "F" | "U" => "dddd, dd MMMM yyyy HH:mm:ss",
        "g" => "MM/dd/yyyy HH:mm",
        "G" => "MM/dd/yyyy HH:mm:ss",
        "m" | "M" => "MMMM dd",
        "o" | "O" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "r" | "R" => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "t" => "HH:mm",
        "T" => "HH:mm:ss",
        "u" => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "y" | "Y" => "yyyy MMMM",
        other => return Err(format!("'{other}' is not a standard date and time format")),
    })
}

fn format_custom(c: &Civil, pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        let run = chars[i..].iter().take_while(|&&d| d == ch).count();
        let mut consumed = run;
        match ch {
            'y' => out.push_str(&year(c.year, run)),
            'M' => out.push_str(&match run {
                1 => c.month.to_string(),
                2 => format!("{:02}", c.month),
                3 => MONTHS[c.month as usize - 1][..3].to_string(),
                _ => MONTHS[c.month as usize - 1].to_string(),
            }),
            'd' => out.push_str(&match run {
                1 => c.day.to_string(),
                2 => format!("{:02}", c.day),
                3 => DAYS[c.weekday as usize][..3].to_string(),
                _ => DAYS[c.weekday as usize].to_string(),
            }),
            'H' => out.push_str(&two_digits(c.hour, run)),
            'h' => out.push_str(&two_digits((c.hour + 11) % 12 + 1, run)),
            'm' => out.push_str(&two_digits(c.minute, run)),
            's' => out.push_str(&two_digits(c.second, run)),
            't' => {
                let designator = if c.hour < 12 { "AM" } else { "PM" };
                out.push_str(if run == 1 { &designator[..1] } else { designator });
            }
            'f' | 'F' => {
                if run > 7 {
                    return Err("more than seven fraction digits ('f' or 'F') were asked for".to_string());
                }
                let digits = format!("{:07}", c.fraction);
                let digits = &digits[..run];
                if ch == 'f' {
                    out.push_str(digits);
                } else {
                    let trimmed = digits.trim_end_matches('0');
                    // .NET drops the decimal point before an `F` fraction that prints nothing.
                    if trimmed.is_empty() && out.ends_with('.') {
                        out.pop();
                    }
                    out.push_str(trimmed);
                }
            }
            // The instant is UTC: `K` writes `Z`, and the offset specifiers write a zero offset.
            'K' => out.push_str(&"Z".repeat(run)),
            'z' => out.push_str(match run {
                1 => "+0",
                2 => "+00",
                _ => "+00:00",
            }),
            'g' => out.push_str("A.D."),
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&d| d == ch).ok_or("a quoted literal is not closed")?;
                out.extend(&chars[i + 1..i + 1 + close]);
                consumed = close + 2;
            }
            '\\' => {
                let escaped = chars.get(i + 1).ok_or("the pattern ends with an escape character")?;
                out.push(*escaped);
                consumed = 2;
            }
            // `%` makes the next letter a custom specifier (`%d`): it is simply skipped here.
            '%' => consumed = 1,
            other => {
                out.push(other);
                consumed = 1;
            }
        }
        i += consumed;
    }
    Ok(out)
}

fn year(year: i64, run: usize) -> String {
    match run {
        1 => (year % 100).to_string(),
        2 => format!("{:02}", year % 100),
        n => format!("{year:0n$}"),
    }
}

/// `H`, `h`, `m`, `s`: one letter is unpadded, two or more are two digits.
fn two_digits(value: u32, run: usize) -> String {
    if run == 1 {
        value.to_string()
    } else {
        format!("{value:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime {
        DateTime::parse_iso8601(text).unwrap()
    }

    #[test]
    fn examples_from_the_utc_now_documentation() {
        // learn.microsoft.com "template-functions-date", utcNow example: 20190305T175318Z, 03/05/2019, "3 5".
        let instant = at("2019-03-05T17:53:18Z");
        assert_eq!(format_date_time(instant, "yyyyMMddTHHmmssZ").unwrap(), "20190305T175318Z");
        assert_eq!(format_date_time(instant, "d").unwrap(), "03/05/2019");
        assert_eq!(format_date_time(instant, "M d").unwrap(), "3 5");
    }

    #[test]
    fn standard_formats() {
        let instant = at("2020-04-07T14:53:14.25Z");
        let cases = [
            ("u", "2020-04-07 14:53:14Z"),
            ("s", "2020-04-07T14:53:14"),
            ("o", "2020-04-07T14:53:14.2500000Z"),
            ("D", "Tuesday, 07 April 2020"),
            ("f", "Tuesday, 07 April 2020 14:53"),
            ("G", "04/07/2020 14:53:14"),
            ("r", "Tue, 07 Apr 2020 14:53:14 GMT"),
            ("m", "April 07"),
            ("y", "2020 April"),
            ("t", "14:53"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(format_date_time(instant, pattern).unwrap(), expected, "{pattern}");
        }
        assert!(format_date_time(instant, "x").unwrap_err().contains("'x' is not a standard"));
    }

    #[test]
    fn custom_specifiers() {
        let instant = at("2020-04-07T09:03:04.0500000Z");
        assert_eq!(format_date_time(instant, "h:mm tt").unwrap(), "9:03 AM");
        assert_eq!(format_date_time(instant, "hh t, yy y yyyyy").unwrap(), "09 A, 20 20 02020");
        assert_eq!(format_date_time(instant, "ss.fff ss.FFF").unwrap(), "04.050 04.05");
        assert_eq!(format_date_time(at("2020-04-07T09:03:04Z"), "HH:mm:ss.FFFFFFFK").unwrap(), "09:03:04Z");
        assert_eq!(format_date_time(instant, "'yyyy' \"MM\" \\d %d zzz").unwrap(), "yyyy MM d 7 +00:00");
        assert!(format_date_time(instant, "'open").unwrap_err().contains("not closed"));
        assert!(format_date_time(instant, "ffffffff").unwrap_err().contains("seven"));
    }
}
