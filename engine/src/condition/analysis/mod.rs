//! What a compiled condition reads, found by walking Rhai's AST (never its text).
//!
//! A small abstract interpretation: each expression is given the set of fact paths it may stand
//! for. `facts` and `data` are the roots; `x.name` and `x["name"]` extend a path; `x[0]`, a `for`
//! loop over a list and the parameter of a closure passed to a list method (`filter`, `any`, `all`,
//! `count`, `find`, `map`, `count_where`) stand for an element (`[]`). `let` bindings and
//! re-assignments carry paths into variables (a variable assigned twice stands for both), closures
//! carry the paths they capture, and a script function (`fn f(x)`) is analysed on its own body with
//! its parameters bound to what each call passes (the call stands for what the function returns).
//! `has("a.b")` is a read of `a.b`. List helpers that return items of their list (`filter`,
//! `select_where`, `reject_where`, `matched`, `unmatched`, `duplicates`, `to_array`) keep its path,
//! and `find` gives an element.
//!
//! Anything else (a computed index, a map built by the condition) stands for nothing: the analysis
//! may miss a read, but every read it reports is one the condition can perform.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rhai::{AST, ASTNode, Expr, FnCallExpr, FnPtr, Position, Stmt};

use crate::fact_path::FactPath;

/// Which tree a read is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Root {
    /// The snapshot's facts (`facts.…`).
    Facts,
    /// The knowledge base's reference data (`data.…`).
    Data,
}

impl Root {
    /// The variable name of the root (`facts`, `data`).
    pub fn as_str(self) -> &'static str {
        match self {
            Root::Facts => "facts",
            Root::Data => "data",
        }
    }
}

/// How a condition reads a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadKind {
    /// A property or index access (`x.name`, `x["name"]`, `x[0]`).
    Access,
    /// The argument of `has("…")`.
    Has,
}

/// One fact path a condition reads, where it reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Read {
    /// The tree.
    pub root: Root,
    /// The path inside it (`[]` for "an element of the list").
    pub path: FactPath,
    /// How it is read.
    pub kind: ReadKind,
    /// 1-based line in the condition's text (0 when unknown).
    pub line: usize,
    /// 1-based column in the condition's text (0 when unknown).
    pub column: usize,
}

/// Every read of a compiled condition, sorted and without duplicates.
pub(crate) fn reads(ast: &AST) -> Vec<Read> {
    let functions = functions(ast);
    let mut analyzer = Analyzer {
        functions: &functions,
        reads: BTreeSet::new(),
        frames: vec![vec![
            ("facts".to_owned(), vec![Val::Fact(Root::Facts, FactPath::root())]),
            ("data".to_owned(), vec![Val::Fact(Root::Data, FactPath::root())]),
        ]],
        depth: 0,
        analysed: HashMap::new(),
        returned: Vec::new(),
    };
    analyzer.block(ast.statements());
    analyzer.reads.into_iter().collect()
}

/// Every property name the condition's AST (functions and closures included) accesses.
pub(crate) fn properties(ast: &AST) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Property(p, _))) = path.last() {
            names.insert(p.2.to_string());
        }
        true
    });
    names
}

/// A script function or closure: its parameters (for a closure, the captured variables first) and
/// the statements of its body.
pub(crate) struct Function {
    pub(crate) params: Vec<String>,
    pub(crate) body: Vec<Stmt>,
}

/// The script functions and closures of an AST by name and arity, in that order (so that choosing
/// among overloads never depends on a hash seed).
pub(crate) fn functions(ast: &AST) -> BTreeMap<(String, usize), Function> {
    let mut out = BTreeMap::new();
    for f in ast.iter_fn_def() {
        let (name, arity) = (f.name.to_string(), f.params.len());
        // An AST holding only this function: its top-level walk is exactly the body's statements.
        // (Not `clone_functions_only_filtered`: in Rhai 1.27 its filter is skipped when the new
        // module starts empty, so every function's body would be analysed as this one's.)
        let mut module = rhai::Module::new();
        module.set_script_fn(f.clone());
        let only = AST::new_from_module(module);
        let mut body = Vec::new();
        only.walk(&mut |path: &[ASTNode]| {
            if let [ASTNode::Stmt(stmt)] = path {
                body.push((*stmt).clone());
            }
            true
        });
        let params = f.params.iter().map(ToString::to_string).collect();
        out.insert((name, arity), Function { params, body });
    }
    out
}

/// What an expression may stand for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Val {
    /// A fact (or data) path.
    Fact(Root, FactPath),
    /// A string constant (an index key).
    Str(String),
    /// An array built by the condition, with what its elements may be.
    Elems(Vec<Val>),
    /// A closure: its function's name and what it captured.
    Closure(String, Vec<Vec<Val>>),
}

