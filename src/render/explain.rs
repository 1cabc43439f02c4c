//! Renders an `explain` trace.

use std::fmt::Write as _;

use syncdoctor_engine::Explanation;

/// Renders the trace as text.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let f = &e.finding;
    let _ = writeln!(out, "rule {} {}: {}", f.rule_id, f.rule_version, f.outcome.as_str());
    let _ = writeln!(out, "  {}", f.message);
    out.push_str("facts read:\n");
    if e.reads.is_empty() {
        out.push_str("  (none)\n");
    }
    for r in &e.reads {
        match &r.value {
            Some(v) => {
                let mut text = v.to_string();
                if text.len() > 120 {
                    text.truncate(117);
                    text.push_str("...");
                }
                let _ = writeln!(out, "  {} = {text}", r.path);
            }
            None => {
                let _ = writeln!(out, "  {} is ABSENT (not gathered)", r.path);
            }
        }
    }
    if !e.bindings.is_empty() {
        out.push_str("variables:\n");
        for (name, value) in &e.bindings {
            let mut text = value.to_string();
            if text.len() > 120 {
                text.truncate(117);
                text.push_str("...");
            }
            let _ = writeln!(out, "  {name} = {text}");
        }
    }
    out.push_str("condition terms:\n");
    for t in &e.terms {
        match &t.result {
            Ok(v) => {
                let _ = writeln!(out, "  {}  =>  {v}", t.text.replace('\n', " "));
            }
            Err(why) => {
                let _ = writeln!(out, "  {}  =>  ({why})", t.text.replace('\n', " "));
            }
        }
    }
    out
}
