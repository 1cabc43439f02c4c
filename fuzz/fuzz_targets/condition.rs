//! Arbitrary Rhai source as a rule's `when`, compiled and evaluated in the sandbox against a small
//! snapshot: every input loads with problems or evaluates to an outcome within the deadline, and
//! the native fast path gives the report Rhai alone gives (unless Rhai ran into its wall-clock
//! deadline, which the much faster native run need not reach).
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Snapshot};

static SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(|| {
    let text = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z","collector":{"name":"f","version":"1"},
        "facts":{"svc":{"state":"Stopped","n":3,"list":[{"a":"x"},{"a":"y"}]}}}"#;
    Snapshot::from_text(text, Path::new("f.json"), None).expect("snapshot")
});

fuzz_target!(|data: &[u8]| {
    let Ok(when) = std::str::from_utf8(data) else { return };
    // A block scalar: each line indented under `when: |`.
    let body: String = when.lines().map(|l| format!("  {l}\n")).collect();
    let rule = format!(
        "id: f\nversion: 1.0.0\nstatus: stable\ntitle: f\nseverity: warning\ncovers: [c]\nsymptom: s\ncause: c\nwhen: |\n{body}resolution: {{summary: fix}}\n"
    );
    let source = KbSource::from_files(
        "<fuzz>",
        [
            ("kb.yaml", "name: f\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\nlimits: {deadline_ms: 50}\n"),
            ("catalog.yaml", "entries: [{slug: c}]\n"),
            ("a/f.yaml", rule.as_str()),
        ],
    );
    if let Ok(kb) = KnowledgeBase::load(source, LoadOptions::default()) {
        let fast = kb.evaluate(&SNAPSHOT, &EvalOptions::default());
        let rhai = kb.evaluate(&SNAPSHOT, &EvalOptions { interpret_only: true, ..EvalOptions::default() });
        let (fast, rhai) = (serde_json::to_string(&fast).unwrap_or_default(), serde_json::to_string(&rhai).unwrap_or_default());
        if !rhai.contains("deadline") {
            assert_eq!(fast, rhai, "the fast path changed the report");
        }
    }
});
