//! `syncdoctor schema rule|snapshot|report|kb|config|waivers|variant|incident`.

use crate::cli::SchemaKind;
use crate::{CliError, exit, schemas};

/// Prints the schema.
pub fn run(which: SchemaKind) -> Result<u8, CliError> {
    let schema = match which {
        SchemaKind::Rule => schemas::rule(),
        SchemaKind::Snapshot => schemas::snapshot(),
        SchemaKind::Report => schemas::report(),
        SchemaKind::Kb => schemas::kb(),
        SchemaKind::Config => schemas::config(),
        SchemaKind::Waivers => schemas::waivers(),
        SchemaKind::Variant => schemas::variant(),
        SchemaKind::Incident => schemas::incident(),
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| CliError::Io(e.to_string()))?;
    println!("{text}");
    Ok(exit::OK)
}
