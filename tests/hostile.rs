//! The hostile-input corpus (`tests/hostile/`, issue 11): each bad input gets exit 2 and a message
//! naming the file, line and column and what is wrong; nothing hangs or panics; in `replay` one
//! bad input never sinks the others.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{root, stderr, stdout, syncdoctor};

fn hostile(name: &str) -> String {
    format!("tests/hostile/{name}")
}

/// Runs `diagnose` on a corpus file and returns (exit code, standard error).
fn diagnose(path: &str) -> (i32, String) {
    let out = syncdoctor(&["diagnose", path, "--format", "json"]);
    (out.status.code().unwrap_or(-1), stderr(&out))
}

#[test]
fn a_second_facts_key_is_refused_at_its_line_instead_of_hiding_the_problem() {
    let path = hostile("duplicate-facts-key.json");
    let (code, err) = diagnose(&path);
    assert_eq!(code, 2, "{err}");
    let text = std::fs::read_to_string(root().join(&path)).unwrap();
    let line = text.lines().position(|l| l.trim_start().starts_with("\"facts\": {}")).unwrap() + 1;
    assert!(err.contains(&format!("{path}:{line}:")), "not located at line {line}: {err}");
    assert!(err.contains("duplicate key `facts`"), "{err}");
}

#[test]
fn invalid_utf8_is_named_with_its_line_column_and_offset() {
    let path = hostile("invalid-utf8.json");
    let (code, err) = diagnose(&path);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:4:")), "{err}");
    assert!(err.contains("invalid UTF-8 at byte offset"), "{err}");
}

