//! A UTC instant as ARM's date functions see it: .NET `DateTime` ticks (100 ns since 0001-01-01),
//! so the range (years 1 to 9999) and the precision (seven fractional digits) are .NET's.

/// 100-nanosecond ticks in a second and a day, as .NET counts them.
pub(super) const TICKS_PER_SECOND: i64 = 10_000_000;
pub(super) const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
/// Ticks at 1970-01-01T00:00:00Z, the Unix epoch `dateTimeToEpoch` counts from.
const UNIX_EPOCH_TICKS: i64 = 719_162 * TICKS_PER_DAY;
/// Ticks at 9999-12-31T23:59:59.9999999, .NET's `DateTime.MaxValue`.
const MAX_TICKS: i64 = 3_155_378_975_999_999_999;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    ticks: i64,
}

/// The calendar fields of a [`DateTime`] (proleptic Gregorian, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// The sub-second part in ticks (0 to 9,999,999).
    pub fraction: u32,
    /// 0 for Sunday to 6 for Saturday, as .NET's `DayOfWeek`.
    pub weekday: u32,
}

impl DateTime {
    /// `None` outside .NET's range (years 1 to 9999).
    pub fn from_ticks(ticks: i64) -> Option<DateTime> {
        (0..=MAX_TICKS).contains(&ticks).then_some(DateTime { ticks })
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<DateTime> {
        seconds.checked_mul(TICKS_PER_SECOND)?.checked_add(UNIX_EPOCH_TICKS).and_then(DateTime::from_ticks)
    }

    /// Whole seconds since the Unix epoch, rounded down as .NET's `ToUnixTimeSeconds` does.
    pub fn unix_seconds(self) -> i64 {
        self.ticks.div_euclid(TICKS_PER_SECOND) - UNIX_EPOCH_TICKS / TICKS_PER_SECOND
    }

    pub fn checked_add_ticks(self, ticks: i64) -> Option<DateTime> {
        self.ticks.checked_add(ticks).and_then(DateTime::from_ticks)
    }

    pub fn civil(self) -> Civil {
        let days = self.ticks / TICKS_PER_DAY;
        let in_day = self.ticks % TICKS_PER_DAY;
        let (year, month, day) = civil_from_days(days - UNIX_EPOCH_TICKS / TICKS_PER_DAY);
        let seconds = in_day / TICKS_PER_SECOND;
        Civil {
            year,
            month,
            day,
            hour: (seconds / 3600) as u32,
            minute: (seconds / 60 % 60) as u32,
            second: (seconds % 60) as u32,
            fraction: (in_day % TICKS_PER_SECOND) as u32,
            // 0001-01-01 was a Monday.
            weekday: ((days + 1) % 7) as u32,
        }
    }

    /// Parses the ISO 8601 forms templates use: extended (`2020-04-07T14:53:14.5Z`, also with a space
    /// for the `T` as `utcNow('u')` writes it) and basic (`20200407T145314Z`, `utcNow()`'s default),
    /// with an optional time, fraction and `Z` or `±hh:mm` offset. Without an offset the time is UTC.
    pub fn parse_iso8601(text: &str) -> Option<DateTime> {
        let mut cursor = Cursor { rest: text.trim() };
        let year = cursor.digits(4)?;
        let extended = cursor.eat('-');
        let month = cursor.digits(2)?;
        if extended && !cursor.eat('-') {
            return None;
        }
        let day = cursor.digits(2)?;
        let (mut hour, mut minute, mut second, mut fraction) = (0, 0, 0, 0);
        if cursor.eat('T') || cursor.eat('t') || cursor.eat(' ') {
            hour = cursor.digits(2)?;
            let separated = |c: &mut Cursor| if extended { c.eat(':') } else { c.peek_digit() };
            if separated(&mut cursor) {
                minute = cursor.digits(2)?;
                if separated(&mut cursor) {
                    second = cursor.digits(2)?;
                    if cursor.eat('.') || cursor.eat(',') {
                        fraction = cursor.fraction_ticks()?;
                    }
                }
            }
        }
        let offset_minutes = cursor.offset_minutes()?;
        if !cursor.rest.is_empty() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let days = days_from_civil(year, month as u32, day as u32)?;
        let seconds = ((days * 24 + hour) * 60 + minute - offset_minutes) * 60 + second;
        seconds.checked_mul(TICKS_PER_SECOND)?.checked_add(UNIX_EPOCH_TICKS + fraction).and_then(DateTime::from_ticks)
    }
}

/// Reads a date-time string from the front.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn peek_digit(&mut self) -> bool {
        self.rest.starts_with(|c: char| c.is_ascii_digit())
    }

    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.rest.get(..count).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
        self.rest = &self.rest[count..];
        digits.parse().ok()
    }

    /// A decimal fraction of a second as ticks; digits past the seventh are dropped.
    fn fraction_ticks(&mut self) -> Option<i64> {
        let length = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return None;
        }
        let digits = &self.rest[..length];
        self.rest = &self.rest[length..];
        let kept: String = digits.chars().chain(std::iter::repeat('0')).take(7).collect();
        kept.parse().ok()
    }

    /// `Z`, `±hh`, `±hhmm`, `±hh:mm` or nothing (UTC), as minutes east of UTC.
    fn offset_minutes(&mut self) -> Option<i64> {
        if self.eat('Z') || self.eat('z') || self.rest.is_empty() {
            return Some(0);
        }
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return None;
        };
        let hours = self.digits(2)?;
        self.eat(':');
        let minutes = if self.rest.is_empty() { 0 } else { self.digits(2)? };
        (hours <= 14 && minutes <= 59).then_some(sign * (hours * 60 + minutes))
    }
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date; `None` for a date that does not exist.
/// (Howard Hinnant's `days_from_civil`.)
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Civil {
        DateTime::parse_iso8601(text).unwrap_or_else(|| panic!("{text} should parse")).civil()
    }

    #[test]
    fn unix_epoch_round_trips() {
        // learn.microsoft.com "template-functions-date" (dateTimeFromEpoch example output).
        let instant = DateTime::from_unix_seconds(1_683_040_573).unwrap();
        let c = instant.civil();
        assert_eq!((c.year, c.month, c.day, c.hour, c.minute, c.second), (2023, 5, 2, 15, 16, 13));
        assert_eq!(instant.unix_seconds(), 1_683_040_573);
        assert_eq!(DateTime::from_unix_seconds(-1).unwrap().unix_seconds(), -1);
        assert_eq!(DateTime::parse_iso8601("1969-12-31T23:59:59.5Z").unwrap().unix_seconds(), -1);
    }

    #[test]
    fn calendar_fields_and_weekdays() {
        let c = parse("2024-02-29T23:59:59.1234567Z");
        assert_eq!((c.year, c.month, c.day, c.fraction), (2024, 2, 29, 1_234_567));
        assert_eq!(parse("2024-02-29").weekday, 4, "a Thursday");
        assert_eq!(parse("0001-01-01").weekday, 1, "a Monday");
        assert_eq!(parse("2000-03-01").weekday, 3, "a Wednesday");
        let last = parse("9999-12-31T23:59:59.9999999Z");
        assert_eq!((last.year, last.month, last.day, last.fraction), (9999, 12, 31, 9_999_999));
    }

    #[test]
    fn iso8601_forms() {
        assert_eq!(parse("2020-04-07 14:53:14Z"), parse("2020-04-07T14:53:14Z"));
        assert_eq!(parse("20200407T145314Z"), parse("2020-04-07T14:53:14Z"));
        assert_eq!(parse("2020-04-07T16:53:14+02:00"), parse("2020-04-07T14:53:14Z"));
        assert_eq!(parse("2020-04-07T12:23:14-0230"), parse("2020-04-07T14:53:14Z"));
        assert_eq!(parse("2020-04-07T14:53:14"), parse("2020-04-07T14:53:14Z"));
        assert_eq!(parse("2020-04-07T14:53Z").second, 0);
        assert_eq!(parse("2020-04-07T14:53:14.123456789Z").fraction, 1_234_567);
        for bad in
            ["", "2020", "2020-13-01", "2023-02-29", "2020-04-07T24:00:00Z", "2020-04-07X", "2020-0407", "07/04/2020"]
        {
            assert_eq!(DateTime::parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn range_is_dotnets() {
        assert!(DateTime::parse_iso8601("0001-01-01T00:00:00Z").is_some());
        assert!(DateTime::parse_iso8601("0001-01-01T00:00:00+01:00").is_none(), "before year 1");
        assert!(DateTime::from_unix_seconds(i64::MAX).is_none());
        assert!(DateTime::from_unix_seconds(253_402_300_800).is_none(), "year 10000");
    }
}
