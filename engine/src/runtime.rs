//! The Rhai state one evaluation carries from condition to condition.
//!
//! `Engine::eval_ast_with_scope` starts every call with an empty function-resolution cache, so each
//! condition looked up every function and getter it calls from scratch. A [`Runtime`] keeps the
//! cache (and Rhai's global state) for all the conditions of one snapshot, while the operation
//! counter — the sandbox's runaway guard — still starts at zero for each condition.
//!
//! What the cache holds depends only on the engine and the compiled scripts, never on a snapshot,
//! so each thread keeps it between evaluations of the same knowledge base (identified by a
//! process-unique id, never by address) and a replay of thousands of snapshots resolves each
//! function once per thread.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rhai::{AST, Caches, Dynamic, Engine, EvalAltResult, GlobalRuntimeState, Scope};

use crate::sandbox::DeadlineAllowance;

/// A process-unique id for a knowledge base, so cached resolutions are never shared between two.
pub(crate) fn next_kb_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

thread_local! {
    /// The last knowledge base this thread evaluated and its resolution caches.
    static CACHED: RefCell<Option<(u64, Caches)>> = const { RefCell::new(None) };
}

/// Scope, global state and caches shared by the conditions of one evaluation on one thread.
pub(crate) struct Runtime {
    pub(crate) scope: Scope<'static>,
    global: GlobalRuntimeState,
    caches: Caches,
    kb_id: u64,
    operations: u64,
    /// Conditions decided on the native fast path since the last [`take_operations`](Self::take_operations).
    pub(crate) native_decisions: u32,
    /// Whether conditions may run on the native fast path (off for `interpret_only` and tracing).
    pub(crate) fast_path: bool,
    /// The deadline allowance for the snapshot's size, for as long as the runtime lives.
    _deadlines: DeadlineAllowance,
}

impl Runtime {
    /// A runtime whose scope holds the given variables, with this thread's caches for knowledge
    /// base `kb_id` when it has them; its conditions may take one deadline per million of the
    /// snapshot's `nodes` (see [`crate::sandbox::NODES_PER_DEADLINE`]).
    pub(crate) fn new(engine: &Engine, kb_id: u64, scope: Scope<'static>, nodes: usize) -> Self {
        let caches = CACHED
            .with_borrow_mut(|cached| cached.take().filter(|(id, _)| *id == kb_id).map(|(_, caches)| caches))
            .unwrap_or_default();
        Runtime {
            scope,
            global: engine.new_global_runtime_state(),
            caches,
            kb_id,
            operations: 0,
            native_decisions: 0,
            fast_path: true,
            _deadlines: DeadlineAllowance::enter(nodes),
        }
    }

    /// Runs a compiled script: its own operation budget, the scope's variables, and any variables
    /// the script declares removed afterwards.
    pub(crate) fn run(&mut self, engine: &Engine, ast: &AST) -> Result<Dynamic, Box<EvalAltResult>> {
        let base = self.scope.len();
        self.global.num_operations = 0;
        self.global.level = 0;
        self.global.scope_level = 0;
        let lib_len = self.global.lib.len();
        self.global.lib.push(ast.shared_lib().clone());
        #[allow(deprecated)] // the only public way to evaluate with caches that outlive one call
        let result = engine.eval_statements_raw(&mut self.global, &mut self.caches, &mut self.scope, ast.statements());
        self.global.lib.truncate(lib_len);
        self.operations += self.global.num_operations;
        self.scope.rewind(base);
        result
    }
}

impl Runtime {
    /// Rhai operations counted since the last call, and whether any condition was decided on the
    /// native fast path meanwhile (what `--profile` reports per rule).
    pub(crate) fn take_operations(&mut self) -> (u64, bool) {
        (std::mem::take(&mut self.operations), std::mem::take(&mut self.native_decisions) > 0)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let caches = std::mem::take(&mut self.caches);
        CACHED.with_borrow_mut(|cached| *cached = Some((self.kb_id, caches)));
    }
}
