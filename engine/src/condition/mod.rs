//! One compiled-condition pipeline: a rule's `applies_when`, `when` and `message` are compiled once
//! into a [`CompiledCondition`] that carries Rhai's AST, every fact path it reads (found on the AST,
//! following `let` bindings, loops, closure parameters and script functions — see [`analysis`]), the
//! property names it accesses (each gets a getter) and, where it is covered, the native fast-path
//! program. Lint, the rule docs' "what it reads", `explain`, the fast path and getter registration
//! all take what they need from it instead of re-reading the condition's text.

pub mod analysis;

use std::collections::BTreeSet;

use rhai::AST;

pub use analysis::{Read, Root};

/// A condition compiled once, with what the analysis of its AST found.
#[derive(Debug)]
pub struct CompiledCondition {
    pub(crate) ast: AST,
    pub(crate) fast: Option<crate::fast_path::Program>,
    reads: Vec<Read>,
    properties: BTreeSet<String>,
}

impl CompiledCondition {
    /// Analyses a compiled AST. `fast` asks for the native fast path (conditions, not messages),
    /// which may call the engine's helpers and those of these extensions.
    /// `column_shift` is subtracted from the columns of reads on the first line (a message template
    /// is compiled wrapped in a back-quote).
    pub(crate) fn new(ast: AST, fast: Option<&[crate::extension::Helpers]>, column_shift: usize) -> Self {
        let mut reads = analysis::reads(&ast);
        for r in &mut reads {
            if r.line == 1 {
                r.column = r.column.saturating_sub(column_shift);
            }
        }
        let properties = analysis::properties(&ast);
        let fast = fast.and_then(|extensions| crate::fast_path::lower(&ast, extensions));
        CompiledCondition { ast, fast, reads, properties }
    }

    /// Every fact and data path the condition reads, with its position in the condition's text.
    pub(crate) fn reads(&self) -> &[Read] {
        &self.reads
    }

    /// The fact paths (relative to `facts`) the condition reads, leaving out those that are only the
    /// way to a longer one (`ad.accounts.x` when `ad.accounts.x.exists` is read too).
    pub fn fact_paths(&self) -> BTreeSet<String> {
        let facts: Vec<&Read> = self.reads.iter().filter(|r| r.root == Root::Facts && !r.path.is_root()).collect();
        facts
            .iter()
            .filter(|r| !facts.iter().any(|o| o.path != r.path && r.path.is_prefix_of(&o.path)))
            .map(|r| r.path.to_string())
            .collect()
    }

    /// Every property name the condition accesses.
    pub fn properties(&self) -> &BTreeSet<String> {
        &self.properties
    }

    /// A copy that runs in Rhai only (no fast-path program), e.g. beside a mutated condition.
    pub(crate) fn interpreted_copy(&self) -> Self {
        CompiledCondition {
            ast: self.ast.clone(),
            fast: None,
            reads: self.reads.clone(),
            properties: self.properties.clone(),
        }
    }

    /// Whether the condition has a native fast path.
    pub fn has_fast_path(&self) -> bool {
        self.fast.is_some()
    }
}
