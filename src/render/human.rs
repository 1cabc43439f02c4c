//! The human view: grouped, with resolution steps and evidence; colour when the output is a
//! terminal (anstream strips it otherwise).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report, Severity};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Renders the report for a person.
pub fn render(report: &Report, visible: &dyn Fn(&Finding) -> bool) -> String {
    let mut out = String::new();
    let host = report.snapshot.host.as_deref().unwrap_or("unknown host");
    let _ = writeln!(
        out,
        "{} {host} · collected {} · knowledge base {}",
        paint(BOLD, "syncdoctor"),
        report.snapshot.collected_at,
        report.kb_version
    );
    let _ = writeln!(out, "{}\n", super::summary_line(report));
    let group = |o: Outcome| report.findings.iter().filter(|f| f.outcome == o && visible(f)).collect::<Vec<_>>();
    let matches = group(Outcome::Match);
    if matches.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(Style::new().fg_color(Some(AnsiColor::Green.into())).bold(), "No problem found.")
        );
    }
    for f in &matches {
        finding(&mut out, f, 0);
        out.push('\n');
    }
    let waived = group(Outcome::Waived);
    if !waived.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Waived (accepted, not counted as problems):"));
        for f in waived {
            let why = f.waiver.as_ref().map(super::waiver_line).unwrap_or_default();
            let _ = writeln!(out, "  {}  {}  {}", f.rule_id, f.title, paint(DIM, &why));
        }
        out.push('\n');
    }
    if let Some(w) = report.waivers.as_ref().filter(|w| !w.expired.is_empty()) {
        let _ = writeln!(out, "{}", paint(BOLD, "Expired waivers (problems: renew them or fix what they waived):"));
        for e in &w.expired {
            let _ = writeln!(out, "  {}  expired {} · owner {} · {}", e.rule, e.expires, e.owner, e.reason);
        }
        out.push('\n');
    }
    if let Some(w) = report.waivers.as_ref().filter(|w| !w.unused.is_empty()) {
        let _ = writeln!(out, "{}", paint(BOLD, "Waivers that matched nothing:"));
        for e in &w.unused {
            let _ = writeln!(out, "  {}  {}", e.rule, paint(DIM, &format!("owner {} · until {}", e.owner, e.expires)));
        }
        out.push('\n');
    }
    let errors = group(Outcome::Error);
    if !errors.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Rules that failed to evaluate (other rules still ran):"));
        for f in errors {
            let _ = writeln!(out, "  {}  {}", f.rule_id, f.message);
        }
        out.push('\n');
    }
    let inconclusive = group(Outcome::Inconclusive);
    if !inconclusive.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Not evaluated (facts not gathered):"));
        for f in inconclusive {
            let _ = writeln!(out, "  {}  {}", f.rule_id, paint(DIM, &format!("needs {}", f.missing.join(", "))));
        }
        out.push('\n');
    }
    for (o, label) in [(Outcome::Pass, "Passed"), (Outcome::Skipped, "Skipped")] {
        let list = group(o);
        if !list.is_empty() {
            let _ = writeln!(out, "{}", paint(BOLD, &format!("{label}:")));
            for f in list {
                let _ = writeln!(out, "  {}  {}", f.rule_id, paint(DIM, &f.message));
            }
            out.push('\n');
        }
    }
    out
}

fn finding(out: &mut String, f: &Finding, depth: usize) {
    let pad = "    ".repeat(depth);
    let arrow = if depth > 0 { "└─ explains " } else { "" };
    let label = format!("{:<8}", f.severity.as_str().to_uppercase());
    let _ = writeln!(
        out,
        "{pad}{arrow}{} {}  {}",
        paint(severity_style(f.severity), &label),
        paint(BOLD, &f.title),
        paint(DIM, &f.rule_id)
    );
    let _ = writeln!(out, "{pad}  {}", f.message);
    if let Some(w) = &f.waiver {
        let _ = writeln!(out, "{pad}  {}", paint(DIM, &super::waiver_line(w)));
    }
    if let Some(a) = &f.affected {
        let _ = writeln!(out, "{pad}  affected: {} (showing {})", a.count, a.items.len().min(5));
        for item in a.items.iter().take(5) {
            let _ = writeln!(out, "{pad}    - {item}");
        }
    }
    for (path, value) in &f.evidence {
        let _ = writeln!(out, "{pad}  {} {path} = {value}", paint(DIM, "evidence"));
    }
    if depth == 0 {
        let _ = writeln!(out, "{pad}  {} {}", paint(BOLD, "fix:"), f.resolution.summary.trim());
        for (i, step) in f.resolution.steps.iter().enumerate() {
            let _ = writeln!(out, "{pad}    {}. {}", i + 1, step.trim());
        }
        for c in &f.resolution.commands {
            let _ = writeln!(out, "{pad}    {} {}", paint(DIM, &format!("{}>", c.shell)), c.run);
        }
        for r in &f.references {
            let _ = writeln!(out, "{pad}  {} {} <{}>", paint(DIM, "see"), r.title, r.url);
        }
    }
    for child in &f.explains {
        finding(out, child, depth + 1);
    }
}
