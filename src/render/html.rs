//! The HTML view: one self-contained page (inline CSS and a little JavaScript, no network: the
//! page's content security policy forbids loading anything), readable on screen and on paper.
//! Everything that comes from the snapshot or the knowledge base is HTML-escaped.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;
use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report, Severity};

use super::fields::{fits_one_line, scalar};
use super::{RenderOptions, linkable, outcome_heading, outcome_order, plural};

const STYLE: &str = r#"
:root { --critical: #a4001d; --error: #d13438; --warning: #9d5d00; --info: #005a9e; --ok: #107c10;
  --line: #d0d0d0; --soft: #f4f4f4; --text: #1b1b1b; --dim: #5c5c5c; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif; color: var(--text);
  margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 72rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
.meta { color: var(--dim); margin: 0; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .45rem .9rem; min-width: 7.5rem; background: #fff; }
.card .n { display: block; font-size: 1.5rem; font-weight: 700; line-height: 1.2; }
.card.critical .n { color: var(--critical); } .card.error .n { color: var(--error); }
.card.warning .n { color: var(--warning); } .card.info .n { color: var(--info); }
.card.pass .n { color: var(--ok); }
.hidden-note { background: var(--soft); border-left: 4px solid var(--dim); padding: .4rem .8rem; }
.ok { color: var(--ok); font-weight: 600; }
.unchecked { color: var(--warning, #9a6700); font-weight: 600; }
nav ol { padding-left: 1.4rem; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--dim); border-radius: 6px; padding: .6rem 1rem .8rem;
  margin: 1rem 0; background: #fff; break-inside: avoid-page; }
.finding.sev-critical { border-left-color: var(--critical); } .finding.sev-error { border-left-color: var(--error); }
.finding.sev-warning { border-left-color: var(--warning); } .finding.sev-info { border-left-color: var(--info); }
.finding h3, .finding h4 { margin: .2rem 0 .3rem; font-size: 1.1rem; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; letter-spacing: .04em; color: #fff; border-radius: 3px;
  padding: .05rem .4rem; margin-right: .4rem; vertical-align: middle; background: var(--dim); }
.badge.critical { background: var(--critical); } .badge.error { background: var(--error); }
.badge.warning { background: var(--warning); } .badge.info { background: var(--info); }
.rule-id { font-family: ui-monospace, Consolas, monospace; color: var(--dim); font-size: .85rem; }
.message { margin: .3rem 0 .6rem; }
.explains { margin: .8rem 0 0 .4rem; padding-left: 1rem; border-left: 2px dashed var(--line); }
.explains > .label { color: var(--dim); font-size: .85rem; margin: 0; }
.also { color: var(--dim); font-style: italic; margin: .2rem 0; }
.waiver { color: var(--dim); margin: .2rem 0; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .9rem; width: 100%; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
table.kv th { width: 30%; font-family: ui-monospace, Consolas, monospace; font-weight: 500; }
td code, th code { font-size: .85rem; }
.sub { margin: 0; } .sub th { width: auto; }
.fix h5, .finding h5 { margin: .6rem 0 .2rem; font-size: .95rem; }
.fix ol { margin: .2rem 0; padding-left: 1.6rem; }
.cmd { position: relative; margin: .4rem 0; }
.cmd .shell { font-size: .75rem; color: var(--dim); }
.cmd pre { background: #1e1e1e; color: #f3f3f3; padding: .5rem 5.5rem .5rem .7rem; border-radius: 4px; margin: .1rem 0;
  white-space: pre-wrap; overflow-wrap: anywhere; font: .85rem/1.4 ui-monospace, Consolas, monospace; }
.copy { position: absolute; right: .4rem; top: 1.4rem; font-size: .75rem; padding: .15rem .5rem; cursor: pointer;
  border: 1px solid #888; border-radius: 3px; background: #f3f3f3; }
.refs { margin: .3rem 0 0; padding-left: 1.2rem; }
footer { margin-top: 2.5rem; color: var(--dim); font-size: .85rem; }
@media print {
  body { padding: 0; max-width: none; font-size: 11pt; }
  .copy, nav { display: none; }
  .cmd pre { background: #fff; color: #000; border: 1px solid #999; padding-right: .7rem; }
  .finding { border-left-width: 4px; }
  a { color: inherit; } .refs a::after { content: " <" attr(href) ">"; font-size: .8em; color: var(--dim); }
  details > summary { list-style: none; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  function copy(button) {
    var text = button.parentNode.querySelector('code').textContent;
    function done(ok) { button.textContent = ok ? 'Copied' : 'Select and copy'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else { done(fallback(text)); }
  }
  function fallback(text) {
    var area = document.createElement('textarea'); area.value = text; document.body.appendChild(area); area.select();
    var ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area); return ok;
  }
  document.querySelectorAll('button.copy').forEach(function (b) { b.addEventListener('click', function () { copy(b); }); });
  window.addEventListener('beforeprint', function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); });
})();
"#;

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "&#xFFFD;");
            }
            c => out.push(c),
        }
    }
    out
}

