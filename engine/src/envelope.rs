//! The snapshot envelope: everything in a fact snapshot except the facts themselves.
//!
//! The envelope is generic (collector, probe runs, provenance); the shape of `facts` belongs to
//! whoever produces snapshots and is checked against the JSON Schema the knowledge base is loaded with.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The snapshot format version this engine reads and writes.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// Which tool produced a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Collector {
    /// Name of the collecting tool, e.g. `syncdoctor`.
    pub name: String,
    /// Version of the collecting tool.
    pub version: String,
}

/// How one probe run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    /// Every fact the probe provides was gathered.
    Ok,
    /// Some facts were gathered, others were not (see `error`).
    Partial,
    /// The probe failed, timed out or panicked (see `error`); it contributed no facts.
    Failed,
    /// The probe was not run (platform absent, not selected, not configured; see `error`).
    Skipped,
    /// The probe cannot run on this platform at all.
    Unsupported,
}

impl ProbeStatus {
    /// The status as the snapshot spells it (`ok`, `partial`, `failed`, `skipped`, `unsupported`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Unsupported => "unsupported",
        }
    }
}

/// The record of one probe run inside a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeRun {
    /// Probe identifier, e.g. `windows.services` or `ldap`.
    pub id: String,
    /// Kind of probe, e.g. `command`, `ldap`, `graph`, `network`, `file`, `exec`, `import`.
    pub kind: String,
    /// How the run ended.
    pub status: ProbeStatus,
    /// When the probe started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// How long the probe ran, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Why the probe failed, was partial or was skipped; `null` when it succeeded.
    #[serde(default)]
    pub error: Option<String>,
}

/// Which probe gathered a fact (keyed by dotted fact path).
pub type Provenance = BTreeMap<String, String>;
