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
        super::read_snapshot(&kb, &path)?
    };
    let waivers = args.waivers.as_deref().map(syncdoctor_engine::Waivers::read).transpose()?;
    let only = super::selected_ids(&kb, &args.select)?;
    let options = EvalOptions { include_all: args.all, only, ..EvalOptions::default() };
    let started = Instant::now();
    let (mut report, timings) = kb.evaluate_profiled(&snapshot, &options);
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
        render::profile::print(&timings, elapsed);
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

/// The terminal's width when standard output is one, else [`render::DEFAULT_WIDTH`].
fn terminal_width() -> usize {
    if !std::io::stdout().is_terminal() {
        return render::DEFAULT_WIDTH;
    }
    terminal_size::terminal_size().map_or(render::DEFAULT_WIDTH, |(w, _)| usize::from(w.0))
}
