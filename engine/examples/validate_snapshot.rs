//! Validate a snapshot against the snapshot schema without evaluating anything: the located error
//! (`file:line:col: …`) a collector or a CI job shows for bad input.
//!
//! ```text
//! cargo run -p syncdoctor-engine --example validate_snapshot -- snapshot.json
//! ```
//! Exit 0 when it is valid, 2 when it is not.

use std::path::Path;
use std::process::ExitCode;

use syncdoctor_engine::{Snapshot, SnapshotSchema};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file =
        std::env::args().nth(1).map_or_else(|| root.join("examples/expired-service-account-password.json"), Into::into);
    let schema = std::fs::read_to_string(root.join("schema/snapshot.schema.json"))
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        .and_then(|value| SnapshotSchema::new(&value).map_err(|e| e.to_string()));
    let schema = match schema {
        Ok(schema) => schema,
        Err(e) => {
            eprintln!("cannot read the snapshot schema: {e}");
            return ExitCode::from(2);
        }
    };
    match Snapshot::from_path(&file, Some(&schema)) {
        Ok(snapshot) => {
            println!("{}: valid, collected at {}", file.display(), snapshot.collected_at);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
