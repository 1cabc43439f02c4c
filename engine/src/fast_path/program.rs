//! The fast path's program and its evaluator.
//!
//! Values are read in place from the fact trees and never copied. The evaluator only ever answers
//! what Rhai would answer: whenever a value is absent, `null`, of a type an operator does not
//! expect, or an arithmetic result would overflow, it gives up ([`Bail`]) and the condition runs in
//! Rhai instead, which then produces the exact outcome (`inconclusive` with the missing paths, an
//! error message…). Conditions are pure, so running one again is safe.

use std::collections::HashMap;

use rhai::ImmutableString;

use crate::facts::tree::{FactTree, Node, NodeId};

/// A lowered condition: statements and the closures they pass to `any`/`all`/`count`/`count_where`.
#[derive(Debug)]
pub(crate) struct Program {
    pub(super) stmts: Vec<Stmt>,
    pub(super) closures: HashMap<String, Closure>,
}

/// An anonymous function: captured variables first, then the item.
#[derive(Debug)]
pub(super) struct Closure {
    pub(super) params: Vec<String>,
    pub(super) body: Expr,
}

#[derive(Debug)]
pub(super) enum Stmt {
    Let(String, Expr),
    Eval(Expr),
}

#[derive(Debug)]
pub(super) enum Expr {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(ImmutableString),
    Var(String),
    Prop(Box<Expr>, ImmutableString),
    Method(Box<Expr>, Method, Vec<Expr>),
    Call(Func, Vec<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Closure { name: String, captured: Vec<Expr> },
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Method {
    Any,
    All,
    Count,
    Contains,
    StartsWith,
    EndsWith,
    Len,
    IsEmpty,
}

impl Method {
    pub(super) fn arity(self) -> usize {
        match self {
            Method::Len | Method::IsEmpty => 0,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Func {
    Gib,
    Mib,
    Kib,
    Has,
    CountWhere,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
}

/// The fast path cannot decide this one: run the condition in Rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

type Out<'a> = Result<V<'a>, Bail>;

/// A value: a leaf read in place, or a container node of one of the trees.
#[derive(Debug, Clone, Copy)]
enum V<'a> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Node(&'a FactTree, NodeId),
}

/// What the evaluation reads from: the program, the trees, and the variables in scope.
struct Env<'a> {
    program: &'a Program,
    facts: &'a FactTree,
    vars: Vec<(&'a str, V<'a>)>,
}

impl Program {
    /// Evaluates the condition against `facts` (as `facts`) and `data` (as `data`); `Ok` only for a
    /// boolean result that Rhai would give too.
    pub(crate) fn run(&self, facts: &FactTree, data: &FactTree) -> Result<bool, Bail> {
        let mut env = Env {
            program: self,
            facts,
            vars: vec![("facts", V::Node(facts, facts.root())), ("data", V::Node(data, data.root()))],
        };
        let mut last = V::Unit;
        for stmt in &self.stmts {
            match stmt {
                Stmt::Let(name, e) => {
                    let v = env.eval(e)?;
                    env.vars.push((name, v));
                }
                Stmt::Eval(e) => last = env.eval(e)?,
            }
        }
        match last {
            V::Bool(b) => Ok(b),
            _ => Err(Bail),
        }
    }
}

/// A node as a value: leaves in place, containers as nodes, `null` undecided.
fn read(tree: &FactTree, id: NodeId) -> Out<'_> {
    Ok(match tree.node(id) {
        Node::Null => return Err(Bail),
        Node::Bool(b) => V::Bool(*b),
        Node::Int(i) => V::Int(*i),
        Node::Float(x) => V::Float(*x),
        Node::Str(s) => V::Str(s.as_str()),
        Node::List { .. } | Node::Map { .. } => V::Node(tree, id),
    })
}

fn boolean(v: V<'_>) -> Result<bool, Bail> {
    match v {
        V::Bool(b) => Ok(b),
        _ => Err(Bail),
    }
}

fn list(v: V<'_>) -> Result<(&FactTree, &[NodeId]), Bail> {
    match v {
        V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => Ok((tree, tree.items(id))),
        _ => Err(Bail),
    }
}

impl<'a> Env<'a> {
    fn eval(&mut self, e: &'a Expr) -> Out<'a> {
        match e {
            Expr::Unit => Ok(V::Unit),
            Expr::Bool(b) => Ok(V::Bool(*b)),
            Expr::Int(i) => Ok(V::Int(*i)),
            Expr::Float(x) => Ok(V::Float(*x)),
            Expr::Str(s) => Ok(V::Str(s.as_str())),
            Expr::Var(name) => self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v).ok_or(Bail),
            Expr::Prop(receiver, key) => match self.eval(receiver)? {
                V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                    read(tree, tree.get(id, key).ok_or(Bail)?)
                }
                _ => Err(Bail),
            },
            Expr::Method(receiver, method, args) => {
                let receiver = self.eval(receiver)?;
                self.method(receiver, *method, args)
            }
            Expr::Call(func, args) => self.call(*func, args),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                binary(*op, a, b)
            }
            Expr::Not(a) => Ok(V::Bool(!boolean(self.eval(a)?)?)),
            Expr::Neg(a) => match self.eval(a)? {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(Bail),
                V::Float(x) => Ok(V::Float(-x)),
                _ => Err(Bail),
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
            Expr::Closure { .. } => Err(Bail),
        }
    }

