//! Lowering a compiled Rhai condition into the fast path's own small program ([`Program`]), or
//! declining (`None`) when it uses anything the fast path does not cover.
//!
//! Rhai hoists closures into anonymous functions (`anon$…`) and keeps the condition's own `fn`s
//! beside them; each is lowered from its body, and calls name them (closures through a function
//! pointer, `fn`s by name and arity).

use std::collections::{HashMap, HashSet};

use rhai::{AST, ASTFlags, ASTNode, Dynamic, Expr as RExpr, FnPtr, ImmutableString, Stmt as RStmt};

use super::program::{Closure, Expr, Func, Method, Op, Program, Stmt, Target};
use crate::extension::Helpers;
use crate::functions::size;

/// Lowers a condition, or `None` when any part of it is outside the fast path.
pub(crate) fn lower(ast: &AST, extensions: &[Helpers]) -> Option<Program> {
    // Closures are called through their pointer's name; `fn`s by name and arity.
    let key = |f: &rhai::ScriptFuncDef| {
        if f.name.starts_with("anon$") { f.name.to_string() } else { script_key(&f.name, f.params.len()) }
    };
    let lowering = Lowering { functions: ast.iter_fn_def().map(|f| key(f)).collect(), extensions };
    let mut closures = HashMap::new();
    for f in ast.iter_fn_def() {
        let params: Vec<String> = f.params.iter().map(ImmutableString::to_string).collect();
        closures.insert(key(f), Closure { params, body: lowering.function_body(f)? });
    }
    let stmts = ast.statements().iter().map(|s| lowering.stmt(s)).collect::<Option<Vec<_>>>()?;
    let program = Program { stmts, closures };
    (!program.always_unsupported() && !program.closures_mutate()).then_some(program)
}

/// What lowering knows of the condition as a whole: the keys of its own functions (a call of any
/// other name is a helper's).
struct Lowering<'e> {
    functions: HashSet<String>,
    /// The extensions whose helpers the program may call (through Rhai).
    extensions: &'e [Helpers],
}

