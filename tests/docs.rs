//! `docs/rules/` is generated from the knowledge base and `docs/helpers.md` from the engine's helper
//! catalogue; this fails when either is stale.
//! Regenerate with `cargo run -- --rules rules rules docs` (or `SYNCDOCTOR_UPDATE_DOCS=1 cargo test --test docs`).

mod common;

use syncdoctor_engine::{KnowledgeBase, LoadOptions};

#[test]
fn rule_docs_are_up_to_date() {
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor::schemas::snapshot()), ..syncdoctor_bundled::load_options() };
    let kb = KnowledgeBase::load_dir(&common::root().join("rules"), options).unwrap_or_else(|e| panic!("{e}"));
    let dir = common::root().join("docs/rules");
    let update = std::env::var_os("SYNCDOCTOR_UPDATE_DOCS").is_some();
    let expected = syncdoctor::docs::render_all(&kb);
    let mut stale = Vec::new();
    for (name, text) in &expected {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).expect("create docs/rules");
            std::fs::write(&path, text).expect("write doc");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let orphans: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| !expected.iter().any(|(n, _)| n == f))
        .collect();
    assert!(
        stale.is_empty() && orphans.is_empty(),
        "stale docs {stale:?}, orphans {orphans:?}: run `cargo run -- --rules rules rules docs`"
    );
}

#[test]
fn helper_docs_are_up_to_date() {
    let path = common::root().join("docs/helpers.md");
    let expected = syncdoctor_engine::catalog::markdown(&syncdoctor_bundled::load_options().helpers);
    if std::env::var_os("SYNCDOCTOR_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/helpers.md");
    }
    assert!(
        std::fs::read_to_string(&path).ok().as_deref() == Some(expected.as_str()),
        "docs/helpers.md is stale: run `SYNCDOCTOR_UPDATE_DOCS=1 cargo test --test docs`"
    );
}
