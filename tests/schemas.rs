//! The committed JSON Schemas (`schema/*.json`) must equal what the Rust types generate.
//! Regenerate with `SYNCDOCTOR_UPDATE_SCHEMAS=1 cargo test --test schemas`.

mod common;

use std::path::Path;

#[test]
fn committed_schemas_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let update = std::env::var_os("SYNCDOCTOR_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in syncdoctor::schemas::all() {
        let text = serde_json::to_string_pretty(&schema).expect("schema serializes") + "\n";
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).expect("create schema/");
            std::fs::write(&path, &text).expect("write schema");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `SYNCDOCTOR_UPDATE_SCHEMAS=1 cargo test --test schemas` and commit schema/"
    );
}

#[test]
fn every_baseline_and_scenario_validates_against_the_snapshot_schema() {
    let schema = syncdoctor_engine::SnapshotSchema::new(&syncdoctor::schemas::snapshot()).expect("schema compiles");
    let files = common::snapshot_files();
    let mut problems = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        if let Err(e) = syncdoctor_engine::Snapshot::from_path(path, Some(&schema)) {
            problems.push(e.to_string());
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
