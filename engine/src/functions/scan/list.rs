//! Reading lists and items natively, without copying: the list and item views every scan
//! shares, field lookup by name, case-insensitive keys and argument parsing.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rhai::{Array, Dynamic, EvalAltResult, FLOAT, INT, ImmutableString, Map};
use serde_json::Value;

use crate::facts::handle::{Fact, NullFact, dynamic_to_json, missing};
use crate::facts::tree::{FactTree, Node, NodeId};
use crate::functions::helper_error;

pub(super) type R<T> = Result<T, Box<EvalAltResult>>;

/// `s` in lower case, borrowed when it already is.
pub(super) fn lower(s: &str) -> Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// The scans' string sets hash with foldhash (fast, non-cryptographic): the keys are directory
/// values, and SipHash would dominate the cost of a 200,000-item scan.
pub(super) type FastSet = HashSet<String, foldhash::fast::RandomState>;

/// A case-insensitive 128-bit fingerprint of a string: the scans compare and count values by it,
/// without allocating a lower-cased copy of each (two values collide with probability ~2^-128).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Key(u64, u64);

impl Key {
    pub(super) fn of(s: &str) -> Key {
        const K1: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        const K2: u64 = 0x9e_37_79_b9_7f_4a_7c_15;
        let (mut a, mut b) = (0u64, 0x2545_f491_4f6c_dd1du64);
        let mut feed = |byte: u8| {
            a = (a.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K1);
            b = (b.rotate_left(7) ^ u64::from(byte)).wrapping_mul(K2);
        };
        if s.is_ascii() {
            s.bytes().for_each(|c| feed(c.to_ascii_lowercase()));
        } else {
            let mut buf = [0u8; 4];
            for c in s.chars().flat_map(char::to_lowercase) {
                c.encode_utf8(&mut buf).bytes().for_each(&mut feed);
            }
        }
        // Mix in the length so that prefixes differ.
        Key(a ^ (s.len() as u64), b.wrapping_add(s.len() as u64))
    }
}

/// Hashes a [`Key`] by its first half (it is already a hash).
#[derive(Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        if self.0 == 0 {
            self.0 = n;
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type KeySet = HashSet<Key, BuildHasherDefault<KeyHasher>>;
pub(super) type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;
/// A list argument: a fact list, or an array (whose elements may themselves be lists, read as
/// their concatenation).
#[derive(Clone, Copy)]
pub(super) enum List<'a> {
    Fact(&'a Fact),
    Array(&'a Array),
}

impl<'a> From<&'a Fact> for List<'a> {
    fn from(f: &'a Fact) -> Self {
        List::Fact(f)
    }
}

impl<'a> From<&'a Array> for List<'a> {
    fn from(a: &'a Array) -> Self {
        List::Array(a)
    }
}

/// One item of a list, borrowed while it is visited.
#[derive(Clone, Copy)]
pub(super) enum Item<'a> {
    Node(&'a Arc<FactTree>, NodeId),
    Value(&'a Dynamic),
}

/// Calls `f` on every item of a list argument (a fact list, an array, or an array of lists).
pub(super) fn visit<'a>(list: List<'a>, f: &mut dyn FnMut(Item<'_>) -> R<()>) -> R<()> {
    match list {
        List::Fact(fact) => {
            if !fact.is_list() {
                return Err(helper_error(format!("expected a list, got the object {}", fact.path())));
            }
            for id in fact.tree.items(fact.id) {
                f(Item::Node(&fact.tree, *id))?;
            }
            Ok(())
        }
        List::Array(array) => {
            for d in array {
                if let Some(inner) = d.read_lock::<Fact>() {
                    if inner.is_list() {
                        visit(List::Fact(&inner), f)?;
                    } else {
                        f(Item::Node(&inner.tree, inner.id))?;
                    }
                } else if let Some(inner) = d.read_lock::<Array>() {
                    visit(List::Array(&inner), f)?;
                } else {
                    f(Item::Value(d))?;
                }
            }
            Ok(())
        }
    }
}

/// Runs `f` on a list given as a value (a fact list or an array).
pub(super) fn with_list<T>(d: &Dynamic, what: &str, f: impl FnOnce(List<'_>) -> R<T>) -> R<T> {
    if let Some(fact) = d.read_lock::<Fact>() {
        return f(List::Fact(&fact));
    }
    if let Some(array) = d.read_lock::<Array>() {
        return f(List::Array(&array));
    }
    Err(helper_error(format!("{what}: expected a list, got {}", d.type_name())))
}

/// A field of an item, borrowed.
pub(super) enum Field<'a> {
    Absent,
    Null,
    Node(&'a FactTree, NodeId),
    Value(Dynamic),
}

pub(super) fn field<'a>(item: Item<'a>, name: &str) -> Field<'a> {
    Name::new(name).of(item)
}

