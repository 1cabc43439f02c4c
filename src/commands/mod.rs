//! One module per verb.

pub mod collect;
pub mod diagnose;
pub mod diff;
pub mod explain;
pub mod mutate;
pub mod redact;
pub mod replay;
pub mod rules;
pub mod schema;
pub mod shell;

use std::io::Read;
use std::path::Path;

use syncdoctor_engine::waiver::WaiverOutcome;
use syncdoctor_engine::{KnowledgeBase, Selection, Snapshot};

use crate::cli::SelectArgs;
use crate::{CliError, exit};

/// Verbs whose issue has not landed yet.
pub fn not_yet(verb: &str, issue: u32) -> Result<u8, CliError> {
    eprintln!("syncdoctor {verb}: not yet available (tracked in issue {issue}).");
    Ok(exit::BAD_INPUT)
}

/// Reads a snapshot from a file or standard input (`-`), validated with the knowledge base's schema.
pub fn read_snapshot(kb: &KnowledgeBase, path: &Path) -> Result<Snapshot, CliError> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        let limit = syncdoctor_engine::text_file::max_bytes();
        std::io::stdin()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(CliError::Usage(format!(
                "standard input holds more than the limit of {limit} bytes (raise it with --max-input-size or SYNCDOCTOR_MAX_INPUT_SIZE)"
            )));
        }
        let text = syncdoctor_engine::text_file::decode(bytes, Path::new("<stdin>"))
            .map_err(|d| syncdoctor_engine::Error::Snapshot(vec![d]))?;
        return Ok(Snapshot::from_unnamed_text(&text, "stdin", kb.snapshot_schema())?);
    }
    Ok(kb.read_snapshot(path)?)
}

/// The rules `--only`/`--skip` select: `None` when nothing is filtered. A pattern that names no
/// rule is a usage error (exit 2), as it is most likely a typo.
pub fn selected_ids(kb: &KnowledgeBase, select: &SelectArgs) -> Result<Option<Vec<String>>, CliError> {
    let selection = Selection::new(&select.only, &select.skip).map_err(|e| CliError::Usage(e.to_string()))?;
    selection.ids(kb).map_err(|e| CliError::Usage(e.to_string()))
}

/// Warns on standard error about expired waivers and waivers that matched nothing.
pub fn warn_about_waivers(outcome: &WaiverOutcome, source: Option<&str>) {
    let on = source.map(|s| format!(" on {s}")).unwrap_or_default();
    for note in &outcome.expired {
        eprintln!(
            "{}: warning: waiver for `{}` expired on {}{on} (owner {}): renew it or fix the problem",
            note.at, note.waiver.rule, note.waiver.expires, note.waiver.owner
        );
    }
    for note in &outcome.unused {
        eprintln!("{}: warning: waiver for `{}` matched no finding{on}", note.at, note.waiver.rule);
    }
}

/// Writes to standard output; a reader that stopped early (`| head`) is not an error.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Io(format!("cannot write the output: {e}"))),
        Ok(()) => Ok(()),
    }
}
