//! # syncdoctor-bundled
//!
//! The knowledge base syncdoctor ships — the workspace's `rules/` folder, embedded at build time —
//! and the snapshot schema it is validated against. The `syncdoctor` CLI, the Python package and
//! the C library all load knowledge bases through [`load`], so a bundled or folder knowledge base
//! gives the same report, and the same located error, whichever front end runs it.
//!
//! This crate is data and one loader: evaluation, reading snapshots and comparing reports are the
//! engine's ([`syncdoctor_engine`]).
//!
//! ```
//! let kb = syncdoctor_bundled::load(None)?; // the bundled knowledge base
//! let text = include_str!("../../examples/expired-service-account-password.json");
//! let snapshot = syncdoctor_engine::Snapshot::from_unnamed_text(text, "example", kb.snapshot_schema())?;
//! let report = kb.evaluate(&snapshot, &syncdoctor_engine::EvalOptions::default());
//! assert_eq!(report.kb_version, syncdoctor_bundled::KB_VERSION);
//! assert!(report.all_findings().iter().any(|f| f.rule_id == "service-account-password-expired"));
//! # Ok::<(), syncdoctor_engine::Error>(())
//! ```

use std::path::Path;

use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The bundled knowledge base's version (`kb_version` of `rules/kb.yaml`).
pub const KB_VERSION: &str = env!("SYNCDOCTOR_KB_VERSION");

/// The git commit the crate was built from (12 hex digits), or `unknown` outside a git checkout
/// (`SYNCDOCTOR_GIT_COMMIT` overrides it when packaging from a tarball).
pub const GIT_COMMIT: &str = env!("SYNCDOCTOR_GIT_COMMIT");

/// The snapshot schema, as committed in `schema/snapshot.schema.json`. The workspace's schema
/// test checks that this file is what the typed fact model (`syncdoctor-probes`) generates, so
/// front ends get the schema without depending on the probes (LDAP, HTTP, TLS…).
pub const SNAPSHOT_SCHEMA: &str = include_str!("../../schema/snapshot.schema.json");

/// The embedded files: (path relative to `rules/`, contents), sorted by path.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The embedded knowledge base's files, as the engine reads them.
pub fn embedded_source() -> KbSource {
    KbSource::from_files("rules", embedded::FILES.iter().copied())
}

/// The files of the knowledge base in `dir`, or the embedded one when `dir` is `None`.
pub fn source(dir: Option<&Path>) -> Result<KbSource> {
    match dir {
        Some(dir) => KbSource::from_dir(dir),
        None => Ok(embedded_source()),
    }
}

/// [`SNAPSHOT_SCHEMA`], parsed (`None` only if the committed file were not JSON, which the tests
/// rule out).
pub fn snapshot_schema() -> Option<serde_json::Value> {
    serde_json::from_str(SNAPSHOT_SCHEMA).ok()
}

/// The options every front end loads with: the snapshot schema, for snapshot validation and for
/// checking the fact paths rules read, and the helpers of the Entra vocabulary
/// ([`syncdoctor_facts::helpers`]: `base64_to_guid`) the rules call.
pub fn load_options() -> LoadOptions {
    LoadOptions { snapshot_schema: snapshot_schema(), lenient: false, helpers: vec![syncdoctor_facts::helpers()] }
}

/// Loads and compiles the knowledge base in `dir` (or the embedded one), with [`load_options`].
pub fn load(dir: Option<&Path>) -> Result<KnowledgeBase> {
    KnowledgeBase::load(source(dir)?, load_options())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_knowledge_base_loads_with_its_manifest_version() {
        let kb = super::load(None).unwrap_or_else(|e| panic!("{e}"));
        assert!(kb.rules().len() > 10, "{} rules", kb.rules().len());
        assert_eq!(kb.version(), super::KB_VERSION);
        assert!(super::files().iter().any(|(path, _)| *path == "kb.yaml"));
    }

    #[test]
    fn the_committed_snapshot_schema_parses() {
        assert!(super::snapshot_schema().is_some_and(|s| s.is_object()));
    }
}
