//! Snapshot text (JSON, and YAML when the first byte is odd) through the parser and the bundled
//! snapshot schema: any input is a snapshot or a located error, never a panic or a hang.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use syncdoctor_engine::{Snapshot, SnapshotSchema};

static SCHEMA: LazyLock<SnapshotSchema> = LazyLock::new(|| {
    let text = include_str!("../../schema/snapshot.schema.json");
    SnapshotSchema::new(&serde_json::from_str(text).expect("schema JSON")).expect("schema compiles")
});

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let origin = if first % 2 == 0 { Path::new("fuzz.json") } else { Path::new("fuzz.yaml") };
    let Ok(text) = syncdoctor_engine::text_file::decode(rest.to_vec(), origin) else { return };
    let _ = Snapshot::from_text(&text, origin, Some(&SCHEMA));
});
