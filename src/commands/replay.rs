//! `syncdoctor replay`: many snapshots in, one report per snapshot out, evaluated in parallel.
//!
//! Inputs are snapshot files (`.json`, `.yaml`, `.yml`), folders (walked, in path order) and NDJSON
//! streams (`.ndjson` files, or `-` for standard input: one snapshot per line, blank lines skipped).
//! The knowledge base is compiled once and shared by every worker thread (rayon). Snapshots are read
//! and evaluated in chunks, and each chunk's results are written in input order before the next
//! chunk is read, so memory stays flat however many snapshots there are.
//!
//! Output (`--format json`, NDJSON, one line per snapshot, in input order):
//!
//! ```text
//! {"source":"fleet/a.json","report":{…the report contract…}}
//! {"source":"fleet.ndjson:7","error":"fleet.ndjson:7:12: expected `,` or `}`"}
//! {"source":"fleet/b.json","report":{…},"changes":[{"rule_id":"x","before":null,"after":"match"}]}
//! ```
//!
//! `changes` is present with `--against-rules`. `--format junit` writes one test case per
//! snapshot (a failure when any rule matched). A summary table goes to standard error.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;
use syncdoctor_engine::impact::{Change, changes};
use syncdoctor_engine::waiver::WaiverOutcome;
use syncdoctor_engine::{EvalOptions, KnowledgeBase, Outcome, Report, Waivers};

use crate::cli::{Cli, ReplayArgs, ReplayFormat};
use crate::render::junit::Case;
use crate::{CliError, exit, knowledge};

/// Environment variable that makes `--expect` write the reports instead of comparing them.
pub const UPDATE_EXPECT_ENV: &str = "SYNCDOCTOR_UPDATE_EXPECT";

/// What to do with each snapshot.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// NDJSON reports or JUnit.
    pub junit: bool,
    /// Folder of stored reports to compare with (`<name>.json`).
    pub expect: Option<PathBuf>,
    /// With `expect`: write the reports instead of comparing.
    pub update_expect: bool,
    /// Keep per-rule timings.
    pub profile: bool,
    /// Show a progress line on standard error.
    pub progress: bool,
    /// Which rules to evaluate (`--only`/`--skip`).
    pub eval: EvalOptions,
    /// Waivers applied to every report.
    pub waivers: Option<Waivers>,
}

/// Totals of a replay.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Snapshots seen (good and bad).
    pub snapshots: usize,
    /// Snapshots where at least one rule matched.
    pub matched: usize,
    /// Snapshots in which nothing could be checked (no rule passed or matched).
    pub unchecked: usize,
    /// Snapshots that could not be read, parsed or validated.
    pub bad: usize,
    /// Snapshots whose report differs from the stored one (`--expect`).
    pub differ: usize,
    /// Snapshots whose diagnosis changes with `--against-rules`.
    pub changed: usize,
    /// Snapshots where some waiver had expired (`--waivers`).
    pub expired_waivers: usize,
    /// With `--waivers`: per waiver (`file:line:col`), snapshots it waived a finding in.
    pub waiver_use: BTreeMap<String, usize>,
    /// With `--waivers`: per expired waiver (`file:line:col`), snapshots it had expired for.
    pub waiver_expired: BTreeMap<String, usize>,
    /// Findings waived over the corpus.
    pub waived: usize,
    /// With `--against-rules`: per rule id, the first few snapshots whose finding changed.
    pub impact_examples: BTreeMap<String, Vec<String>>,
    /// Snapshots per matched rule id.
    pub by_rule: BTreeMap<String, usize>,
    /// With `--against-rules`: per rule id, snapshots where its finding appeared, disappeared,
    /// changed outcome, severity, message or affected count (in that order).
    pub impact: BTreeMap<String, [usize; 6]>,
    /// With `--profile`: what each rule cost over the corpus, by rule id.
    pub profile: HashMap<String, RuleCost>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Totals {
    /// The exit code: 2 when some snapshot was bad; with `--expect`, 4 when some report differs
    /// from the stored one, else 0 (matches are expected then); without it, 1 when some rule
    /// matched or some waiver had expired, else 3 when nothing could be checked in some snapshot
    /// (no rule passed or matched there), else 0.
    pub fn exit_code(&self, expecting: bool) -> u8 {
        if self.bad > 0 {
            exit::BAD_INPUT
        } else if expecting {
            if self.differ > 0 { exit::DIFFERS } else { exit::OK }
        } else if self.matched > 0 || self.expired_waivers > 0 {
            exit::FOUND
        } else if self.unchecked > 0 {
            exit::NOTHING_CHECKED
        } else {
            exit::OK
        }
    }
}

