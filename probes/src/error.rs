//! The one error type of this crate.

use std::time::Duration;

/// Why a probe could not deliver its facts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// The probe cannot run on this platform (e.g. a Windows probe on Linux).
    #[error("unsupported platform: {0}")]
    Unsupported(String),
    /// The probe has nothing to do: it is not configured (no server, no credentials, no paths)
    /// or its input is absent. The registry records it as `skipped` with this reason.
    #[error("not configured: {0}")]
    NotConfigured(String),
    /// The probe is configured but cannot run: a secret that cannot be read (unset environment
    /// variable, missing or empty secret file), a certificate file that cannot be read or holds
    /// no certificate, a bind DN without a password source. The registry records it as `failed`
    /// (unlike [`ProbeError::NotConfigured`]), so `collect` exits non-zero.
    #[error("configured but cannot run: {0}")]
    CannotRun(String),
    /// Some facts were gathered, others were not: the registry keeps `facts`, records the probe
    /// as `partial` and `reason` as its error.
    #[error("partial: {reason}")]
    Partial {
        /// What was gathered (the probe module's `FactTree`, spelled out here so that errors
        /// depend on nothing else in the crate).
        facts: Box<serde_json::Map<String, serde_json::Value>>,
        /// What was not, and why.
        reason: String,
    },
    /// The probe did not finish within its time limit.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Reading a file, running a command or talking to the network failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Output the probe read (command output, file, response) could not be understood.
    #[error("cannot parse {what}: {message}")]
    Parse {
        /// What was being parsed, e.g. `Get-ADSyncScheduler output`.
        what: String,
        /// The parser's complaint.
        message: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl From<serde_json::Error> for ProbeError {
    fn from(error: serde_json::Error) -> Self {
        Self::Parse { what: "JSON".to_owned(), message: error.to_string() }
    }
}
