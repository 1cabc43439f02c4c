//! What admins reach for, through the binary: waivers, rule selection, `diff`, `rules list --format
//! json`, replay for knowledge-base pull requests, and the authoring verbs' knowledge base.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{baseline, copy_rules, root, rules_with_edit, stderr, stdout, syncdoctor, write_json};
use serde_json::Value;

const EXAMPLE: &str = "examples/expired-service-account-password.json";

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Every finding of a report, nested ones included.
fn all_findings(report: &Value) -> Vec<Value> {
    fn walk(list: &Value, out: &mut Vec<Value>) {
        for f in list.as_array().into_iter().flatten() {
            out.push(f.clone());
            walk(&f["explains"], out);
        }
    }
    let mut out = Vec::new();
    walk(&report["findings"], &mut out);
    out
}

fn matched_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = all_findings(report)
        .iter()
        .filter(|f| f["outcome"] == "match")
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

// ---------------------------------------------------------------- waivers

#[test]
fn waived_matches_do_not_count_and_carry_their_waiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = json(&syncdoctor(&["diagnose", EXAMPLE, "--format", "json"]));
    let matched = matched_ids(&before);
    assert!(matched.len() >= 3, "{matched:?}");
    let mut text = String::new();
    for id in &matched {
        text.push_str(&format!(
            "- rule: {id}\n  host: \"SYNC0?.contoso.com\"\n  reason: Known, fixed in change CHG-1\n  owner: idm-team\n  expires: 2026-11-20\n"
        ));
    }
    text.push_str("- rule: \"localdb-*\"\n  reason: r\n  owner: o\n  expires: 2027-01-01\n");
    let waivers = write(dir.path(), "waivers.yaml", &text);
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "json", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(0), "every match is waived: {}", stderr(&out));
    let report = json(&out);
    assert!(matched_ids(&report).is_empty(), "{report}");
    let waived: Vec<Value> = all_findings(&report).into_iter().filter(|f| f["outcome"] == "waived").collect();
    assert_eq!(waived.len(), matched.len());
    assert_eq!(waived[0]["waiver"]["owner"], "idm-team");
    assert_eq!(waived[0]["waiver"]["expires"], "2026-11-20", "valid through its last day");
    assert_eq!(report["summary"]["outcomes"]["waived"], matched.len());
    assert_eq!(report["summary"]["outcomes"]["match"], 0);
    assert_eq!(report["summary"]["severities"]["critical"], 0);
    assert_eq!(report["waivers"]["unused"][0]["rule"], "localdb-*");
    assert_eq!(report["waivers"]["expired"], Value::Array(vec![]));
    let err = stderr(&out);
    assert!(err.contains("waivers.yaml:") && err.contains("`localdb-*` matched no finding"), "{err}");

    let human = stdout(&syncdoctor(&["diagnose", EXAMPLE, "--waivers", &waivers]));
    assert!(human.contains("Waived (accepted, not counted as problems):"), "{human}");
    assert!(human.contains("until 2026-11-20 by idm-team: Known, fixed in change CHG-1"), "{human}");
    assert!(human.contains("Waivers that matched nothing:"), "{human}");
    assert!(human.contains("No problem found."), "{human}");
    let markdown = stdout(&syncdoctor(&["diagnose", EXAMPLE, "--waivers", &waivers, "--format", "markdown"]));
    assert!(markdown.contains("## Waived") && markdown.contains("## Waivers to review"), "{markdown}");
    let junit = stdout(&syncdoctor(&["diagnose", EXAMPLE, "--waivers", &waivers, "--format", "junit"]));
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(junit.contains("<skipped message=\"waived on host SYNC0?.contoso.com until 2026-11-20"), "{junit}");
}

#[test]
fn an_expired_waiver_waives_nothing_and_is_a_problem_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The example was collected on 2026-11-20: a waiver that ended the day before has expired,
    // whatever today's date is.
    let waivers =
        write(dir.path(), "w.yaml", "- rule: \"*\"\n  reason: accepted\n  owner: ops\n  expires: 2026-11-19\n");
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "json", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert!(!matched_ids(&report).is_empty(), "nothing waived");
    assert_eq!(report["waivers"]["expired"][0]["expires"], "2026-11-19");
    assert!(stderr(&out).contains("w.yaml:1:9: warning: waiver for `*` expired on 2026-11-19"), "{}", stderr(&out));

    // A healthy server with an expired waiver still exits 1.
    let out = syncdoctor(&["diagnose", "rules/baselines/connect-sync.json", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("Expired waivers"), "{}", stdout(&out));
    let junit = stdout(&syncdoctor(&[
        "diagnose",
        "rules/baselines/connect-sync.json",
        "--waivers",
        &waivers,
        "--format",
        "junit",
    ]));
    assert!(junit.contains("name=\"expired waiver: *\""), "{junit}");
}

