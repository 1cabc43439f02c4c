//! `syncdoctor diff OLD NEW`: what changed since it last worked — facts and findings.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use syncdoctor_engine::{EvalOptions, Report, Snapshot};

use crate::cli::{Cli, DiffArgs, DiffFormat};
use crate::diff::{FactChange, FindingChange};
use crate::{CliError, exit, knowledge};

/// One side of a diff.
#[derive(Serialize)]
struct Side {
    source: String,
    host: Option<String>,
    collected_at: String,
}

/// The `--format json` document.
#[derive(Serialize)]
struct Document {
    old: Side,
    new: Side,
    findings: Vec<FindingChange>,
    facts: Vec<FactChange>,
}

/// Runs the verb: exit 0 when neither facts nor findings changed, 1 when something did.
pub fn run(cli: &Cli, args: &DiffArgs) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let only = super::selected_ids(&kb, &args.select)?;
    let options = EvalOptions { include_all: true, only, ..EvalOptions::default() };
    let read = |path: &Path| -> Result<(Snapshot, Report, Side), CliError> {
        let snapshot = super::read_snapshot(&kb, path)?;
        let report = kb.evaluate(&snapshot, &options);
        let side = Side {
            source: path.display().to_string(),
            host: report.snapshot.host.clone(),
            collected_at: report.snapshot.collected_at.clone(),
        };
        Ok((snapshot, report, side))
    };
    if args.old == Path::new("-") && args.new == Path::new("-") {
        return Err(CliError::Usage("only one of OLD and NEW can be standard input".into()));
    }
    let (old_snapshot, old_report, old) = read(&args.old)?;
    let (new_snapshot, new_report, new) = read(&args.new)?;
    let document = Document {
        findings: crate::diff::findings(&old_report, &new_report),
        facts: crate::diff::facts(&old_snapshot.facts_value(), &new_snapshot.facts_value()),
        old,
        new,
    };
    let text = match args.format {
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&document).map_err(|e| CliError::Io(e.to_string()))?;
            t.push('\n');
            t
        }
        DiffFormat::Human => human(&document),
        DiffFormat::Markdown => markdown(&document),
    };
    super::write_stdout(&text)?;
    let changed = !(document.facts.is_empty() && document.findings.is_empty());
    Ok(if changed { exit::FOUND } else { exit::OK })
}

fn short(v: Option<&serde_json::Value>) -> String {
    let Some(v) = v else { return "—".into() };
    let text = v.to_string();
    if text.chars().count() > 100 { format!("{}…", text.chars().take(100).collect::<String>()) } else { text }
}

fn outcome(o: Option<&str>) -> &str {
    o.unwrap_or("not reported")
}

fn human(d: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "syncdoctor diff");
    let _ = writeln!(
        out,
        "  old: {} ({}, collected {})",
        d.old.source,
        d.old.host.as_deref().unwrap_or("unknown host"),
        d.old.collected_at
    );
    let _ = writeln!(
        out,
        "  new: {} ({}, collected {})\n",
        d.new.source,
        d.new.host.as_deref().unwrap_or("unknown host"),
        d.new.collected_at
    );
    if d.findings.is_empty() {
        let _ = writeln!(out, "Findings: no change.");
    } else {
        let _ = writeln!(out, "Findings ({} changed):", d.findings.len());
        for f in &d.findings {
            let mark = match f.change {
                "appeared" => '+',
                "disappeared" => '-',
                _ => '~',
            };
            let severity = match f.severity_before {
                Some(s) => format!("{s} → {}", f.severity),
                None => f.severity.to_owned(),
            };
            let _ = writeln!(
                out,
                "  {mark} {:<11} {:<8} {}  ({} → {})",
                f.change,
                severity,
                f.rule_id,
                outcome(f.before),
                outcome(f.after)
            );
            if f.change != "changed" {
                let _ = writeln!(out, "      {}", f.message);
            }
        }
    }
    out.push('\n');
    if d.facts.is_empty() {
        let _ = writeln!(out, "Facts: no change.");
    } else {
        let _ = writeln!(out, "Facts ({} changed):", d.facts.len());
        for c in &d.facts {
            let line = match c.change {
                "added" => format!("  + {} = {}", c.path, short(c.after.as_ref())),
                "removed" => format!("  - {} (was {})", c.path, short(c.before.as_ref())),
                _ => format!("  ~ {}: {} → {}", c.path, short(c.before.as_ref()), short(c.after.as_ref())),
            };
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn markdown(d: &Document) -> String {
    let mut out = String::from("# syncdoctor diff\n\n");
    let _ = writeln!(out, "| | snapshot | host | collected |\n|---|---|---|---|");
    for (label, side) in [("old", &d.old), ("new", &d.new)] {
        let _ = writeln!(
            out,
            "| {label} | `{}` | {} | {} |",
            side.source,
            side.host.as_deref().unwrap_or("—"),
            side.collected_at
        );
    }
    out.push_str("\n## Findings\n\n");
    if d.findings.is_empty() {
        out.push_str("No change.\n");
    } else {
        out.push_str("| change | severity | rule | before | after | message |\n|---|---|---|---|---|---|\n");
        for f in &d.findings {
            let severity = match f.severity_before {
                Some(s) => format!("{s} → {}", f.severity),
                None => f.severity.to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {severity} | `{}` | {} | {} | {} |",
                f.change,
                f.rule_id,
                outcome(f.before),
                outcome(f.after),
                cell(&f.message)
            );
        }
    }
    out.push_str("\n## Facts\n\n");
    if d.facts.is_empty() {
        out.push_str("No change.\n");
    } else {
        out.push_str("| change | fact | before | after |\n|---|---|---|---|\n");
        for c in &d.facts {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                c.change,
                cell(&c.path),
                cell(&short(c.before.as_ref())),
                cell(&short(c.after.as_ref()))
            );
        }
    }
    out
}
