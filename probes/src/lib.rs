//! Fact gathering for syncdoctor.
//!
//! - [`facts`] — the typed model of every fact in `facts.md` and the whole [`SnapshotDocument`],
//!   re-exported from `syncdoctor-facts` (the vocabulary, which gathers nothing);
//! - [`schema`] — the snapshot JSON Schema generated from that model ([`snapshot_schema`]), from
//!   `syncdoctor-facts` too;
//! - [`probe`] — the [`Probe`] contract every fact-gathering probe implements;
//! - [`error`] — [`ProbeError`], the crate's one error type;
//! - [`registry`] — runs probes concurrently under time limits and assembles a snapshot;
//! - [`builtin`] — the built-in probes, built from a [`config::CollectConfig`];
//! - [`writer`] — writes a snapshot atomically.
//!
//! In a snapshot, an absent fact means "not collected", `null` means "collected, value unknown"
//! (only where `facts.md` allows it) and `[]` means "collected, none found".

pub mod ad_objects;
pub mod builtin;
pub mod config;
pub mod defaults;
pub mod error;
pub mod exec;
pub mod files;
pub mod graph;
pub mod import;
pub mod ldap;
pub mod network;
pub mod probe;
pub mod process;
pub mod redact;
pub mod registry;
pub mod secret;
pub mod time;
pub mod windows;
pub mod writer;

pub use error::ProbeError;
pub use facts::{Facts, Nullable, SnapshotDocument};
pub use probe::{FactTree, Probe, ProbeContext};
pub use registry::{Registry, RunOptions};
pub use schema::snapshot_schema;
/// The typed fact model (`syncdoctor-facts`).
pub use syncdoctor_facts as facts;
/// The snapshot JSON Schema (`syncdoctor-facts`).
pub use syncdoctor_facts::schema;
