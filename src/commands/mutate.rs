//! `syncdoctor rules mutate`: mutation testing of the rules' conditions (the work is
//! [`KnowledgeBase::mutate`](syncdoctor_engine::KnowledgeBase::mutate)).

use std::io::Write;
use std::time::Instant;

use syncdoctor_engine::mutate::{MutantStatus, MutationReport};

use crate::cli::{Cli, MutateFormat};
use crate::{CliError, exit, knowledge};

/// Runs the verb: prints the report, and returns 1 when the score is below `min_score` or a
/// rule's tests fail as written.
pub fn run(cli: &Cli, ids: &[String], format: MutateFormat, min_score: Option<f64>) -> Result<u8, CliError> {
    if let Some(pct) = min_score.filter(|p| !(0.0..=100.0).contains(p)) {
        return Err(CliError::Usage(format!("--min-score must be a percentage from 0 to 100, not {pct}")));
    }
    let kb = knowledge::load_for_authoring(cli)?;
    knowledge::announce(&kb, knowledge::authoring_dir(cli).as_deref());
    if let Some(id) = ids.iter().find(|id| kb.rule(id).is_none()) {
        return Err(CliError::Usage(format!("no rule has id `{id}` (see `syncdoctor rules list`)")));
    }
    let started = Instant::now();
    let report = kb.mutate(ids)?;
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    let written = match format {
        MutateFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other).and_then(|()| writeln!(out))
        }
        MutateFormat::Human => human(&mut out, &report),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(CliError::Io(format!("cannot write the report: {e}")));
    }
    let score = report.score.unwrap_or(100.0);
    eprintln!(
        "rules mutate: {} rules, {} mutants, {} killed, {} survived, {} invalid: score {:.1} % ({:.1} s)",
        report.rules.len(),
        report.counts.mutants,
        report.counts.killed,
        report.counts.survived,
        report.counts.invalid,
        score,
        elapsed.as_secs_f64()
    );
    if report.rules_not_mutated > 0 {
        eprintln!("rules mutate: {} rule(s) not mutated: their tests fail as written", report.rules_not_mutated);
        return Ok(exit::FOUND);
    }
    match min_score {
        Some(min) if score < min => {
            eprintln!("rules mutate: score {score:.1} % is below --min-score {min}");
            Ok(exit::FOUND)
        }
        _ => Ok(exit::OK),
    }
}

fn human(out: &mut impl Write, report: &MutationReport) -> std::io::Result<()> {
    let width = report.rules.iter().map(|r| r.rule_id.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:<width$}  {:>7}  {:>6}  {:>8}  {:>7}  {:>6}",
        "RULE", "MUTANTS", "KILLED", "SURVIVED", "INVALID", "SCORE"
    )?;
    for r in &report.rules {
        let score = match (&r.error, r.score) {
            (Some(_), _) => "error".to_owned(),
            (None, Some(s)) => format!("{s:.0}%"),
            (None, None) => "-".to_owned(),
        };
        writeln!(
            out,
            "{:<width$}  {:>7}  {:>6}  {:>8}  {:>7}  {:>6}",
            r.rule_id, r.counts.mutants, r.counts.killed, r.counts.survived, r.counts.invalid, score
        )?;
    }
    let survivors: Vec<_> = report
        .rules
        .iter()
        .flat_map(|r| r.mutants.iter().filter(|m| m.status == MutantStatus::Survived).map(move |m| (r, m)))
        .collect();
    if !survivors.is_empty() {
        writeln!(out, "\nSurvivors (no test noticed the change — write a test, or remove the clause):")?;
        for (r, m) in survivors {
            writeln!(
                out,
                "  {}:{}:{}: [{}] {} `{}` -> `{}`",
                r.file.display(),
                m.line,
                m.column,
                r.rule_id,
                m.kind,
                one_line(&m.original),
                one_line(&m.mutated)
            )?;
        }
    }
    for r in report.rules.iter().filter(|r| r.error.is_some()) {
        writeln!(out, "\n{}: not mutated, {}", r.rule_id, r.error.as_deref().unwrap_or(""))?;
    }
    let score = report.score.map_or("-".to_owned(), |s| format!("{s:.1} %"));
    writeln!(
        out,
        "\n{} mutants: {} killed, {} survived, {} invalid (not counted). Score {score}.",
        report.counts.mutants, report.counts.killed, report.counts.survived, report.counts.invalid
    )
}

/// A snippet on one line (operands may span lines).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
