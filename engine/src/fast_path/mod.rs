//! A native fast path for the common shapes of conditions.
//!
//! Rhai interprets a condition node by node, resolving each function and property by name and
//! hash; for short conditions over small snapshots that dispatch costs far more than the reads.
//! At load time each `applies_when`/`when` is [lowered](lower::lower) — when all of it is covered:
//! `let`, `if`/`else` (as a statement or a value), `return`, literals, property chains, comparisons
//! and arithmetic on numbers and strings, `&&`, `||`, `!`, `gib`/`mib`/`kib`, `has`, `is_null`,
//! `eq_ignore_case`, the time helpers (`hours_since`…, `parse_time`, `duration_secs`/`_hours`, the
//! very functions Rhai calls), `contains`, `starts_with`, `ends_with`, `len`, `is_empty`, and
//! `any`/`all`/`count`/`count_where` with closures (capturing or not; at most one block closure per
//! condition) — into a [`Program`] that reads the fact tree directly and gives a boolean.
//!
//! It never changes an outcome: a program answers only when Rhai would give the same boolean, and
//! gives up (`Bail`) on anything else — an absent or `null` fact, an unexpected type, an
//! overflow — so that the condition runs in Rhai, which reports it exactly. `EvalOptions::
//! interpret_only` turns the fast path off; the test suite evaluates every rule test, scenario and
//! baseline both ways and requires identical reports.

mod lower;
mod program;

pub(crate) use lower::lower;
pub(crate) use program::Program;
