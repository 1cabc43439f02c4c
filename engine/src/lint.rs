//! The strict tier: the whole authoring policy of a knowledge base in one place, each check with a
//! stable id (`SD…`, cargo-deny style) that SARIF and workflow-command output carry.
//!
//! [`lint`] takes the result of a strict load: problems the loader found are [`LOAD`] problems, and
//! a knowledge base that loaded is checked against every other check but [`VERSION_BUMP`], which
//! needs the previous version of each rule file ([`version_bumps`]; the CLI reads it from git).
//!
//! ```
//! use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions, lint};
//! let rule = "id: stopped\nversion: 1.0.0\nstatus: stable\ntitle: TODO\nseverity: warning\n\
//!             covers: [c]\nsymptom: s\ncause: c\nwhen: |\n  facts.svc.state != \"Running\"\n\
//!             resolution: {summary: fix}\nreferences: [{title: t, url: \"https://example.com\"}]\n";
//! let source = KbSource::from_files("kb", [
//!     ("kb.yaml", "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
//!     ("catalog.yaml", "entries: [{slug: c}]\n"),
//!     ("a/stopped.yaml", rule),
//! ]);
//! let problems = lint::lint(KnowledgeBase::load(source, LoadOptions::default()));
//! // No tests, and a placeholder title.
//! assert!(problems.iter().any(|p| p.check == lint::TESTS));
//! assert!(problems.iter().any(|p| p.check == lint::PLACEHOLDERS && (p.diagnostic.line, p.diagnostic.column) == (4, 8)));
//! ```

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::eval::EvalOptions;
use crate::functions::version;
use crate::kb::{CompiledRule, KnowledgeBase};
use crate::rule::{Outcome, Status};
use crate::snapshot::Snapshot;

/// One check of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Stable id (`SD…`): never reused for another check.
    pub id: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// What the check verifies.
    pub description: &'static str,
}

/// The knowledge base loads: rule file schema, ids, catalog slugs, explains graph, fact paths,
/// conditions (every problem the strict loader reports).
pub const LOAD: Check = Check {
    id: "SD001",
    name: "knowledge-base-loads",
    description: "Every rule file parses and passes the loader's checks: schema, unique ids, catalog slugs, \
                  explains graph, fact paths and conditions.",
};
/// The healthy baselines validate.
pub const BASELINES: Check = Check {
    id: "SD002",
    name: "healthy-baselines",
    description: "Each healthy baseline snapshot validates and no rule matches on it.",
};
/// A rule has a test of each outcome.
pub const TESTS: Check = Check {
    id: "SD003",
    name: "rule-has-tests",
    description: "Every rule has at least one `expect: match`, one `expect: pass` and one `expect: inconclusive` \
                  test.",
};
/// A deprecated rule names its replacement.
pub const DEPRECATION: Check = Check {
    id: "SD004",
    name: "deprecated-rule-replaced",
    description: "A deprecated rule names its replacement in `replaced_by`.",
};
/// A condition changed without a version bump.
pub const VERSION_BUMP: Check = Check {
    id: "SD005",
    name: "version-bumped",
    description: "A rule whose condition changed since the base revision has a higher `version`.",
};
/// No scaffold placeholder is left.
pub const PLACEHOLDERS: Check = Check {
    id: "SD006",
    name: "no-placeholders",
    description: "No `TODO` placeholder (as `rules new` writes them) is left in a rule's texts.",
};
/// A rule covers a catalog cause and cites its sources.
pub const COVERS_AND_REFERENCES: Check = Check {
    id: "SD007",
    name: "covers-and-references",
    description: "Every rule lists the catalog causes it covers and at least one reference.",
};
/// A rule ends within the sandbox limits on every healthy baseline.
pub const WITHIN_LIMITS: Check = Check {
    id: "SD008",
    name: "runs-within-limits",
    description: "On every healthy baseline each rule ends without an error (no sandbox limit, deadline or \
                  runtime error).",
};

