//! `syncdoctor redact`, through the binary: every bundled snapshot and every rule test's snapshot
//! gives the same findings before and after redaction, and no identifier of the input survives.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions};
use syncdoctor_probes::redact;

/// `(rule id, outcome, affected count)` of every finding, nested ones included.
type Findings = Vec<(String, String, Option<u64>)>;

fn findings_of(report: &serde_json::Value) -> Findings {
    fn walk(list: &serde_json::Value, out: &mut Findings) {
        for f in list.as_array().into_iter().flatten() {
            out.push((
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
                f["outcome"].as_str().unwrap_or_default().to_owned(),
                f["affected"]["count"].as_u64(),
            ));
            walk(&f["explains"], out);
        }
    }
    let mut out = Findings::new();
    walk(&report["findings"], &mut out);
    out.sort();
    out
}

/// Replays a folder through the binary and returns each file's findings (the matches).
fn replay(dir: &Path) -> BTreeMap<String, Findings> {
    let o = common::syncdoctor(&["replay", &dir.to_string_lossy(), "--format", "json"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "replay {}: {}", dir.display(), common::stderr(&o));
    let mut out = BTreeMap::new();
    for line in common::stdout(&o).lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("replay line");
        assert!(v.get("error").is_none(), "{line}");
        let name = Path::new(v["source"].as_str().unwrap_or_default())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.insert(name, findings_of(&v["report"]));
    }
    out
}

fn redact_file(input: &Path, output: &Path, key: Option<&str>) -> std::process::Output {
    let mut args = vec!["redact".to_owned(), input.to_string_lossy().into_owned(), "-o".into()];
    args.push(output.to_string_lossy().into_owned());
    if let Some(k) = key {
        args.extend(["--key".into(), k.into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::syncdoctor(&args)
}

/// Every string of a JSON document.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[test]
fn findings_survive_redaction_and_identifiers_do_not() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (plain, redacted) = (tmp.path().join("plain"), tmp.path().join("redacted"));
    std::fs::create_dir_all(&plain).expect("mkdir");
    std::fs::create_dir_all(&redacted).expect("mkdir");

    // The bundled snapshots: scenarios, examples, healthy baselines.
    let mut inputs = Vec::new();
    for (i, file) in common::snapshot_files().iter().enumerate() {
        let name = format!("file-{i:03}.json");
        std::fs::copy(file, plain.join(&name)).expect("copy");
        inputs.push((name, file.display().to_string(), None));
    }
    // Every rule test's snapshot, materialised by the engine's testing API.
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor::schemas::snapshot()), ..syncdoctor_bundled::load_options() };
    let kb = KnowledgeBase::load_dir(&common::root().join("rules"), options).unwrap_or_else(|e| panic!("{e}"));
    let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
    let tests = kb.test_documents(&baselines);
    assert!(tests.len() > 100, "only {} rule tests", tests.len());
    for (i, t) in tests.iter().enumerate() {
        let name = format!("test-{i:04}.json");
        common::write_json(&plain, &name, &t.document);
        inputs.push((name, format!("{} / {}", t.rule_id, t.name), Some(t.rule_id.clone())));
    }

    // Two workers: one binary run per file.
    std::thread::scope(|scope| {
        for half in [0, 1] {
            let (inputs, plain, redacted) = (&inputs, &plain, &redacted);
            scope.spawn(move || {
                for (name, _, _) in inputs.iter().skip(half).step_by(2) {
                    let o = redact_file(&plain.join(name), &redacted.join(name), Some("proof-key"));
                    assert_eq!(o.status.code(), Some(0), "{name}: {}", common::stderr(&o));
                }
            });
        }
    });

    let (before, after) = (replay(&plain), replay(&redacted));
    assert_eq!(before.len(), inputs.len());
    let mut changed = Vec::new();
    for (name, what, _) in &inputs {
        if before.get(name) != after.get(name) {
            changed.push(format!("{what}: {:?} → {:?}", before.get(name), after.get(name)));
        }
    }
    // Every outcome, passes and inconclusive rules included (in process: a binary run per file
    // with `diagnose --all` would take minutes).
    // A rule test's snapshot is evaluated with its rule only.
    for (name, what, rule) in &inputs {
        let all = EvalOptions { include_all: true, only: rule.clone().map(|r| vec![r]), ..EvalOptions::default() };
        let outcomes = |dir: &Path| {
            let snapshot = kb.read_snapshot(&dir.join(name)).unwrap_or_else(|e| panic!("{what}: {e}"));
            let report = serde_json::to_value(kb.evaluate(&snapshot, &all)).expect("report json");
            findings_of(&report)
        };
        let (a, b) = (outcomes(&plain), outcomes(&redacted));
        if a != b {
            let gone: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
            let new: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
            changed.push(format!("{what}: {gone:?} → {new:?}"));
        }
    }
    assert!(changed.is_empty(), "{} inputs changed findings:\n{}", changed.len(), changed.join("\n"));

    let mut leaks = Vec::new();
    for (name, what, _) in &inputs {
        let input: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(plain.join(name)).expect("read")).expect("json");
        let text = std::fs::read_to_string(redacted.join(name)).expect("read");
        let output: serde_json::Value = serde_json::from_str(&text).expect("json");
        let mut values = Vec::new();
        strings(&output["facts"], &mut values);
        let lower = text.to_lowercase();
        for id in redact::identifiers(&input) {
            let id_lower = id.to_lowercase();
            if values.iter().any(|v| v.eq_ignore_ascii_case(&id)) || (id.len() >= 6 && lower.contains(&id_lower)) {
                leaks.push(format!("{what}: {id}"));
            }
        }
        for literal in ["contoso", "fabrikam", "svc-aadsync", "aaliyah", "8b1f3c2e-5a4d-4e6f-9a7b-2c1d0e9f8a71"] {
            if lower.contains(literal) {
                leaks.push(format!("{what}: literal {literal}"));
            }
        }
    }
    leaks.dedup();
    assert!(leaks.is_empty(), "{} identifiers survived:\n{}", leaks.len(), leaks[..leaks.len().min(40)].join("\n"));
}

