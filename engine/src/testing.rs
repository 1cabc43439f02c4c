//! Rule tests: each rule's `tests:` (a healthy baseline, a JSON merge patch, `set` and `remove`, an
//! expected outcome), plus the checks every rule must pass on every healthy baseline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::fact_path::{FactPath, Segment};
use crate::kb::{CompiledRule, KnowledgeBase};
use crate::report::Finding;
use crate::rule::{Outcome, RuleTest};
use crate::snapshot::Snapshot;
use crate::variants::{IncidentFile, Loaded};

/// The result of one rule test.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestResult {
    /// The rule.
    pub rule_id: String,
    /// The test's name (implicit tests are named `healthy baseline <name>`).
    pub name: String,
    /// What was expected.
    pub expected: String,
    /// The finding the rule produced (`None` when the test could not be set up).
    pub finding: Option<Finding>,
    /// Whether the test passed.
    pub passed: bool,
    /// Why it failed, when it did.
    pub failure: Option<String>,
    /// The snapshot the rule ran on (to explain a failure).
    pub snapshot: Option<Snapshot>,
}

pub use crate::variants::Baselines;

impl KnowledgeBase {
    /// The healthy baselines shipped with the knowledge base.
    pub fn baselines(&self) -> Result<Baselines, Error> {
        let mut out = Baselines::new();
        let mut problems = Vec::new();
        let is_baseline = |p: &Path| {
            p.extension().is_some_and(|e| e == "json") && p.parent().is_some_and(|d| d == Path::new("baselines"))
        };
        for file in self.source.files.iter().filter(|f| is_baseline(&f.path)) {
            let name = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let shown = self.source.display_path(file);
            match Snapshot::from_text(&file.text, &shown, self.snapshot_schema()) {
                Ok(_) => {
                    if let Ok(v) = serde_json::from_str::<Value>(&file.text) {
                        out.insert(name, v);
                    }
                }
                Err(Error::Snapshot(d)) => problems.extend(d),
                Err(e) => problems.push(Diagnostic::file(&shown, e.to_string())),
            }
        }
        if problems.is_empty()
            && let Err(p) = self.corpus(&out)
        {
            problems.extend(p);
        }
        if problems.is_empty() { Ok(out) } else { Err(Error::KnowledgeBase(problems)) }
    }

    /// Runs the tests of the selected rules (all when `ids` is empty), the healthy-baseline and
    /// healthy-variant checks, and the incidents' expectations about the selected rules.
    pub fn run_tests(&self, baselines: &Baselines, ids: &[String]) -> Vec<TestResult> {
        let selected = self.rules().iter().filter(|r| ids.is_empty() || ids.iter().any(|id| id == r.id()));
        let variants = self.healthy_variants(baselines);
        let mut results = Vec::new();
        for rule in selected {
            let mut baseline = None;
            for test in &rule.rule.tests {
                baseline = test.baseline.clone().or(baseline).or_else(|| default_baseline(rule, baselines));
                results.push(self.run_test(rule, test, baseline.as_deref(), baselines));
            }
            results.extend(self.healthy_checks(rule, &variants));
        }
        if let Ok(corpus) = self.corpus(baselines) {
            for incident in &corpus.incidents {
                let i = &incident.file;
                let named = |id: &String| ids.is_empty() || ids.contains(id);
                let wanted =
                    i.expect.iter().any(|e| named(&e.rule.value)) || i.must_not_match.iter().any(|m| named(&m.value));
                if wanted {
                    // Only the expectations about the selected rules (all of them when none is selected).
                    let checks = self.incident_checks(incident, baselines);
                    results.extend(checks.into_iter().filter(|r| ids.is_empty() || ids.contains(&r.rule_id)));
                }
            }
        }
        results
    }

