//! A realistic Connect snapshot carrying the nulls real sources produce is diagnosed; the same
//! snapshot with each null turned into a wrong type or a bad format is refused with a located
//! error (exit 2, `file:line:col`).

mod common;

use common::{baseline, stderr, stdout, syncdoctor, write_json};
use serde_json::{Value, json};

/// The connect-sync baseline with the nulls `facts.md` documents: a default `Get-ADSyncScheduler`
/// prints `CustomizedSyncCycleInterval` as null, an AD connector has no `SubType`, and a gMSA
/// service account has no UPN.
fn with_documented_nulls() -> Value {
    let mut snapshot = baseline("connect-sync");
    let facts = &mut snapshot["facts"];
    facts["connect"]["scheduler"]["customized_interval"] = Value::Null;
    let connectors = facts["connect"]["connectors"].as_array_mut().expect("connectors");
    let ad = connectors.iter_mut().find(|c| c["kind"] == "ad").expect("an AD connector");
    ad["subtype"] = Value::Null;
    facts["ad"]["accounts"]["sync_service"] = json!({
        "exists": true, "is_gmsa": true, "sam_account_name": "ADSyncMSA1a2b3$", "upn": null
    });
    snapshot
}

#[test]
fn a_snapshot_with_documented_nulls_is_diagnosed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_json(dir.path(), "nulls.json", &with_documented_nulls());
    let out = syncdoctor(&["diagnose", &path, "--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "refused: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["summary"]["outcomes"]["match"], 0, "{}", stdout(&out));
}

/// Replaces one fact of the null-carrying snapshot and expects a located refusal naming it.
fn refused(pointer: &str, value: Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot = with_documented_nulls();
    *snapshot.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}")) = value.clone();
    let path = write_json(dir.path(), "bad.json", &snapshot);
    let out = syncdoctor(&["diagnose", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{pointer} = {value} was accepted: {}", stdout(&out));
    assert!(err.contains(pointer), "{pointer}: {err}");
    let located = err.lines().any(|l| {
        let mut parts = l.split(':');
        parts.next().is_some_and(|f| f.ends_with("bad.json"))
            && parts.next().is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
            && parts.next().is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
    });
    assert!(located, "no file:line:col for {pointer}: {err}");
}

#[test]
fn each_null_turned_into_a_wrong_type_is_a_located_error() {
    refused("/facts/connect/scheduler/customized_interval", json!(1800));
    refused("/facts/connect/connectors/0/subtype", json!(false));
    refused("/facts/ad/accounts/sync_service/upn", json!(["a@b"]));
}

#[test]
fn bad_formats_are_located_errors() {
    refused("/facts/connect/scheduler/customized_interval", json!("forty minutes"));
    refused("/facts/connect/scheduler/next_cycle_start", json!("not-a-date"));
    refused("/facts/connect/scheduler/next_cycle_start", json!("2026-11-20 09:30"));
}
