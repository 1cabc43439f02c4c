//! The engine's error type.

use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, render};

/// Everything that can go wrong loading a knowledge base or a snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The knowledge base has problems; every one is listed with its location.
    #[error("the knowledge base has {} problem(s):\n{}", .0.len(), render(.0))]
    KnowledgeBase(Vec<Diagnostic>),
    /// The knowledge base needs a newer engine.
    #[error("the knowledge base {kb_version} needs engine {required} or newer; this engine is {engine}")]
    EngineTooOld {
        /// The knowledge base's version.
        kb_version: String,
        /// The engine version it requires.
        required: String,
        /// This engine's version.
        engine: String,
    },
    /// A snapshot is malformed; every problem is listed with its location.
    #[error("invalid snapshot:\n{}", render(.0))]
    Snapshot(Vec<Diagnostic>),
    /// A waivers file is malformed; every problem is listed with its location.
    #[error("invalid waivers file:\n{}", render(.0))]
    Waivers(Vec<Diagnostic>),
    /// A JSON Schema given to the engine is itself invalid.
    #[error("invalid JSON Schema: {0}")]
    Schema(String),
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message a panic was raised with, when it has one (`panic!("…")` payloads are a `String` or
/// a `&str`), for reporting a caught panic (`std::panic::catch_unwind`) as an error.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied())
}
