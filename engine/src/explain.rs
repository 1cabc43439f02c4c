//! `explain`: how a rule reached its outcome on a snapshot — every fact it read with its value, the
//! variables its condition bound, and the value of each top-level `&&`/`||` term.

use std::sync::Arc;

use rhai::{AST, Dynamic, Expr, Position, Scope, Stmt};
use serde_json::Value;

use crate::facts::context::{self, FactRead, SnapshotScope};
use crate::facts::handle::dynamic_to_json;
use crate::kb::KnowledgeBase;
use crate::report::Finding;
use crate::snapshot::Snapshot;

/// The trace of one rule on one snapshot.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Explanation {
    /// The finding the rule produced.
    pub finding: Finding,
    /// Facts read while evaluating, in order (first read of each path); `None` value = absent.
    pub reads: Vec<FactRead>,
    /// Variables the condition bound with `let`, with their final values.
    pub bindings: Vec<(String, Value)>,
    /// The top-level terms of the condition's last expression and their values.
    pub terms: Vec<Term>,
}

/// One sub-expression and its value.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Term {
    /// The expression's text.
    pub text: String,
    /// Its value, or why it could not be computed.
    pub result: Result<Value, String>,
}

impl KnowledgeBase {
    /// Evaluates one rule with tracing on. `None` when no rule has this id.
    ///
    /// The terms are found on the compiled AST: the statement of `when` that decided the result (the
    /// one that returned, failed or came last), and inside an `if` the branch that was taken, down
    /// to the expression that gave the value; each of its top-level `&&`/`||` terms is evaluated
    /// after the statements that precede it, so every variable it uses is bound as it was.
    pub fn explain(&self, id: &str, snapshot: &Snapshot) -> Option<Explanation> {
        let compiled = self.rule(id)?;
        let _installed = SnapshotScope::enter(Arc::clone(snapshot.facts()), snapshot.collected_at, true);
        let mut runtime = self.runtime_for(snapshot);
        runtime.fast_path = false; // the trace records Rhai's reads
        let finding = self.run_rule(compiled, snapshot, &mut runtime);
        let base = std::mem::take(&mut runtime.scope);
        drop(runtime);
        let mut reads: Vec<FactRead> = Vec::new();
        for read in context::take_trace() {
            if !reads.iter().any(|r| r.path == read.path) {
                reads.push(read);
            }
        }
        let ast = &compiled.when.ast;
        let mut scope = base.clone();
        let _ = self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast);
        let bindings: Vec<(String, Value)> = scope
            .iter_raw()
            .filter(|(name, _, _)| !matches!(*name, "facts" | "data"))
            .map(|(name, _, value)| (name.to_string(), dynamic_to_json(value)))
            .collect();
        let tracer = Tracer { kb: self, base: &base, lib: ast, text: &compiled.rule.when.value };
        let mut terms = Vec::new();
        tracer.decide(&[], ast.statements(), Position::NONE, &mut terms, 0);
        let _ = context::take_trace();
        Some(Explanation { finding, reads, bindings, terms })
    }
}

/// The value a probe script ends with when no earlier statement returned or failed.
const REACHED: &str = "\u{0}syncdoctor: reached";

/// Re-runs parts of a condition to find and evaluate the terms that decided it.
struct Tracer<'a> {
    kb: &'a KnowledgeBase,
    base: &'a Scope<'static>,
    /// The compiled condition (its functions and closures are kept for every re-run).
    lib: &'a AST,
    text: &'a str,
}

