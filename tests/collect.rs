//! `syncdoctor collect` on this machine: exits 0, writes a schema-valid snapshot (Windows probes
//! skipped off Windows, unconfigured probes skipped rather than reaching the internet), and
//! `diagnose` finds no problem in it.

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
fn collect_without_configuration_writes_a_valid_snapshot_that_diagnoses_clean() {
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
    assert_eq!(diagnose.status.code(), Some(0), "{}", String::from_utf8_lossy(&diagnose.stdout));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn collect_to_standard_output_and_diagnose_collect() {
    let output = syncdoctor().args(["collect", "-o", "-"]).output().unwrap();
    assert!(output.status.success());
    let document: Value = serde_json::from_slice(&output.stdout).expect("stdout is the snapshot");
    assert_eq!(document["schema_version"], 1);

    let diagnose = syncdoctor().args(["diagnose", "--collect", "--format", "json"]).output().unwrap();
    assert_eq!(diagnose.status.code(), Some(0), "{}", String::from_utf8_lossy(&diagnose.stderr));
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
