//! Healthy variants and incidents: the knowledge base's own corpus of legitimate, unusual
//! deployments (`baselines/variants/<name>.yaml`) and of incidents phrased as real data shows
//! them (`incidents/<name>.yaml`). Each one is a healthy baseline changed with the patch
//! machinery of rule tests (`patch`, `set`, `remove`, `collected_at`). `rules test` fails when a
//! rule matches (or errors on) a healthy variant, and when an incident does not give its
//! documented diagnosis.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::kb::KnowledgeBase;
use crate::rule::Located;

/// The folder of healthy variants, relative to the knowledge base root.
pub const VARIANTS_DIR: &str = "baselines/variants";
/// The folder of incidents, relative to the knowledge base root.
pub use crate::kb::INCIDENTS_DIR;

/// Healthy baseline snapshots by name (`baselines/<name>.json`).
pub type Baselines = std::collections::BTreeMap<String, serde_json::Value>;

/// A legitimate, unusual deployment: a healthy baseline changed so that it still works as
/// Microsoft documents it. No rule may match it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "syncdoctor healthy variant",
    description = "A legitimate, unusual deployment: rules/baselines/variants/<name>.yaml"
)]
pub struct VariantFile {
    /// The healthy baseline it changes (`baselines/<base>.json`: `connect-sync`, `cloud-sync`, `dirsync`).
    #[schemars(with = "String")]
    pub base: Located<String>,
    /// One line: what makes this deployment legitimate, and the document that says so (a
    /// learn.microsoft.com URL or a seed file name).
    #[schemars(with = "String")]
    pub note: Located<String>,
    /// JSON merge patch (RFC 7396) applied to the baseline's `facts`.
    #[serde(default)]
    pub patch: Option<Value>,
    /// Facts to set, by dotted path (relative to `facts`, `[n]` for elements), after the patch.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Fact paths (relative to `facts`, `[n]` for elements) removed after patching.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Override of the snapshot's `collected_at`.
    #[serde(default)]
    pub collected_at: Option<String>,
}

/// An incident phrased as real data shows it, with the diagnosis it must give.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "syncdoctor incident",
    description = "An incident phrased as real data shows it, and its documented diagnosis: rules/incidents/<name>.yaml"
)]
pub struct IncidentFile {
    /// The healthy baseline it changes (`baselines/<base>.json`).
    #[schemars(with = "String")]
    pub base: Located<String>,
    /// One line: what happened, and the document that describes the symptom (a
    /// learn.microsoft.com URL or a seed file name).
    #[schemars(with = "String")]
    pub note: Located<String>,
    /// JSON merge patch (RFC 7396) applied to the baseline's `facts`.
    #[serde(default)]
    pub patch: Option<Value>,
    /// Facts to set, by dotted path, after the patch.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Fact paths removed after patching.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Override of the snapshot's `collected_at`.
    #[serde(default)]
    pub collected_at: Option<String>,
    /// Rules that must match, each optionally nested under the rule that explains it.
    pub expect: Vec<IncidentExpectation>,
    /// Rules that must not match (a wrong diagnosis this incident is easily mistaken for).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub must_not_match: Vec<Located<String>>,
}

/// One rule an incident must match.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentExpectation {
    /// The rule id that must match.
    #[schemars(with = "String")]
    pub rule: Located<String>,
    /// The matched rule whose finding this one must be nested under in the report (a rule that
    /// `explains` it); absent when the finding may stand anywhere.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub under: Option<Located<String>>,
}

/// A loaded healthy variant or incident.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The file's name without extension.
    pub name: String,
    /// The file, relative to the knowledge base root.
    pub path: PathBuf,
    /// The parsed file.
    pub file: T,
}

/// The knowledge base's healthy variants and incidents.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// `baselines/variants/*.yaml`.
    pub variants: Vec<Loaded<VariantFile>>,
    /// `incidents/*.yaml`.
    pub incidents: Vec<Loaded<IncidentFile>>,
}

/// Whether a note names its source: a URL or a seed file (`NNN_<16 hex>.txt`).
fn cites_a_source(note: &str) -> bool {
    note.contains("https://")
        || note.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).any(|w| {
            let Some((n, rest)) = w.split_once('_') else { return false };
            let Some(hex) = rest.strip_suffix(".txt") else { return false };
            n.len() == 3
                && n.chars().all(|c| c.is_ascii_digit())
                && hex.len() == 16
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        })
}

fn in_folder(path: &std::path::Path, folder: &str) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    yaml && path.parent().is_some_and(|p| p == std::path::Path::new(folder))
}

