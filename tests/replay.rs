//! `syncdoctor replay`: folders, NDJSON streams, JUnit, `--expect`, `--against-rules`, exit codes.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{baseline, root, rules_with_edit, stderr, stdout, syncdoctor, write_json};
use serde_json::Value;

fn lines(out: &std::process::Output) -> Vec<Value> {
    stdout(out).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect()
}

#[test]
fn a_folder_is_replayed_in_order_and_a_bad_snapshot_is_located_without_stopping_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_json(dir.path(), "a-connect.json", &baseline("connect-sync"));
    std::fs::write(dir.path().join("b-broken.json"), "{\n  \"schema_version\": 1,\n  oops\n}\n").expect("write");
    write_json(dir.path(), "c-cloud.json", &baseline("cloud-sync"));
    std::fs::write(dir.path().join("notes.txt"), "not a snapshot").expect("write");
    let out = syncdoctor(&["replay", &dir.path().to_string_lossy(), "-j", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let results = lines(&out);
    assert_eq!(results.len(), 3, "{}", stdout(&out));
    let sources: Vec<&str> = results.iter().map(|r| r["source"].as_str().expect("source")).collect();
    assert!(sources[0].ends_with("a-connect.json") && sources[1].ends_with("b-broken.json"));
    assert!(sources[2].ends_with("c-cloud.json"));
    assert_eq!(results[0]["report"]["summary"]["outcomes"]["match"], 0);
    assert_eq!(results[2]["report"]["schema_version"], 1);
    assert!(results[1]["error"].as_str().expect("error").contains("b-broken.json:3:"), "{}", results[1]);
    assert!(stderr(&out).contains("b-broken.json:3:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 snapshots"), "summary table: {}", stderr(&out));
}

#[test]
fn the_report_inside_the_envelope_is_the_diagnose_report() {
    let out = syncdoctor(&["replay", "examples/expired-service-account-password.json"]);
    assert_eq!(out.status.code(), Some(1), "a match exits 1: {}", stderr(&out));
    let results = lines(&out);
    let single = syncdoctor(&["diagnose", "examples/expired-service-account-password.json", "--format", "json"]);
    let report: Value = serde_json::from_slice(&single.stdout).expect("report");
    assert_eq!(results[0]["report"], report);
}

#[test]
fn ndjson_on_standard_input_locates_errors_by_line() {
    let mut text = String::new();
    for name in ["connect-sync", "dirsync"] {
        text.push_str(&serde_json::to_string(&baseline(name)).expect("json"));
        text.push('\n');
    }
    text.push('\n');
    text.push_str("{\"schema_version\": 1, \"collected_at\": }\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["replay", "-"])
        .current_dir(root())
        .env_remove("SYNCDOCTOR_RULES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let results = lines(&out);
    let sources: Vec<&str> = results.iter().map(|r| r["source"].as_str().expect("source")).collect();
    assert_eq!(sources, ["<stdin>:1", "<stdin>:2", "<stdin>:4"]);
    assert!(stderr(&out).contains("<stdin>:4:"), "{}", stderr(&out));
}

#[test]
fn junit_has_one_test_case_per_snapshot_and_fails_on_a_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stream = dir.path().join("fleet.ndjson");
    let mut text = serde_json::to_string(&baseline("connect-sync")).expect("json");
    text.push('\n');
    let expired: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/expired-service-account-password.json")).expect("example"),
    )
    .expect("json");
    text.push_str(&serde_json::to_string(&expired).expect("json"));
    text.push('\n');
    std::fs::write(&stream, text).expect("write");
    let out = syncdoctor(&["replay", &stream.to_string_lossy(), "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = stdout(&out);
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(xml.contains("service-account-password-expired"), "{xml}");
}

#[test]
fn expect_writes_then_compares_and_shows_a_readable_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("sub")).expect("mkdir");
    write_json(&corpus, "connect.json", &baseline("connect-sync"));
    write_json(&corpus.join("sub"), "cloud.json", &baseline("cloud-sync"));
    let expected = dir.path().join("expected");
    let (corpus_arg, expect_arg) = (corpus.to_string_lossy().into_owned(), expected.to_string_lossy().into_owned());

    let missing = syncdoctor(&["replay", &corpus_arg, "--expect", &expect_arg]);
    assert_eq!(missing.status.code(), Some(4), "no stored report is a difference (exit 4): {}", stderr(&missing));
    assert!(stderr(&missing).contains("SYNCDOCTOR_UPDATE_EXPECT"), "{}", stderr(&missing));

    let written = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["replay", &corpus_arg, "--expect", &expect_arg])
        .current_dir(root())
        .env_remove("SYNCDOCTOR_RULES")
        .env("SYNCDOCTOR_UPDATE_EXPECT", "1")
        .output()
        .expect("run");
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(expected.join("connect.json").is_file() && expected.join("sub/cloud.json").is_file());

    let same = syncdoctor(&["replay", &corpus_arg, "--expect", &expect_arg]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));

    let path = expected.join("connect.json");
    let mut stored: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    stored["snapshot"]["host"] = Value::String("other.contoso.com".into());
    std::fs::write(&path, serde_json::to_string_pretty(&stored).expect("json")).expect("write");
    let changed = syncdoctor(&["replay", &corpus_arg, "--expect", &expect_arg]);
    assert_eq!(changed.status.code(), Some(4), "a difference is exit 4: {}", stderr(&changed));
    let err = stderr(&changed);
    assert!(err.contains("report differs from"), "{err}");
    assert!(err.contains("- /snapshot/host: \"other.contoso.com\""), "{err}");
    assert!(err.contains("+ /snapshot/host: \"sync01.contoso.com\""), "{err}");
}

