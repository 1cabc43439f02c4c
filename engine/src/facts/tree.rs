//! An immutable, compact tree of JSON values that conditions read without copying.
//!
//! Every node lives in one arena; a [`FactTree`] is shared behind an `Arc` and a node is addressed by
//! its index, so handing a sub-tree to a condition costs one reference-count increment. Strings are
//! ranges of one text buffer ([`Text`]): a million users' values are one allocation, not millions,
//! and the native readers (the fast path, the scans, schema validation) read them in place.
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
    /// A string (its text: [`FactTree::text`]).
    Str(Text),
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

/// A string of a [`FactTree`]: a range of the tree's text buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    start: u32,
    len: u32,
}

impl Text {
    /// Its length in bytes.
    pub fn len(self) -> usize {
        self.len as usize
    }
}

/// The parent of the document's root node (it has none).
const NO_PARENT: NodeId = NodeId::MAX;

/// An immutable arena of JSON nodes. The root is node `0` unless [`rooted_at`](Self::rooted_at)
/// moved it (a snapshot's tree holds the whole document and is rooted at its `facts`).
#[derive(Debug, Default)]
pub struct FactTree {
    nodes: Vec<Node>,
    /// Each node's parent ([`NO_PARENT`] for the root). The key or index under which the parent
    /// holds it is found on demand (only to name a fact's path), by a binary search: a parent's
    /// children are numbered in increasing order. Four bytes per node instead of a 16-byte step.
    parents: Vec<NodeId>,
    children: Vec<NodeId>,
    entries: Vec<(ImmutableString, NodeId)>,
    /// The text of every string node, one after the other.
    text: String,
    prefix: String,
    root: NodeId,
}

impl FactTree {
    /// Builds a tree from a JSON value. `prefix` names the root in paths (e.g. `facts` or `data`).
    pub fn from_value(value: &Value, prefix: &str) -> Self {
        let mut builder = Builder::new(prefix);
        builder.add(value, NO_PARENT);
        builder.tree
    }

    /// Parses JSON text straight into a tree, without building a `serde_json::Value` first (half
    /// the time and a fraction of the memory on a large directory). Duplicate keys: the last wins,
    /// as in `serde_json`.
    pub fn from_json_str(text: &str, prefix: &str) -> Result<Self, serde_json::Error> {
        let mut builder = Builder::new(prefix);
        // The strings' text is never longer than the document's: reserved once, it is never copied
        // while it grows, and the pages it does not use are never touched (nor resident).
        builder.tree.text.reserve(text.len());
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde::de::DeserializeSeed::deserialize(
            NodeSeed { builder: &mut builder, parent: NO_PARENT },
            &mut deserializer,
        )?;
        deserializer.end()?;
        Ok(builder.tree)
    }

    /// The same tree with `id` as its root, named `prefix` in paths; nodes outside it stay in the
    /// arena but are no longer reachable from the root.
    pub fn rooted_at(mut self, id: NodeId, prefix: &str) -> Self {
        self.root = id;
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        self.root
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
        self.lookup_path(from, &crate::fact_path::FactPath::parse(path).ok()?)
    }

    /// The node at a parsed path below `from` (`[]` has no single node: `None`).
    pub fn lookup_path(&self, from: NodeId, path: &crate::fact_path::FactPath) -> Option<NodeId> {
        use crate::fact_path::Segment;
        let mut id = from;
        for segment in path.segments() {
            id = match segment {
                Segment::Key(key) => self.get(id, key)?,
                Segment::Index(index) => self.item(id, *index)?,
                Segment::Each => return None,
            };
        }
        Some(id)
    }

    /// The path of a node, e.g. `facts.ad.users[3].upn`.
    pub fn path_of(&self, id: NodeId) -> String {
        let mut parts = Vec::new();
        let mut current = id;
        while let Some(&parent) = self.parents.get(current as usize) {
            if current == self.root || parent == NO_PARENT {
                break;
            }
            match self.node(parent) {
                Node::Map { .. } => {
                    let entries = self.entries(parent);
                    let Some((key, _)) =
                        entries.binary_search_by_key(&current, |(_, child)| *child).ok().and_then(|at| entries.get(at))
                    else {
                        break;
                    };
                    parts.push(format!(".{key}"));
                }
                Node::List { .. } => {
                    let Ok(at) = self.items(parent).binary_search(&current) else { break };
                    parts.push(format!("[{at}]"));
                }
                _ => break,
            }
            current = parent;
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
            Node::Str(s) => Value::String(self.text(*s).to_owned()),
            Node::List { .. } => Value::Array(self.items(id).iter().map(|c| self.to_value(*c)).collect()),
            Node::Map { .. } => {
                Value::Object(self.entries(id).iter().map(|(k, c)| (k.to_string(), self.to_value(*c))).collect())
            }
        }
    }

