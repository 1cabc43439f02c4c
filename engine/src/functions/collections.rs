//! Collection helpers that run natively over fact lists (and plain arrays), so per-object rules over
//! large directories stay fast. Fact lists also have `len`, `is_empty`, `contains`, `filter`, `map`,
//! `any`, `all`, `count`, `find`, indexing and `for` loops.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `duplicates(list, field)` | the items whose `field` (a string, or each string of a list field) equals, ignoring case, that of another item; blanks ignored | `duplicates(facts.ad.users, "upn")` |
//! | `count_where(list, \|x\| …)` | how many items satisfy the predicate | `count_where(facts.connect.runs, \|r\| r.result != "success")` |
//! | `sum(list, field)` | sum of a numeric field (absent/null count as 0) | `sum(facts.ad.groups, "member_count")` |

use std::collections::HashMap;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, INT, ImmutableString, NativeCallContext};

use crate::facts::handle::Fact;
use crate::facts::tree::Node;

type R<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("duplicates", |list: &mut Fact, field: ImmutableString| -> Array {
        let items: Vec<Dynamic> = list.elements().collect();
        duplicates(&items, &field)
    });
    engine.register_fn("duplicates", |list: &mut Array, field: ImmutableString| -> Array { duplicates(list, &field) });
    engine.register_fn("count_where", |cx: NativeCallContext, list: &mut Fact, p: FnPtr| -> R<INT> {
        count(&cx, list.elements(), &p)
    });
    engine.register_fn("count_where", |cx: NativeCallContext, list: &mut Array, p: FnPtr| -> R<INT> {
        count(&cx, list.iter().cloned(), &p)
    });
    engine.register_fn("sum", |list: &mut Fact, field: ImmutableString| -> Dynamic {
        let items: Vec<Dynamic> = list.elements().collect();
        sum(&items, &field)
    });
    engine.register_fn("sum", |list: &mut Array, field: ImmutableString| -> Dynamic { sum(list, &field) });
}

fn count(cx: &NativeCallContext, items: impl Iterator<Item = Dynamic>, p: &FnPtr) -> R<INT> {
    let mut n = 0;
    for item in items {
        if p.call_within_context::<bool>(cx, (item,))? {
            n += 1;
        }
    }
    Ok(n)
}

/// The string values of `field` on one item: one for a string field, each string of a list field.
fn field_strings(item: &Dynamic, field: &str) -> Vec<String> {
    if let Some(fact) = item.read_lock::<Fact>() {
        let Some(id) = fact.tree.get(fact.id, field) else {
            return Vec::new();
        };
        return match fact.tree.node(id) {
            Node::Str(s) => vec![fact.tree.text(*s).to_lowercase()],
            Node::List { .. } => {
                fact.tree.items(id).iter().filter_map(|c| fact.tree.str(*c).map(str::to_lowercase)).collect()
            }
            _ => Vec::new(),
        };
    }
    let Some(map) = item.read_lock::<rhai::Map>() else {
        return Vec::new();
    };
    let Some(value) = map.get(field) else {
        return Vec::new();
    };
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return vec![s.to_lowercase()];
    }
    value.read_lock::<Array>().map_or_else(Vec::new, |a| {
        a.iter().filter_map(|v| v.read_lock::<ImmutableString>().map(|s| s.to_lowercase())).collect()
    })
}

/// Items that share a (case-insensitive, non-blank) value of `field` with another item, in order.
pub fn duplicates(items: &[Dynamic], field: &str) -> Array {
    let mut first_owner: HashMap<String, usize> = HashMap::new();
    let mut flagged = vec![false; items.len()];
    for (index, item) in items.iter().enumerate() {
        let mut values = field_strings(item, field);
        values.sort_unstable();
        values.dedup();
        for value in values.into_iter().filter(|v| !v.trim().is_empty()) {
            match first_owner.get(&value) {
                Some(&owner) => {
                    if let Some(f) = flagged.get_mut(owner) {
                        *f = true;
                    }
                    if let Some(f) = flagged.get_mut(index) {
                        *f = true;
                    }
                }
                None => {
                    first_owner.insert(value, index);
                }
            }
        }
    }
    items.iter().zip(flagged).filter(|(_, f)| *f).map(|(item, _)| item.clone()).collect()
}

fn sum(items: &[Dynamic], field: &str) -> Dynamic {
    let (mut ints, mut floats, mut any_float) = (0 as INT, 0.0_f64, false);
    for item in items {
        let value = match item.read_lock::<Fact>() {
            Some(fact) => fact.tree.get(fact.id, field).map(|id| fact.tree.node(id).clone()),
            None => None,
        };
        match value {
            Some(Node::Int(i)) => ints = ints.saturating_add(i),
            Some(Node::Float(f)) => {
                floats += f;
                any_float = true;
            }
            _ => {
                if let Some(map) = item.read_lock::<rhai::Map>()
                    && let Some(v) = map.get(field)
                {
                    if let Ok(i) = v.as_int() {
                        ints = ints.saturating_add(i);
                    } else if let Ok(f) = v.as_float() {
                        floats += f;
                        any_float = true;
                    }
                }
            }
        }
    }
    if any_float { Dynamic::from_float(floats + ints as f64) } else { Dynamic::from_int(ints) }
}