impl KnowledgeBase {
    /// Reads and checks the healthy variants and incidents. Every problem is reported at once,
    /// located at its file, line and column: malformed YAML, an unknown field, an unknown base or
    /// rule, a note that is not one line naming its source, an `under` rule that does not
    /// explain the expected one.
    pub fn corpus(&self, baselines: &Baselines) -> Result<Corpus, Vec<Diagnostic>> {
        let mut corpus = Corpus::default();
        let mut problems = Vec::new();
        for file in &self.source.files {
            let shown = self.source.display_path(file);
            let name = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if in_folder(&file.path, VARIANTS_DIR) {
                match serde_saphyr::from_str::<VariantFile>(&file.text) {
                    Ok(v) => {
                        check_common(&shown, &v.base, &v.note, baselines, &mut problems);
                        corpus.variants.push(Loaded { name, path: file.path.clone(), file: v });
                    }
                    Err(e) => problems.push(Diagnostic::yaml(&shown, &e)),
                }
            } else if in_folder(&file.path, INCIDENTS_DIR) {
                match serde_saphyr::from_str::<IncidentFile>(&file.text) {
                    Ok(i) => {
                        check_common(&shown, &i.base, &i.note, baselines, &mut problems);
                        self.check_incident(&shown, &i, &mut problems);
                        corpus.incidents.push(Loaded { name, path: file.path.clone(), file: i });
                    }
                    Err(e) => problems.push(Diagnostic::yaml(&shown, &e)),
                }
            }
        }
        if problems.is_empty() { Ok(corpus) } else { Err(problems) }
    }

    fn check_incident(&self, shown: &std::path::Path, incident: &IncidentFile, problems: &mut Vec<Diagnostic>) {
        if incident.expect.is_empty() {
            problems.push(Diagnostic::spanned(
                shown,
                &incident.base,
                "`expect`: name at least one rule that must match",
            ));
        }
        for e in &incident.expect {
            if self.rule(&e.rule.value).is_none() {
                problems.push(Diagnostic::spanned(
                    shown,
                    &e.rule,
                    format!("`expect`: no rule has id `{}`", e.rule.value),
                ));
            }
            if let Some(parent) = &e.under {
                match self.rule(&parent.value) {
                    None => problems.push(Diagnostic::spanned(
                        shown,
                        parent,
                        format!("`under`: no rule has id `{}`", parent.value),
                    )),
                    Some(p) if !p.rule.explains.iter().any(|x| x.value == e.rule.value) => {
                        problems.push(Diagnostic::spanned(
                            shown,
                            parent,
                            format!("`under`: rule `{}` does not explain `{}`", parent.value, e.rule.value),
                        ));
                    }
                    Some(_) => {}
                }
                if !incident.expect.iter().any(|o| o.rule.value == parent.value) {
                    problems.push(Diagnostic::spanned(
                        shown,
                        parent,
                        format!("`under`: `{}` must itself be expected to match", parent.value),
                    ));
                }
            }
        }
        for id in &incident.must_not_match {
            if self.rule(&id.value).is_none() {
                problems.push(Diagnostic::spanned(
                    shown,
                    id,
                    format!("`must_not_match`: no rule has id `{}`", id.value),
                ));
            }
            if incident.expect.iter().any(|e| e.rule.value == id.value) {
                problems.push(Diagnostic::spanned(shown, id, format!("`{}` is both expected and refused", id.value)));
            }
        }
    }
}

