//! The Rhai state one evaluation carries from condition to condition.
//!
//! `Engine::eval_ast_with_scope` starts every call with an empty function-resolution cache, so each
//! condition looked up every function and getter it calls from scratch. A [`Runtime`] keeps the
//! cache (and Rhai's global state) for all the conditions of one snapshot, while the operation
//! counter — the sandbox's runaway guard — still starts at zero for each condition.

use rhai::{AST, Caches, Dynamic, Engine, EvalAltResult, GlobalRuntimeState, Scope};

/// Scope, global state and caches shared by the conditions of one evaluation on one thread.
pub(crate) struct Runtime {
    pub(crate) scope: Scope<'static>,
    global: GlobalRuntimeState,
    caches: Caches,
}

impl Runtime {
    /// A runtime whose scope holds the given variables.
    pub(crate) fn new(engine: &Engine, scope: Scope<'static>) -> Self {
        Runtime { scope, global: engine.new_global_runtime_state(), caches: Caches::new() }
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
        self.scope.rewind(base);
        result
    }
}