#[test]
fn against_rules_shows_findings_that_appear_disappear_or_change() {
    let (_dir, rules, _) = rules_with_edit("service/adsync-service-stopped.yaml", |text| {
        text.replace("s.present && s.state != \"Running\"", "s.present && s.state == \"Running\"")
    });
    let out = syncdoctor(&[
        "replay",
        "rules/baselines/connect-sync.json",
        "examples/expired-service-account-password.json",
        "--against-rules",
        &rules.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let results = lines(&out);
    let appeared = &results[0]["changes"];
    assert!(
        appeared
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["rule_id"] == "adsync-service-stopped" && c["before"].is_null() && c["after"] == "match"),
        "{appeared}"
    );
    let gone = &results[1]["changes"];
    assert!(
        gone.as_array()
            .expect("changes")
            .iter()
            .any(|c| c["rule_id"] == "adsync-service-stopped" && c["before"] == "match" && c["after"].is_null()),
        "{gone}"
    );
    assert!(stderr(&out).contains("impact of --against-rules"), "{}", stderr(&out));
}

#[test]
fn profile_prints_the_slowest_rules_over_the_corpus() {
    let out = syncdoctor(&["replay", "rules/baselines", "--profile"]);
    let text = stderr(&out);
    assert!(text.contains("profile: slowest rules") && text.contains("mean ops"), "{text}");
    // Every listed rule ran on the three baselines, in Rhai (counting its operations) or decided
    // on the native fast path (counted in `native`); most bundled rules are decided natively when
    // they pass, so the slowest rows show native decisions.
    let rows: Vec<&str> = text.lines().skip_while(|l| !l.contains("mean ops")).skip(1).collect();
    assert_eq!(rows.len(), 15, "{text}");
    let mut native_rows = 0;
    for row in &rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(columns.get(3), Some(&"3"), "{row}");
        let ops: f64 = columns[2].parse().unwrap_or_else(|_| panic!("mean ops is not a number: {row}"));
        let native: usize = columns[5].parse().unwrap_or_else(|_| panic!("native is not a number: {row}"));
        assert!(native <= 3 && ops >= 0.0, "{row}");
        native_rows += usize::from(native > 0);
    }
    assert!(native_rows > 0, "no rule decided natively:\n{text}");
}
