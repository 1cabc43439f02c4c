//! What changes between two reports on the same snapshot (two knowledge bases, or two versions
//! of one): the impact of a rules change, as `syncdoctor replay --against-rules`, the Python
//! package and the Spark job report it.

use std::collections::BTreeMap;

use crate::report::{Finding, Report};

/// A finding that differs between the two reports: its outcome in each (`None`: not reported),
/// and, when both report it with the same outcome, what else changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The rule.
    pub rule_id: String,
    /// Its outcome in the first report (`None`: not reported).
    pub before: Option<&'static str>,
    /// Its outcome in the second report (`None`: not reported).
    pub after: Option<&'static str>,
    /// Its severity, when that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<BeforeAfter<&'static str>>,
    /// Its message, when that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<BeforeAfter<String>>,
    /// Its affected count, when that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affected: Option<BeforeAfter<Option<usize>>>,
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BeforeAfter<T> {
    /// In the first report.
    pub before: T,
    /// In the second report.
    pub after: T,
}

/// Every reported finding (nested ones included), by rule id.
fn by_rule(report: &Report) -> BTreeMap<&str, &Finding> {
    report.all_findings().into_iter().map(|f| (f.rule_id.as_str(), f)).collect()
}

/// The findings that differ between `before` and `after`, by rule id.
pub fn changes(before: &Report, after: &Report) -> Vec<Change> {
    let (b, a) = (by_rule(before), by_rule(after));
    let mut ids: Vec<&str> = b.keys().chain(a.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let changed = |x: bool| x.then_some(());
    ids.into_iter()
        .filter_map(|id| {
            let (old, new) = (b.get(id).copied(), a.get(id).copied());
            let (before, after) = (old.map(|f| f.outcome.as_str()), new.map(|f| f.outcome.as_str()));
            let (mut severity, mut message, mut affected) = (None, None, None);
            // Texts and counts are compared only where both knowledge bases report the finding
            // with the same outcome; an outcome change says enough on its own.
            if let (Some(o), Some(n)) = (old, new)
                && o.outcome == n.outcome
            {
                severity = changed(o.severity != n.severity)
                    .map(|()| BeforeAfter { before: o.severity.as_str(), after: n.severity.as_str() });
                message = changed(o.message != n.message)
                    .map(|()| BeforeAfter { before: o.message.clone(), after: n.message.clone() });
                let count = |f: &Finding| f.affected.as_ref().map(|a| a.count);
                affected = changed(count(o) != count(n)).map(|()| BeforeAfter { before: count(o), after: count(n) });
            }
            let differs = before != after || severity.is_some() || message.is_some() || affected.is_some();
            differs.then(|| Change { rule_id: id.to_owned(), before, after, severity, message, affected })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Affected, SnapshotInfo, Summary};
    use crate::rule::{Outcome, Resolution, Severity};

    fn finding(id: &str, outcome: Outcome, severity: Severity, count: Option<usize>) -> Finding {
        Finding {
            rule_id: id.into(),
            rule_version: "1.0.0".into(),
            title: id.into(),
            severity,
            covers: Vec::new(),
            outcome,
            message: format!("{id} message"),
            evidence: BTreeMap::new(),
            missing: Vec::new(),
            affected: count.map(|count| Affected { count, items: Vec::new() }),
            explains: Vec::new(),
            also_explains: Vec::new(),
            resolution: Resolution { summary: String::new(), steps: Vec::new(), commands: Vec::new() },
            references: Vec::new(),
            waiver: None,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            schema_version: 1,
            kb_version: "1".into(),
            engine_version: "1".into(),
            snapshot: SnapshotInfo { host: None, collected_at: "2026-01-01T00:00:00Z".into() },
            summary: Summary::default(),
            findings,
            waivers: None,
        }
    }

    #[test]
    fn outcome_severity_and_count_changes_are_listed_and_equal_findings_are_not() {
        let before = report(vec![
            finding("a", Outcome::Match, Severity::Error, None),
            finding("b", Outcome::Match, Severity::Error, Some(3)),
            finding("c", Outcome::Inconclusive, Severity::Info, None),
        ]);
        let after = report(vec![
            finding("a", Outcome::Match, Severity::Critical, None),
            finding("b", Outcome::Match, Severity::Error, Some(4)),
            finding("d", Outcome::Match, Severity::Warning, None),
        ]);
        let changes = changes(&before, &after);
        let ids: Vec<&str> = changes.iter().map(|c| c.rule_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(changes[0].severity, Some(BeforeAfter { before: "error", after: "critical" }));
        assert_eq!(changes[1].affected, Some(BeforeAfter { before: Some(3), after: Some(4) }));
        assert_eq!((changes[2].before, changes[2].after), (Some("inconclusive"), None));
        assert_eq!((changes[3].before, changes[3].after), (None, Some("match")));
        assert!(super::changes(&before, &before).is_empty());
    }
}
