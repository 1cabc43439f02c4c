//! `syncdoctor diagnose`: one snapshot in, one report out.
//!
//! Exit codes: 0 no match at or above `--min-severity` (and some rule passed or matched); 1 some
//! match (or an expired waiver); 2 bad input or usage; 3 nothing could be checked: no rule passed
//! or matched (every rule was `skipped`, `inconclusive` or `error`), and standard error names the
//! missing facts and the probes that gather them ([`crate::unchecked`]).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use syncdoctor_engine::{EvalOptions, Severity};

use crate::cli::{Cli, DiagnoseArgs};
use crate::{CliError, exit, knowledge, render};

/// Runs the verb.
pub fn run(cli: &Cli, args: &DiagnoseArgs) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let snapshot = if args.collect {
        if args.snapshot.is_some() {
            return Err(CliError::Usage("give either a snapshot file or --collect, not both".into()));
        }
        let document = super::collect::collect(cli, &args.probes, args.config.as_deref())?;
        let value = serde_json::to_value(&document).map_err(|e| CliError::Io(e.to_string()))?;
        syncdoctor_engine::Snapshot::from_value(value, Path::new("<collected>"), kb.snapshot_schema())?
    } else {
        let Some(path) = args.snapshot.clone() else {
            return Err(CliError::Usage("give a snapshot file (or `-` for standard input), or --collect".into()));
        };
        let line = ProgressLine::new();
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.len() >= ProgressLine::LARGE_BYTES
        {
            line.show(&format!("reading {} ({} MB)…", path.display(), meta.len() / 1_000_000));
        }
        let snapshot = super::read_snapshot(&kb, &path);
        line.clear();
        snapshot?
    };
    let waivers = args.waivers.as_deref().map(syncdoctor_engine::Waivers::read).transpose()?;
    let only = super::selected_ids(&kb, &args.select)?;
    let options = EvalOptions { include_all: args.all, only, ..EvalOptions::default() };
    let started = Instant::now();
    let line = ProgressLine::new();
    let mut last = Instant::now();
    let (mut report, timings) = kb.evaluate_with_progress(&snapshot, &options, &mut |p| {
        // A line only once the evaluation has taken a moment (a large directory), redrawn at most
        // every 100 ms: a small snapshot is judged before anything would show.
        if started.elapsed() >= ProgressLine::AFTER && last.elapsed() >= ProgressLine::EVERY {
            last = Instant::now();
            line.show(&format!("evaluating rule {}/{}: {}…", p.done + 1, p.total, p.rule_id));
        }
    });
    line.clear();
    if let Some(waivers) = &waivers {
        super::warn_about_waivers(&kb.apply_waivers(&mut report, &snapshot, waivers), None);
    }
    let elapsed = started.elapsed();
    let threshold: Severity = args.min_severity.into();
    let options = render::RenderOptions {
        threshold,
        max_items: if args.all_items { None } else { Some(args.max_items) },
        width: terminal_width(),
    };
    let text = render::render_with(&report, args.format, &options);
    let mut out = anstream::stdout();
    match out.write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Io(format!("cannot write the report: {e}"))),
        Ok(()) => {}
    }
    if args.profile {
        let lowered = kb.rules().iter().filter(|r| r.has_fast_path()).count();
        render::profile::print(&timings, elapsed, lowered);
    }
    let problems = report.has_match_at_or_above(threshold) || report.has_expired_waivers();
    if problems {
        return Ok(exit::FOUND);
    }
    // No rule passed or matched: say what is missing rather than "healthy" (DESIGN §7).
    if let Some(unchecked) = crate::unchecked::assess(&report, &snapshot.probes) {
        eprint!("{}", unchecked.render());
        return Ok(exit::NOTHING_CHECKED);
    }
    Ok(exit::OK)
}

/// One line on standard error, redrawn in place, shown only when standard error is a terminal
/// (never in a pipe, a log or a test).
struct ProgressLine {
    enabled: bool,
    shown: std::cell::Cell<bool>,
}

impl ProgressLine {
    /// Snapshots at least this large say that they are being read.
    const LARGE_BYTES: u64 = 50_000_000;
    /// An evaluation shows its progress once it has run this long…
    const AFTER: std::time::Duration = std::time::Duration::from_millis(300);
    /// …redrawn at most this often.
    const EVERY: std::time::Duration = std::time::Duration::from_millis(100);

    fn new() -> Self {
        ProgressLine { enabled: std::io::stderr().is_terminal(), shown: std::cell::Cell::new(false) }
    }

    fn show(&self, text: &str) {
        if self.enabled {
            eprint!("\r\x1b[2Ksyncdoctor: {text}");
            self.shown.set(true);
        }
    }

    fn clear(&self) {
        if self.shown.replace(false) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// The terminal's width when standard output is one, else [`render::DEFAULT_WIDTH`].
fn terminal_width() -> usize {
    if !std::io::stdout().is_terminal() {
        return render::DEFAULT_WIDTH;
    }
    terminal_size::terminal_size().map_or(render::DEFAULT_WIDTH, |(w, _)| usize::from(w.0))
}
