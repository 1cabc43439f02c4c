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
use std::sync::atomic::{AtomicU64, Ordering};

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};

/// Largest text file read by default: 1 GiB. A snapshot needs a few times its size in memory.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// The process-wide limit [`max_bytes`] returns ([`DEFAULT_MAX_BYTES`] until [`set_max_bytes`]).
static MAX_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_BYTES);

/// Largest text file (snapshot, rule file, waivers, import) this process reads: the CLI's
/// `--max-input-size`, else [`DEFAULT_MAX_BYTES`].
pub fn max_bytes() -> u64 {
    MAX_BYTES.load(Ordering::Relaxed)
}

/// Sets the limit [`max_bytes`] returns for the rest of the process (at least 1 byte).
pub fn set_max_bytes(bytes: u64) {
    MAX_BYTES.store(bytes.max(1), Ordering::Relaxed);
}

/// A byte count as people write it: `1048576`, `512K`, `200MB`, `1.5GiB` (K, M, G, T are powers
/// of 1024 — a file limit is a memory question —, with or without `B`/`iB`, any case).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("{text:?} is not a size (e.g. 1073741824, 512M, 2GiB)"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M, G or T)")),
    };
    let bytes = number * scale as f64;
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("{text:?} is not a usable size (at least 1 byte)"));
    }
    Ok(bytes as u64)
}

/// `n` bytes for a message: `1073741824 bytes (1 GiB)`.
fn size_text(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match UNITS.iter().find(|(scale, _)| n >= *scale) {
        Some((scale, unit)) => format!("{n} bytes ({:.1} {unit})", n as f64 / *scale as f64).replace(".0 ", " "),
        None => format!("{n} bytes"),
    }
}

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
    let units: Vec<u16> =
        body.chunks_exact(2).map(|c| from([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)])).collect();
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
            format!(
                "the file is {}, more than the limit of {} (raise it with --max-input-size or SYNCDOCTOR_MAX_INPUT_SIZE)",
                size_text(metadata.len()),
                size_text(max_bytes)
            ),
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew since it was measured.
    std::fs::File::open(path).map_err(io)?.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(wrap(Diagnostic::file(
            path,
            format!("the file is more than the limit of {}", size_text(max_bytes)),
        )));
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
mod size_tests {
    use super::{parse_size, size_text};

    #[test]
    fn sizes_as_people_write_them() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("200MB"), Ok(200 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2 g"), Ok(2 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert_eq!(size_text(1 << 30), "1073741824 bytes (1 GiB)");
        assert_eq!(size_text(3 << 29), "1610612736 bytes (1.5 GiB)");
        assert_eq!(size_text(12), "12 bytes");
    }
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
        assert!(error.contains("2048 bytes (2 KiB), more than the limit of 1024 bytes (1 KiB)"), "{error}");
        std::fs::remove_file(&path).unwrap();
    }
}
