//! The two loading tiers (issue 10): the lenient loader leaves a broken rule file out and reports
//! it, every other rule still runs, and the report shows the rule left out as an `error`; the
//! strict loader (the default, and `rules lint`) refuses the same knowledge base.

use std::path::Path;

use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Outcome, Snapshot};

const SNAPSHOT: &str = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z",
    "collector":{"name":"t","version":"1"},"probes":[],"facts":{"svc":{"state":"Stopped"}}}"#;

fn rule(id: &str, when: &str, explains: &str) -> String {
    format!(
        "id: {id}\nversion: 1.2.0\nstatus: stable\ntitle: The {id} rule\nseverity: critical\ncovers: [c]\n\
         symptom: s\ncause: c\nwhen: |\n  {when}\nexplains: [{explains}]\nresolution: {{summary: fix}}\n"
    )
}

fn source(broken_when: &str) -> KbSource {
    let files = [
        ("kb.yaml".to_owned(), "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n".to_owned()),
        ("catalog.yaml".to_owned(), "entries: [{slug: c}]\n".to_owned()),
        // `cause` explains the broken rule: that reference alone must not break it too.
        ("a/cause.yaml".to_owned(), rule("cause", "facts.svc.state == \"Stopped\"", "broken")),
        ("a/broken.yaml".to_owned(), rule("broken", broken_when, "")),
        ("a/other.yaml".to_owned(), rule("other", "facts.svc.state != \"Running\"", "")),
    ];
    KbSource::from_files("<kb>", files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
}

fn lenient() -> LoadOptions {
    LoadOptions { lenient: true, ..LoadOptions::default() }
}

#[test]
fn a_rule_that_does_not_compile_is_left_out_and_reported_as_an_error() {
    let kb = KnowledgeBase::load(source("let = 1;"), lenient()).expect("the lenient tier loads");
    assert_eq!(kb.rules().iter().map(syncdoctor_engine::CompiledRule::id).collect::<Vec<_>>(), ["cause", "other"]);
    let [broken] = kb.broken_rules() else { panic!("{:?}", kb.broken_rules()) };
    assert_eq!((broken.id.as_str(), broken.path.as_path()), ("broken", Path::new("a/broken.yaml")));
    let problem = broken.problems[0].to_string();
    assert!(problem.starts_with("<kb>/a/broken.yaml:10:"), "{problem}");

    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("snapshot");
    let report = kb.evaluate(&snapshot, &EvalOptions::default());
    assert_eq!(report.summary.rules, 3);
    assert_eq!(report.summary.outcomes["match"], 2);
    assert_eq!(report.summary.outcomes["error"], 1);
    let finding = report.all_findings().into_iter().find(|f| f.rule_id == "broken").expect("the broken rule");
    assert_eq!(finding.outcome, Outcome::Error);
    assert_eq!((finding.rule_version.as_str(), finding.title.as_str()), ("1.2.0", "The broken rule"));
    assert!(finding.message.contains("could not be loaded") && finding.message.contains("a/broken.yaml:10:"));
    // Selecting rules selects broken ones too.
    let only = EvalOptions { only: Some(vec!["other".into()]), ..EvalOptions::default() };
    assert!(kb.evaluate(&snapshot, &only).all_findings().iter().all(|f| f.rule_id == "other"));
}

#[test]
fn a_rule_file_that_is_not_yaml_is_left_out_with_a_generic_title() {
    let mut files: Vec<(String, String)> =
        source("true").files.iter().map(|f| (f.path.to_string_lossy().into_owned(), f.text.clone())).collect();
    for (path, text) in &mut files {
        if path == "a/broken.yaml" {
            *text = "id: broken\nversion: [unclosed\n".into();
        }
    }
    let source = KbSource::from_files("<kb>", files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let kb = KnowledgeBase::load(source, lenient()).expect("loads");
    let snapshot = Snapshot::from_text(SNAPSHOT, Path::new("s.json"), None).expect("snapshot");
    let report = kb.evaluate(&snapshot, &EvalOptions::default());
    let finding = report.all_findings().into_iter().find(|f| f.rule_id == "broken").expect("the broken rule");
    assert_eq!(finding.title, "rule file a/broken.yaml");
    assert_eq!(finding.outcome, Outcome::Error);
}

#[test]
fn the_strict_tier_refuses_the_same_knowledge_base_and_kb_level_problems_fail_both() {
    let err = KnowledgeBase::load(source("let = 1;"), LoadOptions::default()).expect_err("strict");
    assert!(err.to_string().contains("a/broken.yaml:10:"), "{err}");
    // A problem outside rule files (here the catalog) is never left out.
    let mut files: Vec<(String, String)> =
        source("true").files.iter().map(|f| (f.path.to_string_lossy().into_owned(), f.text.clone())).collect();
    files.retain(|(p, _)| p != "catalog.yaml");
    let source = KbSource::from_files("<kb>", files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let err = KnowledgeBase::load(source, lenient()).expect_err("no catalog");
    assert!(err.to_string().contains("catalog.yaml"), "{err}");
}
