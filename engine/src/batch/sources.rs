//! Where a batch's snapshots come from: files, folders (walked, in path order) and NDJSON streams
//! (one snapshot per line), read lazily so memory stays flat however many there are.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where snapshots come from, once folders are walked.
#[derive(Debug)]
pub enum Source {
    /// One snapshot file; `name` is its name under `--expect`.
    File {
        /// The file.
        path: PathBuf,
        /// Its name among stored reports.
        name: String,
    },
    /// An NDJSON stream (`None`: standard input).
    Stream(Option<PathBuf>),
    /// An entry that could not be read (an unreadable folder, a dangling link): reported as a bad
    /// input of its own while the rest of the replay goes on.
    Bad {
        /// How the entry is named.
        label: String,
        /// What is wrong with it.
        message: String,
    },
}

/// One snapshot to evaluate.
#[derive(Debug, Clone)]
pub struct Input {
    /// How it is named in the output (a path, or `stream.ndjson:7`).
    pub source: String,
    /// Its name among stored reports (without `.json`).
    pub name: String,
    /// Where its text is.
    pub payload: Payload,
}

/// Where a snapshot's text is.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A snapshot file (JSON or YAML).
    File(PathBuf),
    /// One line of an NDJSON stream.
    Line {
        /// The line.
        text: String,
        /// The stream, for messages.
        file: PathBuf,
        /// Its 1-based line number.
        line: u64,
    },
    /// An entry that could not be read: why.
    Unreadable(String),
}

fn is_snapshot_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "json" | "yaml" | "yml" | "ndjson"))
}

fn is_stream(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ndjson")
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| "snapshot".into(), |s| s.to_string_lossy().into_owned())
}

/// Expands the inputs (files, folders, NDJSON streams, `-` for standard input): folders are
/// walked in path order with links followed, everything else is kept as given. A path that does
/// not exist is an error; an unreadable entry inside a folder is a [`Source::Bad`] of its own.
pub fn sources(inputs: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for input in inputs {
        if input == Path::new("-") {
            out.push(Source::Stream(None));
        } else if input.is_dir() {
            // Links are followed (a corpus is often a folder of links); a dangling one, a loop or
            // an unreadable sub-folder is one bad input, not the end of the replay.
            let walker = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
            for entry in walker {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        let label = e.path().unwrap_or(input).display().to_string();
                        let why = e.io_error().map_or_else(|| e.to_string(), ToString::to_string);
                        let message = if e.loop_ancestor().is_some() {
                            format!("{label}: a link loop: {why}")
                        } else if e.path().is_some_and(|p| p.is_symlink() && !p.exists()) {
                            format!("{label}: a dangling link (its target does not exist)")
                        } else {
                            format!("{label}: cannot read: {why}")
                        };
                        out.push(Source::Bad { label, message });
                        continue;
                    }
                };
                let path = entry.path();
                if !entry.file_type().is_file() || !is_snapshot_file(path) {
                    continue;
                }
                if is_stream(path) {
                    out.push(Source::Stream(Some(path.to_path_buf())));
                } else {
                    let relative = path.strip_prefix(input).unwrap_or(path).with_extension("");
                    let name = relative.to_string_lossy().replace('\\', "/");
                    out.push(Source::File { path: path.to_path_buf(), name });
                }
            }
        } else if is_stream(input) {
            out.push(Source::Stream(Some(input.clone())));
        } else if input.exists() {
            out.push(Source::File { path: input.clone(), name: stem(input) });
        } else {
            return Err(Error::Io {
                path: input.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    Ok(out)
}

/// The snapshots of every source, read lazily (NDJSON line by line, blank lines skipped).
pub fn inputs(sources: Vec<Source>) -> impl Iterator<Item = Input> {
    sources.into_iter().flat_map(|source| -> Box<dyn Iterator<Item = Input>> {
        match source {
            Source::File { path, name } => Box::new(std::iter::once(Input {
                source: path.display().to_string(),
                name,
                payload: Payload::File(path),
            })),
            Source::Bad { label, message } => Box::new(std::iter::once(Input {
                name: stem(Path::new(&label)),
                source: label,
                payload: Payload::Unreadable(message),
            })),
            Source::Stream(path) => {
                let (label, name) = match &path {
                    Some(p) => (p.display().to_string(), stem(p)),
                    None => ("<stdin>".to_string(), "stdin".to_string()),
                };
                let reader: Result<Box<dyn BufRead>, String> = match &path {
                    Some(p) => std::fs::File::open(p)
                        .map(|f| Box::new(BufReader::new(f)) as Box<dyn BufRead>)
                        .map_err(|e| format!("cannot read {label}: {e}")),
                    None => Ok(Box::new(BufReader::new(std::io::stdin()))),
                };
                let file = PathBuf::from(&label);
                match reader {
                    Err(message) => {
                        Box::new(std::iter::once(Input { source: label, name, payload: Payload::Unreadable(message) }))
                    }
                    Ok(reader) => Box::new(
                        reader
                            .lines()
                            .enumerate()
                            .map(move |(i, line)| {
                                let n = i as u64 + 1;
                                let payload = match line {
                                    Ok(text) => Payload::Line { text, file: file.clone(), line: n },
                                    Err(e) => Payload::Unreadable(format!("{label}:{n}: cannot read: {e}")),
                                };
                                Input { source: format!("{label}:{n}"), name: format!("{name}-{n}"), payload }
                            })
                            .filter(|i| !matches!(&i.payload, Payload::Line { text, .. } if text.trim().is_empty())),
                    ),
                }
            }
        }
    })
}
