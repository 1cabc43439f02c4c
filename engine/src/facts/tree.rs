//! An immutable, compact tree of JSON values that conditions read without copying.
//!
//! Every node lives in one arena; a [`FactTree`] is shared behind an `Arc` and a node is addressed by
//! its index, so handing a sub-tree to a condition costs one reference-count increment. Strings are
//! stored as Rhai [`ImmutableString`]s (shared), so reading a leaf never copies its text either.
//! Object keys are interned: 200,000 user objects share one copy of each attribute name.

use std::collections::HashMap;

use rhai::ImmutableString;
use serde_json::Value;

/// Index of a node inside a [`FactTree`].
pub type NodeId = u32;

/// One node of the tree.
#[derive(Debug, Clone)]
pub enum Node {
    /// JSON `null`: gathered, value unknown.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (or an integer too large for `i64`).
    Float(f64),
    /// A string.
    Str(ImmutableString),
    /// An array: `len` children starting at `start` in the child table.
    List {
        /// First entry in the child table.
        start: u32,
        /// Number of elements.
        len: u32,
    },
    /// An object: `len` entries starting at `start` in the entry table, in document order.
    Map {
        /// First entry in the entry table.
        start: u32,
        /// Number of keys.
        len: u32,
    },
}

/// How a node is reached from its parent (used to name a fact's path on demand).
#[derive(Debug, Clone)]
enum Step {
    Root,
    Key(NodeId, ImmutableString),
    Index(NodeId, u32),
}

/// An immutable arena of JSON nodes; node `0` is the root.
#[derive(Debug, Default)]
pub struct FactTree {
    nodes: Vec<Node>,
    steps: Vec<Step>,
    children: Vec<NodeId>,
    entries: Vec<(ImmutableString, NodeId)>,
    prefix: String,
}

impl FactTree {
    /// Builds a tree from a JSON value. `prefix` names the root in paths (e.g. `facts` or `data`).
    pub fn from_value(value: &Value, prefix: &str) -> Self {
        let mut builder =
            Builder { tree: FactTree { prefix: prefix.to_owned(), ..Self::default() }, keys: HashMap::new() };
        builder.add(value, Step::Root);
        builder.tree
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        0
    }

    /// The node with this id (`Null` for an id that does not exist).
    pub fn node(&self, id: NodeId) -> &Node {
        self.nodes.get(id as usize).unwrap_or(&Node::Null)
    }

    /// The child of an object node under `key`, if the node is an object and has that key.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        match self.node(id) {
            Node::Map { start, len } => self
                .entries
                .get(*start as usize..(*start + *len) as usize)?
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, child)| *child),
            _ => None,
        }
    }

    /// The element `index` of an array node.
    pub fn item(&self, id: NodeId, index: usize) -> Option<NodeId> {
        match self.node(id) {
            Node::List { start, len } if index < *len as usize => self.children.get(*start as usize + index).copied(),
            _ => None,
        }
    }

    /// The elements of an array node (empty for any other node).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.node(id) {
            Node::List { start, len } => self.children.get(*start as usize..(*start + *len) as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The entries of an object node (empty for any other node).
    pub fn entries(&self, id: NodeId) -> &[(ImmutableString, NodeId)] {
        match self.node(id) {
            Node::Map { start, len } => self.entries.get(*start as usize..(*start + *len) as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Follows a dotted path (`a.b[2].c`, relative to `from`). `None` when any step is absent.
    pub fn lookup(&self, from: NodeId, path: &str) -> Option<NodeId> {
        let mut id = from;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let (key, mut rest) = match segment.find('[') {
                Some(i) => (&segment[..i], &segment[i..]),
                None => (segment, ""),
            };
            if !key.is_empty() {
                id = self.get(id, key)?;
            }
            while let Some(close) = rest.find(']') {
                let index: usize = rest.get(1..close)?.trim().parse().ok()?;
                id = self.item(id, index)?;
                rest = &rest[close + 1..];
            }
        }
        Some(id)
    }

    /// The path of a node, e.g. `facts.ad.users[3].upn`.
    pub fn path_of(&self, id: NodeId) -> String {
        let mut parts = Vec::new();
        let mut current = id;
        while let Some(step) = self.steps.get(current as usize) {
            match step {
                Step::Root => break,
                Step::Key(parent, key) => {
                    parts.push(format!(".{key}"));
                    current = *parent;
                }
                Step::Index(parent, index) => {
                    parts.push(format!("[{index}]"));
                    current = *parent;
                }
            }
        }
        parts.push(self.prefix.clone());
        parts.reverse();
        parts.concat()
    }

    /// The path of `key` under node `id` (used to name a fact that is absent).
    pub fn child_path(&self, id: NodeId, key: &str) -> String {
        format!("{}.{key}", self.path_of(id))
    }

    /// Converts a node back to JSON (used for evidence and affected items).
    pub fn to_value(&self, id: NodeId) -> Value {
        match self.node(id) {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.to_string()),
            Node::List { .. } => Value::Array(self.items(id).iter().map(|c| self.to_value(*c)).collect()),
            Node::Map { .. } => {
                Value::Object(self.entries(id).iter().map(|(k, c)| (k.to_string(), self.to_value(*c))).collect())
            }
        }
    }

    /// Number of nodes in the tree.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

struct Builder {
    tree: FactTree,
    keys: HashMap<String, ImmutableString>,
}

impl Builder {
    fn push(&mut self, node: Node, step: Step) -> NodeId {
        let id = self.tree.nodes.len() as NodeId;
        self.tree.nodes.push(node);
        self.tree.steps.push(step);
        id
    }

    fn add(&mut self, value: &Value, step: Step) -> NodeId {
        match value {
            Value::Null => self.push(Node::Null, step),
            Value::Bool(b) => self.push(Node::Bool(*b), step),
            Value::Number(n) => {
                let node = n.as_i64().map_or_else(|| Node::Float(n.as_f64().unwrap_or(f64::NAN)), Node::Int);
                self.push(node, step)
            }
            Value::String(s) => self.push(Node::Str(s.as_str().into()), step),
            Value::Array(items) => {
                let id = self.push(Node::Null, step);
                let ids: Vec<NodeId> =
                    items.iter().enumerate().map(|(i, v)| self.add(v, Step::Index(id, i as u32))).collect();
                let start = self.tree.children.len() as u32;
                self.tree.children.extend(ids);
                self.set(id, Node::List { start, len: items.len() as u32 });
                id
            }
            Value::Object(map) => {
                let id = self.push(Node::Null, step);
                let mut entries = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let key = self.intern(k);
                    let child = self.add(v, Step::Key(id, key.clone()));
                    entries.push((key, child));
                }
                let start = self.tree.entries.len() as u32;
                self.tree.entries.extend(entries);
                self.set(id, Node::Map { start, len: map.len() as u32 });
                id
            }
        }
    }

    fn set(&mut self, id: NodeId, node: Node) {
        if let Some(slot) = self.tree.nodes.get_mut(id as usize) {
            *slot = node;
        }
    }

    fn intern(&mut self, key: &str) -> ImmutableString {
        if let Some(k) = self.keys.get(key) {
            return k.clone();
        }
        let k: ImmutableString = key.into();
        self.keys.insert(key.to_owned(), k.clone());
        k
    }
}
