//! The one factory that builds the Rhai engine every condition runs in.
//!
//! Rhai's defaults leave operations and sizes unlimited and print to stdout; this factory sets every
//! limit explicitly, removes `eval`, has no module system (the crate is built with `no_module`), no
//! wall clock for scripts (`no_time`) and silences `print`/`debug`. Nothing that touches files, the
//! network or the process is registered.
//!
//! Three guards sit on top of Rhai's own limits, because Rhai counts a native call (`split`, `sort`,
//! `contains`, …) as one operation whatever its work, and because values nested thousands deep make
//! Rhai's recursive equality, formatting and size checks overflow the stack:
//!
//! - a **deadline** per condition: Rhai's progress callback reads a monotonic clock every few
//!   operations, so a rule stops within one native call of its [`Limits::deadline_ms`] (granted
//!   once per [`NODES_PER_DEADLINE`] fact nodes: linear work on a large directory is not a runaway);
//! - a **nesting depth** for arrays and maps: every variable read checks how deep the value is
//!   nested (iteratively, so the check itself cannot overflow), so no value deeper than
//!   [`Limits::max_data_depth`] + 1 ever exists;
//! - **bounds on the limits themselves** ([`Limits::problems`]), checked when a knowledge base is
//!   loaded, so `max_operations: 0` cannot turn the guard off and `max_call_levels` cannot be set
//!   beyond what the stack holds.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine, EvalAltResult, Position};
use serde::{Deserialize, Serialize};

use crate::facts;
use crate::functions;

/// Resource limits applied to every condition run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most operations one condition may perform (a runaway loop ends in `error`).
    #[schemars(range(min = 1_000, max = 1_000_000_000))]
    pub max_operations: u64,
    /// Longest one condition may run, in milliseconds of wall time (work inside native helpers
    /// included), before it ends in `error`; granted once per million fact nodes of the snapshot
    /// (at least once), so a scan of a large directory is not taken for a runaway.
    #[schemars(range(min = 10, max = 10_000))]
    pub deadline_ms: u64,
    /// Deepest function call nesting.
    #[schemars(range(min = 1, max = 64))]
    pub max_call_levels: usize,
    /// Deepest expression nesting at top level.
    #[schemars(range(min = 8, max = 128))]
    pub max_expr_depth: usize,
    /// Deepest expression nesting inside functions and closures.
    #[schemars(range(min = 8, max = 128))]
    pub max_function_expr_depth: usize,
    /// Deepest nesting of arrays and maps inside one value a condition builds.
    #[schemars(range(min = 2, max = 256))]
    pub max_data_depth: usize,
    /// Longest string a condition may build, in bytes.
    #[schemars(range(min = 1_024, max = 67_108_864))]
    pub max_string_size: usize,
    /// Largest array a condition may build.
    #[schemars(range(min = 1_024, max = 16_777_216))]
    pub max_array_size: usize,
    /// Largest object map a condition may build.
    #[schemars(range(min = 16, max = 1_048_576))]
    pub max_map_size: usize,
    /// Most variables alive at once.
    #[schemars(range(min = 16, max = 4_096))]
    pub max_variables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 20_000_000,
            deadline_ms: 1_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_data_depth: 64,
            max_string_size: 1 << 20,
            max_array_size: 1 << 21,
            max_map_size: 1 << 16,
            max_variables: 256,
        }
    }
}

/// The bounds each limit must lie within: (field, lowest, highest). The lowest keeps every guard
/// on (0 would mean "unlimited" to Rhai); the highest keeps a condition far below the stack and
/// memory of any thread the engine runs on.
const BOUNDS: [(&str, u64, u64); 10] = [
    ("max_operations", 1_000, 1_000_000_000),
    ("deadline_ms", 10, 10_000),
    ("max_call_levels", 1, 64),
    ("max_expr_depth", 8, 128),
    ("max_function_expr_depth", 8, 128),
    ("max_data_depth", 2, 256),
    ("max_string_size", 1_024, 64 << 20),
    ("max_array_size", 1_024, 16 << 20),
    ("max_map_size", 16, 1 << 20),
    ("max_variables", 16, 4_096),
];

impl Limits {
    /// Each limit as (field, value), in the order of [`BOUNDS`].
    fn values(&self) -> [(&'static str, u64); 10] {
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        [
            ("max_operations", self.max_operations),
            ("deadline_ms", self.deadline_ms),
            ("max_call_levels", n(self.max_call_levels)),
            ("max_expr_depth", n(self.max_expr_depth)),
            ("max_function_expr_depth", n(self.max_function_expr_depth)),
            ("max_data_depth", n(self.max_data_depth)),
            ("max_string_size", n(self.max_string_size)),
            ("max_array_size", n(self.max_array_size)),
            ("max_map_size", n(self.max_map_size)),
            ("max_variables", n(self.max_variables)),
        ]
    }

    /// Every limit outside its bounds, as (field, message). Empty when all are usable.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        self.values()
            .into_iter()
            .zip(BOUNDS)
            .filter(|((_, value), (_, low, high))| value < low || value > high)
            .map(|((field, value), (_, low, high))| {
                (field, format!("`limits.{field}` is {value}; it must be between {low} and {high}"))
            })
            .collect()
    }

