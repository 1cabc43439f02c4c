//! `syncdoctor explain RULE_ID SNAPSHOT`.

use std::path::Path;

use crate::cli::Cli;
use crate::{CliError, exit, knowledge, render};

/// Runs the verb.
pub fn run(cli: &Cli, rule_id: &str, snapshot: &Path) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let snapshot = super::read_snapshot(&kb, snapshot)?;
    let explanation = kb
        .explain(rule_id, &snapshot)
        .ok_or_else(|| CliError::Usage(format!("no rule has id `{rule_id}` (see `syncdoctor rules list`)")))?;
    print!("{}", render::explain::render(&explanation));
    Ok(exit::OK)
}
