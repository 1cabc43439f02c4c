//! The `exec` probes: the extension protocol. Any executable, in any language, that prints
//! `{"facts": {…}}` on standard output contributes those facts.
//!
//! Protocol:
//!
//! - the program is started with the configured arguments, standard input closed, and the
//!   environment of `syncdoctor` plus `SYNCDOCTOR_COLLECTED_AT` (the snapshot's "now");
//! - it prints one JSON object: `{"facts": {…}}` — fact names of `facts.md` only — and
//!   optionally `"error": "…"` to say some facts could not be gathered (the probe is then
//!   `partial`);
//! - exit code 0 means success; any other exit code makes the probe `failed`, with the exit
//!   code and the end of standard error as the reason;
//! - output beyond `max_output_bytes` (default 8 MiB), or a run beyond the time limit, makes the
//!   probe `failed` and the program is killed.
//!
//! The facts are checked against the snapshot schema like any probe's: a wrong fact name fails
//! this probe alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ProbeError;
use crate::probe::{FactTree, Probe, ProbeContext};
use crate::process::{self, Finished, STDERR_TAIL};
use crate::secret::resolve;

/// Default cap on standard output.
pub const DEFAULT_MAX_OUTPUT: usize = 8 * 1024 * 1024;

/// One extension in the `exec` list of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecConfig {
    /// Name; the probe id is `exec.<name>`.
    pub name: String,
    /// Program to run (a path relative to the configuration file, or a name on `PATH`).
    pub command: PathBuf,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Cap on standard output, in bytes (default 8 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_bytes: Option<usize>,
}

impl ExecConfig {
    /// Makes a relative command path (one with a folder part) relative to `base`.
    pub fn resolve_relative_to(&mut self, base: &Path) {
        if self.command.components().count() > 1 {
            self.command = resolve(base, &self.command);
        }
    }
}

/// One extension probe.
#[derive(Debug, Clone)]
pub struct ExecProbe {
    id: String,
    config: ExecConfig,
}

impl ExecProbe {
    /// The probe `exec.<name>`.
    #[must_use]
    pub fn new(config: ExecConfig) -> Self {
        Self { id: format!("exec.{}", config.name), config }
    }
}

impl Probe for ExecProbe {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &str {
        "exec"
    }

    fn provides(&self) -> &[&str] {
        &[]
    }

    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let limit = self.config.max_output_bytes.unwrap_or(DEFAULT_MAX_OUTPUT);
        let finished = run(&self.config, cx, limit)?;
        let stderr_tail = tail(&finished.stderr);
        if finished.code != Some(0) {
            let code = finished.code.map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit code {c}"));
            let detail = if stderr_tail.is_empty() { String::new() } else { format!(": {stderr_tail}") };
            return Err(ProbeError::Other(format!("{} ended with {code}{detail}", self.config.command.display())));
        }
        let output: Value = serde_json::from_slice(&finished.stdout).map_err(|e| ProbeError::Parse {
            what: format!("output of {}", self.config.command.display()),
            message: format!("not the extension protocol's JSON ({e})"),
        })?;
        let Some(facts) = output.get("facts").and_then(Value::as_object).cloned() else {
            return Err(ProbeError::Parse {
                what: format!("output of {}", self.config.command.display()),
                message: "no `facts` object".into(),
            });
        };
        match output.get("error").and_then(Value::as_str) {
            Some(reason) if !reason.is_empty() => {
                Err(ProbeError::Partial { facts: Box::new(facts), reason: reason.to_owned() })
            }
            _ => Ok(facts),
        }
    }
}

fn run(config: &ExecConfig, cx: &ProbeContext, limit: usize) -> Result<Finished, ProbeError> {
    let mut command = Command::new(&config.command);
    command.args(&config.args).env("SYNCDOCTOR_COLLECTED_AT", &cx.now);
    process::run(&mut command, cx.timeout, limit).map_err(|e| match e {
        ProbeError::Io(io) => ProbeError::Other(format!("cannot start {}: {io}", config.command.display())),
        other => other,
    })
}

/// The end of standard error as one line of text.
fn tail(stderr: &[u8]) -> String {
    let start = stderr.len().saturating_sub(STDERR_TAIL);
    String::from_utf8_lossy(&stderr[start..]).split_whitespace().collect::<Vec<_>>().join(" ")
}
