//! The fast path's evaluator.
//!
//! Values are read in place from the fact trees and never copied; strings, lists and maps a
//! condition builds (`to_lower`, `[]`, `#{}`, `filter`, `push`…) live in the evaluation's own
//! tables. The evaluator only ever answers what Rhai would answer: whenever a value is absent,
//! `null`, of a type an operator does not expect, an arithmetic result would overflow, a limit of
//! the sandbox would be reached, or the condition would return affected items, it gives up
//! ([`Bail`]) and the condition runs in Rhai instead, which then produces the exact outcome
//! (`inconclusive` with the missing paths, an error message, the items…). Conditions are pure, so
//! running one again is safe.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::program::Program;
use crate::facts::tree::{FactTree, Node, NodeId};
use crate::sandbox::Limits;

mod calls;
mod operators;
mod statements;
mod values;

/// The fast path cannot decide this one: run the condition in Rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

/// What a program runs with: the trees (as Rhai sees them, for the helpers it hands values to),
/// the engine and the condition's AST those helpers are called through, and the sandbox's limits.
pub(crate) struct Context<'a> {
    /// The snapshot's facts (`facts`).
    pub(crate) facts: &'a Arc<FactTree>,
    /// The knowledge base's reference data (`data`).
    pub(crate) data: &'a Arc<FactTree>,
    /// The engine the helpers are registered in.
    pub(crate) engine: &'a rhai::Engine,
    /// The condition's AST.
    pub(crate) ast: &'a rhai::AST,
    /// The sandbox's limits.
    pub(crate) limits: &'a Limits,
}

/// What a program decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The condition gave this boolean.
    Bool(bool),
    /// The condition gave an empty list: no affected items (a `when` passes).
    NoItems,
    /// The condition gave a list of affected items: how many, and the first
    /// [`MAX_AFFECTED_ITEMS`](crate::report::MAX_AFFECTED_ITEMS) as a report shows them.
    Items(usize, Vec<serde_json::Value>),
}

/// Why evaluation stopped early: the fast path gives up, a `return` carries the result, or a
/// loop is left (`break`) or goes on with its next item (`continue`).
#[derive(Debug, Clone, Copy)]
enum Stop<'a> {
    Bail,
    Return(V<'a>),
    Break,
    Continue,
}

use Stop::Bail as BAIL;

type Out<'a> = Result<V<'a>, Stop<'a>>;

/// A value: a leaf read in place, a container node of one of the trees, or a string, list or
/// map the condition built (an index into [`Env`]'s tables).
#[derive(Debug, Clone, Copy)]
enum V<'a> {
    Unit,
    /// A fact that is present but `null`: only `is_null` may look at it.
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Node(&'a FactTree, NodeId),
    Text(usize),
    List(usize),
    Map(usize),
}

/// The items a loop or closure goes over.
enum Items<'a> {
    /// A fact list's elements, read as they are reached (`any` may stop at the first).
    Facts(&'a FactTree, &'a [NodeId]),
    /// A copy of a built list.
    Built(Vec<V<'a>>),
}

/// What the evaluation reads from and builds: the program, the trees, the variables in scope,
/// the values it made, and the operations it has left.
struct Env<'a> {
    program: &'a Program,
    cx: &'a Context<'a>,
    /// Fact trees that helpers built (`distinct_values`…), kept for the evaluation, and the
    /// references to them.
    arena: &'a std::cell::OnceCell<typed_arena::Arena<Arc<FactTree>>>,
    built: Vec<&'a Arc<FactTree>>,
    facts: &'a FactTree,
    limits: &'a Limits,
    vars: Vec<(&'a str, V<'a>)>,
    texts: Vec<Box<str>>,
    lists: Vec<Vec<V<'a>>>,
    maps: Vec<BTreeMap<Box<str>, V<'a>>>,
    operations: u64,
    /// Calls of the condition's own functions and closures in progress.
    depth: usize,
}

impl Program {
    /// Evaluates the condition against the context's `facts` and `data`, within the sandbox's
    /// limits: `Ok` only for a result that Rhai would give too.
    pub(crate) fn run<'a>(&'a self, cx: &'a Context<'a>) -> Result<Decision, Bail> {
        let (facts, data): (&FactTree, &FactTree) = (cx.facts, cx.data);
        // Made when a helper first returns a tree of its own (most runs never need it).
        let arena = std::cell::OnceCell::new();
        let mut env = Env {
            program: self,
            cx,
            arena: &arena,
            built: Vec::new(),
            facts,
            limits: cx.limits,
            vars: vec![("facts", V::Node(facts, facts.root())), ("data", V::Node(data, data.root()))],
            texts: Vec::new(),
            lists: Vec::new(),
            maps: Vec::new(),
            operations: 0,
            depth: 0,
        };
        let (Ok(result) | Err(Stop::Return(result))) = env.block(&self.stmts) else { return Err(Bail) };
        let max = crate::report::MAX_AFFECTED_ITEMS;
        match result {
            V::Bool(b) => Ok(Decision::Bool(b)),
            V::List(i) if env.lists.get(i).is_some_and(Vec::is_empty) => Ok(Decision::NoItems),
            V::Node(tree, id) if matches!(tree.node(id), Node::List { len: 0, .. }) => Ok(Decision::NoItems),
            V::List(i) => {
                let items = env.lists.get(i).ok_or(Bail)?;
                let shown = items.iter().take(max).map(|v| env.to_json(*v)).collect::<Option<Vec<_>>>().ok_or(Bail)?;
                Ok(Decision::Items(items.len(), shown))
            }
            V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => {
                let items = tree.items(id);
                Ok(Decision::Items(items.len(), items.iter().take(max).map(|c| tree.to_value(*c)).collect()))
            }
            _ => Err(Bail),
        }
    }
}

impl<'a> Env<'a> {
    /// Counts one operation; past the sandbox's limit Rhai would stop the condition, so the fast
    /// path leaves it to Rhai.
    pub(super) fn tick(&mut self) -> Result<(), Stop<'a>> {
        self.operations += 1;
        if self.operations > self.limits.max_operations { Err(BAIL) } else { Ok(()) }
    }
}