/// Runs the verb.
pub fn run(cli: &Cli, args: &ReplayArgs) -> Result<u8, CliError> {
    if args.inputs.is_empty() {
        return Err(CliError::Usage("give snapshot files, folders or NDJSON streams (`-` for standard input)".into()));
    }
    let kb = knowledge::load(cli)?;
    let against = match &args.against_rules {
        Some(dir) => Some(syncdoctor_bundled::load(Some(dir))?),
        None => None,
    };
    let waivers = args.waivers.as_deref().map(Waivers::read).transpose()?;
    let only = super::selected_ids(&kb, &args.select)?;
    let options = ReplayOptions {
        junit: args.format == ReplayFormat::Junit,
        eval: EvalOptions { only, ..EvalOptions::default() },
        waivers,
        expect: args.expect.clone(),
        update_expect: std::env::var_os(UPDATE_EXPECT_ENV).is_some_and(|v| !v.is_empty() && v != "0"),
        profile: args.profile,
        progress: std::io::stderr().is_terminal(),
    };
    // Workers get the main thread's stack (rayon's default is 2 MiB), so a condition at the
    // sandbox's nesting and call-depth bounds runs the same in replay as in diagnose.
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(8 << 20);
    if let Some(n) = args.jobs {
        builder = builder.num_threads(n.max(1));
    }
    let pool = builder.build().map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut err = std::io::stderr();
    let summary_only = matches!(args.format, ReplayFormat::Human | ReplayFormat::Markdown);
    let totals = if summary_only {
        pool.install(|| replay(&kb, against.as_ref(), &args.inputs, &options, &mut std::io::sink(), &mut err))?
    } else {
        pool.install(|| replay(&kb, against.as_ref(), &args.inputs, &options, &mut out, &mut err))?
    };
    match args.format {
        ReplayFormat::Human => out.write_all(human_summary(&totals, &options, against.is_some()).as_bytes()),
        ReplayFormat::Markdown => out.write_all(markdown_summary(&totals, &options, against.is_some()).as_bytes()),
        ReplayFormat::Json | ReplayFormat::Junit => Ok(()),
    }
    .map_err(write_error)?;
    out.flush().map_err(write_error)?;
    drop(out);
    if let Some(waivers) = &options.waivers {
        for (at, rule) in waivers.locations() {
            if let Some(n) = totals.waiver_expired.get(&at) {
                let snapshots = crate::render::plural(*n, "snapshot");
                eprintln!("{at}: warning: waiver for `{rule}` had expired when {snapshots} were collected");
            } else if !totals.waiver_use.contains_key(&at) {
                eprintln!("{at}: warning: waiver for `{rule}` matched no finding in any snapshot");
            }
        }
    }
    print_summary(&totals, &options, against.is_some(), pool.current_num_threads());
    Ok(totals.exit_code(options.expect.is_some()))
}

fn write_error(e: std::io::Error) -> CliError {
    CliError::Io(format!("cannot write the output: {e}"))
}

/// Where snapshots come from, once folders are walked.
enum Source {
    /// One snapshot file; `name` is its name under `--expect`.
    File { path: PathBuf, name: String },
    /// An NDJSON stream (`None`: standard input).
    Stream(Option<PathBuf>),
    /// An entry that could not be read (an unreadable folder, a dangling link): reported as a bad
    /// input of its own while the rest of the replay goes on.
    Bad { label: String, message: String },
}

/// One snapshot to evaluate.
struct Input {
    /// How it is named in the output.
    source: String,
    /// Its name under `--expect` (without `.json`).
    name: String,
    payload: Payload,
}

enum Payload {
    File(PathBuf),
    Line { text: String, file: PathBuf, line: u64 },
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

/// Expands the command-line inputs: folders are walked (sorted), everything else kept as given.
fn sources(inputs: &[PathBuf]) -> Result<Vec<Source>, CliError> {
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
            return Err(CliError::Io(format!("{}: no such file or folder", input.display())));
        }
    }
    Ok(out)
}

