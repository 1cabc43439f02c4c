//! The CLI as a new user meets it: exit codes, located errors, determinism, sandbox limits.

mod common;

use std::time::{Duration, Instant};

use common::{baseline, copy_rules, rules_with_edit, stderr, stdout, syncdoctor, write_json};
use serde_json::Value;

#[test]
fn healthy_baselines_exit_zero_with_no_match() {
    for name in ["connect-sync", "cloud-sync"] {
        let out = syncdoctor(&["diagnose", &format!("rules/baselines/{name}.json"), "--format", "json"]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
        assert_eq!(report["summary"]["outcomes"]["match"], 0, "{name}: {}", stdout(&out));
        assert_eq!(out.status.code(), Some(0), "{name}");
    }
}

#[test]
fn without_windows_facts_nothing_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["connect-sync", "cloud-sync", "dirsync"] {
        let mut snapshot = baseline(name);
        let facts = snapshot["facts"].as_object_mut().expect("facts");
        facts.retain(|k, _| ["products", "ad", "entra", "network"].contains(&k.as_str()));
        let path = write_json(dir.path(), &format!("{name}.json"), &snapshot);
        let out = syncdoctor(&["diagnose", &path, "--format", "json"]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
        let matched: Vec<&Value> =
            report["findings"].as_array().expect("findings").iter().filter(|f| f["outcome"] == "match").collect();
        let allowed = |f: &&Value| name == "dirsync" && f["rule_id"] == "dirsync-aadsync-deprecated";
        assert!(matched.iter().all(allowed), "{name}: {matched:?}");
    }
}

#[test]
fn a_truncated_snapshot_is_a_located_error_with_exit_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(common::root().join("rules/baselines/connect-sync.json")).expect("read");
    let path = dir.path().join("truncated.json");
    std::fs::write(&path, &text[..text.len() / 2]).expect("write");
    let out = syncdoctor(&["diagnose", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("truncated.json:"), "{err}");
    assert!(err.contains("EOF"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn schema_violations_name_line_column_and_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot = baseline("connect-sync");
    snapshot["facts"]["services"]["adsync"]["state"] = Value::from(3);
    snapshot["facts"]["telemetry"] = serde_json::json!({"x": 1});
    let path = write_json(dir.path(), "bad.json", &snapshot);
    let out = syncdoctor(&["diagnose", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("/facts/services/adsync/state"), "{err}");
    assert!(err.contains("telemetry"), "{err}");
    assert!(
        err.lines().any(|l| l.contains("bad.json:") && l.split(':').nth(1).is_some_and(|n| n.parse::<u32>().is_ok())),
        "{err}"
    );
}

#[test]
fn a_wrong_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot = baseline("connect-sync");
    snapshot["schema_version"] = Value::from(7);
    let path = write_json(dir.path(), "v7.json", &snapshot);
    let out = syncdoctor(&["diagnose", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unsupported schema_version 7"), "{}", stderr(&out));
}

#[test]
fn the_json_report_is_byte_identical_across_runs() {
    let a = syncdoctor(&["diagnose", "examples/expired-service-account-password.json", "--format", "json", "--all"]);
    let b = syncdoctor(&["diagnose", "examples/expired-service-account-password.json", "--format", "json", "--all"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.status.code(), Some(1), "the example is an incident");
}

#[test]
fn a_runaway_rule_ends_in_error_quickly_and_the_rest_still_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = copy_rules(dir.path());
    let rule = std::fs::read_to_string(rules.join("service/adsync-service-stopped.yaml")).expect("rule");
    let looping =
        rule.replace("id: adsync-service-stopped", "id: runaway-loop").replace("when: |\n", "when: |\n  loop { }\n");
    std::fs::write(rules.join("service/runaway-loop.yaml"), looping).expect("write");
    let started = Instant::now();
    let out = syncdoctor(&[
        "--rules",
        rules.to_str().expect("utf8"),
        "diagnose",
        "examples/expired-service-account-password.json",
        "--format",
        "json",
    ]);
    let elapsed = started.elapsed();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let findings = report["findings"].as_array().expect("findings");
    let runaway = findings.iter().find(|f| f["rule_id"] == "runaway-loop").expect("runaway finding");
    assert_eq!(runaway["outcome"], "error");
    assert!(runaway["message"].as_str().unwrap_or("").starts_with("sandbox limit:"), "{runaway}");
    assert!(report["summary"]["outcomes"]["match"].as_u64().unwrap_or(0) >= 3, "other rules still ran: {report}");
    assert!(stdout(&out).contains("\"rule_id\": \"adsync-service-stopped\""));
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn rule_file_problems_are_located() {
    let (_dir, rules, _) =
        rules_with_edit("service/adsync-service-stopped.yaml", |rule| rule.replace("when: |", "whne: |"));
    let out = syncdoctor(&["--rules", rules.to_str().expect("utf8"), "rules", "lint"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("adsync-service-stopped.yaml:"), "{err}");
    assert!(err.contains("whne"), "{err}");
}

/// A wrong product or evidence path is reported at that value, not at the rule's `id:` line.
#[test]
fn product_and_evidence_problems_point_at_the_value_at_fault() {
    let (_dir, rules, _) = rules_with_edit("service/adsync-service-stopped.yaml", |rule| {
        rule.replace("products: [connect-sync, aadsync]", "products: [connect-sync, cloudsnyc]")
            .replace("evidence: [services.adsync.state,", "evidence: [services.adsync.stat,")
    });
    let out = syncdoctor(&["--rules", rules.to_str().expect("utf8"), "rules", "lint"]);
    let err = stderr(&out);
    assert!(err.contains("adsync-service-stopped.yaml:6:26: `products`: `cloudsnyc` is not a product"), "{err}");
    assert!(
        err.contains("adsync-service-stopped.yaml:22:12: `evidence`: unknown fact `services.adsync.stat`"),
        "{err}"
    );
}

/// The lenient tier (issue 10): one broken rule file leaves the other rules running and shows as
/// an `error` finding naming the file, line and column; `--strict` and `rules lint` refuse it.
#[test]
fn a_broken_rule_file_is_left_out_and_reported_while_every_other_rule_runs() {
    // A typo in Rhai: the condition does not compile.
    let (_dir, rules, _) = rules_with_edit("service/adsync-service-stopped.yaml", |rule| {
        rule.replacen("when: |\n", "when: |\n  let = 1;\n", 1)
    });
    let rules = rules.to_str().expect("utf8");
    let example = "examples/expired-service-account-password.json";
    let out = syncdoctor(&["--rules", rules, "diagnose", example, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "the other rules still find the incident: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("rule `adsync-service-stopped` left out") && err.contains("adsync-service-stopped.yaml:"),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{err}"));
    fn walk<'a>(findings: &'a Value, out: &mut Vec<&'a Value>) {
        for f in findings.as_array().into_iter().flatten() {
            out.push(f);
            walk(&f["explains"], out);
        }
    }
    let mut all = Vec::new();
    walk(&report["findings"], &mut all);
    let broken: Vec<&Value> = all.iter().filter(|f| f["rule_id"] == "adsync-service-stopped").copied().collect();
    assert_eq!(broken.len(), 1, "{report}");
    assert_eq!(broken[0]["outcome"], "error");
    assert_eq!(broken[0]["severity"], "critical", "the severity the file gives");
    let message = broken[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("could not be loaded") && message.contains("adsync-service-stopped.yaml:"), "{message}");
    assert!(all.iter().any(|f| f["rule_id"] == "service-account-password-expired" && f["outcome"] == "match"));
    let bundled = syncdoctor(&["diagnose", example, "--format", "json"]);
    let bundled: Value = serde_json::from_slice(&bundled.stdout).expect("json");
    assert_eq!(report["summary"]["rules"], bundled["summary"]["rules"], "every rule is counted once");
    assert_eq!(report["summary"]["outcomes"]["error"], 1);

    let strict = syncdoctor(&["--rules", rules, "--strict", "diagnose", example]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("adsync-service-stopped.yaml:"), "{}", stderr(&strict));
    let lint = syncdoctor(&["--rules", rules, "rules", "lint"]);
    assert_ne!(lint.status.code(), Some(0), "{}", stderr(&lint));
    assert!(stderr(&lint).contains("adsync-service-stopped.yaml:"), "{}", stderr(&lint));
}

#[test]
fn every_verb_teaches_with_examples() {
    for verb in [
        &["diagnose"][..],
        &["collect"],
        &["replay"],
        &["schema"],
        &["explain"],
        &["rules", "lint"],
        &["rules", "test"],
        &["rules", "new"],
        &["rules", "docs"],
    ] {
        let mut args: Vec<&str> = verb.to_vec();
        args.push("--help");
        let out = syncdoctor(&args);
        assert_eq!(out.status.code(), Some(0), "{verb:?}");
        assert!(stdout(&out).contains("Examples:"), "{verb:?}: {}", stdout(&out));
    }
}

#[test]
fn explain_lists_facts_read() {
    let out = syncdoctor(&["explain", "adsync-service-stopped", "examples/expired-service-account-password.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("facts.services.adsync.state = \"Stopped\""), "{text}");
    assert!(text.contains("=>  true"), "{text}");
}

#[test]
fn schemas_print() {
    for which in ["rule", "snapshot", "report", "kb"] {
        let out = syncdoctor(&["schema", which]);
        assert_eq!(out.status.code(), Some(0));
        let schema: Value = serde_json::from_slice(&out.stdout).expect("json schema");
        assert!(schema.get("$schema").is_some(), "{which}");
    }
}

#[test]
fn diagnose_profile_lists_the_slowest_rules_with_time_and_operations() {
    let out = syncdoctor(&["diagnose", "examples/expired-service-account-password.json", "--profile"]);
    let text = stderr(&out);
    assert!(text.contains("profile: ") && text.contains("operations"), "{text}");
    let native: usize = text
        .split(" decided on the native fast path")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(native >= 5, "several rules are decided natively: {text}");
    let rows: Vec<&str> = text.lines().skip_while(|l| !l.contains("operations")).skip(1).collect();
    assert_eq!(rows.len(), 10, "the ten slowest: {text}");
    assert!(rows.iter().any(|r| r.split_whitespace().nth(1).and_then(|n| n.parse::<u64>().ok()) > Some(10)), "{text}");
}
