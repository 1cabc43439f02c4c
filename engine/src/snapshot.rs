//! Fact snapshots: parsing (JSON or YAML), schema validation with located errors, and the immutable
//! fact tree conditions read.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::envelope::{Collector, ProbeRun, Provenance, SNAPSHOT_SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::facts::schema_view::{TreeJson, TreeNode};
use crate::facts::tree::{FactTree, Node};
use crate::locate::{YamlLocations, locate_pointer};

/// Most schema violations reported (each with its line and column) for one snapshot.
const MAX_LOCATED_VIOLATIONS: usize = 50;

/// A parsed, validated snapshot, ready to be evaluated any number of times.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The snapshot format version.
    pub schema_version: u32,
    /// When the facts were gathered: "now" for every rule.
    pub collected_at: Timestamp,
    /// Which tool gathered them.
    pub collector: Collector,
    /// How each probe ran.
    pub probes: Vec<ProbeRun>,
    /// Which probe gathered each fact, when recorded.
    pub provenance: Provenance,
    facts: Arc<FactTree>,
}

/// The envelope without its facts (which stay in the tree): `facts` is only checked for presence.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    schema_version: u32,
    collected_at: String,
    collector: Collector,
    #[serde(default)]
    probes: Vec<ProbeRun>,
    #[serde(default)]
    provenance: Provenance,
    #[serde(rename = "facts")]
    _facts: serde::de::IgnoredAny,
}

/// A compiled JSON Schema that snapshots are validated against. It validates the fact tree itself
/// (through a JSON view of the tree), so a snapshot is never copied into a `serde_json::Value` to be checked.
pub struct SnapshotSchema {
    validator: jsonschema::Validator<TreeJson>,
}

impl std::fmt::Debug for SnapshotSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SnapshotSchema")
    }
}

impl SnapshotSchema {
    /// Compiles a schema.
    pub fn new(schema: &Value) -> Result<Self> {
        // `format` is only an annotation in draft 2020-12 unless asked for: the snapshot contract
        // enforces it (RFC 3339 `date-time`, ISO 8601 `duration`), so a bad value is a located error.
        let validator = jsonschema::options_for::<TreeJson>()
            .should_validate_formats(true)
            .build(schema)
            .map_err(|e| Error::Schema(e.to_string()))?;
        Ok(SnapshotSchema { validator })
    }

    /// Every schema violation as (JSON pointer, message), in document order.
    pub fn violations(&self, value: &Value) -> Vec<(String, String)> {
        self.tree_violations(&FactTree::from_value(value, ""))
    }

    /// Every schema violation of a document tree (from its root) as (JSON pointer, message). A valid
    /// document is confirmed by the fast check alone; errors are only collected for an invalid one.
    pub(crate) fn tree_violations(&self, document: &FactTree) -> Vec<(String, String)> {
        let root = TreeNode::root(document);
        if self.validator.is_valid(root) {
            return Vec::new();
        }
        let mut out: Vec<(String, String)> =
            self.validator.iter_errors(root).map(|e| (e.instance_path().as_str().to_owned(), e.to_string())).collect();
        out.sort();
        out.dedup();
        out
    }
}

impl Snapshot {
    /// Reads a snapshot file (`.json`, or `.yaml`/`.yml`).
    pub fn from_path(path: &Path, schema: Option<&SnapshotSchema>) -> Result<Self> {
        let text = crate::text_file::read(path, crate::text_file::max_bytes(), Error::Snapshot)?;
        Self::from_text(&text, path, schema)
    }

    /// Parses snapshot text; `origin` names it in error messages and picks YAML for `.yaml`/`.yml`.
    /// JSON is read straight into the fact tree; YAML goes through a `serde_json::Value`.
    pub fn from_text(text: &str, origin: &Path, schema: Option<&SnapshotSchema>) -> Result<Self> {
        let is_yaml = origin.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let document = if is_yaml {
            let value: Value =
                serde_saphyr::from_str(text).map_err(|e| Error::Snapshot(vec![Diagnostic::yaml(origin, &e)]))?;
            FactTree::from_value(&value, "")
        } else {
            FactTree::from_json_str(text, "").map_err(|e| {
                Error::Snapshot(vec![Diagnostic::at(origin, e.line() as u64, e.column() as u64, json_message(&e))])
            })?
        };
        // YAML is read again with node locations only when there is a violation to place.
        let yaml = std::cell::OnceCell::new();
        let locate = |pointer: &str| {
            if is_yaml {
                yaml.get_or_init(|| YamlLocations::new(text)).locate(pointer)
            } else {
                locate_pointer(text, pointer)
            }
        };
        Self::from_document(document, origin, schema, &locate)
    }

    /// Parses snapshot text that has no file of its own (standard input, a string from an
    /// embedder), naming it `<NAME>` in messages when it is JSON (starts with `{`) and
    /// `<NAME>.yaml` otherwise, so that YAML text is parsed as YAML.
    pub fn from_unnamed_text(text: &str, name: &str, schema: Option<&SnapshotSchema>) -> Result<Self> {
        let origin = if text.trim_start().starts_with('{') { format!("<{name}>") } else { format!("<{name}>.yaml") };
        Self::from_text(text, Path::new(&origin), schema)
    }