/// A field name that finds its field fast on the items of one list: their keys are interned and
/// usually in the same order, so the position found on one item is tried first on the next.
pub(super) struct Name {
    pub(super) name: String,
    pub(super) hint: RefCell<Option<(usize, ImmutableString)>>,
}

impl Name {
    pub(super) fn new(name: &str) -> Name {
        Name { name: name.to_string(), hint: RefCell::new(None) }
    }

    pub(super) fn as_str(&self) -> &str {
        &self.name
    }

    /// The child of an object node under this name.
    pub(super) fn child(&self, tree: &FactTree, id: NodeId) -> Option<NodeId> {
        let entries = tree.entries(id);
        if let Some((i, key)) = &*self.hint.borrow()
            && let Some((k, child)) = entries.get(*i)
            && k.ptr_eq(key)
        {
            return Some(*child);
        }
        let (i, (k, child)) = entries.iter().enumerate().find(|(_, (k, _))| k.as_str() == self.name)?;
        *self.hint.borrow_mut() = Some((i, k.clone()));
        Some(*child)
    }

    /// The field of an item.
    pub(super) fn of<'a>(&self, item: Item<'a>) -> Field<'a> {
        field_by(item, self)
    }
}

pub(super) fn field_by<'a>(item: Item<'a>, name: &Name) -> Field<'a> {
    match item {
        Item::Node(tree, id) => match name.child(tree, id) {
            None => Field::Absent,
            Some(child) => match tree.node(child) {
                Node::Null => Field::Null,
                _ => Field::Node(tree, child),
            },
        },
        Item::Value(d) => match d.read_lock::<Map>().and_then(|m| m.get(name.as_str()).cloned()) {
            None => Field::Absent,
            Some(v) if v.is_unit() || v.is::<NullFact>() => Field::Null,
            Some(v) => Field::Value(v),
        },
    }
}

impl Field<'_> {
    pub(super) fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// Calls `f` on each string of the field: itself, or each string element of a list.
    pub(super) fn each_str(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Field::Absent | Field::Null => {}
            Field::Node(tree, id) => match tree.node(*id) {
                Node::Str(s) => f(tree.text(*s)),
                Node::List { .. } => {
                    for c in tree.items(*id) {
                        if let Some(s) = tree.str(*c) {
                            f(s);
                        }
                    }
                }
                _ => {}
            },
            Field::Value(d) => each_dynamic_str(d, f),
        }
    }

    /// The number of the field (for a list its length, for a string its characters).
    pub(super) fn measure(&self) -> Option<FLOAT> {
        match self {
            Field::Absent | Field::Null => None,
            Field::Node(tree, id) => match tree.node(*id) {
                Node::Int(i) => Some(*i as FLOAT),
                Node::Float(x) => Some(*x),
                Node::Str(s) => Some(tree.text(*s).chars().count() as FLOAT),
                Node::List { len, .. } => Some(FLOAT::from(*len)),
                _ => None,
            },
            Field::Value(d) => dynamic_measure(d),
        }
    }

    /// The field as a plain scalar, for equality tests.
    pub(super) fn scalar(&self) -> Scalar {
        match self {
            Field::Absent | Field::Null => Scalar::None,
            Field::Node(tree, id) => match tree.node(*id) {
                Node::Bool(b) => Scalar::Bool(*b),
                Node::Int(i) => Scalar::Int(*i),
                Node::Float(x) => Scalar::Float(*x),
                Node::Str(s) => Scalar::Str(tree.text(*s).to_lowercase()),
                _ => Scalar::None,
            },
            Field::Value(d) => Scalar::of(d),
        }
    }
}

