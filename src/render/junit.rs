//! The JUnit view: one test case per rule (a finding several causes explain is one case), so CI
//! dashboards show problems as failures.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report};

/// One `<testcase>` of a JUnit document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// `classname`.
    pub classname: String,
    /// `name`.
    pub name: String,
    /// Its `failure`, `error` or `skipped` element; none for a passing case.
    pub child: Option<Child>,
}

/// The `failure`, `error` or `skipped` element of a test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// `failure`, `error` or `skipped`.
    pub tag: &'static str,
    /// Its `message` attribute.
    pub message: String,
    /// Its text, if any.
    pub body: Option<String>,
}

impl Case {
    /// A case with a child element.
    pub fn with(classname: &str, name: &str, tag: &'static str, message: String, body: Option<String>) -> Case {
        Case { classname: classname.into(), name: name.into(), child: Some(Child { tag, message, body }) }
    }
}

/// A JUnit XML document: one `<testsuite>` named `name`, its counts taken from the cases (every
/// `failure`, `error` and `skipped` child). The one writer of JUnit in the CLI: `diagnose` and
/// `replay` both build their cases and call it.
pub fn document(name: &str, timestamp: Option<&str>, cases: &[Case]) -> String {
    let count = |tag: &str| cases.iter().filter(|c| c.child.as_ref().is_some_and(|ch| ch.tag == tag)).count();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", name));
    suite.push_attribute(("tests", cases.len().to_string().as_str()));
    suite.push_attribute(("failures", count("failure").to_string().as_str()));
    suite.push_attribute(("errors", count("error").to_string().as_str()));
    suite.push_attribute(("skipped", count("skipped").to_string().as_str()));
    if let Some(timestamp) = timestamp {
        suite.push_attribute(("timestamp", timestamp));
    }
    let _ = w.write_event(Event::Start(suite));
    for case in cases {
        let mut start = BytesStart::new("testcase");
        start.push_attribute(("classname", case.classname.as_str()));
        start.push_attribute(("name", case.name.as_str()));
        let Some(child) = &case.child else {
            let _ = w.write_event(Event::Empty(start));
            continue;
        };
        let _ = w.write_event(Event::Start(start));
        let mut el = BytesStart::new(child.tag);
        el.push_attribute(("message", child.message.as_str()));
        match &child.body {
            Some(body) => {
                let _ = w.write_event(Event::Start(el));
                let _ = w.write_event(Event::Text(BytesText::new(body)));
                let _ = w.write_event(Event::End(BytesEnd::new(child.tag)));
            }
            None => {
                let _ = w.write_event(Event::Empty(el));
            }
        }
        let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    let mut text = String::from_utf8(w.into_inner()).unwrap_or_default();
    text.push('\n');
    xml_safe(text)
}

/// Renders the (already filtered) report as a JUnit XML document: one case per rule.
pub fn render(report: &Report) -> String {
    let findings: Vec<&Finding> = super::unique_findings(report).into_iter().map(|(f, _)| f).collect();
    let host = report.snapshot.host.clone().unwrap_or_else(|| "snapshot".into());
    let expired = report.waivers.as_ref().map_or(&[][..], |w| w.expired.as_slice());
    let mut cases = Vec::with_capacity(findings.len() + expired.len());
    for f in findings {
        let classname = format!("syncdoctor.{}", f.severity.as_str());
        let (tag, message, body) = match f.outcome {
            Outcome::Match => (
                "failure",
                format!("{}: {}", f.title, f.message),
                Some(format!("{}\nFix: {}", f.message, f.resolution.summary.trim())),
            ),
            Outcome::Error => ("error", f.message.clone(), None),
            Outcome::Inconclusive | Outcome::Skipped => ("skipped", f.message.clone(), None),
            Outcome::Waived => ("skipped", f.waiver.as_ref().map(super::waiver_line).unwrap_or_default(), None),
            Outcome::Pass => {
                cases.push(Case { classname, name: f.rule_id.clone(), child: None });
                continue;
            }
        };
        cases.push(Case::with(&classname, &f.rule_id, tag, message, body));
    }
    for e in expired {
        // An expired waiver is a problem of its own: a failing test case named after it.
        let message = format!("waiver for `{}` expired on {} (owner {})", e.rule, e.expires, e.owner);
        let body = format!("{message}: {}", e.reason);
        cases.push(Case::with(
            "syncdoctor.waivers",
            &format!("expired waiver: {}", e.rule),
            "failure",
            message,
            Some(body),
        ));
    }
    document(&format!("syncdoctor {host}"), Some(&report.snapshot.collected_at), &cases)
}

/// The document with every character XML 1.0 forbids (control characters other than tab, line
/// feed and carriage return, which a fact may hold) replaced by U+FFFD, so the output is always
/// well-formed. Escaping cannot help: XML has no way to write them at all.
pub fn xml_safe(text: String) -> String {
    let forbidden =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.contains(forbidden) { text.replace(forbidden, "\u{fffd}") } else { text }
}
