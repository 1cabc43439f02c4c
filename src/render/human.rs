//! The human view: the summary, the cause tree with each finding's fix, affected items and
//! evidence as aligned fields, the other outcomes, and the summary again at the end. Text wraps to
//! the width asked for; colour when the output is a terminal (anstream strips it otherwise).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::Value;
use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report, Severity};

use super::fields::{clean, item_lines, lines, wrap};
use super::{RenderOptions, outcome_heading, outcome_order};

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

/// Renders the (already filtered) report for a person.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let width = options.width.max(40);
    let host = clean(report.snapshot.host.as_deref().unwrap_or("unknown host"));
    let _ = writeln!(
        out,
        "{} {host} · collected {} · knowledge base {}",
        paint(BOLD, "syncdoctor"),
        clean(&report.snapshot.collected_at),
        report.kb_version
    );
    let summary = wrap(&super::summary_line(report), "", "  ", width);
    out.push_str(&summary);
    out.push('\n');
    let group = |o: Outcome| report.findings.iter().filter(|f| f.outcome == o).collect::<Vec<_>>();
    let matches = group(Outcome::Match);
    if matches.is_empty() {
        let text = match &report.summary.hidden {
            Some(h) if h.matches > 0 => format!(
                "No problem at or above {} ({} below it hidden; lower --min-severity to see them).",
                h.min_severity.as_str(),
                h.matches
            ),
            _ if super::nothing_checked(report) => super::NOTHING_CHECKED.to_owned(),
            _ => "No problem found.".to_owned(),
        };
        let colour = if super::nothing_checked(report) { AnsiColor::Yellow } else { AnsiColor::Green };
        let _ = writeln!(out, "{}\n", paint(Style::new().fg_color(Some(colour.into())).bold(), &text));
    }
    let mut shown = BTreeSet::new();
    let mut ctx = Context { options, width, shown: &mut shown, out: &mut out };
    for f in &matches {
        finding(&mut ctx, f, 0);
        ctx.out.push('\n');
    }
    if let Some(w) = report.waivers.as_ref().filter(|w| !w.expired.is_empty()) {
        let _ = writeln!(out, "{}", paint(BOLD, "Expired waivers (problems: renew them or fix what they waived):"));
        for e in &w.expired {
            let _ = writeln!(out, "  {}  expired {} · owner {} · {}", e.rule, e.expires, e.owner, clean(&e.reason));
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
    for outcome in outcome_order().into_iter().filter(|o| *o != Outcome::Match) {
        let list = group(outcome);
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", paint(BOLD, &format!("{}:", outcome_heading(outcome))));
        for f in list {
            if outcome == Outcome::Waived {
                // The rule and title, then the waiver (who, until when, why) on lines of its own.
                let _ = writeln!(out, "  {}  {}", f.rule_id, clean(&f.title));
                let why = f.waiver.as_ref().map(super::waiver_line).unwrap_or_default();
                for line in wrap(&clean(&why), "    ", "    ", width).lines() {
                    let _ = writeln!(out, "{}", paint(DIM, line));
                }
                continue;
            }
            let detail = if outcome == Outcome::Inconclusive && !f.missing.is_empty() {
                format!("needs {}", f.missing.join(", "))
            } else {
                clean(&f.message)
            };
            let first = format!("  {}  ", f.rule_id);
            let body = wrap(&detail, "", "", width.saturating_sub(first.chars().count()).max(20));
            let mut body_lines = body.lines();
            let _ = writeln!(out, "{first}{}", paint(DIM, body_lines.next().unwrap_or("")));
            let indent = " ".repeat(first.chars().count());
            for line in body_lines {
                let _ = writeln!(out, "{indent}{}", paint(DIM, line));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{} {}", paint(BOLD, "Summary:"), super::summary_line(report));
    out
}

struct Context<'a> {
    options: &'a RenderOptions,
    width: usize,
    shown: &'a mut BTreeSet<String>,
    out: &'a mut String,
}

fn finding(ctx: &mut Context<'_>, f: &Finding, depth: usize) {
    let pad = "    ".repeat(depth);
    let arrow = if depth > 0 { "└─ explains " } else { "" };
    let label = format!("{:<8}", f.severity.as_str().to_uppercase());
    let head = format!(
        "{pad}{arrow}{} {}  {}",
        paint(severity_style(f.severity), &label),
        paint(BOLD, &clean(&f.title)),
        paint(DIM, &f.rule_id)
    );
    let _ = writeln!(ctx.out, "{head}");
    if !ctx.shown.insert(f.rule_id.clone()) {
        // Explained by several causes: shown in full once, referred to here.
        let _ = writeln!(ctx.out, "{pad}  {}", paint(DIM, "(also explained by another cause; shown in full above)"));
        return;
    }
    let text_pad = format!("{pad}  ");
    ctx.out.push_str(&wrap(&clean(&f.message), &text_pad, &text_pad, ctx.width));
    if let Some(w) = &f.waiver {
        ctx.out.push_str(&wrap(&clean(&super::waiver_line(w)), &text_pad, &text_pad, ctx.width));
    }
    if let Some(a) = &f.affected {
        let limit = ctx.options.max_items.unwrap_or(usize::MAX).min(a.items.len());
        let mut note = format!("affected: {}", a.count);
        if limit < a.count {
            note.push_str(&format!(" (showing {limit}"));
            if limit < a.items.len() {
                note.push_str("; --max-items N or --all-items for more");
            } else if a.items.len() < a.count {
                note.push_str(&format!("; the report carries the first {}", a.items.len()));
            }
            note.push(')');
        }
        let _ = writeln!(ctx.out, "{text_pad}{}", paint(BOLD, &note));
        for (i, item) in a.items.iter().take(limit).enumerate() {
            for line in item_lines(item, i + 1, &format!("{text_pad}  ")) {
                let _ = writeln!(ctx.out, "{line}");
            }
        }
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(ctx.out, "{text_pad}{}", paint(BOLD, "evidence:"));
        let entries: Vec<(String, &Value)> = f.evidence.iter().map(|(k, v)| (k.clone(), v)).collect();
        for line in lines(&entries, &format!("{text_pad}  ")) {
            let _ = writeln!(ctx.out, "{line}");
        }
    }
    let fix = format!("{text_pad}{} ", paint(BOLD, "fix:"));
    let fix_plain_len = text_pad.chars().count() + 5;
    let hang = " ".repeat(fix_plain_len);
    let summary = wrap(f.resolution.summary.trim(), &hang, &hang, ctx.width);
    let _ = write!(ctx.out, "{fix}{}", summary.trim_start());
    for (i, step) in f.resolution.steps.iter().enumerate() {
        let marker = format!("{text_pad}  {}. ", i + 1);
        let rest = " ".repeat(marker.chars().count());
        ctx.out.push_str(&wrap(step.trim(), &marker, &rest, ctx.width));
    }
    for c in &f.resolution.commands {
        // Commands are not wrapped: they are copied as they are.
        let _ = writeln!(ctx.out, "{text_pad}  {} {}", paint(DIM, &format!("{}>", c.shell)), c.run);
    }
    for r in &f.references {
        let _ = writeln!(ctx.out, "{text_pad}{} {} <{}>", paint(DIM, "see"), r.title, r.url);
    }
    for child in &f.explains {
        finding(ctx, child, depth + 1);
    }
    for id in &f.also_explains {
        // Nested in full under its first cause, which comes earlier in the report.
        let _ = writeln!(ctx.out, "{pad}    └─ also explains {} {}", id, paint(DIM, "(shown in full above)"));
    }
}
