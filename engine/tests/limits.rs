//! The sandbox's limits, one test per limit, on the crash and runaway cases of issue 11: each
//! hostile condition ends in `error` with a message naming the limit, within a bounded time, while
//! the other rule of the knowledge base still runs and matches. The cases that overflowed the stack
//! run on a thread with rayon's default 2 MiB stack, the smallest any evaluation runs on.

use std::path::Path;
use std::time::{Duration, Instant};

use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Outcome, Report, Snapshot};

/// Wall time allowed for a whole evaluation whose hostile rule has a 1000 ms deadline: generous,
/// because the test machine is shared and tests are built without optimisation.
const BOUND: Duration = Duration::from_secs(8);

const SNAPSHOT: &str = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z",
    "collector":{"name":"t","version":"1"},"probes":[],"facts":{"svc":{"state":"Stopped"}}}"#;

fn rule(id: &str, when: &str) -> String {
    let when = when.replace('\n', "\n  ");
    format!(
        "id: {id}\nversion: 1.0.0\nstatus: stable\ntitle: {id}\nseverity: warning\ncovers: [c]\n\
         symptom: s\ncause: c\nwhen: |\n  {when}\nresolution: {{summary: fix}}\n"
    )
}

fn kb(manifest_extra: &str, hostile: &str) -> Result<KnowledgeBase, syncdoctor_engine::Error> {
    let manifest = format!("name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n{manifest_extra}");
    let (hostile, stopped) = (rule("hostile", hostile), rule("stopped", "facts.svc.state != \"Running\""));
    let source = KbSource::from_files(
        "<limits>",
        [
            ("kb.yaml", manifest.as_str()),
            ("catalog.yaml", "entries: [{slug: c}]\n"),
            ("a/hostile.yaml", hostile.as_str()),
            ("a/stopped.yaml", stopped.as_str()),
        ],
    );
    KnowledgeBase::load(source, LoadOptions::default())
}

/// Evaluates on a thread with rayon's default 2 MiB stack, the smallest any evaluation runs on.
fn evaluate_on_small_stack(kb: &KnowledgeBase, snapshot: &Snapshot) -> Report {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn_scoped(s, || kb.evaluate(snapshot, &EvalOptions::default()))
            .expect("a thread starts")
            .join()
            .expect("the evaluation does not crash")
    })
}

/// Evaluates on a 2 MiB thread and checks the hostile rule failed with `expected` in its message,
/// the other rule matched, and the whole run stayed within [`BOUND`].
fn ends_in_error(hostile: &str, expected: &str) {
    let kb = kb("", hostile).expect("the knowledge base loads");
    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("the snapshot parses");
    let started = Instant::now();
    let report = evaluate_on_small_stack(&kb, &snapshot);
    let elapsed = started.elapsed();
    let hostile = report.findings.iter().find(|f| f.rule_id == "hostile").expect("the hostile rule is reported");
    assert_eq!(hostile.outcome, Outcome::Error, "{}", hostile.message);
    assert!(hostile.message.contains(expected), "message {:?} should contain {expected:?}", hostile.message);
    let other = report.findings.iter().find(|f| f.rule_id == "stopped").expect("the other rule is reported");
    assert_eq!(other.outcome, Outcome::Match, "the other rule still runs");
    assert!(elapsed < BOUND, "took {elapsed:?}");
}

#[test]
fn arrays_nested_by_assignment_stop_at_the_depth_limit() {
    ends_in_error("let a = []; for i in 0..5000 { a = [a]; } a.to_string().len() > 0", "more than 64 deep");
}

#[test]
fn comparing_deep_arrays_stops_at_the_depth_limit() {
    ends_in_error("let a = []; let b = []; for i in 0..5000 { a = [a]; b = [b]; } a == b", "more than 64 deep");
}

#[test]
fn maps_nested_in_themselves_stop_at_the_depth_limit() {
    ends_in_error("let m = #{}; for i in 0..5000 { m = #{m: m}; } m.len() > 0", "more than 64 deep");
}

#[test]
fn arrays_nested_by_push_stop_at_the_depth_limit() {
    ends_in_error("let a = []; for i in 0..5000 { let b = []; b.push(a); a = b; } a.len() > 0", "more than 64 deep");
}

#[test]
fn splitting_a_large_string_forever_stops_at_the_deadline() {
    ends_in_error("let s = \"a,\"; while s.len() < 500000 { s += s; } loop { s.split(\",\"); }", "1000 ms deadline");
}

#[test]
fn copying_a_large_array_forever_stops_at_the_deadline() {
    ends_in_error("let a = []; a.pad(1000000, 1); loop { let b = a; b.push(1); }", "1000 ms deadline");
}

