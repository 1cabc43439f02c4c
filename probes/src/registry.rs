//! The probe registry: runs the selected probes concurrently, each under its own time limit, and
//! assembles one snapshot from what they gathered.
//!
//! - Every probe runs on its own thread. A probe that returns an error, panics or overruns its
//!   time limit is recorded as `failed` (with the reason) and contributes no facts; the others go
//!   on. A thread that overran is abandoned (it cannot be killed safely) and its late result is
//!   ignored.
//! - [`ProbeError::Unsupported`] and [`ProbeError::NotConfigured`] become `skipped` with the
//!   reason; [`ProbeError::Partial`] keeps the facts gathered and becomes `partial`; a probe that
//!   is configured but cannot run ([`ProbeError::CannotRun`]: unreadable secret, bad certificate
//!   file) is `failed`, like any other error.
//! - Each probe's facts are checked against the snapshot schema on their own before they are
//!   merged, so one probe writing a wrong fact (an `exec` extension, say) cannot spoil the
//!   snapshot: it is `failed` and the others' facts stay.
//! - The trees are deep-merged in registry order; `facts.products` is derived when no probe set it.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//!
//! use syncdoctor_probes::probe::{FactTree, Probe, ProbeContext};
//! use syncdoctor_probes::registry::{Registry, RunOptions};
//! use syncdoctor_probes::ProbeError;
//!
//! struct Nothing;
//! impl Probe for Nothing {
//!     fn id(&self) -> &str { "example.nothing" }
//!     fn kind(&self) -> &str { "command" }
//!     fn provides(&self) -> &[&str] { &[] }
//!     fn collect(&self, _: &ProbeContext) -> Result<FactTree, ProbeError> {
//!         Err(ProbeError::Unsupported("needs Windows".into()))
//!     }
//! }
//!
//! let mut registry = Registry::new();
//! registry.add(Nothing);
//! let options = RunOptions { default_timeout: Duration::from_secs(5), ..RunOptions::default() };
//! let snapshot = registry.run(&options, &|_| {})?;
//! assert_eq!(snapshot.probes[0].error.as_deref(), Some("unsupported platform: needs Windows"));
//! # Ok::<(), syncdoctor_probes::registry::RegistryError>(())
//! ```

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_engine::envelope::{Collector, ProbeRun, ProbeStatus, Provenance, SNAPSHOT_SCHEMA_VERSION};

use crate::error::ProbeError;
use crate::facts::{Facts, SnapshotDocument};
use crate::probe::{FactTree, Probe, ProbeContext};
use crate::schema::snapshot_schema;
use crate::time::now_rfc3339;

/// The set of probes `collect` can run.
#[derive(Default, Clone)]
pub struct Registry {
    probes: Vec<Arc<dyn Probe>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.probes.iter().map(|p| p.id().to_owned())).finish()
    }
}

/// How to run the probes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Probe ids (or id prefixes up to a dot: `windows` selects `windows.services`…) to run;
    /// empty runs every probe. Probes not selected are recorded as `skipped`.
    pub selection: Vec<String>,
    /// Time limit of a probe without its own entry in `timeouts`.
    pub default_timeout: Duration,
    /// Time limits by probe id.
    pub timeouts: BTreeMap<String, Duration>,
    /// The snapshot's `collected_at` (RFC 3339, UTC); the wall clock when `None`.
    pub collected_at: Option<String>,
    /// The tool recorded as the snapshot's collector.
    pub collector: Collector,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            selection: Vec::new(),
            default_timeout: Duration::from_secs(60),
            timeouts: BTreeMap::new(),
            collected_at: None,
            collector: Collector { name: "syncdoctor".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
        }
    }
}

/// What the registry reports while it runs (for a progress line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A probe started.
    Started {
        /// Probe id.
        id: String,
    },
    /// A probe ended (or was given up on).
    Finished {
        /// Probe id.
        id: String,
        /// How it ended.
        status: ProbeStatus,
        /// Probes ended so far.
        done: usize,
        /// Probes started in all.
        total: usize,
    },
}

/// Why the registry could not produce a snapshot at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// `--probe` named no known probe.
    #[error("unknown probe `{id}`; known probes: {known}")]
    UnknownProbe {
        /// The id asked for.
        id: String,
        /// The ids there are, comma-separated.
        known: String,
    },
    /// The merged snapshot does not satisfy the snapshot schema (a bug: each probe's facts were
    /// checked on their own).
    #[error("the collected snapshot does not match the snapshot schema:\n{0}")]
    Invalid(String),
}

