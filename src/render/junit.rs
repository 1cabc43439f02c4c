//! The JUnit view: one test case per rule (a finding several causes explain is one case), so CI
//! dashboards show problems as failures.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use syncdoctor_engine::report::Finding;
use syncdoctor_engine::{Outcome, Report};

/// Renders the (already filtered) report as a JUnit XML document.
pub fn render(report: &Report) -> String {
    let findings: Vec<&Finding> = super::unique_findings(report).into_iter().map(|(f, _)| f).collect();
    let count = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
    let host = report.snapshot.host.clone().unwrap_or_else(|| "snapshot".into());
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let expired = report.waivers.as_ref().map_or(&[][..], |w| w.expired.as_slice());
    let tests = (findings.len() + expired.len()).to_string();
    let failures = (count(Outcome::Match) + expired.len()).to_string();
    let errors = count(Outcome::Error).to_string();
    let skipped = (count(Outcome::Inconclusive) + count(Outcome::Skipped) + count(Outcome::Waived)).to_string();
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", format!("syncdoctor {host}").as_str()));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", failures.as_str()));
    suite.push_attribute(("errors", errors.as_str()));
    suite.push_attribute(("skipped", skipped.as_str()));
    suite.push_attribute(("timestamp", report.snapshot.collected_at.as_str()));
    let _ = w.write_event(Event::Start(suite));
    for f in findings {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", format!("syncdoctor.{}", f.severity.as_str()).as_str()));
        case.push_attribute(("name", f.rule_id.as_str()));
        let child = match f.outcome {
            Outcome::Match => Some(("failure", format!("{}: {}", f.title, f.message))),
            Outcome::Error => Some(("error", f.message.clone())),
            Outcome::Inconclusive | Outcome::Skipped => Some(("skipped", f.message.clone())),
            Outcome::Waived => Some(("skipped", f.waiver.as_ref().map(super::waiver_line).unwrap_or_default())),
            Outcome::Pass => None,
        };
        match child {
            None => {
                let _ = w.write_event(Event::Empty(case));
            }
            Some((tag, message)) => {
                let _ = w.write_event(Event::Start(case));
                let mut el = BytesStart::new(tag);
                el.push_attribute(("message", message.as_str()));
                if tag == "failure" {
                    let body = format!("{}\nFix: {}", f.message, f.resolution.summary.trim());
                    let _ = w.write_event(Event::Start(el));
                    let _ = w.write_event(Event::Text(BytesText::new(&body)));
                    let _ = w.write_event(Event::End(BytesEnd::new(tag)));
                } else {
                    let _ = w.write_event(Event::Empty(el));
                }
                let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
            }
        }
    }
    for e in expired {
        // An expired waiver is a problem of its own: a failing test case named after it.
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", "syncdoctor.waivers"));
        case.push_attribute(("name", format!("expired waiver: {}", e.rule).as_str()));
        let _ = w.write_event(Event::Start(case));
        let mut el = BytesStart::new("failure");
        let message = format!("waiver for `{}` expired on {} (owner {})", e.rule, e.expires, e.owner);
        el.push_attribute(("message", message.as_str()));
        let _ = w.write_event(Event::Start(el));
        let _ = w.write_event(Event::Text(BytesText::new(&format!("{message}: {}", e.reason))));
        let _ = w.write_event(Event::End(BytesEnd::new("failure")));
        let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    let mut text = String::from_utf8(w.into_inner()).unwrap_or_default();
    text.push('\n');
    xml_safe(text)
}

/// The document with every character XML 1.0 forbids (control characters other than tab, line
/// feed and carriage return, which a fact may hold) replaced by U+FFFD, so the output is always
/// well-formed. Escaping cannot help: XML has no way to write them at all.
pub fn xml_safe(text: String) -> String {
    let forbidden =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.contains(forbidden) { text.replace(forbidden, "\u{fffd}") } else { text }
}
