//! Lint a knowledge base with the whole authoring policy (`syncdoctor_engine::lint`): each problem
//! with its check's stable id and its location, as `syncdoctor rules lint` prints them.
//!
//! ```text
//! cargo run -p syncdoctor-engine --example lint_kb [RULES_DIR]
//! ```
//! Exit 0 when the knowledge base is clean, 1 when it has problems.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use syncdoctor_engine::{KnowledgeBase, LoadOptions, lint};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir: PathBuf = std::env::args().nth(1).map_or_else(|| root.join("rules"), Into::into);
    let schema = std::fs::read_to_string(root.join("schema/snapshot.schema.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    // The strict tier: every problem of every rule file, not a knowledge base with some left out.
    let loaded = KnowledgeBase::load_dir(
        &dir,
        LoadOptions {
            snapshot_schema: schema,
            lenient: false,
            // The helpers the bundled rules call beyond the engine's own (`base64_to_guid`).
            helpers: vec![syncdoctor_facts::helpers()],
        },
    );
    let problems = lint::lint(loaded);
    for p in &problems {
        println!("{} {}: {}", p.check.id, p.check.name, p.diagnostic);
    }
    if problems.is_empty() {
        println!("{}: no problems", dir.display());
        ExitCode::SUCCESS
    } else {
        println!("{} problem(s)", problems.len());
        ExitCode::from(1)
    }
}
