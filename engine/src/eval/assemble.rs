//! Assembling a report from judged rules: each judged rule's finding, the counts, the findings
//! left out by a rule file the lenient loader dropped, the `explains` nesting (each finding once,
//! under its first cause, referred to from the others) and the order.

use std::collections::{BTreeMap, HashMap};

use super::{EvalOptions, Judgement};
use crate::kb::{BrokenRule, CompiledRule, KnowledgeBase};
use crate::report::{Finding, REPORT_SCHEMA_VERSION, Report, SnapshotInfo, Summary};
use crate::rule::{Outcome, Resolution, Severity};
use crate::snapshot::Snapshot;

impl KnowledgeBase {
    /// The report's finding for one judged rule, with the rule's texts and the evidence it names.
    pub(super) fn finding(compiled: &CompiledRule, judgement: Judgement, snapshot: &Snapshot) -> Finding {
        let rule = &compiled.rule;
        Finding {
            rule_id: rule.id.value.clone(),
            rule_version: rule.version.value.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            covers: rule.covers.iter().map(|c| c.value.clone()).collect(),
            outcome: judgement.outcome,
            message: judgement.message.into_owned(),
            evidence: rule
                .evidence
                .iter()
                .map(|p| &p.value)
                .filter(|p| !judgement.not_decisive.contains(p))
                .filter_map(|p| snapshot.fact(p).map(|v| (p.clone(), v)))
                .collect(),
            missing: judgement.missing,
            affected: judgement.affected,
            explains: Vec::new(),
            also_explains: Vec::new(),
            resolution: rule.resolution.clone(),
            references: rule.references.clone(),
            waiver: None,
        }
    }

    /// Counts the outcomes, builds the findings a report keeps, nests explained findings under their
    /// causes and orders them.
    pub(super) fn assemble(
        &self,
        snapshot: &Snapshot,
        judged: Vec<(&CompiledRule, Judgement)>,
        options: &EvalOptions,
    ) -> Report {
        let mut summary = Summary { rules: judged.len(), ..Summary::default() };
        for outcome in Outcome::ALL {
            summary.outcomes.insert(outcome.as_str().into(), 0);
        }
        for severity in Severity::ALL {
            summary.severities.insert(severity.as_str().into(), 0);
        }
        for (rule, judgement) in &judged {
            // Every key was inserted above: count without allocating a key per rule.
            if let Some(n) = summary.outcomes.get_mut(judgement.outcome.as_str()) {
                *n += 1;
            }
            if judgement.outcome == Outcome::Match
                && let Some(n) = summary.severities.get_mut(rule.rule.severity.as_str())
            {
                *n += 1;
            }
        }
        let mut findings: Vec<Finding> = judged
            .into_iter()
            .filter(|(_, j)| options.include_all || !matches!(j.outcome, Outcome::Pass | Outcome::Skipped))
            .map(|(rule, judgement)| Self::finding(rule, judgement, snapshot))
            .collect();
        // Rule files the lenient loader left out: each is an `error` of its own.
        for broken in self.broken.iter().filter(|b| options.only.as_ref().is_none_or(|only| only.contains(&b.id))) {
            summary.rules += 1;
            if let Some(n) = summary.outcomes.get_mut(Outcome::Error.as_str()) {
                *n += 1;
            }
            findings.push(broken_finding(broken));
        }
        let matched: HashMap<&str, &Finding> =
            findings.iter().filter(|f| f.outcome == Outcome::Match).map(|f| (f.rule_id.as_str(), f)).collect();
        let edges: HashMap<&str, Vec<&str>> = matched
            .keys()
            .map(|id| {
                let targets = self.rule(id).map_or_else(Vec::new, |r| {
                    r.rule.explains.iter().map(|e| e.value.as_str()).filter(|t| matched.contains_key(t)).collect()
                });
                (*id, targets)
            })
            .collect();
        let mut top = nest_explained(&findings, &edges);
        drop(matched);
        top.extend(findings.into_iter().filter(|f| f.outcome != Outcome::Match).map(|f| (f, 0)));
        let findings = sort(&mut top);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            kb_version: self.version().to_owned(),
            engine_version: crate::kb::ENGINE_VERSION.to_owned(),
            snapshot: SnapshotInfo { host: self.host_name(snapshot), collected_at: snapshot.collected_at.to_string() },
            summary,
            findings,
            waivers: None,
        }
    }

    fn host_name(&self, snapshot: &Snapshot) -> Option<String> {
        self.manifest.host_facts.iter().find_map(|p| snapshot.fact(p).and_then(|v| v.as_str().map(str::to_owned)))
    }
}

/// The `error` finding a report shows for a rule file the lenient loader left out.
fn broken_finding(broken: &BrokenRule) -> Finding {
    let problems: Vec<String> = broken.problems.iter().map(ToString::to_string).collect();
    Finding {
        rule_id: broken.id.clone(),
        rule_version: broken.head.version.clone().unwrap_or_default(),
        title: broken.head.title.clone().unwrap_or_else(|| format!("rule file {}", broken.path.display())),
        severity: broken.head.severity.unwrap_or(Severity::Error),
        covers: Vec::new(),
        outcome: Outcome::Error,
        message: format!("the rule file could not be loaded, so this rule did not run: {}", problems.join("; ")),
        evidence: BTreeMap::new(),
        missing: Vec::new(),
        affected: None,
        explains: Vec::new(),
        also_explains: Vec::new(),
        resolution: Resolution {
            summary: "Fix the rule file: `syncdoctor rules lint` lists every problem with its line and column.".into(),
            steps: Vec::new(),
            commands: Vec::new(),
        },
        references: Vec::new(),
        waiver: None,
    }
}

