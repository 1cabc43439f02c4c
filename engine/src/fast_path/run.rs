//! The fast path's evaluator.
//!
//! Values are read in place from the fact trees and never copied; strings, lists and maps a
//! condition builds (`to_lower`, `[]`, `#{}`, `filter`, `push`…) live in the evaluation's own
//! tables. The evaluator only ever answers what Rhai would answer: whenever a value is absent,
//! `null`, of a type an operator does not expect, an arithmetic result would overflow, a limit of
//! the sandbox would be reached, or the condition would return affected items, it gives up
//! ([`Bail`]) and the condition runs in Rhai instead, which then produces the exact outcome
//! (`inconclusive` with the missing paths, an error message, the items…). Conditions are pure, so
//! running one again is safe.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Dynamic, ImmutableString};

use super::program::{Expr, Func, Method, Op, Program, Stmt, Target};
use crate::facts::handle::{Fact, NullFact};
use crate::facts::tree::{FactTree, Node, NodeId};
use crate::functions::{presence, size, text, time};
use crate::sandbox::Limits;

/// The fast path cannot decide this one: run the condition in Rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

/// What a program runs with: the trees (as Rhai sees them, for the helpers it hands values to),
/// the engine and the condition's AST those helpers are called through, and the sandbox's limits.
pub(crate) struct Context<'a> {
    /// The snapshot's facts (`facts`).
    pub(crate) facts: &'a Arc<FactTree>,
    /// The knowledge base's reference data (`data`).
    pub(crate) data: &'a Arc<FactTree>,
    /// The engine the helpers are registered in.
    pub(crate) engine: &'a rhai::Engine,
    /// The condition's AST.
    pub(crate) ast: &'a rhai::AST,
    /// The sandbox's limits.
    pub(crate) limits: &'a Limits,
}

/// What a program decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The condition gave this boolean.
    Bool(bool),
    /// The condition gave an empty list: no affected items (a `when` passes).
    NoItems,
    /// The condition gave a list of affected items: how many, and the first
    /// [`MAX_AFFECTED_ITEMS`](crate::report::MAX_AFFECTED_ITEMS) as a report shows them.
    Items(usize, Vec<serde_json::Value>),
}

/// Why evaluation stopped early: the fast path gives up, a `return` carries the result, or a
/// loop is left (`break`) or goes on with its next item (`continue`).
#[derive(Debug, Clone, Copy)]
enum Stop<'a> {
    Bail,
    Return(V<'a>),
    Break,
    Continue,
}

use Stop::Bail as BAIL;

type Out<'a> = Result<V<'a>, Stop<'a>>;

/// A value: a leaf read in place, a container node of one of the trees, or a string, list or
/// map the condition built (an index into [`Env`]'s tables).
#[derive(Debug, Clone, Copy)]
enum V<'a> {
    Unit,
    /// A fact that is present but `null`: only `is_null` may look at it.
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Node(&'a FactTree, NodeId),
    Text(usize),
    List(usize),
    Map(usize),
}

/// The items a loop or closure goes over.
enum Items<'a> {
    /// A fact list's elements, read as they are reached (`any` may stop at the first).
    Facts(&'a FactTree, &'a [NodeId]),
    /// A copy of a built list.
    Built(Vec<V<'a>>),
}

/// What the evaluation reads from and builds: the program, the trees, the variables in scope,
/// the values it made, and the operations it has left.
struct Env<'a> {
    program: &'a Program,
    cx: &'a Context<'a>,
    /// Fact trees that helpers built (`distinct_values`…), kept for the evaluation, and the
    /// references to them.
    arena: &'a std::cell::OnceCell<typed_arena::Arena<Arc<FactTree>>>,
    built: Vec<&'a Arc<FactTree>>,
    facts: &'a FactTree,
    limits: &'a Limits,
    vars: Vec<(&'a str, V<'a>)>,
    texts: Vec<Box<str>>,
    lists: Vec<Vec<V<'a>>>,
    maps: Vec<BTreeMap<Box<str>, V<'a>>>,
    operations: u64,
    /// Calls of the condition's own functions and closures in progress.
    depth: usize,
}

