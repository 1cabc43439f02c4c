//! One module per verb.

pub mod collect;
pub mod diagnose;
pub mod explain;
pub mod replay;
pub mod rules;
pub mod schema;

use std::io::Read;
use std::path::{Path, PathBuf};

use syncdoctor_engine::{KnowledgeBase, Snapshot};

use crate::{CliError, exit};

/// Verbs whose issue has not landed yet.
pub fn not_yet(verb: &str, issue: u32) -> Result<u8, CliError> {
    eprintln!("syncdoctor {verb}: not yet available (tracked in issue {issue}).");
    Ok(exit::BAD_INPUT)
}

/// Reads a snapshot from a file or standard input (`-`), validated with the knowledge base's schema.
pub fn read_snapshot(kb: &KnowledgeBase, path: &Path) -> Result<Snapshot, CliError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))?;
        let origin =
            if text.trim_start().starts_with('{') { PathBuf::from("<stdin>") } else { PathBuf::from("<stdin>.yaml") };
        return Ok(Snapshot::from_text(&text, &origin, kb.snapshot_schema())?);
    }
    Ok(kb.read_snapshot(path)?)
}
