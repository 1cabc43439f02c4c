//! Presence helpers: test on purpose whether a fact was gathered, instead of letting the rule end
//! `inconclusive`.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `has(path)` | whether the fact at a dotted path (relative to `facts`, `[n]` for elements) was gathered — `true` also when it is `null` | `has("ad.accounts.sync_service") && facts.ad.accounts.sync_service.exists` |
//! | `is_null(x)` | whether a value is a gathered-but-unknown fact (or `()`) | `is_null(facts.entra.tenant.on_premises_last_sync)` |
//! | `fact.contains(key)` | on an object fact: whether it has the key | `facts.services.contains("adsync")` |

use rhai::{Engine, ImmutableString};

use crate::facts::context;
use crate::facts::tree::FactTree;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("has", |path: ImmutableString| context::facts().is_some_and(|tree| has(&tree, &path)));
}

/// Whether the facts hold `path` (`a.b[0].c`, with or without a leading `facts.`).
pub(crate) fn has(facts: &FactTree, path: &str) -> bool {
    let relative = path.strip_prefix("facts.").unwrap_or(path);
    facts.lookup(facts.root(), relative).is_some()
}
