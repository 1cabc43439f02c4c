//! The CSV view, for spreadsheets: one row per rule finding (nested ones included, each rule once,
//! with every cause that explains it and, for a waived one, its waiver), quoted as RFC 4180 says (CRLF line ends, fields with a
//! comma, quote or line break in double quotes, quotes doubled).

use syncdoctor_engine::Report;

use super::fields::scalar;

/// The header row's columns.
pub const COLUMNS: [&str; 17] = [
    "host",
    "collected_at",
    "rule_id",
    "rule_version",
    "severity",
    "outcome",
    "title",
    "message",
    "explained_by",
    "affected_count",
    "affected_items",
    "evidence",
    "missing",
    "fix",
    "commands",
    "references",
    "waiver",
];

/// Renders the (already filtered) report as CSV.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    row(&mut out, COLUMNS.iter().map(|c| (*c).to_owned()));
    let host = report.snapshot.host.clone().unwrap_or_default();
    for (f, causes) in super::unique_findings(report) {
        let affected_items: Vec<String> = f
            .affected
            .iter()
            .flat_map(|a| a.items.iter())
            .map(|i| serde_json::to_string(i).unwrap_or_default())
            .collect();
        let evidence: Vec<String> = f.evidence.iter().map(|(k, v)| format!("{k}={}", scalar(v))).collect();
        let mut fix = f.resolution.summary.trim().to_owned();
        for (i, step) in f.resolution.steps.iter().enumerate() {
            fix.push_str(&format!("\n{}. {}", i + 1, step.trim()));
        }
        let commands: Vec<String> = f.resolution.commands.iter().map(|c| format!("{}> {}", c.shell, c.run)).collect();
        let references: Vec<String> = f.references.iter().map(|r| r.url.clone()).collect();
        row(
            &mut out,
            [
                host.clone(),
                report.snapshot.collected_at.clone(),
                f.rule_id.clone(),
                f.rule_version.clone(),
                f.severity.as_str().to_owned(),
                f.outcome.as_str().to_owned(),
                f.title.clone(),
                f.message.clone(),
                causes.join(" "),
                f.affected.as_ref().map(|a| a.count.to_string()).unwrap_or_default(),
                affected_items.join("\n"),
                evidence.join("\n"),
                f.missing.join(" "),
                fix,
                commands.join("\n"),
                references.join("\n"),
                f.waiver.as_ref().map(super::waiver_line).unwrap_or_default(),
            ]
            .into_iter(),
        );
    }
    out
}

fn row(out: &mut String, fields: impl Iterator<Item = String>) {
    let quoted: Vec<String> = fields.map(|f| quote(&f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// One field, quoted when RFC 4180 needs it. A field a spreadsheet would run as a formula (`=`,
/// `+`, `-`, `@` first) is prefixed with `'` so a hostile snapshot cannot inject one.
fn quote(field: &str) -> String {
    let field =
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{field}") } else { field.to_owned() };
    if field.contains([',', '"', '\n', '\r']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn rfc_4180_quoting() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
