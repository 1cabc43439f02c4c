//! The bundled knowledge base loads, lints and passes every rule test (each rule's `tests:` plus
//! the healthy-baseline checks). A failing test prints the rule's explain trace.

mod common;

use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Snapshot};

fn load() -> KnowledgeBase {
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor::schemas::snapshot()), ..syncdoctor_bundled::load_options() };
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

/// `explain` is the authoring aid CONTRIBUTING sells: on every rule test's snapshot it shows the
/// value of each deciding term, and no term is a Rhai parse error (a trace rebuilt from the
/// condition's text showed `Unexpected 'let'` for 55 of the 89 rules, issue 10).
#[test]
fn explain_shows_term_values_for_every_rule() {
    let kb = load();
    let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
    let mut explained = std::collections::BTreeSet::new();
    let mut broken = Vec::new();
    for result in kb.run_tests(&baselines, &[]) {
        let Some(snapshot) = &result.snapshot else { continue };
        let what = format!("{} :: {}", result.rule_id, result.name);
        let Some(explanation) = kb.explain(&result.rule_id, snapshot) else {
            broken.push(format!("{what}: no explanation"));
            continue;
        };
        if explanation.terms.is_empty() {
            broken.push(format!("{what}: no terms"));
        }
        for term in &explanation.terms {
            // Rhai's parse errors read `Unexpected 'let' (line 2, position 3)`, `Expecting ')' …`;
            // a runtime error (a missing fact, say) is a legitimate term value.
            if let Err(message) = &term.result
                && (["Unexpected", "Expecting"].iter().any(|p| message.starts_with(p))
                    || message.contains("Syntax error")
                    || message.contains("ParseError"))
            {
                broken.push(format!("{what}: `{}` => {message}", term.text));
            }
        }
        explained.insert(result.rule_id);
    }
    assert_eq!(explained.len(), kb.rules().len(), "rules never explained");
    assert!(broken.is_empty(), "{} broken traces:\n{}", broken.len(), broken[..broken.len().min(20)].join("\n"));
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
    assert!(fast_rules >= 88, "only {fast_rules} rules have a fast path: the lowering regressed");
    let compare =
        |snapshot: &Snapshot, only: Option<Vec<String>>, what: &str| same_both_ways(&kb, snapshot, only, what);
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

/// Evaluates a snapshot on the fast path and in Rhai alone, and requires the same JSON report.
fn same_both_ways(kb: &KnowledgeBase, snapshot: &Snapshot, only: Option<Vec<String>>, what: &str) {
    let fast = EvalOptions { include_all: true, only: only.clone(), interpret_only: false };
    let rhai = EvalOptions { include_all: true, only, interpret_only: true };
    let a = serde_json::to_string_pretty(&kb.evaluate(snapshot, &fast)).unwrap_or_default();
    let b = serde_json::to_string_pretty(&kb.evaluate(snapshot, &rhai)).unwrap_or_default();
    assert!(a == b, "{what}: the fast path changed the report\nfast: {a}\nrhai: {b}");
}

/// The same, on baselines damaged at random (deterministically): facts removed, set to `null`,
/// given another type or case, or lists emptied — the inputs where a fast path is most likely to differ.
#[test]
fn the_fast_path_and_rhai_agree_on_damaged_snapshots() {
    use serde_json::Value;
    let kb = load();
    let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Every path to a value inside `facts`, as JSON pointers.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| pointers(c, format!("{at}/{k}"), out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
            _ => {}
        }
        out.push(at);
    }
    let mut damaged = 0;
    for (name, baseline) in &baselines {
        let mut paths = Vec::new();
        pointers(&baseline["facts"], "/facts".into(), &mut paths);
        paths.retain(|p| p != "/facts");
        for round in 0..60 {
            let mut document = baseline.clone();
            let mut changes = Vec::new();
            for _ in 0..3 {
                let path = &paths[(next() % paths.len() as u64) as usize];
                let Some(target) = document.pointer_mut(path) else { continue };
                let replacement = match next() % 6 {
                    // The same text in another case: string comparisons are case-sensitive.
                    5 if target.is_string() => Value::from(target.as_str().unwrap_or("").to_uppercase()),
                    0 | 5 => Value::Null,
                    1 => Value::from("unexpected"),
                    2 => Value::from(7),
                    3 => Value::Bool(true),
                    _ => Value::Array(Vec::new()),
                };
                changes.push(format!("{path} = {replacement}"));
                *target = replacement;
            }
            if next() % 3 == 0 {
                let path = &paths[(next() % paths.len() as u64) as usize];
                if let Some((parent, key)) = path.rsplit_once('/')
                    && let Some(Value::Object(m)) = document.pointer_mut(parent)
                {
                    m.remove(key);
                    changes.push(format!("{path} removed"));
                }
            }
            let what = format!("{name} round {round}: {}", changes.join(", "));
            let snapshot = Snapshot::from_value(document, std::path::Path::new(&what), None)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            same_both_ways(&kb, &snapshot, None, &what);
            damaged += 1;
        }
    }
    assert!(damaged >= 150, "{damaged}");
}
