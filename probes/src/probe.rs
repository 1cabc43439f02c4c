//! The probe contract: how a fact-gathering probe is called and what it returns.
//!
//! A probe gathers one part of the `facts` tree. A registry (elsewhere) runs the selected probes
//! concurrently, each under [`ProbeContext::timeout`], merges their [`FactTree`]s into one
//! snapshot and records every run (including failures) in the snapshot's `probes` list.
//!
//! # Example
//!
//! A tiny probe that reports the host name it was configured with:
//!
//! ```
//! use std::time::Duration;
//!
//! use syncdoctor_probes::facts::{Facts, known};
//! use syncdoctor_probes::facts::host::Host;
//! use syncdoctor_probes::probe::{FactTree, Probe, ProbeContext, fact_tree};
//! use syncdoctor_probes::ProbeError;
//!
//! struct StaticHost;
//!
//! impl Probe for StaticHost {
//!     fn id(&self) -> &str {
//!         "example.host"
//!     }
//!     fn kind(&self) -> &str {
//!         "command"
//!     }
//!     fn provides(&self) -> &[&str] {
//!         &["host.name"]
//!     }
//!     fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
//!         let name = cx.config["host_name"]
//!             .as_str()
//!             .ok_or_else(|| ProbeError::Other("config.host_name is not set".into()))?;
//!         let facts = Facts {
//!             host: Some(Host { name: known(name.to_owned()), ..Host::default() }),
//!             ..Facts::default()
//!         };
//!         fact_tree(&facts)
//!     }
//! }
//!
//! let cx = ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(5))
//!     .with_config(serde_json::json!({ "host_name": "SYNC01" }));
//! let tree = StaticHost.collect(&cx)?;
//! assert_eq!(serde_json::Value::Object(tree), serde_json::json!({ "host": { "name": "SYNC01" } }));
//! # Ok::<(), ProbeError>(())
//! ```

use std::time::Duration;

use crate::error::ProbeError;
use crate::facts::Facts;

/// A partial `facts` object: the namespaces and keys one probe gathered.
pub type FactTree = serde_json::Map<String, serde_json::Value>;

/// What a probe is given when it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeContext {
    /// The snapshot's collection time (RFC 3339, UTC); use it instead of the wall clock for
    /// "since" windows so a snapshot is self-consistent.
    pub now: String,
    /// The time the probe may take; the registry enforces it, a probe may use it for its own calls.
    pub timeout: Duration,
    /// Probe-specific configuration (endpoints, credentials references, paths); `null` if none.
    pub config: serde_json::Value,
}

impl ProbeContext {
    /// A context with no configuration.
    #[must_use]
    pub fn new(now: impl Into<String>, timeout: Duration) -> Self {
        Self { now: now.into(), timeout, config: serde_json::Value::Null }
    }

    /// The same context with this probe configuration.
    #[must_use]
    pub fn with_config(mut self, config: serde_json::Value) -> Self {
        self.config = config;
        self
    }
}

/// A fact-gathering probe.
pub trait Probe: Send + Sync {
    /// Stable identifier, e.g. `windows.services`; recorded in the snapshot's `probes[].id`.
    fn id(&self) -> &str;

    /// Kind of probe, e.g. `command`, `ldap`, `graph`, `network`, `file`, `exec`, `import`.
    fn kind(&self) -> &str;

    /// Dotted fact paths (or namespace prefixes) this probe may write, e.g. `services.adsync`.
    fn provides(&self) -> &[&str];

    /// Gathers the facts.
    ///
    /// # Errors
    ///
    /// A [`ProbeError`] when nothing useful could be gathered; the registry records it as the
    /// probe's `failed` (or `unsupported`) status and the other probes go on.
    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError>;
}

/// Converts typed [`Facts`] into the [`FactTree`] a probe returns (absent facts are left out).
///
/// # Errors
///
/// [`ProbeError::Parse`] if serialization fails (it cannot for the types of this crate).
pub fn fact_tree(facts: &Facts) -> Result<FactTree, ProbeError> {
    match serde_json::to_value(facts)? {
        serde_json::Value::Object(tree) => Ok(tree),
        other => {
            Err(ProbeError::Parse { what: "facts".to_owned(), message: format!("expected an object, got {other}") })
        }
    }
}