/// An id usable as a fragment (`#…`): letters, digits and `-` only.
fn anchor(rule_id: &str) -> String {
    let cleaned: String = rule_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("rule-{cleaned}")
}

/// Renders the (already filtered) report as one self-contained HTML page.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let host = report.snapshot.host.as_deref().unwrap_or("unknown host");
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>syncdoctor report: {}</title>", escape(host));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    // Header: which snapshot, when, with what.
    let _ = writeln!(
        out,
        "<header>\n<h1>syncdoctor report: <span id=\"host\">{}</span></h1>\n<p class=\"meta\">Collected \
         <time id=\"collected-at\" datetime=\"{t}\">{t}</time> · knowledge base {} · engine {} · report format {}</p>\n</header>",
        escape(host),
        escape(&report.kb_version),
        escape(&report.engine_version),
        report.schema_version,
        t = escape(&report.snapshot.collected_at),
    );
    summary(&mut out, report);
    let by_outcome = |o: Outcome| report.findings.iter().filter(|f| f.outcome == o).collect::<Vec<_>>();
    let matches = by_outcome(Outcome::Match);
    if !matches.is_empty() {
        out.push_str("<nav aria-label=\"Problems\">\n<h2>Contents</h2>\n<ol>\n");
        for f in &matches {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a> <span class=\"badge {s}\">{S}</span></li>",
                anchor(&f.rule_id),
                escape(&f.title),
                s = f.severity.as_str(),
                S = f.severity.as_str().to_uppercase()
            );
        }
        out.push_str("</ol>\n</nav>\n");
    }
    let mut shown = BTreeSet::new();
    for outcome in outcome_order() {
        let list = by_outcome(outcome);
        if outcome == Outcome::Match {
            let _ = writeln!(
                out,
                "<section id=\"outcome-match\" class=\"outcome\">\n<h2>{}</h2>",
                outcome_heading(outcome)
            );
            if list.is_empty() {
                let text = match &report.summary.hidden {
                    Some(h) if h.matches > 0 => format!(
                        "No problem at or above {} ({} below it hidden).",
                        h.min_severity.as_str(),
                        plural(h.matches, "match")
                    ),
                    _ if super::nothing_checked(report) => super::NOTHING_CHECKED.into(),
                    _ => "No problem found.".into(),
                };
                let class = if super::nothing_checked(report) { "unchecked" } else { "ok" };
                let _ = writeln!(out, "<p class=\"{class}\">{}</p>", escape(&text));
            }
            for f in list {
                finding(&mut out, f, 0, options, &mut shown);
            }
            out.push_str("</section>\n");
            waivers_to_review(&mut out, report);
            continue;
        }
        if list.is_empty() {
            continue;
        }
        other_outcome(&mut out, outcome, &list);
    }
    let _ = writeln!(
        out,
        "<footer>Generated by syncdoctor {} from a snapshot of {} collected {}. The report's JSON form \
         (<code>--format json</code>) is the complete contract.</footer>",
        escape(&report.engine_version),
        escape(host),
        escape(&report.snapshot.collected_at)
    );
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

