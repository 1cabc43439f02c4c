//! JSON Schema validation straight over a [`FactTree`]: the `jsonschema` crate validates any JSON
//! representation that implements its accessor traits, so a snapshot is validated in the form the
//! conditions read, without a `serde_json::Value` copy of a possibly 100 MB document.

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, JsonNumber, Node as JsonNode, NodeIdentity, Object};
use serde_json::Value;

use super::tree::{FactTree, Node, NodeId};

/// The fact-tree representation, for `jsonschema::options_for::<TreeJson>()`.
#[derive(Debug)]
pub struct TreeJson;

/// One node of a tree, as the validator sees it.
#[derive(Debug, Clone, Copy)]
pub struct TreeNode<'a> {
    tree: &'a FactTree,
    id: NodeId,
}

impl<'a> TreeNode<'a> {
    /// The root of a tree.
    pub fn root(tree: &'a FactTree) -> Self {
        TreeNode { tree, id: tree.root() }
    }

    fn node(&self) -> &'a Node {
        self.tree.node(self.id)
    }

    fn at(&self, id: NodeId) -> Self {
        TreeNode { tree: self.tree, id }
    }
}

/// An object node.
#[derive(Debug, Clone, Copy)]
pub struct TreeObject<'a>(TreeNode<'a>);

/// An array node.
#[derive(Debug, Clone, Copy)]
pub struct TreeArray<'a>(TreeNode<'a>);

/// A number leaf.
#[derive(Debug, Clone, Copy)]
pub enum TreeNumber {
    /// Written as an integer that fits `i64`.
    Int(i64),
    /// Anything else.
    Float(f64),
}

impl Json for TreeJson {
    type Node<'a> = TreeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = FactTree;

    // A lookup scans the object's entries, so a members pass pays off early.
    const KEYS_PER_LOOKUP: usize = 2;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut FactTree, string: &str, f: impl FnOnce(TreeNode<'_>) -> T) -> T {
        *buffer = FactTree::from_value(&Value::String(string.to_owned()), "");
        f(TreeNode::root(buffer))
    }
}

impl JsonNumber for TreeNumber {
    fn as_u64(&self) -> Option<u64> {
        match self {
            TreeNumber::Int(i) => u64::try_from(*i).ok(),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            TreeNumber::Int(i) => Some(*i),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            TreeNumber::Int(i) => Some(*i as f64),
            TreeNumber::Float(x) => Some(*x),
        }
    }

    fn as_str(&self) -> Cow<'_, str> {
        match self {
            TreeNumber::Int(i) => Cow::Owned(i.to_string()),
            TreeNumber::Float(x) => Cow::Owned(x.to_string()),
        }
    }

    fn to_number(&self) -> Cow<'_, serde_json::Number> {
        Cow::Owned(match self {
            TreeNumber::Int(i) => serde_json::Number::from(*i),
            TreeNumber::Float(x) => serde_json::Number::from_f64(*x).unwrap_or_else(|| serde_json::Number::from(0)),
        })
    }

    fn is_written_as_integer(&self) -> bool {
        matches!(self, TreeNumber::Int(_))
    }
}

