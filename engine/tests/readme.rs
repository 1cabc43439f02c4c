//! The README's embedding example, run from the repository root.

#[test]
fn readme_embedding_example() -> Result<(), syncdoctor_engine::Error> {
    use std::path::Path;
    use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Outcome, Snapshot};

    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .map_err(|e| syncdoctor_engine::Error::Io { path: "..".into(), source: e })?;
    // The bundled rules call helpers of the Entra vocabulary (`base64_to_guid`): the engine's
    // extension point adds them (`syncdoctor_engine::extension`).
    let options = LoadOptions { helpers: vec![syncdoctor_facts::helpers()], ..LoadOptions::default() };
    let kb = KnowledgeBase::load_dir(Path::new("rules"), options)?;
    let mut matches = Vec::new();
    for path in ["rules/baselines/connect-sync.json", "examples/expired-service-account-password.json"] {
        let snapshot = Snapshot::from_path(Path::new(path), kb.snapshot_schema())?;
        let report = kb.evaluate(&snapshot, &EvalOptions::default());
        for finding in report.findings.iter().filter(|f| f.outcome == Outcome::Match) {
            matches.push(format!("{path}: {} {}", finding.severity.as_str(), finding.rule_id));
        }
    }
    assert!(matches.iter().all(|m| m.starts_with("examples/")), "{matches:?}");
    assert!(matches.iter().any(|m| m.ends_with("service-account-password-expired")), "{matches:?}");
    Ok(())
}
