//! Parsers of what the Windows commands print: `ConvertTo-Json` shapes of Windows PowerShell
//! 5.1 (enums as numbers, `DateTime` as `/Date(ms)/`, `TimeSpan` as an object with `Ticks`,
//! one object instead of a one-element array) and of PowerShell 7 (strings, ISO dates), plus
//! the text of `sc qc`, `Get-ExecutionPolicy -List` and a `secedit /export` INF file.
//!
//! Every parser is a pure function of the command's output, so the same code reads a live
//! command's output on Windows and a recorded one (`collect.ps1` bundles, test fixtures).

mod connect;
mod host;
mod services;

use serde_json::Value;

use crate::facts::Nullable;
use crate::time::{iso8601_duration, parse_windows_time, timespan_seconds};

/// Parses `ConvertTo-Json` output; empty output is an empty list.
///
/// # Errors
///
/// The JSON parser's message.
pub fn json(text: &str) -> Result<Value, String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

/// One object or a list of objects, as a list (`ConvertTo-Json` unwraps one-element arrays).
#[must_use]
pub fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A property, case-insensitively (PowerShell property names are).
#[must_use]
pub fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// A property that the command printed: its value, or `null` when it printed `null` (or a value
/// `read` cannot use); absent when the output has no such property. A gathered `null` stays
/// `null` (a default `Get-ADSyncScheduler` prints `CustomizedSyncCycleInterval` as `null`).
fn seen<T>(value: &Value, name: &str, read: impl FnOnce(&Value, &str) -> Option<T>) -> Option<Nullable<T>> {
    field(value, name).map(|_| Nullable(read(value, name)))
}

fn text(value: &Value, name: &str) -> Option<String> {
    match field(value, name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn nonempty(value: &Value, name: &str) -> Option<String> {
    text(value, name).filter(|s| !s.trim().is_empty())
}

fn boolean(value: &Value, name: &str) -> Option<bool> {
    match field(value, name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

fn integer(value: &Value, name: &str) -> Option<i64> {
    match field(value, name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok())),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A `DateTime` in any of PowerShell's JSON spellings, as RFC 3339 UTC.
fn time(value: &Value, name: &str) -> Option<String> {
    match field(value, name)? {
        Value::String(s) => parse_windows_time(s),
        // PowerShell 7 may emit `{"value": "/Date(..)/", "DateTime": "..."}` for extended dates.
        Value::Object(_) => field(field(value, name)?, "value").and_then(Value::as_str).and_then(parse_windows_time),
        _ => None,
    }
}

/// A `TimeSpan` in any of PowerShell's JSON spellings (object with `Ticks`/`TotalSeconds`,
/// `"00:30:00"`, `"PT30M"`), as an ISO 8601 duration.
fn duration(value: &Value, name: &str) -> Option<String> {
    let value = field(value, name)?;
    let seconds = match value {
        Value::Object(_) => integer(value, "Ticks")
            .map(|ticks| u64::try_from(ticks / 10_000_000).unwrap_or(0))
            .or_else(|| field(value, "TotalSeconds").and_then(Value::as_f64).map(|s| s.max(0.0) as u64)),
        Value::String(s) if s.starts_with('P') => return Some(s.clone()),
        Value::String(s) => timespan_seconds(s),
        _ => None,
    }?;
    Some(iso8601_duration(seconds))
}

pub use connect::{
    auto_upgrade, connector_kind, connectors, database, entra_connector_identity, global_settings, running_connector,
    runs, scheduler,
};
pub use host::{computer, events, execution_policies, execution_policy, registry, user_rights};
pub use services::{
    SERVICE_NAMES, logon_account_kind, service_from_sc_qc, service_state, services_from_cim, start_mode,
};
