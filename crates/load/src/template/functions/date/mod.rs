//! Date functions (learn.microsoft.com "template-functions-date"): `dateTimeAdd`, `dateTimeFromEpoch`,
//! `dateTimeToEpoch`, and the formatting behind `utcNow`, whose instant the evaluator injects (the
//! twin never reads the clock, so evaluation stays deterministic).

mod date_time;
mod duration;
mod format;

use date_time::DateTime;
use duration::parse_duration;
use format::format_date_time;

use super::{arity, int_arg, str_arg, FunctionResult};
use crate::template::value::Value;

/// What `dateTimeAdd` writes without a format: ISO 8601 in UTC, with a fraction only when there is one
/// (Bicep's build-params baseline: `dateTimeAdd(dateTimeFromEpoch(1680224438), 'P1D')` is
/// `2023-04-01T01:00:38Z`; Learn: `dateTimeAdd('2023-01-01 00:00:00Z', 'P1Y')` is `2024-01-01T00:00:00Z`).
const ROUND_TRIP_FORMAT: &str = "yyyy-MM-ddTHH:mm:ss.FFFFFFFK";
/// What `dateTimeFromEpoch` writes (Learn's example output: `2023-05-02T15:16:13Z`).
const EPOCH_FORMAT: &str = "yyyy-MM-ddTHH:mm:ssK";
/// `utcNow()` without a format (learn.microsoft.com "template-functions-date").
const UTC_NOW_FORMAT: &str = "yyyyMMddTHHmmssZ";

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "datetimeadd" => date_time_add(args),
        "datetimefromepoch" => date_time_from_epoch(args),
        "datetimetoepoch" => date_time_to_epoch(args),
        _ => return None,
    };
    Some(result)
}

/// `utcNow([format])` at the instant the caller injected (`yyyy-MM-ddTHH:mm:ssZ`).
pub fn utc_now(injected: &str, args: &[Value]) -> FunctionResult {
    arity("utcNow", args, 0, 1)?;
    if let Some(unknown) = args.iter().find(|a| a.is_unknown()) {
        return Ok(unknown.clone());
    }
    let format = if args.is_empty() { UTC_NOW_FORMAT } else { str_arg("utcNow", args, 0)? };
    let instant = DateTime::parse_iso8601(injected)
        .ok_or_else(|| format!("the instant given for utcNow, '{injected}', is not an ISO 8601 date-time"))?;
    formatted("utcNow", instant, format)
}

fn date_time_add(args: &[Value]) -> FunctionResult {
    const NAME: &str = "dateTimeAdd";
    arity(NAME, args, 2, 3)?;
    let base = date_time_arg(NAME, args, 0)?;
    let duration = str_arg(NAME, args, 1)?;
    let format = if args.len() == 3 { str_arg(NAME, args, 2)? } else { ROUND_TRIP_FORMAT };
    let ticks = parse_duration(duration).ok_or_else(|| {
        format!("the function '{NAME}' expects an ISO 8601 duration (such as 'P1D' or '-PT1H') as argument 2, got '{duration}'")
    })?;
    let sum = base.checked_add_ticks(ticks).ok_or_else(|| {
        format!("the function '{NAME}' cannot add '{duration}': the result is outside the years 1 to 9999")
    })?;
    formatted(NAME, sum, format)
}

fn date_time_from_epoch(args: &[Value]) -> FunctionResult {
    const NAME: &str = "dateTimeFromEpoch";
    arity(NAME, args, 1, 1)?;
    let seconds = int_arg(NAME, args, 0)?;
    let instant = DateTime::from_unix_seconds(seconds)
        .ok_or_else(|| format!("the function '{NAME}' got {seconds}, which is outside the years 1 to 9999"))?;
    formatted(NAME, instant, EPOCH_FORMAT)
}

fn date_time_to_epoch(args: &[Value]) -> FunctionResult {
    const NAME: &str = "dateTimeToEpoch";
    arity(NAME, args, 1, 1)?;
    Ok(Value::Int(date_time_arg(NAME, args, 0)?.unix_seconds()))
}

