//! Error lines from the provisioning agent's trace logs
//! (`%ProgramData%\Microsoft\Azure AD Connect Provisioning Agent\Trace`).
//!
//! The agent writes .NET `TraceSource` lines (`AADConnectProvisioningAgent Error: 0 : …`). A line
//! is kept when it is logged at error level or names an error signature: an error code of the
//! knowledge base's vocabulary (`data/cloud_sync_errors.yaml`), an `AADSTS` code or an exception.
//! The newest files are read first and, within a file, the newest lines first.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::dotnet_config::decode_text;

/// Longest line kept, in characters (longer lines are cut).
pub const MAX_LINE_CHARS: usize = 1024;

/// What a trace folder holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceScan {
    /// The folder exists.
    pub present: bool,
    /// Matching lines, newest first, without duplicates.
    pub errors: Vec<String>,
}

/// Markers of an error-level line.
const LEVEL_MARKERS: [&str; 6] = [" Error: ", " Critical: ", "[Error]", "[ERROR]", "ERROR ", "Exception:"];

/// Signatures that always count, whatever the vocabulary.
const ALWAYS: [&str; 2] = ["AADSTS", "Exception"];

/// Whether one line is an error line.
#[must_use]
pub fn is_error_line(line: &str, vocabulary: &[String]) -> bool {
    LEVEL_MARKERS.iter().any(|m| line.contains(m))
        || ALWAYS.iter().any(|s| line.contains(s))
        || vocabulary.iter().any(|code| !code.is_empty() && line.contains(code.as_str()))
}

/// Reads the newest `newest_files` files of `dir` and returns up to `max_lines` error lines.
///
/// # Errors
///
/// An I/O error other than "not found" while listing or reading the folder.
pub fn scan(dir: &Path, newest_files: usize, max_lines: usize, vocabulary: &[String]) -> std::io::Result<TraceScan> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TraceScan::default()),
        Err(e) => return Err(e),
    };
    let mut files: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH), e.path()))
        .collect();
    // Newest first; equal times by name, descending (trace files carry a date in their name).
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let mut errors: Vec<String> = Vec::new();
    'files: for (_, path) in files.into_iter().take(newest_files) {
        let text = decode_text(&std::fs::read(&path)?);
        for line in text.lines().rev() {
            let line = line.trim();
            if line.is_empty() || !is_error_line(line, vocabulary) {
                continue;
            }
            let kept: String = line.chars().take(MAX_LINE_CHARS).collect();
            if !errors.contains(&kept) {
                errors.push(kept);
                if errors.len() >= max_lines {
                    break 'files;
                }
            }
        }
    }
    Ok(TraceScan { present: true, errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_recognised() {
        let vocabulary = vec!["HybridIdentityServiceNoActiveAgents".to_owned()];
        assert!(is_error_line("AADConnectProvisioningAgent Error: 0 : boom", &vocabulary));
        assert!(is_error_line("Information: job failed with HybridIdentityServiceNoActiveAgents", &vocabulary));
        assert!(is_error_line("token request failed: AADSTS50055", &[]));
        assert!(!is_error_line("AADConnectProvisioningAgent Information: 0 : heartbeat ok", &vocabulary));
    }
}
