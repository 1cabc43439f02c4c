//! Replays every incident in `tests/scenarios/<name>/snapshot.json` through the bundled knowledge
//! base and compares what a user sees (JSON, human and Markdown reports) with insta snapshots.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test scenarios`).

mod common;

use syncdoctor::cli::Format;
use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Severity, Snapshot};

#[test]
fn scenarios_match_their_reports() {
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor::schemas::snapshot()), ..syncdoctor_bundled::load_options() };
    let kb = KnowledgeBase::load_dir(&common::root().join("rules"), options).unwrap_or_else(|e| panic!("{e}"));
    let dir = common::root().join("tests/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/scenarios")
        .flatten()
        .filter(|e| e.path().join("snapshot.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 4, "scenarios: {names:?}");
    for name in &names {
        let snapshot = Snapshot::from_path(&dir.join(name).join("snapshot.json"), kb.snapshot_schema())
            .unwrap_or_else(|e| panic!("{e}"));
        let report = kb.evaluate(&snapshot, &EvalOptions::default());
        assert!(
            report.summary.outcomes.get("match").copied().unwrap_or(0) > 0,
            "{name}: an incident must find something"
        );
        assert_eq!(report.summary.outcomes.get("error").copied().unwrap_or(0), 0, "{name}: a rule failed to evaluate");
        let json = syncdoctor::render::json(&report);
        let human = anstream::adapter::strip_str(&syncdoctor::render::render(&report, Format::Human, Severity::Info))
            .to_string();
        let markdown = syncdoctor::render::render(&report, Format::Markdown, Severity::Info);
        insta::assert_snapshot!(format!("{name}.json"), json);
        insta::assert_snapshot!(format!("{name}.human"), human);
        insta::assert_snapshot!(format!("{name}.md"), markdown);
    }
}