    /// The text of a string node.
    pub fn text(&self, text: Text) -> &str {
        let start = text.start as usize;
        self.text.get(start..start + text.len()).unwrap_or_default()
    }

    /// The string a node holds, if it is a string.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        match self.node(id) {
            Node::Str(t) => Some(self.text(*t)),
            _ => None,
        }
    }

    /// Number of nodes in the tree.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
}

struct Builder {
    tree: FactTree,
    /// Interned keys (foldhash: SipHash was a tenth of the time of parsing a snapshot).
    keys: HashMap<String, ImmutableString, foldhash::fast::RandomState>,
}

impl Builder {
    fn new(prefix: &str) -> Self {
        Builder { tree: FactTree { prefix: prefix.to_owned(), ..FactTree::default() }, keys: HashMap::default() }
    }

    /// Appends a finished array's children and fills in its node.
    fn finish_list(&mut self, id: NodeId, items: Vec<NodeId>) {
        let start = self.tree.children.len() as u32;
        let len = items.len() as u32;
        self.tree.children.extend(items);
        self.set(id, Node::List { start, len });
    }

    /// Appends a finished object's entries (the last of duplicate keys wins) and fills in its node.
    fn finish_map(&mut self, id: NodeId, entries: Vec<(ImmutableString, NodeId)>) {
        let start = self.tree.entries.len() as u32;
        let len = entries.len() as u32;
        self.tree.entries.extend(entries);
        self.set(id, Node::Map { start, len });
    }

    fn push(&mut self, node: Node, parent: NodeId) -> NodeId {
        let id = self.tree.nodes.len() as NodeId;
        self.tree.nodes.push(node);
        self.tree.parents.push(parent);
        id
    }

    fn add(&mut self, value: &Value, parent: NodeId) -> NodeId {
        match value {
            Value::Null => self.push(Node::Null, parent),
            Value::Bool(b) => self.push(Node::Bool(*b), parent),
            Value::Number(n) => {
                let node = n.as_i64().map_or_else(|| Node::Float(n.as_f64().unwrap_or(f64::NAN)), Node::Int);
                self.push(node, parent)
            }
            Value::String(s) => {
                let node = self.text(s);
                self.push(node, parent)
            }
            Value::Array(items) => {
                let id = self.push(Node::Null, parent);
                let ids: Vec<NodeId> = items.iter().map(|v| self.add(v, id)).collect();
                self.finish_list(id, ids);
                id
            }
            Value::Object(map) => {
                let id = self.push(Node::Null, parent);
                let mut entries = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let key = self.intern(k);
                    let child = self.add(v, id);
                    entries.push((key, child));
                }
                self.finish_map(id, entries);
                id
            }
        }
    }

    /// A string node for `s`, its text appended to the tree's buffer (the buffer is bounded by
    /// the input limit, far below 4 GiB).
    fn text(&mut self, s: &str) -> Node {
        let start = u32::try_from(self.tree.text.len()).unwrap_or(u32::MAX);
        self.tree.text.push_str(s);
        Node::Str(Text { start, len: u32::try_from(s.len()).unwrap_or(0) })
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

/// Builds one node (and its sub-tree) from a JSON deserializer.
struct NodeSeed<'b> {
    builder: &'b mut Builder,
    parent: NodeId,
}

impl<'de> serde::de::DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = NodeId;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<NodeId, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NodeSeed<'_> {
    type Value = NodeId;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<NodeId, E> {
        Ok(self.builder.push(Node::Bool(v), self.parent))
    }

    fn visit_i64<E>(self, v: i64) -> Result<NodeId, E> {
        Ok(self.builder.push(Node::Int(v), self.parent))
    }

    fn visit_u64<E>(self, v: u64) -> Result<NodeId, E> {
        let node = i64::try_from(v).map_or(Node::Float(v as f64), Node::Int);
        Ok(self.builder.push(node, self.parent))
    }

    fn visit_f64<E>(self, v: f64) -> Result<NodeId, E> {
        Ok(self.builder.push(Node::Float(v), self.parent))
    }

    fn visit_str<E>(self, v: &str) -> Result<NodeId, E> {
        let node = self.builder.text(v);
        Ok(self.builder.push(node, self.parent))
    }

    fn visit_unit<E>(self) -> Result<NodeId, E> {
        Ok(self.builder.push(Node::Null, self.parent))
    }