    /// The deadline as a duration.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }
}

/// What a condition stopped by the deadline ends with (the value of Rhai's `ErrorTerminated`).
pub(crate) const DEADLINE_MARK: &str = "syncdoctor: deadline";

/// How many operations pass between two readings of the clock (every 4 cost replay about 5 % of
/// its time in `clock_gettime`; 16 still stops a runaway within a few native calls).
const CLOCK_EVERY: u64 = 16;

/// Fact nodes per deadline: a condition may run the deadline once for every million nodes of the
/// snapshot it reads (at least once), because a scan over a large directory is linear work, not a
/// runaway. A 200,000-user directory (about 4.4 million nodes) allows 5 deadlines; the bundled
/// baselines (a few thousand nodes) one.
pub const NODES_PER_DEADLINE: usize = 1_000_000;

thread_local! {
    /// When the condition running on this thread performed its first operation.
    static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
    /// How many deadlines the conditions running on this thread may take (see [`NODES_PER_DEADLINE`]).
    static DEADLINES: Cell<u32> = const { Cell::new(1) };
}

/// While alive, the conditions run on this thread may take one deadline per [`NODES_PER_DEADLINE`]
/// fact nodes of the snapshot they read; the previous allowance comes back when it is dropped.
pub(crate) struct DeadlineAllowance {
    previous: u32,
}

impl DeadlineAllowance {
    /// The allowance for a snapshot whose fact tree has `nodes` nodes.
    pub(crate) fn enter(nodes: usize) -> Self {
        let allowed = u32::try_from(nodes / NODES_PER_DEADLINE + 1).unwrap_or(u32::MAX);
        DeadlineAllowance { previous: DEADLINES.replace(allowed) }
    }

    /// How many deadlines a condition on this thread may take now.
    pub(crate) fn current() -> u32 {
        DEADLINES.get()
    }
}

impl Drop for DeadlineAllowance {
    fn drop(&mut self) {
        DEADLINES.set(self.previous);
    }
}

/// Builds the sandboxed engine with the fact types, the helper library and the helpers of
/// `extensions` registered.
pub fn build_engine(limits: &Limits, extensions: &[crate::extension::Helpers]) -> Engine {
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
        // No string interner: with Rhai's `sync` feature it is one lock for the whole engine, and
        // a thread that finds it taken sleeps 10 ms (`locked_write`). Built-ins take it at run time
        // (`contains` on arrays, empty-string results), so with it two replay workers took turns
        // instead of running side by side (issue 13: `-j 2` was no faster than `-j 1`).
        .set_max_strings_interned(0)
        .disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    // Every evaluation starts its operation count at zero, so operation 1 starts the clock: this
    // covers every way a condition is run (rules, rule tests, explain) without each of them having
    // to remember to.
    let deadline = limits.deadline();
    engine.on_progress(move |operations| {
        if operations <= 1 {
            STARTED.set(Some(Instant::now()));
            None
        } else if operations % CLOCK_EVERY == 0
            && STARTED.get().is_some_and(|t| t.elapsed() > deadline * DEADLINES.get())
        {
            Some(Dynamic::from(DEADLINE_MARK))
        } else {
            None
        }
    });
    let max_depth = limits.max_data_depth;
    // `on_var` is marked volatile (not deprecated) by Rhai; it is the only hook on variable reads.
    #[allow(deprecated)]
    engine.on_var(move |name, _index, context| {
        if let Some(value) = context.scope().get(name)
            && nesting_exceeds(value, max_depth)
        {
            return Err(Box::new(EvalAltResult::ErrorDataTooLarge(
                format!("nesting of `{}` (arrays or maps more than {max_depth} deep)", short(name, 40)),
                Position::NONE,
            )));
        }
        Ok(None)
    });
    facts::api::register(&mut engine);
    let conversions = extensions.iter().flat_map(|e| e.conversions.iter().copied()).collect();
    functions::register(&mut engine, std::sync::Arc::new(conversions));
    for extension in extensions {
        (extension.register)(&mut engine);
    }
    engine
}

/// Whether arrays and maps nest deeper than `limit` in `value`. The walk stops at the first level
/// beyond the limit, so its recursion is bounded by the limit, whatever the value.
pub(crate) fn nesting_exceeds(value: &Dynamic, limit: usize) -> bool {
    fn deeper(value: &Dynamic, depth: usize, limit: usize) -> bool {
        if !(value.is_array() || value.is_map() || value.is_shared()) {
            return false;
        }
        if depth > limit {
            return true;
        }
        if let Some(array) = value.read_lock::<rhai::Array>() {
            array.iter().any(|v| deeper(v, depth + 1, limit))
        } else if let Some(map) = value.read_lock::<rhai::Map>() {
            map.values().any(|v| deeper(v, depth + 1, limit))
        } else {
            false
        }
    }
    deeper(value, 1, limit)
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn short(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_owned(),
    }
}