impl Lowering<'_> {
    /// A pointer to the helper `name`, when it is one the fast path may call through Rhai: one of
    /// the engine's own (every one in the [catalogue](crate::functions::catalog) is pure), one an
    /// extension adds (pure by the extension point's contract) or a pure built-in.
    fn helper(&self, name: &str) -> Option<rhai::FnPtr> {
        let listed = |catalogue: &[crate::extension::Helper]| catalogue.iter().any(|h| h.name == name);
        let known = listed(crate::functions::catalog::HELPERS)
            || self.extensions.iter().any(|e| listed(e.catalogue))
            || PURE_BUILTINS.contains(&name);
        known.then(|| rhai::FnPtr::new(name).ok()).flatten()
    }

    /// The lowered statements of one function. Its body's type is Rhai's own, so the function is put
    /// alone in an AST whose walk visits exactly its top-level statements.
    fn function_body(&self, f: &rhai::Shared<rhai::ScriptFuncDef>) -> Option<Vec<Stmt>> {
        let mut module = rhai::Module::new();
        module.set_script_fn(rhai::Shared::clone(f));
        let alone = AST::new(std::iter::empty(), module);
        let mut body = Vec::new();
        alone.walk(&mut |path: &[ASTNode]| {
            if let [ASTNode::Stmt(stmt)] = path {
                body.push(self.stmt(stmt));
            }
            true
        });
        body.into_iter().collect()
    }

    fn block(&self, block: &rhai::StmtBlock) -> Option<Vec<Stmt>> {
        block.statements().iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, stmt: &RStmt) -> Option<Stmt> {
        match stmt {
            RStmt::Var(x, ..) => Some(Stmt::Let(x.0.name.to_string(), self.expr(&x.1)?)),
            RStmt::Expr(e) => Some(Stmt::Eval(self.expr(e)?)),
            RStmt::FnCall(call, _) => Some(Stmt::Eval(self.call(call)?)),
            RStmt::If(flow, _) => {
                Some(Stmt::If(self.expr(&flow.expr)?, self.block(&flow.body)?, self.block(&flow.branch)?))
            }
            RStmt::Return(value, ..) => Some(Stmt::Return(match value {
                Some(e) => Some(self.expr(e)?),
                None => None,
            })),
            RStmt::Block(block) => Some(Stmt::Block(self.block(block)?)),
            RStmt::Noop(_) => Some(Stmt::Block(Vec::new())),
            RStmt::For(x, _) => {
                let (var, counter, flow) = &**x;
                if counter.is_some() {
                    return None;
                }
                Some(Stmt::For(var.name.to_string(), self.expr(&flow.expr)?, self.block(&flow.body)?))
            }
            RStmt::BreakLoop(None, flags, _) => Some(Stmt::Break(flags.intersects(ASTFlags::BREAK))),
            RStmt::Assignment(x) => {
                let (op, binary) = &**x;
                let op = match op.get_op_assignment_info() {
                    None => None,
                    Some((.., syntax)) => Some(Op::arithmetic(syntax)?),
                };
                let target = match &binary.lhs {
                    RExpr::Variable(v, ..) => Target::Var(v.1.to_string()),
                    RExpr::Index(i, flags, _) if flags.intersects(ASTFlags::BREAK) => match &i.lhs {
                        RExpr::Variable(v, ..) => Target::Index(v.1.to_string(), self.expr(&i.rhs)?),
                        _ => return None,
                    },
                    RExpr::Dot(d, ..) => match (&d.lhs, &d.rhs) {
                        (RExpr::Variable(v, ..), RExpr::Property(p, _)) => {
                            Target::Index(v.1.to_string(), Expr::Str(p.2.clone()))
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                Some(Stmt::Assign(target, op, self.expr(&binary.rhs)?))
            }
            _ => None,
        }
    }

    fn expr(&self, e: &RExpr) -> Option<Expr> {
        Some(match e {
            RExpr::Unit(_) => Expr::Unit,
            RExpr::BoolConstant(b, _) => Expr::Bool(*b),
            RExpr::IntegerConstant(i, _) => Expr::Int(*i),
            RExpr::FloatConstant(f, _) => Expr::Float(**f),
            RExpr::StringConstant(s, _) => Expr::Str(s.clone()),
            RExpr::DynamicConstant(d, _) => constant(d).or_else(|| closure_ref(d, Vec::new()))?,
            RExpr::Array(items, _) => Expr::Array(items.iter().map(|e| self.expr(e)).collect::<Option<_>>()?),
            RExpr::Map(x, _) => {
                let (entries, template) = &**x;
                let mut map: Vec<(ImmutableString, Expr)> = Vec::new();
                for (key, value) in template {
                    map.push((key.as_str().into(), constant(value)?));
                }
                for (key, value) in entries {
                    let value = self.expr(value)?;
                    map.retain(|(k, _)| k.as_str() != key.name.as_str());
                    map.push((key.name.as_str().into(), value));
                }
                Expr::Map(map)
            }
            RExpr::Index(x, flags, _) => self.index(self.expr(&x.lhs)?, &x.rhs, flags.intersects(ASTFlags::BREAK))?,
            // Text built for a matched rule's items: Rhai's to make.
            RExpr::InterpolatedString(..) => Expr::Unsupported,
            RExpr::Variable(x, ..) => Expr::Var(x.1.to_string()),
            RExpr::Dot(x, ..) => self.chain(self.expr(&x.lhs)?, &x.rhs)?,
            RExpr::FnCall(call, _) => self.call(call)?,
            RExpr::And(terms, _) => Expr::And(terms.iter().map(|e| self.expr(e)).collect::<Option<_>>()?),
            RExpr::Or(terms, _) => Expr::Or(terms.iter().map(|e| self.expr(e)).collect::<Option<_>>()?),
            // A closure that captures variables, `{ share x; curry(Fn("anon$…"), x) }`, or a block
            // used as a value.
            RExpr::Stmt(block) => match block.statements() {
                [RStmt::Share(_), RStmt::FnCall(call, _)] | [RStmt::FnCall(call, _)] if call.name == "curry" => {
                    let (first, captured) = call.args.split_first()?;
                    let RExpr::DynamicConstant(d, _) = first else { return None };
                    closure_ref(d, captured.iter().map(|e| self.expr(e)).collect::<Option<_>>()?)?
                }
                [RStmt::Share(_), ..] => return None,
                _ => Expr::Block(self.block(block)?),
            },
            _ => return None,
        })
    }

    /// `base[…]`: with `last`, `rest` is the index; otherwise `rest` is a chain whose left side is the
    /// index and whose right side goes on from the element (`a[0].b`, `a[0][1]`).
    fn index(&self, base: Expr, rest: &RExpr, last: bool) -> Option<Expr> {
        if last {
            return Some(Expr::Index(Box::new(base), Box::new(self.expr(rest)?)));
        }
        match rest {
            RExpr::Dot(x, ..) => self.chain(Expr::Index(Box::new(base), Box::new(self.expr(&x.lhs)?)), &x.rhs),
            RExpr::Index(x, flags, _) => self.index(
                Expr::Index(Box::new(base), Box::new(self.expr(&x.lhs)?)),
                &x.rhs,
                flags.intersects(ASTFlags::BREAK),
            ),
            _ => None,
        }
    }

    /// `receiver.rest`, where `rest` is a property, a method call, or a further chain.
    fn chain(&self, receiver: Expr, rest: &RExpr) -> Option<Expr> {
        match rest {
            RExpr::Property(p, _) => Some(Expr::Prop(Box::new(receiver), p.2.clone())),
            RExpr::MethodCall(call, _) => {
                let args: Vec<Expr> = call.args.iter().map(|e| self.expr(e)).collect::<Option<_>>()?;
                let Some(method) = Method::named(call.name.as_str()) else {
                    // A helper called as a method: the receiver is its first argument.
                    let helper = self.helper(call.name.as_str())?;
                    return Some(Expr::Helper(helper, std::iter::once(receiver).chain(args).collect()));
                };
                (args.len() == method.arity()).then(|| Expr::Method(Box::new(receiver), method, args))
            }
            RExpr::Dot(x, ..) => self.chain(self.chain(receiver, &x.lhs)?, &x.rhs),
            RExpr::Index(x, flags, _) => {
                self.index(self.chain(receiver, &x.lhs)?, &x.rhs, flags.intersects(ASTFlags::BREAK))
            }
            _ => None,
        }
    }

    fn call(&self, call: &rhai::FnCallExpr) -> Option<Expr> {
        if call.capture_parent_scope {
            return None;
        }
        let args: Vec<Expr> = call.args.iter().map(|e| self.expr(e)).collect::<Option<_>>()?;
        let op = match (call.name.as_str(), args.len()) {
            ("==", 2) => Op::Eq,
            ("!=", 2) => Op::Ne,
            ("<", 2) => Op::Lt,
            ("<=", 2) => Op::Le,
            (">", 2) => Op::Gt,
            (">=", 2) => Op::Ge,
            ("+", 2) => Op::Add,
            ("-", 2) => Op::Sub,
            ("*", 2) => Op::Mul,
            ("/", 2) => Op::Div,
            // `x in list` is `contains(list, x)`.
            ("contains", 2) => {
                let mut args = args.into_iter();
                let (list, x) = (args.next()?, args.next()?);
                return Some(Expr::Method(Box::new(list), Method::Contains, vec![x]));
            }
            ("!", 1) => return args.into_iter().next().map(|a| Expr::Not(Box::new(a))),
            ("-", 1) => return args.into_iter().next().map(|a| Expr::Neg(Box::new(a))),
            (name, n) => {
                if let Some((_, shift)) = size::UNITS.iter().find(|(unit, _)| *unit == name).filter(|_| n == 1) {
                    return Some(Expr::Call(Func::Size(*shift), args));
                }
                let func = match (name, n) {
                    ("has", 1) => Func::Has,
                    ("count_where", 2) => Func::CountWhere,
                    ("is_null", 1) => Func::IsNull,
                    ("eq_ignore_case", 2) => Func::EqIgnoreCase,
                    ("hours_since", 1) => Func::Since(3600.0, false),
                    ("minutes_since", 1) => Func::Since(60.0, false),
                    ("days_since", 1) => Func::Since(86_400.0, false),
                    ("hours_until", 1) => Func::Since(3600.0, true),
                    ("days_until", 1) => Func::Since(86_400.0, true),
                    ("parse_time", 1) => Func::ParseTime,
                    ("duration_secs", 1) => Func::DurationSecs,
                    ("duration_hours", 1) => Func::DurationHours,
                    // One of the condition's own `fn`s, a helper called through Rhai, or one the
                    // fast path may not call (reaching it hands the condition to Rhai).
                    (name, n) => {
                        let key = script_key(name, n);
                        return Some(if self.functions.contains(&key) {
                            Expr::Script(key, args)
                        } else {
                            self.helper(name).map_or(Expr::Unsupported, |h| Expr::Helper(h, args))
                        });
                    }
                };
                return Some(Expr::Call(func, args));
            }
        };
        let mut args = args.into_iter();
        let (a, b) = (args.next()?, args.next()?);
        Some(Expr::Binary(op, Box::new(a), Box::new(b)))
    }
}

/// Rhai's built-in functions the fast path may hand values to: they return a new value and leave
/// their arguments alone (unlike `trim`, `replace` or `sort`, which change their receiver).
const PURE_BUILTINS: &[&str] = &["split", "sub_string", "values", "to_string"];

/// A constant Rhai folded at compile time (`["a", "b"]`, `#{…}`, a literal), as the fast path's
/// own expression.
fn constant(d: &Dynamic) -> Option<Expr> {
    if d.is_unit() {
        return Some(Expr::Unit);
    }
    if let Ok(b) = d.as_bool() {
        return Some(Expr::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Some(Expr::Int(i));
    }
    if let Ok(x) = d.as_float() {
        return Some(Expr::Float(x));
    }
    if let Some(s) = d.read_lock::<ImmutableString>() {
        return Some(Expr::Str(s.clone()));
    }
    if let Some(a) = d.read_lock::<rhai::Array>() {
        return Some(Expr::Array(a.iter().map(constant).collect::<Option<_>>()?));
    }
    if let Some(m) = d.read_lock::<rhai::Map>() {
        return Some(Expr::Map(m.iter().map(|(k, v)| Some((k.as_str().into(), constant(v)?))).collect::<Option<_>>()?));
    }
    None
}

/// A reference to an anonymous function, with the values it captures.
fn closure_ref(d: &Dynamic, captured: Vec<Expr>) -> Option<Expr> {
    let ptr = d.read_lock::<FnPtr>()?;
    (ptr.is_anonymous() && !ptr.is_curried()).then(|| Expr::Closure { name: ptr.fn_name().to_owned(), captured })
}

/// How a condition's own function is found: its name and arity.
pub(super) fn script_key(name: &str, arity: usize) -> String {
    format!("{name}/{arity}")
}