impl Program {
    /// Evaluates the condition against the context's `facts` and `data`, within the sandbox's
    /// limits: `Ok` only for a result that Rhai would give too.
    pub(crate) fn run<'a>(&'a self, cx: &'a Context<'a>) -> Result<Decision, Bail> {
        let (facts, data): (&FactTree, &FactTree) = (cx.facts, cx.data);
        // Made when a helper first returns a tree of its own (most runs never need it).
        let arena = std::cell::OnceCell::new();
        let mut env = Env {
            program: self,
            cx,
            arena: &arena,
            built: Vec::new(),
            facts,
            limits: cx.limits,
            vars: vec![("facts", V::Node(facts, facts.root())), ("data", V::Node(data, data.root()))],
            texts: Vec::new(),
            lists: Vec::new(),
            maps: Vec::new(),
            operations: 0,
            depth: 0,
        };
        let (Ok(result) | Err(Stop::Return(result))) = env.block(&self.stmts) else { return Err(Bail) };
        let max = crate::report::MAX_AFFECTED_ITEMS;
        match result {
            V::Bool(b) => Ok(Decision::Bool(b)),
            V::List(i) if env.lists.get(i).is_some_and(Vec::is_empty) => Ok(Decision::NoItems),
            V::Node(tree, id) if matches!(tree.node(id), Node::List { len: 0, .. }) => Ok(Decision::NoItems),
            V::List(i) => {
                let items = env.lists.get(i).ok_or(Bail)?;
                let shown = items.iter().take(max).map(|v| env.to_json(*v)).collect::<Option<Vec<_>>>().ok_or(Bail)?;
                Ok(Decision::Items(items.len(), shown))
            }
            V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => {
                let items = tree.items(id);
                Ok(Decision::Items(items.len(), items.iter().take(max).map(|c| tree.to_value(*c)).collect()))
            }
            _ => Err(Bail),
        }
    }
}

fn boolean(v: V<'_>) -> Result<bool, Stop<'_>> {
    match v {
        V::Bool(b) => Ok(b),
        _ => Err(BAIL),
    }
}

/// Rhai's `a == b` for the values where it is plain (numbers, strings, booleans, `()`); `None`
/// for anything Rhai would decide through other functions (facts, nulls, containers).
fn plain_equal(a: Leaf<'_>, b: Leaf<'_>) -> Option<bool> {
    Some(match (a, b) {
        (Leaf::Unit, Leaf::Unit) => true,
        (Leaf::Bool(x), Leaf::Bool(y)) => x == y,
        (Leaf::Str(x), Leaf::Str(y)) => x == y,
        (Leaf::Int(_) | Leaf::Float(_), Leaf::Int(_) | Leaf::Float(_)) => compare(a, b)? == Ordering::Equal,
        (Leaf::Other, _) | (_, Leaf::Other) => return None,
        // Different plain types are never equal in Rhai.
        _ => false,
    })
}

/// A value seen as a leaf, strings resolved.
#[derive(Debug, Clone, Copy)]
enum Leaf<'s> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'s str),
    Other,
}

