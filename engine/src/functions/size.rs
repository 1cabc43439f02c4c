//! Size helpers: sizes in facts are bytes.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `gib(n)` | n × 2³⁰ bytes (int or float n) | `facts.localdb.mdf_size_bytes >= gib(8)` |
//! | `mib(n)`, `kib(n)` | n × 2²⁰, n × 2¹⁰ bytes | `mib(512)` |

use rhai::{Engine, FLOAT, INT};

pub(crate) fn register(engine: &mut Engine) {
    for (name, shift) in [("gib", 30), ("mib", 20), ("kib", 10)] {
        engine.register_fn(name, move |n: INT| n.saturating_mul(1 << shift));
        engine.register_fn(name, move |n: FLOAT| (n * f64::from(1u32 << shift)) as INT);
    }
}