fn summary(out: &mut String, report: &Report) {
    let count = |o: &str| report.summary.outcomes.get(o).copied().unwrap_or(0);
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let _ = writeln!(out, "<p id=\"summary-line\">{}</p>", escape(&super::summary_line(report)));
    out.push_str("<ul class=\"cards\" id=\"by-severity\" aria-label=\"Problems by severity\">\n");
    for s in Severity::ALL {
        let n = report.summary.severities.get(s.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<li class=\"card {s}\" data-severity=\"{s}\"><span class=\"n\">{n}</span> {s}</li>",
            s = s.as_str()
        );
    }
    out.push_str("</ul>\n<ul class=\"cards\" id=\"by-outcome\" aria-label=\"Rules by outcome\">\n");
    let mut names: Vec<String> = outcome_order()
        .iter()
        .filter(|o| **o != Outcome::Waived || report.waivers.is_some())
        .map(|o| o.as_str().to_owned())
        .collect();
    for name in report.summary.outcomes.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    for name in names {
        let label = match name.as_str() {
            "match" => "problems".to_owned(),
            "error" => "rule errors".to_owned(),
            "pass" => "passed".to_owned(),
            other => other.to_owned(),
        };
        let _ = writeln!(
            out,
            "<li class=\"card {n}\" data-outcome=\"{n}\"><span class=\"n\">{}</span> {}</li>",
            count(&name),
            escape(&label),
            n = escape(&name)
        );
    }
    out.push_str("</ul>\n");
    if let Some(h) = &report.summary.hidden {
        let detail: Vec<String> =
            h.severities.iter().filter(|(_, n)| **n > 0).map(|(s, n)| format!("{n} {s}")).collect();
        let detail = if detail.is_empty() { String::new() } else { format!(" ({})", detail.join(", ")) };
        let _ = writeln!(
            out,
            "<p class=\"hidden-note\" id=\"hidden\">Shown: problems at or above <strong>{}</strong>. Hidden: {}{}.</p>",
            h.min_severity.as_str(),
            plural(h.matches, "match"),
            escape(&detail)
        );
    }
    let _ = writeln!(out, "<p class=\"meta\">{} evaluated.</p>\n</section>", plural(report.summary.rules, "rule"));
}

