//! Mutation testing of rules: how much of each condition its tests pin.
//!
//! Each compiled condition (`when`, and `applies_when`) is changed in one place at a time — a
//! comparison flipped or weakened (`>`↔`>=`, `<`↔`<=`, `==`↔`!=`), a term negated, one operand of
//! an `&&`/`||` dropped, a numeric constant shifted to the boundary and past it (n−1, n+1, 0), a
//! string constant emptied or a number inside it shifted, a `true`/`false` flipped. The sites come
//! from Rhai's AST (`AST::walk`). Each mutant is recompiled in the knowledge base's own sandbox
//! and judged by the rule's own tests (its `tests:` and the healthy-baseline checks of
//! [`KnowledgeBase::run_tests`]):
//!
//! * **killed** — some test's outcome differs from its expectation: the tests notice the change;
//! * **survived** — every test still passes: the change is not pinned by any test (a test to
//!   write, or a clause that decides nothing);
//! * **invalid** — the mutant does not compile; it is listed but not counted.
//!
//! The score is killed / (killed + survived). Mutants run in Rhai only (the reference semantics,
//! never the native fast path), each with its own function-resolution cache. Rules are mutated in
//! parallel (rayon); everything else is deterministic, so the same knowledge base gives the same
//! report.

mod sites;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use rhai::AST;
use serde::Serialize;

use crate::condition::CompiledCondition;
use crate::error::Error;
use crate::facts::context::SnapshotScope;
use crate::facts::handle::Fact;
use crate::kb::{CompiledRule, KnowledgeBase, scope_template};
use crate::rule::{Located, Outcome};
use crate::runtime::{Runtime, next_kb_id};
use crate::snapshot::Snapshot;

/// What happened to one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MutantStatus {
    /// A test failed on the mutant.
    Killed,
    /// Every test passed on the mutant.
    Survived,
    /// The mutant does not compile (not counted in the score).
    Invalid,
}

/// One mutant of a rule's condition.
#[derive(Debug, Clone, Serialize)]
pub struct Mutant {
    /// The mutated field: `when` or `applies_when`.
    pub field: String,
    /// The kind of change: `comparison`, `negate`, `drop-operand`, `number`, `string` or `bool`.
    pub kind: String,
    /// Line of the change in the rule file (1-based).
    pub line: u64,
    /// Column of the change in the rule file (1-based).
    pub column: u64,
    /// The text that was replaced.
    pub original: String,
    /// The text put in its place (empty when something was dropped).
    pub mutated: String,
    /// What the rule's tests made of it.
    pub status: MutantStatus,
    /// The first test that failed on the mutant (killed), or why it did not compile (invalid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Counts of mutants by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Every mutant, invalid ones included.
    pub mutants: usize,
    /// Mutants a test noticed.
    pub killed: usize,
    /// Mutants no test noticed.
    pub survived: usize,
    /// Mutants that do not compile.
    pub invalid: usize,
}

impl Counts {
    /// Killed / (killed + survived), in percent; `None` when no mutant counts.
    pub fn score(&self) -> Option<f64> {
        let counted = self.killed + self.survived;
        (counted > 0).then(|| self.killed as f64 * 100.0 / counted as f64)
    }

    fn add(&mut self, other: &Counts) {
        self.mutants += other.mutants;
        self.killed += other.killed;
        self.survived += other.survived;
        self.invalid += other.invalid;
    }
}

/// The mutants of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMutants {
    /// The rule.
    pub rule_id: String,
    /// Its file (as the knowledge base shows it).
    pub file: PathBuf,
    /// Mutants by status.
    pub counts: Counts,
    /// Killed / (killed + survived) in percent (`null` when no mutant counts).
    pub score: Option<f64>,
    /// Why the rule was not mutated: its tests do not all pass as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every mutant, in file order.
    pub mutants: Vec<Mutant>,
}