    /// One result per expectation of an incident: each expected rule matches (nested under its
    /// `under` rule when one is named), each refused rule does not.
    fn incident_checks(&self, incident: &Loaded<IncidentFile>, baselines: &Baselines) -> Vec<TestResult> {
        let i = &incident.file;
        let label = format!("incident {}", incident.name);
        let built = build_value(
            &Changes {
                patch: i.patch.as_ref(),
                set: &i.set,
                remove: &i.remove,
                collected_at: i.collected_at.as_deref(),
            },
            Some(&i.base.value),
            baselines,
        )
        .and_then(|v| {
            Snapshot::from_value(v, &incident.path, self.snapshot_schema())
                .map_err(|e| format!("the incident's snapshot is invalid: {e}"))
        });
        let snapshot = match built {
            Ok(s) => s,
            Err(why) => {
                let rule_id = i.expect.first().map_or_else(String::new, |e| e.rule.value.clone());
                return vec![TestResult {
                    rule_id,
                    name: label,
                    expected: "a valid incident snapshot".into(),
                    finding: None,
                    passed: false,
                    failure: Some(why),
                    snapshot: None,
                }];
            }
        };
        let report = self.evaluate(&snapshot, &crate::eval::EvalOptions::default());
        let all = report.all_findings();
        let find = |id: &str| all.iter().find(|f| f.rule_id == id && f.outcome == Outcome::Match).copied();
        let outcome_of = |id: &str| {
            let f = all.iter().find(|f| f.rule_id == id);
            f.map_or_else(|| "pass or skipped".to_owned(), |f| format!("{}: {}", f.outcome.as_str(), f.message))
        };
        let mut out = Vec::new();
        for e in &i.expect {
            let id = e.rule.value.as_str();
            let (expected, failure) = match &e.under {
                None => {
                    ("match".to_owned(), find(id).is_none().then(|| format!("expected match, got {}", outcome_of(id))))
                }
                Some(parent) => {
                    let p = parent.value.as_str();
                    let nested = find(p).is_some_and(|f| {
                        f.explains.iter().any(|c| c.rule_id == id && c.outcome == Outcome::Match)
                            || f.also_explains.iter().any(|c| c == id)
                    });
                    let failure = if find(id).is_none() {
                        Some(format!("expected match, got {}", outcome_of(id)))
                    } else if !nested {
                        Some(format!("matched, but not nested under `{p}` (`{p}`: {})", outcome_of(p)))
                    } else {
                        None
                    };
                    (format!("match, nested under {p}"), failure)
                }
            };
            out.push(TestResult {
                rule_id: id.to_owned(),
                name: format!("{label}: {id}"),
                expected,
                finding: find(id).cloned(),
                passed: failure.is_none(),
                failure,
                snapshot: Some(snapshot.clone()),
            });
        }
        for refused in &i.must_not_match {
            let id = refused.value.as_str();
            let failure = find(id).map(|f| format!("expected no match, got match: {}", f.message));
            out.push(TestResult {
                rule_id: id.to_owned(),
                name: format!("{label}: not {id}"),
                expected: "no match".into(),
                finding: find(id).cloned(),
                passed: failure.is_none(),
                failure,
                snapshot: Some(snapshot.clone()),
            });
        }
        out
    }

    fn run_test(
        &self,
        rule: &CompiledRule,
        test: &RuleTest,
        baseline: Option<&str>,
        baselines: &Baselines,
    ) -> TestResult {
        let expected = match test.affected {
            Some(n) => format!("{} with {n} affected", test.expect.as_str()),
            None => test.expect.as_str().to_owned(),
        };
        let mut result = TestResult {
            rule_id: rule.id().to_owned(),
            name: test.name.clone(),
            expected,
            finding: None,
            passed: false,
            failure: None,
            snapshot: None,
        };
        let snapshot = match build_test_snapshot(self, rule, test, baseline, baselines) {
            Ok(s) => s,
            Err(why) => {
                result.failure = Some(why);
                return result;
            }
        };
        let finding = self.evaluate_rule(rule.id(), &snapshot);
        let actual = finding.as_ref().map(|f| (f.outcome, f.affected.as_ref().map_or(0, |a| a.count)));
        result.passed = match actual {
            Some((outcome, count)) => outcome == test.expect && test.affected.is_none_or(|n| n == count),
            None => false,
        };
        if !result.passed {
            result.failure = Some(match &finding {
                Some(f) => format!(
                    "expected {}, got {}{}: {}",
                    result.expected,
                    f.outcome.as_str(),
                    f.affected.as_ref().map_or(String::new(), |a| format!(" with {} affected", a.count)),
                    f.message
                ),
                None => "rule not found".into(),
            });
        }
        result.finding = finding;
        result.snapshot = Some(snapshot);
        result
    }

