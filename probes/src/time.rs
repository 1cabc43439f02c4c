//! Time conversions the probes share: the wall clock as RFC 3339, Windows FILETIME values (AD
//! `pwdLastSet`, `accountExpires`…), .NET `/Date(ms)/` strings and `TimeSpan`s as ISO 8601.

use jiff::{SignedDuration, Timestamp};

/// Seconds between 1601-01-01 (the FILETIME epoch) and 1970-01-01.
const FILETIME_UNIX_OFFSET_SECONDS: i64 = 11_644_473_600;

/// The current time as RFC 3339 UTC with whole seconds, e.g. `2026-11-20T09:30:00Z`.
#[must_use]
pub fn now_rfc3339() -> String {
    rfc3339(Timestamp::now())
}

/// A timestamp as RFC 3339 UTC with whole seconds.
#[must_use]
pub fn rfc3339(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A Windows FILETIME (100-ns ticks since 1601-01-01 UTC) as RFC 3339; `None` for 0 and for
/// `0x7FFFFFFFFFFFFFFF` (AD's "never") and anything out of range.
#[must_use]
pub fn filetime_to_rfc3339(ticks: i64) -> Option<String> {
    if ticks <= 0 || ticks == i64::MAX {
        return None;
    }
    let seconds = ticks / 10_000_000 - FILETIME_UNIX_OFFSET_SECONDS;
    Timestamp::from_second(seconds).ok().map(rfc3339)
}

/// Parses a timestamp written by Windows PowerShell or .NET: RFC 3339 (`2026-11-20T09:30:00Z`,
/// with or without fraction/offset), `/Date(1700000000000)/` or `/Date(1700000000000+0100)/`
/// (what `ConvertTo-Json` prints in Windows PowerShell 5.1), or a local time without offset
/// (`2026-11-20T09:30:00`, taken as UTC). Returns RFC 3339 UTC.
#[must_use]
pub fn parse_windows_time(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("/Date(").or_else(|| text.strip_prefix("\\/Date(")) {
        let inner = inner.trim_end_matches('/').trim_end_matches('\\').trim_end_matches('/').trim_end_matches(')');
        let digits_end =
            inner.char_indices().skip(1).find(|(_, c)| !c.is_ascii_digit()).map_or(inner.len(), |(i, _)| i);
        let millis: i64 = inner[..digits_end].parse().ok()?;
        return Timestamp::from_millisecond(millis).ok().map(rfc3339);
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(rfc3339(timestamp));
    }
    // No offset: treat as UTC (the PowerShell collector converts to UTC before printing).
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    civil.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| rfc3339(z.timestamp()))
}

/// Seconds in a negative AD interval (`maxPwdAge`, `minPwdAge`: negative 100-ns ticks); `None`
/// for "never" (`-9223372036854775808`).
#[must_use]
pub fn ad_interval_seconds(ticks: i64) -> Option<u64> {
    if ticks == i64::MIN {
        return None;
    }
    Some(ticks.unsigned_abs() / 10_000_000)
}

/// A number of seconds as an ISO 8601 duration (`PT30M`, `P7D`, `PT1H30M`, `PT0S`).
#[must_use]
pub fn iso8601_duration(total_seconds: u64) -> String {
    let days = total_seconds / 86_400;
    let hours = total_seconds % 86_400 / 3_600;
    let minutes = total_seconds % 3_600 / 60;
    let seconds = total_seconds % 60;
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || seconds > 0 || days == 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if seconds > 0 || (days == 0 && hours == 0 && minutes == 0) {
            out.push_str(&format!("{seconds}S"));
        }
    }
    out
}

/// A .NET `TimeSpan` text (`[d.]hh:mm:ss[.fffffff]`, e.g. `00:30:00`, `7.00:00:00`) in seconds.
#[must_use]
pub fn timespan_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let (days, rest) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, _) = head.split_once('.')?;
            (d.parse::<u64>().ok()?, &text[d.len() + 1..])
        }
        _ => (0, text),
    };
    let mut parts = rest.split(':');
    let hours: u64 = parts.next()?.parse().ok()?;
    let minutes: u64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    // Whole seconds only; a TimeSpan's fraction is below the resolution of the facts.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let seconds = seconds.max(0.0).trunc() as u64;
    // A value past what a TimeSpan holds (about 29,000 years) is not a duration: unknown, never
    // a wrapped-around number (found by the `powershell_json` fuzz target).
    let total = days
        .checked_mul(86_400)?
        .checked_add(hours.checked_mul(3_600)?)?
        .checked_add(minutes.checked_mul(60)?)?
        .checked_add(seconds)?;
    (total <= MAX_TIMESPAN_SECONDS).then_some(total)
}

/// The longest .NET `TimeSpan` in whole seconds (`TimeSpan.MaxValue`, 10,675,199 days).
const MAX_TIMESPAN_SECONDS: u64 = i64::MAX as u64 / 10_000_000;

/// Milliseconds between two RFC 3339 timestamps (`later - earlier`), if both parse.
#[must_use]
pub fn millis_between(earlier: &str, later: &str) -> Option<i64> {
    let a: Timestamp = earlier.parse().ok()?;
    let b: Timestamp = later.parse().ok()?;
    let span: SignedDuration = b.duration_since(a);
    i64::try_from(span.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_past_the_largest_are_unknown_not_wrapped() {
        assert_eq!(timespan_seconds("00:30:00"), Some(1_800));
        assert_eq!(timespan_seconds("7.00:00:00"), Some(604_800));
        assert_eq!(timespan_seconds("10675199.02:48:05"), Some(922_337_203_685));
        assert_eq!(timespan_seconds("10675199.02:48:06"), None);
        // The fuzz target's input (fuzz/artifacts/powershell_json/crash-3c273cc3…): it overflowed.
        assert_eq!(timespan_seconds("011111111111111110:30:00"), None);
        assert_eq!(timespan_seconds("18446744073709551615.00:00:00"), None);
    }

    #[test]
    fn filetimes_convert_and_never_is_none() {
        // 2023-11-14T22:13:20Z = Unix 1700000000.
        assert_eq!(filetime_to_rfc3339(133_444_736_000_000_000).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(filetime_to_rfc3339(0), None);
        assert_eq!(filetime_to_rfc3339(i64::MAX), None);
    }

    #[test]
    fn windows_times_parse() {
        assert_eq!(parse_windows_time("/Date(1700000000000)/").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(parse_windows_time("\\/Date(1700000000000)\\/").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(parse_windows_time("/Date(1700000000000+0100)/").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(parse_windows_time("2023-11-14T23:13:20.1234567+01:00").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(parse_windows_time("2023-11-14T22:13:20").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(parse_windows_time("yesterday"), None);
    }

    #[test]
    fn durations_and_timespans() {
        assert_eq!(iso8601_duration(1800), "PT30M");
        assert_eq!(iso8601_duration(7 * 86_400), "P7D");
        assert_eq!(iso8601_duration(5400), "PT1H30M");
        assert_eq!(iso8601_duration(0), "PT0S");
        assert_eq!(iso8601_duration(86_400 + 1), "P1DT1S");
        assert_eq!(timespan_seconds("00:30:00"), Some(1800));
        assert_eq!(timespan_seconds("7.00:00:00"), Some(7 * 86_400));
        assert_eq!(timespan_seconds("3:0:0"), Some(10_800));
        assert_eq!(timespan_seconds("00:00:30.5000000"), Some(30));
        assert_eq!(ad_interval_seconds(-36_288_000_000_000), Some(3_628_800));
        assert_eq!(ad_interval_seconds(i64::MIN), None);
    }
}
