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
    remove_stale_temps(&dir, &name);
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

/// Removes the temporary files an earlier write of `name` left in `dir` when its process was killed
/// between creating and renaming it (`SIGKILL` and power loss run no clean-up): `.NAME.PID.N.tmp`
/// whose process no longer exists. Best effort: a file that cannot be removed stays.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(middle) = file.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|f| f.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = middle.split_once('.').and_then(|(pid, n)| n.parse::<u32>().ok().and(pid.parse::<u32>().ok()))
        else {
            continue;
        };
        if pid != std::process::id() && !process_exists(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id exists (signal 0 probes it without sending anything).
#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else { return false };
    !matches!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None), Err(nix::errno::Errno::ESRCH))
}

/// Elsewhere a process's existence is not checked: nothing is removed.
#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
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
    fn a_temporary_file_left_by_a_killed_write_is_removed_by_the_next_one() {
        let dir = std::env::temp_dir().join(format!("syncdoctor-writer-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("snap.json");
        // A write killed between create and rename (pid 2,000,000,000 exists on no Linux system)…
        let stale = dir.join(".snap.json.2000000000.0.tmp");
        fs::write(&stale, "half a snapsh").unwrap();
        // …one of a process that is alive (this one's parent), and another file's temporary.
        let alive = dir.join(format!(".snap.json.{}.0.tmp", std::os::unix::process::parent_id()));
        fs::write(&alive, "in progress").unwrap();
        let other = dir.join(".other.json.2000000000.0.tmp");
        fs::write(&other, "not ours").unwrap();
        write_atomically(&target, "{}\n").unwrap();
        assert!(!stale.exists(), "the dead process's temporary file is removed");
        assert!(alive.exists(), "a live writer's temporary file is left alone");
        assert!(other.exists(), "another target's temporary file is left alone");
        assert_eq!(fs::read_to_string(&target).unwrap(), "{}\n");
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
