//! The one factory that builds the Rhai engine every condition runs in.
//!
//! Rhai's defaults leave operations and sizes unlimited and print to stdout; this factory sets every
//! limit explicitly, removes `eval`, has no module system (the crate is built with `no_module`), no
//! wall clock (`no_time`) and silences `print`/`debug`. Nothing that touches files, the network or
//! the process is registered.

use rhai::Engine;
use serde::{Deserialize, Serialize};

use crate::facts;
use crate::functions;

/// Resource limits applied to every condition run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most operations one condition may perform (a runaway loop ends in `error`).
    pub max_operations: u64,
    /// Deepest function call nesting.
    pub max_call_levels: usize,
    /// Deepest expression nesting at top level.
    pub max_expr_depth: usize,
    /// Deepest expression nesting inside functions and closures.
    pub max_function_expr_depth: usize,
    /// Longest string a condition may build, in bytes.
    pub max_string_size: usize,
    /// Largest array a condition may build.
    pub max_array_size: usize,
    /// Largest object map a condition may build.
    pub max_map_size: usize,
    /// Most variables alive at once.
    pub max_variables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 20_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 1 << 20,
            max_array_size: 1 << 21,
            max_map_size: 1 << 16,
            max_variables: 256,
        }
    }
}

/// Builds the sandboxed engine with the fact types and helper library registered.
pub fn build_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(limits.max_variables)
        .set_max_functions(64)
        .set_strict_variables(true)
        .set_allow_shadowing(true)
        .disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    facts::api::register(&mut engine);
    functions::register(&mut engine);
    engine
}