fn check_common(
    shown: &std::path::Path,
    base: &Located<String>,
    note: &Located<String>,
    baselines: &Baselines,
    problems: &mut Vec<Diagnostic>,
) {
    if !baselines.contains_key(&base.value) {
        let known: Vec<&str> = baselines.keys().map(String::as_str).collect();
        problems.push(Diagnostic::spanned(
            shown,
            base,
            format!("`base`: no baseline `{}` (known: {})", base.value, known.join(", ")),
        ));
    }
    let text = note.value.trim();
    if text.is_empty() || text.contains('\n') {
        problems.push(Diagnostic::spanned(shown, note, "`note`: write one line"));
    } else if !cites_a_source(text) {
        problems.push(Diagnostic::spanned(
            shown,
            note,
            "`note`: name the document that says so (a https:// URL or a seed file NNN_<hex>.txt)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::cites_a_source;
    use crate::{Error, KbSource, KnowledgeBase, LoadOptions};

    #[test]
    fn a_note_names_a_url_or_a_seed_file() {
        assert!(cites_a_source("see https://learn.microsoft.com/x"));
        assert!(cites_a_source("seed 012_0123456789abcdef.txt says so"));
        assert!(!cites_a_source("trust me"));
        assert!(!cites_a_source("12_0123456789abcdef.txt"));
    }

    const BASE: &str = r#"{"schema_version":1,"collected_at":"2026-11-20T09:30:00Z",
        "collector":{"name":"t","version":"1"},"probes":[],"facts":{"svc":{"state":"Running","reason":"none"}}}"#;
    const RULE: &str = "id: svc-stopped\nversion: 1.0.0\nstatus: stable\ntitle: t\nseverity: critical\n\
        covers: [svc-stopped]\nsymptom: s\ncause: c\nwhen: facts.svc.state != \"Running\"\nresolution: {summary: r}\n";
    const CAUSE: &str = "id: svc-cause\nversion: 1.0.0\nstatus: stable\ntitle: t\nseverity: critical\n\
        covers: [svc-stopped]\nsymptom: s\ncause: c\nwhen: facts.svc.reason == \"disk\"\nexplains: [svc-stopped]\n\
        resolution: {summary: r}\n";

    fn kb(extra: &[(&'static str, &'static str)]) -> KnowledgeBase {
        let mut files = vec![
            ("kb.yaml", "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
            ("catalog.yaml", "entries: [{slug: svc-stopped}]\n"),
            ("baselines/base.json", BASE),
            ("svc/svc-stopped.yaml", RULE),
            ("svc/svc-cause.yaml", CAUSE),
        ];
        files.extend_from_slice(extra);
        KnowledgeBase::load(KbSource::from_files("<t>", files), LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn failures(kb: &KnowledgeBase) -> Vec<String> {
        let baselines = kb.baselines().unwrap_or_else(|e| panic!("{e}"));
        kb.run_tests(&baselines, &[])
            .into_iter()
            .filter(|r| !r.passed)
            .map(|r| format!("{} :: {}: {}", r.rule_id, r.name, r.failure.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_rule_matching_a_healthy_variant_fails_the_run() {
        let good = kb(&[("baselines/variants/ok.yaml", "base: base\nnote: fine, https://learn.microsoft.com/x\n")]);
        assert!(failures(&good).is_empty(), "{:?}", failures(&good));
        let bad = kb(&[(
            "baselines/variants/stopped.yaml",
            "base: base\nnote: 'paused, https://learn.microsoft.com/x'\nset: {svc.state: Paused}\n",
        )]);
        let f = failures(&bad);
        assert!(f.iter().any(|f| f.contains("svc-stopped :: healthy variant stopped")), "{f:?}");
    }

    #[test]
    fn an_incident_must_give_its_diagnosis_and_nesting() {
        let ok = kb(&[(
            "incidents/disk.yaml",
            "base: base\nnote: 'disk, https://learn.microsoft.com/x'\nset: {svc.state: Stopped, svc.reason: disk}\n\
             expect:\n  - rule: svc-cause\n  - rule: svc-stopped\n    under: svc-cause\n",
        )]);
        assert!(failures(&ok).is_empty(), "{:?}", failures(&ok));
        let missed = kb(&[(
            "incidents/missed.yaml",
            "base: base\nnote: 'disk, https://learn.microsoft.com/x'\nset: {svc.reason: disk}\n\
             expect:\n  - rule: svc-cause\n  - rule: svc-stopped\n    under: svc-cause\n",
        )]);
        let f = failures(&missed);
        assert!(f.iter().any(|f| f.starts_with("svc-stopped :: incident missed: svc-stopped")), "{f:?}");
        let refused = kb(&[(
            "incidents/refused.yaml",
            "base: base\nnote: 'disk, https://learn.microsoft.com/x'\nset: {svc.state: Stopped, svc.reason: disk}\n\
             expect: [{rule: svc-cause}]\nmust_not_match: [svc-stopped]\n",
        )]);
        let f = failures(&refused);
        assert!(f.iter().any(|f| f.contains("incident refused: not svc-stopped")), "{f:?}");
    }

    #[test]
    fn malformed_variants_and_incidents_are_located() {
        let kb = kb(&[
            ("baselines/variants/typo.yaml", "base: base\nnote: 'x https://learn.microsoft.com/x'\npatc: {}\n"),
            ("baselines/variants/nosource.yaml", "base: base\nnote: trust me\n"),
            ("baselines/variants/nobase.yaml", "base: nowhere\nnote: 'https://learn.microsoft.com/x'\n"),
            (
                "incidents/wrong.yaml",
                "base: base\nnote: 'https://learn.microsoft.com/x'\nexpect:\n  - rule: svc-stopped\n    under: svc-stopped\n  - rule: nope\n",
            ),
        ]);
        let Err(Error::KnowledgeBase(problems)) = kb.baselines() else { panic!("malformed files must be refused") };
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let has = |s: &str| shown.iter().any(|p| p.contains(s));
        assert!(has("baselines/variants/typo.yaml:3:"), "{shown:?}");
        assert!(has("baselines/variants/nosource.yaml:2:7: `note`"), "{shown:?}");
        assert!(has("baselines/variants/nobase.yaml:1:7: `base`: no baseline `nowhere`"), "{shown:?}");
        assert!(
            has("incidents/wrong.yaml:5:12: `under`: rule `svc-stopped` does not explain `svc-stopped`"),
            "{shown:?}"
        );
        assert!(has("incidents/wrong.yaml:6:11: `expect`: no rule has id `nope`"), "{shown:?}");
    }
}