    fn visit_none<E>(self) -> Result<NodeId, E> {
        Ok(self.builder.push(Node::Null, self.parent))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NodeId, A::Error> {
        let builder = self.builder;
        let id = builder.push(Node::Null, self.parent);
        let mut items = Vec::new();
        while let Some(child) = seq.next_element_seed(NodeSeed { builder: &mut *builder, parent: id })? {
            items.push(child);
        }
        builder.finish_list(id, items);
        Ok(id)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NodeId, A::Error> {
        let builder = self.builder;
        let id = builder.push(Node::Null, self.parent);
        let mut entries: Vec<(ImmutableString, NodeId)> = Vec::new();
        // Small objects are checked by a scan, large ones through a set: linear either way.
        let mut seen: Option<std::collections::HashSet<ImmutableString>> = None;
        while let Some(key) = map.next_key_seed(KeySeed { builder: &mut *builder })? {
            let duplicate = match &mut seen {
                Some(set) => !set.insert(key.clone()),
                None if entries.len() < DUPLICATE_SCAN_MAX => entries.iter().any(|(k, _)| *k == key),
                None => {
                    let mut set: std::collections::HashSet<ImmutableString> =
                        entries.iter().map(|(k, _)| k.clone()).collect();
                    let fresh = set.insert(key.clone());
                    seen = Some(set);
                    !fresh
                }
            };
            if duplicate {
                // JSON leaves duplicate keys undefined and serde keeps the last one silently: a
                // second `"facts": {}` would turn a failing server into a healthy one.
                return Err(serde::de::Error::custom(format!("duplicate key `{}` in an object", short_key(&key))));
            }
            let child = map.next_value_seed(NodeSeed { builder: &mut *builder, parent: id })?;
            entries.push((key, child));
        }
        builder.finish_map(id, entries);
        Ok(id)
    }
}

/// Objects with at most this many keys are checked for duplicates by a scan.
const DUPLICATE_SCAN_MAX: usize = 16;

/// A key as quoted in a message: at most 60 characters.
fn short_key(key: &str) -> String {
    match key.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", key.get(..at).unwrap_or(key)),
        None => key.to_owned(),
    }
}

/// Reads an object key into the interned key table.
struct KeySeed<'b> {
    builder: &'b mut Builder,
}

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = ImmutableString;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<ImmutableString, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for KeySeed<'_> {
    type Value = ImmutableString;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<ImmutableString, E> {
        Ok(self.builder.intern(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_text_builds_the_same_tree_as_converting_a_value() {
        let text = r#"{"a": {"b": [1, -2, 3.5, 18446744073709551615, true, null, "x\"y\u00e9"]},
                       "c": {}, "d": [], "e": [{"k": 1}, {"k": 2}]}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let parsed = FactTree::from_json_str(text, "facts").unwrap();
        let converted = FactTree::from_value(&value, "facts");
        assert_eq!(parsed.to_value(parsed.root()), converted.to_value(converted.root()));
        let k = parsed.lookup(parsed.root(), "e[1].k").unwrap();
        assert_eq!(parsed.path_of(k), "facts.e[1].k");
    }

    #[test]
    fn a_moved_root_names_paths_from_there() {
        let tree = FactTree::from_json_str(r#"{"facts": {"svc": {"state": "Running"}}, "other": 1}"#, "").unwrap();
        let facts = tree.get(tree.root(), "facts").unwrap();
        let tree = tree.rooted_at(facts, "facts");
        let state = tree.lookup(tree.root(), "svc.state").unwrap();
        assert_eq!(tree.path_of(state), "facts.svc.state");
        assert!(tree.lookup(tree.root(), "other").is_none());
    }

    #[test]
    fn a_duplicate_key_is_an_error_at_its_position_in_linear_time() {
        let error = FactTree::from_json_str("{\"facts\": {\"a\": 1},\n \"facts\": {}}", "").unwrap_err();
        assert!(error.to_string().contains("duplicate key `facts`"), "{error}");
        assert_eq!(error.line(), 2, "{error}");
        let mut big = String::from("{");
        for i in 0..200_000 {
            big.push_str(&format!("\"k{i}\": {i},"));
        }
        big.push_str("\"k7\": 0}");
        let started = std::time::Instant::now();
        let error = FactTree::from_json_str(&big, "").unwrap_err();
        assert!(error.to_string().contains("duplicate key `k7`"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
    }

    #[test]
    fn malformed_text_is_an_error_with_a_position() {
        let error = FactTree::from_json_str("{\"a\": [1, 2,", "").unwrap_err();
        assert!(error.line() >= 1 && error.column() > 0);
        assert!(FactTree::from_json_str("{} trailing", "").is_err());
    }
}
