//! `eventlog.*` — normalized Windows event log entries (`facts.md` §B.2.5).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// Events read from the Application and System logs, plus what was queried (so absence means
/// something).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventLog {
    /// How far back the query reached, in hours.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub window_hours: Option<Nullable<u32>>,
    /// Which log/provider/event-id sets were actually read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queried: Option<Vec<EventQuery>>,
    /// The matching events, newest first or in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
}

/// One event log query that was run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// Log name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub log: Option<Nullable<LogName>>,
    /// Provider (event source), e.g. `ADSync` or `Service Control Manager`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Nullable<String>>,
    /// Event ids queried.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub ids: Option<Nullable<Vec<u32>>>,
}

/// One normalized event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Log name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub log: Option<Nullable<LogName>>,
    /// Provider (event source), e.g. `Directory Synchronization`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Nullable<String>>,
    /// Event id, e.g. `6323`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<u32>>,
    /// Event level.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub level: Option<Nullable<EventLevel>>,
    /// When the event was written (RFC 3339, UTC).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<Nullable<String>>,
    /// Event record id within its log.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub record_id: Option<Nullable<u64>>,
    /// Rendered message, truncated to 2 KiB.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    pub message: Option<Nullable<String>>,
}

/// A Windows event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum LogName {
    /// The Application log.
    Application,
    /// The System log.
    System,
}

/// Event level, spelled as `Get-WinEvent` `LevelDisplayName` (English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum EventLevel {
    /// Critical.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Information.
    Information,
}
