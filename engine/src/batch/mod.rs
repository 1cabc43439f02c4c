//! Batch replay: many snapshots against one knowledge base compiled once, evaluated in parallel
//! on the current rayon pool, each result handed to a sink in input order.
//!
//! Inputs are read and evaluated in chunks, and a chunk's results reach the sink before the next
//! chunk is read, so memory stays flat however many snapshots there are. A snapshot that cannot be
//! read, parsed or validated is a result of its own ([`Replayed::report`] is `Err`), and so is
//! one whose evaluation panicked (the engine has no known panic; this is the last line of defence):
//! the batch goes on. With a second knowledge base each result also lists how its diagnosis
//! changes ([`crate::impact`]); with a folder of stored reports, whether its report still equals
//! the stored one ([`expect`]).
//!
//! ```
//! use syncdoctor_engine::batch::{self, BatchOptions, Input, Payload};
//! use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions};
//! let rule = "id: stopped\nversion: 1.0.0\nstatus: stable\ntitle: t\nseverity: warning\ncovers: [c]\n\
//!             symptom: s\ncause: c\nwhen: |\n  facts.svc.state != \"Running\"\nresolution: {summary: fix}\n";
//! let kb = KnowledgeBase::load(
//!     KbSource::from_files("kb", [
//!         ("kb.yaml", "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
//!         ("catalog.yaml", "entries: [{slug: c}]\n"),
//!         ("a/stopped.yaml", rule),
//!     ]),
//!     LoadOptions::default(),
//! )?;
//! let line = |state: &str| format!(
//!     r#"{{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z","collector":{{"name":"t","version":"1"}},"probes":[],"facts":{{"svc":{{"state":"{state}"}}}}}}"#);
//! let inputs = ["Stopped", "Running", "not json"].into_iter().enumerate().map(|(i, state)| Input {
//!     source: format!("fleet.ndjson:{}", i + 1),
//!     name: format!("fleet-{}", i + 1),
//!     payload: Payload::Line {
//!         text: if state == "not json" { state.into() } else { line(state) },
//!         file: "fleet.ndjson".into(),
//!         line: i as u64 + 1,
//!     },
//! });
//! let mut seen = Vec::new();
//! batch::replay(&kb, None, &BatchOptions::default(), inputs, 64, |r| r, |r| {
//!     seen.push((r.source, r.matched.len(), r.report.is_ok()));
//!     Ok::<(), std::convert::Infallible>(())
//! })
//! .unwrap();
//! assert_eq!(seen, [
//!     ("fleet.ndjson:1".to_string(), 1, true),  // matched
//!     ("fleet.ndjson:2".to_string(), 0, true),  // passed
//!     ("fleet.ndjson:3".to_string(), 0, false), // bad input, located
//! ]);
//! # Ok::<(), syncdoctor_engine::Error>(())
//! ```

pub mod expect;
pub mod sources;

use std::path::PathBuf;

use rayon::prelude::*;

pub use sources::{Input, Payload, Source, inputs, sources};

use crate::eval::{EvalOptions, RuleTiming};
use crate::impact::{Change, changes};
use crate::kb::KnowledgeBase;
use crate::report::Report;
use crate::snapshot::Snapshot;
use crate::waiver::{WaiverOutcome, Waivers};

/// What to do with each snapshot.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Which rules to evaluate.
    pub eval: EvalOptions,
    /// Keep each rule's timing ([`Replayed::timings`]).
    pub profile: bool,
    /// Waivers applied to every report (and to the other knowledge base's).
    pub waivers: Option<Waivers>,
    /// Folder of stored reports to compare with (`<name>.json`).
    pub expect: Option<PathBuf>,
    /// With `expect`: write the reports instead of comparing them.
    pub update_expect: bool,
}

/// One snapshot's result.
#[derive(Debug)]
#[non_exhaustive]
pub struct Replayed {
    /// How the snapshot is named (a path, or `stream.ndjson:7`).
    pub source: String,
    /// Its name among stored reports.
    pub name: String,
    /// Its report, or why there is none: the located reason it could not be read, parsed or
    /// validated, or an internal error while evaluating it.
    pub report: Result<Report, String>,
    /// Each matched rule once, however many causes explain it, in report order.
    pub matched: Vec<String>,
    /// Nothing could be checked in this snapshot (no rule passed or matched).
    pub unchecked: bool,
    /// With another knowledge base: how its diagnosis changes.
    pub changes: Vec<Change>,
    /// With [`BatchOptions::profile`]: each rule's timing.
    pub timings: Vec<RuleTiming>,
    /// With waivers: what they did.
    pub waivers: Option<WaiverOutcome>,
    /// With stored reports: a readable diff when the report differs (or could not be compared).
    pub differ: Option<String>,
    /// The evaluation panicked ([`Replayed::report`] holds the internal error).
    pub panicked: bool,
}

