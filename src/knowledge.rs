//! Picks and loads the knowledge base: `--rules DIR`, or the one embedded in the binary.

use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions};

use crate::CliError;
use crate::cli::Cli;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The knowledge base's files.
pub fn source(cli: &Cli) -> Result<KbSource, CliError> {
    match &cli.rules {
        Some(dir) => Ok(KbSource::from_dir(dir)?),
        None => Ok(KbSource::from_files("rules", embedded::FILES.iter().copied())),
    }
}

/// Loads and compiles the knowledge base, with the snapshot schema for validation and path checks.
pub fn load(cli: &Cli) -> Result<KnowledgeBase, CliError> {
    let options = LoadOptions { snapshot_schema: Some(crate::schemas::snapshot()) };
    Ok(KnowledgeBase::load(source(cli)?, options)?)
}
