//! Renderers: the same report for a person, a program, a ticket, a spreadsheet, a browser or CI.
//!
//! Every format renders the same view: [`filter`] applies the severity threshold to the whole
//! report once (nested findings included, hidden matches counted in `summary.hidden`), and every
//! renderer counts a rule once, however many causes explain it.

pub mod csv;
pub mod explain;
pub mod fields;
pub mod html;
pub mod human;
pub mod junit;
pub mod lint;
pub mod markdown;
pub mod profile;

use std::collections::{BTreeMap, BTreeSet};

use syncdoctor_engine::report::{Finding, Hidden};
use syncdoctor_engine::{Outcome, Report, Severity};

use crate::cli::Format;

pub use crate::cli::DEFAULT_MAX_ITEMS;

/// The width the human view wraps to when standard output is not a terminal.
pub const DEFAULT_WIDTH: usize = 100;

/// What a renderer is asked to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Matches below this severity are left out of every format (and counted as hidden).
    pub threshold: Severity,
    /// Most affected items listed per finding by the human, Markdown and HTML views (`None`: all
    /// the report carries).
    pub max_items: Option<usize>,
    /// Column the human view wraps at.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { threshold: Severity::Info, max_items: Some(DEFAULT_MAX_ITEMS), width: DEFAULT_WIDTH }
    }
}

/// Renders a report with the default options and `threshold`.
pub fn render(report: &Report, format: Format, threshold: Severity) -> String {
    render_with(report, format, &RenderOptions { threshold, ..RenderOptions::default() })
}

/// Renders a report: the threshold is applied first ([`filter`]), so every format shows, counts
/// and hides the same findings.
pub fn render_with(report: &Report, format: Format, options: &RenderOptions) -> String {
    let view = filter(report, options.threshold);
    match format {
        Format::Json => json(&view),
        Format::Human => human::render(&view, options),
        Format::Markdown => markdown::render(&view, options),
        Format::Junit => junit::render(&view),
        Format::Html => html::render(&view, options),
        Format::Csv => csv::render(&view),
    }
}

/// The report as `threshold` shows it. With `info` (everything) it is the report unchanged. Above
/// it, every match below the threshold is removed wherever it is in the tree (the findings it
/// explains that are at or above the threshold take its place), the match counts are recomputed
/// from what is left, and `summary.hidden` counts what was removed.
pub fn filter(report: &Report, threshold: Severity) -> Report {
    if threshold == Severity::Info {
        return report.clone();
    }
    let below = |f: &Finding| f.outcome == Outcome::Match && f.severity > threshold;
    let mut hidden_ids: BTreeMap<&str, Severity> = BTreeMap::new();
    for f in report.all_findings() {
        if below(f) {
            hidden_ids.insert(&f.rule_id, f.severity);
        }
    }
    fn keep(f: &Finding, below: &dyn Fn(&Finding) -> bool) -> Vec<Finding> {
        let children: Vec<Finding> = f.explains.iter().flat_map(|c| keep(c, below)).collect();
        if below(f) {
            return children;
        }
        let mut kept = f.clone();
        kept.explains = children;
        vec![kept]
    }
    let mut top: Vec<Finding> = Vec::new();
    let mut promoted: Vec<Finding> = Vec::new();
    for f in &report.findings {
        if below(f) {
            promoted.extend(keep(f, &below));
        } else {
            top.extend(keep(f, &below));
        }
    }
    // A symptom lifted out of a hidden cause stays only where no visible cause already shows it.
    let mut shown: BTreeSet<String> = BTreeSet::new();
    for f in &top {
        collect_ids(f, &mut shown);
    }
    for f in promoted {
        if !shown.contains(&f.rule_id) {
            collect_ids(&f, &mut shown);
            top.push(f);
        }
    }
    // Report order: severity first (stable, so depth of cause and id keep the engine's order).
    top.sort_by_key(|f| f.severity);
    let mut view = report.clone();
    view.findings = top;
    let visible: BTreeMap<&str, Severity> = matched_rules(&view).into_iter().collect();
    let mut severities: BTreeMap<String, usize> = Severity::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    for s in visible.values() {
        *severities.entry(s.as_str().to_owned()).or_default() += 1;
    }
    view.summary.outcomes.insert(Outcome::Match.as_str().to_owned(), visible.len());
    view.summary.severities = severities;
    let mut hidden_severities: BTreeMap<String, usize> =
        Severity::ALL.iter().filter(|s| **s > threshold).map(|s| (s.as_str().to_owned(), 0)).collect();
    for s in hidden_ids.values() {
        *hidden_severities.entry(s.as_str().to_owned()).or_default() += 1;
    }
    view.summary.hidden =
        Some(Hidden { min_severity: threshold, matches: hidden_ids.len(), severities: hidden_severities });
    view
}

