//! The bundled knowledge base loads, lints and passes every rule test (each rule's `tests:` plus
//! the healthy-baseline checks). A failing test prints the rule's explain trace.

mod common;

use syncdoctor_engine::{KnowledgeBase, LoadOptions};

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
