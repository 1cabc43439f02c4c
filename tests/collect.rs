//! `syncdoctor collect` on this machine: exits 0, writes a schema-valid snapshot (Windows probes
//! skipped off Windows, unconfigured probes skipped rather than reaching the internet), and
//! `diagnose` finds no problem in it — and, off the sync host, says that nothing could be checked
//! (exit 3) instead of calling it healthy.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn syncdoctor() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syncdoctor"));
    command.current_dir(std::env::temp_dir());
    command
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syncdoctor-cli-collect-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn collect_without_configuration_writes_a_valid_snapshot_that_diagnoses_clean_or_unchecked() {
    let dir = temp("plain");
    let snapshot = dir.join("snap.json");
    let output = syncdoctor().args(["collect", "-o"]).arg(&snapshot).output().unwrap();
    assert!(output.status.success(), "collect failed: {}", String::from_utf8_lossy(&output.stderr));

    let schema = syncdoctor_engine::SnapshotSchema::new(&syncdoctor::schemas::snapshot()).unwrap();
    let parsed = syncdoctor_engine::Snapshot::from_path(&snapshot, Some(&schema));
    assert!(parsed.is_ok(), "{:?}", parsed.err());

    let document: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    for probe in document["probes"].as_array().unwrap() {
        let id = probe["id"].as_str().unwrap();
        let status = probe["status"].as_str().unwrap();
        if cfg!(not(windows)) && id.starts_with("windows.") {
            assert_eq!(status, "skipped", "{id} off Windows");
        }
        if ["network", "ldap", "graph"].contains(&id) {
            assert_eq!(status, "skipped", "{id} must not run unconfigured: {probe}");
        }
        assert_ne!(status, "failed", "{probe}");
    }

    let diagnose = syncdoctor().arg("diagnose").arg(&snapshot).output().unwrap();
    // Off Windows nothing is gathered without a configuration: no rule can pass, exit 3.
    let expected = if cfg!(windows) { 0 } else { 3 };
    assert_eq!(diagnose.status.code(), Some(expected), "{}", String::from_utf8_lossy(&diagnose.stderr));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn collect_to_standard_output_and_diagnose_collect() {
    let output = syncdoctor().args(["collect", "-o", "-"]).output().unwrap();
    assert!(output.status.success());
    let document: Value = serde_json::from_slice(&output.stdout).expect("stdout is the snapshot");
    assert_eq!(document["schema_version"], 1);

    let diagnose = syncdoctor().args(["diagnose", "--collect", "--format", "json"]).output().unwrap();
    let expected = if cfg!(windows) { 0 } else { 3 };
    assert_eq!(diagnose.status.code(), Some(expected), "{}", String::from_utf8_lossy(&diagnose.stderr));
    let report: Value = serde_json::from_slice(&diagnose.stdout).unwrap();
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["outcome"] != "match"));
}

#[test]
fn unknown_probes_and_bad_configurations_are_usage_errors() {
    let output = syncdoctor().args(["collect", "--probe", "no-such-probe", "-o", "-"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown probe"));

    let dir = temp("badconfig");
    let config = dir.join("config.yaml");
    std::fs::write(&config, "timeout_seconds: 5\nnot_a_setting: true\n").unwrap();
    let output = syncdoctor().args(["collect", "-o", "-", "--config"]).arg(&config).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not_a_setting"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn collect_with_a_loopback_configuration_and_a_windows_bundle() {
    let dir = temp("configured");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("probes/tests/fixtures");
    let config = dir.join("collect.yaml");
    std::fs::write(
        &config,
        format!(
            "timeout_seconds: 20\nnetwork:\n  endpoints:\n    - {{ host: 127.0.0.1, port: {port}, proto: tcp, purpose: entra-core }}\n  dns: {{ disabled: true }}\n  timeout_ms: 1000\nimport:\n  windows_bundle: [{}]\n",
            fixtures.join("windows/bundle-connect-sync.json").display()
        ),
    )
    .unwrap();
    let snapshot = dir.join("snap.json");
    let output = syncdoctor().args(["collect", "--config"]).arg(&config).arg("-o").arg(&snapshot).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let status =
        |id: &str| document["probes"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["status"].clone();
    assert_eq!(status("network"), "ok");
    assert_eq!(status("import"), "ok");
    assert_eq!(document["facts"]["network"]["probes"][0]["ok"], true);
    assert_eq!(document["facts"]["services"]["adsync"]["state"], "Stopped");
    assert_eq!(document["facts"]["products"], serde_json::json!(["connect-sync", "cloud-sync"]));
    let schema = syncdoctor_engine::SnapshotSchema::new(&syncdoctor::schemas::snapshot()).unwrap();
    assert!(syncdoctor_engine::Snapshot::from_path(&snapshot, Some(&schema)).is_ok());
    // The bundle shows a stopped ADSync service: a real problem, so diagnose reports a match.
    let diagnose = syncdoctor().arg("diagnose").arg(&snapshot).output().unwrap();
    assert_ne!(diagnose.status.code(), Some(2), "{}", String::from_utf8_lossy(&diagnose.stderr));
    drop(listener);
    std::fs::remove_dir_all(dir).unwrap();
}