impl<'a> JsonNode<'a, TreeJson> for TreeNode<'a> {
    type Object = TreeObject<'a>;
    type Array = TreeArray<'a>;
    type Number = TreeNumber;

    fn as_object(&self) -> Option<TreeObject<'a>> {
        matches!(self.node(), Node::Map { .. }).then_some(TreeObject(*self))
    }

    fn as_array(&self) -> Option<TreeArray<'a>> {
        matches!(self.node(), Node::List { .. }).then_some(TreeArray(*self))
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.node() {
            Node::Str(s) => Some(Cow::Borrowed(self.tree.text(*s))),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<TreeNumber> {
        match self.node() {
            Node::Int(i) => Some(TreeNumber::Int(*i)),
            Node::Float(x) => Some(TreeNumber::Float(*x)),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.node() {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.node(), Node::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.node() {
            Node::Null => JsonType::Null,
            Node::Bool(_) => JsonType::Boolean,
            Node::Int(_) | Node::Float(_) => JsonType::Number,
            Node::Str(_) => JsonType::String,
            Node::List { .. } => JsonType::Array,
            Node::Map { .. } => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (self.node(), expected) {
            (Node::Str(s), Value::String(e)) => self.tree.text(*s) == e,
            (Node::Str(_), _) | (_, Value::String(_)) => false,
            (Node::Bool(b), Value::Bool(e)) => b == e,
            (Node::Null, Value::Null) => true,
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.tree.to_value(self.id))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(std::ptr::from_ref(self.tree) as usize, self.id))
    }
}

impl<'a> Object<'a, TreeJson> for TreeObject<'a> {
    type Node = TreeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        self.0.tree.entries(self.0.id).len()
    }

    fn get(&self, key: &String) -> Option<TreeNode<'a>> {
        self.0.tree.get(self.0.id, key).map(|id| self.0.at(id))
    }

    fn members(&self) -> Self::MembersIter {
        Members { node: self.0, inner: self.0.tree.entries(self.0.id).iter() }
    }
}

impl<'a> Array<'a, TreeJson> for TreeArray<'a> {
    type Node = TreeNode<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        self.0.tree.items(self.0.id).len()
    }

    fn elements(&self) -> Self::ElementsIter {
        Elements { node: self.0, inner: self.0.tree.items(self.0.id).iter() }
    }
}

/// The members of an object node.
#[derive(Debug)]
pub struct Members<'a> {
    node: TreeNode<'a>,
    inner: std::slice::Iter<'a, (rhai::ImmutableString, NodeId)>,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TreeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(k, id)| (k.as_str(), self.node.at(*id)))
    }
}

/// The elements of an array node.
#[derive(Debug)]
pub struct Elements<'a> {
    node: TreeNode<'a>,
    inner: std::slice::Iter<'a, NodeId>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = TreeNode<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|id| self.node.at(*id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_meets_the_validators_accessor_contract() {
        let document = jsonschema::json::conformance::document();
        let from_value = FactTree::from_value(&document, "");
        jsonschema::json::conformance::assert_conformance::<TreeJson>(&TreeNode::root(&from_value));
        let from_text = FactTree::from_json_str(&document.to_string(), "").unwrap();
        jsonschema::json::conformance::assert_conformance::<TreeJson>(&TreeNode::root(&from_text));
    }

    #[test]
    fn the_tree_and_serde_json_agree_on_what_is_valid() {
        let schema = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "maxLength": 3},
                "n": {"type": "integer", "minimum": 0},
                "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": true}
            }
        });
        let tree_validator = jsonschema::options_for::<TreeJson>().build(&schema).unwrap();
        let value_validator = jsonschema::validator_for(&schema).unwrap();
        for text in [
            r#"{"name": "abc", "n": 3, "tags": ["a", "b"]}"#,
            r#"{"name": "abcd"}"#,
            r#"{"n": -1}"#,
            r#"{"n": 1.5}"#,
            r#"{"n": 2.0}"#,
            r#"{"tags": ["a", "a"]}"#,
            r#"{"tags": ["c"]}"#,
            r#"{"other": 1}"#,
            r#"{"name": "né"}"#,
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let tree = FactTree::from_json_str(text, "").unwrap();
            let errors = |v: Vec<String>| v;
            let by_tree = errors(
                tree_validator.iter_errors(TreeNode::root(&tree)).map(|e| e.instance_path().to_string()).collect(),
            );
            let by_value = errors(value_validator.iter_errors(&value).map(|e| e.instance_path().to_string()).collect());
            assert_eq!(by_tree, by_value, "{text}");
            assert_eq!(tree_validator.is_valid(TreeNode::root(&tree)), value_validator.is_valid(&value), "{text}");
        }
    }
}
