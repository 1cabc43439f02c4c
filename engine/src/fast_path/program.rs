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
        let unsupported = |p: Part<'_>| matches!(p, Part::Expr(Expr::Unsupported));
        self.stmts.iter().any(|s| Part::Stmt(s).any(true, &unsupported))
    }

    /// Whether any closure body assigns or pushes (Rhai shares captured variables with the caller,
    /// which the fast path does not mirror; a `fn` only changes its own copies of its arguments).
    pub(super) fn closures_mutate(&self) -> bool {
        let mutation =
            |p: Part<'_>| matches!(p, Part::Stmt(Stmt::Assign(..)) | Part::Expr(Expr::Method(_, Method::Push, _)));
        self.closures
            .iter()
            .filter(|(name, _)| name.starts_with("anon$"))
            .any(|(_, c)| c.body.iter().any(|s| Part::Stmt(s).any(false, &mutation)))
    }
}

/// A statement or expression of a program, for walks over it.
#[derive(Clone, Copy)]
enum Part<'p> {
    Stmt(&'p Stmt),
    Expr(&'p Expr),
}

impl<'p> Part<'p> {
    /// Whether `hit` holds for this part or any part inside it (with `always`, only those
    /// evaluated every time this one is: see [`Part::parts`]).
    fn any(self, always: bool, hit: &dyn Fn(Part<'_>) -> bool) -> bool {
        hit(self) || self.parts(always).into_iter().any(|p| p.any(always, hit))
    }

    /// The statements and expressions directly inside this one; with `always`, only those
    /// evaluated every time it is — not an `if`'s branches, a loop's body, nor the terms of
    /// `&&`/`||` after the first. (Closure bodies are the program's own functions, never inside.)
    fn parts(self, always: bool) -> Vec<Part<'p>> {
        let exprs = |es: &'p [Expr]| es.iter().map(Part::Expr).collect::<Vec<_>>();
        let stmts = |ss: &'p [Stmt]| ss.iter().map(Part::Stmt).collect::<Vec<_>>();
        match self {
            Part::Stmt(stmt) => match stmt {
                Stmt::Let(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) | Stmt::Assign(Target::Var(_), _, e) => {
                    vec![Part::Expr(e)]
                }
                Stmt::Assign(Target::Index(_, i), _, e) => vec![Part::Expr(i), Part::Expr(e)],
                Stmt::If(c, ..) | Stmt::For(_, c, _) if always => vec![Part::Expr(c)],
                Stmt::If(c, a, b) => [vec![Part::Expr(c)], stmts(a), stmts(b)].concat(),
                Stmt::For(_, e, body) => [vec![Part::Expr(e)], stmts(body)].concat(),
                Stmt::Block(ss) => stmts(ss),
                Stmt::Return(None) | Stmt::Break(_) => Vec::new(),
            },
            Part::Expr(expr) => match expr {
                Expr::Prop(e, _) | Expr::Not(e) | Expr::Neg(e) => vec![Part::Expr(e)],
                Expr::Method(r, _, args) => [vec![Part::Expr(r)], exprs(args)].concat(),
                Expr::And(terms) | Expr::Or(terms) if always => exprs(terms.get(..1).unwrap_or_default()),
                Expr::Call(_, args)
                | Expr::Array(args)
                | Expr::And(args)
                | Expr::Or(args)
                | Expr::Script(_, args)
                | Expr::Helper(_, args)
                | Expr::Closure { captured: args, .. } => exprs(args),
                Expr::Binary(_, a, b) | Expr::Index(a, b) => vec![Part::Expr(a), Part::Expr(b)],
                Expr::Map(entries) => entries.iter().map(|(_, e)| Part::Expr(e)).collect(),
                Expr::Block(ss) => stmts(ss),
                Expr::Unit
                | Expr::Bool(_)
                | Expr::Int(_)
                | Expr::Float(_)
                | Expr::Str(_)
                | Expr::Var(_)
                | Expr::Unsupported => Vec::new(),
            },
        }
    }
}