/// The most values one expression is tracked with.
const MAX_VALUES: usize = 64;
/// The deepest nesting of script-function and closure analyses.
const MAX_DEPTH: usize = 12;

fn union(into: &mut Vec<Val>, more: Vec<Val>) {
    for v in more {
        if into.len() < MAX_VALUES && !into.contains(&v) {
            into.push(v);
        }
    }
}

/// Methods (and helpers) whose closure argument is called with each element of the receiver.
const ELEMENT_CLOSURES: &[&str] = &["filter", "any", "all", "count", "find", "map", "count_where", "retain", "drain"];
/// Helpers that return items of their list (the receiver or first argument).
const RETURNS_ITEMS: &[&str] =
    &["filter", "to_array", "select_where", "reject_where", "matched", "unmatched", "duplicates", "retain"];

struct Analyzer<'a> {
    functions: &'a BTreeMap<(String, usize), Function>,
    reads: BTreeSet<Read>,
    frames: Vec<Vec<(String, Vec<Val>)>>,
    depth: usize,
    /// Function analyses already done (name, arity and bound values) with what each call returns,
    /// so each is done once.
    analysed: HashMap<String, Vec<Val>>,
    /// What the `return` statements of the function being analysed give.
    returned: Vec<Val>,
}

impl Analyzer<'_> {
    fn lookup(&self, name: &str) -> Vec<Val> {
        for frame in self.frames.iter().rev() {
            if let Some((_, v)) = frame.iter().rev().find(|(n, _)| n == name) {
                return v.clone();
            }
        }
        Vec::new()
    }

    fn bind(&mut self, name: &str, value: Vec<Val>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.push((name.to_owned(), value));
        }
    }

    fn assign(&mut self, name: &str, value: Vec<Val>) {
        for frame in self.frames.iter_mut().rev() {
            if let Some((_, v)) = frame.iter_mut().rev().find(|(n, _)| n == name) {
                union(v, value);
                return;
            }
        }
    }

    fn record(&mut self, root: Root, path: FactPath, kind: ReadKind, pos: Position) {
        let (line, column) = (pos.line().unwrap_or(0), pos.position().unwrap_or(0));
        self.reads.insert(Read { root, path, kind, line, column });
    }

    /// Runs a block in its own frame; its value is its last statement's.
    fn block(&mut self, stmts: &[Stmt]) -> Vec<Val> {
        self.frames.push(Vec::new());
        let mut last = Vec::new();
        for s in stmts {
            last = self.stmt(s);
        }
        self.frames.pop();
        last
    }

    fn stmt(&mut self, s: &Stmt) -> Vec<Val> {
        match s {
            Stmt::Var(x, ..) => {
                let value = self.expr(&x.1);
                self.bind(x.0.name.as_str(), value);
                Vec::new()
            }
            Stmt::Assignment(x) => {
                let value = self.expr(&x.1.rhs);
                match &x.1.lhs {
                    Expr::Variable(v, ..) => self.assign(v.1.as_str(), value),
                    other => {
                        self.expr(other);
                    }
                }
                Vec::new()
            }
            Stmt::If(flow, _) => {
                self.expr(&flow.expr);
                let mut value = self.block(flow.body.statements());
                union(&mut value, self.block(flow.branch.statements()));
                value
            }
            Stmt::While(flow, _) | Stmt::Do(flow, ..) => {
                // Twice, so that a value assigned late in the body reaches the reads before it.
                for _ in 0..2 {
                    self.expr(&flow.expr);
                    self.block(flow.body.statements());
                }
                Vec::new()
            }
            Stmt::For(x, _) => {
                let (var, counter, flow) = &**x;
                let iterable = self.expr(&flow.expr);
                let element = elements(&iterable);
                for _ in 0..2 {
                    self.frames.push(vec![(var.name.to_string(), element.clone())]);
                    if let Some(c) = counter {
                        self.bind(c.name.as_str(), Vec::new());
                    }
                    self.block(flow.body.statements());
                    self.frames.pop();
                }
                Vec::new()
            }
            Stmt::Switch(x, _) => {
                self.expr(&x.0);
                for case in &x.1.expressions {
                    self.expr(&case.lhs);
                    self.expr(&case.rhs);
                }
                Vec::new()
            }
            Stmt::FnCall(call, pos) => self.call(call, *pos),
            Stmt::Block(b) => self.block(b.statements()),
            Stmt::TryCatch(flow, _) => {
                self.block(flow.body.statements());
                self.block(flow.branch.statements());
                Vec::new()
            }
            Stmt::Expr(e) => self.expr(e),
            Stmt::Return(Some(e), ..) => {
                let value = self.expr(e);
                union(&mut self.returned, value);
                Vec::new()
            }
            Stmt::BreakLoop(Some(e), ..) => {
                self.expr(e);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn expr(&mut self, e: &Expr) -> Vec<Val> {
        match e {
            Expr::StringConstant(s, _) => vec![Val::Str(s.to_string())],
            Expr::DynamicConstant(d, _) => constant(d),
            Expr::InterpolatedString(parts, _) => {
                for p in parts {
                    self.expr(p);
                }
                Vec::new()
            }
            Expr::Array(items, _) => {
                let mut inside = Vec::new();
                for item in items {
                    let v = self.expr(item);
                    union(&mut inside, v);
                }
                vec![Val::Elems(inside)]
            }
            Expr::Map(x, _) => {
                for (_, v) in &x.0 {
                    self.expr(v);
                }
                Vec::new()
            }
            Expr::Variable(x, ..) => self.lookup(x.1.as_str()),
            Expr::Dot(x, ..) => {
                let receiver = self.expr(&x.lhs);
                self.tail(receiver, &x.rhs, false)
            }
            Expr::Index(x, ..) => {
                let receiver = self.expr(&x.lhs);
                self.tail(receiver, &x.rhs, true)
            }
            Expr::MethodCall(call, _) => self.method(Vec::new(), call),
            Expr::FnCall(call, pos) => self.call(call, *pos),
            Expr::Stmt(block) => self.block(block.statements()),
            Expr::And(terms, _) | Expr::Or(terms, _) => {
                for t in terms.iter() {
                    self.expr(t);
                }
                Vec::new()
            }
            Expr::Coalesce(terms, _) => {
                let mut out = Vec::new();
                for t in terms.iter() {
                    let v = self.expr(t);
                    union(&mut out, v);
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The rest of a `.`/`[]` chain applied to a receiver. Rhai keeps a chain right-nested: the
    /// left-most node of `tail` is the property, method or index applied first.
    fn tail(&mut self, receiver: Vec<Val>, tail: &Expr, index: bool) -> Vec<Val> {
        match tail {
            Expr::Dot(x, ..) => {
                let middle = self.tail(receiver, &x.lhs, index);
                self.tail(middle, &x.rhs, false)
            }
            Expr::Index(x, ..) => {
                let middle = self.tail(receiver, &x.lhs, index);
                self.tail(middle, &x.rhs, true)
            }
            leaf if index => self.index(&receiver, leaf),
            Expr::Property(p, pos) => self.property(&receiver, p.2.as_str(), *pos),
            Expr::MethodCall(call, _) => self.method(receiver, call),
            other => self.expr(other),
        }
    }

    fn property(&mut self, receiver: &[Val], name: &str, pos: Position) -> Vec<Val> {
        let mut out = Vec::new();
        for v in receiver {
            if let Val::Fact(root, path) = v {
                let child = path.child(name);
                self.record(*root, child.clone(), ReadKind::Access, pos);
                union(&mut out, vec![Val::Fact(*root, child)]);
            }
        }
        out
    }

    fn index(&mut self, receiver: &[Val], index: &Expr) -> Vec<Val> {
        let numeric = match index {
            Expr::IntegerConstant(..) => true,
            Expr::FnCall(call, _) => call.name == "-" && matches!(call.args.as_slice(), [Expr::IntegerConstant(..)]),
            _ => false,
        };
        let keys: Vec<String> = self
            .expr(index)
            .into_iter()
            .filter_map(|v| match v {
                Val::Str(s) => Some(s),
                _ => None,
            })
            .collect();
        let pos = index.start_position();
        let mut out = Vec::new();
        for v in receiver {
            match v {
                Val::Fact(root, path) if numeric => {
                    let element = path.each();
                    self.record(*root, element.clone(), ReadKind::Access, pos);
                    union(&mut out, vec![Val::Fact(*root, element)]);
                }
                Val::Fact(root, path) => {
                    for key in &keys {
                        let child = path.child(key);
                        self.record(*root, child.clone(), ReadKind::Access, pos);
                        union(&mut out, vec![Val::Fact(*root, child)]);
                    }
                }
                Val::Elems(inside) if numeric => union(&mut out, inside.clone()),
                _ => {}
            }
        }
        out
    }

    fn method(&mut self, receiver: Vec<Val>, call: &FnCallExpr) -> Vec<Val> {
        let args: Vec<Vec<Val>> = call.args.iter().map(|a| self.expr(a)).collect();
        self.apply(call.name.as_str(), receiver, &args)
    }

    fn call(&mut self, call: &FnCallExpr, _pos: Position) -> Vec<Val> {
        let name = call.name.as_str();
        if name == "has"
            && let [Expr::StringConstant(text, pos)] = call.args.as_slice()
        {
            let relative = text.strip_prefix("facts.").unwrap_or(text);
            if let Ok(path) = FactPath::parse(relative) {
                // The path starts after the opening quote.
                let at = Position::new(pos.line().unwrap_or(0) as u16, pos.position().map_or(0, |c| c + 1) as u16);
                self.record(Root::Facts, path, ReadKind::Has, at);
            }
            return Vec::new();
        }
        let mut args: Vec<Vec<Val>> = call.args.iter().map(|a| self.expr(a)).collect();
        if name == "curry" && !args.is_empty() {
            let captured = args.split_off(1);
            return args
                .into_iter()
                .flatten()
                .filter_map(|v| match v {
                    Val::Closure(f, _) => Some(Val::Closure(f, captured.clone())),
                    _ => None,
                })
                .collect();
        }
        if self.functions.contains_key(&(name.to_owned(), args.len())) {
            return self.run_function(name, args.len(), args.clone());
        }
        if args.is_empty() {
            return Vec::new();
        }
        let receiver = args.remove(0);
        self.apply(name, receiver, &args)
    }

    /// A method or helper call: closures get the receiver's elements; the result keeps the path when
    /// the helper returns items of the list.
    fn apply(&mut self, name: &str, receiver: Vec<Val>, args: &[Vec<Val>]) -> Vec<Val> {
        let element = elements(&receiver);
        for arg in args {
            for v in arg {
                if let Val::Closure(f, captured) = v {
                    let given = if ELEMENT_CLOSURES.contains(&name) { Some(element.clone()) } else { None };
                    self.run_closure(f, captured, given);
                }
            }
        }
        if RETURNS_ITEMS.contains(&name) {
            receiver
        } else if name == "find" {
            element
        } else {
            Vec::new()
        }
    }

    fn run_closure(&mut self, name: &str, captured: &[Vec<Val>], element: Option<Vec<Val>>) {
        // A function pointer may name a script function with several arities: the one taking the
        // captured values plus the element when there is one, otherwise the smallest that fits.
        let wanted = captured.len() + usize::from(element.is_some());
        let arities = || self.functions.range((name.to_owned(), captured.len())..).take_while(|((n, _), _)| n == name);
        let arity =
            arities().map(|((_, a), _)| *a).find(|a| *a == wanted).or_else(|| arities().map(|((_, a), _)| *a).next());
        let Some(arity) = arity else { return };
        let mut args: Vec<Vec<Val>> = captured.to_vec();
        if arity > args.len() {
            args.push(element.unwrap_or_default());
        }
        args.resize(arity, Vec::new());
        self.run_function(name, arity, args);
    }

    /// Analyses a function's body with its parameters bound (once per distinct binding) and gives
    /// what a call returns: its last statement's value and every `return`.
    fn run_function(&mut self, name: &str, arity: usize, args: Vec<Vec<Val>>) -> Vec<Val> {
        let functions = self.functions;
        let Some(f) = functions.get(&(name.to_owned(), arity)) else { return Vec::new() };
        let key = format!("{name}/{arity}:{args:?}");
        if let Some(done) = self.analysed.get(&key) {
            return done.clone();
        }
        if self.depth >= MAX_DEPTH {
            return Vec::new();
        }
        // A recursive call with the same binding sees nothing returned yet.
        self.analysed.insert(key.clone(), Vec::new());
        let frame: Vec<(String, Vec<Val>)> = f.params.iter().cloned().zip(args).collect();
        let saved = std::mem::replace(&mut self.frames, vec![frame]);
        let saved_returned = std::mem::take(&mut self.returned);
        self.depth += 1;
        let mut value = self.block(&f.body);
        self.depth -= 1;
        union(&mut value, std::mem::replace(&mut self.returned, saved_returned));
        self.frames = saved;
        self.analysed.insert(key, value.clone());
        value
    }
}

/// What a constant folded by Rhai's optimizer stands for: a closure, a string, an array of them.
fn constant(d: &rhai::Dynamic) -> Vec<Val> {
    if let Some(ptr) = d.read_lock::<FnPtr>() {
        return vec![Val::Closure(ptr.fn_name().to_owned(), Vec::new())];
    }
    if let Some(s) = d.read_lock::<rhai::ImmutableString>() {
        return vec![Val::Str(s.to_string())];
    }
    if let Some(items) = d.read_lock::<rhai::Array>() {
        let mut inside = Vec::new();
        for item in items.iter() {
            union(&mut inside, constant(item));
        }
        return vec![Val::Elems(inside)];
    }
    Vec::new()
}

/// What the elements of a value may be: `p[]` for a fact list, the items of an array.
fn elements(values: &[Val]) -> Vec<Val> {
    let mut out = Vec::new();
    for v in values {
        match v {
            Val::Fact(root, path) => union(&mut out, vec![Val::Fact(*root, path.each())]),
            Val::Elems(inside) => union(&mut out, inside.clone()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