/// Every check, in id order.
pub const CHECKS: [Check; 8] =
    [LOAD, BASELINES, TESTS, DEPRECATION, VERSION_BUMP, PLACEHOLDERS, COVERS_AND_REFERENCES, WITHIN_LIMITS];

/// A problem a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The check.
    pub check: Check,
    /// Where and what.
    pub diagnostic: Diagnostic,
}

impl Problem {
    /// A problem `check` found, where and what `diagnostic` says.
    pub fn new(check: Check, diagnostic: Diagnostic) -> Self {
        Problem { check, diagnostic }
    }
}

/// Lints the result of a strict load (every check but [`VERSION_BUMP`]). A load that failed gives
/// its problems as [`LOAD`] problems; any other error is a [`LOAD`] problem without a location.
pub fn lint(loaded: Result<KnowledgeBase, Error>) -> Vec<Problem> {
    let kb = match loaded {
        Ok(kb) => kb,
        Err(Error::KnowledgeBase(problems)) => return problems.into_iter().map(|d| Problem::new(LOAD, d)).collect(),
        Err(e) => return vec![Problem::new(LOAD, Diagnostic::file(std::path::Path::new("kb.yaml"), e.to_string()))],
    };
    lint_loaded(&kb)
}

/// Lints a knowledge base that loaded (every check but [`LOAD`] and [`VERSION_BUMP`]).
pub fn lint_loaded(kb: &KnowledgeBase) -> Vec<Problem> {
    let mut problems = Vec::new();
    let baselines = match kb.baselines() {
        Ok(baselines) => baselines,
        Err(Error::KnowledgeBase(p)) => {
            problems.extend(p.into_iter().map(|d| Problem::new(BASELINES, d)));
            crate::testing::Baselines::default()
        }
        Err(e) => {
            problems
                .push(Problem::new(BASELINES, Diagnostic::file(&kb.source.origin.join("baselines"), e.to_string())));
            crate::testing::Baselines::default()
        }
    };
    for r in kb.rules() {
        let file = kb.source.origin.join(&r.path);
        tests(r, &file, &mut problems);
        if r.rule.status == Status::Deprecated && r.rule.replaced_by.is_none() {
            problems.push(Problem::new(
                DEPRECATION,
                Diagnostic::spanned(&file, &r.rule.id, "a deprecated rule needs `replaced_by`"),
            ));
        }
        placeholders(kb, r, &file, &mut problems);
        if r.rule.covers.is_empty() {
            problems.push(Problem::new(
                COVERS_AND_REFERENCES,
                Diagnostic::spanned(&file, &r.rule.id, "`covers`: name the catalog cause(s) this rule detects"),
            ));
        }
        if r.rule.references.is_empty() {
            problems.push(Problem::new(
                COVERS_AND_REFERENCES,
                Diagnostic::spanned(&file, &r.rule.id, "`references`: cite the article(s) the rule implements"),
            ));
        }
    }
    within_limits(kb, &baselines, &mut problems);
    problems
}

fn tests(r: &CompiledRule, file: &std::path::Path, problems: &mut Vec<Problem>) {
    for outcome in [Outcome::Match, Outcome::Pass, Outcome::Inconclusive] {
        if !r.rule.tests.iter().any(|t| t.expect == outcome) {
            problems.push(Problem::new(
                TESTS,
                Diagnostic::spanned(
                    file,
                    &r.rule.id,
                    format!("`tests`: needs at least one `expect: {}` test", outcome.as_str()),
                ),
            ));
        }
    }
}

