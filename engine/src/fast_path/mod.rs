//! A native fast path for the common shapes of conditions.
//!
//! Rhai interprets a condition node by node, resolving each function and property by name and
//! hash; for short conditions over small snapshots that dispatch costs far more than the reads.
//! At load time each `applies_when`/`when` is [lowered](lower::lower) — `let`, `if`/`else`,
//! `return`, `for` with `break`/`continue`, assignments, array and map literals, indexing, literals,
//! property chains, comparisons and arithmetic, `&&`/`||`/`!`/`in`, string `+`, `to_lower`/
//! `to_upper`, `push`, `keys`, closures over `filter`/`map`/`find`/`any`/`all`/`count`/`count_where`,
//! the condition's own `fn`s, and the size, presence and time helpers — into a [`Program`] that reads
//! the fact tree directly and builds its own strings, lists and maps. Other catalogue helpers are
//! called through Rhai with the program's values; a construct it does not mirror (string
//! interpolation) is lowered as "hand over to Rhai" where it runs only on some snapshots, and stops
//! the lowering where it would run every time.
//!
//! It never changes an outcome: a program answers only when Rhai would give the same boolean, and
//! gives up (`Bail`) on anything else — an absent or `null` fact, an unexpected type, an
//! overflow — so that the condition runs in Rhai, which reports it exactly. `EvalOptions::
//! interpret_only` turns the fast path off; the test suite evaluates every rule test, scenario and
//! baseline both ways and requires identical reports.

mod lower;
mod program;
mod run;

pub(crate) use lower::lower;
pub(crate) use program::Program;
pub(crate) use run::{Context, Decision};