/// The snapshots of every source, read lazily (NDJSON line by line).
fn inputs(sources: Vec<Source>) -> impl Iterator<Item = Input> {
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

/// One snapshot's result, rendered by the worker.
struct Processed {
    /// The output line (JSON).
    output: String,
    /// The test case (JUnit).
    case: Option<Case>,
    matched: Vec<String>,
    /// Nothing could be checked in this snapshot (no rule passed or matched).
    unchecked: bool,
    bad: Option<String>,
    differ: Option<String>,
    changes: Vec<Change>,
    timings: Vec<syncdoctor_engine::RuleTiming>,
    waivers: Option<WaiverOutcome>,
    /// How the snapshot is named in the output.
    source: String,
}

/// What one rule cost over a replayed corpus (`--profile`).
#[derive(Debug, Clone, Default)]
pub struct RuleCost {
    /// Total wall time.
    pub time: Duration,
    /// Total Rhai operations.
    pub operations: u64,
    /// Snapshots it ran on.
    pub runs: usize,
    /// Snapshots it matched.
    pub matches: usize,
}

/// Replays every input against `kb` (and `against`), writing one result per snapshot to `out` in
/// input order and progress to `err`. Runs on the current rayon pool.
pub fn replay(
    kb: &KnowledgeBase,
    against: Option<&KnowledgeBase>,
    inputs_given: &[PathBuf],
    options: &ReplayOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Totals, CliError> {
    let started = Instant::now();
    let sources = sources(inputs_given)?;
    if sources.is_empty() {
        let given: Vec<String> = inputs_given.iter().map(|p| p.display().to_string()).collect();
        return Err(CliError::Usage(format!(
            "no snapshot found in {} (looked for .json, .yaml, .yml and .ndjson files)",
            given.join(", ")
        )));
    }
    let known_total = sources.iter().all(|s| matches!(s, Source::File { .. })).then_some(sources.len());
    if let Some(dir) = &options.expect
        && options.update_expect
    {
        std::fs::create_dir_all(dir).map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let chunk_size = (rayon::current_num_threads() * 32).max(64);
    let mut stream = inputs(sources);
    let mut totals = Totals::default();
    let mut junit_cases = Vec::new();
    let mut last_progress = Instant::now();
    loop {
        let chunk: Vec<Input> = stream.by_ref().take(chunk_size).collect();
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Processed> =
            chunk.into_par_iter().map(|input| process_guarded(kb, against, options, input)).collect();
        for r in results {
            totals.snapshots += 1;
            if let Some(bad) = &r.bad {
                totals.bad += 1;
                writeln!(err, "syncdoctor replay: {}", bad.trim_end()).map_err(write_error)?;
            }
            if !r.matched.is_empty() {
                totals.matched += 1;
            }
            if r.unchecked {
                totals.unchecked += 1;
            }
            for id in &r.matched {
                *totals.by_rule.entry(id.clone()).or_default() += 1;
            }
            if let Some(diff) = &r.differ {
                totals.differ += 1;
                err.write_all(diff.as_bytes()).map_err(write_error)?;
            }
            if !r.changes.is_empty() {
                totals.changed += 1;
            }
            for c in &r.changes {
                let slot = totals.impact.entry(c.rule_id.clone()).or_default();
                match (c.before, c.after) {
                    (None, Some(_)) => slot[0] += 1,
                    (Some(_), None) => slot[1] += 1,
                    (b, a) if b != a => slot[2] += 1,
                    _ => {}
                }
                slot[3] += usize::from(c.severity.is_some());
                slot[4] += usize::from(c.message.is_some());
                slot[5] += usize::from(c.affected.is_some());
                let examples = totals.impact_examples.entry(c.rule_id.clone()).or_default();
                if examples.len() < 3 {
                    examples.push(r.source.clone());
                }
            }
            if let Some(w) = &r.waivers {
                totals.expired_waivers += usize::from(!w.expired.is_empty());
                totals.waived += w.waived;
                for at in &w.used {
                    *totals.waiver_use.entry(at.clone()).or_default() += 1;
                }
                for note in &w.expired {
                    *totals.waiver_expired.entry(note.at.clone()).or_default() += 1;
                }
            }
            for t in r.timings {
                let cost = totals.profile.entry(t.rule_id).or_default();
                cost.time += t.elapsed;
                cost.operations += t.operations;
                cost.runs += 1;
                cost.matches += usize::from(t.outcome == Outcome::Match);
            }
            if options.junit {
                junit_cases.extend(r.case);
            } else {
                out.write_all(r.output.as_bytes()).map_err(write_error)?;
            }
        }
        if options.progress && last_progress.elapsed() >= Duration::from_millis(150) {
            last_progress = Instant::now();
            progress(err, &totals, known_total, started.elapsed());
        }
    }
    if options.progress {
        let _ = write!(err, "\r\x1b[2K");
    }
    if options.junit {
        let document = crate::render::junit::document("syncdoctor replay", None, &junit_cases);
        out.write_all(document.as_bytes()).map_err(write_error)?;
    }
    totals.elapsed = started.elapsed();
    Ok(totals)
}

fn progress(err: &mut dyn Write, totals: &Totals, total: Option<usize>, elapsed: Duration) {
    let rate = totals.snapshots as f64 / elapsed.as_secs_f64().max(1e-9);
    let done = match total {
        Some(t) => {
            let width = 30;
            let filled = (totals.snapshots * width).checked_div(t).unwrap_or(width).min(width);
            format!("[{}{}] {}/{t}", "#".repeat(filled), "-".repeat(width - filled), totals.snapshots)
        }
        None => format!("{} snapshots", totals.snapshots),
    };
    let _ = write!(err, "\r\x1b[2Kreplay {done}  {rate:.0}/s  {} matched  {} bad", totals.matched, totals.bad);
    let _ = err.flush();
}

/// Reads, evaluates and renders one snapshot (on a worker thread).
fn process(kb: &KnowledgeBase, against: Option<&KnowledgeBase>, options: &ReplayOptions, input: Input) -> Processed {
    let mut result = Processed {
        output: String::new(),
        case: None,
        matched: Vec::new(),
        unchecked: false,
        bad: None,
        differ: None,
        changes: Vec::new(),
        timings: Vec::new(),
        waivers: None,
        source: input.source.clone(),
    };
    let snapshot = match read(kb, &input.payload) {
        Ok(s) => s,
        Err(message) => {
            if options.junit {
                result.case = Some(junit_case(&input.source, Some(("error", "bad input", &message))));
            } else {
                result.output = envelope_line(&Envelope {
                    source: &input.source,
                    error: Some(message.trim_end()),
                    ..Envelope::default()
                });
            }
            result.bad = Some(message);
            return result;
        }
    };
    let eval = &options.eval;
    let mut report = if options.profile {
        let (report, timings) = kb.evaluate_profiled(&snapshot, eval);
        result.timings = timings;
        report
    } else {
        kb.evaluate(&snapshot, eval)
    };
    if let Some(waivers) = &options.waivers {
        result.waivers = Some(kb.apply_waivers(&mut report, &snapshot, waivers));
    }
    // Each matched rule once, however many causes explain it.
    result.matched = crate::render::matched_rules(&report).into_iter().map(|(id, _)| id.to_owned()).collect();
    result.unchecked = report.nothing_checked();
    if let Some(other) = against {
        let mut theirs = other.evaluate(&snapshot, eval);
        if let Some(waivers) = &options.waivers {
            other.apply_waivers(&mut theirs, &snapshot, waivers);
        }
        result.changes = changes(&report, &theirs);
    }
    if let Some(dir) = &options.expect {
        result.differ = expect(dir, &input, &report, options.update_expect);
    }
    if options.junit {
        let failure = (!result.matched.is_empty() || result.differ.is_some()).then(|| failure_text(&report, &result));
        result.case = Some(match &failure {
            Some((message, body)) => junit_case(&input.source, Some(("failure", message, body))),
            None => junit_case(&input.source, None),
        });
    } else {
        let changes = against.map(|_| result.changes.as_slice());
        result.output = envelope_line(&Envelope { source: &input.source, report: Some(&report), changes, error: None });
    }
    result
}

/// [`process`], with a panic anywhere in evaluating one snapshot reported as that snapshot's error
/// instead of ending the replay (the engine has no known panic; this is the last line of defence).
fn process_guarded(
    kb: &KnowledgeBase,
    against: Option<&KnowledgeBase>,
    options: &ReplayOptions,
    input: Input,
) -> Processed {
    let source = input.source.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process(kb, against, options, input))).unwrap_or_else(
        |panic| {
            let why = crate::panic_message(panic.as_ref()).unwrap_or("unknown cause");
            let message = format!("{source}: internal error while evaluating this snapshot: {why}");
            let (output, case) = if options.junit {
                (String::new(), Some(junit_case(&source, Some(("error", "internal error", &message)))))
            } else {
                (envelope_line(&Envelope { source: &source, error: Some(&message), ..Envelope::default() }), None)
            };
            Processed {
                output,
                case,
                matched: Vec::new(),
                unchecked: false,
                bad: Some(message),
                differ: None,
                changes: Vec::new(),
                timings: Vec::new(),
                waivers: None,
                source,
            }
        },
    )
}

fn read(kb: &KnowledgeBase, payload: &Payload) -> Result<syncdoctor_engine::Snapshot, String> {
    match payload {
        Payload::File(path) => kb.read_snapshot(path).map_err(|e| e.to_string()),
        Payload::Unreadable(message) => Err(message.clone()),
        Payload::Line { text, file, line } => {
            syncdoctor_engine::Snapshot::from_stream_line(text, file, *line, kb.snapshot_schema())
                .map_err(|e| e.to_string())
        }
    }
}

/// One NDJSON line: `{"source": …, "report"|"error": …[, "changes": …]}`.
#[derive(Default, serde::Serialize)]
struct Envelope<'a> {
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a [Change]>,
}

