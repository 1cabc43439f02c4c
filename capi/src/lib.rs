//! # syncdoctor-capi
//!
//! A C ABI over the syncdoctor engine, for C, .NET (P/Invoke) and PowerShell embedders: load a
//! knowledge base once, evaluate snapshots to the JSON report (byte-identical to
//! `syncdoctor diagnose --format json`), free what the library returned. The header,
//! `capi/include/syncdoctor.h`, is generated from this file by cbindgen (a test fails when it is
//! stale; `SYNCDOCTOR_UPDATE_HEADER=1 cargo test -p syncdoctor-capi --test header` rewrites it).
//!
//! Every function is one call into `syncdoctor-engine` / `syncdoctor-bundled`; nothing here
//! decides anything about a snapshot. Conventions:
//!
//! * Strings are NUL-terminated UTF-8, in and out.
//! * A function that can fail returns NULL and, when `error` is not NULL, stores a message in
//!   `*error` (the located message the CLI prints, e.g. `<snapshot>:3:17: …`), which the caller
//!   frees with [`syncdoctor_string_free`]. On success `*error` is set to NULL.
//! * A knowledge base is immutable: one handle may be used from any number of threads at once.
//! * No function panics across the boundary: a panic becomes an error message.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use syncdoctor_engine::{EvalOptions, KnowledgeBase};

/// Report rules that passed or were skipped too (`syncdoctor diagnose --all`).
pub const SYNCDOCTOR_ALL: u32 = 1;

/// A compiled knowledge base (opaque to C).
pub struct SyncdoctorKb {
    kb: KnowledgeBase,
}

/// What can go wrong in a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required pointer argument was NULL.
    #[error("{0} is NULL")]
    Null(&'static str),
    /// A string argument was not UTF-8.
    #[error("{0} is not UTF-8: {1}")]
    NotUtf8(&'static str, std::str::Utf8Error),
    /// An unknown flag bit was set.
    #[error("unknown flags {0:#x}")]
    Flags(u32),
    /// The engine refused the knowledge base or the snapshot (located message).
    #[error(transparent)]
    Engine(#[from] syncdoctor_engine::Error),
    /// A bug: the engine panicked. The message says where.
    #[error("internal error: {0}")]
    Panic(String),
}

/// A string for C: interior NUL bytes (impossible in our JSON and messages) are dropped.
fn c_string(text: String) -> *mut c_char {
    let bytes: Vec<u8> = text.into_bytes().into_iter().filter(|b| *b != 0).collect();
    CString::new(bytes).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// Runs `f`, turning an error or a panic into NULL plus `*error`.
///
/// # Safety
/// `error` is NULL or points to writable storage for one pointer.
unsafe fn call<T>(error: *mut *mut c_char, f: impl FnOnce() -> Result<T, Error>) -> Option<T> {
    let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = syncdoctor_engine::panic_message(panic.as_ref()).unwrap_or("panic").to_owned();
        Err(Error::Panic(message))
    });
    let (value, message) = match result {
        Ok(value) => (Some(value), std::ptr::null_mut()),
        Err(e) => (None, c_string(e.to_string())),
    };
    if error.is_null() {
        if !message.is_null() {
            // SAFETY: `message` came from `CString::into_raw` just above and is not shared.
            drop(unsafe { CString::from_raw(message) });
        }
    } else {
        // SAFETY: the caller guarantees `error` points to writable storage for one pointer.
        unsafe { error.write(message) };
    }
    value
}

/// A `&str` from a C string argument.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that outlives the returned reference.
unsafe fn text<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::Null(what));
    }
    // SAFETY: not NULL, and NUL-terminated by the caller's contract.
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|e| Error::NotUtf8(what, e))
}

/// Loads and compiles a knowledge base: the `rules/` folder `rules_dir`, or the bundled one when
/// `rules_dir` is NULL. Returns NULL on failure (every located problem in `*error`). Free the
/// handle with [`syncdoctor_kb_free`].
///
/// # Safety
/// `rules_dir` is NULL or a NUL-terminated string; `error` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_kb_load(rules_dir: *const c_char, error: *mut *mut c_char) -> *mut SyncdoctorKb {
    // SAFETY: forwarded from this function's contract.
    let kb = unsafe {
        call(error, || {
            let dir = if rules_dir.is_null() { None } else { Some(Path::new(text(rules_dir, "rules_dir")?)) };
            Ok(syncdoctor_bundled::load(dir)?)
        })
    };
    kb.map_or(std::ptr::null_mut(), |kb| Box::into_raw(Box::new(SyncdoctorKb { kb })))
}