pub(super) fn each_dynamic_str(d: &Dynamic, f: &mut dyn FnMut(&str)) {
    if let Some(s) = d.read_lock::<ImmutableString>() {
        f(&s);
    } else if let Some(a) = d.read_lock::<Array>() {
        for v in a.iter() {
            if let Some(s) = v.read_lock::<ImmutableString>() {
                f(&s);
            }
        }
    } else if let Some(fact) = d.read_lock::<Fact>() {
        Field::Node(&fact.tree, fact.id).each_str(f);
    }
}

pub(super) fn dynamic_measure(d: &Dynamic) -> Option<FLOAT> {
    if let Ok(i) = d.as_int() {
        return Some(i as FLOAT);
    }
    if let Ok(x) = d.as_float() {
        return Some(x);
    }
    if let Some(s) = d.read_lock::<ImmutableString>() {
        return Some(s.chars().count() as FLOAT);
    }
    if let Some(a) = d.read_lock::<Array>() {
        return Some(a.len() as FLOAT);
    }
    d.read_lock::<Fact>().and_then(|f| Field::Node(&f.tree, f.id).measure())
}

/// A scalar compared by `select_where` / `reject_where` (strings lower-cased).
#[derive(PartialEq)]
pub(super) enum Scalar {
    None,
    Bool(bool),
    Int(INT),
    Float(FLOAT),
    Str(String),
}

impl Scalar {
    pub(super) fn of(d: &Dynamic) -> Scalar {
        if let Ok(b) = d.as_bool() {
            Scalar::Bool(b)
        } else if let Ok(i) = d.as_int() {
            Scalar::Int(i)
        } else if let Ok(x) = d.as_float() {
            Scalar::Float(x)
        } else if let Some(s) = d.read_lock::<ImmutableString>() {
            Scalar::Str(s.to_lowercase())
        } else {
            Scalar::None
        }
    }
}

/// The item as a value for a result list (a fact item costs one `Arc` increment).
pub(super) fn item_value(item: Item<'_>) -> Dynamic {
    match item {
        Item::Node(tree, id) => Dynamic::from(Fact { tree: Arc::clone(tree), id }),
        Item::Value(d) => d.clone(),
    }
}

/// The field `name` of an item as JSON (`null` when absent).
pub(super) fn field_json(item: Item<'_>, name: &str) -> Value {
    match field(item, name) {
        Field::Absent | Field::Null => Value::Null,
        Field::Node(tree, id) => tree.to_value(id),
        Field::Value(d) => dynamic_to_json(&d),
    }
}

/// Tracks whether a field was found on any item, to name it as missing when a non-empty fact
/// list has it on none (it was not gathered).
#[derive(Default)]
pub(super) struct Presence {
    pub(super) first: Option<String>,
    pub(super) seen: bool,
}

impl Presence {
    pub(super) fn note(&mut self, item: Item<'_>, name: &str, f: &Field<'_>) {
        if !f.is_absent() {
            self.seen = true;
        } else if self.first.is_none()
            && let Item::Node(tree, id) = item
        {
            self.first = Some(tree.child_path(id, name));
        }
    }

    pub(super) fn check(self) -> R<()> {
        match (self.seen, self.first) {
            (false, Some(path)) => Err(missing(path)),
            _ => Ok(()),
        }
    }
}