/// The envelope as a line of JSON, written straight from the report (no intermediate value).
fn envelope_line(envelope: &Envelope) -> String {
    let mut line = serde_json::to_string(envelope).unwrap_or_default();
    line.push('\n');
    line
}

/// Compares a report with `<dir>/<name>.json` (or writes it); `Some(readable diff)` on a difference.
fn expect(dir: &Path, input: &Input, report: &Report, update: bool) -> Option<String> {
    let path = dir.join(format!("{}.json", input.name));
    let text = crate::render::json(report);
    let stored = std::fs::read_to_string(&path).ok();
    if stored.as_deref() == Some(text.as_str()) {
        return None;
    }
    if update {
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, &text));
        return match written {
            Ok(()) => None,
            Err(e) => Some(format!("{}: cannot write {}: {e}\n", input.source, path.display())),
        };
    }
    let Some(stored) = stored else {
        return Some(format!(
            "{}: no stored report {} (set {UPDATE_EXPECT_ENV}=1 to write it)\n",
            input.source,
            path.display()
        ));
    };
    let mut diff = format!("{}: report differs from {}\n", input.source, path.display());
    let old: Value = serde_json::from_str(&stored).unwrap_or(Value::Null);
    let new = serde_json::to_value(report).unwrap_or(Value::Null);
    let mut lines = Vec::new();
    json_diff("", &old, &new, &mut lines);
    let shown = 30;
    for line in lines.iter().take(shown) {
        let _ = writeln!(diff, "  {line}");
    }
    if lines.len() > shown {
        let _ = writeln!(diff, "  … and {} more differences", lines.len() - shown);
    }
    let _ = writeln!(diff, "  (set {UPDATE_EXPECT_ENV}=1 to accept the new report)");
    Some(diff)
}

