//! Renderers: the same report for a person, a program, a ticket or CI.

pub mod explain;
pub mod human;
pub mod junit;
pub mod markdown;
pub mod profile;

use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report, Severity};

use crate::cli::Format;

/// Renders a report. Top-level matches below `threshold` are left out of the human, Markdown and
/// JUnit views; the JSON view is always the complete contract.
pub fn render(report: &Report, format: Format, threshold: Severity) -> String {
    let visible = |f: &Finding| f.outcome != Outcome::Match || f.severity <= threshold;
    match format {
        Format::Json => json(report),
        Format::Human => human::render(report, &visible),
        Format::Markdown => markdown::render(report, &visible),
        Format::Junit => junit::render(report, &visible),
    }
}

/// The JSON report (pretty, ending with a newline).
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// `n thing` / `n things`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// The one-line summary shared by the human and Markdown views.
pub fn summary_line(report: &Report) -> String {
    let count = |o: &str| report.summary.outcomes.get(o).copied().unwrap_or(0);
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = report.summary.severities.get(s.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    let problems = plural(count("match"), "problem");
    let detail = if by_severity.is_empty() { String::new() } else { format!(" ({})", by_severity.join(", ")) };
    let mut line = format!(
        "{problems}{detail} · {} inconclusive · {} · {} passed · {} skipped",
        count("inconclusive"),
        plural(count("error"), "rule error"),
        count("pass"),
        count("skipped")
    );
    if let Some(w) = &report.waivers {
        line.push_str(&format!(" · {} waived", count("waived")));
        if !w.expired.is_empty() {
            line.push_str(&format!(" · {}", plural(w.expired.len(), "expired waiver")));
        }
    }
    line
}

/// `waived until 2027-03-31 by owner: reason` for a waived finding.
pub fn waiver_line(w: &syncdoctor_engine::Waiver) -> String {
    let mut scope = String::new();
    if let Some(h) = &w.host {
        scope.push_str(&format!(" on host {h}"));
    }
    if let Some(t) = &w.tenant {
        scope.push_str(&format!(" for tenant {t}"));
    }
    format!("waived{scope} until {} by {}: {}", w.expires, w.owner, w.reason)
}
