//! Error lines from the provisioning agent's trace logs
//! (`%ProgramData%\Microsoft\Azure AD Connect Provisioning Agent\Trace`).
//!
//! The agent writes .NET `TraceSource` lines (`AADConnectProvisioningAgent Error: 0 : …`). A line
//! is kept when it is logged at error level or names an error signature: an error code of the
//! knowledge base's vocabulary (`data/cloud_sync_errors.yaml`), an `AADSTS` code, an exception,
//! or one of the failure [`PHRASES`] the cloud sync documentation and the .NET Service Bus and
//! socket errors word without a code or the word "Exception" (matched in any case).
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

/// Failure wordings without a code or the word "Exception", in lower case (lines are compared
/// in any case). Sources (`probes/tests/fixtures/real/SOURCES.md`, "Trace logs"):
///
/// - Microsoft Entra cloud sync error codes (learn.microsoft.com/entra/identity/hybrid/cloud-sync/reference-error-codes):
///   `AzureDirectoryServiceServerBusy` ("Microsoft Entra ID is currently busy. This operation will
///   be retried automatically"), `AzureActiveDirectoryExpiredCredentials` ("Response status code
///   doesn't indicate success: 401 (Unauthorized)", `CredentialsExpired`),
///   `AzureActiveDirectoryInvalidCredential` (`CredentialsInvalid`), `TimeOut` ("request timeout
///   error when contacting the on-premises agent"), `HybridIdentityServiceNoActiveAgents` ("unable
///   to find an active agent");
/// - the .NET Service Bus client's failure reason `ServiceCommunicationProblem` and the Windows
///   socket errors it wraps (10054, 10060, 10061, 10013), as quoted in public issue threads.
pub const PHRASES: [&str; 11] = [
    "is currently busy",
    "401 (unauthorized)",
    "credentialsexpired",
    "credentialsinvalid",
    "request timeout error when contacting the on-premises agent",
    "unable to find an active agent",
    "servicecommunicationproblem",
    "an existing connection was forcibly closed by the remote host",
    "a connection attempt failed because the connected party did not properly respond",
    "no connection could be made because the target machine actively refused it",
    "an attempt was made to access a socket in a way forbidden by its access permissions",
];

/// Whether one line is an error line.
#[must_use]
pub fn is_error_line(line: &str, vocabulary: &[String]) -> bool {
    if LEVEL_MARKERS.iter().any(|m| line.contains(m))
        || ALWAYS.iter().any(|s| line.contains(s))
        || vocabulary.iter().any(|code| !code.is_empty() && line.contains(code.as_str()))
    {
        return true;
    }
    let lower = line.to_lowercase();
    PHRASES.iter().any(|phrase| lower.contains(phrase))
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
        assert!(is_error_line("Warning: 0 : Microsoft Entra ID is currently busy.", &[]));
        assert!(is_error_line(
            "Information: 0 : Response status code does not indicate success: 401 (Unauthorized).",
            &[]
        ));
        assert!(!is_error_line("Information: 0 : service bus connection established", &[]));
    }
}
