//! The `files` probe on fixture copies of the product files (`tests/fixtures/files`).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use syncdoctor_probes::ProbeError;
use syncdoctor_probes::builtin::Defaults;
use syncdoctor_probes::config::CollectConfig;
use syncdoctor_probes::files::{FilesConfig, FilesProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};

#[path = "support/agent_cert.rs"]
mod agent_cert;
use agent_cert::agent_certificate;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/files")
}

fn cx() -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(10))
}

fn defaults() -> Defaults {
    let mut defaults = Defaults::default();
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/data/cloud_sync_errors.yaml");
    let text = std::fs::read_to_string(kb)
        .unwrap_or_else(|_| "errors:\n  - { code: HybridIdentityServiceNoActiveAgents }\n".to_owned());
    defaults.data.insert("cloud_sync_errors".into(), text);
    defaults
}

/// A copy of the trace fixtures with the file times a real agent would leave (older file first).
fn trace_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syncdoctor-files-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut age = 2;
    for file in ["AADConnectProvisioningAgent.20261119-0900.log", "AADConnectProvisioningAgent.20261120-0900.log"] {
        let target = dir.join(file);
        std::fs::copy(fixtures().join("Trace").join(file), &target).unwrap();
        let when = SystemTime::now() - Duration::from_secs(3600 * age);
        std::fs::File::options().write(true).open(&target).unwrap().set_modified(when).unwrap();
        age -= 1;
    }
    dir
}

fn collect(config: FilesConfig) -> Result<Value, ProbeError> {
    FilesProbe::new(Some(config), &defaults()).collect(&cx()).map(Value::Object)
}

