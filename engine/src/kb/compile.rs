//! Compiling a rule's Rhai texts once, with compile errors located in the rule file.

use std::path::Path;

use rhai::{AST, Dynamic, Engine, Position, Scope};

use crate::diagnostic::Diagnostic;
use crate::rule::Located;

/// The variables every condition sees: `facts` (the snapshot) and `data` (reference data).
pub(crate) fn scope_template() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push("facts", Dynamic::UNIT);
    scope.push("data", Dynamic::UNIT);
    scope
}

/// Compiles a condition; on failure, a diagnostic pointing into the YAML file.
pub(crate) fn compile_condition(
    engine: &Engine,
    file: &Path,
    file_text: &str,
    field: &str,
    source: &Located<String>,
) -> Result<AST, Diagnostic> {
    engine.compile_with_scope(&scope_template(), &source.value).map_err(|e| {
        let (line, column) = position_in_file(file_text, source, e.position());
        Diagnostic::at(file, line, column, format!("`{field}` does not compile: {}", e.err_type()))
    })
}

/// Compiles a message template (`text with ${expr}`) as a Rhai interpolated string.
pub(crate) fn compile_message(
    engine: &Engine,
    file: &Path,
    file_text: &str,
    source: &Located<String>,
) -> Result<AST, Diagnostic> {
    let script = format!("`{}`", source.value.replace('`', "\\`"));
    engine.compile_with_scope(&scope_template(), &script).map_err(|e| {
        let (line, column) = position_in_file(file_text, source, e.position());
        Diagnostic::at(file, line, column, format!("`message` does not compile: {}", e.err_type()))
    })
}

/// Maps a position inside a YAML scalar's text to a line and column of the file.
pub(crate) fn position_in_file(file_text: &str, source: &Located<String>, pos: Position) -> (u64, u64) {
    let (line, column) = (source.line, source.column);
    let (Some(rel_line), rel_col) = (pos.line(), pos.position().unwrap_or(1)) else {
        return (line, column);
    };
    let rel_line = rel_line as u64;
    let rel_col = rel_col as u64;
    let lines: Vec<&str> = file_text.lines().collect();
    let at_value = lines
        .get(line.saturating_sub(1) as usize)
        .and_then(|l| l.chars().skip(column.saturating_sub(1) as usize).find(|c| !c.is_whitespace()));
    match at_value {
        Some('|' | '>') => {
            let first = lines
                .iter()
                .skip(line as usize)
                .find(|l| !l.trim().is_empty())
                .map_or(0, |l| l.len() - l.trim_start().len()) as u64;
            (line + rel_line, first + rel_col)
        }
        Some('"' | '\'') => (line + rel_line - 1, column + rel_col),
        _ => (line + rel_line - 1, column + rel_col - 1),
    }
}
