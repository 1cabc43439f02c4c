//! Text helpers. Rhai's own string methods (`contains`, `starts_with`, `ends_with`, `to_lower`,
//! `len`, `split`…) are available too.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `matches(s, re)` | whether the regex matches anywhere in `s` (regexes are compiled once and cached) | `matches(u.upn, "\\+\\d{4}@")` |
//! | `eq_ignore_case(a, b)` | case-insensitive equality | `eq_ignore_case(c.account_user, a.upn)` |
//! | `domain_of(s)` | lower-cased text after the last `@` (`""` if none) | `domain_of("Ann@Contoso.COM") == "contoso.com"` |
//! | `local_part(s)` | text before the last `@` | `local_part("ann@contoso.com") == "ann"` |

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use regex::Regex;
use rhai::{Engine, EvalAltResult, ImmutableString};

use super::helper_error;

type R<T> = Result<T, Box<EvalAltResult>>;

/// Most distinct patterns kept compiled; beyond that, new ones are compiled per call.
const CACHE_LIMIT: usize = 1024;

pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_fn("matches", |s: ImmutableString, re: ImmutableString| -> R<bool> { Ok(regex(&re)?.is_match(&s)) });
    engine.register_fn("eq_ignore_case", |a: ImmutableString, b: ImmutableString| eq_ignore_case(&a, &b));
    engine.register_fn("domain_of", |s: ImmutableString| {
        s.rsplit_once('@').map_or(String::new(), |(_, d)| d.to_lowercase())
    });
    engine.register_fn("local_part", |s: ImmutableString| {
        s.rsplit_once('@').map_or(s.to_string(), |(l, _)| l.to_string())
    });
}

/// Case-insensitive equality (full Unicode lower-casing).
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// A compiled regex from the process-wide cache.
pub fn regex(pattern: &str) -> R<Arc<Regex>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(Regex::new(pattern).map_err(|e| helper_error(format!("invalid regex {pattern:?}: {e}")))?);
    if let Ok(mut c) = cache.write()
        && c.len() < CACHE_LIMIT
    {
        c.insert(pattern.to_owned(), Arc::clone(&re));
    }
    Ok(re)
}