#[test]
fn scopes_limit_a_waiver_to_a_host_or_tenant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = write(
        dir.path(),
        "w.yaml",
        "- rule: \"*\"\n  host: other.contoso.com\n  reason: r\n  owner: o\n  expires: 2030-01-01\n\
         - rule: \"*\"\n  tenant: not-this-tenant.onmicrosoft.com\n  reason: r\n  owner: o\n  expires: 2030-01-01\n",
    );
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "json", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["summary"]["outcomes"]["waived"], 0);
    assert_eq!(report["waivers"]["unused"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_bad_waivers_file_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = write(dir.path(), "w.yaml", "- rule: x\n  reason: r\n  owner: o\n  expires: next week\n");
    let out = syncdoctor(&["diagnose", EXAMPLE, "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("w.yaml:4:12: `expires`: `next week` is not a date"), "{}", stderr(&out));
    let waivers = write(dir.path(), "w2.yaml", "- rule: x\n  reason: r\n  expires: 2027-01-01\n");
    let out = syncdoctor(&["diagnose", EXAMPLE, "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("w2.yaml:3:3") && stderr(&out).contains("owner"), "{}", stderr(&out));
}

#[test]
fn the_waivers_schema_prints_and_validates_an_example() {
    let out = syncdoctor(&["schema", "waivers"]);
    assert_eq!(out.status.code(), Some(0));
    let schema = json(&out);
    assert_eq!(schema["type"], "array", "{schema}");
    let item = &schema["$defs"]["WaiverEntry"];
    let required: Vec<&str> = item["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required, ["rule", "reason", "owner", "expires"]);
}

#[test]
fn replay_applies_waivers_to_every_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = write(dir.path(), "w.yaml", "- rule: \"*\"\n  reason: r\n  owner: o\n  expires: 2030-01-01\n");
    let out = syncdoctor(&["replay", "tests/scenarios", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(0), "every match waived: {}", stderr(&out));
    let lines = stdout(&out);
    assert!(lines.lines().count() > 10);
    for line in lines.lines() {
        let envelope: Value = serde_json::from_str(line).expect("NDJSON");
        assert!(matched_ids(&envelope["report"]).is_empty(), "{line}");
    }
    assert!(stderr(&out).contains("findings waived"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- selection

fn rules_json(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["rules", "list", "--format", "json"];
    all.extend_from_slice(args);
    let out = syncdoctor(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out).as_array().cloned().expect("array")
}

#[test]
fn rules_list_json_filters_by_area_severity_glob_and_skip() {
    let every = rules_json(&[]);
    assert!(every.len() > 50);
    assert!(every[0].get("tags").is_some() && every[0].get("covers").is_some() && every[0].get("path").is_some());
    let dq = rules_json(&["--only", "data-quality"]);
    assert!(!dq.is_empty() && dq.len() < every.len());
    assert!(dq.iter().all(|r| r["area"] == "data-quality"), "{dq:?}");
    let critical = rules_json(&["--only", "critical", "--skip", "service-*"]);
    assert!(
        critical.iter().all(|r| r["severity"] == "critical" && !r["id"].as_str().unwrap_or("").starts_with("service-"))
    );
    let expected = every
        .iter()
        .filter(|r| r["severity"] == "critical" && !r["id"].as_str().unwrap_or("").starts_with("service-"))
        .count();
    assert_eq!(critical.len(), expected);
    let out = syncdoctor(&["rules", "list", "--only", "no-such-*"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--only `no-such-*`: names no rule id, area, severity or tag"), "{}", stderr(&out));
}

#[test]
fn diagnose_and_replay_run_only_the_selected_rules() {
    let dq = rules_json(&["--only", "data-quality"]).len();
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "json", "--only", "data-quality"]);
    let report = json(&out);
    assert_eq!(report["summary"]["rules"], dq);
    assert_eq!(out.status.code(), Some(0), "no data-quality problem in the example");
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "json", "--skip", "critical", "--skip", "error"]);
    let report = json(&out);
    assert!(all_findings(&report).iter().all(|f| f["severity"] != "critical" && f["severity"] != "error"));
    let out = syncdoctor(&["replay", EXAMPLE, "--only", "service-account-password-expired"]);
    let line: Value = serde_json::from_str(stdout(&out).lines().next().expect("a line")).expect("json");
    assert_eq!(line["report"]["summary"]["rules"], 1);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn tags_select_rules_and_must_be_kebab_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = copy_rules(dir.path());
    let path = rules.join("service/adsync-service-stopped.yaml");
    let rule = std::fs::read_to_string(&path).expect("rule");
    std::fs::write(&path, rule.replacen("\ntitle:", "\ntags: [outage, cis-7]\ntitle:", 1)).expect("write");
    let dir_arg = rules.to_str().expect("utf8");
    let tagged = rules_json(&["--rules", dir_arg, "--only", "outage"]);
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0]["tags"], serde_json::json!(["outage", "cis-7"]));
    let out = syncdoctor(&["--rules", dir_arg, "rules", "test", "--only", "outage"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("rules test: 1 rules"), "{}", stdout(&out));
    std::fs::write(&path, rule.replacen("\ntitle:", "\ntags: [Outage]\ntitle:", 1)).expect("write");
    let out = syncdoctor(&["--rules", dir_arg, "rules", "lint"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("adsync-service-stopped.yaml:") && stderr(&out).contains("`Outage` is not kebab-case"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- diff

#[test]
fn diff_names_the_findings_and_facts_that_changed() {
    let out = syncdoctor(&["diff", "rules/baselines/connect-sync.json", EXAMPLE, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d = json(&out);
    let appeared: Vec<&str> = d["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["change"] == "appeared")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(appeared.contains(&"service-account-password-expired"), "{appeared:?}");
    let state = d["facts"].as_array().expect("facts").iter().find(|c| c["path"] == "services.adsync.state").cloned();
    assert_eq!(
        state,
        Some(
            serde_json::json!({"path": "services.adsync.state", "change": "changed", "before": "Running", "after": "Stopped"})
        )
    );

    let same = syncdoctor(&["diff", EXAMPLE, EXAMPLE]);
    assert_eq!(same.status.code(), Some(0));
    assert!(stdout(&same).contains("Findings: no change.") && stdout(&same).contains("Facts: no change."));
    let md = stdout(&syncdoctor(&["diff", "rules/baselines/connect-sync.json", EXAMPLE, "--format", "markdown"]));
    assert!(md.contains("| appeared | critical | `service-account-password-expired` | pass | match |"), "{md}");
}

#[test]
fn diff_matches_list_items_by_their_natural_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline("connect-sync");
    let mut new = old.clone();
    let domains = new["facts"]["entra"]["domains"].as_array_mut().expect("entra.domains in the baseline");
    let first = domains[0].clone();
    let mut added = first.clone();
    added["name"] = Value::from("new.contoso.com");
    domains.insert(0, added);
    let old_path = write_json(dir.path(), "old.json", &old);
    let new_path = write_json(dir.path(), "new.json", &new);
    let d = json(&syncdoctor(&["diff", &old_path, &new_path, "--format", "json"]));
    let facts = d["facts"].as_array().expect("facts");
    assert_eq!(facts.len(), 1, "one domain added, nothing shifted: {facts:?}");
    assert_eq!(facts[0]["path"], "entra.domains[name=new.contoso.com]");
    assert_eq!(facts[0]["change"], "added");
}

// ---------------------------------------------------------------- replay for KB pull requests

#[test]
fn replay_expect_exits_four_on_a_difference_and_zero_when_equal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = dir.path().join("expected");
    let expected_arg = expected.to_str().expect("utf8");
    let write = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["replay", EXAMPLE, "--expect", expected_arg])
        .current_dir(root())
        .env_remove("SYNCDOCTOR_RULES")
        .env("SYNCDOCTOR_UPDATE_EXPECT", "1")
        .output()
        .expect("run");
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let same = syncdoctor(&["replay", EXAMPLE, "--expect", expected_arg]);
    assert_eq!(same.status.code(), Some(0), "rules matched, as expected: {}", stderr(&same));
    let stored = expected.join("expired-service-account-password.json");
    let text = std::fs::read_to_string(&stored).expect("stored report");
    std::fs::write(&stored, text.replacen("\"critical\"", "\"info\"", 1)).expect("write");
    let differs = syncdoctor(&["replay", EXAMPLE, "--expect", expected_arg]);
    assert_eq!(differs.status.code(), Some(4), "{}", stderr(&differs));
}

#[test]
fn replay_against_rules_reports_severity_message_and_affected_changes() {
    let (_dir, rules, _) = rules_with_edit("accounts/service-account-password-expired.yaml", |rule| {
        rule.replacen("severity: critical", "severity: error", 1).replacen("message: \"", "message: \"Now: ", 1)
    });
    let rules_arg = rules.to_str().expect("utf8");
    let out = syncdoctor(&["replay", EXAMPLE, "--against-rules", rules_arg]);
    let line: Value = serde_json::from_str(stdout(&out).lines().next().expect("line")).expect("json");
    let change = line["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["rule_id"] == "service-account-password-expired")
        .cloned()
        .expect("the edited rule changed");
    assert_eq!(change["before"], "match");
    assert_eq!(change["after"], "match");
    assert_eq!(change["severity"], serde_json::json!({"before": "critical", "after": "error"}));
    assert!(change["message"]["after"].as_str().is_some_and(|m| m.starts_with("Now: ")), "{change}");
    let md = syncdoctor(&["replay", "tests/scenarios", EXAMPLE, "--against-rules", rules_arg, "--format", "markdown"]);
    let text = stdout(&md);
    assert!(text.contains("### Impact of the knowledge-base change"), "{text}");
    assert!(text.contains("| `service-account-password-expired` |"), "{text}");
    let human = stdout(&syncdoctor(&["replay", EXAMPLE, "--against-rules", rules_arg, "--format", "human"]));
    assert!(human.contains("service-account-password-expired: severity changes in 1, message changes in 1"), "{human}");
}

// ---------------------------------------------------------------- authoring

#[test]
fn rules_new_refuses_unknown_areas_and_taken_ids_and_adds_catalog_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = copy_rules(dir.path());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("SYNCDOCTOR_RULES")
            .output()
            .expect("run")
    };
    let out = run(&["rules", "new", "nowhere/some-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`nowhere` is not an area"), "{}", stderr(&out));
    let out = run(&["rules", "new", "database/adsync-service-stopped"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the id `adsync-service-stopped` is taken"), "{}", stderr(&out));
    let out = run(&["rules", "new", "database/localdb-log-full", "--catalog", "The LocalDB \"log\" filled its disk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let catalog = std::fs::read_to_string(rules.join("catalog.yaml")).expect("catalog");
    assert!(
        catalog.ends_with("  - { slug: localdb-log-full, title: \"The LocalDB \\\"log\\\" filled its disk\" }\n"),
        "{catalog}"
    );
    let rule = std::fs::read_to_string(rules.join("database/localdb-log-full.yaml")).expect("rule");
    assert!(rule.contains("covers: [localdb-log-full]"), "{rule}");
    // The authoring verbs use the checkout's knowledge base (and say so): the new rule is there.
    let out = run(&["rules", "test", "localdb-log-full"]);
    assert!(stderr(&out).contains("knowledge base rules ("), "{}", stderr(&out));
    assert!(stdout(&out).contains("rules test: 1 rules"), "{}{}", stdout(&out), stderr(&out));
    // A scaffold is not a rule yet: lint names its placeholders, its missing inconclusive test and
    // its empty references, each with the check's stable id in SARIF.
    let out = run(&["rules", "lint"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("localdb-log-full.yaml:5:8: `title` still holds a `TODO` placeholder"), "{err}");
    assert!(err.contains("needs at least one `expect: inconclusive` test"), "{err}");
    assert!(err.contains("`references`: cite the article(s)"), "{err}");
    let out = run(&["rules", "lint", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let ids: Vec<&str> =
        sarif["runs"][0]["results"].as_array().expect("results").iter().filter_map(|r| r["ruleId"].as_str()).collect();
    for id in ["SD003", "SD006", "SD007"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let out = run(&["rules", "new", "database/localdb-log-full"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_rules_verb_says_which_knowledge_base_it_used() {
    let out = syncdoctor(&["rules", "list"]);
    assert!(stderr(&out).contains("syncdoctor: knowledge base bundled in this binary ("), "{}", stderr(&out));
    let out = syncdoctor(&["rules", "show", "adsync-service-stopped"]);
    assert!(stderr(&out).contains("knowledge base bundled"), "{}", stderr(&out));
    // From the repository root, the authoring verbs use its rules/ folder.
    let out = syncdoctor(&["rules", "test", "adsync-service-stopped"]);
    assert!(stderr(&out).contains("syncdoctor: knowledge base rules ("), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
}