    /// Every healthy baseline, and each one reduced to the portable namespaces, built once for all
    /// rules. A variant that is not a valid snapshot is kept as its error, so it fails loudly.
    pub(crate) fn healthy_variants(&self, baselines: &Baselines) -> Vec<HealthyVariant> {
        let mut out = Vec::new();
        for (name, value) in baselines {
            let mut variants = vec![(format!("healthy baseline {name}"), value.clone())];
            if !self.manifest.portable_namespaces.is_empty() {
                let mut reduced = value.clone();
                if let Some(facts) = reduced.get_mut("facts").and_then(Value::as_object_mut) {
                    facts.retain(|k, _| self.manifest.portable_namespaces.contains(k));
                }
                variants.push((format!("healthy baseline {name}, portable facts only"), reduced));
            }
            for (label, snapshot_value) in variants {
                let origin = PathBuf::from(format!("baselines/{name}.json"));
                let snapshot =
                    Snapshot::from_value(snapshot_value, &origin, self.snapshot_schema()).map_err(|e| e.to_string());
                out.push(HealthyVariant { baseline: name.clone(), label, snapshot });
            }
        }
        // The corpus of legitimate, unusual deployments (`baselines/variants/`); a malformed
        // file is reported by `baselines()`, which every caller reads first.
        let corpus = self.corpus(baselines).unwrap_or_default();
        for variant in &corpus.variants {
            let v = &variant.file;
            let changes = Changes {
                patch: v.patch.as_ref(),
                set: &v.set,
                remove: &v.remove,
                collected_at: v.collected_at.as_deref(),
            };
            let built = build_value(&changes, Some(&v.base.value), baselines);
            let mut forms = Vec::new();
            match built {
                Ok(value) => {
                    if self.manifest.portable_namespaces.is_empty() {
                        forms.push((format!("healthy variant {}", variant.name), Ok(value)));
                    } else {
                        let mut reduced = value.clone();
                        if let Some(facts) = reduced.get_mut("facts").and_then(Value::as_object_mut) {
                            facts.retain(|k, _| self.manifest.portable_namespaces.contains(k));
                        }
                        forms.push((format!("healthy variant {}", variant.name), Ok(value)));
                        forms.push((format!("healthy variant {}, portable facts only", variant.name), Ok(reduced)));
                    }
                }
                Err(why) => forms.push((format!("healthy variant {}", variant.name), Err(why))),
            }
            for (label, value) in forms {
                let snapshot = value.and_then(|v| {
                    Snapshot::from_value(v, &variant.path, self.snapshot_schema()).map_err(|e| e.to_string())
                });
                out.push(HealthyVariant { baseline: v.base.value.clone(), label, snapshot });
            }
        }
        out
    }

    /// No rule may match a healthy baseline (nor the baseline reduced to portable namespaces).
    fn healthy_checks(&self, rule: &CompiledRule, variants: &[HealthyVariant]) -> Vec<TestResult> {
        let mut out = Vec::new();
        for variant in variants {
            let allowed = self
                .manifest
                .baseline_matches
                .get(&variant.baseline)
                .is_some_and(|ids| ids.iter().any(|i| i == rule.id()));
            let expected: String = if allowed { "no error".into() } else { "no match and no error".into() };
            let snapshot = match &variant.snapshot {
                Ok(s) => s,
                Err(why) => {
                    out.push(TestResult {
                        rule_id: rule.id().to_owned(),
                        name: variant.label.clone(),
                        expected,
                        finding: None,
                        passed: false,
                        failure: Some(format!("the baseline variant is not a valid snapshot: {why}")),
                        snapshot: None,
                    });
                    continue;
                }
            };
            let finding = self.evaluate_rule(rule.id(), snapshot);
            let matched = finding.as_ref().is_some_and(|f| f.outcome == Outcome::Match);
            let errored = finding.as_ref().is_some_and(|f| f.outcome == Outcome::Error);
            let passed = (allowed || !matched) && !errored;
            out.push(TestResult {
                rule_id: rule.id().to_owned(),
                name: variant.label.clone(),
                expected,
                failure: (!passed).then(|| {
                    let f = finding.as_ref();
                    format!(
                        "got {} on a healthy baseline: {}",
                        f.map_or("nothing", |f| f.outcome.as_str()),
                        f.map_or("", |f| f.message.as_str())
                    )
                }),
                finding,
                passed,
                snapshot: Some(snapshot.clone()),
            });
        }
        out
    }
}

