//! Python bindings of the syncdoctor engine: the native module `syncdoctor._syncdoctor`.
//!
//! Thin by design: every operation is one call into `syncdoctor-engine` / `syncdoctor-bundled`
//! (the functions the CLI calls), so a report from Python is byte-identical to
//! `syncdoctor diagnose --format json`, an error message is the one the CLI prints, and an impact
//! is what `syncdoctor replay --against-rules` reports. The pure-Python part of the package
//! (`python/python/syncdoctor/`) adds typed objects and the lazy `replay` on top.
//!
//! The GIL is released (`Python::detach`) while a knowledge base loads and while a snapshot is
//! read, parsed, validated, evaluated and rendered; the knowledge base is an immutable (`frozen`)
//! class around an `Arc<KnowledgeBase>`, which is `Send + Sync`, so one instance serves any number
//! of threads at once.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use syncdoctor_engine::{Error, EvalOptions, KnowledgeBase, Report, Selection, Snapshot};

pyo3::create_exception!(_syncdoctor, SyncdoctorError, PyException, "Base class of the errors syncdoctor raises.");
pyo3::create_exception!(
    _syncdoctor,
    SnapshotError,
    SyncdoctorError,
    "A snapshot could not be read, parsed or validated; the message locates every problem (file:line:col), as the CLI prints it."
);
pyo3::create_exception!(
    _syncdoctor,
    KnowledgeBaseError,
    SyncdoctorError,
    "A knowledge base could not be read or compiled; the message locates every problem, as the CLI prints it."
);

/// A snapshot as given from Python, copied out of Python objects so the GIL can be released
/// while it is read and parsed.
enum Input {
    /// Snapshot text (JSON, or YAML when it does not start with `{`), named `<NAME>` in messages.
    Text { text: String, name: &'static str },
    /// A parsed document (from a dict), named `<dict>` in messages.
    Value(serde_json::Value),
    /// A snapshot file, read as `syncdoctor diagnose FILE` reads it.
    File(PathBuf),
    /// Line `line` of the NDJSON stream `file`, read as `syncdoctor replay FILE.ndjson` reads it.
    Line { text: String, file: PathBuf, line: u64 },
    /// The contents of the snapshot file `file`, read elsewhere (e.g. by Spark): parsed and named
    /// as `syncdoctor diagnose FILE` would.
    Named { text: String, file: PathBuf },
}

/// Copies a snapshot argument: `str` (text), `bytes` (UTF-8 text), `os.PathLike` (a file) or a
/// mapping (a parsed document).
fn input(snapshot: &Bound<'_, PyAny>) -> PyResult<Input> {
    let py = snapshot.py();
    if let Ok(text) = snapshot.cast::<PyString>() {
        return Ok(Input::Text { text: text.to_cow()?.into_owned(), name: "string" });
    }
    if let Ok(bytes) = snapshot.cast::<PyBytes>() {
        let text = std::str::from_utf8(bytes.as_bytes())
            .map_err(|e| SnapshotError::new_err(format!("<bytes>: the snapshot is not UTF-8: {e}")))?;
        return Ok(Input::Text { text: text.to_owned(), name: "bytes" });
    }
    if snapshot.is_instance(&py.import("os")?.getattr("PathLike")?)? {
        return Ok(Input::File(snapshot.extract()?));
    }
    if snapshot.is_instance(&py.import("collections.abc")?.getattr("Mapping")?)? {
        let kwargs = PyDict::new(py);
        kwargs.set_item("allow_nan", false)?;
        let text: String = py
            .import("json")?
            .getattr("dumps")?
            .call((snapshot,), Some(&kwargs))
            .map_err(|e| SnapshotError::new_err(format!("<dict>: the snapshot is not JSON data: {}", e.value(py))))?
            .extract()?;
        let value = serde_json::from_str(&text)
            .map_err(|e| SnapshotError::new_err(format!("<dict>: the snapshot is not JSON data: {e}")))?;
        return Ok(Input::Value(value));
    }
    let kind = snapshot.get_type().name()?;
    Err(PyTypeError::new_err(format!("a snapshot is str (text), bytes, os.PathLike or a dict, not {kind}")))
}

/// Parses and validates a snapshot with the knowledge base's schema (no GIL needed).
fn read(kb: &KnowledgeBase, input: &Input) -> Result<Snapshot, Error> {
    match input {
        Input::Text { text, name } => Snapshot::from_unnamed_text(text, name, kb.snapshot_schema()),
        Input::Value(value) => {
            Snapshot::from_value(value.clone(), std::path::Path::new("<dict>"), kb.snapshot_schema())
        }
        Input::File(path) => kb.read_snapshot(path),
        Input::Line { text, file, line } => Snapshot::from_stream_line(text, file, *line, kb.snapshot_schema()),
        Input::Named { text, file } => Snapshot::from_text(text, file, kb.snapshot_schema()),
    }
}

/// The Python exception for an engine error.
fn snapshot_error(e: &Error) -> PyErr {
    SnapshotError::new_err(e.to_string())
}

/// The evaluation options: `all` (`--all`) and the `--only`/`--skip` selection.
fn options(kb: &KnowledgeBase, all: bool, only: Option<Patterns>, skip: Option<Patterns>) -> PyResult<EvalOptions> {
    let (only, skip) = (only.map(|p| p.0).unwrap_or_default(), skip.map(|p| p.0).unwrap_or_default());
    let selection = Selection::new(&only, &skip).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let only = selection.ids(kb).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(EvalOptions { include_all: all, only, ..EvalOptions::default() })
}

/// `--only`/`--skip` patterns from Python: one `str`, or any iterable of `str`.
struct Patterns(Vec<String>);

impl<'py> FromPyObject<'_, 'py> for Patterns {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(one) = obj.cast::<PyString>() {
            return Ok(Self(vec![one.to_cow()?.into_owned()]));
        }
        let mut patterns = Vec::new();
        for item in obj.try_iter()? {
            patterns.push(item?.extract::<String>()?);
        }
        Ok(Self(patterns))
    }
}