impl Tracer<'_> {
    fn run(&self, statements: Vec<Stmt>) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
        let ast = AST::new(statements, self.lib.shared_lib().clone());
        let mut scope = self.base.clone();
        self.kb.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast)
    }

    /// Whether running `prefix` and then `statements` goes on past them (no `return`, no error).
    fn reaches(&self, prefix: &[Stmt], statements: &[Stmt]) -> bool {
        let mut all: Vec<Stmt> = prefix.iter().chain(statements).cloned().collect();
        all.push(Stmt::Expr(Box::new(Expr::StringConstant(REACHED.into(), Position::NONE))));
        self.run(all).is_ok_and(|v| v.read_lock::<rhai::ImmutableString>().is_some_and(|s| s.as_str() == REACHED))
    }

    fn eval(&self, prefix: &[Stmt], expr: &Expr) -> Result<Value, String> {
        let mut all = prefix.to_vec();
        all.push(Stmt::Expr(Box::new(expr.clone())));
        self.run(all).map(|v| dynamic_to_json(&v)).map_err(|e| e.to_string())
    }

    /// Finds the statement of a block that decided its value and explains it.
    fn decide(&self, prefix: &[Stmt], statements: &[Stmt], end: Position, terms: &mut Vec<Term>, depth: usize) {
        if statements.is_empty() || depth > 16 {
            return;
        }
        // The first statement after which execution does not go on (binary search: once a
        // statement returns or fails, every longer run does too).
        let k = if self.reaches(prefix, statements) {
            statements.len() - 1
        } else {
            let (mut lo, mut hi) = (0, statements.len());
            while hi - lo > 1 {
                let mid = usize::midpoint(lo, hi);
                if self.reaches(prefix, statements.get(..mid).unwrap_or_default()) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hi - 1
        };
        let Some(stmt) = statements.get(k) else { return };
        let before: Vec<Stmt> = prefix.iter().chain(statements.get(..k).unwrap_or_default()).cloned().collect();
        let stmt_end = statements.get(k + 1).map_or(end, stmt_start);
        match stmt {
            Stmt::If(flow, _) => {
                let text = format!("if {}", self.slice(flow.expr.start_position(), flow.body.position()));
                let result = self.eval(&before, &flow.expr);
                let taken = result.as_ref().ok().and_then(Value::as_bool);
                terms.push(Term { text, result });
                match taken {
                    Some(true) => {
                        self.decide(&before, flow.body.statements(), flow.body.end_position(), terms, depth + 1);
                    }
                    Some(false) => {
                        self.decide(&before, flow.branch.statements(), flow.branch.end_position(), terms, depth + 1);
                    }
                    None => {}
                }
            }
            Stmt::Block(block) => self.decide(&before, block.statements(), block.end_position(), terms, depth + 1),
            Stmt::Expr(e) => self.expression(&before, e, stmt_end, "", terms),
            Stmt::Return(Some(e), ..) => self.expression(&before, e, stmt_end, "return ", terms),
            other => {
                let text = self.slice(stmt_start(other), stmt_end);
                let mut all = before;
                all.push(other.clone());
                let result = self.run(all).map(|v| dynamic_to_json(&v)).map_err(|e| e.to_string());
                terms.push(Term { text, result });
            }
        }
    }

    /// The top-level `&&`/`||` terms of an expression (or the expression itself), each evaluated.
    fn expression(&self, before: &[Stmt], e: &Expr, end: Position, lead: &str, terms: &mut Vec<Term>) {
        let parts: Vec<&Expr> = match e {
            Expr::And(xs, _) | Expr::Or(xs, _) => xs.iter().collect(),
            other => vec![other],
        };
        for (i, part) in parts.iter().enumerate() {
            let stop = parts.get(i + 1).map_or(end, |next| next.start_position());
            let text = self.slice(part.start_position(), stop);
            let text = if i == 0 && parts.len() == 1 { format!("{lead}{text}") } else { text };
            terms.push(Term { text, result: self.eval(before, part) });
        }
    }

    /// The condition's text from `start` to `stop` (or its end), without comments, operators or
    /// brackets left over from the neighbouring terms.
    fn slice(&self, start: Position, stop: Position) -> String {
        let from = offset(self.text, start).unwrap_or(0);
        let to = offset(self.text, stop).unwrap_or(self.text.len()).max(from);
        clean(self.text.get(from..to).unwrap_or(""))
    }
}

/// Where a statement starts.
fn stmt_start(s: &Stmt) -> Position {
    match s {
        Stmt::Assignment(x) => x.1.lhs.start_position(),
        Stmt::Expr(e) => e.start_position(),
        other => other.position(),
    }
}

/// The byte offset of a Rhai position (1-based line and character column) in a text.
fn offset(text: &str, pos: Position) -> Option<usize> {
    let (line, column) = (pos.line()?, pos.position()?);
    let mut start = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return Some(start + l.char_indices().nth(column.saturating_sub(1)).map_or(l.len(), |(b, _)| b));
        }
        start += l.len() + 1;
    }
    None
}

/// Removes `//` comments and collapses white space; trims trailing `;`, `&&`, `||`, `{` and
/// brackets that do not belong to the term.
fn clean(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q && prev != '\\' => quote = None,
                Some(_) => {}
                None if c == '"' || c == '`' => quote = Some(c),
                None if c == '/' && prev == '/' => {
                    cut = i - 1;
                    break;
                }
                None => {}
            }
            prev = c;
        }
        code.push_str(line.get(..cut).unwrap_or(line));
        code.push(' ');
    }
    let mut out = code.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = out.len();
        for suffix in [";", "&&", "||", "{", "("] {
            if let Some(rest) = out.strip_suffix(suffix) {
                out = rest.trim_end().to_owned();
            }
        }
        let depth = out.chars().filter(|c| *c == '(').count() as i64 - out.chars().filter(|c| *c == ')').count() as i64;
        if depth < 0
            && let Some(rest) = out.strip_suffix(')')
        {
            out = rest.trim_end().to_owned();
        }
        if depth > 0
            && let Some(rest) = out.strip_prefix('(')
        {
            out = rest.trim_start().to_owned();
        }
        if out.len() == before {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_term_text() {
        assert_eq!(clean("a.exists && // note\n"), "a.exists");
        assert_eq!(clean("(a || b) ||"), "(a || b)");
        assert_eq!(clean("a.x || a.y)"), "a.x || a.y");
        assert_eq!(clean("!a.deleted && ("), "!a.deleted");
        assert_eq!(clean("u == \"http://x\" ;"), "u == \"http://x\"");
    }

    #[test]
    fn offsets_count_characters() {
        assert_eq!(offset("ab\ncdé f", Position::new(2, 5)), Some(8));
        assert_eq!(offset("ab", Position::NONE), None);
    }
}