fn date_time_arg(name: &str, args: &[Value], index: usize) -> Result<DateTime, String> {
    let text = str_arg(name, args, index)?;
    DateTime::parse_iso8601(text).ok_or_else(|| {
        format!("the function '{name}' expects an ISO 8601 date-time as argument {}, got '{text}'", index + 1)
    })
}

fn formatted(name: &str, instant: DateTime, format: &str) -> FunctionResult {
    format_date_time(instant, format)
        .map(Value::String)
        .map_err(|why| format!("the function '{name}' cannot format a date with '{format}': {why}"))
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use super::*;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn date_time_add_matches_published_results() {
        // Azure/bicep src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json:
        // `bicep build-params` (Azure's expression library) wrote these for parameters.bicepparam.
        let from_epoch = call("dateTimeFromEpoch", vec![Value::Int(1_680_224_438)]).unwrap();
        assert_eq!(call("dateTimeAdd", vec![from_epoch.clone(), s("P1D")]).unwrap(), s("2023-04-01T01:00:38Z"));
        assert_eq!(call("dateTimeToEpoch", vec![from_epoch]).unwrap(), Value::Int(1_680_224_438));
        // learn.microsoft.com "template-functions-date", dateTimeAdd remarks: years are 365 days, months 30.
        let cases = [
            ("2023-01-01 00:00:00Z", "P1Y", "2024-01-01T00:00:00Z"),
            ("2024-01-01 00:00:00Z", "P1Y", "2024-12-31T00:00:00Z"),
            ("2023-02-01 00:00:00Z", "P1M", "2023-03-03T00:00:00Z"),
            ("2024-02-01 00:00:00Z", "P1M", "2024-03-02T00:00:00Z"),
            // The dateTimeAdd example, deployed with a base time of 2020-04-07 14:53:14Z.
            ("2020-04-07 14:53:14Z", "P3Y", "2023-04-07T14:53:14Z"),
            ("2020-04-07 14:53:14Z", "-P9D", "2020-03-29T14:53:14Z"),
            ("2020-04-07 14:53:14Z", "PT1H", "2020-04-07T15:53:14Z"),
        ];
        for (base, duration, expected) in cases {
            assert_eq!(call("dateTimeAdd", vec![s(base), s(duration)]).unwrap(), s(expected), "{base} + {duration}");
        }
    }

    #[test]
    fn date_time_add_formats_and_keeps_fractions() {
        let added = call("dateTimeAdd", vec![s("20200407T145314Z"), s("PT0.5S"), s("u")]).unwrap();
        assert_eq!(added, s("2020-04-07 14:53:14Z"));
        let added = call("dateTimeAdd", vec![s("2020-04-07T14:53:14Z"), s("PT0.5S")]).unwrap();
        assert_eq!(added, s("2020-04-07T14:53:14.5Z"));
        let added = call("dateTimeAdd", vec![s("2020-04-07T16:53:14+02:00"), s("PT0S"), s("HH:mm")]).unwrap();
        assert_eq!(added, s("14:53"), "offsets are converted to UTC");
    }

    #[test]
    fn date_time_add_errors_name_the_function() {
        let error = call("dateTimeAdd", vec![s("2023-03-31T01:00:38Z"), s("PTASDIONS1D")]).unwrap_err();
        assert!(
            error.contains("'dateTimeAdd' expects an ISO 8601 duration") && error.contains("'PTASDIONS1D'"),
            "{error}"
        );
        let error = call("dateTimeAdd", vec![s("yesterday"), s("P1D")]).unwrap_err();
        assert!(
            error.contains("'dateTimeAdd' expects an ISO 8601 date-time as argument 1, got 'yesterday'"),
            "{error}"
        );
        let error = call("dateTimeAdd", vec![s("9999-12-31"), s("P1D")]).unwrap_err();
        assert!(error.contains("'dateTimeAdd' cannot add 'P1D'"), "{error}");
        let error = call("dateTimeAdd", vec![s("2020-01-01"), s("P1D"), s("x")]).unwrap_err();
        assert!(error.contains("'dateTimeAdd' cannot format a date with 'x'"), "{error}");
        assert!(call("dateTimeAdd", vec![s("2020-01-01")])
            .unwrap_err()
            .contains("'dateTimeAdd' takes 2 to 3 arguments"));
        let error = call("dateTimeAdd", vec![Value::Int(1), s("P1D")]).unwrap_err();
        assert!(error.contains("'dateTimeAdd' expects a string as argument 1"), "{error}");
        let error = call("dateTimeAdd", vec![s("2020-01-01"), Value::Int(1)]).unwrap_err();
        assert!(error.contains("'dateTimeAdd' expects a string as argument 2"), "{error}");
    }

    #[test]
    fn epoch_conversions() {
        // learn.microsoft.com "template-functions-date": epoch 1683040573 is 2023-05-02T15:16:13Z.
        assert_eq!(call("dateTimeFromEpoch", vec![Value::Int(1_683_040_573)]).unwrap(), s("2023-05-02T15:16:13Z"));
        assert_eq!(call("dateTimeToEpoch", vec![s("2023-05-02T15:16:13Z")]).unwrap(), Value::Int(1_683_040_573));
        assert_eq!(call("dateTimeToEpoch", vec![s("20230502T151613Z")]).unwrap(), Value::Int(1_683_040_573));
        assert_eq!(call("dateTimeFromEpoch", vec![Value::Int(0)]).unwrap(), s("1970-01-01T00:00:00Z"));
        let error = call("dateTimeFromEpoch", vec![s("1683040573")]).unwrap_err();
        assert!(error.contains("'dateTimeFromEpoch' expects an integer as argument 1"), "{error}");
        let error = call("dateTimeFromEpoch", vec![Value::Int(i64::MAX)]).unwrap_err();
        assert!(error.contains("'dateTimeFromEpoch' got") && error.contains("outside the years 1 to 9999"), "{error}");
        assert!(call("dateTimeFromEpoch", vec![]).unwrap_err().contains("'dateTimeFromEpoch' takes 1 argument, got 0"));
        let error = call("dateTimeToEpoch", vec![s("adfasdf")]).unwrap_err();
        assert!(
            error.contains("'dateTimeToEpoch' expects an ISO 8601 date-time as argument 1, got 'adfasdf'"),
            "{error}"
        );
        let error = call("dateTimeToEpoch", vec![Value::Int(1)]).unwrap_err();
        assert!(error.contains("'dateTimeToEpoch' expects a string as argument 1"), "{error}");
        assert!(call("dateTimeToEpoch", vec![s("a"), s("b")])
            .unwrap_err()
            .contains("'dateTimeToEpoch' takes 1 argument"));
    }

    #[test]
    fn utc_now_formats_the_injected_instant() {
        let now = "2019-03-05T17:53:18Z";
        assert_eq!(utc_now(now, &[]).unwrap(), s("20190305T175318Z"));
        assert_eq!(utc_now(now, &[s("d")]).unwrap(), s("03/05/2019"));
        assert_eq!(utc_now(now, &[s("M d")]).unwrap(), s("3 5"));
        assert_eq!(utc_now(now, &[s("u")]).unwrap(), s("2019-03-05 17:53:18Z"));
        assert!(utc_now(now, &[Value::Int(1)]).unwrap_err().contains("'utcNow' expects a string as argument 1"));
        assert!(utc_now(now, &[s("u"), s("u")]).unwrap_err().contains("'utcNow' takes 0 to 1 arguments"));
        assert!(utc_now(now, &[s("q")]).unwrap_err().contains("'utcNow' cannot format a date with 'q'"));
        assert!(utc_now("now", &[]).unwrap_err().contains("'now', is not an ISO 8601 date-time"));
        let unknown = Value::unknown("a parameter only known at deploy time");
        assert_eq!(utc_now(now, std::slice::from_ref(&unknown)).unwrap(), unknown);
    }
}