#[test]
fn a_utf8_byte_order_mark_is_read_and_a_utf16_file_is_named() {
    let (code, err) = diagnose(&hostile("utf8-bom.json"));
    assert_ne!(code, 2, "a UTF-8 BOM must not make the snapshot unreadable: {err}");
    let path = hostile("utf16le-bom.json");
    let (code, err) = diagnose(&path);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{path}:1:1:")) && err.contains("UTF-16"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once_instead_of_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("snapshot.json");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let started = Instant::now();
    let (code, err) = diagnose(&fifo.to_string_lossy());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A folder with a good snapshot, a bad one, a dangling link and a link loop.
#[cfg(unix)]
fn mixed_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let good = root().join("examples/expired-service-account-password.json");
    std::fs::copy(&good, dir.path().join("a-good.json")).unwrap();
    std::fs::copy(root().join(hostile("duplicate-facts-key.json")), dir.path().join("b-bad.json")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.json"), dir.path().join("c-dangling.json")).unwrap();
    std::fs::create_dir(dir.path().join("d-sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("d-sub/loop")).unwrap();
    std::os::unix::fs::symlink(&good, dir.path().join("e-linked.json")).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn replay_goes_on_past_bad_files_dangling_links_and_loops_and_follows_good_links() {
    let dir = mixed_corpus();
    let out = syncdoctor(&["replay", &dir.path().to_string_lossy(), "--format", "json"]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "bad inputs make the exit code 2: {err}");
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let reports = lines.iter().filter(|l| l.get("report").is_some()).count();
    let errors: Vec<&str> = lines.iter().filter_map(|l| l["error"].as_str()).collect();
    assert_eq!(reports, 2, "the good file and the followed link are both replayed: {text}");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("duplicate key")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("dangling link")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("link loop")), "{errors:?}");
}

#[test]
fn replay_of_a_folder_without_snapshots_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = syncdoctor(&["replay", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no snapshot found"), "{}", stderr(&out));
}

#[test]
fn replay_junit_stays_well_formed_when_a_message_holds_control_characters() {
    let out = syncdoctor(&["replay", &hostile("control-character-duplicate.json"), "--format", "junit"]);
    let xml = stdout(&out);
    assert!(xml.contains("duplicate key"), "{xml}");
    let forbidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    assert!(!xml.contains(forbidden), "XML 1.0 forbids control characters: {xml:?}");
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
}

/// Runs a verb whose output is larger than a pipe holds, with the reading end closed at once.
fn closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_pipe_is_a_quiet_success() {
    for args in [["schema", "snapshot"], ["rules", "list"]] {
        let (code, err) = closed_pipe(&args);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
}

#[test]
fn lint_base_that_cannot_compare_is_bad_input() {
    let out = syncdoctor(&["rules", "lint", "--rules", "rules", "--base", "no-such-revision-xyz"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-revision-xyz"), "{}", stderr(&out));
    let dir = tempfile::tempdir().unwrap();
    let rules = common::copy_rules(dir.path());
    let out = syncdoctor(&["rules", "lint", "--rules", &rules.to_string_lossy(), "--base", "HEAD"]);
    assert_eq!(out.status.code(), Some(2), "outside a git checkout: {}", stderr(&out));
}

#[test]
fn a_yaml_past_the_reader_limits_is_named_in_plain_words_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    let mut text = String::from("schema_version: 1\ncollected_at: \"2026-11-20T09:30:00Z\"\nfacts:\n  x:\n");
    text.push_str(&"    - 1\n".repeat(300_000));
    std::fs::write(&path, text).unwrap();
    let (code, err) = diagnose(&path.to_string_lossy());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the YAML reader's limit") && err.contains("write a document this large as JSON"), "{err}");
    assert!(!err.contains("Nodes {") && !err.contains("budget breached"), "internal wording leaked: {err}");
    assert!(err.contains(&format!("{}:", path.display())) && err.contains(":7: "), "not located: {err}");
}

#[test]
fn a_yaml_snapshot_schema_violation_is_located_like_a_json_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong-type.yaml");
    let text = "schema_version: 1\ncollected_at: \"2026-11-20T09:30:00Z\"\ncollector: {name: t, version: \"1\"}\n\
                probes: []\nfacts:\n  services:\n    adsync:\n      present: true\n      state: 7\n";
    std::fs::write(&path, text).unwrap();
    let (code, err) = diagnose(&path.to_string_lossy());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{}:9:14: ", path.display())), "the wrong value is not located at 9:14: {err}");
    assert!(err.contains("/facts/services/adsync/state"), "{err}");
}

#[test]
fn a_yaml_syntax_error_says_where_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "a: [1\n").unwrap();
    let (code, err) = diagnose(&path.to_string_lossy());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{}:1:", path.display())), "{err}");
    assert!(!err.contains("error: line"), "the position is repeated in the message: {err}");
}

#[test]
fn the_input_size_limit_is_configurable_and_refuses_before_reading() {
    let example = "examples/expired-service-account-password.json";
    let out = syncdoctor(&["--max-input-size", "10K", "diagnose", example]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("more than the limit of 10240 bytes (10 KiB)") && err.contains("--max-input-size"), "{err}");
    // Standard input is held to the same limit.
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["--max-input-size", "10K", "diagnose", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(root().join(example)).unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&text);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input holds more than the limit"));
    // A larger limit (also through the environment) reads it; a bad size is a usage error.
    let out = syncdoctor(&["--max-input-size", "1M", "diagnose", example]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = syncdoctor(&["--max-input-size", "ten", "diagnose", example]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a size"), "{}", stderr(&out));
}

#[test]
fn every_corpus_file_is_covered_by_a_test_here() {
    let listed = std::fs::read_to_string(root().join("tests/hostile/README.md")).unwrap();
    for entry in std::fs::read_dir(root().join("tests/hostile")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if Path::new(&name).extension().is_some_and(|e| e == "json") {
            assert!(listed.contains(&format!("`{name}`")), "{name} is not described in tests/hostile/README.md");
            let this = include_str!("hostile.rs");
            assert!(this.contains(&format!("\"{name}\"")), "{name} is not used by tests/hostile.rs");
        }
    }
}
