//! Stored-report comparison (`replay --expect DIR`): each snapshot's report against
//! `DIR/<name>.json`, byte for byte, with a readable JSON diff when they differ.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::Input;
use crate::report::Report;

/// Environment variable that makes a comparison write the reports instead (the CLI reads it).
pub const UPDATE_ENV: &str = "SYNCDOCTOR_UPDATE_EXPECT";

/// Compares a report with `<dir>/<name>.json` (or writes it); `Some(readable diff)` on a difference.
pub fn compare(dir: &Path, input: &Input, report: &Report, update: bool) -> Option<String> {
    let path = dir.join(format!("{}.json", input.name));
    let text = report.to_json_text();
    let stored = std::fs::read_to_string(&path).ok();
    if stored.as_deref() == Some(text.as_str()) {
        return None;
    }
    if update {
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, &text));
        return match written {
            Ok(()) => None,
            Err(e) => Some(format!("{}: cannot write {}: {e}\n", input.source, path.display())),
        };
    }
    let Some(stored) = stored else {
        return Some(format!(
            "{}: no stored report {} (set {UPDATE_ENV}=1 to write it)\n",
            input.source,
            path.display()
        ));
    };
    let mut diff = format!("{}: report differs from {}\n", input.source, path.display());
    let old: Value = serde_json::from_str(&stored).unwrap_or(Value::Null);
    let new = serde_json::to_value(report).unwrap_or(Value::Null);
    let mut lines = Vec::new();
    json_diff("", &old, &new, &mut lines);
    let shown = 30;
    for line in lines.iter().take(shown) {
        let _ = writeln!(diff, "  {line}");
    }
    if lines.len() > shown {
        let _ = writeln!(diff, "  … and {} more differences", lines.len() - shown);
    }
    let _ = writeln!(diff, "  (set {UPDATE_ENV}=1 to accept the new report)");
    Some(diff)
}

/// Differences between two JSON values as `- /path: old` / `+ /path: new` lines.
fn json_diff(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    Some(w) => json_diff(&p, v, w, out),
                    None => out.push(format!("- {p}: {}", short(v))),
                }
            }
            for (k, w) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(format!("+ {path}/{k}: {}", short(w)));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}/{i}");
                match (a.get(i), b.get(i)) {
                    (Some(v), Some(w)) => json_diff(&p, v, w, out),
                    (Some(v), None) => out.push(format!("- {p}: {}", short(v))),
                    (None, Some(w)) => out.push(format!("+ {p}: {}", short(w))),
                    (None, None) => {}
                }
            }
        }
        _ if old == new => {}
        _ => {
            out.push(format!("- {path}: {}", short(old)));
            out.push(format!("+ {path}: {}", short(new)));
        }
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 { format!("{}…", text.chars().take(120).collect::<String>()) } else { text }
}
