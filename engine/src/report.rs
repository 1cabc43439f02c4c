//! The report: the contract every renderer and embedding tool reads.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::rule::{Outcome, Reference, Resolution, Severity};

/// Version of the report format.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The result of evaluating a knowledge base against one snapshot. Same knowledge base and same
/// snapshot give a byte-identical serialized report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "syncdoctor report")]
#[non_exhaustive]
pub struct Report {
    /// Report format version.
    pub schema_version: u32,
    /// Version of the knowledge base used.
    pub kb_version: String,
    /// Version of the engine used.
    pub engine_version: String,
    /// Which snapshot was diagnosed.
    pub snapshot: SnapshotInfo,
    /// Counts per outcome and, for matches, per severity.
    pub summary: Summary,
    /// Findings: `match`, `inconclusive` and `error` (and `pass`/`skipped` when all are asked for),
    /// ordered by severity, depth of cause, id. A finding another one explains is nested under it.
    pub findings: Vec<Finding>,
    /// What a waivers file did: expired waivers (problems of their own) and waivers that matched
    /// nothing. Present only when waivers were applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiverSummary>,
}

/// Which snapshot a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SnapshotInfo {
    /// The host the facts describe (first of the knowledge base's `host_facts` present).
    pub host: Option<String>,
    /// When the facts were gathered (RFC 3339).
    pub collected_at: String,
}

/// Counts of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules per outcome (`match`, `pass`, `skipped`, `inconclusive`, `error`; `waived` too when
    /// waivers were applied).
    pub outcomes: BTreeMap<String, usize>,
    /// Matched rules per severity (`critical`, `error`, `warning`, `info`).
    pub severities: BTreeMap<String, usize>,
    /// What a severity threshold left out of this report (present only when one above `info` was
    /// given, e.g. `diagnose --min-severity error`; `outcomes.match` and `severities` then count
    /// the matches shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Hidden>,
}

/// Matches a severity threshold left out of a report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Hidden {
    /// The threshold: matches less severe than this were left out.
    pub min_severity: Severity,
    /// How many matched rules were left out (each rule once, wherever it was nested).
    pub matches: usize,
    /// The rules left out, per severity below the threshold.
    pub severities: BTreeMap<String, usize>,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Finding {
    /// The rule.
    pub rule_id: String,
    /// The rule's version.
    pub rule_version: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Catalog slugs the rule covers.
    pub covers: Vec<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// For a match, the rule's message; otherwise why the outcome (missing facts, error, skip reason).
    pub message: String,
    /// Values of the rule's evidence facts (absent facts are left out).
    pub evidence: BTreeMap<String, Value>,
    /// For `inconclusive`: the facts that were absent or null.
    pub missing: Vec<String>,
    /// For a rule that returns a list: how many items, and the first 50.
    pub affected: Option<Affected>,
    /// Matched findings this one is the deeper cause of.
    pub explains: Vec<Finding>,
    /// Ids of matched findings this one also explains, nested in full under another cause (each
    /// finding appears once in a report; absent when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_explains: Vec<String>,
    /// How to fix it.
    pub resolution: Resolution,
    /// Where the knowledge comes from.
    pub references: Vec<Reference>,
    /// For a `waived` finding: the waiver that accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

/// Objects affected by a per-object rule.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Affected {
    /// How many objects.
    pub count: usize,
    /// The first 50.
    pub items: Vec<Value>,
}

/// Most affected items a finding carries.
pub const MAX_AFFECTED_ITEMS: usize = 50;

impl Report {
    /// The report as `syncdoctor diagnose --format json` prints it: pretty JSON ending with a
    /// newline. Every front end (CLI, Python, C) returns exactly this text.
    pub fn to_json_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }

    /// Whether some finding (nested ones included) matched at or above `threshold`.
    pub fn has_match_at_or_above(&self, threshold: Severity) -> bool {
        fn any(findings: &[Finding], t: Severity) -> bool {
            findings.iter().any(|f| (f.outcome == Outcome::Match && f.severity <= t) || any(&f.explains, t))
        }
        any(&self.findings, threshold)
    }

    /// Whether nothing could be checked: no rule ended in `match`, `pass` or `waived` (every
    /// rule evaluated was `skipped`, `inconclusive` or `error`, or no rule was evaluated). Such a
    /// report is not a clean bill of health: too little was gathered to tell. `diagnose` exits 3
    /// on it (DESIGN §7).
    ///
    /// Counted over every rule evaluated (`summary.outcomes`), whatever `--min-severity` hides.
    pub fn nothing_checked(&self) -> bool {
        let count = |o: Outcome| self.summary.outcomes.get(o.as_str()).copied().unwrap_or(0);
        count(Outcome::Match) + count(Outcome::Pass) + count(Outcome::Waived) == 0
    }

    /// Whether waivers were applied and some had expired (a problem of its own).
    pub fn has_expired_waivers(&self) -> bool {
        self.waivers.as_ref().is_some_and(|w| !w.expired.is_empty())
    }

    /// Every finding, nested ones included, depth first.
    pub fn all_findings(&self) -> Vec<&Finding> {
        fn walk<'a>(findings: &'a [Finding], out: &mut Vec<&'a Finding>) {
            for f in findings {
                out.push(f);
                walk(&f.explains, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.findings, &mut out);
        out
    }

    /// Every matched finding once per rule (nested ones included), depth first in report order: a
    /// finding several causes explain is listed once.
    pub fn matched(&self) -> Vec<&Finding> {
        let mut seen = std::collections::BTreeSet::new();
        self.all_findings()
            .into_iter()
            .filter(|f| f.outcome == Outcome::Match && seen.insert(f.rule_id.as_str()))
            .collect()
    }
}

/// A waiver as a report shows it (on a waived finding, and in `waivers.expired`/`waivers.unused`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Waiver {
    /// The rule id or glob, as written.
    pub rule: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// Last day the waiver holds (`YYYY-MM-DD`, UTC, inclusive).
    pub expires: String,
    /// The host scope, when the waiver has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The tenant scope, when the waiver has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// What the waivers did to a report: present only when a waivers file was given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiverSummary {
    /// Waivers whose `expires` day ended before the snapshot was collected: they waive nothing
    /// and are problems of their own.
    pub expired: Vec<Waiver>,
    /// Waivers in force that matched no finding of this report.
    pub unused: Vec<Waiver>,
}
