//! `sql.*` — a remote SQL Server hosting the ADSync database (`facts.md` §B.2.7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// SQL Server facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sql {
    /// Reachability of the remote SQL Server named in `connect.database`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<SqlRemote>,
}

/// Reachability test of a remote SQL Server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRemote {
    /// Server host name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub server: Option<Nullable<String>>,
    /// Named instance (empty for the default instance).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub instance: Option<Nullable<String>>,
    /// TCP port; `null` when it is dynamic or unknown.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub port: Option<Nullable<u16>>,
    /// A TCP connection to the port succeeded.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub tcp_reachable: Option<Nullable<bool>>,
    /// The SQL Browser answered on UDP 1434.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub browser_reachable: Option<Nullable<bool>>,
    /// Connecting to the database succeeded (`Connect-ADSyncToolsSqlDatabase`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connect_ok: Option<Nullable<bool>>,
    /// Error text of the failed test; `null` when everything succeeded.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Nullable<String>>,
}
