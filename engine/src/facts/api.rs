//! Registers [`Fact`] and [`NullFact`] with Rhai: property and index access that reads only what
//! it touches, array methods that run over the tree without copying it, and null semantics.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, INT, ImmutableString, NativeCallContext, Position};

use super::handle::{Fact, NullFact};
use super::tree::{FactTree, Node, NodeId};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// Registers the fact types and their methods.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Fact>("fact");
    engine.register_type_with_name::<NullFact>("null");
    engine.register_iterator::<Fact>();

    // `x.key` falls back to the string indexer; `x["key"]`, `x[0]` and `x[-1]` use the indexers.
    engine.register_indexer_get(|f: &mut Fact, key: ImmutableString| -> RhaiResult<Dynamic> { f.child(&key) });
    engine.register_indexer_get(|f: &mut Fact, index: INT| -> RhaiResult<Dynamic> { f.element(index) });

    engine.register_fn("len", |f: &mut Fact| -> INT { fact_len(f) });
    engine.register_fn("is_empty", |f: &mut Fact| fact_len(f) == 0);
    engine.register_fn("contains", |f: &mut Fact, value: Dynamic| fact_contains(f, &value));
    engine.register_fn("keys", |f: &mut Fact| -> Array {
        f.tree.entries(f.id).iter().map(|(k, _)| Dynamic::from(k.clone())).collect()
    });
    engine.register_fn("to_array", |f: &mut Fact| -> Array { f.elements().collect() });
    engine.register_fn("to_string", |f: &mut Fact| f.to_value().to_string());
    engine.register_fn("to_debug", |f: &mut Fact| f.to_value().to_string());

    engine.register_fn("filter", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<Array> {
        let mut out = Array::new();
        for item in f.elements() {
            if predicate(&cx, &p, &item)? {
                out.push(item);
            }
        }
        Ok(out)
    });
    engine.register_fn("map", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<Array> {
        f.elements().map(|item| p.call_within_context::<Dynamic>(&cx, (item,))).collect()
    });
    engine.register_fn("any", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<bool> {
        for item in f.elements() {
            if predicate(&cx, &p, &item)? {
                return Ok(true);
            }
        }
        Ok(false)
    });
    engine.register_fn("all", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<bool> {
        for item in f.elements() {
            if !predicate(&cx, &p, &item)? {
                return Ok(false);
            }
        }
        Ok(true)
    });
    engine.register_fn("count", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<INT> {
        let mut n = 0;
        for item in f.elements() {
            if predicate(&cx, &p, &item)? {
                n += 1;
            }
        }
        Ok(n)
    });
    engine.register_fn("find", |cx: NativeCallContext, f: &mut Fact, p: FnPtr| -> RhaiResult<Dynamic> {
        for item in f.elements() {
            if predicate(&cx, &p, &item)? {
                return Ok(item);
            }
        }
        Ok(Dynamic::UNIT)
    });
    // The same vocabulary on plain arrays, so a filtered list reads like a fact list.
    engine.register_fn("any", |cx: NativeCallContext, a: &mut Array, p: FnPtr| -> RhaiResult<bool> {
        for item in a.iter() {
            if predicate(&cx, &p, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    });
    engine.register_fn("count", |cx: NativeCallContext, a: &mut Array, p: FnPtr| -> RhaiResult<INT> {
        let mut n = 0;
        for item in a.iter() {
            if predicate(&cx, &p, item)? {
                n += 1;
            }
        }
        Ok(n)
    });

    register_null(engine);
}

/// Registers a property getter on [`Fact`] for each name, so `x.name` is one function call. Without
/// one, Rhai first looks for a getter, builds a "property not found" error, and only then falls back
/// to the string indexer — the same result, several times slower. Names without a getter still work.
pub(crate) fn register_properties<'a>(engine: &mut Engine, names: impl IntoIterator<Item = &'a str>) {
    for name in names {
        let key = ImmutableString::from(name);
        engine.register_get(name, move |f: &mut Fact| -> RhaiResult<Dynamic> { f.child(&key) });
    }
}

/// A predicate's result must be a boolean; anything else is an error in the rule.
fn predicate(cx: &NativeCallContext, p: &FnPtr, item: &Dynamic) -> RhaiResult<bool> {
    let result = p.call_within_context::<Dynamic>(cx, (item.clone(),))?;
    result
        .as_bool()
        .map_err(|t| Box::new(EvalAltResult::ErrorMismatchDataType("bool".into(), t.into(), Position::NONE)))
}

fn fact_len(f: &Fact) -> INT {
    match f.tree.node(f.id) {
        Node::List { len, .. } | Node::Map { len, .. } => INT::from(*len),
        _ => 0,
    }
}

/// Lists: whether an element equals `value`. Objects: whether `value` is one of the keys.
fn fact_contains(f: &Fact, value: &Dynamic) -> bool {
    if !f.is_list() {
        return value.read_lock::<ImmutableString>().is_some_and(|k| f.tree.get(f.id, &k).is_some());
    }
    f.tree.items(f.id).iter().any(|id| leaf_equals(&f.tree, *id, value))
}

/// Whether a leaf node equals a plain Rhai value (same type and value).
pub(crate) fn leaf_equals(tree: &FactTree, id: NodeId, value: &Dynamic) -> bool {
    match tree.node(id) {
        Node::Str(s) => value.read_lock::<ImmutableString>().is_some_and(|v| v.as_str() == tree.text(*s)),
        Node::Int(i) => value.as_int().is_ok_and(|v| v == *i),
        Node::Float(x) => value.as_float().is_ok_and(|v| v == *x),
        Node::Bool(b) => value.as_bool().is_ok_and(|v| v == *b),
        Node::Null | Node::List { .. } | Node::Map { .. } => false,
    }
}

/// A null fact equals `()` and nothing else; ordering it, or comparing it with a value, is refused
/// (the rule becomes `inconclusive`) so that "unknown" never silently counts as "different".
fn register_null(engine: &mut Engine) {
    engine.register_fn("is_null", |_: &mut NullFact| true);
    engine.register_fn("is_null", |v: Dynamic| v.is_unit() || v.is::<NullFact>());
    engine.register_fn("to_string", |_: &mut NullFact| "null".to_string());
    engine.register_fn("to_debug", |_: &mut NullFact| "null".to_string());
    engine.register_fn("==", |_: NullFact, other: Dynamic| null_compare(&other, true));
    engine.register_fn("==", |other: Dynamic, _: NullFact| null_compare(&other, true));
    engine.register_fn("!=", |_: NullFact, other: Dynamic| null_compare(&other, false));
    engine.register_fn("!=", |other: Dynamic, _: NullFact| null_compare(&other, false));
    for op in ["<", "<=", ">", ">="] {
        engine.register_fn(op, |n: NullFact, _: Dynamic| -> RhaiResult<bool> { Err(null_used(&n)) });
        engine.register_fn(op, |_: Dynamic, n: NullFact| -> RhaiResult<bool> { Err(null_used(&n)) });
    }
}

fn null_compare(other: &Dynamic, equal: bool) -> RhaiResult<bool> {
    if other.is_unit() || other.is::<NullFact>() {
        Ok(equal)
    } else {
        Err(Box::new(EvalAltResult::ErrorRuntime("null fact compared with a value".into(), Position::NONE)))
    }
}

fn null_used(n: &NullFact) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(format!("null fact {} compared", n.path()).into(), Position::NONE))
}

impl IntoIterator for Fact {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.elements().collect::<Vec<_>>().into_iter()
    }
}