/// Differences between two JSON values as `- /path: old` / `+ /path: new` lines.
fn json_diff(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    Some(w) => json_diff(&p, v, w, out),
                    None => out.push(format!("- {p}: {}", short(v))),
                }
            }
            for (k, w) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(format!("+ {path}/{k}: {}", short(w)));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}/{i}");
                match (a.get(i), b.get(i)) {
                    (Some(v), Some(w)) => json_diff(&p, v, w, out),
                    (Some(v), None) => out.push(format!("- {p}: {}", short(v))),
                    (None, Some(w)) => out.push(format!("+ {p}: {}", short(w))),
                    (None, None) => {}
                }
            }
        }
        _ if old == new => {}
        _ => {
            out.push(format!("- {path}: {}", short(old)));
            out.push(format!("+ {path}: {}", short(new)));
        }
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 { format!("{}…", text.chars().take(120).collect::<String>()) } else { text }
}

fn failure_text(report: &Report, result: &Processed) -> (String, String) {
    let mut body = String::new();
    for (f, _) in crate::render::unique_findings(report).into_iter().filter(|(f, _)| f.outcome == Outcome::Match) {
        let _ = writeln!(body, "{} {}: {}", f.severity.as_str(), f.rule_id, f.message);
    }
    if let Some(diff) = &result.differ {
        body.push_str(diff);
    }
    let message = if result.matched.is_empty() {
        "report differs from the stored one".to_string()
    } else {
        format!("{} matched: {}", crate::render::plural(result.matched.len(), "rule"), result.matched.join(", "))
    };
    (message, body)
}

