//! `rules lint` problems for CI: SARIF 2.1.0 (code-scanning dashboards) and GitHub Actions
//! workflow annotations. The checks and their stable ids are the engine's
//! ([`syncdoctor_engine::lint`]).

use std::path::Path;

use serde_json::{Value, json};
use syncdoctor_engine::lint::{CHECKS, Problem};

/// The SARIF 2.1.0 log of a lint run (pretty JSON, ending with a newline). Files are given
/// relative to the current directory when they are inside it, with `/` separators.
pub fn sarif(problems: &[Problem], version: &str) -> String {
    let rules: Vec<Value> = CHECKS
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "shortDescription": { "text": c.description },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = problems
        .iter()
        .map(|Problem { check, diagnostic: d, .. }| {
            let index = CHECKS.iter().position(|c| c.id == check.id).unwrap_or(0);
            let mut physical = json!({ "artifactLocation": { "uri": uri(&d.file) } });
            if d.line > 0 {
                let mut region = json!({ "startLine": d.line });
                if d.column > 0 {
                    region["startColumn"] = json!(d.column);
                }
                physical["region"] = region;
            }
            json!({
                "ruleId": check.id,
                "ruleIndex": index,
                "level": "error",
                "message": { "text": d.message },
                "locations": [ { "physicalLocation": physical } ],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "syncdoctor",
                "semanticVersion": version,
                "informationUri": "https://example.invalid/syncdoctor",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// GitHub Actions workflow commands, one `::error file=…,line=…,col=…::message` per problem.
pub fn github(problems: &[Problem]) -> String {
    let mut out = String::new();
    for Problem { check, diagnostic: d, .. } in problems {
        let mut props = vec![format!("file={}", property(&relative(&d.file)))];
        if d.line > 0 {
            props.push(format!("line={}", d.line));
            if d.column > 0 {
                props.push(format!("col={}", d.column));
            }
        }
        props.push(format!("title={}", property(&format!("syncdoctor {} {}", check.id, check.name))));
        out.push_str(&format!("::error {}::{}\n", props.join(","), data(&d.message)));
    }
    out
}

/// The path relative to the current directory when it is inside it, with `/` separators.
fn relative(file: &Path) -> String {
    let stripped = std::env::current_dir().ok().and_then(|cwd| file.strip_prefix(cwd).ok().map(Path::to_path_buf));
    let path = stripped.unwrap_or_else(|| file.to_path_buf());
    path.to_string_lossy().replace('\\', "/")
}

/// A relative URI reference for a file (RFC 3986: every byte outside the unreserved set and `/`
/// percent-encoded).
fn uri(file: &Path) -> String {
    let text = relative(file);
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes a workflow command's message (`%`, CR, LF).
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncdoctor_engine::Diagnostic;
    use syncdoctor_engine::lint::TESTS;

    #[test]
    fn workflow_commands_escape_their_fields() {
        let d = Diagnostic::at(Path::new("rules/a,b:c.yaml"), 3, 7, "50% bad\nsecond line");
        assert_eq!(
            github(&[Problem::new(TESTS, d)]),
            "::error file=rules/a%2Cb%3Ac.yaml,line=3,col=7,title=syncdoctor SD003 rule-has-tests::50%25 bad%0Asecond line\n"
        );
        assert_eq!(uri(Path::new("rules/my rule.yaml")), "rules/my%20rule.yaml");
    }
}
