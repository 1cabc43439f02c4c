//! The `files` probe: the product files on the sync or agent host.
//!
//! | fact | from |
//! |---|---|
//! | `host.proxy.machine_config.*` | `configuration/system.net/defaultProxy` of the 64-bit .NET 4 `machine.config` |
//! | `cloudsync_agent.config.default_proxy.*` | the same block in `AADConnectProvisioningAgent.exe.config` |
//! | `cloudsync_agent.trace_dir_present`, `.recent_trace_errors[]` | the agent's `Trace` folder (see [`trace`]) |
//! | `cloudsync_agent.agent_id` | a copy of the agent's client certificate (see [`agent_certificate`]) |
//! | `localdb.instance`, `.mdf_path`, `.mdf_size_bytes`, `.ldf_size_bytes` | `ADSync.mdf` / `ADSync_log.ldf` (V2 folder `Data\ADSync2019`, else V1 `Data`) |
//! | `localdb.error_log_has_9003` | the LocalDB instance `error.log` contains `Error: 9003` |
//!
//! On Windows the probe reads the standard locations when the configuration has no `files`
//! section; elsewhere it reads only the paths the `files` section names (copies taken from the
//! server) and is `skipped` without one. A path named in the configuration that cannot be read
//! makes the probe `partial`; a standard location that does not exist is simply not reported (the
//! product is not installed).

pub mod agent_certificate;
pub mod dotnet_config;
pub mod trace;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::defaults::Defaults;
use crate::error::ProbeError;
use crate::facts::Facts;
use crate::facts::cloudsync_agent::{AgentConfig, CloudSyncAgent};
use crate::facts::host::{Host, Proxy};
use crate::facts::known;
use crate::facts::localdb::LocalDb;
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};
use crate::secret::resolve;

/// The `files` section of the configuration: where the product files are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    /// The 64-bit .NET 4 `machine.config` (Connect Sync's proxy settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_config: Option<PathBuf>,
    /// The provisioning agent's `AADConnectProvisioningAgent.exe.config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_config: Option<PathBuf>,
    /// The provisioning agent's trace folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_trace_dir: Option<PathBuf>,
    /// A copy of the provisioning agent's client certificate (DER or PEM), for this host's agent id.
    /// The certificate is in the machine store, not a file, so it is read only when named here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_certificate: Option<PathBuf>,
    /// How many of the newest trace files to read (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_files: Option<usize>,
    /// Most error lines to report (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_max_lines: Option<usize>,
    /// Extra error signatures (substrings) that make a trace line count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace_signatures: Vec<String>,
    /// The folder holding `ADSync.mdf` and `ADSync_log.ldf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localdb_data_dir: Option<PathBuf>,
    /// The LocalDB instance's `error.log`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localdb_error_log: Option<PathBuf>,
}

impl FilesConfig {
    /// Makes relative paths relative to `base` (the configuration file's folder).
    pub fn resolve_relative_to(&mut self, base: &Path) {
        for path in [
            &mut self.machine_config,
            &mut self.agent_config,
            &mut self.agent_trace_dir,
            &mut self.agent_certificate,
            &mut self.localdb_data_dir,
            &mut self.localdb_error_log,
        ]
        .into_iter()
        .flatten()
        {
            *path = resolve(base, path);
        }
    }

    /// The standard locations on a Windows host (from `%WINDIR%`, `%ProgramFiles%`, `%ProgramData%`).
    #[must_use]
    pub fn windows_defaults() -> Self {
        let env = |name: &str, fallback: &str| std::env::var(name).unwrap_or_else(|_| fallback.to_owned());
        let windir = PathBuf::from(env("WINDIR", r"C:\Windows"));
        let program_files = PathBuf::from(env("ProgramFiles", r"C:\Program Files"));
        let program_data = PathBuf::from(env("ProgramData", r"C:\ProgramData"));
        let data = program_files.join("Microsoft Azure AD Sync").join("Data");
        let localdb_data_dir =
            if data.join("ADSync2019").join("ADSync.mdf").exists() { data.join("ADSync2019") } else { data };
        let instance =
            localdb_data_dir.file_name().map_or_else(|| "ADSync".into(), |n| n.to_string_lossy().into_owned());
        let instance = if instance.eq_ignore_ascii_case("ADSync2019") { "ADSync2019" } else { "ADSync" };
        Self {
            machine_config: Some(windir.join(r"Microsoft.NET\Framework64\v4.0.30319\Config\machine.config")),
            agent_config: Some(
                program_files.join(r"Microsoft Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe.config"),
            ),
            agent_trace_dir: Some(program_data.join(r"Microsoft\Azure AD Connect Provisioning Agent\Trace")),
            agent_certificate: None,
            trace_files: None,
            trace_max_lines: None,
            trace_signatures: Vec::new(),
            localdb_data_dir: Some(localdb_data_dir),
            localdb_error_log: Some(windir.join(format!(
                r"ServiceProfiles\ADSync\AppData\Local\Microsoft\Microsoft SQL Server Local DB\Instances\{instance}\error.log"
            ))),
        }
    }
}

/// The `files` probe.
#[derive(Debug, Clone)]
pub struct FilesProbe {
    config: Option<FilesConfig>,
    vocabulary: Vec<String>,
}