fn finding(out: &mut String, f: &Finding, depth: usize, options: &RenderOptions, shown: &mut BTreeSet<String>) {
    let sev = f.severity.as_str();
    let heading = if depth == 0 { "h3" } else { "h4" };
    let first = shown.insert(f.rule_id.clone());
    let id_attr = if first { format!(" id=\"{}\"", anchor(&f.rule_id)) } else { String::new() };
    let _ = writeln!(
        out,
        "<article class=\"finding sev-{sev}\"{id_attr} data-rule=\"{}\" data-depth=\"{depth}\">",
        escape(&f.rule_id)
    );
    let _ = writeln!(
        out,
        "<{heading} class=\"title\"><span class=\"badge {sev}\">{}</span>{} <span class=\"rule-id\">{} {}</span></{heading}>",
        sev.to_uppercase(),
        escape(&f.title),
        escape(&f.rule_id),
        escape(&f.rule_version)
    );
    if !first {
        let _ = writeln!(
            out,
            "<p class=\"also\">Also explained by another cause: shown in full <a href=\"#{}\">above</a>.</p>\n</article>",
            anchor(&f.rule_id)
        );
        return;
    }
    let _ = writeln!(out, "<p class=\"message\">{}</p>", escape(&f.message));
    if let Some(w) = &f.waiver {
        let _ = writeln!(out, "<p class=\"waiver\">{}</p>", escape(&super::waiver_line(w)));
    }
    if let Some(a) = &f.affected {
        affected(out, a.count, &a.items, options);
    }
    if !f.evidence.is_empty() {
        out.push_str("<h5>Evidence</h5>\n<table class=\"kv evidence\">\n<tr><th scope=\"col\">fact</th><th scope=\"col\">value</th></tr>\n");
        for (path, value) in &f.evidence {
            let _ = writeln!(out, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape(path), value_html(value));
        }
        out.push_str("</table>\n");
    }
    out.push_str("<div class=\"fix\">\n");
    let _ = writeln!(out, "<h5>Fix</h5>\n<p>{}</p>", escape(f.resolution.summary.trim()));
    if !f.resolution.steps.is_empty() {
        out.push_str("<ol class=\"steps\">\n");
        for step in &f.resolution.steps {
            let _ = writeln!(out, "<li>{}</li>", escape(step.trim()));
        }
        out.push_str("</ol>\n");
    }
    for c in &f.resolution.commands {
        let _ = writeln!(
            out,
            "<div class=\"cmd\"><span class=\"shell\">{}</span><button type=\"button\" class=\"copy\" \
             title=\"Copy the command\">Copy</button><pre><code>{}</code></pre></div>",
            escape(&c.shell),
            escape(&c.run)
        );
    }
    out.push_str("</div>\n");
    if !f.references.is_empty() {
        out.push_str("<h5>Articles</h5>\n<ul class=\"refs\">\n");
        for r in &f.references {
            if linkable(&r.url) {
                let _ = writeln!(
                    out,
                    "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></li>",
                    escape(r.url.trim()),
                    escape(&r.title)
                );
            } else {
                let _ = writeln!(out, "<li>{} ({})</li>", escape(&r.title), escape(&r.url));
            }
        }
        out.push_str("</ul>\n");
    }
    if !f.explains.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"explains\">\n<p class=\"label\">This explains {}:</p>",
            plural(f.explains.len(), "symptom")
        );
        for child in &f.explains {
            finding(out, child, depth + 1, options, shown);
        }
        out.push_str("</div>\n");
    }
    if !f.also_explains.is_empty() {
        let ids: Vec<String> = f
            .also_explains
            .iter()
            .map(|id| format!("<a href=\"#{}\"><code>{}</code></a>", anchor(id), escape(id)))
            .collect();
        let _ = writeln!(out, "<p class=\"label\">Also explains {} (shown in full above).</p>", ids.join(", "));
    }
    out.push_str("</article>\n");
}

/// The affected items as a table: one column per key (in order of first appearance), or one
/// `value` column for items that are not objects. Rows past `max_items` fold into a `<details>`
/// (opened for printing).
fn affected(out: &mut String, count: usize, items: &[Value], options: &RenderOptions) {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
    }
    let scalar_items = items.iter().any(|i| !i.is_object());
    let carried =
        if items.len() < count { format!(" (the report carries the first {})", items.len()) } else { String::new() };
    let _ = writeln!(out, "<h5>Affected: <span class=\"count\">{count}</span>{carried}</h5>");
    let header = |out: &mut String| {
        out.push_str("<table class=\"affected\">\n<tr><th scope=\"col\">#</th>");
        for c in &columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
        }
        if scalar_items {
            out.push_str("<th scope=\"col\">value</th>");
        }
        out.push_str("</tr>\n");
    };
    let row = |out: &mut String, n: usize, item: &Value| {
        let _ = write!(out, "<tr><td>{n}</td>");
        for c in &columns {
            let cell = item.get(*c).map(value_html).unwrap_or_default();
            let _ = write!(out, "<td>{cell}</td>");
        }
        if scalar_items {
            let cell = if item.is_object() { String::new() } else { value_html(item) };
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    };
    let first = options.max_items.unwrap_or(usize::MAX).min(items.len());
    header(out);
    for (i, item) in items.iter().take(first).enumerate() {
        row(out, i + 1, item);
    }
    out.push_str("</table>\n");
    if first < items.len() {
        let _ = writeln!(out, "<details class=\"more\"><summary>Show {} more</summary>", items.len() - first);
        header(out);
        for (i, item) in items.iter().enumerate().skip(first) {
            row(out, i + 1, item);
        }
        out.push_str("</table>\n</details>\n");
    }
}

