//! # syncdoctor-facts
//!
//! The fact vocabulary: one Rust type per object in `facts.md`, one module per namespace, and the
//! snapshot JSON Schema generated from them ([`schema`]). It gathers nothing and pulls no network
//! crate: a tool that only validates or builds snapshots depends on this crate, not on the probes.
//!
//! Every field is optional (absent ⇒ not collected); every leaf fact is [`Nullable`] as well
//! (`null` ⇒ collected, value unknown; see [`nullable`]). Every object rejects unknown keys. Enum
//! values keep Microsoft's spelling; probes normalise the other casings Microsoft documents
//! (`"Active"` for `active`) before they build a fact.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use syncdoctor_engine::envelope::{Collector, ProbeRun, Provenance};

pub mod ad;
pub mod cloudsync_agent;
pub mod connect;
pub mod dataquality;
pub mod dirsync;
pub mod entra;
pub mod eventlog;
pub mod fleet;
pub mod guid;
pub mod host;
pub mod localdb;
pub mod network;
pub mod nullable;
pub mod schema;
pub mod services;
pub mod sql;
pub mod user_rights;

pub use guid::helpers;
pub use nullable::{Known, Nullable, gathered, known, lift};

/// A fact snapshot: the envelope (`facts.md` "Envelope", `DESIGN.md` §4) and the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotDocument {
    /// Snapshot format version (currently 1).
    pub schema_version: u32,
    /// When the snapshot was collected (RFC 3339, UTC); rules use it as "now".
    #[schemars(extend("format" = "date-time"))]
    pub collected_at: String,
    /// Tool that produced the snapshot.
    pub collector: Collector,
    /// One record per probe run, including failed and skipped ones.
    pub probes: Vec<ProbeRun>,
    /// Which probe gathered each fact, keyed by dotted fact path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The facts.
    pub facts: Facts,
}

/// Everything a snapshot knows about the environment, by namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Sync products present (derived from services, install folders and cloud sync configs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<Product>>,
    /// The sync or agent host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<host::Host>,
    /// Windows services of the sync products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<services::Services>,
    /// User rights assignments of the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_rights: Option<user_rights::UserRights>,
    /// Local user accounts of the host (e.g. `AAD_*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_accounts: Option<Vec<user_rights::LocalAccount>>,
    /// Normalized Application/System events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventlog: Option<eventlog::EventLog>,
    /// Connect Sync engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<connect::Connect>,
    /// DirSync engine (run history from its WMI provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirsync: Option<dirsync::DirSync>,
    /// LocalDB instance behind Connect Sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localdb: Option<localdb::LocalDb>,
    /// Remote SQL Server behind Connect Sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<sql::Sql>,
    /// Cloud sync provisioning agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudsync_agent: Option<cloudsync_agent::CloudSyncAgent>,
    /// On-premises Active Directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad: Option<ad::Ad>,
    /// IdFix-style data-quality findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataquality: Option<dataquality::DataQuality>,
    /// The Entra tenant (Microsoft Graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entra: Option<entra::Entra>,
    /// Reachability, DNS and TLS checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<network::Network>,
    /// Facts merged from several servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<fleet::Fleet>,
}

/// A directory-synchronization product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Product {
    /// Microsoft Entra Connect Sync (Azure AD Connect).
    #[serde(rename = "connect-sync")]
    ConnectSync,
    /// Microsoft Entra Cloud Sync (provisioning agent).
    #[serde(rename = "cloud-sync")]
    CloudSync,
    /// DirSync (retired).
    #[serde(rename = "dirsync")]
    DirSync,
    /// Azure AD Sync Services (retired).
    #[serde(rename = "aadsync")]
    AadSync,
}