impl FilesProbe {
    /// A probe reading the configured paths (or, on Windows without configuration, the standard ones).
    #[must_use]
    pub fn new(config: Option<FilesConfig>, defaults: &Defaults) -> Self {
        let mut vocabulary = defaults.cloud_sync_error_codes();
        if let Some(config) = &config {
            vocabulary.extend(config.trace_signatures.iter().cloned());
        }
        Self { config, vocabulary }
    }
}

/// What one read attempt found: facts, or why not.
struct Gathered {
    facts: Facts,
    problems: Vec<String>,
}

impl Probe for FilesProbe {
    fn id(&self) -> &str {
        "files"
    }

    fn kind(&self) -> &str {
        "file"
    }

    fn provides(&self) -> &[&str] {
        &[
            "host.proxy.machine_config",
            "cloudsync_agent.config.default_proxy",
            "cloudsync_agent.trace_dir_present",
            "cloudsync_agent.recent_trace_errors",
            "cloudsync_agent.agent_id",
            "localdb",
        ]
    }

    fn collect(&self, _cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let (config, explicit) = match &self.config {
            Some(config) => (config.clone(), true),
            None if cfg!(windows) => (FilesConfig::windows_defaults(), false),
            None => {
                return Err(ProbeError::NotConfigured(
                    "the product files are on the Windows sync host; add a `files` section naming copies of them"
                        .into(),
                ));
            }
        };
        let gathered = gather(&config, explicit, &self.vocabulary);
        let tree = fact_tree(&gathered.facts)?;
        match (gathered.problems.is_empty(), tree.is_empty()) {
            (true, _) => Ok(tree),
            (false, false) => Err(ProbeError::Partial { facts: Box::new(tree), reason: gathered.problems.join("; ") }),
            (false, true) => Err(ProbeError::Other(gathered.problems.join("; "))),
        }
    }
}

/// Reads a file; `Ok(None)` when it does not exist and was not named explicitly.
fn read(path: &Path, explicit: bool) -> Result<Option<Vec<u8>>, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn gather(config: &FilesConfig, explicit: bool, vocabulary: &[String]) -> Gathered {
    let mut facts = Facts::default();
    let mut problems = Vec::new();

    if let Some(path) = &config.machine_config {
        match read(path, explicit)
            .and_then(|b| b.map(|b| dotnet_config::default_proxy(&dotnet_config::decode_text(&b))).transpose())
        {
            Ok(Some(proxy)) => {
                facts.host =
                    Some(Host { proxy: Some(Proxy { machine_config: Some(proxy), winhttp: None }), ..Host::default() });
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("machine.config: {e}")),
        }
    }

    let mut agent = CloudSyncAgent::default();
    if let Some(path) = &config.agent_config {
        match read(path, explicit)
            .and_then(|b| b.map(|b| dotnet_config::default_proxy(&dotnet_config::decode_text(&b))).transpose())
        {
            Ok(Some(proxy)) => agent.config = Some(AgentConfig { default_proxy: Some(proxy) }),
            Ok(None) => {}
            Err(e) => problems.push(format!("agent config: {e}")),
        }
    }
    if let Some(dir) = &config.agent_trace_dir {
        let files = config.trace_files.unwrap_or(3).max(1);
        let max_lines = config.trace_max_lines.unwrap_or(50).max(1);
        match trace::scan(dir, files, max_lines, vocabulary) {
            Ok(scan) if scan.present => {
                agent.trace_dir_present = known(true);
                agent.recent_trace_errors = known(scan.errors);
            }
            // An absent trace folder is a fact too (the agent never ran, or another path).
            Ok(_) => agent.trace_dir_present = known(false),
            Err(e) => problems.push(format!("agent trace folder {}: {e}", dir.display())),
        }
    }
    if let Some(path) = &config.agent_certificate {
        match read(path, true).and_then(|b| b.map(|b| agent_certificate::agent_id(&b)).transpose()) {
            Ok(Some(id)) => agent.agent_id = Some(id.into()),
            Ok(None) => {}
            Err(e) => problems.push(format!("agent certificate {}: {e}", path.display())),
        }
    }
    if agent != CloudSyncAgent::default() {
        facts.cloudsync_agent = Some(agent);
    }

    let mut localdb = LocalDb::default();
    if let Some(dir) = &config.localdb_data_dir {
        let mdf = dir.join("ADSync.mdf");
        let ldf = dir.join("ADSync_log.ldf");
        match std::fs::metadata(&mdf) {
            Ok(meta) => {
                localdb.mdf_path = known(mdf.display().to_string());
                localdb.mdf_size_bytes = known(meta.len());
                let v2 = dir.file_name().is_some_and(|n| n.eq_ignore_ascii_case("ADSync2019"));
                localdb.instance = known(if v2 { "ADSync2019" } else { "ADSync" }.to_owned());
                match std::fs::metadata(&ldf) {
                    Ok(meta) => localdb.ldf_size_bytes = known(meta.len()),
                    Err(e) => problems.push(format!("{}: {e}", ldf.display())),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {}
            Err(e) => problems.push(format!("{}: {e}", mdf.display())),
        }
    }
    if let Some(path) = &config.localdb_error_log {
        match read(path, explicit) {
            Ok(Some(bytes)) => {
                localdb.error_log_has_9003 = known(dotnet_config::decode_text(&bytes).contains("Error: 9003"));
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("LocalDB error.log: {e}")),
        }
    }
    if localdb != LocalDb::default() {
        facts.localdb = Some(localdb);
    }
    Gathered { facts, problems }
}