    /// Calls a closure expression once per element of a list, collecting the boolean results
    /// through `each` (which says whether to go on).
    fn each_item(&mut self, closure: &'a Expr, items: V<'a>, mut each: impl FnMut(bool) -> bool) -> Result<(), Bail> {
        let Expr::Closure { name, captured } = closure else { return Err(Bail) };
        let function = self.program.closures.get(name).ok_or(Bail)?;
        let (param, captured_names) = function.params.split_last().ok_or(Bail)?;
        if captured_names.len() != captured.len() {
            return Err(Bail);
        }
        let base = self.vars.len();
        for (name, e) in captured_names.iter().zip(captured) {
            let v = self.eval(e)?;
            self.vars.push((name, v));
        }
        let (tree, ids) = list(items)?;
        let mut result = Ok(());
        for id in ids {
            let item = match read(tree, *id) {
                Ok(v) => v,
                Err(b) => {
                    result = Err(b);
                    break;
                }
            };
            self.vars.push((param, item));
            let verdict = self.eval(&function.body).and_then(boolean);
            self.vars.pop();
            match verdict {
                Ok(b) if each(b) => {}
                Ok(_) => break,
                Err(b) => {
                    result = Err(b);
                    break;
                }
            }
        }
        self.vars.truncate(base);
        result
    }

