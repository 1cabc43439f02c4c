//! Evaluation: one pure function of (knowledge base, snapshot, options) to a report.

mod assemble;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::time::{Duration, Instant};

use rhai::{AST, Dynamic, EvalAltResult};
use serde_json::Value;

use crate::facts::context::{self, SnapshotScope};
use crate::facts::handle::{Fact, NullFact, dynamic_to_json};
use crate::kb::{CompiledRule, KnowledgeBase, scope_template};
use crate::report::{Affected, Finding, MAX_AFFECTED_ITEMS, Report};
use crate::rule::Outcome;
use crate::runtime::Runtime;
use crate::snapshot::Snapshot;

/// What to evaluate and what to keep.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Keep `pass` and `skipped` findings in the report too.
    pub include_all: bool,
    /// Evaluate only these rule ids (all rules when `None`).
    pub only: Option<Vec<String>>,
    /// Run every condition in Rhai, never on the native fast path (for comparing the two; the
    /// outcomes are the same either way).
    pub interpret_only: bool,
}

/// Where an evaluation is (see [`KnowledgeBase::evaluate_with_progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// Rules already judged.
    pub done: usize,
    /// Rules selected for this evaluation.
    pub total: usize,
    /// The rule about to run.
    pub rule_id: &'a str,
}

/// The number of fact-tree nodes from which a snapshot's rules are judged on several threads (a
/// 200,000-user directory has millions; a Connect server's snapshot, a few hundred): below it,
/// starting threads costs more than it saves.
pub const PARALLEL_NODES: usize = 100_000;

/// How long one rule took (see [`KnowledgeBase::evaluate_profiled`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RuleTiming {
    /// The rule.
    pub rule_id: String,
    /// Wall time of its conditions and message.
    pub elapsed: Duration,
    /// Rhai operations its conditions and message performed (the unit of the sandbox's
    /// `max_operations`; native helpers count as one call each, whatever their work).
    pub operations: u64,
    /// Whether a condition of the rule was decided on the native fast path.
    pub native: bool,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Outcome of one condition run.
pub(crate) enum Verdict {
    Value(Dynamic),
    /// Affected items the native fast path found (a `when` only).
    Items(Affected),
    Inconclusive(Vec<String>),
    Failed(String),
}

impl KnowledgeBase {
    /// Evaluates every rule against a snapshot.
    ///
    /// ```
    /// # use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions, Snapshot, EvalOptions, Outcome};
    /// # use std::path::Path;
    /// let source = KbSource::from_files("<doc>", [
    ///     ("kb.yaml", "name: demo\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
    ///     ("catalog.yaml", "entries: [{slug: svc-stopped}]\n"),
    ///     ("svc/svc-stopped.yaml", "id: svc-stopped\nversion: 1.0.0\nstatus: stable\ntitle: Service stopped\n\
    ///        severity: critical\ncovers: [svc-stopped]\nsymptom: s\ncause: c\n\
    ///        when: facts.svc.state != \"Running\"\nresolution: {summary: Start it}\n"),
    /// ]);
    /// let kb = KnowledgeBase::load(source, LoadOptions::default())?;   // compile once…
    /// for state in ["Running", "Stopped"] {                              // …evaluate many
    ///     let json = format!(r#"{{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z",
    ///         "collector":{{"name":"doc","version":"1"}},"probes":[],"facts":{{"svc":{{"state":"{state}"}}}}}}"#);
    ///     let snapshot = Snapshot::from_text(&json, Path::new("doc.json"), None)?;
    ///     let report = kb.evaluate(&snapshot, &EvalOptions::default());
    ///     assert_eq!(report.findings.len(), usize::from(state == "Stopped"));
    /// }
    /// // An absent fact never matches: the rule is inconclusive and names what is missing.
    /// let json = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z",
    ///     "collector":{"name":"doc","version":"1"},"probes":[],"facts":{}}"#;
    /// let report = kb.evaluate(&Snapshot::from_text(json, Path::new("doc.json"), None)?, &EvalOptions::default());
    /// assert_eq!(report.findings[0].outcome, Outcome::Inconclusive);
    /// assert_eq!(report.findings[0].missing, ["facts.svc"]);
    /// # Ok::<(), syncdoctor_engine::Error>(())
    /// ```
    pub fn evaluate(&self, snapshot: &Snapshot, options: &EvalOptions) -> Report {
        self.run_all(snapshot, options, None, &mut |_| {})
    }

