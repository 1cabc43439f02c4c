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
use crate::functions::{presence, size, text, time};

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
    pub(super) body: Vec<Stmt>,
}

#[derive(Debug)]
pub(super) enum Stmt {
    Let(String, Expr),
    Eval(Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    Return(Option<Expr>),
    Block(Vec<Stmt>),
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
    Closure {
        name: String,
        captured: Vec<Expr>,
    },
    /// A block used as a value (`if … { a } else { b }` on the right of a `let`).
    Block(Vec<Stmt>),
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
    IsNull,
}

impl Method {
    pub(super) fn arity(self) -> usize {
        match self {
            Method::Len | Method::IsEmpty | Method::IsNull => 0,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Func {
    /// `gib`/`mib`/`kib`: the power of two of the unit.
    Size(u32),
    Has,
    CountWhere,
    IsNull,
    EqIgnoreCase,
    /// `hours_since` & co: seconds per unit, and whether the sign is turned (`…_until`).
    Since(f64, bool),
    ParseTime,
    DurationSecs,
    DurationHours,
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

/// Why evaluation stopped early: the fast path gives up, or a `return` carries the result.
#[derive(Debug, Clone, Copy)]
enum Stop<'a> {
    Bail,
    Return(V<'a>),
}

use Stop::Bail as BAIL;

type Out<'a> = Result<V<'a>, Stop<'a>>;

/// A value: a leaf read in place, or a container node of one of the trees.
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
        let result = match env.block(&self.stmts) {
            Ok(v) | Err(Stop::Return(v)) => v,
            Err(Stop::Bail) => return Err(Bail),
        };
        match result {
            V::Bool(b) => Ok(b),
            _ => Err(Bail),
        }
    }
}

/// A node as a value: leaves in place, containers as nodes, `null` undecided.
fn read(tree: &FactTree, id: NodeId) -> Out<'_> {
    Ok(match tree.node(id) {
        Node::Null => V::Null,
        Node::Bool(b) => V::Bool(*b),
        Node::Int(i) => V::Int(*i),
        Node::Float(x) => V::Float(*x),
        Node::Str(s) => V::Str(s.as_str()),
        Node::List { .. } | Node::Map { .. } => V::Node(tree, id),
    })
}

fn boolean(v: V<'_>) -> Result<bool, Stop<'_>> {
    match v {
        V::Bool(b) => Ok(b),
        _ => Err(BAIL),
    }
}

fn list(v: V<'_>) -> Result<(&FactTree, &[NodeId]), Stop<'_>> {
    match v {
        V::Node(tree, id) if matches!(tree.node(id), Node::List { .. }) => Ok((tree, tree.items(id))),
        _ => Err(BAIL),
    }
}

impl<'a> Env<'a> {
    /// Runs statements in a scope of their own: the value of the last one (`()` for a `let`).
    fn block(&mut self, stmts: &'a [Stmt]) -> Out<'a> {
        let base = self.vars.len();
        let mut last = V::Unit;
        for stmt in stmts {
            last = match stmt {
                Stmt::Let(name, e) => {
                    let v = self.eval(e)?;
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
            };
        }
        self.vars.truncate(base);
        Ok(last)
    }

    fn eval(&mut self, e: &'a Expr) -> Out<'a> {
        match e {
            Expr::Unit => Ok(V::Unit),
            Expr::Bool(b) => Ok(V::Bool(*b)),
            Expr::Int(i) => Ok(V::Int(*i)),
            Expr::Float(x) => Ok(V::Float(*x)),
            Expr::Str(s) => Ok(V::Str(s.as_str())),
            Expr::Var(name) => self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v).ok_or(BAIL),
            Expr::Prop(receiver, key) => match self.eval(receiver)? {
                V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                    read(tree, tree.get(id, key).ok_or(BAIL)?)
                }
                _ => Err(BAIL),
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
            Expr::Closure { .. } => Err(BAIL),
            Expr::Block(stmts) => self.block(stmts),
        }
    }

    /// Calls a closure expression once per element of a list, collecting the boolean results
    /// through `each` (which says whether to go on).
    fn each_item(
        &mut self,
        closure: &'a Expr,
        items: V<'a>,
        mut each: impl FnMut(bool) -> bool,
    ) -> Result<(), Stop<'a>> {
        let Expr::Closure { name, captured } = closure else { return Err(BAIL) };
        let function = self.program.closures.get(name).ok_or(BAIL)?;
        let (param, captured_names) = function.params.split_last().ok_or(BAIL)?;
        if captured_names.len() != captured.len() {
            return Err(BAIL);
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
            // An expression closure is one expression: no scope or `return` to handle.
            let value = match function.body.as_slice() {
                [Stmt::Eval(e)] => self.eval(e),
                body => match self.block(body) {
                    Ok(v) | Err(Stop::Return(v)) => Ok(v),
                    Err(stop) => Err(stop),
                },
            };
            let verdict = value.and_then(boolean);
            self.vars.truncate(base + captured.len());
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
            None => Err(BAIL),
        };
        match method {
            Method::Any | Method::All => {
                let closure = args.first().ok_or(BAIL)?;
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
            Method::Count => self.count(args.first().ok_or(BAIL)?, receiver),
            Method::Contains => {
                let value = arg(self)?;
                match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { .. } => {
                            Ok(V::Bool(tree.items(id).iter().any(|c| leaf_equals(tree.node(*c), value))))
                        }
                        Node::Map { .. } => match value {
                            V::Str(key) => Ok(V::Bool(tree.get(id, key).is_some())),
                            _ => Err(BAIL),
                        },
                        _ => Err(BAIL),
                    },
                    V::Str(s) => match value {
                        V::Str(part) => Ok(V::Bool(s.contains(part))),
                        _ => Err(BAIL),
                    },
                    _ => Err(BAIL),
                }
            }
            Method::StartsWith | Method::EndsWith => match (receiver, arg(self)?) {
                (V::Str(s), V::Str(part)) => Ok(V::Bool(if matches!(method, Method::StartsWith) {
                    s.starts_with(part)
                } else {
                    s.ends_with(part)
                })),
                _ => Err(BAIL),
            },
            Method::IsNull => Ok(V::Bool(matches!(receiver, V::Null | V::Unit))),
            Method::Len | Method::IsEmpty => {
                let len = match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { len, .. } | Node::Map { len, .. } => i64::from(*len),
                        _ => return Err(BAIL),
                    },
                    V::Str(s) => s.chars().count() as i64,
                    _ => return Err(BAIL),
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
            Func::Size(shift) => match first {
                V::Int(n) => Ok(V::Int(size::scaled(n, shift))),
                V::Float(x) => Ok(V::Int(size::scaled_float(x, shift))),
                _ => Err(BAIL),
            },
            Func::IsNull => Ok(V::Bool(matches!(first, V::Null | V::Unit))),
            Func::EqIgnoreCase => match (first, args.get(1).map(|b| self.eval(b)).transpose()?) {
                (V::Str(a), Some(V::Str(b))) => Ok(V::Bool(text::eq_ignore_case(a, b))),
                _ => Err(BAIL),
            },
            Func::Since(unit, turned) => match first {
                V::Str(ts) => {
                    let value = time::since(ts, unit).map_err(|_| BAIL)?;
                    Ok(V::Float(if turned { -value } else { value }))
                }
                _ => Err(BAIL),
            },
            Func::ParseTime => match first {
                V::Str(ts) => Ok(V::Int(time::parse(ts).map_err(|_| BAIL)?.as_second())),
                _ => Err(BAIL),
            },
            Func::DurationSecs | Func::DurationHours => match first {
                V::Str(d) => {
                    let duration = time::duration(d).map_err(|_| BAIL)?;
                    Ok(match func {
                        Func::DurationSecs => V::Int(duration.as_secs()),
                        _ => V::Float(duration.as_secs_f64() / 3600.0),
                    })
                }
                _ => Err(BAIL),
            },
            Func::Has => match first {
                V::Str(path) => Ok(V::Bool(presence::has(self.facts, path))),
                _ => Err(BAIL),
            },
            Func::CountWhere => {
                let [items, closure] = args else { return Err(BAIL) };
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
                _ => order.ok_or(BAIL)? == Ordering::Equal,
            };
            Ok(V::Bool(equal == matches!(op, Op::Eq)))
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let o = order.ok_or(BAIL)?;
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
            .ok_or(BAIL),
            (V::Float(_) | V::Int(_), V::Float(_) | V::Int(_)) => {
                let (x, y) = (float(a), float(b));
                Ok(V::Float(match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    _ => x * y,
                }))
            }
            _ => Err(BAIL),
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
