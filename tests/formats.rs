//! Output formats through the binary: `rules lint --format sarif` checked against the official
//! SARIF 2.1.0 JSON schema (vendored in `tests/fixtures/sarif/`), `rules lint --format github`
//! workflow annotations, `diagnose --format csv` rows read back with an RFC 4180 parser, the human
//! view's `--min-severity`/`--max-items`, and `completions`, `man` and `--version`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use common::{root, rules_with_edit, stderr, stdout, syncdoctor};
use serde_json::Value;

const EXAMPLE: &str = "examples/expired-service-account-password.json";
const RULE: &str = "service/adsync-service-stopped.yaml";

/// Runs the binary in `dir` (so the problems' files are relative to it) with `--rules rules`.
fn lint_in(dir: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(["--rules", "rules", "rules", "lint", "--format", format])
        .current_dir(dir)
        .env_remove("SYNCDOCTOR_RULES")
        .output()
        .expect("run syncdoctor")
}

/// The official schema, compiled with format checks on (`uri`, `uri-reference`, `date-time`…).
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Every schema violation of `log`, one per line (empty when it is valid).
fn violations(validator: &jsonschema::Validator, log: &Value) -> String {
    validator.iter_errors(log).map(|e| format!("{} at {}\n", e, e.instance_path())).collect()
}

/// Parses SARIF from a lint run's standard output and checks it against the schema.
fn valid_sarif(out: &Output) -> Value {
    let text = stdout(out);
    let log: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let problems = violations(&sarif_validator(), &log);
    assert!(problems.is_empty(), "the SARIF log breaks the 2.1.0 schema:\n{problems}\n{text}");
    log
}

/// The (line, column) of the first occurrence of `needle` in `text`, both 1-based.
fn position(text: &str, needle: &str) -> (u64, u64) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the rule"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u64, column as u64)
}

#[test]
fn the_validator_rejects_what_sarif_forbids() {
    // The schema check itself must be able to fail: these logs break SARIF 2.1.0.
    let validator = sarif_validator();
    let good = serde_json::json!({ "version": "2.1.0", "runs": [] });
    assert!(violations(&validator, &good).is_empty(), "{}", violations(&validator, &good));
    let wrong_version = serde_json::json!({ "version": "2.0.0", "runs": [] });
    assert!(!violations(&validator, &wrong_version).is_empty());
    let no_driver = serde_json::json!({ "version": "2.1.0", "runs": [ { "tool": {} } ] });
    assert!(!violations(&validator, &no_driver).is_empty());
    let bad_line = serde_json::json!({ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "x" } },
        "results": [ { "message": { "text": "m" }, "locations": [ { "physicalLocation": {
            "artifactLocation": { "uri": "a.yaml" }, "region": { "startLine": 0 } } } ] } ] } ] });
    assert!(!violations(&validator, &bad_line).is_empty(), "startLine 0 must be refused");
}

#[test]
fn clean_knowledge_base_gives_a_valid_sarif_log_without_results() {
    let out = syncdoctor(&["--rules", "rules", "rules", "lint", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = valid_sarif(&out);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "syncdoctor");
    assert_eq!(run["results"].as_array().map(Vec::len), Some(0), "{log}");
    let ids: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().into_iter().flatten().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["SD001", "SD002", "SD003", "SD004", "SD005", "SD006", "SD007", "SD008"]);
    // Nothing but the log on standard output: the human lines stay out of it.
    assert!(!stdout(&out).contains("rules lint:"), "{}", stdout(&out));
}

#[test]
fn load_error_is_a_sarif_result_with_its_file_line_and_column() {
    let (dir, _rules, text) =
        rules_with_edit(RULE, |t| t.replacen("severity: critical\n", "severity: critical\ncolour: red\n", 1));
    let out = lint_in(dir.path(), "sarif");
    assert_eq!(out.status.code(), Some(1), "a lint problem is exit 1: {}", stderr(&out));
    let log = valid_sarif(&out);
    let results = log["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let result = results
        .iter()
        .find(|r| r["message"]["text"].as_str().is_some_and(|m| m.contains("colour")))
        .unwrap_or_else(|| panic!("no result names the unknown field: {log}"));
    assert_eq!(result["ruleId"], "SD001");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], format!("rules/{RULE}"));
    let (line, _) = position(&text, "colour: red");
    assert_eq!(location["region"]["startLine"], line, "{result}");
    assert!(location["region"]["startColumn"].as_u64().is_some_and(|c| c >= 1), "{result}");
}

#[test]
fn a_rule_without_a_pass_test_is_located_at_its_id() {
    let (dir, _rules, text) = rules_with_edit(RULE, |t| t.replace("expect: pass", "expect: inconclusive"));
    let out = lint_in(dir.path(), "sarif");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = valid_sarif(&out);
    let results = log["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 1, "one problem expected: {log}");
    let result = &results[0];
    assert_eq!(result["ruleId"], "SD003");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap_or(99) as usize]["id"],
        "SD003"
    );
    let (line, column) = position(&text, "adsync-service-stopped\nversion");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(line), Some(column)), "{result}");
}

