//! The fast path's program: what [`lower`](super::lower) makes of a condition and
//! [`run`](super::run) evaluates.

use std::collections::HashMap;

use rhai::ImmutableString;

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
    /// `for var in list { body }`.
    For(String, Expr, Vec<Stmt>),
    /// `break` (true) or `continue` (false).
    Break(bool),
    /// `target = value` or `target op= value` (the operator of a compound assignment).
    Assign(Target, Option<Op>, Expr),
}

/// What an assignment writes to: a variable, or a key or element of the container it holds.
#[derive(Debug)]
pub(super) enum Target {
    Var(String),
    Index(String, Expr),
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
    /// `receiver[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// An array literal.
    Array(Vec<Expr>),
    /// An object-map literal.
    Map(Vec<(ImmutableString, Expr)>),
    /// A call of one of the condition's own `fn`s (by [`script_key`](super::lower::script_key)).
    Script(String, Vec<Expr>),
    /// A call of one of the engine's helpers the fast path does not mirror (`find_values`,
    /// `split`…): the arguments are handed to Rhai's own function and its result read back.
    Helper(rhai::FnPtr, Vec<Expr>),
    /// Something the fast path does not mirror, in a place that only runs on some snapshots
    /// (building a matched rule's items, say): reaching it hands the condition to Rhai.
    Unsupported,
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
    Filter,
    Map,
    Find,
    Push,
    Keys,
    ToLower,
    ToUpper,
}

impl Method {
    /// The method called `name` (on any receiver), if the fast path mirrors it.
    pub(super) fn named(name: &str) -> Option<Method> {
        Some(match name {
            "any" => Method::Any,
            "all" => Method::All,
            "count" => Method::Count,
            "contains" => Method::Contains,
            "starts_with" => Method::StartsWith,
            "ends_with" => Method::EndsWith,
            "len" => Method::Len,
            "is_empty" => Method::IsEmpty,
            "is_null" => Method::IsNull,
            "filter" => Method::Filter,
            "map" => Method::Map,
            "find" => Method::Find,
            "push" => Method::Push,
            "keys" => Method::Keys,
            "to_lower" => Method::ToLower,
            "to_upper" => Method::ToUpper,
            _ => return None,
        })
    }

