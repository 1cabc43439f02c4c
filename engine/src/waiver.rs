//! Waivers: findings a team has accepted for a while, each with a reason, an owner and an expiry
//! date (ScubaGear's `OmitPolicy` idea, applied to a report after evaluation).
//!
//! A waivers file is a YAML (or JSON) list:
//!
//! ```yaml
//! - rule: localdb-*                # a rule id or a glob (`*`, `?`, `[abc]`, `{a,b}`)
//!   host: "sync0[12].contoso.com"  # optional: a glob on the report's host (case-insensitive)
//!   tenant: contoso.onmicrosoft.com  # optional: a glob on any of the knowledge base's `tenant_facts`
//!   reason: The database moves to SQL Server in the March change window.
//!   owner: identity-team@contoso.com
//!   expires: 2027-03-31            # valid through that whole day (UTC)
//! ```
//!
//! Applied to a report ([`KnowledgeBase::apply_waivers`]), a waiver turns every matching `match`
//! finding (nested ones included) into `waived` and attaches the waiver to it. "Today" is the
//! snapshot's `collected_at`, never the wall clock, so a replayed snapshot gives the same result
//! forever: a waiver whose `expires` day ended before `collected_at` is *expired* — it waives
//! nothing and is listed in the report's `waivers.expired`, a problem of its own. A waiver that
//! waived nothing is listed in `waivers.unused`.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::kb::KnowledgeBase;
use crate::report::{Finding, Report, Summary};
pub use crate::report::{Waiver, WaiverSummary};
use crate::rule::{Located, Outcome};
use crate::snapshot::Snapshot;

/// A waivers file: a list of waivers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(
    title = "syncdoctor waivers",
    description = "Accepted findings (`diagnose --waivers FILE`): a list of waivers, each with a reason, an owner and an expiry date."
)]
pub struct WaiversFile(pub Vec<WaiverEntry>);

/// One waiver as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverEntry {
    /// The rule id, or a glob over rule ids (`*`, `?`, `[abc]`, `{a,b}`).
    #[schemars(with = "String", length(min = 1))]
    pub rule: Located<String>,
    /// Only on this host: a glob matched case-insensitively against the report's host.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub host: Option<Located<String>>,
    /// Only for this tenant: a glob matched case-insensitively against the knowledge base's
    /// `tenant_facts` (e.g. the tenant id or its initial domain).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tenant: Option<Located<String>>,
    /// Why the finding is accepted.
    #[schemars(with = "String", length(min = 1))]
    pub reason: Located<String>,
    /// Who accepted it (a person or a team, reachable).
    #[schemars(with = "String", length(min = 1))]
    pub owner: Located<String>,
    /// Last day the waiver holds (`YYYY-MM-DD`, UTC, inclusive).
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Located<String>,
}

/// One compiled waiver.
#[derive(Debug, Clone)]
struct Compiled {
    shown: Waiver,
    rule: GlobMatcher,
    host: Option<GlobMatcher>,
    tenant: Option<GlobMatcher>,
    expires: Date,
    /// `file:line:col` of the entry, for messages.
    at: String,
}

/// A parsed, checked waivers file, ready to apply to any number of reports.
#[derive(Debug, Clone)]
pub struct Waivers {
    /// Where the waivers came from.
    pub file: PathBuf,
    entries: Vec<Compiled>,
}

/// A waiver that waived nothing, or has expired, with where it is written (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNote {
    /// `file:line:col` of the waiver.
    pub at: String,
    /// The waiver.
    pub waiver: Waiver,
}

/// Compiles a glob; `case_insensitive` for host and tenant names.
pub(crate) fn glob(pattern: &str, case_insensitive: bool) -> std::result::Result<GlobMatcher, globset::Error> {
    let glob: Glob = GlobBuilder::new(pattern).case_insensitive(case_insensitive).literal_separator(false).build()?;
    Ok(glob.compile_matcher())
}

impl Waivers {
    /// Reads and checks a waivers file (YAML or JSON); every problem is located (file:line:col).
    pub fn read(path: &Path) -> Result<Waivers> {
        let text = crate::text_file::read(path, crate::text_file::max_bytes(), Error::Waivers)?;
        Self::parse(&text, path)
    }