#[test]
fn github_annotations_name_file_line_column_and_check() {
    let (dir, _rules, text) = rules_with_edit(RULE, |t| t.replace("expect: pass", "expect: inconclusive"));
    let out = lint_in(dir.path(), "github");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (line, column) = position(&text, "adsync-service-stopped\nversion");
    let expected = format!(
        "::error file=rules/{RULE},line={line},col={column},title=syncdoctor SD003 rule-has-tests::`tests`: needs at \
         least one `expect: pass` test\n"
    );
    assert_eq!(stdout(&out), expected);
    // A clean knowledge base annotates nothing.
    let clean = syncdoctor(&["--rules", "rules", "rules", "lint", "--format", "github"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");
}

/// An RFC 4180 reader: records of fields, CRLF between records, quoted fields with doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "a bare CR outside quotes");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record (RFC 4180 wants CRLF)"),
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "the last record has no CRLF");
    records
}

/// Every finding of a JSON report, nested ones included, once per rule: id → (outcome, severity).
fn findings(report: &Value) -> Vec<(String, String, String)> {
    fn walk(list: &Value, seen: &mut BTreeSet<String>, out: &mut Vec<(String, String, String)>) {
        for f in list.as_array().into_iter().flatten() {
            let id = f["rule_id"].as_str().unwrap_or_default().to_owned();
            if seen.insert(id.clone()) {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                out.push((id, s("outcome"), s("severity")));
            }
            walk(&f["explains"], seen, out);
        }
    }
    let mut out = Vec::new();
    walk(&report["findings"], &mut BTreeSet::new(), &mut out);
    out.sort();
    out
}

fn csv_and_json(snapshot: &str, extra: &[&str]) -> (Vec<Vec<String>>, Value) {
    let mut args = vec!["diagnose", snapshot, "--format", "csv"];
    args.extend_from_slice(extra);
    let out = syncdoctor(&args);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let rows = parse_csv(&stdout(&out));
    args[3] = "json";
    let report: Value = serde_json::from_str(&stdout(&syncdoctor(&args))).expect("JSON report");
    (rows, report)
}

#[test]
fn csv_has_one_row_per_finding_matching_the_json_report() {
    let (rows, report) = csv_and_json(EXAMPLE, &[]);
    let header = rows.first().expect("header row");
    assert_eq!(header.first().map(String::as_str), Some("host"));
    for row in &rows {
        assert_eq!(row.len(), header.len(), "every row has every column: {row:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no `{name}` column"));
    let mut from_csv: Vec<(String, String, String)> = rows
        .iter()
        .skip(1)
        .map(|r| (r[col("rule_id")].clone(), r[col("outcome")].clone(), r[col("severity")].clone()))
        .collect();
    from_csv.sort();
    let expected = findings(&report);
    assert!(expected.iter().any(|(_, o, _)| o == "match"), "the example has problems");
    assert_eq!(from_csv, expected);
    let host = report["snapshot"]["host"].as_str().unwrap_or_default();
    assert!(rows.iter().skip(1).all(|r| r[col("host")] == host));
    // The symptom names the cause that explains it; its fix keeps its numbered steps.
    let stopped = rows.iter().find(|r| r[col("rule_id")] == "adsync-service-stopped").expect("symptom row");
    assert!(stopped[col("explained_by")].split(' ').any(|c| c == "service-account-password-expired"), "{stopped:?}");
    assert!(stopped[col("fix")].contains("\n1. "), "{stopped:?}");
}

#[test]
fn csv_follows_the_severity_threshold_and_shows_waivers() {
    let scenario = "tests/scenarios/connect-data-quality-duplicates/snapshot.json";
    let (all, _) = csv_and_json(scenario, &[]);
    let (rows, report) = csv_and_json(scenario, &["--min-severity", "error"]);
    assert!(rows.len() < all.len(), "the threshold hid no row ({} rows)", rows.len());
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no `{name}` column"));
    for r in rows.iter().skip(1).filter(|r| r[col("outcome")] == "match") {
        assert!(["critical", "error"].contains(&r[col("severity")].as_str()), "{r:?} is below the threshold");
    }
    assert_eq!(rows.len() - 1, findings(&report).len());

    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = dir.path().join("waivers.yaml");
    std::fs::write(
        &waivers,
        "- rule: adsync-service-stopped\n  reason: \"planned, see change 42\"\n  owner: ops\n  expires: 2099-12-31\n",
    )
    .expect("write waivers");
    let (rows, _) = csv_and_json(EXAMPLE, &["--waivers", &waivers.to_string_lossy()]);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no `{name}` column"));
    let waived = rows.iter().find(|r| r[col("rule_id")] == "adsync-service-stopped").expect("waived row");
    assert_eq!(waived[col("outcome")], "waived");
    assert!(waived[col("waiver")].contains("by ops: planned, see change 42"), "{waived:?}");
}