impl Replayed {
    fn new(input: &Input, report: Result<Report, String>) -> Replayed {
        Replayed {
            source: input.source.clone(),
            name: input.name.clone(),
            report,
            matched: Vec::new(),
            unchecked: false,
            changes: Vec::new(),
            timings: Vec::new(),
            waivers: None,
            differ: None,
            panicked: false,
        }
    }
}

/// Replays every input `chunk` at a time on the current rayon pool: `map` runs on the worker
/// threads (render there what each result becomes), and `sink` receives the mapped results in
/// input order; its first error ends the batch.
pub fn replay<T: Send, E>(
    kb: &KnowledgeBase,
    against: Option<&KnowledgeBase>,
    options: &BatchOptions,
    inputs: impl Iterator<Item = Input>,
    chunk: usize,
    map: impl Fn(Replayed) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let mut inputs = inputs;
    loop {
        let batch: Vec<Input> = inputs.by_ref().take(chunk.max(1)).collect();
        if batch.is_empty() {
            return Ok(());
        }
        let results: Vec<T> = batch.into_par_iter().map(|input| map(replay_one(kb, against, options, input))).collect();
        for result in results {
            sink(result)?;
        }
    }
}

/// Reads, evaluates and compares one snapshot. A panic anywhere in it is that snapshot's error.
pub fn replay_one(
    kb: &KnowledgeBase,
    against: Option<&KnowledgeBase>,
    options: &BatchOptions,
    input: Input,
) -> Replayed {
    let source = input.source.clone();
    let name = input.name.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| evaluate(kb, against, options, &input))).unwrap_or_else(
        |panic| {
            let why = crate::panic_message(panic.as_ref()).unwrap_or("unknown cause");
            let message = format!("{source}: internal error while evaluating this snapshot: {why}");
            let mut failed =
                Replayed::new(&Input { source, name, payload: Payload::Unreadable(String::new()) }, Err(message));
            failed.panicked = true;
            failed
        },
    )
}

fn evaluate(kb: &KnowledgeBase, against: Option<&KnowledgeBase>, options: &BatchOptions, input: &Input) -> Replayed {
    let snapshot = match read(kb, &input.payload) {
        Ok(s) => s,
        Err(message) => return Replayed::new(input, Err(message)),
    };
    let mut timings = Vec::new();
    let mut report = if options.profile {
        let (report, t) = kb.evaluate_profiled(&snapshot, &options.eval);
        timings = t;
        report
    } else {
        kb.evaluate(&snapshot, &options.eval)
    };
    let waivers = options.waivers.as_ref().map(|w| kb.apply_waivers(&mut report, &snapshot, w));
    let matched = report.matched().into_iter().map(|f| f.rule_id.clone()).collect();
    let unchecked = report.nothing_checked();
    let changes = against.map_or_else(Vec::new, |other| {
        let mut theirs = other.evaluate(&snapshot, &options.eval);
        if let Some(waivers) = &options.waivers {
            other.apply_waivers(&mut theirs, &snapshot, waivers);
        }
        changes(&report, &theirs)
    });
    let differ = options.expect.as_ref().and_then(|dir| expect::compare(dir, input, &report, options.update_expect));
    Replayed {
        source: input.source.clone(),
        name: input.name.clone(),
        report: Ok(report),
        matched,
        unchecked,
        changes,
        timings,
        waivers,
        differ,
        panicked: false,
    }
}

fn read(kb: &KnowledgeBase, payload: &Payload) -> Result<Snapshot, String> {
    match payload {
        Payload::File(path) => kb.read_snapshot(path).map_err(|e| e.to_string()),
        Payload::Unreadable(message) => Err(message.clone()),
        Payload::Line { text, file, line } => {
            Snapshot::from_stream_line(text, file, *line, kb.snapshot_schema()).map_err(|e| e.to_string())
        }
    }
}