/// One `<testcase>` per snapshot (with a `failure` or `error` child when given: tag, message, body).
fn junit_case(source: &str, child: Option<(&'static str, &str, &str)>) -> Case {
    match child {
        None => Case { classname: "syncdoctor.replay".into(), name: source.into(), child: None },
        Some((tag, message, body)) => Case::with("syncdoctor.replay", source, tag, message.into(), Some(body.into())),
    }
}

/// The summary table, on standard error.
fn print_summary(totals: &Totals, options: &ReplayOptions, against: bool, threads: usize) {
    let secs = totals.elapsed.as_secs_f64();
    let rate = totals.snapshots as f64 / secs.max(1e-9);
    let mut text = format!(
        "replay: {} in {secs:.2} s ({rate:.0}/s on {})\n",
        crate::render::plural(totals.snapshots, "snapshot"),
        crate::render::plural(threads, "thread")
    );
    let clean = totals.snapshots - totals.matched - totals.bad;
    let _ = writeln!(text, "  {:<28} {:>9}", "snapshots", "count");
    let _ = writeln!(text, "  {:<28} {:>9}", "no rule matched", clean);
    let _ = writeln!(text, "  {:<28} {:>9}", "some rule matched", totals.matched);
    let _ = writeln!(text, "  {:<28} {:>9}", "bad input", totals.bad);
    let _ = writeln!(text, "  {:<28} {:>9}", "nothing could be checked", totals.unchecked);
    if options.expect.is_some() {
        let label = if options.update_expect { "reports written" } else { "differ from --expect" };
        let _ = writeln!(text, "  {label:<28} {:>9}", totals.differ);
    }
    if against {
        let _ = writeln!(text, "  {:<28} {:>9}", "changed by --against-rules", totals.changed);
    }
    if !totals.by_rule.is_empty() {
        let mut rules: Vec<(&String, &usize)> = totals.by_rule.iter().collect();
        rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(text, "  {:<48} {:>9}", "rule", "matched in");
        for (id, n) in rules.iter().take(20) {
            let _ = writeln!(text, "  {id:<48} {n:>9}");
        }
        if rules.len() > 20 {
            let _ = writeln!(text, "  … and {} more rules", rules.len() - 20);
        }
    }
    if options.waivers.is_some() {
        let _ = writeln!(text, "  {:<28} {:>9}", "findings waived", totals.waived);
        let _ = writeln!(text, "  {:<28} {:>9}", "with an expired waiver", totals.expired_waivers);
    }
    if against && !totals.impact.is_empty() {
        let _ = writeln!(
            text,
            "  {:<48} {:>7} {:>9} {:>7} {:>8} {:>7} {:>8}",
            "impact of --against-rules", "appear", "disappear", "outcome", "severity", "message", "affected"
        );
        for (id, [a, d, o, s, m, n]) in &totals.impact {
            let _ = writeln!(text, "  {id:<48} {a:>7} {d:>9} {o:>7} {s:>8} {m:>7} {n:>8}");
        }
    }
    if options.profile {
        let mut rows: Vec<(&String, &RuleCost)> = totals.profile.iter().collect();
        rows.sort_by(|a, b| b.1.time.cmp(&a.1.time).then(a.0.cmp(b.0)));
        let _ = writeln!(text, "profile: slowest rules over the corpus");
        let _ = writeln!(
            text,
            "  {:>12} {:>12} {:>12} {:>8} {:>8}  rule",
            "total ms", "mean µs", "mean ops", "runs", "matches"
        );
        for (id, cost) in rows.iter().take(15) {
            let runs = cost.runs.max(1) as f64;
            let mean = cost.time.as_secs_f64() * 1e6 / runs;
            let ops = cost.operations as f64 / runs;
            let total = cost.time.as_secs_f64() * 1e3;
            let _ =
                writeln!(text, "  {total:>12.2} {mean:>12.1} {ops:>12.0} {:>8} {:>8}  {id}", cost.runs, cost.matches);
        }
    }
    eprint!("{text}");
}

/// The replay summary for a person (`--format human`): totals, the rules that matched and, with
/// `--against-rules`, the impact of the other knowledge base rule by rule.
pub fn human_summary(totals: &Totals, options: &ReplayOptions, against: bool) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "replay: {}", headline(totals, options));
    if !totals.by_rule.is_empty() {
        let _ = writeln!(text, "\nRules that matched (snapshots):");
        for (id, n) in ranked(&totals.by_rule) {
            let _ = writeln!(text, "  {n:>6}  {id}");
        }
    }
    if against {
        let _ = writeln!(text, "\nImpact of --against-rules: {}", impact_headline(totals));
        for (id, counts) in &totals.impact {
            let examples = totals.impact_examples.get(id).map(|e| e.join(", ")).unwrap_or_default();
            let _ = writeln!(text, "  {id}: {} (e.g. {examples})", impact_phrase(counts));
        }
    }
    text
}