/// A JSON value as readable HTML: scalars as text, objects as a small key/value table, lists of
/// objects as numbered tables.
fn value_html(v: &Value) -> String {
    if fits_one_line(v) {
        return match v {
            Value::Null => "<em>null</em>".into(),
            other => escape(&scalar(other)),
        };
    }
    match v {
        Value::Object(map) => {
            let mut s = String::from("<table class=\"kv sub\">");
            for (k, v) in map {
                let _ = write!(s, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape(k), value_html(v));
            }
            s.push_str("</table>");
            s
        }
        Value::Array(items) => {
            let mut s = String::from("<ol class=\"items\">");
            for item in items {
                let _ = write!(s, "<li>{}</li>", value_html(item));
            }
            s.push_str("</ol>");
            s
        }
        other => escape(&other.to_string()),
    }
}

/// The waivers a person must look at: expired ones (problems of their own) and those that
/// matched nothing. Absent when no waivers file was given or every waiver was used.
fn waivers_to_review(out: &mut String, report: &Report) {
    let Some(w) = report.waivers.as_ref().filter(|w| !(w.expired.is_empty() && w.unused.is_empty())) else {
        return;
    };
    out.push_str("<section id=\"waivers-review\" class=\"outcome\">\n<h2>Waivers to review</h2>\n");
    out.push_str(
        "<table class=\"waivers\">\n<tr><th scope=\"col\">waiver</th><th scope=\"col\">state</th>\
         <th scope=\"col\">owner</th><th scope=\"col\">expires</th><th scope=\"col\">reason</th></tr>\n",
    );
    for (state, list) in [("expired (a problem)", &w.expired), ("matched nothing", &w.unused)] {
        for e in list {
            let _ = writeln!(
                out,
                "<tr data-waiver=\"{r}\"><td><code>{r}</code></td><td>{state}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.owner),
                escape(&e.expires),
                escape(&e.reason),
                r = escape(&e.rule)
            );
        }
    }
    out.push_str("</table>\n</section>\n");
}

/// A section for a non-match outcome: rule, title and why (the missing facts for inconclusive
/// rules).
fn other_outcome(out: &mut String, outcome: Outcome, list: &[&Finding]) {
    let name = outcome.as_str();
    let _ = writeln!(
        out,
        "<section id=\"outcome-{n}\" class=\"outcome\">\n<h2>{} <span class=\"count\">({})</span></h2>",
        escape(&outcome_heading(outcome)),
        list.len(),
        n = escape(name)
    );
    let detail_header = match outcome {
        Outcome::Inconclusive => "missing facts",
        Outcome::Waived => "waiver",
        _ => "detail",
    };
    let _ = writeln!(
        out,
        "<table class=\"outcome-list\">\n<tr><th scope=\"col\">rule</th><th scope=\"col\">severity</th><th scope=\"col\">title</th><th scope=\"col\">{detail_header}</th></tr>"
    );
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for f in list {
        if !seen.insert(f.rule_id.as_str()) {
            continue;
        }
        let detail = if outcome == Outcome::Inconclusive && !f.missing.is_empty() {
            let facts: Vec<String> = f.missing.iter().map(|m| format!("<code>{}</code>", escape(m))).collect();
            format!("{}<br><span class=\"meta\">{}</span>", facts.join(", "), escape(&f.message))
        } else if let Some(w) = f.waiver.as_ref().filter(|_| outcome == Outcome::Waived) {
            format!("{}<br><span class=\"meta\">{}</span>", escape(&super::waiver_line(w)), escape(&f.message))
        } else {
            escape(&f.message)
        };
        let _ = writeln!(
            out,
            "<tr data-rule=\"{id}\"><td><code>{id}</code></td><td><span class=\"badge {s}\">{S}</span></td><td>{}</td><td>{detail}</td></tr>",
            escape(&f.title),
            id = escape(&f.rule_id),
            s = f.severity.as_str(),
            S = f.severity.as_str().to_uppercase()
        );
    }
    out.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::{anchor, escape};

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<img src=x onerror='a()'> & \"q\""),
            "&lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}b"), "a&#xFFFD;b");
        assert_eq!(anchor("Rule\"><x"), "rule-rule---x");
    }
}