/// Rhai's ordering of two numbers or two strings.
fn compare(a: Leaf<'_>, b: Leaf<'_>) -> Option<Ordering> {
    match (a, b) {
        (Leaf::Int(x), Leaf::Int(y)) => Some(x.cmp(&y)),
        (Leaf::Float(x), Leaf::Float(y)) => x.partial_cmp(&y),
        (Leaf::Int(x), Leaf::Float(y)) => (x as f64).partial_cmp(&y),
        (Leaf::Float(x), Leaf::Int(y)) => x.partial_cmp(&(y as f64)),
        (Leaf::Str(x), Leaf::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

impl<'a> Env<'a> {
    /// Counts one operation; past the sandbox's limit Rhai would stop the condition, so the fast
    /// path leaves it to Rhai.
    fn tick(&mut self) -> Result<(), Stop<'a>> {
        self.operations += 1;
        if self.operations > self.limits.max_operations { Err(BAIL) } else { Ok(()) }
    }

    /// A node as a value: leaves in place, containers as nodes.
    fn read(&self, tree: &'a FactTree, id: NodeId) -> Out<'a> {
        Ok(match tree.node(id) {
            Node::Null => V::Null,
            Node::Bool(b) => V::Bool(*b),
            Node::Int(i) => V::Int(*i),
            Node::Float(x) => V::Float(*x),
            // Rhai refuses a string over its size limit wherever a function returns one.
            Node::Str(s) if s.len() > self.limits.max_string_size => return Err(BAIL),
            Node::Str(s) => V::Str(s.as_str()),
            Node::List { .. } | Node::Map { .. } => V::Node(tree, id),
        })
    }

    fn leaf(&self, v: V<'a>) -> Leaf<'_> {
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

    fn string(&self, v: V<'a>) -> Option<&str> {
        match self.leaf(v) {
            Leaf::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string the condition built, within Rhai's size limit.
    fn new_text(&mut self, s: String) -> Out<'a> {
        if s.len() > self.limits.max_string_size {
            return Err(BAIL);
        }
        self.texts.push(s.into_boxed_str());
        Ok(V::Text(self.texts.len() - 1))
    }

    /// A list the condition built, within Rhai's size limit and nesting depth (`max_data_depth`;
    /// deeper ones are left to Rhai).
    fn new_list(&mut self, items: Vec<V<'a>>) -> Out<'a> {
        if items.len() > self.limits.max_array_size || items.iter().any(|v| self.too_deep_inside(*v)) {
            return Err(BAIL);
        }
        self.lists.push(items);
        Ok(V::List(self.lists.len() - 1))
    }

    /// A map the condition built, within Rhai's size limit (and the nesting of [`new_list`]).
    fn new_map(&mut self, entries: BTreeMap<Box<str>, V<'a>>) -> Out<'a> {
        if entries.len() > self.limits.max_map_size || entries.values().any(|v| self.too_deep_inside(*v)) {
            return Err(BAIL);
        }
        self.maps.push(entries);
        Ok(V::Map(self.maps.len() - 1))
    }

    /// How deeply lists and maps nest in `v` (0 for anything else; a built list of plain values
    /// is 1), as the sandbox's `max_data_depth` counts.
    fn depth(&self, v: V<'a>) -> usize {
        let deepest = |items: &mut dyn Iterator<Item = V<'a>>| items.map(|i| self.depth(i)).max().unwrap_or(0);
        match v {
            V::List(l) => 1 + self.lists.get(l).map_or(0, |items| deepest(&mut items.iter().copied())),
            V::Map(m) => 1 + self.maps.get(m).map_or(0, |entries| deepest(&mut entries.values().copied())),
            _ => 0,
        }
    }

    /// Whether `v` inside a list or map of its own would nest deeper than the sandbox allows.
    fn too_deep_inside(&self, v: V<'a>) -> bool {
        1 + self.depth(v) > self.limits.max_data_depth
    }

    /// Whether `v` is a list or map (a value that cannot go into a container whose own place in
    /// other containers is unknown).
    fn nested(v: V<'a>) -> bool {
        matches!(v, V::List(_) | V::Map(_))
    }

    /// The value as stored in a variable or container: Rhai copies lists and maps on assignment,
    /// so a value read from a variable (`let b = a`) gets a copy of its own.
    fn stored(&mut self, v: V<'a>, aliased: bool) -> Out<'a> {
        if aliased { self.copy(v) } else { Ok(v) }
    }

    /// A deep copy of a built list or map (anything else is a value already).
    fn copy(&mut self, v: V<'a>) -> Out<'a> {
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
    fn items(&self, v: V<'a>) -> Result<Items<'a>, Stop<'a>> {
        match v {
            V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => Ok(Items::Facts(tree, tree.items(id))),
            V::List(i) => self.lists.get(i).cloned().map(Items::Built).ok_or(BAIL),
            _ => Err(BAIL),
        }
    }

    /// Item `i` of `items`, if there is one.
    fn item(&self, items: &Items<'a>, i: usize) -> Option<Out<'a>> {
        match items {
            Items::Facts(tree, ids) => ids.get(i).map(|id| self.read(tree, *id)),
            Items::Built(values) => values.get(i).copied().map(Ok),
        }
    }

    /// Runs statements in a scope of their own: the value of the last one (`()` for a `let`).
    fn block(&mut self, stmts: &'a [Stmt]) -> Out<'a> {
        let base = self.vars.len();
        let result = self.statements(stmts);
        self.vars.truncate(base);
        result
    }

    fn statements(&mut self, stmts: &'a [Stmt]) -> Out<'a> {
        let mut last = V::Unit;
        for stmt in stmts {
            self.tick()?;
            last = match stmt {
                Stmt::Let(name, e) => {
                    let v = self.eval(e)?;
                    let v = self.stored(v, aliasing(e))?;
                    if self.vars.len() >= self.limits.max_variables {
                        return Err(BAIL);
                    }
                    self.vars.push((name, v));
                    V::Unit
                }
                Stmt::Eval(e) => self.eval(e)?,
                Stmt::If(condition, then, otherwise) => {
                    let branch = if boolean(self.eval(condition)?)? { then } else { otherwise };
                    self.block(branch)?
                }
                Stmt::Return(e) => {
                    let v = match e {
                        Some(e) => self.eval(e)?,
                        None => V::Unit,
                    };
                    return Err(Stop::Return(v));
                }
                Stmt::Block(stmts) => self.block(stmts)?,
                Stmt::For(name, list, body) => {
                    let list = self.eval(list)?;
                    let items = self.items(list)?;
                    let mut i = 0;
                    while let Some(item) = self.item(&items, i) {
                        i += 1;
                        let item = item?;
                        self.tick()?;
                        let base = self.vars.len();
                        self.vars.push((name, item));
                        let step = self.statements(body);
                        self.vars.truncate(base);
                        match step {
                            Ok(_) | Err(Stop::Continue) => {}
                            Err(Stop::Break) => break,
                            Err(stop) => return Err(stop),
                        }
                    }
                    V::Unit
                }
                Stmt::Break(true) => return Err(Stop::Break),
                Stmt::Break(false) => return Err(Stop::Continue),
                Stmt::Assign(target, op, e) => {
                    self.assign(target, *op, e)?;
                    V::Unit
                }
            };
        }
        Ok(last)
    }

    fn var(&self, name: &str) -> Result<(usize, V<'a>), Stop<'a>> {
        self.vars.iter().enumerate().rev().find(|(_, (n, _))| *n == name).map(|(i, (_, v))| (i, *v)).ok_or(BAIL)
    }

    fn assign(&mut self, target: &'a Target, op: Option<Op>, e: &'a Expr) -> Result<(), Stop<'a>> {
        let value = self.eval(e)?;
        let value = self.stored(value, aliasing(e))?;
        match target {
            Target::Var(name) => {
                let (slot, old) = self.var(name)?;
                let new = match op {
                    Some(op) => self.binary(op, old, value)?,
                    None => value,
                };
                if let Some(entry) = self.vars.get_mut(slot) {
                    entry.1 = new;
                }
                Ok(())
            }
            Target::Index(name, index) => {
                // The variable's container is not inside another one: its depth is known.
                if op.is_some() || self.too_deep_inside(value) {
                    return Err(BAIL);
                }
                let (_, container) = self.var(name)?;
                let index = self.eval(index)?;
                match container {
                    V::Map(m) => {
                        let key: Box<str> = self.string(index).ok_or(BAIL)?.into();
                        let max = self.limits.max_map_size;
                        let map = self.maps.get_mut(m).ok_or(BAIL)?;
                        map.insert(key, value);
                        if map.len() > max { Err(BAIL) } else { Ok(()) }
                    }
                    V::List(l) => {
                        let V::Int(i) = index else { return Err(BAIL) };
                        let list = self.lists.get_mut(l).ok_or(BAIL)?;
                        let slot = position(i, list.len()).ok_or(BAIL)?;
                        *list.get_mut(slot).ok_or(BAIL)? = value;
                        Ok(())
                    }
                    _ => Err(BAIL),
                }
            }
        }
    }

    fn eval(&mut self, e: &'a Expr) -> Out<'a> {
        match e {
            Expr::Unit => Ok(V::Unit),
            Expr::Bool(b) => Ok(V::Bool(*b)),
            Expr::Int(i) => Ok(V::Int(*i)),
            Expr::Float(x) => Ok(V::Float(*x)),
            Expr::Str(s) => Ok(V::Str(s.as_str())),
            Expr::Var(name) => self.var(name).map(|(_, v)| v),
            Expr::Prop(receiver, key) => {
                let receiver = self.eval(receiver)?;
                self.property(receiver, key)
            }
            Expr::Index(receiver, index) => {
                let (receiver, index) = (self.eval(receiver)?, self.eval(index)?);
                self.index(receiver, index)
            }
            Expr::Method(receiver, method, args) => {
                let top_level = matches!(**receiver, Expr::Var(_));
                let receiver = self.eval(receiver)?;
                self.method(receiver, *method, args, top_level)
            }
            Expr::Call(func, args) => self.call(*func, args),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.binary(*op, a, b)
            }
            Expr::Not(a) => Ok(V::Bool(!boolean(self.eval(a)?)?)),
            Expr::Neg(a) => match self.eval(a)? {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(BAIL),
                V::Float(x) => Ok(V::Float(-x)),
                _ => Err(BAIL),
            },
            Expr::And(terms) => {
                for t in terms {
                    if !boolean(self.eval(t)?)? {
                        return Ok(V::Bool(false));
                    }
                }
                Ok(V::Bool(true))
            }
            Expr::Or(terms) => {
                for t in terms {
                    if boolean(self.eval(t)?)? {
                        return Ok(V::Bool(true));
                    }
                }
                Ok(V::Bool(false))
            }
            Expr::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.eval(item)?;
                    values.push(self.stored(v, aliasing(item))?);
                }
                self.new_list(values)
            }
            Expr::Map(entries) => {
                let mut map = BTreeMap::new();
                for (key, value) in entries {
                    let v = self.eval(value)?;
                    let v = self.stored(v, aliasing(value))?;
                    map.insert(Box::from(key.as_str()), v);
                }
                self.new_map(map)
            }
            Expr::Script(key, args) => self.script(key, args),
            Expr::Helper(helper, args) => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    let v = self.eval(arg)?;
                    values.push(self.to_dynamic(v)?);
                }
                let result = helper.call::<Dynamic>(self.cx.engine, self.cx.ast, values).map_err(|_| BAIL)?;
                self.read_dynamic(&result)
            }
            Expr::Closure { .. } | Expr::Unsupported => Err(BAIL),
            Expr::Block(stmts) => self.block(stmts),
        }
    }

    /// The tree `tree` is, as Rhai holds it.
    fn shared(&self, tree: &FactTree) -> Result<&'a Arc<FactTree>, Stop<'a>> {
        [self.cx.facts, self.cx.data]
            .into_iter()
            .chain(self.built.iter().copied())
            .find(|t| std::ptr::eq(Arc::as_ptr(t), tree))
            .ok_or(BAIL)
    }

    /// A value as Rhai would hold it, to hand to a helper.
    fn to_dynamic(&self, v: V<'a>) -> Result<Dynamic, Stop<'a>> {
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
    fn to_json(&self, v: V<'a>) -> Option<serde_json::Value> {
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
    fn read_dynamic(&mut self, d: &Dynamic) -> Out<'a> {
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

    /// Calls one of the condition's own `fn`s: the arguments by value, and nothing else of the
    /// caller's scope in sight (as in Rhai).
    fn script(&mut self, key: &str, args: &'a [Expr]) -> Out<'a> {
        let function = self.program.closures.get(key).ok_or(BAIL)?;
        if function.params.len() != args.len() {
            return Err(BAIL);
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let v = self.eval(arg)?;
            values.push(self.stored(v, aliasing(arg))?);
        }
        self.enter()?;
        let caller = std::mem::take(&mut self.vars);
        self.vars.extend(function.params.iter().map(String::as_str).zip(values));
        let result = match self.block(&function.body) {
            Ok(v) | Err(Stop::Return(v)) => Ok(v),
            Err(_) => Err(BAIL),
        };
        self.vars = caller;
        self.depth -= 1;
        result
    }

    /// One call level deeper. Rhai counts a level for each function call, and more for the
    /// helpers that call closures; staying within half its limit keeps the fast path on the safe
    /// side.
    fn enter(&mut self) -> Result<(), Stop<'a>> {
        self.depth += 1;
        if self.depth * 2 >= self.limits.max_call_levels {
            self.depth -= 1;
            return Err(BAIL);
        }
        Ok(())
    }

    /// `receiver.key`: a fact object's child (absent: Rhai's to report), a built map's entry
    /// (`()` when absent, as in Rhai).
    fn property(&self, receiver: V<'a>, key: &str) -> Out<'a> {
        match receiver {
            V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                self.read(tree, tree.get(id, key).ok_or(BAIL)?)
            }
            V::Map(m) => Ok(self.maps.get(m).ok_or(BAIL)?.get(key).copied().unwrap_or(V::Unit)),
            _ => Err(BAIL),
        }
    }

    /// `receiver[index]`: a key of an object or map, an element of a list (negative counts from
    /// the end; out of range is Rhai's to report).
    fn index(&self, receiver: V<'a>, index: V<'a>) -> Out<'a> {
        match (receiver, index) {
            (V::Node(tree, id), V::Int(i)) if matches!(tree.node(id), Node::List { .. }) => {
                let slot = position(i, tree.items(id).len()).ok_or(BAIL)?;
                self.read(tree, tree.item(id, slot).ok_or(BAIL)?)
            }
            (V::List(l), V::Int(i)) => {
                let list = self.lists.get(l).ok_or(BAIL)?;
                list.get(position(i, list.len()).ok_or(BAIL)?).copied().ok_or(BAIL)
            }
            (V::Node(..) | V::Map(_), key) => {
                let key = self.string(key).ok_or(BAIL)?.to_owned();
                self.property(receiver, &key)
            }
            _ => Err(BAIL),
        }
    }

    /// Calls a closure expression once per item, collecting the results through `each` (which
    /// says whether to go on).
    fn each_item(
        &mut self,
        closure: &'a Expr,
        items: V<'a>,
        mut each: impl FnMut(V<'a>, V<'a>) -> Result<bool, Stop<'a>>,
    ) -> Result<(), Stop<'a>> {
        let Expr::Closure { name, captured } = closure else { return Err(BAIL) };
        let function = self.program.closures.get(name).ok_or(BAIL)?;
        let (param, captured_names) = function.params.split_last().ok_or(BAIL)?;
        if captured_names.len() != captured.len() {
            return Err(BAIL);
        }
        let items = self.items(items)?;
        self.enter()?;
        let base = self.vars.len();
        let mut result = Ok(());
        for (name, e) in captured_names.iter().zip(captured) {
            match self.eval(e) {
                Ok(v) => self.vars.push((name, v)),
                Err(stop) => {
                    result = Err(stop);
                    break;
                }
            }
        }
        if result.is_ok() {
            let mut i = 0;
            while let Some(item) = self.item(&items, i) {
                i += 1;
                let item = match item {
                    Ok(item) => item,
                    Err(stop) => {
                        result = Err(stop);
                        break;
                    }
                };
                if let Err(stop) = self.tick() {
                    result = Err(stop);
                    break;
                }
                self.vars.push((param, item));
                // An expression closure is one expression: no scope or `return` to handle.
                let value = match function.body.as_slice() {
                    [Stmt::Eval(e)] => self.eval(e),
                    body => match self.block(body) {
                        Ok(v) | Err(Stop::Return(v)) => Ok(v),
                        Err(stop) => Err(stop),
                    },
                };
                self.vars.truncate(base + captured.len());
                match value.and_then(|v| each(item, v)) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(stop) => {
                        result = Err(stop);
                        break;
                    }
                }
            }
        }
        self.vars.truncate(base);
        self.depth -= 1;
        result.map_err(|_| BAIL)
    }

    /// How many items the closure holds true for (`count`, `count_where`).
    fn count(&mut self, closure: &'a Expr, items: V<'a>) -> Out<'a> {
        let mut n = 0i64;
        self.each_item(closure, items, |_, v| {
            n += i64::from(boolean(v)?);
            Ok(true)
        })?;
        Ok(V::Int(n))
    }

    /// Calls `method` on `receiver`; `top_level` says the receiver is a variable's own value.
    fn method(&mut self, receiver: V<'a>, method: Method, args: &'a [Expr], top_level: bool) -> Out<'a> {
        let first = args.first();
        match method {
            Method::Any | Method::All => {
                let want = matches!(method, Method::Any);
                let mut found = !want;
                self.each_item(first.ok_or(BAIL)?, receiver, |_, v| {
                    if boolean(v)? == want {
                        found = want;
                        return Ok(false);
                    }
                    Ok(true)
                })?;
                Ok(V::Bool(found))
            }
            Method::Count => self.count(first.ok_or(BAIL)?, receiver),
            Method::Filter | Method::Map | Method::Find => {
                // `find` on a built list is Rhai's own (with other semantics): only fact lists here.
                if matches!(method, Method::Find) && !matches!(receiver, V::Node(..)) {
                    return Err(BAIL);
                }
                let mut out = Vec::new();
                self.each_item(first.ok_or(BAIL)?, receiver, |item, v| {
                    if let Method::Map = method {
                        out.push(v);
                        return Ok(true);
                    }
                    let keep = boolean(v)?;
                    if keep {
                        out.push(item);
                    }
                    Ok(!(keep && matches!(method, Method::Find)))
                })?;
                if matches!(method, Method::Find) {
                    return Ok(out.first().copied().unwrap_or(V::Unit));
                }
                self.new_list(out)
            }
            Method::Push => {
                let arg = first.ok_or(BAIL)?;
                let value = self.eval(arg)?;
                let value = self.stored(value, aliasing(arg))?;
                let V::List(l) = receiver else { return Err(BAIL) };
                // Into a variable's own list, as deep as the sandbox allows; into a list inside
                // another container (whose depth is not tracked), plain values only.
                if if top_level { self.too_deep_inside(value) } else { Self::nested(value) } {
                    return Err(BAIL);
                }
                let max = self.limits.max_array_size;
                let list = self.lists.get_mut(l).ok_or(BAIL)?;
                list.push(value);
                if list.len() > max { Err(BAIL) } else { Ok(V::Unit) }
            }
            Method::Keys => {
                let keys: Vec<String> = match receiver {
                    V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                        tree.entries(id).iter().map(|(k, _)| k.to_string()).collect()
                    }
                    V::Map(m) => self.maps.get(m).ok_or(BAIL)?.keys().map(ToString::to_string).collect(),
                    _ => return Err(BAIL),
                };
                let keys = keys.into_iter().map(|k| self.new_text(k)).collect::<Result<Vec<_>, _>>()?;
                self.new_list(keys)
            }
            Method::ToLower | Method::ToUpper => {
                let s = self.string(receiver).ok_or(BAIL)?;
                // Rhai returns the string itself when nothing changes; the value is the same.
                let changed = if matches!(method, Method::ToLower) { s.to_lowercase() } else { s.to_uppercase() };
                if changed == s {
                    return Ok(receiver);
                }
                self.new_text(changed)
            }
            Method::Contains => {
                let value = self.eval(first.ok_or(BAIL)?)?;
                self.contains(receiver, value)
            }
            Method::StartsWith | Method::EndsWith => {
                let value = self.eval(first.ok_or(BAIL)?)?;
                let (s, part) = (self.string(receiver).ok_or(BAIL)?, self.string(value).ok_or(BAIL)?);
                Ok(V::Bool(if matches!(method, Method::StartsWith) { s.starts_with(part) } else { s.ends_with(part) }))
            }
            Method::IsNull => Ok(V::Bool(matches!(receiver, V::Null | V::Unit))),
            Method::Len | Method::IsEmpty => {
                let len = match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { len, .. } | Node::Map { len, .. } => i64::from(*len),
                        _ => return Err(BAIL),
                    },
                    V::List(l) => self.lists.get(l).ok_or(BAIL)?.len() as i64,
                    V::Map(m) => self.maps.get(m).ok_or(BAIL)?.len() as i64,
                    other => self.string(other).ok_or(BAIL)?.chars().count() as i64,
                };
                Ok(if matches!(method, Method::Len) { V::Int(len) } else { V::Bool(len == 0) })
            }
        }
    }

    /// `receiver.contains(value)` (and `value in receiver`).
    fn contains(&self, receiver: V<'a>, value: V<'a>) -> Out<'a> {
        match receiver {
            V::Node(tree, id) => match tree.node(id) {
                Node::List { .. } => {
                    Ok(V::Bool(tree.items(id).iter().any(|c| leaf_equals(tree.node(*c), self.leaf(value)))))
                }
                Node::Map { .. } => Ok(V::Bool(tree.get(id, self.string(value).ok_or(BAIL)?).is_some())),
                _ => Err(BAIL),
            },
            V::List(l) => {
                let needle = self.leaf(value);
                for item in self.lists.get(l).ok_or(BAIL)? {
                    if plain_equal(self.leaf(*item), needle).ok_or(BAIL)? {
                        return Ok(V::Bool(true));
                    }
                }
                Ok(V::Bool(false))
            }
            V::Map(m) => Ok(V::Bool(self.maps.get(m).ok_or(BAIL)?.contains_key(self.string(value).ok_or(BAIL)?))),
            other => {
                let (s, part) = (self.string(other).ok_or(BAIL)?, self.string(value).ok_or(BAIL)?);
                Ok(V::Bool(s.contains(part)))
            }
        }
    }

    fn call(&mut self, func: Func, args: &'a [Expr]) -> Out<'a> {
        let first = match args.first() {
            Some(a) if !matches!(func, Func::CountWhere) => self.eval(a)?,
            _ => V::Unit,
        };
        match func {
            Func::Size(shift) => match first {
                V::Int(n) => Ok(V::Int(size::scaled(n, shift))),
                V::Float(x) => Ok(V::Int(size::scaled_float(x, shift))),
                _ => Err(BAIL),
            },
            Func::IsNull => Ok(V::Bool(matches!(first, V::Null | V::Unit))),
            Func::EqIgnoreCase => {
                let second = self.eval(args.get(1).ok_or(BAIL)?)?;
                match (self.string(first), self.string(second)) {
                    (Some(a), Some(b)) => Ok(V::Bool(text::eq_ignore_case(a, b))),
                    _ => Err(BAIL),
                }
            }
            Func::Since(unit, turned) => {
                let value = time::since(self.string(first).ok_or(BAIL)?, unit).map_err(|_| BAIL)?;
                Ok(V::Float(if turned { -value } else { value }))
            }
            Func::ParseTime => Ok(V::Int(time::parse(self.string(first).ok_or(BAIL)?).map_err(|_| BAIL)?.as_second())),
            Func::DurationSecs | Func::DurationHours => {
                let duration = time::duration(self.string(first).ok_or(BAIL)?).map_err(|_| BAIL)?;
                Ok(match func {
                    Func::DurationSecs => V::Int(duration.as_secs()),
                    _ => V::Float(duration.as_secs_f64() / 3600.0),
                })
            }
            Func::Has => Ok(V::Bool(presence::has(self.facts, self.string(first).ok_or(BAIL)?))),
            Func::CountWhere => {
                let [items, closure] = args else { return Err(BAIL) };
                let items = self.eval(items)?;
                self.count(closure, items)
            }
        }
    }

    /// Rhai's built-in operators on the types they are defined for; anything else is Rhai's to decide.
    fn binary(&mut self, op: Op, a: V<'a>, b: V<'a>) -> Out<'a> {
        let (x, y) = (self.leaf(a), self.leaf(b));
        match op {
            Op::Eq | Op::Ne => {
                let equal = match (x, y) {
                    (Leaf::Bool(x), Leaf::Bool(y)) => x == y,
                    (Leaf::Unit, Leaf::Unit) => true,
                    _ => compare(x, y).ok_or(BAIL)? == Ordering::Equal,
                };
                Ok(V::Bool(equal == matches!(op, Op::Eq)))
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let o = compare(x, y).ok_or(BAIL)?;
                Ok(V::Bool(match op {
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }))
            }
            Op::Add | Op::Sub | Op::Mul | Op::Div => match (x, y) {
                (Leaf::Int(x), Leaf::Int(y)) => match op {
                    Op::Add => x.checked_add(y),
                    Op::Sub => x.checked_sub(y),
                    Op::Mul => x.checked_mul(y),
                    _ => x.checked_div(y),
                }
                .map(V::Int)
                .ok_or(BAIL),
                (Leaf::Float(_) | Leaf::Int(_), Leaf::Float(_) | Leaf::Int(_)) => {
                    let (x, y) = (float(x), float(y));
                    if matches!(op, Op::Div) && y == 0.0 {
                        return Err(BAIL);
                    }
                    Ok(V::Float(match op {
                        Op::Add => x + y,
                        Op::Sub => x - y,
                        Op::Mul => x * y,
                        _ => x / y,
                    }))
                }
                (Leaf::Other, Leaf::Other) if matches!(op, Op::Add) => match (a, b) {
                    // Rhai's `+` on two arrays: a new one with the items of both.
                    (V::List(x), V::List(y)) => {
                        let mut items = self.lists.get(x).ok_or(BAIL)?.clone();
                        items.extend(self.lists.get(y).ok_or(BAIL)?.iter().copied());
                        let items = items.into_iter().map(|i| self.copy(i)).collect::<Result<Vec<_>, _>>()?;
                        self.new_list(items)
                    }
                    _ => Err(BAIL),
                },
                (Leaf::Str(x), Leaf::Str(y)) if matches!(op, Op::Add) => {
                    let joined = [x, y].concat();
                    self.new_text(joined)
                }
                _ => Err(BAIL),
            },
        }
    }
}

/// Whether an expression's value may be a list or map that lives on elsewhere (a variable, a
/// container's entry), so storing it needs a copy of its own.
fn aliasing(e: &Expr) -> bool {
    matches!(e, Expr::Var(_) | Expr::Prop(..) | Expr::Index(..) | Expr::Block(_))
}

/// The position of element `index` (negative counts from the end) in a list of `len`.
fn position(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let real = if index < 0 { len.checked_add(index)? } else { index };
    usize::try_from(real).ok().filter(|i| (*i as i64) < len)
}

/// `contains` on a fact list: an element of the same type and value (as [`crate::facts::api`]).
fn leaf_equals(node: &Node, value: Leaf<'_>) -> bool {
    match (node, value) {
        (Node::Str(s), Leaf::Str(v)) => s.as_str() == v,
        (Node::Int(i), Leaf::Int(v)) => *i == v,
        (Node::Float(x), Leaf::Float(v)) => *x == v,
        (Node::Bool(b), Leaf::Bool(v)) => *b == v,
        _ => false,
    }
}

fn float(v: Leaf<'_>) -> f64 {
    match v {
        Leaf::Int(i) => i as f64,
        Leaf::Float(x) => x,
        _ => f64::NAN,
    }
}