/// `TODO` in a rule's texts, located at the line of the file that holds it.
fn placeholders(kb: &KnowledgeBase, r: &CompiledRule, file: &std::path::Path, problems: &mut Vec<Problem>) {
    let rule = &r.rule;
    // Each text with the JSON pointer of its place in the rule file.
    let mut texts: Vec<(String, &str)> = vec![
        ("/title".into(), &rule.title),
        ("/symptom".into(), &rule.symptom),
        ("/cause".into(), &rule.cause),
        ("/resolution/summary".into(), &rule.resolution.summary),
    ];
    texts.extend(rule.resolution.steps.iter().enumerate().map(|(i, s)| (format!("/resolution/steps/{i}"), s.as_str())));
    texts.extend(rule.references.iter().enumerate().map(|(i, r)| (format!("/references/{i}/title"), r.title.as_str())));
    if let Some(message) = &rule.message {
        texts.push(("/message".into(), &message.value));
    }
    let mut locations = None;
    for (pointer, text) in texts {
        if !text.contains("TODO") {
            continue;
        }
        let locations = locations.get_or_insert_with(|| {
            crate::locate::YamlLocations::new(kb.source.get(&r.path.to_string_lossy()).map_or("", |f| f.text.as_str()))
        });
        let (line, column) = locations.locate(&pointer).unwrap_or((0, 0));
        let field = pointer.trim_start_matches('/').replace('/', ".");
        problems.push(Problem::new(
            PLACEHOLDERS,
            Diagnostic::at(file, line, column, format!("`{field}` still holds a `TODO` placeholder")),
        ));
    }
}

/// Each rule on each healthy baseline: an `error` (a sandbox limit, the deadline, a runtime error)
/// means the condition cannot be trusted to end within the limits.
fn within_limits(kb: &KnowledgeBase, baselines: &crate::testing::Baselines, problems: &mut Vec<Problem>) {
    for (name, value) in baselines {
        let origin = kb.source.origin.join("baselines").join(format!("{name}.json"));
        let Ok(snapshot) = Snapshot::from_value(value.clone(), &origin, kb.snapshot_schema()) else { continue };
        let report = kb.evaluate(&snapshot, &EvalOptions { include_all: true, ..EvalOptions::default() });
        for finding in report.all_findings() {
            if finding.outcome != Outcome::Error {
                continue;
            }
            let Some(r) = kb.rule(&finding.rule_id) else { continue };
            problems.push(Problem::new(
                WITHIN_LIMITS,
                Diagnostic::spanned(
                    &kb.source.origin.join(&r.path),
                    &r.rule.when,
                    format!("ends in `error` on the healthy baseline `{name}`: {}", finding.message),
                ),
            ));
        }
    }
}

/// [`VERSION_BUMP`]: a rule whose `when` or `applies_when` differs from its previous version must
/// have a higher `version`. `previous` gives a rule file's text at the base revision (its path
/// relative to the knowledge base, with `/`), `Ok(None)` when the file is new; its error (the base
/// cannot be read) is returned as is, so a comparison that cannot be made never passes.
pub fn version_bumps<E>(
    kb: &KnowledgeBase,
    base: &str,
    mut previous: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Vec<Problem>, E> {
    let mut problems = Vec::new();
    for r in kb.rules() {
        let relative = r.path.to_string_lossy().replace('\\', "/");
        let Some(old) = previous(&relative)? else { continue };
        let Ok(old) = serde_saphyr::from_str::<serde_json::Value>(&old) else { continue };
        let field = |k: &str| old.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let old_version = field("version").unwrap_or_default();
        let changed = field("when").as_deref() != Some(r.rule.when.value.as_str())
            || field("applies_when").as_deref() != r.rule.applies_when.as_ref().map(|a| a.value.as_str());
        let bumped = version::compare(&r.rule.version.value, &old_version).is_ok_and(std::cmp::Ordering::is_gt);
        if changed && !bumped {
            problems.push(Problem::new(
                VERSION_BUMP,
                Diagnostic::spanned(
                    &kb.source.origin.join(&r.path),
                    &r.rule.version,
                    format!(
                        "the condition changed since {base} but `version` is still {} (was {old_version})",
                        r.rule.version.value
                    ),
                ),
            ));
        }
    }
    Ok(problems)
}