/// The replay summary as Markdown (`--format markdown`), ready to paste in a pull-request comment.
pub fn markdown_summary(totals: &Totals, options: &ReplayOptions, against: bool) -> String {
    let mut text = String::from("## syncdoctor replay\n\n");
    let _ = writeln!(text, "{}\n", headline(totals, options));
    if against {
        let _ = writeln!(text, "### Impact of the knowledge-base change\n\n{}\n", impact_headline(totals));
        if !totals.impact.is_empty() {
            text.push_str("| rule | appears | disappears | outcome | severity | message | affected | e.g. |\n");
            text.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (id, [a, d, o, s, m, n]) in &totals.impact {
                let examples = totals.impact_examples.get(id).map(|e| e.join(", ")).unwrap_or_default();
                let _ =
                    writeln!(text, "| `{id}` | {a} | {d} | {o} | {s} | {m} | {n} | {} |", examples.replace('|', "\\|"));
            }
            text.push('\n');
        }
    }
    if !totals.by_rule.is_empty() {
        text.push_str("### Rules that matched\n\n| rule | snapshots |\n|---|---:|\n");
        for (id, n) in ranked(&totals.by_rule) {
            let _ = writeln!(text, "| `{id}` | {n} |");
        }
        text.push('\n');
    }
    text
}

fn headline(totals: &Totals, options: &ReplayOptions) -> String {
    let clean = totals.snapshots - totals.matched - totals.bad;
    let mut parts = vec![
        crate::render::plural(totals.snapshots, "snapshot"),
        format!("{clean} with no match"),
        format!("{} with matches", totals.matched),
        format!("{} bad input", totals.bad),
        format!("{} where nothing could be checked", totals.unchecked),
    ];
    if options.expect.is_some() {
        parts.push(format!("{} differ from --expect", totals.differ));
    }
    if options.waivers.is_some() {
        parts.push(format!("{} waived", crate::render::plural(totals.waived, "finding")));
        parts.push(format!("{} with an expired waiver", totals.expired_waivers));
    }
    parts.join(" · ")
}

fn impact_headline(totals: &Totals) -> String {
    if totals.impact.is_empty() {
        return "no diagnosis changes.".into();
    }
    format!(
        "{} of {} change, over {}.",
        crate::render::plural(totals.changed, "snapshot"),
        totals.snapshots,
        crate::render::plural(totals.impact.len(), "rule")
    )
}

fn impact_phrase(counts: &[usize; 6]) -> String {
    let labels = [
        "appears in",
        "disappears from",
        "outcome changes in",
        "severity changes in",
        "message changes in",
        "affected count changes in",
    ];
    labels
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(label, n)| format!("{label} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ranked(by_rule: &BTreeMap<String, usize>) -> Vec<(&String, &usize)> {
    let mut rules: Vec<(&String, &usize)> = by_rule.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    rules
}