/// A healthy snapshot every rule is checked against.
pub(crate) struct HealthyVariant {
    pub(crate) baseline: String,
    pub(crate) label: String,
    pub(crate) snapshot: Result<Snapshot, String>,
}

pub(crate) fn default_baseline(rule: &CompiledRule, baselines: &Baselines) -> Option<String> {
    rule.rule
        .products
        .iter()
        .map(|p| &p.value)
        .find(|p| baselines.contains_key(*p))
        .cloned()
        .or_else(|| baselines.keys().next().cloned())
}

pub(crate) fn build_test_snapshot(
    kb: &KnowledgeBase,
    rule: &CompiledRule,
    test: &RuleTest,
    baseline: Option<&str>,
    baselines: &Baselines,
) -> Result<Snapshot, String> {
    let value = build_test_value(test, baseline, baselines)?;
    // The test name becomes part of a file name shown in messages: a path separator in it would make
    // `with_extension` panic, so it is replaced.
    let name: String = test.name.chars().map(|c| if std::path::is_separator(c) { '_' } else { c }).collect();
    let origin = Path::new(&rule.path).with_extension(format!("yaml#{name}"));
    Snapshot::from_value(value, &origin, kb.snapshot_schema())
        .map_err(|e| format!("the test's snapshot is invalid: {e}"))
}

/// One rule test materialised as a snapshot document (see [`KnowledgeBase::test_documents`]).
#[derive(Debug, Clone)]
pub struct TestDocument {
    /// The rule the test belongs to.
    pub rule_id: String,
    /// The test's name.
    pub name: String,
    /// The snapshot document (envelope and facts) the test runs the rule on.
    pub document: Value,
}

impl KnowledgeBase {
    /// Every rule test's snapshot document, built as [`KnowledgeBase::run_tests`] builds them (the
    /// baseline, then the test's patch, `set`, `remove` and `collected_at`), for tools that need
    /// the inputs themselves (e.g. to check that redaction keeps every test's outcome). Tests
    /// whose snapshot cannot be built are left out; `rules test` reports them.
    pub fn test_documents(&self, baselines: &Baselines) -> Vec<TestDocument> {
        let mut out = Vec::new();
        for rule in self.rules() {
            let mut baseline = None;
            for test in &rule.rule.tests {
                baseline = test.baseline.clone().or(baseline).or_else(|| default_baseline(rule, baselines));
                if let Ok(document) = build_test_value(test, baseline.as_deref(), baselines) {
                    out.push(TestDocument { rule_id: rule.id().to_owned(), name: test.name.clone(), document });
                }
            }
        }
        out
    }
}

fn build_test_value(test: &RuleTest, baseline: Option<&str>, baselines: &Baselines) -> Result<Value, String> {
    let changes = Changes {
        patch: test.patch.as_ref(),
        set: &test.set,
        remove: &test.remove,
        collected_at: test.collected_at.as_deref(),
    };
    build_value(&changes, baseline, baselines)
}

/// The changes a rule test, a healthy variant or an incident makes to its baseline.
pub(crate) struct Changes<'a> {
    pub(crate) patch: Option<&'a Value>,
    pub(crate) set: &'a BTreeMap<String, Value>,
    pub(crate) remove: &'a [String],
    pub(crate) collected_at: Option<&'a str>,
}

