//! `KnowledgeBase::evaluate_with_progress` reports each selected rule before it runs, in order,
//! and gives the same report as `evaluate`.

use serde_json::json;
use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Snapshot};

fn kb() -> KnowledgeBase {
    let mut files: Vec<(String, String)> = vec![
        ("kb.yaml".into(), "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n".into()),
        ("catalog.yaml".into(), "entries: [{slug: c}]\n".into()),
    ];
    for (i, when) in ["facts.a > 1", "facts.b", "facts.a == 3"].iter().enumerate() {
        let yaml = format!(
            "id: r{i}\nversion: 1.0.0\nstatus: stable\ntitle: R{i}\nseverity: warning\ncovers: [c]\n\
             symptom: s\ncause: c\nwhen: '{when}'\nresolution: {{summary: fix}}\n"
        );
        files.push((format!("t/r{i}.yaml"), yaml));
    }
    KnowledgeBase::load(
        KbSource::from_files("t", files.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
        LoadOptions::default(),
    )
    .unwrap()
}

#[test]
fn each_selected_rule_is_announced_before_it_runs() {
    let kb = kb();
    let document = json!({"schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": {"name": "t", "version": "1"}, "probes": [], "facts": {"a": 3, "b": false}});
    let snapshot = Snapshot::from_value(document, std::path::Path::new("t.json"), None).unwrap();
    let mut seen = Vec::new();
    let (report, _) = kb.evaluate_with_progress(&snapshot, &EvalOptions::default(), &mut |p| {
        seen.push((p.done, p.total, p.rule_id.to_owned()));
    });
    assert_eq!(seen, vec![(0, 3, "r0".into()), (1, 3, "r1".into()), (2, 3, "r2".into())]);
    assert_eq!(report.to_json_text(), kb.evaluate(&snapshot, &EvalOptions::default()).to_json_text());
    // Only the selected rules count.
    let only = EvalOptions { only: Some(vec!["r2".into()]), ..EvalOptions::default() };
    seen.clear();
    kb.evaluate_with_progress(&snapshot, &only, &mut |p| seen.push((p.done, p.total, p.rule_id.to_owned())));
    assert_eq!(seen, vec![(0, 1, "r2".into())]);
}
