//! # syncdoctor-engine
//!
//! A generic rules engine: a knowledge base of YAML rules whose conditions are [Rhai] scripts,
//! evaluated against JSON (or YAML) fact snapshots into a deterministic [`Report`].
//! The engine knows nothing of any particular domain: the knowledge base and the snapshot schema
//! are data given to it.
//!
//! * Load and compile once: [`KnowledgeBase::load`] / [`KnowledgeBase::load_dir`].
//! * Evaluate many: [`KnowledgeBase::evaluate`] takes `&self`; the knowledge base is `Send + Sync`.
//! * Absent facts never count as true or false: a condition that reads one ends `inconclusive`
//!   and the finding names the missing paths.
//! * "Now" is the snapshot's `collected_at`: the same snapshot gives the same report forever.
//!
//! [Rhai]: https://rhai.rs
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::string_slice)
)]

pub mod batch;
mod condition;
mod diagnostic;
pub mod envelope;
mod error;
mod eval;
mod explain;
pub mod extension;
mod fact_path;
mod facts;
mod fast_path;
mod functions;
mod helper_examples;
pub mod impact;
mod kb;
pub mod lint;
mod locate;
pub mod manifest;
pub mod mutate;
pub mod report;
pub mod rule;
mod runtime;
mod sandbox;
mod select;
mod snapshot;
pub mod testing;
pub mod text_file;
pub mod variants;
pub mod waiver;

pub use condition::CompiledCondition;
pub use diagnostic::{Diagnostic, parse_yaml, render as render_diagnostics};
pub use error::{Error, Result, panic_message};
pub use eval::{EvalOptions, PARALLEL_NODES, Progress, RuleTiming};
pub use explain::{Explanation, Term};
pub use fact_path::{FactPath, Segment};
pub use functions::catalog;
pub use kb::{BrokenRule, CompiledRule, ENGINE_VERSION, KbSource, KnowledgeBase, LoadOptions, SourceFile};
pub use report::{Finding, Report};
pub use rule::{Outcome, Rule, Severity};
pub use sandbox::Limits;
pub use select::{Selection, SelectionError};
pub use snapshot::{Snapshot, SnapshotSchema};
pub use waiver::{Waiver, Waivers};

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn knowledge_base_is_send_and_sync() {
        assert_send_sync::<super::KnowledgeBase>();
        assert_send_sync::<super::Snapshot>();
    }
}
