//! Running the examples of helper catalogues (the engine's own and those of extensions): each must
//! be `true` on the catalogue's example facts, in the sandbox.

use std::collections::BTreeSet;
use std::sync::Arc;

use rhai::{Dynamic, Scope};

use crate::extension::{Helper, Helpers};
use crate::facts::context::SnapshotScope;
use crate::facts::handle::Fact;
use crate::facts::tree::FactTree;
use crate::functions::catalog::{EXAMPLE_FACTS, EXAMPLE_NOW};
use crate::sandbox::{Limits, build_engine};

impl Helpers {
    /// The examples of the catalogue that are not `true` on [`EXAMPLE_FACTS`] at [`EXAMPLE_NOW`]
    /// with these helpers (and the engine's own) registered, each with what it gave; empty when
    /// every one is. A vocabulary's test calls it.
    pub fn failing_examples(&self) -> Vec<String> {
        failing_examples(self.catalogue, std::slice::from_ref(self))
    }
}

/// The examples of `catalogue` that are not `true` on [`EXAMPLE_FACTS`] at [`EXAMPLE_NOW`], in the
/// sandbox with the engine's helpers and `helpers` registered, each with what it gave (or that it
/// does not call its helper).
pub(crate) fn failing_examples(catalogue: &[Helper], helpers: &[Helpers]) -> Vec<String> {
    let Ok(facts) = serde_json::from_str::<serde_json::Value>(EXAMPLE_FACTS) else {
        return vec!["the example facts are not JSON".into()];
    };
    let Ok(now) = EXAMPLE_NOW.parse::<jiff::Timestamp>() else { return vec!["EXAMPLE_NOW is not a timestamp".into()] };
    let tree = Arc::new(FactTree::from_value(&facts, "facts"));
    let _installed = SnapshotScope::enter(Arc::clone(&tree), now, false);
    let mut engine = build_engine(&Limits::default(), helpers);
    // Property names the examples read (`.upn`), as the loader registers those of its rules.
    let mut properties = BTreeSet::new();
    for helper in catalogue {
        let text = helper.example;
        for (at, _) in text.match_indices('.') {
            let rest = text.get(at + 1..).unwrap_or_default();
            let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && !rest.get(name.len()..).unwrap_or_default().starts_with('(') {
                properties.insert(name);
            }
        }
    }
    crate::facts::api::register_properties(&mut engine, properties.iter().map(String::as_str));
    let mut failures = Vec::new();
    for helper in catalogue {
        let mut scope = Scope::new();
        scope.push("facts", Fact::root(Arc::clone(&tree)));
        match engine.eval_with_scope::<Dynamic>(&mut scope, helper.example) {
            _ if !helper.example.contains(helper.name) => {
                failures.push(format!("{}: the example `{}` does not call it", helper.name, helper.example));
            }
            Ok(v) if v.as_bool() == Ok(true) => {}
            Ok(v) => failures.push(format!("{}: `{}` gave {v:?}", helper.name, helper.example)),
            Err(e) => failures.push(format!("{}: `{}` failed: {e}", helper.name, helper.example)),
        }
    }
    failures
}
