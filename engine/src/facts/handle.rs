//! The values a condition sees: [`Fact`] (an object or array inside a fact tree) and [`NullFact`]
//! (a fact that was gathered but whose value is unknown).

use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, ImmutableString, Position};
use serde_json::Value;

use super::context;
use super::tree::{FactTree, Node, NodeId};

/// An object or array inside a fact tree, as seen by a condition. Cloning it is one `Arc` increment.
#[derive(Debug, Clone)]
pub struct Fact {
    pub(crate) tree: Arc<FactTree>,
    pub(crate) id: NodeId,
}

/// A fact that is present but `null`: gathered, value unknown. It equals `()` and `is_null` is true
/// for it; any other comparison or use makes the rule `inconclusive` instead of guessing.
#[derive(Debug, Clone)]
pub struct NullFact {
    pub(crate) tree: Arc<FactTree>,
    pub(crate) id: NodeId,
}

impl NullFact {
    /// The path of the null fact.
    pub fn path(&self) -> String {
        self.tree.path_of(self.id)
    }
}

impl Fact {
    /// The root of a tree.
    pub fn root(tree: Arc<FactTree>) -> Self {
        let id = tree.root();
        Fact { tree, id }
    }

    /// The path of this fact, e.g. `facts.ad.users[2]`.
    pub fn path(&self) -> String {
        self.tree.path_of(self.id)
    }

    /// Whether this is an array.
    pub fn is_list(&self) -> bool {
        matches!(self.tree.node(self.id), Node::List { .. })
    }

    /// This fact as JSON.
    pub fn to_value(&self) -> Value {
        self.tree.to_value(self.id)
    }

    /// The Rhai value of node `id` of the same tree: leaves become plain values, containers `Fact`s.
    pub(crate) fn wrap(&self, id: NodeId) -> Dynamic {
        wrap(&self.tree, id)
    }

    /// The child under `key`, or a "missing fact" error naming its path.
    pub(crate) fn child(&self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        match self.tree.get(self.id, key) {
            Some(id) => Ok(self.wrap(id)),
            None => Err(missing(self.tree.child_path(self.id, key))),
        }
    }

    /// The element at `index` of an array (negative counts from the end), or a "missing fact" error.
    pub(crate) fn element(&self, index: i64) -> Result<Dynamic, Box<EvalAltResult>> {
        let len = self.tree.items(self.id).len() as i64;
        let real = if index < 0 { len + index } else { index };
        match usize::try_from(real).ok().and_then(|i| self.tree.item(self.id, i)) {
            Some(id) => Ok(self.wrap(id)),
            None => Err(missing(format!("{}[{index}]", self.path()))),
        }
    }

    /// The elements of an array as Rhai values (empty for an object).
    pub(crate) fn elements(&self) -> impl Iterator<Item = Dynamic> + '_ {
        self.tree.items(self.id).iter().map(|id| self.wrap(*id))
    }
}

/// Wraps node `id` of `tree` as the value a condition sees, recording reads for `explain`.
pub(crate) fn wrap(tree: &Arc<FactTree>, id: NodeId) -> Dynamic {
    context::record_read(tree, id);
    match tree.node(id) {
        Node::Null => {
            context::record_null(tree, id);
            Dynamic::from(NullFact { tree: Arc::clone(tree), id })
        }
        Node::Bool(b) => Dynamic::from_bool(context::read_bool(id, *b)),
        Node::Int(i) => Dynamic::from_int(*i),
        Node::Float(f) => Dynamic::from_float(*f),
        Node::Str(s) => Dynamic::from(ImmutableString::from(tree.text(*s))),
        Node::List { .. } | Node::Map { .. } => Dynamic::from(Fact { tree: Arc::clone(tree), id }),
    }
}

/// The marker carried by the error a condition raises when it reads an absent fact.
pub(crate) const MISSING_FACT: &str = "missing fact ";

/// The error raised when a condition reads an absent fact.
pub(crate) fn missing(path: String) -> Box<EvalAltResult> {
    let message = format!("{MISSING_FACT}{path}");
    context::record_missing(path);
    Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
}

/// Converts any Rhai value a condition produced (plain values, maps, arrays, facts) to JSON.
pub fn dynamic_to_json(value: &Dynamic) -> Value {
    if let Some(fact) = value.read_lock::<Fact>() {
        return fact.to_value();
    }
    if value.is::<NullFact>() || value.is_unit() {
        return Value::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
        return Value::String(s.to_string());
    }
    if let Some(array) = value.read_lock::<rhai::Array>() {
        return Value::Array(array.iter().map(dynamic_to_json).collect());
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return Value::Object(map.iter().map(|(k, v)| (k.to_string(), dynamic_to_json(v))).collect());
    }
    Value::String(value.to_string())
}