/// A compiled knowledge base. Load it once; evaluate any number of snapshots from any number
/// of threads.
#[pyclass(frozen, subclass, module = "syncdoctor._syncdoctor", name = "KnowledgeBase")]
struct PyKnowledgeBase {
    kb: Arc<KnowledgeBase>,
}

/// One replayed snapshot: the report JSON, or the error; the changes JSON with `against`.
type ReplayOne = (Option<String>, Option<String>, Option<String>);

#[pymethods]
impl PyKnowledgeBase {
    /// Loads the knowledge base in folder `rules`, or the bundled one when `rules` is None.
    /// Raises KnowledgeBaseError with every located problem.
    #[new]
    #[pyo3(signature = (rules = None))]
    fn new(py: Python<'_>, rules: Option<PathBuf>) -> PyResult<Self> {
        let kb = py
            .detach(move || syncdoctor_bundled::load(rules.as_deref()))
            .map_err(|e| KnowledgeBaseError::new_err(e.to_string()))?;
        Ok(Self { kb: Arc::new(kb) })
    }

    /// The knowledge base's version (`kb_version` in reports).
    #[getter]
    fn version(&self) -> String {
        self.kb.version().to_owned()
    }

    /// The engine's version (`engine_version` in reports).
    #[getter]
    #[allow(clippy::unused_self)] // a Python property: PyO3 passes the instance
    fn engine_version(&self) -> &'static str {
        syncdoctor_engine::ENGINE_VERSION
    }

    /// The rules, in load order: a list of dicts with id, version, title, severity, area, path.
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for rule in self.kb.rules() {
            let d = PyDict::new(py);
            d.set_item("id", rule.id())?;
            d.set_item("version", &rule.rule.version.value)?;
            d.set_item("title", &rule.rule.title)?;
            d.set_item("severity", rule.rule.severity.as_str())?;
            d.set_item("area", &rule.area)?;
            d.set_item("path", rule.path.to_string_lossy().replace('\\', "/"))?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Evaluates a snapshot; returns the report as JSON text, exactly as
    /// `syncdoctor diagnose --format json` prints it (`all`: as `--all`; `only`/`skip`: rule ids,
    /// areas, severities or globs, as `--only`/`--skip`). Raises SnapshotError on a bad snapshot.
    #[pyo3(signature = (snapshot, *, all = false, only = None, skip = None))]
    fn evaluate_json(
        &self,
        py: Python<'_>,
        snapshot: &Bound<'_, PyAny>,
        all: bool,
        only: Option<Patterns>,
        skip: Option<Patterns>,
    ) -> PyResult<String> {
        let input = input(snapshot)?;
        let options = options(&self.kb, all, only, skip)?;
        let kb = Arc::clone(&self.kb);
        py.detach(move || {
            let snapshot = read(&kb, &input)?;
            Ok::<_, Error>(kb.evaluate(&snapshot, &options).to_json_text())
        })
        .map_err(|e| snapshot_error(&e))
    }

    /// Reads and validates a snapshot without evaluating it; raises SnapshotError when it is bad.
    fn validate(&self, py: Python<'_>, snapshot: &Bound<'_, PyAny>) -> PyResult<()> {
        let input = input(snapshot)?;
        let kb = Arc::clone(&self.kb);
        py.detach(move || read(&kb, &input).map(drop)).map_err(|e| snapshot_error(&e))
    }

    /// One step of `KnowledgeBase.replay`: never raises on a bad snapshot. Returns
    /// `(report JSON or None, error message or None, changes JSON or None)`; the changes (a
    /// JSON list, as in `syncdoctor replay --against-rules`) are there when `against` is given.
    /// With `file` and `line`, `snapshot` is that line of an NDJSON stream; with `file` alone, it
    /// is the text of that snapshot file.
    #[pyo3(signature = (snapshot, *, file = None, line = None, against = None, all = false, only = None, skip = None))]
    #[allow(clippy::too_many_arguments)]
    fn _replay_one(
        &self,
        py: Python<'_>,
        snapshot: &Bound<'_, PyAny>,
        file: Option<PathBuf>,
        line: Option<u64>,
        against: Option<&Bound<'_, PyKnowledgeBase>>,
        all: bool,
        only: Option<Patterns>,
        skip: Option<Patterns>,
    ) -> PyResult<ReplayOne> {
        let input = match (file, line) {
            (Some(file), Some(line)) => Input::Line { text: snapshot.extract()?, file, line },
            (Some(file), None) => Input::Named { text: snapshot.extract()?, file },
            _ => match input(snapshot) {
                Ok(input) => input,
                Err(e) if e.is_instance_of::<SnapshotError>(py) => {
                    return Ok((None, Some(e.value(py).to_string()), None));
                }
                Err(e) => return Err(e),
            },
        };
        let options = options(&self.kb, all, only, skip)?;
        let kb = Arc::clone(&self.kb);
        let other = against.map(|a| Arc::clone(&a.get().kb));
        Ok(py.detach(move || {
            let snapshot = match read(&kb, &input) {
                Ok(s) => s,
                Err(e) => return (None, Some(e.to_string().trim_end().to_owned()), None),
            };
            let report = kb.evaluate(&snapshot, &options);
            let changes = other.map(|other| {
                let theirs: Report = other.evaluate(&snapshot, &options);
                serde_json::to_string(&syncdoctor_engine::impact::changes(&report, &theirs)).unwrap_or_default()
            });
            (Some(report.to_json_text()), None, changes)
        }))
    }

    fn __repr__(&self) -> String {
        format!("<syncdoctor.KnowledgeBase {} ({} rules)>", self.kb.version(), self.kb.rules().len())
    }

    fn __len__(&self) -> usize {
        self.kb.rules().len()
    }
}

/// The native module.
#[pymodule]
fn _syncdoctor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyKnowledgeBase>()?;
    m.add("SyncdoctorError", py.get_type::<SyncdoctorError>())?;
    m.add("SnapshotError", py.get_type::<SnapshotError>())?;
    m.add("KnowledgeBaseError", py.get_type::<KnowledgeBaseError>())?;
    m.add("ENGINE_VERSION", syncdoctor_engine::ENGINE_VERSION)?;
    Ok(())
}