#[test]
fn human_view_counts_hidden_matches_and_limits_items() {
    let scenario = "tests/scenarios/connect-data-quality-duplicates/snapshot.json";
    let full: Value =
        serde_json::from_str(&stdout(&syncdoctor(&["diagnose", scenario, "--format", "json"]))).expect("json");
    let filtered: Value = serde_json::from_str(&stdout(&syncdoctor(&[
        "diagnose",
        scenario,
        "--format",
        "json",
        "--min-severity",
        "error",
    ])))
    .expect("json");
    let hidden = filtered["summary"]["hidden"]["matches"].as_u64().expect("summary.hidden.matches");
    let shown = filtered["summary"]["outcomes"]["match"].as_u64().unwrap_or(0);
    assert!(hidden > 0, "{filtered}");
    assert_eq!(shown + hidden, full["summary"]["outcomes"]["match"].as_u64().unwrap_or(0));
    assert!(full["summary"].get("hidden").is_none(), "no threshold, no `hidden` key");
    let human = stdout(&syncdoctor(&["diagnose", scenario, "--min-severity", "error"]));
    assert!(human.contains(&format!("{hidden} below error hidden")), "{human}");
    // The summary is repeated at the end.
    let last = human.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    assert!(last.starts_with("Summary: ") && last.contains("hidden"), "{last}");

    // `--max-items`: a finding with more affected items than that lists only that many.
    let (id, items, count) =
        findings_with_items(&full).into_iter().max_by_key(|(_, n, _)| *n).expect("a finding with items");
    assert!(items >= 2, "{id} has {items} affected items");
    let one = stdout(&syncdoctor(&["diagnose", scenario, "--max-items", "1"]));
    assert!(one.contains(&format!("affected: {count} (showing 1; --max-items N or --all-items for more)")), "{one}");
    let all = stdout(&syncdoctor(&["diagnose", scenario, "--all-items"]));
    assert!(!all.contains("--all-items for more"), "{all}");
    assert!(all.lines().count() > one.lines().count());
}

/// (rule id, items carried, affected count) of every finding with affected items.
fn findings_with_items(report: &Value) -> Vec<(String, usize, u64)> {
    fn walk(list: &Value, out: &mut Vec<(String, usize, u64)>) {
        for f in list.as_array().into_iter().flatten() {
            if let Some(items) = f["affected"]["items"].as_array() {
                let count = f["affected"]["count"].as_u64().unwrap_or(0);
                out.push((f["rule_id"].as_str().unwrap_or_default().to_owned(), items.len(), count));
            }
            walk(&f["explains"], out);
        }
    }
    let mut out = Vec::new();
    walk(&report["findings"], &mut out);
    out
}

#[test]
fn version_names_the_knowledge_base_and_the_commit() {
    let out = syncdoctor(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let manifest = std::fs::read_to_string(root().join("rules/kb.yaml")).expect("kb.yaml");
    let kb = manifest.lines().find_map(|l| l.strip_prefix("kb_version:")).map(str::trim).expect("kb_version");
    assert!(text.contains(&format!("bundled knowledge base: {kb}")), "{text}");
    let commit = text.lines().find_map(|l| l.strip_prefix("commit: ")).expect("a commit line");
    assert!(commit == "unknown" || (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())), "{text}");
    let short = stdout(&syncdoctor(&["-V"]));
    assert!(short.contains(&format!("(knowledge base {kb}, commit {commit})")), "{short}");
}

#[test]
fn completions_and_man_pages_know_every_verb() {
    let bash = syncdoctor(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0), "{}", stderr(&bash));
    let script = stdout(&bash);
    for word in ["diagnose", "replay", "diff", "--min-severity", "--waivers", "html", "sarif"] {
        assert!(script.contains(word), "bash completion lacks `{word}`");
    }
    let zsh = stdout(&syncdoctor(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef syncdoctor"), "{zsh}");
    let bad = syncdoctor(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2), "an unknown shell is a usage error");

    let man = stdout(&syncdoctor(&["man"]));
    assert!(man.contains(".TH syncdoctor 1"), "{man}");
    assert!(man.contains("diagnose"), "{man}");
    let lint = stdout(&syncdoctor(&["man", "rules", "lint"]));
    assert!(lint.contains(".TH ") && lint.contains("lint") && lint.contains("sarif"), "{lint}");
    let missing = syncdoctor(&["man", "nosuchverb"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no verb `nosuchverb`"), "{}", stderr(&missing));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = syncdoctor(&["man", "--dir", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for page in ["syncdoctor.1", "syncdoctor-diagnose.1", "syncdoctor-rules-lint.1"] {
        assert!(dir.path().join(page).is_file(), "{page} not written");
    }
}
