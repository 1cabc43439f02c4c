//! A large snapshot's rules are judged on several threads (issue 13): the report must be what each
//! rule gives when it is judged alone, on the calling thread, whatever the outcome.

use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Outcome, PARALLEL_NODES, Snapshot};

fn rule(id: &str, severity: &str, when: &str) -> String {
    format!(
        "id: {id}\nversion: 1.0.0\nstatus: stable\ntitle: The {id} rule\nseverity: {severity}\ncovers: [c]\n\
         symptom: s\ncause: c\nwhen: |\n  {when}\nresolution: {{summary: fix}}\n"
    )
}

fn knowledge_base() -> KnowledgeBase {
    let rules = [
        ("many-disabled", "critical", "facts.users.count(|u| !u.enabled) > 100"),
        ("disabled-items", "error", "facts.users.filter(|u| !u.enabled && u.n % 1000 == 0)"),
        ("all-named", "warning", "facts.users.all(|u| u.name.len() > 0)"),
        ("needs-tenant", "warning", "facts.tenant.id == \"x\""),
        ("divides-by-zero", "info", "facts.users.len() / (facts.users[0].n - facts.users[0].n) > 1"),
        ("small-directory", "info", "facts.users.len() < 10000"),
        ("duplicate-names", "error", "duplicates(facts.users, \"name\")"),
    ];
    let mut files = vec![
        ("kb.yaml".to_owned(), "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n".to_owned()),
        ("catalog.yaml".to_owned(), "entries: [{slug: c}]\n".to_owned()),
    ];
    files.extend(rules.iter().map(|(id, severity, when)| (format!("a/{id}.yaml"), rule(id, severity, when))));
    let source = KbSource::from_files("<kb>", files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    KnowledgeBase::load(source, LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn large_snapshot() -> Snapshot {
    let users: Vec<serde_json::Value> = (0..40_000)
        .map(|n| serde_json::json!({"name": format!("user{}", n % 39_990), "enabled": n % 7 != 0, "n": n}))
        .collect();
    let value = serde_json::json!({
        "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": {"name": "t", "version": "1"}, "probes": [], "facts": {"users": users}
    });
    Snapshot::from_value(value, std::path::Path::new("large.json"), None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_large_snapshot_gives_each_rule_the_finding_it_gives_alone() {
    let kb = knowledge_base();
    let snapshot = large_snapshot();
    assert!(snapshot.nodes() >= PARALLEL_NODES, "{} nodes: the rules would run on one thread", snapshot.nodes());
    let options = EvalOptions { include_all: true, ..EvalOptions::default() };
    let (report, timings) = kb.evaluate_profiled(&snapshot, &options);
    let outcomes: Vec<(&str, Outcome)> = report.findings.iter().map(|f| (f.rule_id.as_str(), f.outcome)).collect();
    for want in [Outcome::Match, Outcome::Pass, Outcome::Inconclusive, Outcome::Error] {
        assert!(outcomes.iter().any(|(_, o)| *o == want), "no {want:?} among {outcomes:?}");
    }
    assert_eq!(report.findings.len(), kb.rules().len());
    for finding in &report.findings {
        let alone = kb.evaluate_rule(&finding.rule_id, &snapshot).expect("the rule");
        assert_eq!((finding.outcome, &finding.message), (alone.outcome, &alone.message), "{}", finding.rule_id);
        assert_eq!((&finding.missing, &finding.affected), (&alone.missing, &alone.affected), "{}", finding.rule_id);
    }
    // Timings come in the knowledge base's rule order, one per rule.
    let timed: Vec<&str> = timings.iter().map(|t| t.rule_id.as_str()).collect();
    let rules: Vec<&str> = kb.rules().iter().map(syncdoctor_engine::CompiledRule::id).collect();
    assert_eq!(timed, rules);
    // And the same report again: nothing depends on which thread took which rule.
    for _ in 0..3 {
        assert_eq!(kb.evaluate(&snapshot, &options), report);
    }
}
