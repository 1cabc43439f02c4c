//! Load a knowledge base once, evaluate many snapshots with it, from several threads
//! (`KnowledgeBase` is `Send + Sync`; each thread keeps its own Rhai caches).
//!
//! ```text
//! cargo run -p syncdoctor-engine --example load_once_evaluate_many [SNAPSHOT…]
//! ```
//! Without arguments it diagnoses every snapshot in `examples/`.

use std::path::{Path, PathBuf};

use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Outcome};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = serde_json::from_str(&std::fs::read_to_string(root.join("schema/snapshot.schema.json"))?)?;
    // Compile once: every rule's conditions, the fact paths they read, the snapshot schema.
    let kb = KnowledgeBase::load_dir(
        &root.join("rules"),
        // The Entra vocabulary's helpers (`base64_to_guid`) are added through the extension point.
        LoadOptions { snapshot_schema: Some(schema), helpers: vec![syncdoctor_facts::helpers()], ..Default::default() },
    )?;
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        files = std::fs::read_dir(root.join("examples"))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
    }
    // Evaluate many: the same compiled knowledge base on two threads.
    let work = |part: &[PathBuf]| -> Vec<String> {
        part.iter()
            .map(|file| match kb.read_snapshot(file) {
                Err(e) => format!("{}: bad input: {e}", file.display()),
                Ok(snapshot) => {
                    let report = kb.evaluate(&snapshot, &EvalOptions::default());
                    let matched: Vec<&str> = report
                        .all_findings()
                        .into_iter()
                        .filter(|f| f.outcome == Outcome::Match)
                        .map(|f| f.rule_id.as_str())
                        .collect();
                    format!("{}: {} match(es): {}", file.display(), matched.len(), matched.join(", "))
                }
            })
            .collect()
    };
    let lines: Vec<String> = std::thread::scope(|s| {
        let (left, right) = files.split_at(files.len() / 2);
        let other = s.spawn(move || work(left));
        let mut mine = work(right);
        let mut lines = other.join().unwrap_or_default();
        lines.append(&mut mine);
        lines
    });
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
