//! `syncdoctor collect`: run the probes, write one snapshot atomically.
//!
//! Standard error gets a summary line and one line per probe that did not end `ok` (failed,
//! partial or skipped), with its reason; the snapshot records the same in its `probes` section.
//!
//! Exit codes: 0 when the snapshot was written and no probe failed; 1 when the snapshot was
//! written but some probe failed (a probe that was configured but could not run — an unreadable
//! secret, a bad certificate file — is `failed`, as is one that errored, timed out or panicked);
//! 2 when the command line or the configuration is wrong or the snapshot cannot be written.
//! A probe that is not configured or cannot run on this platform is `skipped`: listed, not a
//! failure.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use syncdoctor_engine::envelope::ProbeStatus;
use syncdoctor_probes::builtin::{self, Defaults};
use syncdoctor_probes::config::CollectConfig;
use syncdoctor_probes::registry::{Progress, RunOptions};
use syncdoctor_probes::{SnapshotDocument, writer};

use crate::cli::{Cli, CollectArgs};
use crate::{CliError, exit, knowledge};

/// Runs the verb.
pub fn run(cli: &Cli, args: &CollectArgs) -> Result<u8, CliError> {
    let document = collect(cli, &args.probes, args.config.as_deref())?;
    let text = writer::to_json(&document).map_err(|e| CliError::Io(e.to_string()))?;
    let output = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    if output == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Io(format!("cannot write the snapshot: {e}")))?;
    } else {
        writer::write_atomically(&output, &text)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", output.display())))?;
    }
    eprintln!("syncdoctor collect: {} → {}", summary(&document), output.display());
    eprint!("{}", not_ok(&document));
    let failed = document.probes.iter().any(|p| p.status == ProbeStatus::Failed);
    Ok(if failed { exit::FOUND } else { exit::OK })
}

/// One line per probe that did not end `ok`: failed first, then partial, then skipped; the
/// probes left out by `--probe` share one line.
fn not_ok(document: &SnapshotDocument) -> String {
    let mut out = String::new();
    let mut unselected = Vec::new();
    for status in [ProbeStatus::Failed, ProbeStatus::Partial, ProbeStatus::Skipped, ProbeStatus::Unsupported] {
        for probe in document.probes.iter().filter(|p| p.status == status) {
            let reason = probe.error.as_deref().unwrap_or("no reason recorded");
            if status == ProbeStatus::Skipped && reason == NOT_SELECTED {
                unselected.push(probe.id.as_str());
                continue;
            }
            out.push_str(&format!("  {} {}: {reason}\n", probe.id, status.as_str()));
        }
    }
    if !unselected.is_empty() {
        out.push_str(&format!("  not selected (--probe): {}\n", unselected.join(", ")));
    }
    out
}

/// The reason the registry records for a probe `--probe` left out.
const NOT_SELECTED: &str = "not selected (--probe)";

/// Runs the selected probes with the configuration (if any) and returns the snapshot.
pub fn collect(cli: &Cli, probes: &[String], config: Option<&Path>) -> Result<SnapshotDocument, CliError> {
    let config = match config {
        Some(path) => CollectConfig::from_path(path).map_err(|e| CliError::Usage(e.to_string()))?,
        None => CollectConfig::default(),
    };
    let defaults = Defaults { data: kb_data(cli) };
    let registry = builtin::registry(&config, &defaults, probes);
    let options = RunOptions {
        selection: probes.to_vec(),
        default_timeout: config.timeout_for(""),
        timeouts: config.timeouts(),
        ..RunOptions::default()
    };
    registry.check_selection(&options.selection).map_err(|e| CliError::Usage(e.to_string()))?;
    let line = ProgressLine::new(std::io::stderr().is_terminal());
    let previous_hook = quiet_probe_panics();
    let result = registry.run(&options, &|event| line.update(&event));
    std::panic::set_hook(previous_hook);
    line.clear();
    result.map_err(|e| CliError::Usage(e.to_string()))
}

/// The knowledge base's reference data (`data/*.yaml`) by name: the endpoint table, the error
/// vocabularies. Empty when the knowledge base cannot be read (the probes then use their own
/// configuration only).
fn kb_data(cli: &Cli) -> BTreeMap<String, String> {
    let Ok(source) = knowledge::source(cli) else { return BTreeMap::new() };
    source
        .files
        .iter()
        .filter(|file| file.path.parent() == Some(Path::new("data")))
        .filter_map(|file| {
            let stem = file.path.file_stem()?.to_string_lossy().into_owned();
            Some((stem, file.text.clone()))
        })
        .collect()
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// A probe's panic is recorded in the snapshot (`failed`, with the message); it need not also be
/// printed. Other panics print as usual.
fn quiet_probe_panics() -> PanicHook {
    let previous = std::sync::Arc::new(std::panic::take_hook());
    let chained = std::sync::Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        let in_probe = std::thread::current().name().is_some_and(|name| name.starts_with("probe:"));
        if !in_probe {
            chained(info);
        }
    }));
    Box::new(move |info| previous(info))
}

fn summary(document: &SnapshotDocument) -> String {
    let count = |status: ProbeStatus| document.probes.iter().filter(|p| p.status == status).count();
    format!(
        "{} probes: {} ok, {} partial, {} failed, {} skipped",
        document.probes.len(),
        count(ProbeStatus::Ok),
        count(ProbeStatus::Partial),
        count(ProbeStatus::Failed),
        count(ProbeStatus::Skipped) + count(ProbeStatus::Unsupported),
    )
}

/// A one-line progress display on standard error, only when it is a terminal.
struct ProgressLine {
    enabled: bool,
    running: Mutex<Vec<String>>,
}

impl ProgressLine {
    fn new(enabled: bool) -> Self {
        Self { enabled, running: Mutex::new(Vec::new()) }
    }

    fn update(&self, event: &Progress) {
        if !self.enabled {
            return;
        }
        let Ok(mut running) = self.running.lock() else { return };
        let text = match event {
            Progress::Started { id } => {
                running.push(id.clone());
                format!("collecting: started {id}")
            }
            Progress::Finished { id, status, done, total } => {
                running.retain(|r| r != id);
                let status = serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned));
                let waiting =
                    if running.is_empty() { String::new() } else { format!(" — waiting for {}", running.join(", ")) };
                format!("collecting: {done}/{total} done, {id} {}{waiting}", status.unwrap_or_default())
            }
        };
        let width = 100;
        let shown: String = text.chars().take(width).collect();
        eprint!("\r\x1b[2K{shown}");
        let _ = std::io::stderr().flush();
    }

    fn clear(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}
