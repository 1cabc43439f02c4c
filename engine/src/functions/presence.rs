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

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("has", |path: ImmutableString| {
        let relative = path.strip_prefix("facts.").unwrap_or(&path);
        context::facts().is_some_and(|tree| tree.lookup(tree.root(), relative).is_some())
    });
}
