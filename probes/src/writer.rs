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
    // A link is written through (its target is replaced, the link stays); a device, pipe or
    // socket is never replaced by a regular file (as root, `-o /dev/null` would otherwise
    // replace the system's /dev/null).
    let resolved;
    let path = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            // A dangling link names the file to create.
            resolved = fs::canonicalize(path).or_else(|_| {
                let target = fs::read_link(path)?;
                Ok::<_, std::io::Error>(path.parent().map_or_else(|| target.clone(), |p| p.join(&target)))
            })?;
            resolved.as_path()
        }
        _ => path,
    };
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is not a regular file (a folder, device, pipe or socket): give the path of a file",
                path.display()
            ),
        ));
    }
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
    renamed?;
    // The rename is durable once the folder's entry is on disk too.
    #[cfg(unix)]
    File::open(&dir)?.sync_all()?;
    Ok(())
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

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_a_fifo_is_never_replaced() {
        let dir = std::env::temp_dir().join(format!("syncdoctor-writer-special-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let real = dir.join("real.json");
        fs::write(&real, "old").unwrap();
        let link = dir.join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomically(&link, "{}\n").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(fs::read_to_string(&real).unwrap(), "{}\n");
        let fifo = dir.join("fifo.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let error = write_atomically(&fifo, "{}").unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        assert!(!fs::metadata(&fifo).unwrap().is_file(), "the FIFO is still a FIFO");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_fails_without_touching_anything() {
        let target = std::env::temp_dir().join("syncdoctor-no-such-dir-xyz").join("snap.json");
        assert!(write_atomically(&target, "{}").is_err());
    }
}
