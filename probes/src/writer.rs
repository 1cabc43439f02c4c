//! Writing a snapshot: pretty JSON, atomically (a temporary file in the target's folder, flushed
//! to disk, then renamed over the target), so a reader never sees half a snapshot and a failed
//! run never destroys the previous one.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::facts::SnapshotDocument;

/// The snapshot as pretty JSON with a final newline.
///
/// # Errors
///
/// A serialization error (cannot happen for the types of this crate).
pub fn to_json(document: &SnapshotDocument) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(document).map(|text| text + "\n")
}

/// Writes `text` to `path` atomically: a new temporary file beside it, `fsync`, then `rename`.
///
/// # Errors
///
/// Any I/O error; the temporary file is removed and `path` is left as it was.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let (temp, mut file) = create_temp(&dir, &name)?;
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    drop(file);
    let renamed = written.and_then(|()| fs::rename(&temp, path));
    if renamed.is_err() {
        let _ = fs::remove_file(&temp);
    }
    renamed
}

fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let temp = dir.join(format!(".{name}.{pid}.{attempt}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_target_and_leave_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("syncdoctor-writer-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("snap.json");
        fs::write(&target, "old").unwrap();
        write_atomically(&target, "{}\n").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "{}\n");
        let leftovers: Vec<_> =
            fs::read_dir(&dir).unwrap().flatten().filter(|e| e.file_name() != "snap.json").collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_fails_without_touching_anything() {
        let target = std::env::temp_dir().join("syncdoctor-no-such-dir-xyz").join("snap.json");
        assert!(write_atomically(&target, "{}").is_err());
    }
}
