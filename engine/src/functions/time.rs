//! Time helpers. "Now" is the snapshot's `collected_at`, so a replayed snapshot gives the same answer
//! forever. Timestamps are RFC 3339 strings; durations are ISO 8601 strings (`PT30M`, `P7D`).
//!
//! | function | returns | example |
//! |---|---|---|
//! | `hours_since(ts)` | float hours from `ts` to now | `hours_since(facts.entra.tenant.on_premises_last_sync) > 24.0` |
//! | `minutes_since(ts)`, `days_since(ts)` | float | `days_since(a.pwd_last_set) > 90.0` |
//! | `hours_until(ts)`, `days_until(ts)` | float, negative when past | `days_until(a.password_expires_at) < 14.0` |
//! | `parse_time(ts)` | int seconds since 1970 | `parse_time(a) > parse_time(b)` |
//! | `duration_secs(d)` | int seconds of an ISO 8601 duration (a day is 24 h) | `duration_secs("PT30M") == 1800` |
//! | `duration_hours(d)` | float hours | `duration_hours(s.effective_interval) > 168.0` |
//! | `now()` | the snapshot's `collected_at` | `parse_time(now())` |

use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp, Unit};
use rhai::{Engine, EvalAltResult, FLOAT, INT, ImmutableString};

use super::helper_error;
use crate::facts::context;

type R<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("hours_since", |ts: ImmutableString| since(&ts, 3600.0));
    engine.register_fn("minutes_since", |ts: ImmutableString| since(&ts, 60.0));
    engine.register_fn("days_since", |ts: ImmutableString| since(&ts, 86_400.0));
    engine.register_fn("hours_until", |ts: ImmutableString| since(&ts, 3600.0).map(|v| -v));
    engine.register_fn("days_until", |ts: ImmutableString| since(&ts, 86_400.0).map(|v| -v));
    engine.register_fn("parse_time", |ts: ImmutableString| -> R<INT> { Ok(parse(&ts)?.as_second()) });
    engine.register_fn("duration_secs", |d: ImmutableString| -> R<INT> { Ok(duration(&d)?.as_secs()) });
    engine.register_fn("duration_hours", |d: ImmutableString| -> R<FLOAT> { Ok(duration(&d)?.as_secs_f64() / 3600.0) });
    engine.register_fn("now", || -> R<String> { Ok(now()?.to_string()) });
}

fn now() -> R<Timestamp> {
    context::now().ok_or_else(|| helper_error("no snapshot time: now() is only defined while evaluating a snapshot"))
}

/// Parses an RFC 3339 timestamp.
pub fn parse(ts: &str) -> R<Timestamp> {
    ts.parse::<Timestamp>().map_err(|e| helper_error(format!("not an RFC 3339 timestamp: {ts:?} ({e})")))
}

/// Parses an ISO 8601 duration, with days counted as 24 hours.
pub fn duration(d: &str) -> R<SignedDuration> {
    let span: Span = d.parse().map_err(|e| helper_error(format!("not an ISO 8601 duration: {d:?} ({e})")))?;
    let secs = span
        .total((Unit::Second, SpanRelativeTo::days_are_24_hours()))
        .map_err(|e| helper_error(format!("duration {d:?} has no fixed length ({e})")))?;
    Ok(SignedDuration::from_secs_f64(secs))
}

/// Time from `ts` to now, in units of `unit_secs` seconds.
pub(crate) fn since(ts: &str, unit_secs: f64) -> R<FLOAT> {
    let then = parse(ts)?;
    Ok(now()?.duration_since(then).as_secs_f64() / unit_secs)
}