/// The result of [`KnowledgeBase::mutate`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct MutationReport {
    /// Mutants of the whole run.
    pub counts: Counts,
    /// Killed / (killed + survived) in percent over the run (`null` when no mutant counts).
    pub score: Option<f64>,
    /// Rules whose tests fail as written (their mutants mean nothing, so none were run).
    pub rules_not_mutated: usize,
    /// Per rule, sorted by id.
    pub rules: Vec<RuleMutants>,
}

/// One prepared test: a snapshot and what the rule must give on it.
struct Case {
    name: String,
    snapshot: Snapshot,
    expect: Expect,
}

enum Expect {
    /// A rule test: this outcome (and this many affected items, when given).
    Outcome(Outcome, Option<usize>),
    /// A healthy-baseline check: no error, and no match unless the manifest allows it.
    Healthy { match_allowed: bool },
}

impl Expect {
    fn holds(&self, outcome: Outcome, affected: usize) -> bool {
        match self {
            Expect::Outcome(expected, count) => outcome == *expected && count.is_none_or(|n| n == affected),
            Expect::Healthy { match_allowed } => {
                outcome != Outcome::Error && (*match_allowed || outcome != Outcome::Match)
            }
        }
    }
}

impl KnowledgeBase {
    /// Mutates the conditions of the selected rules (all when `ids` is empty) and runs each
    /// rule's tests against each mutant. Ids that name no rule select nothing (check them with
    /// [`rule`](Self::rule) first). Fails only when the healthy baselines cannot be read.
    pub fn mutate(&self, ids: &[String]) -> Result<MutationReport, Error> {
        let baselines = self.baselines()?;
        let variants = self.healthy_variants(&baselines);
        let selected: Vec<&CompiledRule> =
            self.rules().iter().filter(|r| ids.is_empty() || ids.iter().any(|id| id == r.id())).collect();
        let rules: Vec<RuleMutants> = selected
            .par_iter()
            .map(|rule| {
                let mut cases = Vec::new();
                let mut setup = Vec::new();
                let mut baseline = None;
                for test in &rule.rule.tests {
                    baseline = test
                        .baseline
                        .clone()
                        .or(baseline)
                        .or_else(|| crate::testing::default_baseline(rule, &baselines));
                    match crate::testing::build_test_snapshot(self, rule, test, baseline.as_deref(), &baselines) {
                        Ok(snapshot) => cases.push(Case {
                            name: test.name.clone(),
                            snapshot,
                            expect: Expect::Outcome(test.expect, test.affected),
                        }),
                        Err(why) => setup.push(format!("test `{}`: {why}", test.name)),
                    }
                }
                for variant in &variants {
                    match &variant.snapshot {
                        Ok(snapshot) => cases.push(Case {
                            name: variant.label.clone(),
                            snapshot: snapshot.clone(),
                            expect: Expect::Healthy {
                                match_allowed: self
                                    .manifest
                                    .baseline_matches
                                    .get(&variant.baseline)
                                    .is_some_and(|ids| ids.iter().any(|i| i == rule.id())),
                            },
                        }),
                        Err(why) => setup.push(format!("{}: {why}", variant.label)),
                    }
                }
                self.mutate_rule(rule, &cases, setup)
            })
            .collect();
        let mut counts = Counts::default();
        for r in &rules {
            counts.add(&r.counts);
        }
        Ok(MutationReport {
            counts,
            score: counts.score(),
            rules_not_mutated: rules.iter().filter(|r| r.error.is_some()).count(),
            rules,
        })
    }

