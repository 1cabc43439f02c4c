//! A rule file beside a fixed manifest and catalog: the loader returns a knowledge base or
//! located problems, never a panic, in both tiers (strict, and lenient, which leaves a broken rule
//! file out and reports it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(rule) = std::str::from_utf8(data) else { return };
    let source = KbSource::from_files(
        "<fuzz>",
        [
            ("kb.yaml", "name: f\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
            ("catalog.yaml", "entries: [{slug: c}]\n"),
            ("a/rule.yaml", rule),
        ],
    );
    let _ = KnowledgeBase::load(source.clone(), LoadOptions::default());
    if let Ok(kb) = KnowledgeBase::load(source, LoadOptions { lenient: true, ..LoadOptions::default() }) {
        // A rule left out is reported with at least one located problem.
        assert!(kb.broken_rules().iter().all(|b| !b.problems.is_empty()));
    }
});
