//! `explain`: how a rule reached its outcome on a snapshot — every fact it read with its value, the
//! variables its condition bound, and the value of each top-level `&&`/`||` term.

use std::sync::Arc;

use serde_json::Value;

use crate::facts::context::{self, FactRead, SnapshotScope};
use crate::facts::handle::dynamic_to_json;
use crate::kb::KnowledgeBase;
use crate::report::Finding;
use crate::snapshot::Snapshot;

/// The trace of one rule on one snapshot.
#[derive(Debug, Clone)]
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
pub struct Term {
    /// The expression's text.
    pub text: String,
    /// Its value, or why it could not be computed.
    pub result: Result<Value, String>,
}

impl KnowledgeBase {
    /// Evaluates one rule with tracing on. `None` when no rule has this id.
    pub fn explain(&self, id: &str, snapshot: &Snapshot) -> Option<Explanation> {
        let compiled = self.rule(id)?;
        let _installed = SnapshotScope::enter(Arc::clone(snapshot.facts()), snapshot.collected_at, true);
        let mut runtime = self.runtime_for(snapshot);
        runtime.fast_path = false; // the trace records Rhai's reads
        let finding = self.run_rule(compiled, snapshot, &mut runtime);
        let mut scope = std::mem::take(&mut runtime.scope);
        let mut reads: Vec<FactRead> = Vec::new();
        for read in context::take_trace() {
            if !reads.iter().any(|r| r.path == read.path) {
                reads.push(read);
            }
        }
        let _ = self.engine.eval_ast_with_scope::<rhai::Dynamic>(&mut scope, &compiled.when);
        let bindings: Vec<(String, Value)> = scope
            .iter_raw()
            .filter(|(name, _, _)| !matches!(*name, "facts" | "data"))
            .map(|(name, _, value)| (name.to_string(), dynamic_to_json(value)))
            .collect();
        let terms = top_level_terms(last_statement(&compiled.rule.when.value))
            .into_iter()
            .map(|text| {
                let result = self
                    .engine
                    .compile_expression_with_scope(&scope, &text)
                    .map_err(|e| e.to_string())
                    .and_then(|ast| {
                        self.engine.eval_ast_with_scope::<rhai::Dynamic>(&mut scope, &ast).map_err(|e| e.to_string())
                    })
                    .map(|v| dynamic_to_json(&v));
                Term { text, result }
            })
            .collect();
        let _ = context::take_trace();
        Some(Explanation { finding, reads, bindings, terms })
    }
}

/// Splits text at depth-0 occurrences of a separator, outside strings and brackets.
fn split_top_level(text: &str, separators: &[&str]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_string: Option<char> = None;
    let mut current = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = in_string {
            current.push(c);
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    current.push(n);
                }
            } else if c == q {
                in_string = None;
            }
            continue;
        }
        match c {
            '"' | '`' => in_string = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth == 0
            && let Some(sep) = separators.iter().find(|s| text.get(i..).is_some_and(|rest| rest.starts_with(**s)))
        {
            parts.push(std::mem::take(&mut current));
            for _ in 1..sep.len() {
                chars.next();
            }
            continue;
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn last_statement(script: &str) -> String {
    let code: String = script.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    split_top_level(&code, &[";"]).pop().unwrap_or_default()
}

fn top_level_terms(expression: String) -> Vec<String> {
    let terms = split_top_level(&expression, &["&&", "||"]);
    if terms.len() > 1 { terms } else { vec![expression] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_terms_outside_brackets_and_strings() {
        let terms = top_level_terms(last_statement("let a = 1;\n a > 0 && (b || c) || \"x && y\" == s"));
        assert_eq!(terms, ["a > 0", "(b || c)", "\"x && y\" == s"]);
    }
}
