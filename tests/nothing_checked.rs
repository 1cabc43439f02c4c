//! "Nothing checked is not healthy" (issue 8, DESIGN §7), through the binary:
//!
//! - `diagnose` exits 3 when no rule passed or matched, and says what is missing (facts by area,
//!   the probes that gather them, the snapshot's probes that failed or were skipped);
//! - a snapshot in which something was checked still exits 0 or 1;
//! - `replay` counts such snapshots and exits 3 when nothing matched;
//! - `collect` marks a configured probe that cannot run (unreadable secret, bad certificate) as
//!   `failed`, names every failed or skipped probe on standard error and exits 1.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn syncdoctor_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syncdoctor"));
    command.current_dir(dir).env_remove("SYNCDOCTOR_RULES");
    command
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syncdoctor-unchecked-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A snapshot with every probe skipped and no facts, as an empty collect off Windows writes it
/// (written here so the test means the same on every platform).
fn empty_snapshot(dir: &Path) -> PathBuf {
    let document = serde_json::json!({
        "schema_version": 1,
        "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "syncdoctor", "version": "0.1.0" },
        "probes": [
            { "id": "windows.services", "kind": "command", "status": "skipped",
              "error": "unsupported platform: the Windows probes run on the sync server" },
            { "id": "graph", "kind": "graph", "status": "skipped",
              "error": "not configured: add a `graph` section (tenant, app id, secret source)" }
        ],
        "facts": {}
    });
    let path = dir.join("empty.json");
    std::fs::write(&path, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    path
}

#[test]
fn an_empty_snapshot_exits_3_and_names_what_is_missing() {
    let dir = temp("empty");
    let snapshot = empty_snapshot(&dir);
    let output = syncdoctor_in(&common::root()).arg("diagnose").arg(&snapshot).output().unwrap();
    let (stdout, stderr) = (common::stdout(&output), common::stderr(&output));
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(!stdout.contains("No problem found"), "an empty snapshot is not healthy: {stdout}");
    assert!(stdout.contains("Nothing could be checked"), "{stdout}");
    assert!(stderr.contains("nothing could be checked: none of the"), "{stderr}");
    // The areas most needed are named with example paths and the probes that gather them.
    assert!(stderr.contains("Facts the rules needed most, by area:"), "{stderr}");
    let services = stderr.lines().find(|l| l.trim_start().starts_with("services (")).expect("a services line");
    assert!(services.contains("not gathered at all") && services.contains("windows.services"), "{services}");
    let connect = stderr.lines().find(|l| l.trim_start().starts_with("connect (")).expect("a connect line");
    assert!(connect.contains("windows.connect") && connect.contains("import"), "{connect}");
    let products = stderr.lines().find(|l| l.trim_start().starts_with("products (")).expect("a products line");
    assert!(products.contains("windows.services"), "derived from the services: {products}");
    // The snapshot's own probe records, with their reasons.
    assert!(stderr.contains("windows.services skipped: unsupported platform"), "{stderr}");
    assert!(stderr.contains("graph skipped: not configured"), "{stderr}");

    // Machine-readable formats stay clean on standard output; the code is the same.
    let json = syncdoctor_in(&common::root()).args(["diagnose", "--format", "json"]).arg(&snapshot).output().unwrap();
    assert_eq!(json.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&json.stdout).expect("the JSON report is intact");
    assert_eq!(report["summary"]["outcomes"].get("pass").and_then(Value::as_u64).unwrap_or(0), 0);
    assert!(common::stderr(&json).contains("nothing could be checked"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_snapshot_where_rules_pass_is_not_unchecked() {
    // The healthy Connect baseline: rules pass, nothing matches, exit 0 and no exit-3 message.
    let output =
        syncdoctor_in(&common::root()).args(["diagnose", "rules/baselines/connect-sync.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert!(!common::stderr(&output).contains("nothing could be checked"));
    assert!(common::stdout(&output).contains("No problem found"));
}

#[test]
fn replay_counts_snapshots_where_nothing_could_be_checked() {
    let dir = temp("replay");
    empty_snapshot(&dir);
    let healthy = common::root().join("rules/baselines/connect-sync.json");
    std::fs::copy(&healthy, dir.join("healthy.json")).unwrap();
    let output = syncdoctor_in(&common::root()).arg("replay").arg(&dir).args(["--format", "json"]).output().unwrap();
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let row = stderr.lines().find(|l| l.contains("nothing could be checked")).expect("a summary row");
    assert!(row.trim_end().ends_with(" 1"), "{row}");

    // Only the healthy snapshot: everything was checked, exit 0.
    std::fs::remove_file(dir.join("empty.json")).unwrap();
    let output = syncdoctor_in(&common::root()).arg("replay").arg(&dir).args(["--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_empty_collect_then_diagnose_exits_3_off_windows() {
    if cfg!(windows) {
        return;
    }
    let dir = temp("collect-empty");
    let snapshot = dir.join("x.json");
    let collect = syncdoctor_in(&dir).args(["collect", "-o"]).arg(&snapshot).output().unwrap();
    let stderr = common::stderr(&collect);
    assert_eq!(collect.status.code(), Some(0), "nothing configured, nothing failed: {stderr}");
    // Every probe that did not run is named, with its reason.
    assert!(stderr.contains("windows.services skipped: unsupported platform"), "{stderr}");
    assert!(stderr.contains("graph skipped: not configured"), "{stderr}");
    let diagnose = syncdoctor_in(&dir).arg("diagnose").arg(&snapshot).output().unwrap();
    let stderr = common::stderr(&diagnose);
    assert_eq!(diagnose.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("nothing could be checked") && stderr.contains("windows.services"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A closed loopback port: nothing configured below may reach anything, and nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_configured_probe_that_cannot_run_fails_and_collect_exits_1() {
    let dir = temp("collect-failed");
    let port = closed_port();
    let not_pem = dir.join("ca.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let config = dir.join("collect.yaml");
    std::fs::write(
        &config,
        format!(
            "timeout_seconds: 20\n\
             graph:\n  tenant_id: contoso.onmicrosoft.com\n  client_id: 00000000-0000-0000-0000-000000000001\n  \
             client_secret: {{ env: SYNCDOCTOR_TEST_UNSET_GRAPH_SECRET }}\n  base_url: http://127.0.0.1:{port}\n  \
             token_url: http://127.0.0.1:{port}/token\n\
             ldap:\n  url: ldap://127.0.0.1:{port}\n  bind_dn: CN=reader,DC=contoso,DC=com\n  \
             password: {{ file: missing-password.txt }}\n  ca_file: ca.pem\n"
        ),
    )
    .unwrap();
    let snapshot = dir.join("snap.json");
    let collect = |probes: &[&str]| {
        let mut command = syncdoctor_in(&dir);
        command.env_remove("SYNCDOCTOR_TEST_UNSET_GRAPH_SECRET").arg("collect");
        for probe in probes {
            command.args(["--probe", probe]);
        }
        command.arg("--config").arg(&config).arg("-o").arg(&snapshot).output().unwrap()
    };
    let output = collect(&["graph", "ldap"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "graph failed: configured but cannot run: graph.client_secret: environment variable SYNCDOCTOR_TEST_UNSET_GRAPH_SECRET is not set"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("ldap failed: configured but cannot run: ldap.password: cannot read secret file"),
        "{stderr}"
    );
    assert!(stderr.contains("missing-password.txt"), "{stderr}");
    // The snapshot is still written, with the same records.
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let probe = |id: &str| document["probes"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(probe("graph")["status"], "failed");
    assert_eq!(probe("ldap")["status"], "failed");
    assert!(probe("ldap")["error"].as_str().unwrap().contains("missing-password.txt"));

    // With the password readable, the certificate file is what fails the LDAP probe.
    std::fs::write(dir.join("missing-password.txt"), "x\n").unwrap();
    let output = collect(&["ldap"]);
    let stderr = common::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ldap failed: configured but cannot run: ca_file") && stderr.contains("no PEM certificate")
    );
    std::fs::remove_dir_all(dir).unwrap();
}