    /// Parses and checks the text of a waivers file; `file` names it in diagnostics.
    pub fn parse(text: &str, file: &Path) -> Result<Waivers> {
        let parsed: WaiversFile =
            serde_saphyr::from_str(text).map_err(|e| Error::Waivers(vec![Diagnostic::yaml(file, &e)]))?;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for entry in parsed.0 {
            let mut scoped = |value: &Located<String>, insensitive: bool, field: &str| {
                if value.value.trim().is_empty() {
                    problems.push(Diagnostic::spanned(file, value, format!("`{field}` is empty")));
                    return None;
                }
                match glob(&value.value, insensitive) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.push(Diagnostic::spanned(file, value, format!("`{field}`: {}", e.kind())));
                        None
                    }
                }
            };
            let rule = scoped(&entry.rule, false, "rule");
            let host = entry.host.as_ref().map(|h| scoped(h, true, "host"));
            let tenant = entry.tenant.as_ref().map(|t| scoped(t, true, "tenant"));
            for (value, field) in [(&entry.reason, "reason"), (&entry.owner, "owner")] {
                if value.value.trim().is_empty() {
                    problems.push(Diagnostic::spanned(file, value, format!("`{field}` is empty: say why and who")));
                }
            }
            let expires = match entry.expires.value.parse::<Date>() {
                Ok(d) if entry.expires.value.len() == 10 => Some(d),
                Ok(_) | Err(_) => {
                    problems.push(Diagnostic::spanned(
                        file,
                        &entry.expires,
                        format!("`expires`: `{}` is not a date (YYYY-MM-DD)", entry.expires.value),
                    ));
                    None
                }
            };
            let (Some(rule), Some(expires)) = (rule, expires) else { continue };
            let (Some(host), Some(tenant)) =
                (host.map_or(Some(None), |h| h.map(Some)), tenant.map_or(Some(None), |t| t.map(Some)))
            else {
                continue;
            };
            let at = format!("{}:{}:{}", file.display(), entry.rule.line, entry.rule.column);
            entries.push(Compiled {
                shown: Waiver {
                    rule: entry.rule.value.clone(),
                    reason: entry.reason.value.trim().to_owned(),
                    owner: entry.owner.value.trim().to_owned(),
                    expires: entry.expires.value.clone(),
                    host: entry.host.as_ref().map(|h| h.value.clone()),
                    tenant: entry.tenant.as_ref().map(|t| t.value.clone()),
                },
                rule,
                host,
                tenant,
                expires,
                at,
            });
        }
        if !problems.is_empty() {
            return Err(Error::Waivers(problems));
        }
        Ok(Waivers { file: file.to_path_buf(), entries })
    }

    /// How many waivers the file holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Each waiver's location (`file:line:col`) and rule pattern, in file order.
    pub fn locations(&self) -> Vec<(String, String)> {
        self.entries.iter().map(|w| (w.at.clone(), w.shown.rule.clone())).collect()
    }

    /// Whether the file holds no waiver.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What [`KnowledgeBase::apply_waivers`] found, for messages on standard error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaiverOutcome {
    /// Expired waivers.
    pub expired: Vec<WaiverNote>,
    /// Waivers in force that waived nothing.
    pub unused: Vec<WaiverNote>,
    /// How many findings were waived.
    pub waived: usize,
    /// Where each waiver that waived a finding is written (`file:line:col`).
    pub used: Vec<String>,
}