    pub(super) fn arity(self) -> usize {
        match self {
            Method::Len | Method::IsEmpty | Method::IsNull | Method::Keys | Method::ToLower | Method::ToUpper => 0,
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
    Div,
}

impl Op {
    /// The arithmetic operator written `syntax` (`+` of `+=`), if the fast path mirrors it.
    pub(super) fn arithmetic(syntax: &str) -> Option<Op> {
        Some(match syntax {
            "+" => Op::Add,
            "-" => Op::Sub,
            "*" => Op::Mul,
            "/" => Op::Div,
            _ => return None,
        })
    }
}

impl Program {
    /// Whether running the program always reaches an [`Expr::Unsupported`] (then lowering it
    /// would only add work): one in a main statement outside any branch, loop body or closure.
    pub(super) fn always_unsupported(&self) -> bool {
        self.stmts.iter().any(Stmt::always_unsupported)
    }

    /// Whether any closure body assigns or pushes (Rhai shares captured variables with the caller,
    /// which the fast path does not mirror; a `fn` only changes its own copies of its arguments).
    pub(super) fn closures_mutate(&self) -> bool {
        self.closures.iter().any(|(name, c)| name.starts_with("anon$") && c.body.iter().any(Stmt::mutates))
    }
}

impl Program {
    /// Turns calls of functions the condition does not define (helpers the fast path does not
    /// mirror) into [`Expr::Unsupported`].
    pub(super) fn resolve_calls(&mut self) {
        let known: std::collections::HashSet<String> = self.closures.keys().cloned().collect();
        let resolve = |stmts: &mut Vec<Stmt>| stmts.iter_mut().for_each(|s| s.resolve(&known));
        resolve(&mut self.stmts);
        self.closures.values_mut().for_each(|c| resolve(&mut c.body));
    }
}

impl Stmt {
    fn resolve(&mut self, known: &std::collections::HashSet<String>) {
        match self {
            Stmt::Let(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) => e.resolve(known),
            Stmt::Assign(target, _, e) => {
                e.resolve(known);
                if let Target::Index(_, i) = target {
                    i.resolve(known);
                }
            }
            Stmt::If(c, a, b) => {
                c.resolve(known);
                a.iter_mut().chain(b.iter_mut()).for_each(|s| s.resolve(known));
            }
            Stmt::For(_, e, body) => {
                e.resolve(known);
                for s in body {
                    s.resolve(known);
                }
            }
            Stmt::Block(stmts) => stmts.iter_mut().for_each(|s| s.resolve(known)),
            Stmt::Return(None) | Stmt::Break(_) => {}
        }
    }

    fn always_unsupported(&self) -> bool {
        match self {
            Stmt::Let(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) | Stmt::Assign(_, _, e) => e.always_unsupported(),
            Stmt::If(c, ..) | Stmt::For(_, c, _) => c.always_unsupported(),
            Stmt::Block(stmts) => stmts.iter().any(Stmt::always_unsupported),
            Stmt::Return(None) | Stmt::Break(_) => false,
        }
    }

    fn mutates(&self) -> bool {
        match self {
            Stmt::Assign(..) => true,
            Stmt::Let(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) => e.mutates(),
            Stmt::If(c, a, b) => c.mutates() || a.iter().chain(b).any(Stmt::mutates),
            Stmt::For(_, e, body) => e.mutates() || body.iter().any(Stmt::mutates),
            Stmt::Block(stmts) => stmts.iter().any(Stmt::mutates),
            Stmt::Return(None) | Stmt::Break(_) => false,
        }
    }
}

impl Expr {
    fn resolve(&mut self, known: &std::collections::HashSet<String>) {
        match self {
            Expr::Script(key, args) if !known.contains(key.as_str()) => {
                let name = key.rsplit_once('/').map_or(key.as_str(), |(name, _)| name);
                *self = match super::lower::helper(name) {
                    Some(helper) => Expr::Helper(helper, std::mem::take(args)),
                    None => Expr::Unsupported,
                };
                self.resolve(known);
            }
            Expr::Script(_, args)
            | Expr::Helper(_, args)
            | Expr::Call(_, args)
            | Expr::Array(args)
            | Expr::And(args)
            | Expr::Or(args) => {
                for a in args {
                    a.resolve(known);
                }
            }
            Expr::Method(r, _, args) => {
                r.resolve(known);
                for a in args {
                    a.resolve(known);
                }
            }
            Expr::Prop(e, _) | Expr::Not(e) | Expr::Neg(e) => e.resolve(known),
            Expr::Binary(_, a, b) | Expr::Index(a, b) => {
                a.resolve(known);
                b.resolve(known);
            }
            Expr::Map(entries) => entries.iter_mut().for_each(|(_, e)| e.resolve(known)),
            Expr::Block(stmts) => stmts.iter_mut().for_each(|s| s.resolve(known)),
            Expr::Closure { captured, .. } => captured.iter_mut().for_each(|a| a.resolve(known)),
            Expr::Unit
            | Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::Str(_)
            | Expr::Var(_)
            | Expr::Unsupported => {}
        }
    }

    /// The sub-expressions always evaluated with this one (not those of `&&`/`||` after the
    /// first, nor closures and blocks).
    fn always_unsupported(&self) -> bool {
        match self {
            Expr::Unsupported => true,
            Expr::Prop(e, _) | Expr::Not(e) | Expr::Neg(e) => e.always_unsupported(),
            Expr::Method(r, _, args) => r.always_unsupported() || args.iter().any(Expr::always_unsupported),
            Expr::Call(_, args) | Expr::Array(args) | Expr::Script(_, args) | Expr::Helper(_, args) => {
                args.iter().any(Expr::always_unsupported)
            }
            Expr::Binary(_, a, b) | Expr::Index(a, b) => a.always_unsupported() || b.always_unsupported(),
            Expr::And(terms) | Expr::Or(terms) => terms.first().is_some_and(Expr::always_unsupported),
            Expr::Map(entries) => entries.iter().any(|(_, e)| e.always_unsupported()),
            Expr::Block(stmts) => stmts.iter().any(Stmt::always_unsupported),
            Expr::Closure { captured, .. } => captured.iter().any(Expr::always_unsupported),
            Expr::Unit | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Str(_) | Expr::Var(_) => false,
        }
    }

    fn mutates(&self) -> bool {
        match self {
            Expr::Method(r, m, args) => matches!(m, Method::Push) || r.mutates() || args.iter().any(Expr::mutates),
            Expr::Prop(e, _) | Expr::Not(e) | Expr::Neg(e) => e.mutates(),
            Expr::Call(_, args)
            | Expr::Array(args)
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Script(_, args)
            | Expr::Helper(_, args) => args.iter().any(Expr::mutates),
            Expr::Binary(_, a, b) | Expr::Index(a, b) => a.mutates() || b.mutates(),
            Expr::Map(entries) => entries.iter().any(|(_, e)| e.mutates()),
            Expr::Block(stmts) => stmts.iter().any(Stmt::mutates),
            Expr::Closure { captured, .. } => captured.iter().any(Expr::mutates),
            Expr::Unit
            | Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::Str(_)
            | Expr::Var(_)
            | Expr::Unsupported => false,
        }
    }
}
