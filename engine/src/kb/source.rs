//! Where a knowledge base's files come from: a folder on disk, or files embedded in a binary.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One file of a knowledge base, with its path relative to the knowledge base's root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the root, with `/` separators (e.g. `service/adsync-service-stopped.yaml`).
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
}

/// All files of a knowledge base.
#[derive(Debug, Clone, Default)]
pub struct KbSource {
    /// Where the files came from, for messages (a folder, or `<embedded>`).
    pub origin: PathBuf,
    /// The files, sorted by path.
    pub files: Vec<SourceFile>,
}

impl KbSource {
    /// Reads every `.yaml`, `.yml` and `.json` file below `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let io = |path: &Path, source| Error::Io { path: path.to_path_buf(), source };
        if !dir.is_dir() {
            return Err(io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder")));
        }
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                io(&path, e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk error")))
            })?;
            let path = entry.path();
            let wanted = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            if !entry.file_type().is_file() || !wanted {
                continue;
            }
            let text = crate::text_file::read(path, crate::text_file::max_bytes(), Error::KnowledgeBase)?;
            let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
            files.push(SourceFile { path: relative, text });
        }
        Ok(KbSource { origin: dir.to_path_buf(), files })
    }

    /// Builds a source from `(relative path, text)` pairs, e.g. files embedded with `include_str!`.
    pub fn from_files<'a>(origin: &str, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut files: Vec<SourceFile> =
            files.into_iter().map(|(p, t)| SourceFile { path: PathBuf::from(p), text: t.to_owned() }).collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        KbSource { origin: PathBuf::from(origin), files }
    }

    /// The file at a relative path.
    pub fn get(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == Path::new(path))
    }

    /// The path to show for a file in messages: the origin joined with the relative path.
    pub fn display_path(&self, file: &SourceFile) -> PathBuf {
        self.origin.join(&file.path)
    }
}