/// A baseline with changes applied: the merge patch, then `set`, then `remove`, then `collected_at`.
pub(crate) fn build_value(
    changes: &Changes<'_>,
    baseline: Option<&str>,
    baselines: &Baselines,
) -> Result<Value, String> {
    let name = baseline.ok_or("no baseline snapshot available (add baselines/<name>.json)")?;
    let mut value = baselines.get(name).cloned().ok_or_else(|| format!("unknown baseline `{name}`"))?;
    let facts = value.get_mut("facts").ok_or("baseline has no facts")?;
    if let Some(patch) = changes.patch {
        merge_patch(facts, patch);
    }
    for (path, v) in changes.set {
        set_path(facts, path, v.clone()).map_err(|e| format!("set `{path}`: {e}"))?;
    }
    for path in changes.remove {
        remove_path(facts, path).map_err(|e| format!("remove `{path}`: {e}"))?;
    }
    if let Some(at) = changes.collected_at
        && let Some(object) = value.as_object_mut()
    {
        object.insert("collected_at".into(), Value::String(at.to_owned()));
    }
    Ok(value)
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// The steps of a `set`/`remove` path: keys and element indexes (`[]` names no single element).
fn steps(path: &str) -> Result<Vec<Segment>, String> {
    let parsed = FactPath::parse(path)?;
    if parsed.segments().contains(&Segment::Each) {
        return Err("`[]` names no single element: give an index".into());
    }
    Ok(parsed.segments().to_vec())
}

/// Sets the value at a dotted path, creating missing objects on the way.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let steps = steps(path)?;
    let mut node = root;
    for step in &steps {
        node = match step {
            Segment::Key(k) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                node.as_object_mut().ok_or("not an object")?.entry(k.clone()).or_insert(Value::Null)
            }
            Segment::Index(i) => node.get_mut(*i).ok_or(format!("no element [{i}]"))?,
            Segment::Each => return Err("`[]` names no single element".into()),
        };
    }
    *node = value;
    Ok(())
}

/// Removes the value at a dotted path (an absent path is an error: the test is wrong).
pub fn remove_path(root: &mut Value, path: &str) -> Result<(), String> {
    let steps = steps(path)?;
    let (last, parents) = steps.split_last().ok_or("empty path")?;
    let mut node = root;
    for step in parents {
        node = match step {
            Segment::Key(k) => node.get_mut(k.as_str()),
            Segment::Index(i) => node.get_mut(*i),
            Segment::Each => None,
        }
        .ok_or("path does not exist")?;
    }
    let removed = match last {
        Segment::Key(k) => node.as_object_mut().and_then(|m| m.remove(k.as_str())).is_some(),
        Segment::Each => false,
        Segment::Index(i) => match node.as_array_mut() {
            Some(a) if *i < a.len() => {
                a.remove(*i);
                true
            }
            _ => false,
        },
    };
    if removed { Ok(()) } else { Err("path does not exist".into()) }
}

#[cfg(test)]
mod tests {
    use crate::{KbSource, KnowledgeBase, LoadOptions};

    #[test]
    fn a_test_name_with_path_separators_does_not_panic() {
        let rule = "id: r\nversion: 1.0.0\nstatus: stable\ntitle: t\nseverity: info\ncovers: [r]\nsymptom: s\n\
            cause: c\nwhen: facts.x == 1\nresolution: {summary: r}\ntests:\n\
              - {name: 'server (local)\\\\ADSYNC or a/b', baseline: b, expect: pass}\n";
        let base = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z","collector":{"name":"t","version":"1"},"probes":[],"facts":{"x":2}}"#;
        let files = [
            ("kb.yaml", "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
            ("catalog.yaml", "entries: [{slug: r}]\n"),
            ("baselines/b.json", base),
            ("a/r.yaml", rule),
        ];
        let kb = KnowledgeBase::load(KbSource::from_files("<t>", files), LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
        let results = kb.run_tests(&baselines, &[]);
        assert!(results.iter().all(|r| r.passed), "{:?}", results.iter().map(|r| &r.failure).collect::<Vec<_>>());
    }
}