    /// Like [`evaluate`](Self::evaluate), also returning each rule's timing.
    pub fn evaluate_profiled(&self, snapshot: &Snapshot, options: &EvalOptions) -> (Report, Vec<RuleTiming>) {
        self.evaluate_with_progress(snapshot, options, &mut |_| {})
    }

    /// Like [`evaluate_profiled`](Self::evaluate_profiled), calling `progress` before each selected
    /// rule runs (for a progress line on a large snapshot, where one rule can take seconds).
    pub fn evaluate_with_progress(
        &self,
        snapshot: &Snapshot,
        options: &EvalOptions,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> (Report, Vec<RuleTiming>) {
        let mut timings = Vec::with_capacity(self.rules.len());
        let report = self.run_all(snapshot, options, Some(&mut timings), progress);
        (report, timings)
    }

    /// Judges the selected rules and assembles the report; times each rule only when asked to. A
    /// large snapshot's rules are shared out among threads ([`PARALLEL_NODES`]); each rule is
    /// judged alone either way, so the report is the same.
    fn run_all(
        &self,
        snapshot: &Snapshot,
        options: &EvalOptions,
        timings: Option<&mut Vec<RuleTiming>>,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Report {
        let selected: Vec<&CompiledRule> = self
            .rules
            .iter()
            .filter(|r| options.only.as_ref().is_none_or(|only| only.iter().any(|id| id == r.id())))
            .collect();
        let total = selected.len();
        let timed = timings.is_some();
        let next = AtomicUsize::new(0);
        // One worker: takes the next rule until none is left, in a runtime of its own.
        let work = |report: &mut dyn FnMut(usize, &CompiledRule)| {
            let _installed = SnapshotScope::enter(Arc::clone(snapshot.facts()), snapshot.collected_at, false);
            let mut runtime = self.runtime_for(snapshot);
            runtime.fast_path = !options.interpret_only;
            let mut judged = Vec::new();
            loop {
                let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                let Some(rule) = selected.get(i) else { break };
                report(i, rule);
                judged.push((i, self.judge_timed(rule, snapshot, &mut runtime, timed)));
            }
            judged
        };
        let mut report = |done: usize, rule: &CompiledRule| progress(Progress { done, total, rule_id: rule.id() });
        let workers =
            if snapshot.facts().len() >= PARALLEL_NODES { rayon::current_num_threads().min(total).max(1) } else { 1 };
        let mut judged = if workers > 1 {
            std::thread::scope(|s| {
                let helpers: Vec<_> = (1..workers).map(|_| s.spawn(|| work(&mut |_, _| {}))).collect();
                let mut judged = work(&mut report);
                for helper in helpers {
                    match helper.join() {
                        Ok(more) => judged.extend(more),
                        // A panic while judging a rule surfaces as it would on one thread.
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                judged
            })
        } else {
            work(&mut report)
        };
        judged.sort_by_key(|(i, _)| *i);
        let mut kept = Vec::with_capacity(judged.len());
        let mut times = Vec::new();
        for (i, (judgement, timing)) in judged {
            times.extend(timing);
            if let Some(rule) = selected.get(i) {
                kept.push((*rule, judgement));
            }
        }
        if let Some(timings) = timings {
            timings.extend(times);
        }
        self.assemble(snapshot, kept, options)
    }

    /// [`judge`](Self::judge), with how long it took when `timed`.
    fn judge_timed(
        &self,
        rule: &CompiledRule,
        snapshot: &Snapshot,
        runtime: &mut Runtime,
        timed: bool,
    ) -> (Judgement, Option<RuleTiming>) {
        let started = timed.then(Instant::now);
        let judgement = self.judge(rule, snapshot, runtime);
        let timing = started.map(|started| {
            let (operations, native) = runtime.take_operations();
            RuleTiming {
                rule_id: rule.id().to_owned(),
                elapsed: started.elapsed(),
                operations,
                native,
                outcome: judgement.outcome,
            }
        });
        (judgement, timing)
    }

    /// Evaluates one rule (for rule tests and `explain`).
    pub fn evaluate_rule(&self, id: &str, snapshot: &Snapshot) -> Option<Finding> {
        let rule = self.rule(id)?;
        let _installed = SnapshotScope::enter(Arc::clone(snapshot.facts()), snapshot.collected_at, false);
        let mut runtime = self.runtime_for(snapshot);
        Some(self.run_rule(rule, snapshot, &mut runtime))
    }

    /// The Rhai runtime for one snapshot: `facts` and `data` in scope, caches shared by its rules.
    pub(crate) fn runtime_for(&self, snapshot: &Snapshot) -> Runtime {
        let mut scope = scope_template();
        scope.set_value("facts", Fact::root(Arc::clone(snapshot.facts())));
        scope.set_value("data", Fact::root(Arc::clone(&self.data)));
        Runtime::new(&self.engine, self.id, scope, snapshot.facts().len())
    }

    /// Runs a condition: on the native fast path when it has one and it can decide, else in Rhai.
    fn run_condition(
        &self,
        ast: &AST,
        fast: Option<&crate::fast_path::Program>,
        snapshot: &Snapshot,
        runtime: &mut Runtime,
        items_allowed: bool,
    ) -> Verdict {
        use crate::fast_path::Decision;
        if let Some(program) = fast.filter(|_| runtime.fast_path) {
            let cx = crate::fast_path::Context {
                facts: snapshot.facts(),
                data: &self.data,
                engine: &self.engine,
                ast,
                limits: &self.manifest.limits,
            };
            let decided = match program.run(&cx) {
                Ok(Decision::Bool(b)) => Some(b),
                // No affected items: the pass a `when` would give for `false` too.
                Ok(Decision::NoItems) if items_allowed => Some(false),
                Ok(Decision::Items(count, items)) if items_allowed => {
                    runtime.native_decisions += 1;
                    return Verdict::Items(Affected { count, items });
                }
                _ => None,
            };
            if let Some(b) = decided {
                runtime.native_decisions += 1;
                return Verdict::Value(Dynamic::from(b));
            }
        }
        self.run_ast(ast, runtime)
    }

    pub(crate) fn run_ast(&self, ast: &AST, runtime: &mut Runtime) -> Verdict {
        context::reset_reads();
        let result = runtime.run(&self.engine, ast);
        let reads = context::take_reads();
        match result {
            Ok(v) if v.is::<NullFact>() => Verdict::Inconclusive(reads.nulls),
            Ok(v) => Verdict::Value(v),
            Err(e) => {
                let mut unknown = reads.missing;
                unknown.extend(reads.nulls);
                if unknown.is_empty() {
                    Verdict::Failed(describe_error(&e, &self.manifest.limits))
                } else {
                    unknown.dedup();
                    Verdict::Inconclusive(unknown)
                }
            }
        }
    }

    /// Runs one rule into a full finding, evidence included, whatever its outcome.
    pub(crate) fn run_rule(&self, compiled: &CompiledRule, snapshot: &Snapshot, runtime: &mut Runtime) -> Finding {
        let judgement = self.judge(compiled, snapshot, runtime);
        Self::finding(compiled, judgement, snapshot)
    }

    /// Decides one rule's outcome. Only what the outcome needs is computed here; the rest of a
    /// [`Finding`] (texts, evidence) is built by [`finding`](Self::finding) for the findings a report keeps.
    fn judge(&self, compiled: &CompiledRule, snapshot: &Snapshot, runtime: &mut Runtime) -> Judgement {
        let rule = &compiled.rule;
        if let Some(reason) = product_mismatch(&rule.products, snapshot) {
            return Judgement::new(Outcome::Skipped, reason);
        }
        if let Some(condition) = &compiled.applies_when {
            match self.run_condition(&condition.ast, condition.fast.as_ref(), snapshot, runtime, false) {
                Verdict::Value(v) if v.as_bool() == Ok(false) => {
                    return Judgement::new(Outcome::Skipped, "applies_when is false for this snapshot");
                }
                Verdict::Value(v) if v.as_bool() == Ok(true) => {}
                Verdict::Value(v) => {
                    let why =
                        format!("applies_when returned {}, expected a bool", self.engine.map_type_name(v.type_name()));
                    return Judgement::new(Outcome::Error, why);
                }
                Verdict::Inconclusive(missing) => return Judgement::inconclusive(missing),
                Verdict::Failed(why) => return Judgement::new(Outcome::Error, format!("applies_when failed: {why}")),
                // Not asked for (`items_allowed` is false for `applies_when`).
                Verdict::Items(_) => {
                    return Judgement::new(Outcome::Error, "applies_when returned items, expected a bool");
                }
            }
        }
        let matched = match self.run_condition(&compiled.when.ast, compiled.when.fast.as_ref(), snapshot, runtime, true)
        {
            Verdict::Inconclusive(missing) => return Judgement::inconclusive(missing),
            Verdict::Failed(why) => return Judgement::new(Outcome::Error, why),
            Verdict::Items(affected) => Ok((affected.count > 0).then_some(Some(affected))),
            Verdict::Value(v) => classify(&v, &self.engine),
        };
        match matched {
            Ok(None) => Judgement::new(Outcome::Pass, "no problem found"),
            Ok(Some(affected)) => Judgement {
                affected,
                not_decisive: self.not_decisive_evidence(compiled, snapshot, runtime),
                ..Judgement::new(Outcome::Match, self.message(compiled, runtime))
            },
            Err(why) => Judgement::new(Outcome::Error, why),
        }
    }

    /// The boolean evidence facts that did not make a matched rule match. Fact `f` made it match
    /// when, for some set `S` of the other boolean evidence facts, the condition matches with `S`
    /// read the other way and stops matching when `f` is turned too: so `!a || !b` with `a`
    /// false and `b` true keeps `a` and drops `b`, and `a || b` with both true keeps both. Every
    /// combination is tried (at most [`MAX_COUNTERFACTUAL_FACTS`] facts; with more, all are
    /// kept). A fact no condition read through the fact accessor (a helper that scans the tree
    /// itself) is kept, as nothing is known of it.
    fn not_decisive_evidence(
        &self,
        compiled: &CompiledRule,
        snapshot: &Snapshot,
        runtime: &mut Runtime,
    ) -> Vec<String> {
        let facts = snapshot.facts();
        let booleans: Vec<(&String, crate::facts::tree::NodeId)> = compiled
            .rule
            .evidence
            .iter()
            .filter_map(|path| facts.lookup(facts.root(), &path.value).map(|id| (&path.value, id)))
            .filter(|(_, id)| matches!(facts.node(*id), crate::facts::tree::Node::Bool(_)))
            .collect();
        if booleans.is_empty() || booleans.len() > MAX_COUNTERFACTUAL_FACTS {
            return Vec::new();
        }
        // matches[mask]: whether the condition matches with the facts in `mask` read inverted.
        let mut matches = vec![true; 1 << booleans.len()];
        let mut seen = Vec::new();
        for (mask, slot) in matches.iter_mut().enumerate().skip(1) {
            let ids: Vec<_> =
                booleans.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, b)| b.1).collect();
            context::flip(&ids);
            let verdict = self.run_ast(&compiled.when.ast, runtime);
            seen.extend(context::unflip());
            *slot = matches!(&verdict, Verdict::Value(v) if matches!(classify(v, &self.engine), Ok(Some(_))));
        }
        booleans
            .iter()
            .enumerate()
            .filter(|(i, (_, id))| {
                let bit = 1 << i;
                let decisive = (0..matches.len()).any(|mask| {
                    mask & bit == 0 && matches.get(mask) == Some(&true) && matches.get(mask | bit) == Some(&false)
                });
                seen.contains(id) && !decisive
            })
            .map(|(_, (path, _))| (*path).clone())
            .collect()
    }

    fn message(&self, compiled: &CompiledRule, runtime: &mut Runtime) -> String {
        let Some(message) = &compiled.message else {
            return compiled.rule.title.clone();
        };
        match self.run_ast(&message.ast, runtime) {
            Verdict::Value(v) => {
                v.into_immutable_string().map_or_else(|_| compiled.rule.title.clone(), |s| s.to_string())
            }
            Verdict::Inconclusive(missing) => format!("{} (message needs {})", compiled.rule.title, missing.join(", ")),
            Verdict::Failed(why) => format!("{} (message failed: {why})", compiled.rule.title),
            // Only a fast-path `when` gives items; a message runs in Rhai.
            Verdict::Items(_) => compiled.rule.title.clone(),
        }
    }
}

/// One rule's outcome and what goes with it, before it becomes a report's [`Finding`].
/// Most boolean evidence facts of one rule whose every combination is tried to find which made
/// the rule match (2^n evaluations of a matched rule's condition).
const MAX_COUNTERFACTUAL_FACTS: usize = 6;

pub(crate) struct Judgement {
    pub(super) outcome: Outcome,
    pub(super) message: Cow<'static, str>,
    pub(super) missing: Vec<String>,
    pub(super) affected: Option<Affected>,
    /// Boolean evidence facts that did not make the rule match (left out of its evidence).
    pub(super) not_decisive: Vec<String>,
}

impl Judgement {
    fn new(outcome: Outcome, message: impl Into<Cow<'static, str>>) -> Self {
        Judgement { outcome, message: message.into(), missing: Vec::new(), affected: None, not_decisive: Vec::new() }
    }

    fn inconclusive(missing: Vec<String>) -> Self {
        let message = format!("not evaluated: needs {}", missing.join(", "));
        Judgement { missing, ..Judgement::new(Outcome::Inconclusive, message) }
    }
}

/// `Ok(None)`: pass; `Ok(Some(affected))`: match (with affected items for a list result).
fn classify(value: &Dynamic, engine: &rhai::Engine) -> Result<Option<Option<Affected>>, String> {
    if let Ok(b) = value.as_bool() {
        return Ok(b.then_some(None));
    }
    let items: Vec<Value> = if let Some(array) = value.read_lock::<rhai::Array>() {
        array.iter().take(MAX_AFFECTED_ITEMS).map(dynamic_to_json).collect()
    } else if let Some(fact) = value.read_lock::<Fact>().filter(|f| f.is_list()) {
        fact.tree.items(fact.id).iter().take(MAX_AFFECTED_ITEMS).map(|id| fact.tree.to_value(*id)).collect()
    } else {
        return Err(format!(
            "`when` returned {}, expected a bool or an array of affected items",
            engine.map_type_name(value.type_name())
        ));
    };
    let count = if let Some(array) = value.read_lock::<rhai::Array>() {
        array.len()
    } else {
        value.read_lock::<Fact>().map_or(0, |f| f.tree.items(f.id).len())
    };
    Ok((count > 0).then_some(Some(Affected { count, items })))
}

fn product_mismatch(products: &[crate::rule::Located<String>], snapshot: &Snapshot) -> Option<String> {
    if products.is_empty() {
        return None;
    }
    let tree = snapshot.facts();
    let id = tree.lookup(tree.root(), "products")?;
    let present: Vec<String> = tree.items(id).iter().filter_map(|c| tree.str(*c).map(str::to_owned)).collect();
    if products.iter().any(|p| present.contains(&p.value)) {
        return None;
    }
    let names: Vec<&str> = products.iter().map(|p| p.value.as_str()).collect();
    Some(format!(
        "applies to {}; this snapshot is {}",
        names.join(", "),
        if present.is_empty() { "no known product".into() } else { present.join(", ") }
    ))
}

fn describe_error(e: &EvalAltResult, limits: &crate::sandbox::Limits) -> String {
    match e {
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("sandbox limit: more than {} operations (runaway loop?)", limits.max_operations)
        }
        EvalAltResult::ErrorTerminated(mark, _)
            if mark
                .read_lock::<rhai::ImmutableString>()
                .is_some_and(|m| m.as_str() == crate::sandbox::DEADLINE_MARK) =>
        {
            match crate::sandbox::DeadlineAllowance::current() {
                1 => format!("sandbox limit: ran longer than the {} ms deadline", limits.deadline_ms),
                n => format!(
                    "sandbox limit: ran longer than its {} ms deadline ({} ms for each million fact nodes)",
                    limits.deadline_ms.saturating_mul(u64::from(n)),
                    limits.deadline_ms
                ),
            }
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("sandbox limit: function calls nested deeper than {}", limits.max_call_levels)
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => format!("sandbox limit: {what} too large"),
        EvalAltResult::ErrorTooManyVariables(_) => {
            format!("sandbox limit: more than {} variables", limits.max_variables)
        }
        other => other.to_string(),
    }
}
