//! `syncdoctor redact`: pseudonymise a snapshot (keyed, deterministic) and write it atomically.
//!
//! Exit codes: 0 when the redacted snapshot was written; 2 when the input is not a valid snapshot
//! (with the file, line and column) or the output cannot be written.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use syncdoctor_engine::{Snapshot, SnapshotSchema};
use syncdoctor_probes::{redact, writer};

use crate::cli::{Cli, RedactArgs};
use crate::{CliError, exit};

/// Runs the verb.
pub fn run(_cli: &Cli, args: &RedactArgs) -> Result<u8, CliError> {
    let (text, origin) = read_input(&args.snapshot)?;
    let schema = SnapshotSchema::new(&crate::schemas::snapshot())?;
    // Validates the envelope and every fact, with located messages, before anything is written.
    Snapshot::from_text(&text, &origin, Some(&schema))?;
    let is_yaml = origin.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let document: serde_json::Value = if is_yaml {
        serde_saphyr::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", origin.display())))?
    } else {
        serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", origin.display())))?
    };
    let key = match &args.key {
        Some(key) if !key.is_empty() => key.clone(),
        _ => {
            eprintln!(
                "syncdoctor redact: warning: no --key or SYNCDOCTOR_REDACT_KEY given; using the built-in default key, \
                 which is public: anyone can re-derive the pseudonyms of values they can guess"
            );
            redact::DEFAULT_KEY.to_owned()
        }
    };
    let redacted = redact::redact(&document, key.as_bytes());
    // The result must still be a snapshot the engine accepts.
    Snapshot::from_value(redacted.clone(), Path::new("<redacted>"), Some(&schema))?;
    let out = serde_json::to_string_pretty(&redacted).map_err(|e| CliError::Io(e.to_string()))? + "\n";
    if args.output == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::Io(format!("cannot write the redacted snapshot: {e}")))?;
    } else {
        writer::write_atomically(&args.output, &out)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", args.output.display())))?;
        eprintln!("syncdoctor redact: {} → {}", origin.display(), args.output.display());
    }
    Ok(exit::OK)
}

fn read_input(path: &Path) -> Result<(String, PathBuf), CliError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))?;
        let origin =
            if text.trim_start().starts_with('{') { PathBuf::from("<stdin>") } else { PathBuf::from("<stdin>.yaml") };
        return Ok((text, origin));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
    Ok((text, path.to_path_buf()))
}
