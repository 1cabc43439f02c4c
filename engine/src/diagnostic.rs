//! Located problems in knowledge-base files and snapshots: `file:line:col: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

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
    pub fn spanned<T>(file: &Path, value: &Spanned<T>, message: impl Into<String>) -> Self {
        Self::at(file, value.referenced.line(), value.referenced.column(), message)
    }

    /// A problem reported by the YAML deserializer (with its own location when it has one).
    pub fn yaml(file: &Path, error: &serde_saphyr::Error) -> Self {
        let (line, column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
        let text = error.to_string();
        // The deserializer's message may repeat the position and a snippet; keep its first line.
        let first = text.lines().next().unwrap_or("invalid YAML").trim().to_string();
        Self::at(file, line, column, first)
    }
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
