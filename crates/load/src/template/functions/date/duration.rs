//! ISO 8601 durations for `dateTimeAdd`, read as XML Schema's `xs:duration` (.NET's
//! `XmlConvert.ToTimeSpan`): `-?PnYnMnDTnHnMn.nS`.
//!
//! Microsoft documents that `dateTimeAdd` ignores the calendar: `P1Y` adds 365 days and `P1M` 30 days
//! (learn.microsoft.com "template-functions-date", remarks), exactly how `XmlConvert.ToTimeSpan`
//! converts them. That grammar has no weeks, so `P1W` is rejected.

use super::date_time::{TICKS_PER_DAY, TICKS_PER_SECOND};

/// The duration in ticks (100 ns), negative for a leading `-`; `None` if it is not one.
pub fn parse_duration(text: &str) -> Option<i64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut ticks: i64 = 0;
    let mut components = 0;
    let mut add = |amount: i64, unit_ticks: i64| -> Option<()> {
        components += 1;
        ticks = ticks.checked_add(amount.checked_mul(unit_ticks)?)?;
        Some(())
    };
    for (amount, designator) in components_of(date_part, "YMD")? {
        let unit = match designator {
            'Y' => 365 * TICKS_PER_DAY,
            'M' => 30 * TICKS_PER_DAY,
            _ => TICKS_PER_DAY,
        };
        add(whole(amount)?, unit)?;
    }
    if let Some(time_part) = time_part {
        for (amount, designator) in components_of(time_part, "HMS")? {
            match designator {
                'H' => add(whole(amount)?, 3600 * TICKS_PER_SECOND)?,
                'M' => add(whole(amount)?, 60 * TICKS_PER_SECOND)?,
                _ => add(1, seconds_as_ticks(amount)?)?,
            }
        }
    }
    if components == 0 {
        return None;
    }
    Some(if negative { -ticks } else { ticks })
}

/// Splits `3Y2M` into `[("3", 'Y'), ("2", 'M')]`, each designator at most once and in `order`.
fn components_of<'a>(text: &'a str, order: &str) -> Option<Vec<(&'a str, char)>> {
    let mut components = Vec::new();
    let mut allowed = order.chars();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let designator = rest[end..].chars().next()?;
        if end == 0 || !allowed.by_ref().any(|d| d == designator) {
            return None;
        }
        components.push((&rest[..end], designator));
        rest = &rest[end + 1..];
    }
    Some(components)
}

fn whole(amount: &str) -> Option<i64> {
    if amount.contains('.') {
        return None;
    }
    amount.parse().ok()
}

/// Seconds may have a fraction (`1.5S`); digits past the seventh are dropped.
fn seconds_as_ticks(amount: &str) -> Option<i64> {
    let (seconds, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if seconds.is_empty() || fraction.contains('.') {
        return None;
    }
    let fraction: String = fraction.chars().chain(std::iter::repeat('0')).take(7).collect();
    whole(seconds)?.checked_mul(TICKS_PER_SECOND)?.checked_add(fraction.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600 * TICKS_PER_SECOND;

    #[test]
    fn calendar_units_are_fixed_lengths() {
        assert_eq!(parse_duration("P1Y"), Some(365 * TICKS_PER_DAY));
        assert_eq!(parse_duration("P1M"), Some(30 * TICKS_PER_DAY));
        assert_eq!(parse_duration("P1Y2M3D"), Some((365 + 60 + 3) * TICKS_PER_DAY));
        assert_eq!(parse_duration("-P9D"), Some(-9 * TICKS_PER_DAY));
    }

    #[test]
    fn time_units() {
        assert_eq!(parse_duration("PT1H"), Some(HOUR));
        assert_eq!(parse_duration("PT96H"), Some(96 * HOUR));
        assert_eq!(parse_duration("P1DT2H30M"), Some(TICKS_PER_DAY + 2 * HOUR + 30 * 60 * TICKS_PER_SECOND));
        assert_eq!(parse_duration("PT1.5S"), Some(15_000_000));
        assert_eq!(parse_duration("PT0S"), Some(0));
    }

    #[test]
    fn malformed_durations() {
        // The first is the invalid duration of Bicep's Invalid_Expressions baseline, which Azure rejects.
        for bad in
            ["PTASDIONS1D", "", "P", "PT", "1D", "P1W", "P1H", "PT1D", "P1D1Y", "P1.5D", "PT1.5H", "P-1D", "PT1..5S"]
        {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(parse_duration("P99999999999999999999D"), None, "overflow");
    }
}
