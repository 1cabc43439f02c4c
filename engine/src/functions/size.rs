//! Size helpers: sizes in facts are bytes.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `gib(n)` | n × 2³⁰ bytes (int or float n) | `facts.localdb.mdf_size_bytes >= gib(8)` |
//! | `mib(n)`, `kib(n)` | n × 2²⁰, n × 2¹⁰ bytes | `mib(512)` |

use rhai::{Engine, FLOAT, INT};

/// The helpers and their power of two: `gib` is 2^30 bytes.
pub(crate) const UNITS: [(&str, u32); 3] = [("gib", 30), ("mib", 20), ("kib", 10)];

pub(crate) fn register(engine: &mut Engine) {
    for (name, shift) in UNITS {
        engine.register_fn(name, move |n: INT| scaled(n, shift));
        engine.register_fn(name, move |n: FLOAT| scaled_float(n, shift));
    }
}

/// `n` × 2^`shift` bytes, saturating.
pub(crate) fn scaled(n: INT, shift: u32) -> INT {
    n.saturating_mul(1 << shift)
}

/// `n` × 2^`shift` bytes for a fractional `n`, truncated to whole bytes.
pub(crate) fn scaled_float(n: FLOAT, shift: u32) -> INT {
    (n * f64::from(1u32 << shift)) as INT
}