/// The entries of a map argument (a Rhai map or an object fact).
pub(super) fn entries(d: &Dynamic, what: &str) -> R<Vec<(String, Dynamic)>> {
    if let Some(map) = d.read_lock::<Map>() {
        return Ok(map.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    }
    if let Some(fact) = d.read_lock::<Fact>()
        && !fact.is_list()
    {
        return Ok(fact
            .tree
            .entries(fact.id)
            .iter()
            .map(|(k, id)| (k.to_string(), node_dynamic(&fact.tree, *id)))
            .collect());
    }
    Err(helper_error(format!("{what}: expected a map, got {}", d.type_name())))
}

pub(super) fn node_dynamic(tree: &Arc<FactTree>, id: NodeId) -> Dynamic {
    match tree.node(id) {
        Node::Null => Dynamic::UNIT,
        Node::Bool(b) => Dynamic::from_bool(*b),
        Node::Int(i) => Dynamic::from_int(*i),
        Node::Float(x) => Dynamic::from_float(*x),
        Node::Str(s) => Dynamic::from(rhai::ImmutableString::from(tree.text(*s))),
        Node::List { .. } | Node::Map { .. } => Dynamic::from(Fact { tree: Arc::clone(tree), id }),
    }
}

/// The strings of an argument: one string, or the strings of an array or fact list.
pub(super) fn string_list(d: &Dynamic, what: &str) -> R<Vec<String>> {
    if d.read_lock::<ImmutableString>().is_none()
        && d.read_lock::<Array>().is_none()
        && d.read_lock::<Fact>().is_none_or(|f| !f.is_list())
    {
        return Err(helper_error(format!("{what}: expected a string or a list of strings, got {}", d.type_name())));
    }
    let mut out = Vec::new();
    each_dynamic_str(d, &mut |s| out.push(s.to_string()));
    Ok(out)
}

pub(super) fn string_arg(d: &Dynamic, what: &str) -> R<String> {
    d.read_lock::<ImmutableString>()
        .map(|s| s.to_string())
        .ok_or_else(|| helper_error(format!("{what}: expected a string, got {}", d.type_name())))
}

pub(super) fn number_arg(d: &Dynamic, what: &str) -> R<FLOAT> {
    d.as_int()
        .map(|i| i as FLOAT)
        .or_else(|_| d.as_float())
        .map_err(|_| helper_error(format!("{what}: expected a number, got {}", d.type_name())))
}

/// A fact list (by tree and node) and its lower-cased set.
pub(super) type CachedSet = (std::sync::Weak<FactTree>, NodeId, Arc<FastSet>);

/// The lower-cased strings of a list, as a set. A fact list (reference data such as
/// `data.public_tlds`, which every snapshot's scan passes again) is converted once per thread and
/// kept while it is among the last few used. The cache holds a weak reference to the tree: it keeps
/// no snapshot alive, and while it exists no other tree can be allocated at the same address.
pub(super) fn lower_set(d: &Dynamic, what: &str) -> R<Arc<FastSet>> {
    const KEPT: usize = 16;
    thread_local! {
        static SETS: std::cell::RefCell<Vec<CachedSet>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let build =
        || -> R<Arc<FastSet>> { Ok(Arc::new(string_list(d, what)?.iter().map(|s| s.to_lowercase()).collect())) };
    let Some(list) = d.read_lock::<Fact>().filter(|f| f.is_list()).map(|f| (*f).clone()) else {
        return build();
    };
    let cached = SETS.with_borrow(|sets| {
        sets.iter()
            .find(|(tree, id, _)| std::ptr::eq(tree.as_ptr(), Arc::as_ptr(&list.tree)) && *id == list.id)
            .map(|(_, _, set)| Arc::clone(set))
    });
    if let Some(set) = cached {
        return Ok(set);
    }
    let set = build()?;
    SETS.with_borrow_mut(|sets| {
        if sets.len() >= KEPT {
            sets.remove(0);
        }
        sets.push((Arc::downgrade(&list.tree), list.id, Arc::clone(&set)));
    });
    Ok(set)
}

/// Results as read-only objects (facts of one new tree named after the function): reading them
/// costs nothing, and large result lists don't count against the sandbox's string-size limit.
pub(super) fn as_facts(results: Vec<Value>, name: &str) -> Array {
    let tree = Arc::new(FactTree::from_value(&Value::Array(results), name));
    let root = tree.root();
    tree.items(root).iter().map(|id| Dynamic::from(Fact { tree: Arc::clone(&tree), id: *id })).collect()
}
