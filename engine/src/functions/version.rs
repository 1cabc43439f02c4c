//! Version helpers for dotted numeric versions (`2.4.21.0`); missing parts count as `0`.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `version_cmp(a, b)` | -1, 0 or 1 | `version_cmp("2.4.18.0", "2.4.21.0") == -1` |
//! | `version_lt(a, b)`, `version_le`, `version_gt`, `version_ge` | bool | `version_lt(facts.connect.version, "1.1.443.0")` |
//! | `version_major(a)` | int | `version_major("1.6.16.0") == 1` |

use std::cmp::Ordering;

use rhai::{Engine, EvalAltResult, INT, ImmutableString};

use super::helper_error;

type R<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("version_cmp", |a: ImmutableString, b: ImmutableString| -> R<INT> {
        Ok(match compare(&a, &b)? {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })
    });
    engine.register_fn("version_lt", |a: ImmutableString, b: ImmutableString| {
        Ok::<_, Box<EvalAltResult>>(compare(&a, &b)?.is_lt())
    });
    engine.register_fn("version_le", |a: ImmutableString, b: ImmutableString| {
        Ok::<_, Box<EvalAltResult>>(compare(&a, &b)?.is_le())
    });
    engine.register_fn("version_gt", |a: ImmutableString, b: ImmutableString| {
        Ok::<_, Box<EvalAltResult>>(compare(&a, &b)?.is_gt())
    });
    engine.register_fn("version_ge", |a: ImmutableString, b: ImmutableString| {
        Ok::<_, Box<EvalAltResult>>(compare(&a, &b)?.is_ge())
    });
    engine.register_fn("version_major", |a: ImmutableString| -> R<INT> {
        Ok(parts(&a)?.first().copied().unwrap_or(0) as INT)
    });
}

/// Splits a dotted numeric version into its parts.
pub fn parts(v: &str) -> R<Vec<u64>> {
    v.trim()
        .split('.')
        .map(|p| p.parse::<u64>().map_err(|_| helper_error(format!("not a dotted numeric version: {v:?}"))))
        .collect()
}

/// Compares two dotted numeric versions.
pub fn compare(a: &str, b: &str) -> R<Ordering> {
    let (a, b) = (parts(a)?, parts(b)?);
    let n = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    Ok((0..n).map(|i| at(&a, i).cmp(&at(&b, i))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal))
}
