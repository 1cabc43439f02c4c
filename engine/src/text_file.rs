//! Reading the text files the engine is given (snapshots, rule files, waivers) so that a bad file
//! gets a message naming what is wrong with it, never a hang or an unlocated failure:
//!
//! - only regular files are opened (a FIFO or a device would block `open()` or never end);
//! - a file larger than the limit is refused before it is read, so a huge input is a clean error
//!   instead of running the process out of memory;
//! - a UTF-8 byte-order mark is skipped (PowerShell's `Out-File` writes one), a UTF-16 one is named;
//! - invalid UTF-8 is reported with its line, column and byte offset.

use std::io::Read as _;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};

/// Largest text file read by default: 1 GiB. A snapshot needs a few times its size in memory.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Reads `path` as UTF-8 text, refusing non-regular files and files over `max_bytes`. The errors
/// carry the path (and, for bad encoding, the location); `wrap` turns a located problem into the
/// caller's error kind (a snapshot problem, a knowledge-base problem, …).
pub fn read(path: &Path, max_bytes: u64, wrap: fn(Vec<Diagnostic>) -> Error) -> Result<String> {
    read_checked(path, max_bytes, decode, &|source| Error::Io { path: path.to_path_buf(), source }, &|d| wrap(vec![d]))
}

/// [`read`] for callers with an error type of their own: every failure is one located problem
/// (`path: cannot read: …` for an I/O error).
pub fn read_located(path: &Path, max_bytes: u64) -> std::result::Result<String, Diagnostic> {
    read_checked(path, max_bytes, decode, &|e| Diagnostic::file(path, format!("cannot read: {e}")), &|d| d)
}

/// [`read_located`] for exports written by Windows tools, which may be UTF-16: UTF-16 with a
/// byte-order mark (`FF FE` little-endian, as `ldifde -u`, Excel's "Unicode text" and Windows
/// PowerShell's `Out-File` write it; `FE FF` big-endian) is decoded instead of refused
/// ([`decode_utf8_or_utf16`]).
pub fn read_located_utf16(path: &Path, max_bytes: u64) -> std::result::Result<String, Diagnostic> {
    read_checked(
        path,
        max_bytes,
        decode_utf8_or_utf16,
        &|e| Diagnostic::file(path, format!("cannot read: {e}")),
        &|d| d,
    )
}

/// The text of `bytes`: UTF-16 when it starts with a UTF-16 byte-order mark (an unpaired
/// surrogate or an odd trailing byte is a located problem), else as [`decode`].
pub fn decode_utf8_or_utf16(bytes: Vec<u8>, path: &Path) -> Result<String, Diagnostic> {
    let from: fn([u8; 2]) -> u16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => u16::from_le_bytes,
        Some([0xFE, 0xFF]) => u16::from_be_bytes,
        _ => return decode(bytes, path),
    };
    let body = bytes.get(2..).unwrap_or_default();
    if body.len() % 2 != 0 {
        return Err(Diagnostic::file(path, "UTF-16 text with an odd number of bytes (the file is cut short)"));
    }
    let units: Vec<u16> = body.chunks_exact(2).map(|c| from([c[0], c[1]])).collect();
    let mut text = String::with_capacity(units.len());
    let (mut line, mut column) = (1u64, 1u64);
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => {
                text.push(c);
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            Err(e) => {
                return Err(Diagnostic::at(
                    path,
                    line,
                    column,
                    format!("invalid UTF-16: unpaired surrogate {:#06x}", e.unpaired_surrogate()),
                ));
            }
        }
    }
    Ok(text)
}

fn read_checked<E>(
    path: &Path,
    max_bytes: u64,
    decode: fn(Vec<u8>, &Path) -> Result<String, Diagnostic>,
    io: &dyn Fn(std::io::Error) -> E,
    wrap: &dyn Fn(Diagnostic) -> E,
) -> std::result::Result<String, E> {
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() { "a folder" } else { "not a regular file (a pipe, socket or device)" };
        return Err(wrap(Diagnostic::file(path, format!("{kind}: give the path of a file"))));
    }
    if metadata.len() > max_bytes {
        return Err(wrap(Diagnostic::file(
            path,
            format!("the file is {} bytes, more than the limit of {max_bytes} bytes", metadata.len()),
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew since it was measured.
    std::fs::File::open(path).map_err(io)?.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(wrap(Diagnostic::file(path, format!("the file is more than the limit of {max_bytes} bytes"))));
    }
    decode(bytes, path).map_err(wrap)
}

/// The text of `bytes`, a UTF-8 byte-order mark skipped; a located problem when it is not UTF-8.
pub fn decode(mut bytes: Vec<u8>, path: &Path) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::at(
            path,
            1,
            1,
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let offset = e.utf8_error().valid_up_to();
        let before = bytes.get(..offset).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() as u64 + 1;
        Diagnostic::at(
            path,
            line,
            column,
            format!("invalid UTF-8 at byte offset {offset}: the file must be UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(bytes: &[u8]) -> String {
        decode(bytes.to_vec(), Path::new("f.json")).map_or_else(|d| d.to_string(), |t| format!("ok: {t}"))
    }

    #[test]
    fn invalid_utf8_is_located_by_line_column_and_offset() {
        assert_eq!(
            located(b"{\n  \"a\": \"\xff\"}"),
            "f.json:2:9: invalid UTF-8 at byte offset 10: the file must be UTF-8 text"
        );
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_when_asked_for() {
        let decode = |b: &[u8]| decode_utf8_or_utf16(b.to_vec(), Path::new("f.csv")).map_err(|d| d.to_string());
        assert_eq!(decode(b"\xFF\xFEa\x00,\x00\xe9\x00\r\x00\n\x00").unwrap(), "a,\u{e9}\r\n");
        assert_eq!(decode(b"\xFE\xFF\x00a\x00b").unwrap(), "ab");
        assert_eq!(decode(b"\xEF\xBB\xBFplain").unwrap(), "plain");
        assert!(decode(b"\xFF\xFEa\x00\n\x00\x00\xd8x\x00").unwrap_err().starts_with("f.csv:2:1: invalid UTF-16"));
        assert!(decode(b"\xFF\xFEa").unwrap_err().contains("odd number of bytes"));
    }

    #[test]
    fn a_utf8_bom_is_skipped_and_a_utf16_bom_is_named() {
        assert_eq!(located(b"\xEF\xBB\xBF{}"), "ok: {}");
        assert!(located(b"\xFF\xFE{\x00}\x00").contains("UTF-16"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_opening_it() {
        let dir = std::env::temp_dir().join(format!("syncdoctor-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("snapshot.json");
        let _ = std::fs::remove_file(&fifo);
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let error = read(&fifo, DEFAULT_MAX_BYTES, Error::Snapshot).unwrap_err().to_string();
        assert!(error.contains("not a regular file"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let path = std::env::temp_dir().join(format!("syncdoctor-big-{}.json", std::process::id()));
        std::fs::write(&path, vec![b' '; 2048]).unwrap();
        let error = read(&path, 1024, Error::Snapshot).unwrap_err().to_string();
        assert!(error.contains("2048 bytes, more than the limit of 1024"), "{error}");
        std::fs::remove_file(&path).unwrap();
    }
}
