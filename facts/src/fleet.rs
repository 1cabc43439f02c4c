//! `fleet.*` — facts merged from several servers' snapshots (`facts.md` §B.2.13).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// All Connect servers of the tenant (merged from per-server snapshots).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    /// One entry per Connect server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_servers: Option<Vec<ConnectServer>>,
}

/// One Connect server of the fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectServer {
    /// Host name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub host: Option<Nullable<String>>,
    /// The server is in staging mode.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub staging_mode: Option<Nullable<bool>>,
    /// Its scheduler runs sync cycles.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sync_cycle_enabled: Option<Nullable<bool>>,
    /// Connect build, 4-part.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$"))]
    pub version: Option<Nullable<String>>,
    /// Its `connect.last_successful_export_to_entra` (RFC 3339); `null` if none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_export_to_entra: Option<Nullable<String>>,
}
