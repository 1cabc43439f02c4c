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
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use syncdoctor_engine::batch::{self, BatchOptions, Replayed, Source};
use syncdoctor_engine::impact::Change;
use syncdoctor_engine::waiver::WaiverOutcome;
use syncdoctor_engine::{EvalOptions, KnowledgeBase, Outcome, Report, Waivers};

use crate::cli::{Cli, ReplayArgs, ReplayFormat};
use crate::render::junit::Case;
use crate::{CliError, exit, knowledge};

/// Environment variable that makes `--expect` write the reports instead of comparing them.
pub use syncdoctor_engine::batch::expect::UPDATE_ENV as UPDATE_EXPECT_ENV;

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
    /// Snapshots on which the native fast path decided it (no Rhai operation).
    pub native: usize,
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
    let sources = batch::sources(inputs_given).map_err(|e| match e {
        syncdoctor_engine::Error::Io { path, .. } => {
            CliError::Io(format!("{}: no such file or folder", path.display()))
        }
        other => CliError::Engine(other),
    })?;
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
    let batch_options = BatchOptions {
        eval: options.eval.clone(),
        profile: options.profile,
        waivers: options.waivers.clone(),
        expect: options.expect.clone(),
        update_expect: options.update_expect,
    };
    let chunk_size = (rayon::current_num_threads() * 32).max(64);
    let mut totals = Totals::default();
    let mut junit_cases = Vec::new();
    let mut last_progress = Instant::now();
    let render = |r: Replayed| render(r, options.junit, against.is_some());
    batch::replay(kb, against, &batch_options, batch::inputs(sources), chunk_size, render, |r: Processed| {
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
            cost.native += usize::from(t.native && t.operations == 0);
        }
        if options.junit {
            junit_cases.extend(r.case);
        } else {
            out.write_all(r.output.as_bytes()).map_err(write_error)?;
        }
        if options.progress && last_progress.elapsed() >= Duration::from_millis(150) {
            last_progress = Instant::now();
            progress(err, &totals, known_total, started.elapsed());
        }
        Ok::<(), CliError>(())
    })?;
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

/// Renders one result on the worker thread: its NDJSON line or JUnit case, and what the totals
/// need (the report itself is dropped here).
fn render(r: Replayed, junit: bool, against: bool) -> Processed {
    let mut processed = Processed {
        output: String::new(),
        case: None,
        matched: r.matched,
        unchecked: r.unchecked,
        bad: None,
        differ: r.differ,
        changes: r.changes,
        timings: r.timings,
        waivers: r.waivers,
        source: r.source,
    };
    match &r.report {
        Err(message) => {
            let what = if r.panicked { "internal error" } else { "bad input" };
            if junit {
                processed.case = Some(junit_case(&processed.source, Some(("error", what, message))));
            } else {
                processed.output = envelope_line(&Envelope {
                    source: &processed.source,
                    error: Some(message.trim_end()),
                    ..Envelope::default()
                });
            }
            processed.bad = Some(message.clone());
        }
        Ok(report) if junit => {
            let failure = (!processed.matched.is_empty() || processed.differ.is_some())
                .then(|| failure_text(report, &processed.matched, processed.differ.as_deref()));
            processed.case = Some(match &failure {
                Some((message, body)) => junit_case(&processed.source, Some(("failure", message, body))),
                None => junit_case(&processed.source, None),
            });
        }
        Ok(report) => {
            let changes = against.then_some(processed.changes.as_slice());
            processed.output =
                envelope_line(&Envelope { source: &processed.source, report: Some(report), changes, error: None });
        }
    }
    processed
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

fn failure_text(report: &Report, matched: &[String], differ: Option<&str>) -> (String, String) {
    let mut body = String::new();
    for (f, _) in crate::render::unique_findings(report).into_iter().filter(|(f, _)| f.outcome == Outcome::Match) {
        let _ = writeln!(body, "{} {}: {}", f.severity.as_str(), f.rule_id, f.message);
    }
    if let Some(diff) = differ {
        body.push_str(diff);
    }
    let message = if matched.is_empty() {
        "report differs from the stored one".to_string()
    } else {
        format!("{} matched: {}", crate::render::plural(matched.len(), "rule"), matched.join(", "))
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
            "  {:>12} {:>12} {:>12} {:>8} {:>8} {:>8}  rule",
            "total ms", "mean µs", "mean ops", "runs", "matches", "native"
        );
        for (id, cost) in rows.iter().take(15) {
            let runs = cost.runs.max(1) as f64;
            let mean = cost.time.as_secs_f64() * 1e6 / runs;
            let ops = cost.operations as f64 / runs;
            let total = cost.time.as_secs_f64() * 1e3;
            let _ = writeln!(
                text,
                "  {total:>12.2} {mean:>12.1} {ops:>12.0} {:>8} {:>8} {:>8}  {id}",
                cost.runs, cost.matches, cost.native
            );
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