    /// Parses line `line` (1-based) of the NDJSON stream `file`; diagnostics point at the stream's
    /// line (`fleet.ndjson:7:12: …`), as `syncdoctor replay fleet.ndjson` prints them.
    pub fn from_stream_line(text: &str, file: &Path, line: u64, schema: Option<&SnapshotSchema>) -> Result<Self> {
        Self::from_text(text, file, schema).map_err(|e| match e {
            Error::Snapshot(mut diagnostics) => {
                for d in &mut diagnostics {
                    d.line = if d.line == 0 { line } else { d.line + line - 1 };
                }
                Error::Snapshot(diagnostics)
            }
            other => other,
        })
    }

    /// Builds a snapshot from an already parsed JSON value.
    pub fn from_value(value: Value, origin: &Path, schema: Option<&SnapshotSchema>) -> Result<Self> {
        Self::from_document(FactTree::from_value(&value, ""), origin, schema, &|_| None)
    }

    /// Checks a whole snapshot document (envelope and facts) and keeps its `facts` as the tree.
    fn from_document(
        document: FactTree,
        origin: &Path,
        schema: Option<&SnapshotSchema>,
        locate: &dyn Fn(&str) -> Option<(u64, u64)>,
    ) -> Result<Self> {
        let at = |pointer: &str, message: String| {
            let (line, column) = locate(pointer).unwrap_or((0, 0));
            let place = if pointer.is_empty() { String::new() } else { format!(" (at {pointer})") };
            Diagnostic::at(origin, line, column, format!("{message}{place}"))
        };
        let root = document.root();
        if !matches!(document.node(root), Node::Map { .. }) {
            return Err(Error::Snapshot(vec![at("", "a snapshot must be a JSON object".into())]));
        }
        let version = document.get(root, "schema_version").map(|id| document.node(id));
        match version {
            Some(Node::Int(v)) if *v == i64::from(SNAPSHOT_SCHEMA_VERSION) => {}
            Some(Node::Int(v)) => {
                return Err(Error::Snapshot(vec![at(
                    "/schema_version",
                    format!(
                        "unsupported schema_version {v}: this engine reads schema_version {SNAPSHOT_SCHEMA_VERSION}"
                    ),
                )]));
            }
            _ => {
                return Err(Error::Snapshot(vec![at(
                    "/schema_version",
                    format!("missing or non-integer schema_version (expected {SNAPSHOT_SCHEMA_VERSION})"),
                )]));
            }
        }
        if let Some(schema) = schema {
            // Locating a violation scans the text: locate the first few only, so a large snapshot with
            // thousands of violations fails fast instead of in quadratic time.
            let violations = schema.tree_violations(&document);
            let total = violations.len();
            let mut problems: Vec<Diagnostic> = violations
                .into_iter()
                .take(MAX_LOCATED_VIOLATIONS)
                .map(|(pointer, message)| at(&pointer, message))
                .collect();
            if total > MAX_LOCATED_VIOLATIONS {
                problems.push(Diagnostic::file(
                    origin,
                    format!("… and {} more schema violations", total - MAX_LOCATED_VIOLATIONS),
                ));
            }
            if !problems.is_empty() {
                return Err(Error::Snapshot(problems));
            }
        }
        // The envelope is small: everything but `facts` goes through serde as a value.
        let facts = document.get(root, "facts");
        let meta: serde_json::Map<String, Value> = document
            .entries(root)
            .iter()
            .map(|(k, id)| (k.to_string(), if Some(*id) == facts { Value::Null } else { document.to_value(*id) }))
            .collect();
        let envelope: Envelope =
            serde_json::from_value(Value::Object(meta)).map_err(|e| Error::Snapshot(vec![at("", e.to_string())]))?;
        let collected_at: Timestamp = envelope.collected_at.parse().map_err(|e| {
            Error::Snapshot(vec![at("/collected_at", format!("collected_at is not an RFC 3339 timestamp: {e}"))])
        })?;
        let Some(facts) = facts.filter(|id| matches!(document.node(*id), Node::Map { .. })) else {
            return Err(Error::Snapshot(vec![at("/facts", "facts must be an object".into())]));
        };
        Ok(Snapshot {
            schema_version: envelope.schema_version,
            collected_at,
            collector: envelope.collector,
            probes: envelope.probes,
            provenance: envelope.provenance,
            facts: Arc::new(document.rooted_at(facts, "facts")),
        })
    }

    /// The facts, as the tree conditions read.
    pub(crate) fn facts(&self) -> &Arc<FactTree> {
        &self.facts
    }

    /// How many nodes (objects, lists and values) the facts have: what decides whether a
    /// snapshot's rules are judged on several threads ([`PARALLEL_NODES`](crate::PARALLEL_NODES)).
    pub fn nodes(&self) -> usize {
        self.facts.len()
    }

    /// The whole `facts` object as JSON.
    pub fn facts_value(&self) -> Value {
        self.facts.to_value(self.facts.root())
    }

    /// The value of a fact at a dotted path relative to `facts` (`None` when absent).
    pub fn fact(&self, path: &str) -> Option<Value> {
        self.facts.lookup(self.facts.root(), path).map(|id| self.facts.to_value(id))
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line L column C"; the diagnostic carries the position already.
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}