    fn mutate_rule(&self, rule: &CompiledRule, cases: &[Case], setup: Vec<String>) -> RuleMutants {
        let file = self.source.origin.join(&rule.path);
        let mut out = RuleMutants {
            rule_id: rule.id().to_owned(),
            file,
            counts: Counts::default(),
            score: None,
            error: None,
            mutants: Vec::new(),
        };
        let failing: Vec<String> = setup
            .into_iter()
            .chain(cases.iter().filter_map(|c| self.first_failure(rule, std::slice::from_ref(c), next_kb_id())))
            .collect();
        if !failing.is_empty() {
            out.error = Some(format!("its tests do not all pass as written: {}", failing.join("; ")));
            return out;
        }
        let file_text = self.source.get(&rule.path.to_string_lossy()).map_or("", |f| f.text.as_str());
        let fields = [
            Some(("when", &rule.rule.when, &rule.when)),
            rule.rule.applies_when.as_ref().zip(rule.applies_when.as_ref()).map(|(l, a)| ("applies_when", l, a)),
        ];
        for (field, located, ast) in fields.into_iter().flatten() {
            out.mutants.extend(self.mutate_field(rule, cases, field, located, &ast.ast, file_text));
        }
        out.mutants.sort_by_key(|m| (m.line, m.column));
        for m in &out.mutants {
            out.counts.mutants += 1;
            match m.status {
                MutantStatus::Killed => out.counts.killed += 1,
                MutantStatus::Survived => out.counts.survived += 1,
                MutantStatus::Invalid => out.counts.invalid += 1,
            }
        }
        out.score = out.counts.score();
        out
    }

    fn mutate_field(
        &self,
        rule: &CompiledRule,
        cases: &[Case],
        field: &str,
        located: &Located<String>,
        ast: &AST,
        file_text: &str,
    ) -> Vec<Mutant> {
        let src = located.value.as_str();
        let lines = sites::LineIndex::new(src);
        let mut out = Vec::new();
        for splice in sites::splices(ast, src) {
            let (line, column) = crate::kb::position_in_file(file_text, located, lines.position(splice.start));
            let text = splice.apply(src);
            let (status, detail) = match self.engine.compile_with_scope(&scope_template(), &text) {
                Err(e) => (MutantStatus::Invalid, Some(format!("does not compile: {}", e.err_type()))),
                Ok(mutant_ast) => {
                    let mutant = mutant_rule(rule, field, mutant_ast);
                    match self.first_failure(&mutant, cases, next_kb_id()) {
                        Some(test) => (MutantStatus::Killed, Some(test)),
                        None => (MutantStatus::Survived, None),
                    }
                }
            };
            out.push(Mutant {
                field: field.to_owned(),
                kind: splice.kind.to_owned(),
                line,
                column,
                original: src.get(splice.start..splice.end).unwrap_or("").to_owned(),
                mutated: splice.replacement,
                status,
                detail,
            });
        }
        out
    }

    /// The name of the first case whose expectation the rule does not meet.
    fn first_failure(&self, rule: &CompiledRule, cases: &[Case], cache_id: u64) -> Option<String> {
        cases.iter().find_map(|case| {
            let _installed = SnapshotScope::enter(Arc::clone(case.snapshot.facts()), case.snapshot.collected_at, false);
            let mut scope = scope_template();
            scope.set_value("facts", Fact::root(Arc::clone(case.snapshot.facts())));
            scope.set_value("data", Fact::root(Arc::clone(&self.data)));
            let mut runtime = Runtime::new(&self.engine, cache_id, scope, case.snapshot.facts().len());
            runtime.fast_path = false;
            let finding = self.run_rule(rule, &case.snapshot, &mut runtime);
            let affected = finding.affected.as_ref().map_or(0, |a| a.count);
            (!case.expect.holds(finding.outcome, affected)).then(|| case.name.clone())
        })
    }
}

/// The rule with one condition replaced by a mutant (run in Rhai only).
fn mutant_rule(rule: &CompiledRule, field: &str, ast: AST) -> CompiledRule {
    let mutant = CompiledCondition::new(ast, None, 0);
    let (when, applies_when) = if field == "when" {
        (mutant, rule.applies_when.as_ref().map(CompiledCondition::interpreted_copy))
    } else {
        (rule.when.interpreted_copy(), Some(mutant))
    };
    CompiledRule {
        rule: rule.rule.clone(),
        area: rule.area.clone(),
        path: rule.path.clone(),
        applies_when,
        when,
        message: rule.message.as_ref().map(CompiledCondition::interpreted_copy),
    }
}