    /// How many items the closure holds true for (`count`, `count_where`).
    fn count(&mut self, closure: &'a Expr, items: V<'a>) -> Out<'a> {
        let mut n = 0i64;
        self.each_item(closure, items, |b| {
            n += i64::from(b);
            true
        })?;
        Ok(V::Int(n))
    }

    fn method(&mut self, receiver: V<'a>, method: Method, args: &'a [Expr]) -> Out<'a> {
        let arg = |env: &mut Self| match args.first() {
            Some(a) => env.eval(a),
            None => Err(Bail),
        };
        match method {
            Method::Any | Method::All => {
                let closure = args.first().ok_or(Bail)?;
                let want = matches!(method, Method::Any);
                let mut found = !want;
                self.each_item(closure, receiver, |b| {
                    if b == want {
                        found = want;
                        return false;
                    }
                    true
                })?;
                Ok(V::Bool(found))
            }
            Method::Count => self.count(args.first().ok_or(Bail)?, receiver),
            Method::Contains => {
                let value = arg(self)?;
                match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { .. } => {
                            Ok(V::Bool(tree.items(id).iter().any(|c| leaf_equals(tree.node(*c), value))))
                        }
                        Node::Map { .. } => match value {
                            V::Str(key) => Ok(V::Bool(tree.get(id, key).is_some())),
                            _ => Err(Bail),
                        },
                        _ => Err(Bail),
                    },
                    V::Str(s) => match value {
                        V::Str(part) => Ok(V::Bool(s.contains(part))),
                        _ => Err(Bail),
                    },
                    _ => Err(Bail),
                }
            }
            Method::StartsWith | Method::EndsWith => match (receiver, arg(self)?) {
                (V::Str(s), V::Str(part)) => Ok(V::Bool(if matches!(method, Method::StartsWith) {
                    s.starts_with(part)
                } else {
                    s.ends_with(part)
                })),
                _ => Err(Bail),
            },
            Method::Len | Method::IsEmpty => {
                let len = match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { len, .. } | Node::Map { len, .. } => i64::from(*len),
                        _ => return Err(Bail),
                    },
                    V::Str(s) => s.chars().count() as i64,
                    _ => return Err(Bail),
                };
                Ok(if matches!(method, Method::Len) { V::Int(len) } else { V::Bool(len == 0) })
            }
        }
    }

    fn call(&mut self, func: Func, args: &'a [Expr]) -> Out<'a> {
        let first = match args.first() {
            Some(a) if !matches!(func, Func::CountWhere) => self.eval(a)?,
            _ => V::Unit,
        };
        match func {
            Func::Gib | Func::Mib | Func::Kib => {
                let shift = match func {
                    Func::Gib => 30,
                    Func::Mib => 20,
                    _ => 10,
                };
                match first {
                    V::Int(n) => Ok(V::Int(n.saturating_mul(1 << shift))),
                    V::Float(x) => Ok(V::Int((x * f64::from(1u32 << shift)) as i64)),
                    _ => Err(Bail),
                }
            }
            Func::Has => match first {
                V::Str(path) => {
                    let relative = path.strip_prefix("facts.").unwrap_or(path);
                    Ok(V::Bool(self.facts.lookup(self.facts.root(), relative).is_some()))
                }
                _ => Err(Bail),
            },
            Func::CountWhere => {
                let [items, closure] = args else { return Err(Bail) };
                let items = self.eval(items)?;
                self.count(closure, items)
            }
        }
    }
}

/// `contains` on a fact list: an element of the same type and value (as [`crate::facts::api`]).
fn leaf_equals(node: &Node, value: V<'_>) -> bool {
    match (node, value) {
        (Node::Str(s), V::Str(v)) => s.as_str() == v,
        (Node::Int(i), V::Int(v)) => *i == v,
        (Node::Float(x), V::Float(v)) => *x == v,
        (Node::Bool(b), V::Bool(v)) => *b == v,
        _ => false,
    }
}

/// Rhai's built-in operators on the types they are defined for; anything else is Rhai's to decide.
fn binary<'a>(op: Op, a: V<'a>, b: V<'a>) -> Out<'a> {
    use std::cmp::Ordering;
    let order: Option<Ordering> = match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(&y)),
        (V::Float(x), V::Float(y)) => x.partial_cmp(&y),
        (V::Int(x), V::Float(y)) => (x as f64).partial_cmp(&y),
        (V::Float(x), V::Int(y)) => x.partial_cmp(&(y as f64)),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match op {
        Op::Eq | Op::Ne => {
            let equal = match (a, b) {
                (V::Bool(x), V::Bool(y)) => x == y,
                (V::Unit, V::Unit) => true,
                _ => order.ok_or(Bail)? == Ordering::Equal,
            };
            Ok(V::Bool(equal == matches!(op, Op::Eq)))
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let o = order.ok_or(Bail)?;
            Ok(V::Bool(match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }))
        }
        Op::Add | Op::Sub | Op::Mul => match (a, b) {
            (V::Int(x), V::Int(y)) => match op {
                Op::Add => x.checked_add(y),
                Op::Sub => x.checked_sub(y),
                _ => x.checked_mul(y),
            }
            .map(V::Int)
            .ok_or(Bail),
            (V::Float(_) | V::Int(_), V::Float(_) | V::Int(_)) => {
                let (x, y) = (float(a), float(b));
                Ok(V::Float(match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    _ => x * y,
                }))
            }
            _ => Err(Bail),
        },
    }
}

fn float(v: V<'_>) -> f64 {
    match v {
        V::Int(i) => i as f64,
        V::Float(x) => x,
        _ => f64::NAN,
    }
}
