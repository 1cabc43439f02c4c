//! The bundled knowledge base loads, lints and passes every rule test (each rule's `tests:` plus
//! the healthy-baseline checks). A failing test prints the rule's explain trace.

mod common;

use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Snapshot};

fn load() -> KnowledgeBase {
    let options = LoadOptions { snapshot_schema: Some(syncdoctor::schemas::snapshot()) };
    KnowledgeBase::load_dir(&common::root().join("rules"), options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_rule_test_passes() {
    let kb = load();
    let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
    assert!(baselines.len() >= 3, "baselines: {:?}", baselines.keys());
    let results = kb.run_tests(&baselines, &[]);
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            let trace = r
                .snapshot
                .as_ref()
                .and_then(|s| kb.explain(&r.rule_id, s))
                .map(|e| syncdoctor::render::explain::render(&e))
                .unwrap_or_default();
            format!("{} :: {}: {}\n{trace}", r.rule_id, r.name, r.failure.as_deref().unwrap_or(""))
        })
        .collect();
    assert!(failures.is_empty(), "{} failing rule tests:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_match_pass_and_inconclusive_tests() {
    let kb = load();
    for rule in kb.rules() {
        for outcome in ["match", "pass", "inconclusive"] {
            assert!(
                rule.rule.tests.iter().any(|t| t.expect.as_str() == outcome),
                "{} has no `expect: {outcome}` test",
                rule.id()
            );
        }
    }
}

#[test]
fn the_embedded_knowledge_base_is_the_rules_folder() {
    let out = common::syncdoctor(&["rules", "list"]);
    let listed = common::stdout(&out);
    for rule in load().rules() {
        assert!(listed.contains(rule.id()), "{} missing from the embedded KB", rule.id());
    }
}

/// The native fast path never changes a report: every rule test's snapshot (for its rule) and every
/// baseline, scenario and example (for the whole knowledge base) give the same JSON report whether
/// conditions run on the fast path or in Rhai alone.
#[test]
fn the_fast_path_and_rhai_give_identical_reports() {
    let kb = load();
    let fast_rules = kb.rules().iter().filter(|r| r.has_fast_path()).count();
    assert!(fast_rules >= 8, "only {fast_rules} rules have a fast path: the lowering regressed");
    let compare = |snapshot: &Snapshot, only: Option<Vec<String>>, what: &str| {
        let fast = EvalOptions { include_all: true, only: only.clone(), interpret_only: false };
        let rhai = EvalOptions { include_all: true, only, interpret_only: true };
        let a = serde_json::to_string_pretty(&kb.evaluate(snapshot, &fast)).unwrap_or_default();
        let b = serde_json::to_string_pretty(&kb.evaluate(snapshot, &rhai)).unwrap_or_default();
        assert!(a == b, "{what}: the fast path changed the report\nfast: {a}\nrhai: {b}");
    };
    let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
    let mut compared = 0;
    for result in kb.run_tests(&baselines, &[]) {
        if let Some(snapshot) = &result.snapshot {
            compare(snapshot, Some(vec![result.rule_id.clone()]), &format!("{} :: {}", result.rule_id, result.name));
            compared += 1;
        }
    }
    assert!(compared > 1000, "only {compared} rule-test snapshots");
    let files = common::snapshot_files();
    assert!(files.len() >= 20, "{files:?}");
    for file in files {
        let snapshot = kb.read_snapshot(&file).unwrap_or_else(|e| panic!("{e}"));
        compare(&snapshot, None, &file.display().to_string());
    }
}