/// One probe's outcome before merging.
struct Outcome {
    run: ProbeRun,
    facts: Option<FactTree>,
}

impl Registry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a probe (run order and merge order are the order of addition).
    pub fn add(&mut self, probe: impl Probe + 'static) -> &mut Self {
        self.probes.push(Arc::new(probe));
        self
    }

    /// Adds a shared probe.
    pub fn add_shared(&mut self, probe: Arc<dyn Probe>) -> &mut Self {
        self.probes.push(probe);
        self
    }

    /// The probes, in order.
    #[must_use]
    pub fn probes(&self) -> &[Arc<dyn Probe>] {
        &self.probes
    }

    /// The probe ids, in order.
    #[must_use]
    pub fn ids(&self) -> Vec<&str> {
        self.probes.iter().map(|p| p.id()).collect()
    }

    /// Checks a selection against the registry.
    ///
    /// # Errors
    ///
    /// [`RegistryError::UnknownProbe`] for a selector that names no probe.
    pub fn check_selection(&self, selection: &[String]) -> Result<(), RegistryError> {
        for selector in selection {
            if !self.probes.iter().any(|p| selects(selector, p.id())) {
                return Err(RegistryError::UnknownProbe { id: selector.clone(), known: self.ids().join(", ") });
            }
        }
        Ok(())
    }

    /// Runs the selected probes and assembles the snapshot.
    ///
    /// # Errors
    ///
    /// [`RegistryError::UnknownProbe`] for a bad selection; [`RegistryError::Invalid`] if the merged
    /// facts fail the schema. A failing probe is never an error: it is recorded in `probes[]`.
    pub fn run(&self, options: &RunOptions, progress: &dyn Fn(Progress)) -> Result<SnapshotDocument, RegistryError> {
        self.check_selection(&options.selection)?;
        let collected_at = options.collected_at.clone().unwrap_or_else(now_rfc3339);
        let schema = SnapshotSchema::new(&snapshot_schema()).ok();
        let selected: Vec<bool> = self
            .probes
            .iter()
            .map(|p| options.selection.is_empty() || options.selection.iter().any(|s| selects(s, p.id())))
            .collect();
        let total = selected.iter().filter(|s| **s).count();

        let (sender, receiver) = mpsc::channel::<(usize, Result<FactTree, ProbeError>, Duration)>();
        let mut outcomes: Vec<Option<Outcome>> = (0..self.probes.len()).map(|_| None).collect();
        let mut deadlines: Vec<(usize, Instant, Duration, String)> = Vec::new();
        for (index, probe) in self.probes.iter().enumerate() {
            if !selected[index] {
                outcomes[index] = Some(Outcome {
                    run: record(
                        probe.as_ref(),
                        ProbeStatus::Skipped,
                        None,
                        None,
                        Some("not selected (--probe)".into()),
                    ),
                    facts: None,
                });
                continue;
            }
            let timeout = options.timeouts.get(probe.id()).copied().unwrap_or(options.default_timeout);
            let cx = ProbeContext::new(collected_at.clone(), timeout);
            let started_at = now_rfc3339();
            let started = Instant::now();
            let sender = sender.clone();
            let worker = Arc::clone(probe);
            progress(Progress::Started { id: probe.id().to_owned() });
            let spawned = std::thread::Builder::new().name(format!("probe:{}", probe.id())).spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| worker.collect(&cx))).unwrap_or_else(|panic| {
                    Err(ProbeError::Other(format!(
                        "panicked: {}",
                        syncdoctor_engine::panic_message(panic.as_ref()).unwrap_or("unknown panic payload")
                    )))
                });
                // The receiver is gone when the registry gave up on this probe; nothing to do then.
                let _ = sender.send((index, result, started.elapsed()));
            });
            match spawned {
                Ok(_) => deadlines.push((index, started + timeout, timeout, started_at)),
                Err(e) => {
                    let error = format!("cannot start a thread: {e}");
                    outcomes[index] = Some(Outcome {
                        run: record(probe.as_ref(), ProbeStatus::Failed, Some(started_at), Some(0), Some(error)),
                        facts: None,
                    });
                }
            }
        }
        drop(sender);

        let mut done = 0;
        let finished = |outcome: &Outcome, done: usize| {
            progress(Progress::Finished { id: outcome.run.id.clone(), status: outcome.run.status, done, total });
        };
        while !deadlines.is_empty() {
            let now = Instant::now();
            let next = deadlines.iter().map(|d| d.1).min().unwrap_or(now);
            match receiver.recv_timeout(next.saturating_duration_since(now)) {
                Ok((index, result, elapsed)) => {
                    let Some(position) = deadlines.iter().position(|d| d.0 == index) else { continue };
                    let (_, _, _, started_at) = deadlines.swap_remove(position);
                    let probe = self.probes[index].as_ref();
                    let outcome = conclude(probe, result, started_at, elapsed, schema.as_ref());
                    done += 1;
                    finished(&outcome, done);
                    outcomes[index] = Some(outcome);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let now = Instant::now();
                    let (late, waiting): (Vec<_>, Vec<_>) = deadlines.drain(..).partition(|d| d.1 <= now);
                    deadlines = waiting;
                    for (index, _, timeout, started_at) in late {
                        let probe = self.probes[index].as_ref();
                        let error = ProbeError::Timeout(timeout).to_string();
                        let run =
                            record(probe, ProbeStatus::Failed, Some(started_at), Some(millis(timeout)), Some(error));
                        let outcome = Outcome { run, facts: None };
                        done += 1;
                        finished(&outcome, done);
                        outcomes[index] = Some(outcome);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Every sender is gone, so every started probe has reported: cannot happen.
                    for (index, _, _, started_at) in deadlines.drain(..) {
                        let probe = self.probes[index].as_ref();
                        let error = Some("the probe thread ended without a result".to_owned());
                        let run = record(probe, ProbeStatus::Failed, Some(started_at), None, error);
                        outcomes[index] = Some(Outcome { run, facts: None });
                    }
                }
            }
        }

        let mut facts = Map::new();
        let mut provenance = Provenance::new();
        let mut probes = Vec::with_capacity(outcomes.len());
        for outcome in outcomes.into_iter().flatten() {
            if let Some(tree) = outcome.facts {
                note_provenance(&tree, &outcome.run.id, &mut provenance);
                merge_into(&mut facts, tree);
            }
            probes.push(outcome.run);
        }
        derive_products(&mut facts);
        let facts: Facts = serde_json::from_value(Value::Object(facts))
            .map_err(|e| RegistryError::Invalid(format!("facts do not fit the fact model: {e}")))?;
        let document = SnapshotDocument {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            collected_at,
            collector: options.collector.clone(),
            probes,
            provenance: (!provenance.is_empty()).then_some(provenance),
            facts,
        };
        if let Some(schema) = &schema {
            let value = serde_json::to_value(&document).map_err(|e| RegistryError::Invalid(e.to_string()))?;
            let problems = schema.violations(&value);
            if !problems.is_empty() {
                let lines: Vec<String> =
                    problems.into_iter().map(|(at, message)| format!("  {at}: {message}")).collect();
                return Err(RegistryError::Invalid(lines.join("\n")));
            }
        }
        Ok(document)
    }
}