#[test]
fn sorting_a_large_array_forever_stops_at_the_deadline() {
    ends_in_error("let a = []; a.pad(1000000, 1); a[0] = 2; loop { a.sort(); }", "1000 ms deadline");
}

#[test]
fn searching_a_large_array_forever_stops_at_the_deadline() {
    ends_in_error("let a = []; a.pad(1000000, 1); loop { a.contains(2); a.index_of(2); }", "1000 ms deadline");
}

#[test]
fn replacing_in_a_large_string_forever_stops_at_the_deadline() {
    ends_in_error(
        "let s = \"ab\"; while s.len() < 500000 { s += s; } loop { let t = s; t.replace(\"a\", \"b\"); }",
        "1000 ms deadline",
    );
}

#[test]
fn pushing_forever_ends_quickly() {
    // Either guard may stop it first (the deadline, or the array size limit): both are `error`.
    ends_in_error("let a = []; loop { a.push(1); }", "sandbox limit");
}

#[test]
fn a_plain_runaway_loop_stops() {
    ends_in_error("loop { }", "sandbox limit");
}

#[test]
fn unbounded_recursion_stops_at_the_call_level_limit() {
    ends_in_error("fn f(n) { if n == 0 { 0 } else { f(n - 1) + 1 } } f(100000) > 0", "nested deeper than 32");
}

#[test]
fn recursion_at_the_highest_allowed_call_level_fits_a_small_stack() {
    let kb = kb("limits:\n  max_call_levels: 64\n", "fn f(n) { if n == 0 { 0 } else { f(n - 1) + 1 } } f(60) == 60")
        .expect("the knowledge base loads");
    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("the snapshot parses");
    let report = evaluate_on_small_stack(&kb, &snapshot);
    let hostile = report.findings.iter().find(|f| f.rule_id == "hostile").expect("reported");
    assert_eq!(hostile.outcome, Outcome::Match, "{}", hostile.message);
}

#[test]
fn a_legitimate_large_loop_still_passes() {
    let kb = kb("", "let n = 0; for i in 0..20000 { n += i % 3; } n < 0").expect("the knowledge base loads");
    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("the snapshot parses");
    let report = kb.evaluate(&snapshot, &EvalOptions { include_all: true, ..EvalOptions::default() });
    let hostile = report.findings.iter().find(|f| f.rule_id == "hostile").expect("reported");
    assert_eq!(hostile.outcome, Outcome::Pass, "{}", hostile.message);
}

/// A limit outside its bounds is a load error located at its line in kb.yaml.
fn refused(limits: &str, line: u64, expected: &str) {
    let Err(syncdoctor_engine::Error::KnowledgeBase(problems)) = kb(limits, "true") else {
        panic!("limits {limits:?} should be refused");
    };
    let problem = problems.iter().find(|p| p.message.contains(expected)).unwrap_or_else(|| panic!("{problems:?}"));
    assert_eq!(problem.file, Path::new("<limits>/kb.yaml"), "{problem}");
    assert_eq!((problem.line, problem.column), (line, 3), "{problem}");
}

#[test]
fn zero_operations_is_refused_rather_than_unlimited() {
    refused("limits:\n  max_operations: 0\n", 5, "`limits.max_operations` is 0; it must be between 1000 and");
}

#[test]
fn call_levels_beyond_the_stack_are_refused() {
    refused("limits:\n  max_call_levels: 1000000\n", 5, "`limits.max_call_levels` is 1000000");
}

#[test]
fn every_limit_has_bounds() {
    for field in [
        "max_operations",
        "deadline_ms",
        "max_call_levels",
        "max_expr_depth",
        "max_function_expr_depth",
        "max_data_depth",
        "max_string_size",
        "max_array_size",
        "max_map_size",
        "max_variables",
    ] {
        refused(&format!("limits:\n  {field}: 0\n"), 5, &format!("`limits.{field}` is 0"));
        refused(
            &format!("limits:\n  {field}: 18446744073709551615\n"),
            5,
            &format!("`limits.{field}` is 18446744073709551615"),
        );
    }
}

#[test]
fn a_shorter_deadline_is_honoured() {
    let kb = kb("limits:\n  deadline_ms: 20\n", "loop { }").expect("the knowledge base loads");
    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("the snapshot parses");
    let started = Instant::now();
    let report = kb.evaluate(&snapshot, &EvalOptions::default());
    let hostile = report.findings.iter().find(|f| f.rule_id == "hostile").expect("reported");
    assert_eq!(hostile.outcome, Outcome::Error);
    assert!(hostile.message.contains("20 ms deadline"), "{}", hostile.message);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}