fn collect_ids(f: &Finding, out: &mut BTreeSet<String>) {
    out.insert(f.rule_id.clone());
    for c in &f.explains {
        collect_ids(c, out);
    }
}

/// Every matched rule of the report once (nested ones included), in report order, with its
/// severity: a finding several causes explain is counted once.
pub fn matched_rules(report: &Report) -> Vec<(&str, Severity)> {
    report.matched().into_iter().map(|f| (f.rule_id.as_str(), f.severity)).collect()
}

/// Every finding of the report once per rule, depth first, with the rule ids of every cause that
/// explains it (in report order).
pub fn unique_findings(report: &Report) -> Vec<(&Finding, Vec<&str>)> {
    fn walk<'a>(
        findings: &'a [Finding],
        parent: Option<&'a str>,
        order: &mut Vec<&'a Finding>,
        causes: &mut BTreeMap<&'a str, Vec<&'a str>>,
    ) {
        for f in findings {
            let entry = causes.entry(f.rule_id.as_str());
            let first = matches!(entry, std::collections::btree_map::Entry::Vacant(_));
            let list = entry.or_default();
            if let Some(p) = parent
                && !list.contains(&p)
            {
                list.push(p);
            }
            if first {
                order.push(f);
            }
            walk(&f.explains, Some(f.rule_id.as_str()), order, causes);
        }
    }
    let mut order = Vec::new();
    let mut causes = BTreeMap::new();
    walk(&report.findings, None, &mut order, &mut causes);
    order.into_iter().map(|f| (f, causes.get(f.rule_id.as_str()).cloned().unwrap_or_default())).collect()
}

/// The order outcome sections appear in: problems first, then what needs attention, then the
/// rest. An outcome not listed here (added later) still gets its section, after these.
pub fn outcome_order() -> Vec<Outcome> {
    const PREFERRED: [&str; 6] = ["match", "error", "inconclusive", "waived", "pass", "skipped"];
    // `Outcome::ALL` lists what evaluation gives; waivers add `waived` afterwards.
    let mut all: Vec<Outcome> = Outcome::ALL.to_vec();
    if !all.contains(&Outcome::Waived) {
        all.push(Outcome::Waived);
    }
    all.sort_by_key(|o| PREFERRED.iter().position(|p| *p == o.as_str()).unwrap_or(PREFERRED.len()));
    all
}

/// A section heading for an outcome.
pub fn outcome_heading(outcome: Outcome) -> String {
    match outcome.as_str() {
        "match" => "Problems found".into(),
        "error" => "Rules that failed to evaluate (other rules still ran)".into(),
        "inconclusive" => "Not evaluated (facts not gathered)".into(),
        "waived" => "Waived (accepted, not counted as problems)".into(),
        "pass" => "Passed".into(),
        "skipped" => "Skipped (do not apply to this snapshot)".into(),
        other => {
            let mut c = other.chars();
            c.next().map(|first| first.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
    }
}

/// The JSON report (pretty, ending with a newline), exactly as the Python and C bindings give it.
pub fn json(report: &Report) -> String {
    report.to_json_text()
}

/// `n thing` / `n things`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// What a report in which nothing could be checked says instead of "No problem found."
pub const NOTHING_CHECKED: &str = "Nothing could be checked: no rule passed or matched, too little was gathered (this is not a clean bill of health).";

/// Whether the (possibly severity-filtered) report could check nothing: see
/// [`Report::nothing_checked`]; matches a threshold hid count as checked.
pub fn nothing_checked(report: &Report) -> bool {
    report.nothing_checked() && report.summary.hidden.as_ref().is_none_or(|h| h.matches == 0)
}

/// The one-line summary shared by the human and Markdown views (what is shown, then what the
/// severity threshold hid).
pub fn summary_line(report: &Report) -> String {
    let count = |o: &str| report.summary.outcomes.get(o).copied().unwrap_or(0);
    let by_severity = |counts: &BTreeMap<String, usize>| -> String {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|s| {
                let n = counts.get(s.as_str()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", s.as_str()))
            })
            .collect();
        if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
    };
    let problems = plural(count("match"), "problem");
    let mut line = format!(
        "{problems}{} · {} inconclusive · {} · {} passed · {} skipped",
        by_severity(&report.summary.severities),
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
    for (name, n) in &report.summary.outcomes {
        if !["match", "inconclusive", "error", "pass", "skipped", "waived"].contains(&name.as_str()) {
            line.push_str(&format!(" · {n} {name}"));
        }
    }
    if let Some(h) = &report.summary.hidden {
        line.push_str(&format!(
            " · {} below {} hidden{}",
            h.matches,
            h.min_severity.as_str(),
            by_severity(&h.severities)
        ));
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

/// Whether a URL may become a link (http and https only; anything else stays plain text).
pub fn linkable(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}
