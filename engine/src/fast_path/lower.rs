//! Lowering a compiled Rhai condition into the fast path's own small program ([`Program`]), or
//! declining (`None`) when it uses anything the fast path does not cover.
//!
//! Closures are hoisted by Rhai into anonymous functions whose bodies `AST::walk` visits after the
//! main statements, one function after another. An expression closure (`|u| expr`, the only kind
//! lowered) has exactly one statement, at the position its body starts; that is checked for every
//! function, so a body is never matched with the wrong closure.

use std::collections::HashMap;

use rhai::{AST, ASTNode, Dynamic, Expr as RExpr, FnPtr, ImmutableString, Stmt as RStmt};

use super::program::{Closure, Expr, Func, Method, Op, Program, Stmt};

/// Lowers a condition, or `None` when any part of it is outside the fast path.
pub(crate) fn lower(ast: &AST) -> Option<Program> {
    let functions: Vec<_> = ast.iter_fn_def().collect();
    // Only anonymous expression closures; a named function or a block closure keeps Rhai.
    if functions.iter().any(|f| !f.name.starts_with("anon$") || !f.body.end_position().is_none()) {
        return None;
    }
    let main_len = ast.statements().len();
    let mut top: Vec<(rhai::Position, Option<Stmt>)> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(stmt)] = path {
            top.push((stmt.position(), lower_stmt(stmt)));
        }
        true
    });
    if top.len() != main_len + functions.len() {
        return None;
    }
    let mut closures = HashMap::new();
    for (f, (position, body)) in functions.iter().zip(top.drain(main_len..)) {
        if position != f.body.start_position() {
            return None;
        }
        let Some(Stmt::Eval(body)) = body else { return None };
        let params = f.params.iter().map(ImmutableString::to_string).collect();
        closures.insert(f.name.to_string(), Closure { params, body });
    }
    let stmts = top.into_iter().map(|(_, s)| s).collect::<Option<Vec<_>>>()?;
    if !matches!(stmts.last(), Some(Stmt::Eval(_))) {
        return None;
    }
    Some(Program { stmts, closures })
}

fn lower_stmt(stmt: &RStmt) -> Option<Stmt> {
    match stmt {
        RStmt::Var(x, ..) => Some(Stmt::Let(x.0.name.to_string(), lower_expr(&x.1)?)),
        RStmt::Expr(e) => Some(Stmt::Eval(lower_expr(e)?)),
        RStmt::FnCall(call, _) => Some(Stmt::Eval(lower_call(call)?)),
        _ => None,
    }
}

fn lower_expr(e: &RExpr) -> Option<Expr> {
    Some(match e {
        RExpr::Unit(_) => Expr::Unit,
        RExpr::BoolConstant(b, _) => Expr::Bool(*b),
        RExpr::IntegerConstant(i, _) => Expr::Int(*i),
        RExpr::FloatConstant(f, _) => Expr::Float(**f),
        RExpr::StringConstant(s, _) => Expr::Str(s.clone()),
        RExpr::DynamicConstant(d, _) => closure_ref(d, Vec::new())?,
        RExpr::Variable(x, ..) => Expr::Var(x.1.to_string()),
        RExpr::Dot(x, ..) => lower_chain(lower_expr(&x.lhs)?, &x.rhs)?,
        RExpr::FnCall(call, _) => lower_call(call)?,
        RExpr::And(terms, _) => Expr::And(terms.iter().map(lower_expr).collect::<Option<_>>()?),
        RExpr::Or(terms, _) => Expr::Or(terms.iter().map(lower_expr).collect::<Option<_>>()?),
        // A closure that captures variables: `{ share x; curry(Fn("anon$…"), x) }`.
        RExpr::Stmt(block) => {
            let last = match block.statements() {
                [RStmt::Share(_), last] | [last] => last,
                _ => return None,
            };
            let RStmt::FnCall(call, _) = last else { return None };
            if call.name != "curry" {
                return None;
            }
            let (first, captured) = call.args.split_first()?;
            let RExpr::DynamicConstant(d, _) = first else { return None };
            closure_ref(d, captured.iter().map(lower_expr).collect::<Option<_>>()?)?
        }
        _ => return None,
    })
}

/// A reference to an anonymous function, with the values it captures.
fn closure_ref(d: &Dynamic, captured: Vec<Expr>) -> Option<Expr> {
    let ptr = d.read_lock::<FnPtr>()?;
    (ptr.is_anonymous() && !ptr.is_curried()).then(|| Expr::Closure { name: ptr.fn_name().to_owned(), captured })
}

/// `receiver.rest`, where `rest` is a property, a method call, or a further chain.
fn lower_chain(receiver: Expr, rest: &RExpr) -> Option<Expr> {
    match rest {
        RExpr::Property(p, _) => Some(Expr::Prop(Box::new(receiver), p.2.clone())),
        RExpr::MethodCall(call, _) => {
            let method = match call.name.as_str() {
                "any" => Method::Any,
                "all" => Method::All,
                "count" => Method::Count,
                "contains" => Method::Contains,
                "starts_with" => Method::StartsWith,
                "ends_with" => Method::EndsWith,
                "len" => Method::Len,
                "is_empty" => Method::IsEmpty,
                _ => return None,
            };
            let args: Vec<Expr> = call.args.iter().map(lower_expr).collect::<Option<_>>()?;
            (args.len() == method.arity()).then(|| Expr::Method(Box::new(receiver), method, args))
        }
        RExpr::Dot(x, ..) => lower_chain(lower_chain(receiver, &x.lhs)?, &x.rhs),
        _ => None,
    }
}

fn lower_call(call: &rhai::FnCallExpr) -> Option<Expr> {
    if call.capture_parent_scope {
        return None;
    }
    let args: Vec<Expr> = call.args.iter().map(lower_expr).collect::<Option<_>>()?;
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
        ("!", 1) => return args.into_iter().next().map(|a| Expr::Not(Box::new(a))),
        ("-", 1) => return args.into_iter().next().map(|a| Expr::Neg(Box::new(a))),
        (name, n) => {
            let func = match (name, n) {
                ("gib", 1) => Func::Gib,
                ("mib", 1) => Func::Mib,
                ("kib", 1) => Func::Kib,
                ("has", 1) => Func::Has,
                ("count_where", 2) => Func::CountWhere,
                _ => return None,
            };
            return Some(Expr::Call(func, args));
        }
    };
    let mut args = args.into_iter();
    let (a, b) = (args.next()?, args.next()?);
    Some(Expr::Binary(op, Box::new(a), Box::new(b)))
}