#[test]
fn reads_proxies_trace_errors_and_localdb_sizes() {
    let trace = trace_copy("all");
    let config = FilesConfig {
        machine_config: Some(fixtures().join("config/machine.config")),
        agent_config: Some(fixtures().join("config/AADConnectProvisioningAgent.exe.config")),
        agent_trace_dir: Some(trace.clone()),
        localdb_data_dir: Some(fixtures().join("ADSync2019")),
        localdb_error_log: Some(fixtures().join("ADSync2019/error.log")),
        ..FilesConfig::default()
    };
    let facts = collect(config).unwrap();
    assert_eq!(
        facts["host"],
        json!({ "proxy": { "machine_config": {
            "present": true, "enabled": true, "proxy_address": "http://proxy.contoso.com:8080",
            "use_system_default": true, "bypass_on_local": true } } })
    );
    assert_eq!(
        facts["cloudsync_agent"]["config"]["default_proxy"],
        json!({ "present": false, "enabled": null, "proxy_address": null, "use_system_default": null, "bypass_on_local": null })
    );
    assert_eq!(facts["cloudsync_agent"]["trace_dir_present"], json!(true));
    let errors: Vec<&str> = facts["cloudsync_agent"]["recent_trace_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("(407) Proxy Authentication Required"), "newest first: {errors:#?}");
    assert!(errors[1].contains("HybridIdentityServiceNoActiveAgents"), "KB vocabulary: {errors:#?}");
    assert!(errors[2].contains("timed out"), "older file last: {errors:#?}");
    assert_eq!(
        facts["localdb"],
        json!({
            "instance": "ADSync2019",
            "mdf_path": fixtures().join("ADSync2019/ADSync.mdf").display().to_string(),
            "mdf_size_bytes": 8192,
            "ldf_size_bytes": 2048,
            "error_log_has_9003": true,
        })
    );
    std::fs::remove_dir_all(trace).unwrap();
}

#[test]
fn the_agent_proxy_block_with_a_bom_is_read() {
    let config = FilesConfig {
        agent_config: Some(fixtures().join("config/agent-with-proxy.exe.config")),
        ..FilesConfig::default()
    };
    let facts = collect(config).unwrap();
    assert_eq!(facts["cloudsync_agent"]["config"]["default_proxy"]["present"], json!(true));
    assert_eq!(
        facts["cloudsync_agent"]["config"]["default_proxy"]["proxy_address"],
        json!("http://proxy.contoso.com:8080")
    );
    assert!(facts.get("localdb").is_none() && facts.get("host").is_none(), "only what was asked: {facts}");
}

#[test]
fn a_sparse_ten_gib_database_reports_its_size() {
    let dir = std::env::temp_dir().join(format!("syncdoctor-files-{}-big", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mdf = std::fs::File::create(dir.join("ADSync.mdf")).unwrap();
    mdf.set_len(10 * 1024 * 1024 * 1024).unwrap();
    std::fs::File::create(dir.join("ADSync_log.ldf")).unwrap().set_len(512 * 1024 * 1024).unwrap();
    let facts = collect(FilesConfig { localdb_data_dir: Some(dir.clone()), ..FilesConfig::default() }).unwrap();
    assert_eq!(facts["localdb"]["mdf_size_bytes"], json!(10_737_418_240_u64));
    assert_eq!(facts["localdb"]["ldf_size_bytes"], json!(536_870_912_u64));
    assert_eq!(facts["localdb"]["instance"], json!("ADSync"), "V1 folder layout");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_and_broken_configured_files_make_the_probe_partial() {
    let config = FilesConfig {
        machine_config: Some(fixtures().join("config/broken.config")),
        agent_config: Some(fixtures().join("config/AADConnectProvisioningAgent.exe.config")),
        localdb_data_dir: Some(fixtures().join("no-such-folder")),
        agent_trace_dir: Some(fixtures().join("no-such-trace-folder")),
        ..FilesConfig::default()
    };
    match FilesProbe::new(Some(config), &defaults()).collect(&cx()) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("machine.config"), "{reason}");
            assert!(reason.contains("ADSync.mdf"), "{reason}");
            let facts = Value::Object(*facts);
            assert_eq!(facts["cloudsync_agent"]["config"]["default_proxy"]["present"], json!(false));
            assert_eq!(facts["cloudsync_agent"]["trace_dir_present"], json!(false), "an absent trace folder is a fact");
        }
        other => panic!("expected partial, got {other:?}"),
    }
}

#[test]
fn without_configuration_off_windows_the_probe_is_skipped() {
    if cfg!(windows) {
        return;
    }
    let result = FilesProbe::new(None, &defaults()).collect(&cx());
    assert!(matches!(result, Err(ProbeError::NotConfigured(_))), "{result:?}");
}

#[test]
fn configuration_paths_are_relative_to_the_configuration_file() {
    let dir = std::env::temp_dir().join(format!("syncdoctor-files-{}-config", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("collect.yaml");
    std::fs::write(&path, "files:\n  machine_config: copies/machine.config\n").unwrap();
    let config = CollectConfig::from_path(&path).unwrap();
    assert_eq!(config.files.unwrap().machine_config, Some(dir.join("copies/machine.config")));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Failures the cloud sync documentation and the .NET Service Bus/socket errors word without a
/// code or the word "Exception", logged at Information or Warning level
/// (`tests/fixtures/real/trace`, sources in `tests/fixtures/real/SOURCES.md`): every one is kept,
/// newest first, and the heartbeat and connection lines are not.
#[test]
fn documented_failures_without_a_code_are_trace_errors() {
    let trace = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/trace");
    let config = FilesConfig { agent_trace_dir: Some(trace), ..FilesConfig::default() };
    let facts = collect(config).unwrap();
    let errors: Vec<String> = facts["cloudsync_agent"]["recent_trace_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().split_once("] ").map(|(_, message)| message).unwrap_or_default().to_owned())
        .collect();
    let expected = [
        "We're unable to find an active agent for the domain you're trying to sync.",
        "We've detected a request timeout error when contacting the on-premises agent and synchronizing your configuration.",
        "Failed to establish a new connection: [WinError 10013] An attempt was made to access a socket in a way forbidden by its access permissions",
        "Unable to connect to the remote server: No connection could be made because the target machine actively refused it 127.0.0.1:8888",
        "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond ErrorCode: TimedOut (ServiceCommunicationProblem)",
        "An existing connection was forcibly closed by the remote host. ErrorCode: ConnectionReset (ServiceCommunicationProblem)",
        "Additional Error Details: CredentialsExpired AADSTS50055: The password is expired. Trace ID: 989b1841-dbe5-49c9-ab6c-9aa25f7b0e00 Correlation ID: 1c69b196-1c3a-4381-9187-c84747807155 Timestamp: 2021-01-12 20:59:31Z",
        "Response status code doesn't indicate success: 401 (Unauthorized).",
        "An error occurred. Error Code: 81. Error Description: Microsoft Entra ID is currently busy. This operation will be retried automatically. If this issue persists for more than 24 hours, contact Technical Support. Tracking ID: 8a4ab3b5-3664-4278-ab64-9cff37fd3f4f Server Name:",
    ];
    assert_eq!(errors, expected);
    // Without the phrases (the vocabulary alone), the code-less lines would have been missed.
    for line in &expected[..6] {
        assert!(!line.contains("Exception") && !line.contains("AADSTS"), "{line}");
    }
}

#[test]
fn the_agent_id_comes_from_a_copy_of_the_agent_certificate() {
    let dir = std::env::temp_dir().join(format!("syncdoctor-files-{}-cert", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // An agent-style certificate: subject CN = tenant id, the agent id (c2a7e4d1-8b36-4f5a-9e0c-1d3b5f7a9c24)
    // in extension 1.3.6.1.4.1.311.82.1 in .NET Guid byte order.
    let raw = [0xd1, 0xe4, 0xa7, 0xc2, 0x36, 0x8b, 0x5a, 0x4f, 0x9e, 0x0c, 0x1d, 0x3b, 0x5f, 0x7a, 0x9c, 0x24];
    let cert = agent_certificate(Some(raw));
    let cer = dir.join("agent.cer");
    std::fs::write(&cer, cert.der()).unwrap();
    let facts = collect(FilesConfig { agent_certificate: Some(cer), ..FilesConfig::default() }).unwrap();
    assert_eq!(facts["cloudsync_agent"]["agent_id"], json!("c2a7e4d1-8b36-4f5a-9e0c-1d3b5f7a9c24"));

    // A file that is not a certificate: the probe is partial and names it.
    let bad = dir.join("agent.pfx");
    std::fs::write(&bad, b"\x30\x03\x02\x01").unwrap();
    let err = collect(FilesConfig { agent_certificate: Some(bad), ..FilesConfig::default() }).unwrap_err();
    assert!(err.to_string().contains("agent certificate") && err.to_string().contains("agent.pfx"), "{err}");
}
