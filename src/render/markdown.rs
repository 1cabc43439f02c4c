//! The Markdown view, for tickets and pull requests.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report};

use super::RenderOptions;

/// Renders the (already filtered) report as Markdown.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let host = report.snapshot.host.as_deref().unwrap_or("unknown host");
    let _ = writeln!(out, "# syncdoctor report: {host}\n");
    let _ = writeln!(
        out,
        "Collected {} · knowledge base {} · engine {}\n",
        report.snapshot.collected_at, report.kb_version, report.engine_version
    );
    let _ = writeln!(out, "{}\n", super::summary_line(report));
    let matches: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Match).collect();
    if matches.is_empty() {
        match &report.summary.hidden {
            Some(h) if h.matches > 0 => {
                let _ = writeln!(
                    out,
                    "No problem at or above {} ({} below it hidden).\n",
                    h.min_severity.as_str(),
                    h.matches
                );
            }
            _ if super::nothing_checked(report) => {
                let _ = writeln!(out, "{}\n", super::NOTHING_CHECKED);
            }
            _ => out.push_str("No problem found.\n\n"),
        }
    } else {
        out.push_str("| severity | problem | rule |\n|---|---|---|\n");
        for f in &matches {
            let _ = writeln!(out, "| {} | {} | `{}` |", f.severity.as_str(), f.title, f.rule_id);
        }
        out.push('\n');
    }
    let mut shown = BTreeSet::new();
    for f in matches {
        finding(&mut out, f, 2, options, &mut shown);
    }
    let waived: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Waived).collect();
    if !waived.is_empty() {
        out.push_str("## Waived\n\n| rule | problem | waiver |\n|---|---|---|\n");
        for f in waived {
            let why = f.waiver.as_ref().map(super::waiver_line).unwrap_or_default();
            let _ = writeln!(out, "| `{}` | {} | {} |", f.rule_id, f.title, why.replace('|', "\\|"));
        }
        out.push('\n');
    }
    if let Some(w) = &report.waivers
        && !(w.expired.is_empty() && w.unused.is_empty())
    {
        out.push_str("## Waivers to review\n\n| waiver | state | owner | expires | reason |\n|---|---|---|---|---|\n");
        for (state, list) in [("expired (a problem)", &w.expired), ("matched nothing", &w.unused)] {
            for e in list {
                let _ = writeln!(
                    out,
                    "| `{}` | {state} | {} | {} | {} |",
                    e.rule,
                    e.owner.replace('|', "\\|"),
                    e.expires,
                    e.reason.replace('|', "\\|")
                );
            }
        }
        out.push('\n');
    }
    let others: Vec<&Finding> =
        report.findings.iter().filter(|f| !matches!(f.outcome, Outcome::Match | Outcome::Waived)).collect();
    if !others.is_empty() {
        out.push_str("## Other results\n\n| rule | outcome | detail |\n|---|---|---|\n");
        for f in others {
            let _ = writeln!(out, "| `{}` | {} | {} |", f.rule_id, f.outcome.as_str(), f.message.replace('|', "\\|"));
        }
    }
    out
}

fn finding(out: &mut String, f: &Finding, level: usize, options: &RenderOptions, shown: &mut BTreeSet<String>) {
    let hashes = "#".repeat(level.min(6));
    let _ = writeln!(out, "{hashes} {} — {}\n", f.severity.as_str().to_uppercase(), f.title);
    if !shown.insert(f.rule_id.clone()) {
        let _ = writeln!(out, "Rule `{}`: also explained by another cause; shown in full above.\n", f.rule_id);
        return;
    }
    let _ = writeln!(out, "Rule `{}` {} · covers {}\n", f.rule_id, f.rule_version, f.covers.join(", "));
    let _ = writeln!(out, "{}\n", f.message);
    if let Some(w) = &f.waiver {
        let _ = writeln!(out, "_{}_\n", super::waiver_line(w));
    }
    if let Some(a) = &f.affected {
        let limit = options.max_items.unwrap_or(usize::MAX).min(a.items.len());
        let _ = writeln!(out, "Affected: {} (first {limit} listed)\n", a.count);
        for item in a.items.iter().take(limit) {
            let _ = writeln!(out, "- `{item}`");
        }
        out.push('\n');
    }
    if !f.evidence.is_empty() {
        out.push_str("Evidence:\n\n");
        for (path, value) in &f.evidence {
            let _ = writeln!(out, "- `{path}` = `{value}`");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**Fix:** {}\n", f.resolution.summary.trim());
    for (i, step) in f.resolution.steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, step.trim());
    }
    if !f.resolution.steps.is_empty() {
        out.push('\n');
    }
    for c in &f.resolution.commands {
        let _ = writeln!(out, "```{}\n{}\n```\n", c.shell, c.run);
    }
    for r in &f.references {
        let _ = writeln!(out, "- [{}]({})", r.title, r.url);
    }
    if !f.references.is_empty() {
        out.push('\n');
    }
    for child in &f.explains {
        let _ = writeln!(out, "{} explains:\n", f.rule_id);
        finding(out, child, level + 1, options, shown);
    }
    if !f.also_explains.is_empty() {
        let ids: Vec<String> = f.also_explains.iter().map(|id| format!("`{id}`")).collect();
        let _ = writeln!(out, "{} also explains {} (shown in full above).\n", f.rule_id, ids.join(", "));
    }
}