/// `selector` selects `id` when equal, or when it is a prefix of `id` ending at a dot.
fn selects(selector: &str, id: &str) -> bool {
    id == selector || id.strip_prefix(selector).is_some_and(|rest| rest.starts_with('.'))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn record(
    probe: &dyn Probe,
    status: ProbeStatus,
    started_at: Option<String>,
    duration_ms: Option<u64>,
    error: Option<String>,
) -> ProbeRun {
    ProbeRun { id: probe.id().to_owned(), kind: probe.kind().to_owned(), status, started_at, duration_ms, error }
}

/// Turns a probe's result into its record (and facts, once they passed the schema).
fn conclude(
    probe: &dyn Probe,
    result: Result<FactTree, ProbeError>,
    started_at: String,
    elapsed: Duration,
    schema: Option<&SnapshotSchema>,
) -> Outcome {
    let run = |status, error| record(probe, status, Some(started_at.clone()), Some(millis(elapsed)), error);
    let (status, facts, error) = match result {
        Ok(tree) => (ProbeStatus::Ok, Some(tree), None),
        Err(ProbeError::Partial { facts, reason }) => (ProbeStatus::Partial, Some(*facts), Some(reason)),
        Err(e @ (ProbeError::Unsupported(_) | ProbeError::NotConfigured(_))) => {
            (ProbeStatus::Skipped, None, Some(e.to_string()))
        }
        Err(e) => (ProbeStatus::Failed, None, Some(e.to_string())),
    };
    let Some(tree) = facts else { return Outcome { run: run(status, error), facts: None } };
    if let Err(problem) = check_alone(&tree, schema) {
        let error = format!("wrote facts the snapshot schema rejects: {problem}");
        return Outcome { run: run(ProbeStatus::Failed, Some(error)), facts: None };
    }
    Outcome { run: run(status, error), facts: Some(tree) }
}

/// Validates one probe's facts in an otherwise empty snapshot.
fn check_alone(tree: &FactTree, schema: Option<&SnapshotSchema>) -> Result<(), String> {
    let Some(schema) = schema else { return Ok(()) };
    let document = serde_json::json!({
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "collected_at": "2000-01-01T00:00:00Z",
        "collector": { "name": "check", "version": "0" },
        "probes": [],
        "facts": tree,
    });
    let problems = schema.violations(&document);
    if problems.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = problems.iter().take(5).map(|(at, message)| format!("{at}: {message}")).collect();
    let more = problems.len().saturating_sub(5);
    Err(if more > 0 { format!("{} (and {more} more)", shown.join("; ")) } else { shown.join("; ") })
}

/// Deep-merges `from` into `into`: objects merge key by key; two arrays at the same path are
/// concatenated (e.g. `ad.users` from LDAP and from an LDIF import); for two scalars the value
/// already there (from the earlier probe) stays.
pub fn merge_into(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => merge_into(existing, incoming),
            (Some(Value::Array(existing)), Value::Array(incoming)) => existing.extend(incoming),
            (Some(_), _) => {}
            (None, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// Records which probe wrote each namespace and each key below it (`network`, `network.dns`).
fn note_provenance(tree: &FactTree, probe: &str, provenance: &mut Provenance) {
    for (namespace, value) in tree {
        provenance.entry(namespace.clone()).or_insert_with(|| probe.to_owned());
        if let Value::Object(children) = value {
            for key in children.keys() {
                provenance.entry(format!("{namespace}.{key}")).or_insert_with(|| probe.to_owned());
            }
        }
    }
}

/// Derives `facts.products` (`facts.md` B.2.1) when no probe set it: `services.adsync.present` ⇒
/// `connect-sync`; `services.dirsync_scheduler.present` ⇒ `dirsync`;
/// `services.provisioning_agent.present` or a non-empty `entra.cloud_sync.configs` ⇒
/// `cloud-sync`. The list is written when the services were read (then `[]` means "none") or
/// when some evidence names a product; otherwise it stays absent (not known).
pub fn derive_products(facts: &mut Map<String, Value>) {
    if facts.contains_key("products") {
        return;
    }
    let present = |key: &str| {
        facts.get("services").and_then(|s| s.get(key)).and_then(|s| s.get("present")).and_then(Value::as_bool)
    };
    let mut products = Vec::new();
    if present("adsync") == Some(true) {
        products.push("connect-sync");
    }
    let cloud_configs = facts
        .get("entra")
        .and_then(|e| e.pointer("/cloud_sync/configs"))
        .and_then(Value::as_array)
        .is_some_and(|configs| !configs.is_empty());
    if present("provisioning_agent") == Some(true) || cloud_configs {
        products.push("cloud-sync");
    }
    if present("dirsync_scheduler") == Some(true) {
        products.push("dirsync");
    }
    let services_read = facts.get("services").and_then(Value::as_object).is_some_and(|s| !s.is_empty());
    if services_read || !products.is_empty() {
        facts.insert("products".into(), Value::from(products));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn selectors_match_whole_ids_or_dotted_prefixes() {
        assert!(selects("network", "network"));
        assert!(selects("windows", "windows.services"));
        assert!(!selects("win", "windows.services"));
        assert!(!selects("windows.services", "windows"));
    }

    #[test]
    fn merge_combines_objects_and_arrays_and_keeps_first_scalars() {
        let mut into = object(json!({ "ad": { "forest": "a", "users": [1] } }));
        merge_into(&mut into, object(json!({ "ad": { "forest": "b", "users": [2], "groups": [] } })));
        assert_eq!(Value::Object(into), json!({ "ad": { "forest": "a", "users": [1, 2], "groups": [] } }));
    }

    #[test]
    fn products_derive_from_services_and_cloud_sync_configs() {
        let mut facts = object(json!({ "services": { "adsync": { "present": true } } }));
        derive_products(&mut facts);
        assert_eq!(facts["products"], json!(["connect-sync"]));

        let mut facts = object(json!({ "services": { "adsync": { "present": false } } }));
        derive_products(&mut facts);
        assert_eq!(facts["products"], json!([]));

        let mut facts = object(json!({ "entra": { "cloud_sync": { "configs": [{ "display_name": "x" }] } } }));
        derive_products(&mut facts);
        assert_eq!(facts["products"], json!(["cloud-sync"]));

        let mut facts = object(json!({ "network": {} }));
        derive_products(&mut facts);
        assert!(!facts.contains_key("products"));
    }
}