/// Deepest nesting of explained findings in a report.
const MAX_NESTING: usize = 32;

/// Nests each matched finding once, under its first cause in report order, and lets every other
/// cause refer to it by id in `also_explains` (DESIGN §6: referred to, not copied). Linear in the
/// findings and edges apart from the transitive reduction, so a diamond-shaped `explains` graph
/// costs neither exponential time nor an exponentially large report.
fn nest_explained(findings: &[Finding], edges: &HashMap<&str, Vec<&str>>) -> Vec<(Finding, usize)> {
    let by_id: HashMap<&str, &Finding> =
        findings.iter().filter(|f| f.outcome == Outcome::Match).map(|f| (f.rule_id.as_str(), f)).collect();
    // Transitive reduction: a symptom another target of the same cause already explains is reached
    // through that target only.
    let direct: HashMap<&str, Vec<&str>> = edges
        .iter()
        .map(|(id, targets)| {
            let kept = targets.iter().filter(|t| !targets.iter().any(|o| o != *t && reaches(o, t, edges)));
            (*id, kept.copied().collect())
        })
        .collect();
    let mut depth: HashMap<&str, usize> = HashMap::new();
    for id in by_id.keys() {
        depth_of(id, &direct, &mut depth, &mut Vec::new());
    }
    let order = |ids: &mut Vec<&str>| {
        // Most severe first, then the deepest chain of causes, then by id.
        ids.sort_by_key(|id| {
            (by_id.get(id).map(|f| f.severity), std::cmp::Reverse(depth.get(id).copied().unwrap_or(0)), *id)
        });
    };
    let explained: std::collections::HashSet<&str> = direct.values().flatten().copied().collect();
    let mut roots: Vec<&str> = by_id.keys().copied().filter(|id| !explained.contains(id)).collect();
    order(&mut roots);
    // A cycle (only in a knowledge base loaded despite lint problems) has no root: its members are
    // placed as roots after the rest, so no match is ever dropped.
    let mut rest: Vec<&str> = by_id.keys().copied().filter(|id| explained.contains(id)).collect();
    order(&mut rest);
    roots.extend(rest);
    let mut placed = std::collections::HashSet::new();
    let mut top = Vec::new();
    for root in roots {
        if placed.insert(root) {
            top.push((place(root, &by_id, &direct, &order, &mut placed, 0), depth.get(root).copied().unwrap_or(0)));
        }
    }
    top
}

/// The finding `id` with the causes it explains nested (pre-order, so the first cause in report
/// order gets each shared symptom) and the already placed ones listed in `also_explains`.
fn place<'a>(
    id: &'a str,
    by_id: &HashMap<&'a str, &Finding>,
    direct: &HashMap<&'a str, Vec<&'a str>>,
    order: &dyn Fn(&mut Vec<&'a str>),
    placed: &mut std::collections::HashSet<&'a str>,
    level: usize,
) -> Finding {
    let mut finding = by_id[id].clone();
    if level >= MAX_NESTING {
        // Deeper symptoms stay unplaced and are listed at the top level, so the report's nesting
        // (and whatever walks it recursively) stays shallow.
        return finding;
    }
    let mut children = direct.get(id).cloned().unwrap_or_default();
    order(&mut children);
    for child in children {
        if placed.insert(child) {
            finding.explains.push(place(child, by_id, direct, order, placed, level + 1));
        } else {
            finding.also_explains.push(child.to_owned());
        }
    }
    finding.also_explains.sort_unstable();
    finding
}

/// The longest explains chain below `id` (memoised; an edge back into the current path counts as
/// no edge, so a cycle cannot recurse forever).
fn depth_of<'a>(
    id: &'a str,
    direct: &HashMap<&'a str, Vec<&'a str>>,
    memo: &mut HashMap<&'a str, usize>,
    path: &mut Vec<&'a str>,
) -> usize {
    if let Some(d) = memo.get(id) {
        return *d;
    }
    if path.contains(&id) {
        return 0;
    }
    path.push(id);
    let d = direct.get(id).into_iter().flatten().map(|c| depth_of(c, direct, memo, path) + 1).max().unwrap_or(0);
    path.pop();
    memo.insert(id, d);
    d
}

/// Whether `to` is reachable from `from` through explains edges between matched findings.
fn reaches(from: &str, to: &str, edges: &HashMap<&str, Vec<&str>>) -> bool {
    let mut stack = vec![from];
    let mut seen = std::collections::HashSet::new();
    while let Some(node) = stack.pop() {
        for next in edges.get(node).into_iter().flatten() {
            if *next == to {
                return true;
            }
            if seen.insert(*next) {
                stack.push(next);
            }
        }
    }
    false
}

/// Orders findings by severity, then deeper causes first, then id.
fn sort(items: &mut Vec<(Finding, usize)>) -> Vec<Finding> {
    items.sort_by(|(a, da), (b, db)| a.severity.cmp(&b.severity).then(db.cmp(da)).then(a.rule_id.cmp(&b.rule_id)));
    items.drain(..).map(|(f, _)| f).collect()
}