impl KnowledgeBase {
    /// Applies waivers to a report of `snapshot`: matching `match` findings (nested ones included)
    /// become `waived`, the summary counts them under `waived` (and no longer under `match` or
    /// their severity), and the report gains `waivers: {expired, unused}`.
    ///
    /// A waiver is in force while the snapshot's `collected_at` (UTC) is on or before its `expires`
    /// day; the first waiver in file order that matches a finding is the one shown on it.
    pub fn apply_waivers(&self, report: &mut Report, snapshot: &Snapshot, waivers: &Waivers) -> WaiverOutcome {
        let today = snapshot.collected_at.to_zoned(TimeZone::UTC).date();
        let host = report.snapshot.host.clone();
        let tenants: Vec<String> = self
            .manifest
            .tenant_facts
            .iter()
            .filter_map(|p| snapshot.fact(p).and_then(|v| v.as_str().map(str::to_owned)))
            .collect();
        let in_force: Vec<&Compiled> = waivers.entries.iter().filter(|w| w.expires >= today).collect();
        let mut used = vec![false; in_force.len()];
        let scope_fits = |w: &Compiled| {
            w.host.as_ref().is_none_or(|m| host.as_deref().is_some_and(|h| m.is_match(h)))
                && w.tenant.as_ref().is_none_or(|m| tenants.iter().any(|t| m.is_match(t)))
        };
        let mut waived = 0;
        let mut severities = Vec::new();
        walk(&mut report.findings, &mut |f: &mut Finding| {
            if f.outcome != Outcome::Match {
                return;
            }
            if let Some(i) = in_force.iter().position(|w| w.rule.is_match(&f.rule_id) && scope_fits(w)) {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                f.outcome = Outcome::Waived;
                f.waiver = in_force.get(i).map(|w| w.shown.clone());
                waived += 1;
                severities.push(f.severity);
            }
        });
        recount(&mut report.summary, waived, &severities);
        promote_unwaived_symptoms(&mut report.findings);
        let note = |w: &Compiled| WaiverNote { at: w.at.clone(), waiver: w.shown.clone() };
        let expired: Vec<WaiverNote> = waivers.entries.iter().filter(|w| w.expires < today).map(note).collect();
        let unused: Vec<WaiverNote> = in_force.iter().zip(&used).filter(|(_, u)| !**u).map(|(w, _)| note(w)).collect();
        report.waivers = Some(WaiverSummary {
            expired: expired.iter().map(|n| n.waiver.clone()).collect(),
            unused: unused.iter().map(|n| n.waiver.clone()).collect(),
        });
        let used = in_force.iter().zip(&used).filter(|(_, u)| **u).map(|(w, _)| w.at.clone()).collect();
        WaiverOutcome { expired, unused, waived, used }
    }
}

fn walk(findings: &mut [Finding], visit: &mut dyn FnMut(&mut Finding)) {
    for f in findings {
        visit(f);
        walk(&mut f.explains, visit);
    }
}

/// A waived top-level cause no longer hides the symptoms it explains: those still matching move
/// to the top level, right after it (then the top level is ordered by severity again, stably).
fn promote_unwaived_symptoms(findings: &mut Vec<Finding>) {
    let mut out = Vec::with_capacity(findings.len());
    for mut f in findings.drain(..) {
        if f.outcome == Outcome::Waived && f.explains.iter().any(|c| c.outcome != Outcome::Waived) {
            let (kept, promoted): (Vec<Finding>, Vec<Finding>) =
                f.explains.drain(..).partition(|c| c.outcome == Outcome::Waived);
            f.explains = kept;
            out.push(f);
            out.extend(promoted);
        } else {
            out.push(f);
        }
    }
    out.sort_by_key(|f| f.severity);
    *findings = out;
}

fn recount(summary: &mut Summary, waived: usize, severities: &[crate::rule::Severity]) {
    if let Some(n) = summary.outcomes.get_mut(Outcome::Match.as_str()) {
        *n = n.saturating_sub(waived);
    }
    *summary.outcomes.entry(Outcome::Waived.as_str().to_owned()).or_default() += waived;
    for s in severities {
        if let Some(n) = summary.severities.get_mut(s.as_str()) {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_entry_is_located() {
        let text = "- rule: x\n  reason: r\n  owner: o\n  expires: 2027-13-01\n- rule: \"[\"\n  reason: ''\n  owner: o\n  expires: 2027-01-01\n";
        let Err(Error::Waivers(problems)) = Waivers::parse(text, Path::new("w.yaml")) else {
            panic!("expected located problems");
        };
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].starts_with("w.yaml:4:12: `expires`"), "{shown:?}");
        assert!(shown[1].starts_with("w.yaml:5:9: `rule`"), "{shown:?}");
        assert!(shown[2].starts_with("w.yaml:6:11: `reason` is empty"), "{shown:?}");
    }

    #[test]
    fn unknown_fields_are_refused_with_a_location() {
        let text = "- rule: x\n  reason: r\n  owner: o\n  expires: 2027-01-01\n  until: 2028-01-01\n";
        let Err(Error::Waivers(problems)) = Waivers::parse(text, Path::new("w.yaml")) else {
            panic!("expected a problem");
        };
        assert_eq!(problems[0].line, 5, "{problems:?}");
        assert!(problems[0].message.contains("until"), "{problems:?}");
    }
}