/// Evaluates a snapshot given as text (JSON, or YAML when it does not start with `{`; named
/// `<snapshot>` in messages) and returns the JSON report, exactly as
/// `syncdoctor diagnose --format json` prints it. `flags`: 0, or [`SYNCDOCTOR_ALL`]. Returns NULL
/// on a bad snapshot (the located message in `*error`). Free the result with
/// [`syncdoctor_string_free`].
///
/// # Safety
/// `kb` is NULL or a live handle from [`syncdoctor_kb_load`]; `snapshot` is NULL or a
/// NUL-terminated string; `error` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_evaluate_json(
    kb: *const SyncdoctorKb,
    snapshot: *const c_char,
    flags: u32,
    error: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        evaluate(kb, flags, error, |kb| {
            // `snapshot` is NULL or NUL-terminated (caller's contract).
            let text = text(snapshot, "snapshot")?;
            Ok(syncdoctor_engine::Snapshot::from_unnamed_text(text, "snapshot", kb.snapshot_schema())?)
        })
    }
}

/// Evaluates the snapshot file `path` (`.json`, `.yaml` or `.yml`) and returns the JSON report,
/// exactly as `syncdoctor diagnose --format json PATH` prints it; otherwise as
/// [`syncdoctor_evaluate_json`].
///
/// # Safety
/// As [`syncdoctor_evaluate_json`], with `path` in place of `snapshot`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_evaluate_file(
    kb: *const SyncdoctorKb,
    path: *const c_char,
    flags: u32,
    error: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        evaluate(kb, flags, error, |kb| {
            // `path` is NULL or NUL-terminated (caller's contract).
            let path = text(path, "path")?;
            Ok(kb.read_snapshot(Path::new(path))?)
        })
    }
}

/// Reads a snapshot with `read` and returns its JSON report, or NULL plus `*error`.
///
/// # Safety
/// `kb` is NULL or a live handle from [`syncdoctor_kb_load`]; `error` is NULL or writable.
unsafe fn evaluate(
    kb: *const SyncdoctorKb,
    flags: u32,
    error: *mut *mut c_char,
    read: impl FnOnce(&KnowledgeBase) -> Result<syncdoctor_engine::Snapshot, Error>,
) -> *mut c_char {
    // SAFETY: forwarded from this function's contract.
    let report = unsafe {
        call(error, || {
            // `kb` is NULL or a live handle (caller's contract); it is only read.
            let kb = &kb.as_ref().ok_or(Error::Null("kb"))?.kb;
            let snapshot = read(kb)?;
            Ok(kb.evaluate(&snapshot, &options(flags)?).to_json_text())
        })
    };
    report.map_or(std::ptr::null_mut(), c_string)
}

fn options(flags: u32) -> Result<EvalOptions, Error> {
    if flags & !SYNCDOCTOR_ALL != 0 {
        return Err(Error::Flags(flags));
    }
    Ok(EvalOptions { include_all: flags & SYNCDOCTOR_ALL != 0, ..EvalOptions::default() })
}

/// The knowledge base's version (`kb_version` in reports), or NULL when `kb` is NULL. Free it with
/// [`syncdoctor_string_free`].
///
/// # Safety
/// `kb` is NULL or a live handle from [`syncdoctor_kb_load`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_kb_version(kb: *const SyncdoctorKb) -> *mut c_char {
    // SAFETY: `kb` is NULL or a live handle (caller's contract); it is only read.
    unsafe { kb.as_ref() }.map_or(std::ptr::null_mut(), |kb| c_string(kb.kb.version().to_owned()))
}

/// The engine's version (`engine_version` in reports): a static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn syncdoctor_engine_version() -> *const c_char {
    static VERSION: std::sync::OnceLock<CString> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| CString::new(syncdoctor_engine::ENGINE_VERSION).unwrap_or_default()).as_ptr()
}

/// Frees a string this library returned (a report, a version or an error message). NULL is
/// ignored.
///
/// # Safety
/// `text` is NULL or a string this library returned, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: it came from `CString::into_raw` in this library and is freed once (contract).
        drop(unsafe { CString::from_raw(text) });
    }
}

/// Frees a knowledge base. NULL is ignored.
///
/// # Safety
/// `kb` is NULL or a handle from [`syncdoctor_kb_load`], not yet freed and no longer in use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syncdoctor_kb_free(kb: *mut SyncdoctorKb) {
    if !kb.is_null() {
        // SAFETY: it came from `Box::into_raw` in `syncdoctor_kb_load` and is freed once (contract).
        drop(unsafe { Box::from_raw(kb) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_arguments_are_errors_not_crashes() {
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: NULL handle and snapshot are allowed; `error` is a local.
        let report = unsafe { syncdoctor_evaluate_json(std::ptr::null(), std::ptr::null(), 0, &mut error) };
        assert!(report.is_null());
        // SAFETY: set by the call above to a string of ours.
        let message = unsafe { CStr::from_ptr(error) }.to_string_lossy().into_owned();
        assert_eq!(message, "kb is NULL");
        // SAFETY: ours, freed once.
        unsafe { syncdoctor_string_free(error) };
        // SAFETY: NULL is allowed everywhere here.
        unsafe {
            syncdoctor_kb_free(std::ptr::null_mut());
            syncdoctor_string_free(std::ptr::null_mut());
            assert!(syncdoctor_kb_version(std::ptr::null()).is_null());
        }
    }
}
