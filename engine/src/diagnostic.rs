//! Located problems in knowledge-base files and snapshots: `file:line:col: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as given to the loader (relative to the knowledge base folder when loading one).
    pub file: PathBuf,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong, naming the field.
    pub message: String,
}

impl Diagnostic {
    /// A problem at a line and column.
    pub fn at(file: &Path, line: u64, column: u64, message: impl Into<String>) -> Self {
        Diagnostic { file: file.to_path_buf(), line, column, message: message.into() }
    }

    /// A problem about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self::at(file, 0, 0, message)
    }

    /// A problem at a spanned YAML value.
    pub(crate) fn spanned<T>(file: &Path, value: &crate::rule::Located<T>, message: impl Into<String>) -> Self {
        Self::at(file, value.line, value.column, message)
    }

    /// A problem reported by the YAML deserializer (with its own location when it has one).
    pub(crate) fn yaml(file: &Path, error: &serde_saphyr::Error) -> Self {
        let (line, column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
        if let serde_saphyr::Error::Budget { breach, .. } = error.without_snippet() {
            return Self::at(file, line, column, yaml_budget_message(breach));
        }
        let text = error.to_string();
        // The deserializer's message may repeat the position and a snippet; keep its first line,
        // without the `error: line L column C:` prefix the diagnostic's own location replaces.
        let first = text.lines().next().unwrap_or("invalid YAML").trim();
        let first = first.strip_prefix("error:").unwrap_or(first).trim_start();
        let first = match first.strip_prefix("line ").and_then(|rest| rest.split_once(": ")) {
            Some((position, rest)) if position.split(' ').all(|w| w == "column" || w.parse::<u64>().is_ok()) => rest,
            _ => first,
        };
        Self::at(file, line, column, first.to_string())
    }
}

/// Reads `text`, the contents of `file`, as YAML into a `T`; a problem is a diagnostic at its
/// line and column (in the words [`KnowledgeBase::load`](crate::KnowledgeBase::load) uses).
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T, Diagnostic> {
    serde_saphyr::from_str(text).map_err(|e| Diagnostic::yaml(file, &e))
}

/// A YAML reader limit (against alias bombs and runaway documents), in the user's words.
fn yaml_budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let (what, count) = match breach {
        B::Events { events } => ("parser events", *events),
        B::Aliases { aliases } => ("alias references (*name)", *aliases),
        B::Anchors { anchors } => ("anchors (&name)", *anchors),
        B::Depth { depth } => ("levels of nesting", *depth),
        B::Documents { documents } => ("documents", *documents),
        B::Nodes { nodes } => ("values", *nodes),
        B::ScalarBytes { total_scalar_bytes } => ("bytes of text", *total_scalar_bytes),
        _ => return "the YAML goes past one of the YAML reader's limits (it guards against alias bombs); write it as JSON".into(),
    };
    format!(
        "the YAML has more than {} {what}, the YAML reader's limit (it guards against alias bombs); write a document this large as JSON, which has no such limit",
        count.saturating_sub(1)
    )
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file.display(), self.message),
            (l, 0) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {}", self.file.display(), self.message),
        }
    }
}

/// Renders a list of diagnostics, one per line.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}
