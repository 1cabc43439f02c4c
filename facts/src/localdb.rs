//! `localdb.*` — the SQL Server Express LocalDB instance behind Connect Sync (`facts.md` §B.2.7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// The ADSync LocalDB instance and its files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalDb {
    /// Instance name: `ADSync` (V1) or `ADSync2019` (V2).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub instance: Option<Nullable<String>>,
    /// Path of `ADSync.mdf`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mdf_path: Option<Nullable<String>>,
    /// Size of `ADSync.mdf`, in bytes (LocalDB limit: 10 GB).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mdf_size_bytes: Option<Nullable<u64>>,
    /// Size of `ADSync_log.ldf`, in bytes.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub ldf_size_bytes: Option<Nullable<u64>>,
    /// The instance `error.log` contains "Error: 9003" (model database corruption).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_log_has_9003: Option<Nullable<bool>>,
}