#[test]
fn same_key_same_bytes_other_key_other_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = common::root().join("examples/expired-service-account-password.json");
    let out = |name: &str| tmp.path().join(name);
    for (name, key) in [("a.json", "k1"), ("b.json", "k1"), ("c.json", "k2")] {
        let o = redact_file(&input, &out(name), Some(key));
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        assert!(!common::stderr(&o).contains("default key"), "{}", common::stderr(&o));
    }
    let read = |name: &str| std::fs::read(out(name)).expect("read");
    assert_eq!(read("a.json"), read("b.json"));
    assert_ne!(read("a.json"), read("c.json"));

    // The key from the environment is the same key.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["redact", &input.to_string_lossy(), "-o", "-"])
        .env("SYNCDOCTOR_REDACT_KEY", "k1")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, read("a.json"));

    // No key: the public default, with a warning.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["redact", &input.to_string_lossy(), "-o", &out("d.json").to_string_lossy()])
        .env_remove("SYNCDOCTOR_REDACT_KEY")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    assert!(common::stderr(&o).contains("default key"), "{}", common::stderr(&o));
    assert_ne!(read("d.json"), read("a.json"));
}

#[test]
fn bad_input_exits_2_with_a_location_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"schema_version\": 1,\n  \"facts\": {\n").expect("write");
    let out = tmp.path().join("out.json");
    let o = redact_file(&bad, &out, Some("k"));
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(err.contains("bad.json:"), "{err}");
    assert!(err.contains(":4:") || err.contains(":3:"), "{err}");
    assert!(!out.exists());

    // A valid JSON document that is not a snapshot: located at the offending value.
    std::fs::write(&bad, "{\n  \"schema_version\": \"one\",\n  \"facts\": {}\n}\n").expect("write");
    let o = redact_file(&bad, &out, Some("k"));
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("bad.json:2:"), "{}", common::stderr(&o));
    assert!(!out.exists());

    // An output folder that does not exist.
    let input = common::root().join("examples/expired-service-account-password.json");
    let o = redact_file(&input, &tmp.path().join("no/such/dir/out.json"), Some("k"));
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("cannot write"), "{}", common::stderr(&o));
}
