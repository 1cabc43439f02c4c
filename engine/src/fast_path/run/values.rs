//! Values: reading facts in place, the strings, lists and maps a condition builds, and the
//! conversions to and from what Rhai holds (for the helpers called through it) and what a report
//! shows.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Dynamic, ImmutableString};

use super::{BAIL, Env, Items, Out, Stop, V};
use crate::facts::handle::{Fact, NullFact};
use crate::facts::tree::{FactTree, Node, NodeId};
use crate::fast_path::program::Expr;

impl<'a> Env<'a> {
    /// A node as a value: leaves in place, containers as nodes.
    pub(super) fn read(&self, tree: &'a FactTree, id: NodeId) -> Out<'a> {
        Ok(match tree.node(id) {
            Node::Null => V::Null,
            Node::Bool(b) => V::Bool(*b),
            Node::Int(i) => V::Int(*i),
            Node::Float(x) => V::Float(*x),
            // Rhai refuses a string over its size limit wherever a function returns one.
            Node::Str(s) if s.len() > self.limits.max_string_size => return Err(BAIL),
            Node::Str(s) => V::Str(tree.text(*s)),
            Node::List { .. } | Node::Map { .. } => V::Node(tree, id),
        })
    }

    pub(super) fn leaf(&self, v: V<'a>) -> Leaf<'_> {
        match v {
            V::Unit => Leaf::Unit,
            V::Bool(b) => Leaf::Bool(b),
            V::Int(i) => Leaf::Int(i),
            V::Float(x) => Leaf::Float(x),
            V::Str(s) => Leaf::Str(s),
            V::Text(i) => self.texts.get(i).map_or(Leaf::Other, |s| Leaf::Str(s)),
            V::Null | V::Node(..) | V::List(_) | V::Map(_) => Leaf::Other,
        }
    }

    pub(super) fn string(&self, v: V<'a>) -> Option<&str> {
        match self.leaf(v) {
            Leaf::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string the condition built, within Rhai's size limit.
    pub(super) fn new_text(&mut self, s: String) -> Out<'a> {
        if s.len() > self.limits.max_string_size {
            return Err(BAIL);
        }
        self.texts.push(s.into_boxed_str());
        Ok(V::Text(self.texts.len() - 1))
    }

    /// A list the condition built, within Rhai's size limit and nesting depth (`max_data_depth`;
    /// deeper ones are left to Rhai).
    pub(super) fn new_list(&mut self, items: Vec<V<'a>>) -> Out<'a> {
        if items.len() > self.limits.max_array_size || items.iter().any(|v| self.too_deep_inside(*v)) {
            return Err(BAIL);
        }
        self.lists.push(items);
        Ok(V::List(self.lists.len() - 1))
    }

    /// A map the condition built, within Rhai's size limit (and the nesting of [`new_list`]).
    pub(super) fn new_map(&mut self, entries: BTreeMap<Box<str>, V<'a>>) -> Out<'a> {
        if entries.len() > self.limits.max_map_size || entries.values().any(|v| self.too_deep_inside(*v)) {
            return Err(BAIL);
        }
        self.maps.push(entries);
        Ok(V::Map(self.maps.len() - 1))
    }

    /// How deeply lists and maps nest in `v` (0 for anything else; a built list of plain values
    /// is 1), as the sandbox's `max_data_depth` counts.
    pub(super) fn depth(&self, v: V<'a>) -> usize {
        let deepest = |items: &mut dyn Iterator<Item = V<'a>>| items.map(|i| self.depth(i)).max().unwrap_or(0);
        match v {
            V::List(l) => 1 + self.lists.get(l).map_or(0, |items| deepest(&mut items.iter().copied())),
            V::Map(m) => 1 + self.maps.get(m).map_or(0, |entries| deepest(&mut entries.values().copied())),
            _ => 0,
        }
    }

    /// Whether `v` inside a list or map of its own would nest deeper than the sandbox allows.
    pub(super) fn too_deep_inside(&self, v: V<'a>) -> bool {
        1 + self.depth(v) > self.limits.max_data_depth
    }

    /// Whether `v` is a list or map (a value that cannot go into a container whose own place in
    /// other containers is unknown).
    pub(super) fn nested(v: V<'a>) -> bool {
        matches!(v, V::List(_) | V::Map(_))
    }

    /// The value as stored in a variable or container: Rhai copies lists and maps on assignment,
    /// so a value read from a variable (`let b = a`) gets a copy of its own.
    pub(super) fn stored(&mut self, v: V<'a>, aliased: bool) -> Out<'a> {
        if aliased { self.copy(v) } else { Ok(v) }
    }

    /// A deep copy of a built list or map (anything else is a value already).
    pub(super) fn copy(&mut self, v: V<'a>) -> Out<'a> {
        match v {
            V::List(i) => {
                let items = self.lists.get(i).ok_or(BAIL)?.clone();
                let items = items.into_iter().map(|i| self.copy(i)).collect::<Result<Vec<_>, _>>()?;
                self.new_list(items)
            }
            V::Map(i) => {
                let mut entries = self.maps.get(i).ok_or(BAIL)?.clone();
                for value in entries.values_mut() {
                    *value = self.copy(*value)?;
                }
                self.new_map(entries)
            }
            v => Ok(v),
        }
    }

    /// The items of a fact list (read one by one, in place) or a built list (a copy: Rhai
    /// iterates over one, so what a loop body pushes is not visited).
    pub(super) fn items(&self, v: V<'a>) -> Result<Items<'a>, Stop<'a>> {
        match v {
            V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => Ok(Items::Facts(tree, tree.items(id))),
            V::List(i) => self.lists.get(i).cloned().map(Items::Built).ok_or(BAIL),
            _ => Err(BAIL),
        }
    }

    /// Item `i` of `items`, if there is one.
    pub(super) fn item(&self, items: &Items<'a>, i: usize) -> Option<Out<'a>> {
        match items {
            Items::Facts(tree, ids) => ids.get(i).map(|id| self.read(tree, *id)),
            Items::Built(values) => values.get(i).copied().map(Ok),
        }
    }

    /// The tree `tree` is, as Rhai holds it.
    pub(super) fn shared(&self, tree: &FactTree) -> Result<&'a Arc<FactTree>, Stop<'a>> {
        [self.cx.facts, self.cx.data]
            .into_iter()
            .chain(self.built.iter().copied())
            .find(|t| std::ptr::eq(Arc::as_ptr(t), tree))
            .ok_or(BAIL)
    }

    /// A value as Rhai would hold it, to hand to a helper.
    pub(super) fn to_dynamic(&self, v: V<'a>) -> Result<Dynamic, Stop<'a>> {
        Ok(match v {
            V::Unit => Dynamic::UNIT,
            V::Null => return Err(BAIL),
            V::Bool(b) => Dynamic::from_bool(b),
            V::Int(i) => Dynamic::from_int(i),
            V::Float(x) => Dynamic::from_float(x),
            V::Str(_) | V::Text(_) => Dynamic::from(ImmutableString::from(self.string(v).ok_or(BAIL)?)),
            V::Node(tree, id) => Dynamic::from(Fact { tree: Arc::clone(self.shared(tree)?), id }),
            V::List(l) => {
                let items = self.lists.get(l).ok_or(BAIL)?;
                Dynamic::from_array(items.iter().map(|i| self.to_dynamic(*i)).collect::<Result<_, _>>()?)
            }
            V::Map(m) => {
                let mut map = rhai::Map::new();
                for (k, v) in self.maps.get(m).ok_or(BAIL)? {
                    map.insert(k.as_ref().into(), self.to_dynamic(*v)?);
                }
                Dynamic::from_map(map)
            }
        })
    }

    /// A value as a report shows it (as `dynamic_to_json` shows Rhai's); `None` for a `null`
    /// fact, whose place Rhai would report.
    pub(super) fn to_json(&self, v: V<'a>) -> Option<serde_json::Value> {
        use serde_json::Value;
        Some(match v {
            V::Unit => Value::Null,
            V::Null => return None,
            V::Bool(b) => Value::Bool(b),
            V::Int(i) => Value::from(i),
            V::Float(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
            V::Str(_) | V::Text(_) => Value::String(self.string(v)?.to_owned()),
            V::Node(tree, id) => tree.to_value(id),
            V::List(l) => Value::Array(self.lists.get(l)?.iter().map(|i| self.to_json(*i)).collect::<Option<_>>()?),
            V::Map(m) => Value::Object(
                self.maps
                    .get(m)?
                    .iter()
                    .map(|(k, v)| Some((k.to_string(), self.to_json(*v)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// A helper's result as a value; anything of another kind is Rhai's to handle.
    pub(super) fn read_dynamic(&mut self, d: &Dynamic) -> Out<'a> {
        if d.is_unit() {
            return Ok(V::Unit);
        }
        if let Ok(b) = d.as_bool() {
            return Ok(V::Bool(b));
        }
        if let Ok(i) = d.as_int() {
            return Ok(V::Int(i));
        }
        if let Ok(x) = d.as_float() {
            return Ok(V::Float(x));
        }
        if let Some(s) = d.read_lock::<ImmutableString>() {
            return self.new_text(s.to_string());
        }
        if let Some(f) = d.read_lock::<Fact>() {
            let tree = if let Ok(tree) = self.shared(&f.tree) {
                tree
            } else {
                let arena = self.arena.get_or_init(typed_arena::Arena::new);
                let tree: &'a Arc<FactTree> = arena.alloc(Arc::clone(&f.tree));
                self.built.push(tree);
                tree
            };
            return Ok(V::Node(tree, f.id));
        }
        if d.is::<NullFact>() {
            return Ok(V::Null);
        }
        if let Some(items) = d.read_lock::<rhai::Array>() {
            let items = items.iter().map(|i| self.read_dynamic(i)).collect::<Result<Vec<_>, _>>()?;
            return self.new_list(items);
        }
        if let Some(entries) = d.read_lock::<rhai::Map>() {
            let mut map = BTreeMap::new();
            for (k, v) in entries.iter() {
                map.insert(Box::from(k.as_str()), self.read_dynamic(v)?);
            }
            return self.new_map(map);
        }
        Err(BAIL)
    }
}

/// A value seen as a leaf, strings resolved.
#[derive(Debug, Clone, Copy)]
pub(super) enum Leaf<'s> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'s str),
    Other,
}

pub(super) fn boolean(v: V<'_>) -> Result<bool, Stop<'_>> {
    match v {
        V::Bool(b) => Ok(b),
        _ => Err(BAIL),
    }
}

/// Whether an expression's value may be a list or map that lives on elsewhere (a variable, a
/// container's entry), so storing it needs a copy of its own.
pub(super) fn aliasing(e: &Expr) -> bool {
    matches!(e, Expr::Var(_) | Expr::Prop(..) | Expr::Index(..) | Expr::Block(_))
}

/// The position of element `index` (negative counts from the end) in a list of `len`.
pub(super) fn position(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let real = if index < 0 { len.checked_add(index)? } else { index };
    usize::try_from(real).ok().filter(|i| (*i as i64) < len)
}

/// `contains` on a fact list: an element of the same type and value (as [`crate::facts::api`]).
pub(super) fn leaf_equals(tree: &FactTree, id: NodeId, value: Leaf<'_>) -> bool {
    match (tree.node(id), value) {
        (Node::Str(s), Leaf::Str(v)) => tree.text(*s) == v,
        (Node::Int(i), Leaf::Int(v)) => *i == v,
        (Node::Float(x), Leaf::Float(v)) => *x == v,
        (Node::Bool(b), Leaf::Bool(v)) => *b == v,
        _ => false,
    }
}

pub(super) fn float(v: Leaf<'_>) -> f64 {
    match v {
        Leaf::Int(i) => i as f64,
        Leaf::Float(x) => x,
        _ => f64::NAN,
    }
}
