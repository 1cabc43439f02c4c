//! Lowering a compiled Rhai condition into the fast path's own small program ([`Program`]), or
//! declining (`None`) when it uses anything the fast path does not cover.
//!
//! Closures are hoisted by Rhai into anonymous functions whose bodies `AST::walk` visits after the
//! main statements, one function after another. An expression closure (`|u| expr`) has exactly one
//! statement, at the position its body starts; a block closure (`|u| { … }`) has the statements
//! inside its braces. With at most one block closure per condition, the statement counts are known,
//! and every statement's position is checked against its function's body, so a body is never
//! matched with the wrong closure.

use std::collections::HashMap;

use rhai::{AST, ASTNode, Dynamic, Expr as RExpr, FnPtr, ImmutableString, Stmt as RStmt};

use super::program::{Closure, Expr, Func, Method, Op, Program, Stmt};
use crate::functions::size;

/// Lowers a condition, or `None` when any part of it is outside the fast path.
pub(crate) fn lower(ast: &AST) -> Option<Program> {
    let functions: Vec<_> = ast.iter_fn_def().collect();
    // Only anonymous closures, at most one of them a block; anything else keeps Rhai.
    let blocks = functions.iter().filter(|f| !f.body.end_position().is_none()).count();
    if functions.iter().any(|f| !f.name.starts_with("anon$")) || blocks > 1 {
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
    let expression_closures = functions.len() - blocks;
    let block_len = top.len().checked_sub(main_len + expression_closures)?;
    if blocks == 0 && block_len != 0 {
        return None;
    }
    let mut bodies = top.split_off(main_len).into_iter();
    let mut closures = HashMap::new();
    for f in &functions {
        let (start, end) = (f.body.start_position(), f.body.end_position());
        let statements: Vec<(rhai::Position, Option<Stmt>)> =
            bodies.by_ref().take(if end.is_none() { 1 } else { block_len }).collect();
        let placed = |p: &rhai::Position| {
            if end.is_none() { *p == start } else { at_or_after(*p, start) && at_or_after(end, *p) }
        };
        if statements.iter().any(|(p, _)| !placed(p)) || (end.is_none() && statements.len() != 1) {
            return None;
        }
        let body = statements.into_iter().map(|(_, s)| s).collect::<Option<Vec<_>>>()?;
        let params = f.params.iter().map(ImmutableString::to_string).collect();
        closures.insert(f.name.to_string(), Closure { params, body });
    }
    let stmts = top.into_iter().map(|(_, s)| s).collect::<Option<Vec<_>>>()?;
    Some(Program { stmts, closures })
}

/// Whether position `a` is at or after `b` (both known).
fn at_or_after(a: rhai::Position, b: rhai::Position) -> bool {
    match (a.line(), a.position(), b.line(), b.position()) {
        (Some(al), Some(ac), Some(bl), Some(bc)) => (al, ac) >= (bl, bc),
        _ => false,
    }
}

fn lower_block(block: &rhai::StmtBlock) -> Option<Vec<Stmt>> {
    block.statements().iter().map(lower_stmt).collect()
}

fn lower_stmt(stmt: &RStmt) -> Option<Stmt> {
    match stmt {
        RStmt::Var(x, ..) => Some(Stmt::Let(x.0.name.to_string(), lower_expr(&x.1)?)),
        RStmt::Expr(e) => Some(Stmt::Eval(lower_expr(e)?)),
        RStmt::FnCall(call, _) => Some(Stmt::Eval(lower_call(call)?)),
        RStmt::If(flow, _) => {
            Some(Stmt::If(lower_expr(&flow.expr)?, lower_block(&flow.body)?, lower_block(&flow.branch)?))
        }
        RStmt::Return(value, ..) => Some(Stmt::Return(match value {
            Some(e) => Some(lower_expr(e)?),
            None => None,
        })),
        RStmt::Block(block) => Some(Stmt::Block(lower_block(block)?)),
        RStmt::Noop(_) => Some(Stmt::Block(Vec::new())),
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
        // A closure that captures variables, `{ share x; curry(Fn("anon$…"), x) }`, or a block
        // used as a value.
        RExpr::Stmt(block) => match block.statements() {
            [RStmt::Share(_), RStmt::FnCall(call, _)] | [RStmt::FnCall(call, _)] if call.name == "curry" => {
                let (first, captured) = call.args.split_first()?;
                let RExpr::DynamicConstant(d, _) = first else { return None };
                closure_ref(d, captured.iter().map(lower_expr).collect::<Option<_>>()?)?
            }
            [RStmt::Share(_), ..] => return None,
            _ => Expr::Block(lower_block(block)?),
        },
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
                "is_null" => Method::IsNull,
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
                _ => return None,
            };
            return Some(Expr::Call(func, args));
        }
    };
    let mut args = args.into_iter();
    let (a, b) = (args.next()?, args.next()?);
    Some(Expr::Binary(op, Box::new(a), Box::new(b)))
}
